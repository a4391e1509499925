"""Compute tasks: the machine under an amphora or a distributor, built
through octavia_aa.controller.worker.machines (ports, boot files, spec),
and the server group that keeps a cluster's amphorae apart."""
from octavia_aa.common import availability_zones
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import flavors
from octavia_aa.controller.worker import machines
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import availability_zone as az_q

CONF = config.CONF


class CreateServerGroup(base.Task):
    """Anti-affinity for the load balancer's amphorae (the topology asks
    for it when it has several)."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb.server_group_id:
                return lb.server_group_id       # a resumed flow
        group_id = machines.create_server_group(load_balancer_id)
        with db_api.session_scope() as session:
            session.get(models.LoadBalancer,
                        load_balancer_id).server_group_id = group_id
        return group_id

    def revert(self, load_balancer_id, result, *args, **kwargs):
        if isinstance(result, str):
            machines.delete_server_group(result)
            with db_api.session_scope() as session:
                lb = session.get(models.LoadBalancer, load_balancer_id)
                if lb is not None:
                    lb.server_group_id = None


class DeleteServerGroup(base.Task):

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            group_id = lb.server_group_id if lb else None
        machines.delete_server_group(group_id)


class ComputeBuild(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope(readonly=True) as session:
            lb = session.get(models.Amphora, amphora_id).load_balancer
            zone = lb.availability_zone
            zone_data = (az_q.zone_data(session, zone)
                         if zone else None)
            server_group_id = lb.server_group_id
            machine = flavors.machine(flavors.of_flavor(
                session.get(models.Flavor, lb.flavor_id)
                if lb.flavor_id else None))
        built = machines.build_machine(
            machines.AMPHORA, amphora_id, availability_zone=zone_data or None,
            server_group_id=server_group_id,
            compute_flavor=machine.compute_flavor,
            image_tag=machine.image_tag)
        compute_id = built.compute_id
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            amp.compute_id = compute_id
            amp.cert_expiration = built.cert_expiration
            amp.status = c.BOOTING
            amp.compute_flavor = machine.compute_flavor
            if zone_data and zone_data.get(availability_zones.COMPUTE_ZONE):
                # As upstream, the compute zone the machine is in.
                amp.cached_zone = zone_data[availability_zones.COMPUTE_ZONE]
        return compute_id

    def revert(self, amphora_id, result, *args, **kwargs):
        if isinstance(result, str):
            machines.delete(amphora_id, result)


class ComputeWait(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            compute_id = session.get(models.Amphora, amphora_id).compute_id
        info = drivers.get('compute').wait_active(compute_id)
        with db_api.session_scope() as session:
            session.get(models.Amphora, amphora_id).lb_network_ip = (
                info['lb_network_ip'])


class ComputeDelete(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            compute_id = amp.compute_id if amp else None
        machines.delete(amphora_id, compute_id)


VRRP_PRIORITY = {c.ROLE_MASTER: 150, c.ROLE_BACKUP: 100}


def vrrp_settings(dist):
    """keepalived settings of a distributor in a VRRP pair, or None.  The
    router id comes from the BACKUP's id, which both members know (the
    MASTER names it as its peer)."""
    if dist.role not in VRRP_PRIORITY:
        return None
    backup_id = dist.id if dist.role == c.ROLE_BACKUP else dist.peer_id
    if backup_id is None:
        return None
    return {'priority': VRRP_PRIORITY[dist.role],
            'virtual_router_id': int(backup_id.replace('-', ''), 16)
            % 254 + 1}


class DistributorComputeBuild(base.Task):
    """Boot the distributor's machine and wait for it: ACTIVE after."""

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            vrrp = vrrp_settings(session.get(models.Distributor,
                                             distributor_id))
        cw = CONF.controller_worker
        built = machines.build_machine(
            machines.DISTRIBUTOR, distributor_id, vrrp=vrrp,
            compute_flavor=cw.distributor_flavor_id,
            image_tag=cw.distributor_image_tag)
        compute_id = built.compute_id
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            dist.compute_id = compute_id
            dist.cert_expiration = built.cert_expiration
            dist.status = c.BOOTING
            health = session.get(models.DistributorHealth, distributor_id)
            if health is not None:
                # A new machine: its agent's heartbeats are ordered anew
                # (its clock may be behind the old machine's).
                health.last_boot = health.last_seq = None
        info = drivers.get('compute').wait_active(compute_id)
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            dist.lb_network_ip = info['lb_network_ip']
            dist.status = c.ACTIVE
            dist.fault = None
        return compute_id

    def revert(self, distributor_id, *args, **kwargs):
        _delete_distributor_machine(distributor_id)


def _delete_distributor_machine(distributor_id):
    """The machine and its VIP-subnet ports (idempotent)."""
    with db_api.session_scope() as session:
        dist = session.get(models.Distributor, distributor_id)
        if dist is None:
            return
        compute_id = dist.compute_id
        session.expunge(dist)
    drivers.get('network').unplug_distributor(dist)
    machines.delete(distributor_id, compute_id)


class DistributorComputeDelete(base.Task):

    def execute(self, distributor_id):
        _delete_distributor_machine(distributor_id)
