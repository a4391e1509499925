"""One project's full tree (load balancer → listener → pool → member,
health monitor, L7 policy → rule) made through the API by that project's
member, with the worker taking each object to ACTIVE; and the requests
every role is checked with."""
from tests.functional.api import helpers

LB = helpers.LB
LISTENERS = '/v2/lbaas/listeners'
POOLS = '/v2/lbaas/pools'
HMS = '/v2/lbaas/healthmonitors'
L7POLICIES = '/v2/lbaas/l7policies'


class Tree:
    """ids and paths of one project's objects."""

    def __init__(self, client, admin):
        self.paths = {}     # kind -> (object path, response key)
        lb = self._make(client, 'loadbalancer', LB, {
            'name': 'lb', 'vip_subnet_id': 'public-subnet'})
        self.lb = lb['id']
        self.project = lb['project_id']
        self.listener = self._make(client, 'listener', LISTENERS, {
            'loadbalancer_id': self.lb, 'protocol': 'HTTP',
            'protocol_port': 80, 'name': 'web'})['id']
        self.pool = self._make(client, 'pool', POOLS, {
            'listener_id': self.listener, 'protocol': 'HTTP',
            'lb_algorithm': 'ROUND_ROBIN', 'name': 'web'})['id']
        self.members = '%s/%s/members' % (POOLS, self.pool)
        self.member = self._make(client, 'member', self.members, {
            'address': '192.0.2.10', 'protocol_port': 80,
            'name': 'm1'})['id']
        self.hm = self._make(client, 'healthmonitor', HMS, {
            'pool_id': self.pool, 'type': 'HTTP', 'delay': 5,
            'timeout': 3, 'max_retries': 3, 'name': 'hm'})['id']
        self.l7policy = self._make(client, 'l7policy', L7POLICIES, {
            'listener_id': self.listener, 'action': 'REJECT',
            'name': 'deny'})['id']
        self.rules = '%s/%s/rules' % (L7POLICIES, self.l7policy)
        self.rule = self._make(client, 'rule', self.rules, {
            'type': 'PATH', 'compare_type': 'STARTS_WITH',
            'value': '/admin'})['id']
        self.amphorae = [a['id'] for a in admin.get(
            '/v2/octavia/amphorae?loadbalancer_id=' + self.lb)
            .json['amphorae']]
        self.clusters = [cl['id'] for cl in admin.get(
            '/v2/octavia/clusters?loadbalancer_id=' + self.lb)
            .json['clusters']]

    def _make(self, client, key, collection, body):
        obj = helpers.post(client, collection, key, body)[key]
        path = '%s/%s' % (collection, obj['id'])
        self.paths[key] = (path, key)
        return helpers.wait_for(client, path, key)

    def updates(self):
        """(path, body) of a valid update of every object."""
        for key, (path, _) in self.paths.items():
            change = {'value': '/other'} if key == 'rule' else {
                'name': 'changed'}
            yield path, {key: change}

    def children(self):
        """(collection, body) creating a valid child under every parent,
        some of which the parent refuses anyway (a listener has one
        default pool, a pool one monitor, a member address is taken):
        who may not write there must get 403, not learn that."""
        yield LISTENERS, {'listener': {
            'loadbalancer_id': self.lb, 'protocol': 'HTTP',
            'protocol_port': 81}}
        yield POOLS, {'pool': {'loadbalancer_id': self.lb,
                               'protocol': 'HTTP',
                               'lb_algorithm': 'ROUND_ROBIN'}}
        yield POOLS, {'pool': {'listener_id': self.listener,
                               'protocol': 'HTTP',
                               'lb_algorithm': 'ROUND_ROBIN'}}
        yield self.members, {'member': {'address': '192.0.2.11',
                                        'protocol_port': 80}}
        yield self.members, {'member': {'address': '192.0.2.10',
                                        'protocol_port': 80}}
        yield HMS, {'healthmonitor': {'pool_id': self.pool, 'type': 'TCP',
                                      'delay': 5, 'timeout': 3,
                                      'max_retries': 3}}
        yield L7POLICIES, {'l7policy': {'listener_id': self.listener,
                                        'action': 'REJECT'}}
        yield self.rules, {'rule': {'type': 'PATH',
                                    'compare_type': 'EQUAL_TO',
                                    'value': '/x'}}

    def reads(self):
        """Every GET a reader of the project may do."""
        for path, _ in self.paths.values():
            yield path
        yield self.members
        yield self.rules
        yield '%s/%s/stats' % (LB, self.lb)
        yield '%s/%s/status' % (LB, self.lb)
        yield '%s/%s/stats' % (LISTENERS, self.listener)


def writes(tree):
    """Every write on the project's objects: (method, path, body)."""
    for path, body in tree.updates():
        yield 'PUT', path, body
    for path, body in tree.children():
        yield 'POST', path, body
    yield 'PUT', tree.members, {'members': []}
    yield 'PUT', '%s/%s/failover' % (LB, tree.lb), None
    for path, _ in reversed(list(tree.paths.values())):
        yield 'DELETE', path, None


def call(client, method, path, body=None, status=None):
    if method == 'GET':
        return client.get(path, status=status)
    if method == 'DELETE':
        return client.delete(path, status=status)
    if body is None:
        return client.request(path, method=method, status=status)
    return getattr(client, method.lower() + '_json')(path, body,
                                                     status=status)


def refused(client, requests):
    """The requests that did not get 403 (status and path)."""
    wrong = []
    for method, path, body in requests:
        resp = call(client, method, path, body, status='*')
        if resp.status_int != 403:
            wrong.append((resp.status_int, method, path))
    return wrong
