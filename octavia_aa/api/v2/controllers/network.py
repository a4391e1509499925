"""/v2.0/subnets and /v2.0/networks: the operator's declared subnets in
Neutron's JSON shape, read-only, so the CLI can resolve
`--vip-subnet-id NAME` against this same endpoint."""
import pecan

from octavia_aa.api.v2.controllers import base
from octavia_aa.common import exceptions
from octavia_aa.network import subnets


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

    @pecan.expose('json')
    def index(self, *args, **kwargs):
        base.allow('GET')
        ctx = base.context()
        params = pecan.request.GET
        return {self.plural: [i for i in self.items(ctx.project_id)
                              if _matches(i, params)]}

    @pecan.expose('json')
    def _default(self, obj_id, *remainder):
        base.allow('GET')
        ctx = base.context()
        for item in self.items(ctx.project_id):
            if item['id'] == obj_id:
                return {self.singular: item}
        raise exceptions.NotFound(self.display, obj_id)


class SubnetsController(_Collection):
    singular, plural, display = 'subnet', 'subnets', 'Subnet'

    def items(self, project_id):
        return [s.to_neutron(project_id) for s in subnets.all_subnets()]


class NetworksController(_Collection):
    singular, plural, display = 'network', 'networks', 'Network'

    def items(self, project_id):
        return [dict(n, project_id=project_id, tenant_id=project_id)
                for n in subnets.networks()]
