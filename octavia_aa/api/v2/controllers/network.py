"""/v2.0/subnets and /v2.0/networks: the subnets the network driver
knows (the netns and noop drivers': the operator's declared ones) in
Neutron's JSON shape, read-only, so the CLI can resolve
`--vip-subnet-id NAME` against this same endpoint."""
import pecan

from octavia_aa.api.v2.controllers import base
from octavia_aa.common import drivers
from octavia_aa.common import exceptions


def _matches(item, params):
    for key in params.keys():
        if key in ('fields', 'limit', 'marker', 'sort_key', 'sort_dir'):
            continue
        wanted = params.getall(key)
        if str(item.get(key)) not in wanted and not (
                isinstance(item.get(key), bool) and
                str(item[key]).lower() in [w.lower() for w in wanted]):
            return False
    return True


class _Collection:
    singular = plural = display = None

    def items(self, project_id):
        raise NotImplementedError

    def by_id(self, obj_id, project_id):
        """One the list does not show but the driver knows (the noop
        driver knows every id)."""
        return None

    @pecan.expose('json')
    def index(self, *args, **kwargs):
        base.read_only(self.plural)
        ctx = base.context()
        params = pecan.request.GET
        items = self.items(ctx.project_id)
        known = {i['id'] for i in items}
        for obj_id in params.getall('id'):
            extra = obj_id not in known and self.by_id(obj_id,
                                                       ctx.project_id)
            if extra:
                items.append(extra)
        return {self.plural: [i for i in items if _matches(i, params)]}

    @pecan.expose('json')
    def _default(self, obj_id, *remainder):
        base.read_only(self.plural)
        ctx = base.context()
        for item in self.items(ctx.project_id):
            if item['id'] == obj_id:
                return {self.singular: item}
        item = self.by_id(obj_id, ctx.project_id)
        if item:
            return {self.singular: item}
        raise exceptions.NotFound(self.display, obj_id)


def _network():
    return drivers.get('network')


def _with_project(item, project_id):
    return dict(item, project_id=project_id, tenant_id=project_id)


class SubnetsController(_Collection):
    singular, plural, display = 'subnet', 'subnets', 'Subnet'

    def items(self, project_id):
        return [s.to_neutron(project_id) for s in _network().list_subnets()]

    def by_id(self, obj_id, project_id):
        subnet = _network().get_subnet(obj_id)
        return subnet.to_neutron(project_id) if subnet else None


class NetworksController(_Collection):
    singular, plural, display = 'network', 'networks', 'Network'

    def items(self, project_id):
        return [_with_project(n, project_id)
                for n in _network().list_networks()]

    def by_id(self, obj_id, project_id):
        net = _network().get_network(obj_id)
        return _with_project(net, project_id) if net else None
