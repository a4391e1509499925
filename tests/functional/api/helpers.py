"""Small helpers for API tests: create objects, wait for the worker."""
import json
import time

import sqlalchemy as sa

from octavia_aa.db import api as db_api
from octavia_aa.db import models

LB = '/v2/lbaas/loadbalancers'


def post(api, path, key, body, status=201):
    return api.post_json(path, {key: body}, status=status).json


def row_counts():
    with db_api.session_scope() as session:
        return {name: session.scalar(sa.select(sa.func.count())
                                     .select_from(table))
                for name, table in models.Base.metadata.tables.items()}


def wait_for(api, path, key, status='ACTIVE', timeout=30):
    """Poll GET path until provisioning_status is `status`."""
    deadline = time.monotonic() + timeout
    while True:
        obj = api.get(path).json[key]
        if obj['provisioning_status'] == status:
            return obj
        if obj['provisioning_status'] == 'ERROR' and status != 'ERROR':
            raise AssertionError('%s went to ERROR: %s' % (path, obj))
        if time.monotonic() > deadline:
            raise AssertionError('%s still %s after %ss' % (
                path, obj['provisioning_status'], timeout))
        time.sleep(0.05)


def wait_gone(api, path, timeout=30):
    deadline = time.monotonic() + timeout
    while api.get(path, expect_errors=True).status_int != 404:
        if time.monotonic() > deadline:
            raise AssertionError('%s still there after %ss' % (path, timeout))
        time.sleep(0.05)


def flavor(api, data, name='gold'):
    fp = post(api, '/v2/lbaas/flavorprofiles', 'flavorprofile', {
        'name': name + '-profile', 'provider_name': 'amphora',
        'flavor_data': json.dumps(data)})['flavorprofile']
    return post(api, '/v2/lbaas/flavors', 'flavor', {
        'name': name, 'flavor_profile_id': fp['id']})['flavor']


def active_lb(api, **extra):
    body = dict({'name': 'lb', 'vip_subnet_id': 'public-subnet'}, **extra)
    lb = post(api, LB, 'loadbalancer', body)['loadbalancer']
    return wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')


def keystone_app(overrides):
    """The full WSGI app under the keystone strategy (keystonemiddleware
    in front; no Keystone is contacted for requests without a token)."""
    from keystonemiddleware import auth_token
    import webtest

    from octavia_aa.api import app as app_module
    from octavia_aa.common import config
    for group, opts in auth_token.list_opts():
        config.CONF.register_opts(opts, group=group)
    overrides('auth_strategy', 'keystone', 'api_settings')
    # Where clients are sent to authenticate; nothing is contacted.
    overrides('www_authenticate_uri', 'http://127.0.0.1:5000/v3',
              'keystone_authtoken')
    return webtest.TestApp(app_module.setup_app())


def add_child(api, lb_id, path, key, body):
    """POST a child of an ACTIVE load balancer and wait until the load
    balancer is ACTIVE again (the next change needs it unlocked)."""
    obj = post(api, path, key, body)[key]
    wait_for(api, '%s/%s' % (LB, lb_id), 'loadbalancer')
    return obj
