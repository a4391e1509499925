"""The endpoint implements every cast of RPC_CONTRACT.md with exactly its
keyword arguments, on the target the API's client uses."""
import inspect
import os
import re

from octavia_aa.common import constants as c
from octavia_aa.common import rpc
from octavia_aa.controller.worker import endpoints

CONTRACT = os.path.join(os.path.dirname(endpoints.__file__),
                        'RPC_CONTRACT.md')
OBJECTS = ('listener', 'pool', 'member', 'health_monitor', 'l7policy',
           'l7rule')


def contract():
    """{method: [kwargs]} from the contract's table.  A row may list
    several methods with one id each ("create_a / create_b | a_id / b_id")
    or stand for every object ("update_<object> | <object>_id, updates")."""
    calls = {}
    for line in open(CONTRACT):
        cells = [cell.strip() for cell in line.strip().strip('|').split('|')]
        if len(cells) != 3 or not re.fullmatch(r'[a-z_<>/ 0-9]+', cells[0]) \
                or cells[0] == 'method':
            continue
        methods = [m.strip() for m in cells[0].split('/')]
        if len(methods) > 1:
            ids = [k.strip() for k in cells[1].split('/')]
            ids = ids * len(methods) if len(ids) == 1 else ids
            calls.update((m, [id_]) for m, id_ in zip(methods, ids))
            continue
        kwargs = [k.strip() for k in cells[1].split(',')]
        if '<object>' in methods[0]:
            for obj in OBJECTS:
                calls[methods[0].replace('<object>', obj)] = [
                    k.replace('<object>', obj) for k in kwargs]
        else:
            calls[methods[0]] = kwargs
    return calls


def test_contract_parses_to_every_known_cast():
    calls = contract()
    assert calls['create_l7rule'] == ['l7rule_id']
    assert calls['update_health_monitor'] == ['health_monitor_id',
                                              'updates']
    assert calls['batch_update_members'] == [
        'pool_id', 'new_member_ids', 'updated_member_ids',
        'deleted_member_ids']
    # 4 LB, 3 x 6 children, batch, 3 amphora, resize, 2 distributor,
    # and the health manager's two: the cluster manager's event and the
    # replacement of a silent distributor.
    assert calls['reconcile_load_balancer'] == ['load_balancer_id']
    assert calls['failover_distributor'] == ['distributor_id']
    assert len(calls) == 31


def test_every_cast_has_an_endpoint_with_its_kwargs():
    calls = contract()
    for method, kwargs in calls.items():
        func = getattr(endpoints.Endpoints, method, None)
        assert func is not None, 'no endpoint for %s' % method
        params = list(inspect.signature(func).parameters)
        assert params[:2] == ['self', 'context'], method
        assert params[2:] == kwargs, method


def test_target_matches_the_api_client():
    target = endpoints.Endpoints.target
    client = rpc.target()
    assert (target.namespace, target.version) == (client.namespace,
                                                  client.version)
    assert (target.namespace, target.version) == (c.RPC_NAMESPACE,
                                                  c.RPC_VERSION)
