"""Listeners on one load balancer share a port only across layer-4
protocols, as upstream: a PENDING listener holds its port, and of two
racing creates one is made and the other is a 409, on SQLite and on the
real MariaDB and PostgreSQL (docs/api-parity.md, Listener)."""
import threading

import pytest
import sqlalchemy as sa

from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import migration
from octavia_aa.db import models as m
from tests.functional import dbservers
from tests.functional.api import helpers
from tests.functional.api.test_validation_parity import make
from tests.functional.api.test_validation_parity import tree  # noqa: F401
from tests.functional.api.test_validation_parity import V2


def _race(api, lb_id, port):
    """HTTP and TCP listeners on `port` from two threads at once; the
    status codes, and how many listeners hold the port afterwards."""
    results = []

    def create(protocol):
        resp = api.post_json(V2 + '/listeners', {'listener': {
            'loadbalancer_id': lb_id, 'protocol': protocol,
            'protocol_port': port}}, expect_errors=True)
        results.append(resp.status_int)
    threads = [threading.Thread(target=create, args=(p,))
               for p in ('HTTP', 'TCP')]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with db_api.session_scope(readonly=True) as session:
        count = session.scalar(sa.select(sa.func.count()).where(
            m.Listener.protocol_port == port))
    return sorted(results), count


def test_listener_port_held_while_pending(api, tree):
    """The first listener is still PENDING_CREATE (and the load balancer
    writable again, as once another request's lock is gone): a second one
    on its port and layer-4 protocol is a 409 naming the port."""
    helpers.post(api, V2 + '/listeners', 'listener', {
        'loadbalancer_id': tree['lb'], 'protocol': 'HTTP',
        'protocol_port': 82})
    with db_api.session_scope() as session:
        session.execute(sa.update(m.LoadBalancer).values(
            provisioning_status='ACTIVE'))
    resp = api.post_json(V2 + '/listeners', {'listener': {
        'loadbalancer_id': tree['lb'], 'protocol': 'TERMINATED_HTTPS',
        'protocol_port': 82, 'default_tls_container_ref': 'c'}},
        status=409)
    assert 'protocol_port 82' in resp.json['faultstring']


def test_concurrent_creates_on_one_port(api, tree):
    """Two creates on one port at once: one is made, the other is a 409
    (the load balancer's test-and-set lets one writer in)."""
    assert _race(api, tree['lb'], 83) == ([201, 409], 1)


@pytest.mark.parametrize('backend', ['mariadb', 'postgresql'])
def test_racing_creates_on_a_real_server(api, overrides, monkeypatch,
                                         backend):
    """HTTP:84 and TCP:84 at the same moment, both past the duplicate
    check with their transactions open (a barrier holds each before the
    load balancer's lock): the lock lets one in, the other is a 409."""
    with dbservers.database(backend) as url:
        overrides('connection', url, 'database')
        db_api.reset()
        migration.upgrade()
        try:
            lb = make(api, 'loadbalancers', {'vip_subnet_id':
                                             'public-subnet'})
            barrier = threading.Barrier(2, timeout=20)
            real_lock = lifecycle.lock_load_balancer

            def lock_after_both_checked(*args, **kwargs):
                barrier.wait()
                return real_lock(*args, **kwargs)
            monkeypatch.setattr(lifecycle, 'lock_load_balancer',
                                lock_after_both_checked)
            assert _race(api, lb['id'], 84) == ([201, 409], 1)
        finally:
            monkeypatch.undo()
            db_api.reset()
