"""A resize that waits for the cooldown is visible on the cluster: when
the cooldown ends and what the cluster manager will then do (real worker,
noop drivers)."""
import datetime
import json

from tests.functional.api import helpers


def _cluster(api, lb):
    return api.get('/v2/octavia/clusters?loadbalancer_id=%s'
                   % lb['id']).json['clusters'][0]


def test_a_resize_waiting_for_the_cooldown_is_shown(api, worker):
    data = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
            'cluster_desired_size': 2, 'cluster_cooldown': 600}
    flavor = helpers.flavor(api, data)
    lb = helpers.active_lb(api, flavor_id=flavor['id'])
    cluster = _cluster(api, lb)
    assert cluster['pending_resize'] is None
    assert cluster['cooldown_ends_at'] is None

    api.put_json('/v2/octavia/clusters/' + cluster['id'],
                 {'cluster': {'desired_size': 3}})
    helpers.wait_for(api, '%s/%s' % (helpers.LB, lb['id']), 'loadbalancer')
    cluster = _cluster(api, lb)
    assert cluster['pending_resize'] is None      # done
    resized = datetime.datetime.fromisoformat(cluster['last_resized_at'])
    ends = datetime.datetime.fromisoformat(cluster['cooldown_ends_at'])
    assert ends - resized == datetime.timedelta(seconds=600)

    # New sizes from the flavor profile wait for the cooldown.
    api.put_json('/v2/lbaas/flavorprofiles/' + flavor['flavor_profile_id'],
                 {'flavorprofile': {'flavor_data': json.dumps(
                     dict(data, cluster_desired_size=5,
                          cluster_standby_count=0))}})
    cluster = _cluster(api, lb)
    assert cluster['desired_size'] == 5
    pending = cluster['pending_resize']
    assert pending['add_active'] == 2 and pending['add_standby'] == 0
    amps = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                   % lb['id']).json['amphorae']
    standby = [a['id'] for a in amps if a['role'] == 'IN_CLUSTER_STANDBY']
    assert pending['remove'] == standby and len(standby) == 1
    assert pending['not_before'] == cluster['cooldown_ends_at']
    # And a resize through the API says until when it is refused.
    resp = api.put_json('/v2/octavia/clusters/' + cluster['id'],
                        {'cluster': {'desired_size': 4}}, status=409)
    assert 'until %s' % cluster['cooldown_ends_at'] in resp.json[
        'faultstring']
