"""The HTTP client of the plugin: python-octaviaclient's OctaviaAPI (its
session, endpoint and error handling: a refused request exits non-zero
with the API's faultstring) plus octavia-aa's resources."""
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions as osc_exc
from oslo_utils import uuidutils

# kind: (path under /v2.0, collection key).
PATHS = {
    'cluster': ('/octavia/clusters', 'clusters'),
    'distributor': ('/octavia/distributors', 'distributors'),
    'amphora': ('/octavia/amphorae', 'amphorae'),
    'loadbalancer': ('/lbaas/loadbalancers', 'loadbalancers'),
    'listener': ('/lbaas/listeners', 'listeners'),
    'pool': ('/lbaas/pools', 'pools'),
    'healthmonitor': ('/lbaas/healthmonitors', 'healthmonitors'),
    'l7policy': ('/lbaas/l7policies', 'l7policies'),
}

_checked = octavia.correct_return_codes


class Client(octavia.OctaviaAPI):

    @_checked
    def fetch(self, kind, obj_id):
        return self._request('GET', '%s/%s' % (PATHS[kind][0], obj_id),
                             headers=self.JSON_HEADER).json()[kind]

    @_checked
    def list_all(self, kind, path=None, **filters):
        """Every page of a collection (or of the nested one at path)."""
        own_path, key = PATHS.get(kind, (None, kind))
        return self._list(path or own_path, get_all=True, resources=key,
                          **filters)[key]

    @_checked
    def add(self, kind, values):
        return self._create(PATHS[kind][0], json={kind: values})[kind]

    @_checked
    def change(self, kind, obj_id, values):
        return self._create('%s/%s' % (PATHS[kind][0], obj_id),
                            method='PUT', json={kind: values})[kind]

    @_checked
    def act(self, kind, obj_id, action):
        """PUT .../{id}/{action} (202, no body)."""
        self._create('%s/%s/%s' % (PATHS[kind][0], obj_id, action),
                     method='PUT')

    @_checked
    def remove(self, kind, obj_id):
        self._delete('%s/%s' % (PATHS[kind][0], obj_id))

    def lookup(self, kind, value, name_attr='name'):
        """The object whose id is `value`, else the one whose name_attr
        is: an id nobody has gives the API's 404 message, a name nobody
        has (or two have) says so."""
        try:
            return self.fetch(kind, value)
        except octavia.OctaviaClientException as e:
            if e.code != 404 or uuidutils.is_uuid_like(value):
                raise
        found = self.list_all(kind, **{name_attr: value})
        if len(found) == 1:
            return found[0]
        if not found:
            raise osc_exc.CommandError('No %s with the ID or %s %s.'
                                       % (kind, name_attr, value))
        raise osc_exc.CommandError('More than one %s has the %s %s: give '
                                   'its ID.' % (kind, name_attr, value))
