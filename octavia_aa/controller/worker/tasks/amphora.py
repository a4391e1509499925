"""Amphora tasks: rows, agent calls, and configuration pushes.

Pushes go to every ALLOCATED amphora of the load balancer: one being built
is not ALLOCATED until it is finished, one being replaced or removed is
PENDING_DELETE, so neither gets half a configuration.
"""
import logging
import time

from octavia_aa import topology
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker import lb_config
from octavia_aa.controller.worker import limits
from octavia_aa.controller.worker.tasks import base
from octavia_aa.controller.worker.tasks import network
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import amphora as amphora_q

CONF = config.CONF
LOG = logging.getLogger(__name__)
VRRP_PRIORITY = {c.ROLE_MASTER: 200, c.ROLE_BACKUP: 100}


class CreateAmphoraInDB(base.Task):

    def __init__(self, role, **kwargs):
        self.role = role
        super().__init__(**kwargs)

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            amp = models.Amphora(load_balancer_id=load_balancer_id,
                                 role=self.role, status=c.PENDING_CREATE,
                                 cached_zone=lb.availability_zone)
            session.add(amp)
            session.flush()
            return amp.id

    def revert(self, result, *args, **kwargs):
        if not isinstance(result, str):
            return
        with db_api.session_scope() as session:
            amphora_q.delete_rows(session, result)


class FinalizeAmphora(base.Task):
    """Agent up and configured: the amphora is ALLOCATED to its LB."""

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
        driver = drivers.get('amphora')
        driver.wait_for_agent(amp)
        driver.finalize(amp)
        with db_api.session_scope() as session:
            session.get(models.Amphora, amphora_id).status = c.ALLOCATED


class DrainConnections(base.Task):
    """Amphorae about to leave the cluster, to which the distributor
    already sends no new flow: their HTTP keep-alive connections close
    after the next response (clients come back on the amphorae that
    stay), and their connections get [controller_worker] drain_timeout
    seconds to end.  An amphora that cannot be asked is not waited for."""

    POLL = 0.25

    def execute(self, load_balancer_id, amphora_ids):
        driver = drivers.get('amphora')
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            listeners = {lst.id for lst in lb.listeners}
            amps = [session.get(models.Amphora, i) for i in amphora_ids]
        waiting = []
        for amp in amps:
            if amp is None:
                continue
            try:
                driver.drain(amp)
                waiting.append(amp)
            except Exception as exc:
                LOG.warning('Amphora %s cannot be drained (%s): removing '
                            'it at once', amp.id, exc)
        deadline = time.monotonic() + CONF.controller_worker.drain_timeout
        while waiting:
            waiting = [a for a in waiting if self._busy(driver, a, listeners)]
            if not waiting or time.monotonic() >= deadline:
                break
            time.sleep(self.POLL)
        if waiting:
            LOG.info('Load balancer %s: connections left on %s after %ss '
                     'are cut', load_balancer_id,
                     ', '.join(a.id for a in waiting),
                     CONF.controller_worker.drain_timeout)

    @staticmethod
    def _busy(driver, amp, listeners):
        try:
            stats = driver.get_stats(amp)
        except Exception:
            return False        # gone: nothing left to wait for
        return any(s.get('active_connections') for lid, s in stats.items()
                   if lid in listeners)


