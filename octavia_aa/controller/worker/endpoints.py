"""The RPC endpoint: one method per cast of RPC_CONTRACT.md.

Casts are fire-and-forget, so nothing raised here reaches the API; the
outcome is in the rows (statuses and `fault`).  Methods run in the RPC
server's thread pool, one flow per cast.
"""
import logging

import oslo_messaging as messaging

from octavia_aa.common import constants as c

LOG = logging.getLogger(__name__)


class Endpoints:
    target = messaging.Target(namespace=c.RPC_NAMESPACE,
                              version=c.RPC_VERSION)

    def __init__(self, worker, cluster_manager=None):
        self.worker = worker
        self.cluster_manager = cluster_manager

    # load balancers
    def create_load_balancer(self, context, load_balancer_id):
        self.worker.create_load_balancer(load_balancer_id)

    def update_load_balancer(self, context, load_balancer_id, updates=None):
        self.worker.update_load_balancer(load_balancer_id, updates)

    def delete_load_balancer(self, context, load_balancer_id, cascade=False):
        self.worker.delete_load_balancer(load_balancer_id, cascade)

    def failover_load_balancer(self, context, load_balancer_id):
        self.worker.failover_load_balancer(load_balancer_id)

    # listeners
    def create_listener(self, context, listener_id):
        self.worker.create_object('listener', listener_id)

    def update_listener(self, context, listener_id, updates=None):
        self.worker.update_object('listener', listener_id, updates)

    def delete_listener(self, context, listener_id):
        self.worker.delete_object('listener', listener_id)

    # pools
    def create_pool(self, context, pool_id):
        self.worker.create_object('pool', pool_id)

    def update_pool(self, context, pool_id, updates=None):
        self.worker.update_object('pool', pool_id, updates)

    def delete_pool(self, context, pool_id):
        self.worker.delete_object('pool', pool_id)

    # members
    def create_member(self, context, member_id):
        self.worker.create_object('member', member_id)

    def update_member(self, context, member_id, updates=None):
        self.worker.update_object('member', member_id, updates)

    def delete_member(self, context, member_id):
        self.worker.delete_object('member', member_id)

    def batch_update_members(self, context, pool_id, new_member_ids=(),
                             updated_member_ids=(), deleted_member_ids=()):
        self.worker.batch_update_members(pool_id, new_member_ids,
                                         updated_member_ids,
                                         deleted_member_ids)

    # health monitors
    def create_health_monitor(self, context, health_monitor_id):
        self.worker.create_object('health_monitor', health_monitor_id)

    def update_health_monitor(self, context, health_monitor_id,
                              updates=None):
        self.worker.update_object('health_monitor', health_monitor_id,
                                  updates)

    def delete_health_monitor(self, context, health_monitor_id):
        self.worker.delete_object('health_monitor', health_monitor_id)

    # L7 policies and rules
    def create_l7policy(self, context, l7policy_id):
        self.worker.create_object('l7policy', l7policy_id)

    def update_l7policy(self, context, l7policy_id, updates=None):
        self.worker.update_object('l7policy', l7policy_id, updates)

    def delete_l7policy(self, context, l7policy_id):
        self.worker.delete_object('l7policy', l7policy_id)

    def create_l7rule(self, context, l7rule_id):
        self.worker.create_object('l7rule', l7rule_id)

    def update_l7rule(self, context, l7rule_id, updates=None):
        self.worker.update_object('l7rule', l7rule_id, updates)

    def delete_l7rule(self, context, l7rule_id):
        self.worker.delete_object('l7rule', l7rule_id)

    # amphorae, clusters, distributors
    def failover_amphora(self, context, amphora_id):
        self.worker.failover_amphora(amphora_id)

    def delete_amphora(self, context, amphora_id):
        self.worker.delete_amphora(amphora_id)

    def update_amphora_agent_config(self, context, amphora_id):
        self.worker.update_amphora_agent_config(amphora_id)

    def resize_cluster(self, context, cluster_id):
        self.worker.resize_cluster(cluster_id)

    def create_distributor(self, context, distributor_id):
        self.worker.create_distributor(distributor_id)

    def delete_distributor(self, context, distributor_id):
        self.worker.delete_distributor(distributor_id)

    def failover_distributor(self, context, distributor_id):
        self.worker.failover_distributor(distributor_id)

    def distributor_takeover(self, context, distributor_id, reporter_id):
        self.worker.distributor_takeover(distributor_id, reporter_id)

    # events for the cluster manager
    def reconcile_load_balancer(self, context, load_balancer_id):
        """Wake the cluster manager for one load balancer now (a stale
        amphora, a distributor's report): one reconcile pass here."""
        if self.cluster_manager is None:
            LOG.warning('No cluster manager in this worker: event on load '
                        'balancer %s left to the next periodic pass',
                        load_balancer_id)
            return
        outcome = self.cluster_manager.reconcile(load_balancer_id)
        LOG.info('Reconciled load balancer %s on an event: %s',
                 load_balancer_id, outcome)
