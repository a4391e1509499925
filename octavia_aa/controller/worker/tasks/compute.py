"""Compute tasks: the machine under an amphora."""
from octavia_aa.common import availability_zones
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import amphora as amphora_q
from octavia_aa.db.queries import availability_zone as az_q


class ComputeBuild(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope(readonly=True) as session:
            zone = amphora_q.zone_of(session, amphora_id)
            zone_data = (az_q.zone_data(session, zone)
                         if zone else None)
        compute_id = drivers.get('compute').build(
            'amphora-' + amphora_id, 'amphora', amphora_id,
            availability_zone=zone_data or None)
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            amp.compute_id = compute_id
            amp.status = c.BOOTING
            if zone_data and zone_data.get(availability_zones.COMPUTE_ZONE):
                # As upstream, the compute zone the machine is in.
                amp.cached_zone = zone_data[availability_zones.COMPUTE_ZONE]
        return compute_id

    def revert(self, amphora_id, result, *args, **kwargs):
        if isinstance(result, str):
            drivers.get('compute').delete(result)


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
        if compute_id:
            drivers.get('compute').delete(compute_id)


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
        driver = drivers.get('compute')
        compute_id = driver.build('distributor-' + distributor_id,
                                  'distributor', distributor_id, vrrp=vrrp)
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            dist.compute_id = compute_id
            dist.status = c.BOOTING
            health = session.get(models.DistributorHealth, distributor_id)
            if health is not None:
                # A new machine: its agent's heartbeats are ordered anew
                # (its clock may be behind the old machine's).
                health.last_boot = health.last_seq = None
        info = driver.wait_active(compute_id)
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
    if compute_id:
        drivers.get('compute').delete(compute_id)


class DistributorComputeDelete(base.Task):

    def execute(self, distributor_id):
        _delete_distributor_machine(distributor_id)