class DeleteAmphoraRows(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amphora_q.delete_rows(session, amphora_id)


class MarkAmphoraPendingDelete(base.Task):
    """Out of every later push; busy so the health manager leaves it be."""

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            amp.status = c.PENDING_DELETE
            health = session.get(models.AmphoraHealth, amphora_id)
            if health is not None:
                health.busy = True


class AmphoraePlugVip(base.Task):

    def __init__(self, arp, vrrp=False, **kwargs):
        self.arp = arp
        # VRRP: keepalived adds the VIP address, the plug leaves it out.
        self.vrrp = vrrp
        super().__init__(**kwargs)

    def execute(self, load_balancer_id):
        self._plug(load_balancer_id, None)

    def _plug(self, load_balancer_id, only):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            _, vip = network.vip_of(lb)
            amps = [a for a in amphora_q.allocated(session, load_balancer_id)
                    if only is None or a.id == only]
        driver = drivers.get('amphora')
        base.each(lambda amp: driver.plug_vip(
            amp, dict(vip, mac=amp.frontend_mac,
                      **({'vrrp': True} if self.vrrp else {})),
            self.arp), amps)


class NewAmphoraPlugVip(AmphoraePlugVip):
    """The VIP on one amphora (a replacement joining: the others hold it
    already, and plugging it again on each cost a call per amphora)."""

    def execute(self, load_balancer_id, amphora_id):
        self._plug(load_balancer_id, amphora_id)


class AmphoraeUpdateConfig(base.Task):
    """Push the whole configuration; first plug every amphora into the
    member subnets the configuration needs (a new member's subnet, or a
    new amphora)."""

    def execute(self, load_balancer_id):
        self._push(load_balancer_id, None)

    def _push(self, load_balancer_id, only):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            config = lb_config.build(lb)
            amps = amphora_q.allocated(session, load_balancer_id)
            member_subnets = network.member_subnets(lb)
            strategy = topology.get(lb.topology)
        # The listener ports open before the amphorae serve them.
        drivers.get('network').update_load_balancer(load_balancer_id)
        driver = drivers.get('amphora')

        def push(amp):
            network.plug_member_networks([amp], member_subnets)
            peers = [(p.id, p.lb_network_ip)
                     for p in strategy.peer_group(amp, amps)]
            driver.update_config(
                amp, limits.for_amphora(config, amp, amps, strategy),
                peers=peers)
        base.each(push, [a for a in amps if only is None or a.id == only])


class NewAmphoraUpdateConfig(AmphoraeUpdateConfig):
    """The configuration on one amphora only (a replacement, so that its
    HAProxy answers the distributor's probes before it is registered;
    the others get theirs, with the new peers, once it is in)."""

    def execute(self, load_balancer_id, amphora_id):
        self._push(load_balancer_id, amphora_id)


class VrrpRolesAfterReplace(base.Task):
    """A replacement joins a VRRP pair as BACKUP; the amphora that stayed
    (which holds the VIP, or takes it when the old one goes) is MASTER.
    With no amphora left the replacement is MASTER."""

    def execute(self, load_balancer_id, new_amphora_id):
        with db_api.session_scope() as session:
            amps = amphora_q.allocated(session, load_balancer_id)
            stayed = [a for a in amps if a.id != new_amphora_id]
            for amp in amps:
                amp.role = (c.ROLE_BACKUP if stayed and amp.id ==
                            new_amphora_id else c.ROLE_MASTER)


class AmphoraeConfigureVrrp(base.Task):
    """keepalived on every amphora of the pair.  Order matters with
    nopreempt (whoever is MASTER stays so): the amphora that may already
    hold the VIP goes first, so it sends adverts to its new peer before
    that one starts and would take the VIP over from silence; on a new
    pair, the MASTER role first, so it is the one elected."""

    def execute(self, load_balancer_id, new_amphora_id=None):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            _, vip = network.vip_of(lb)
            amps = amphora_q.allocated(session, load_balancer_id)
        driver = drivers.get('amphora')
        for amp in sorted(amps, key=lambda a: (
                a.id == new_amphora_id, -VRRP_PRIORITY.get(a.role, 100))):
            peers = [o.vrrp_ip for o in amps if o.id != amp.id]
            driver.configure_vrrp(amp, peers,
                                  VRRP_PRIORITY.get(amp.role, 100),
                                  vip=dict(vip, mac=amp.frontend_mac))


class AmphoraReleaseVrrp(base.Task):
    """Stop keepalived on a working amphora about to go (best effort: a
    broken one cannot answer, and its peer takes over anyway)."""

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
        if amp is None:
            return
        try:
            drivers.get('amphora').release_vrrp(amp)
        except Exception as exc:
            LOG.warning('VRRP of amphora %s not released: %s',
                        amphora_id, exc)


class UpdateAgentConfig(base.Task):

    def execute(self, amphora_id):
        hm = config.CONF.health_manager
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
        drivers.get('amphora').update_agent_config(amp, {
            'controller_ip_port_list': list(hm.controller_ip_port_list),
            'heartbeat_interval': hm.heartbeat_interval})
