"""keepalived VRRP of an ACTIVE_STANDBY amphora pair.

The controller sends the whole VRRP setting (PUT /v1/vrrp): the VIP and
the MAC of the port it lives on, this amphora's priority, its own and its
peer's unicast addresses, the advertisement interval.  keepalived then
owns the VIP address (ARP on: the MASTER answers for it and sends
gratuitous ARPs when it takes over); HAProxy binds the VIP on both
amphorae through ip_nonlocal_bind (set when the VIP was plugged), so the
BACKUP serves the moment the address arrives.

The process supervision (restart, VIP removal when keepalived dies,
adoption after an agent restart) is the distributor agent's: the same
keepalived, the same dangers.  What differs is rendered here: a check
script that puts the instance in FAULT when a configured HAProxy is not
running (as upstream's amphora does), and the garp refresh.
"""
import ipaddress
import json
import logging
import os
import subprocess
import types

from distributor_agent import keepalived
from octavia_aa.amphorae.backends.agent import errors

LOG = logging.getLogger(__name__)

# Exit 1 when a load balancer with a configuration has no live HAProxy
# master: keepalived then goes to FAULT and the peer takes the VIP.
CHECK = '''#!/bin/sh
# Written by the amphora agent: is every configured HAProxy running?
for cfg in %s/*/haproxy.cfg; do
    [ -e "$cfg" ] || continue
    pid=$(head -n1 "${cfg%%/*}/haproxy.pid" 2>/dev/null) || exit 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || exit 1
done
exit 0
'''

_FIELDS = ('vip', 'prefixlen', 'mac_address', 'priority', 'unicast_src_ip',
           'unicast_peers', 'virtual_router_id', 'advert_int',
           'check_interval', 'check_fall', 'check_rise',
           'garp_refresh_interval')


def _ip(value, field):
    try:
        return str(ipaddress.ip_address(value))
    except (TypeError, ValueError):
        raise errors.BadRequest('%s: %r is not an IP address'
                                % (field, value))


def _number(body, field, kind, low, high):
    try:
        value = kind(body[field])
    except (KeyError, TypeError, ValueError):
        raise errors.BadRequest('%s: a number from %s to %s is required'
                                % (field, low, high))
    if not low <= value <= high:
        raise errors.BadRequest('%s: %s is not from %s to %s'
                                % (field, value, low, high))
    return value


def validate(body):
    """The request as keepalived will get it, or 400 naming the field."""
    unknown = set(body) - set(_FIELDS)
    if unknown:
        raise errors.BadRequest('unknown fields: %s'
                                % ', '.join(sorted(unknown)))
    peers = body.get('unicast_peers')
    if not isinstance(peers, list) or not peers:
        raise errors.BadRequest('unicast_peers: a non-empty list of '
                                'addresses is required')
    vip = _ip(body.get('vip'), 'vip')
    return {
        'vip': vip,
        'prefixlen': _number(body, 'prefixlen', int, 1,
                             128 if ':' in vip else 32),
        'mac_address': str(body.get('mac_address') or '').lower(),
        'priority': _number(body, 'priority', int, 1, 254),
        'unicast_src_ip': _ip(body.get('unicast_src_ip'), 'unicast_src_ip'),
        'unicast_peers': [_ip(p, 'unicast_peers') for p in peers],
        'virtual_router_id': _number(body, 'virtual_router_id', int, 1, 255),
        'advert_int': _number(body, 'advert_int', float, 0.01, 40),
        'check_interval': _number(body, 'check_interval', float, 0.1, 60),
        'check_fall': _number(body, 'check_fall', int, 1, 100),
        'check_rise': _number(body, 'check_rise', int, 1, 100),
        'garp_refresh_interval': _number(body, 'garp_refresh_interval',
                                         int, 0, 3600),
    }


class _Addresses:
    """The supervisor's data plane: only ever removes a VIP address (a
    dead keepalived must not leave the VIP answering here)."""

    @staticmethod
    def remove_vip(dev, vip):
        plen = 128 if ':' in vip else 32
        subprocess.run(['ip', 'addr', 'del', '%s/%d' % (vip, plen), 'dev',
                        dev], capture_output=True)


class AmphoraSupervisor(keepalived.Supervisor):
    instance_name = 'oaa_amphora'

    def __init__(self, opts, agent_id, lb_base, bindings=()):
        self.lb_base = lb_base
        super().__init__(opts, agent_id, _Addresses(), bindings)
        self.check_path = os.path.join(self.run_dir, 'check.sh')

    def global_extra(self):
        o = self.opts
        return ['vrrp_script oaa_check {',
                '    script "%s"' % self.check_path,
                '    interval %g' % o.check_interval,
                '    fall %d' % o.check_fall,
                '    rise %d' % o.check_rise,
                '}']

    def instance_extra(self):
        o = self.opts
        lines = ['    track_script {', '        oaa_check', '    }']
        if o.garp_refresh_interval:
            # Refresh the switches' and routers' caches while MASTER (a
            # missed takeover garp otherwise waits for their ARP timeout).
            lines += ['    garp_master_refresh %d' % o.garp_refresh_interval,
                      '    garp_master_refresh_repeat 2']
        return lines

    def _write_config(self):
        with open(self.check_path + '.tmp', 'w') as f:
            f.write(CHECK % self.lb_base)
        os.chmod(self.check_path + '.tmp', 0o755)
        os.replace(self.check_path + '.tmp', self.check_path)
        return super()._write_config()


class Vrrp:
    """The agent's VRRP state: one keepalived instance for the amphora's
    load balancer, its request kept on disk so a restarted agent adopts
    the running keepalived with the same configuration."""

    def __init__(self, agent):
        self.agent = agent
        self.opts = agent.opts
        self.dir = os.path.join(self.opts.state_dir, 'vrrp')
        self.request_path = os.path.join(self.dir, 'request.json')
        self.supervisor = None

    def _interface(self, mac):
        for name, link in self.agent.plug(
                {'action': 'interfaces'})['interfaces'].items():
            if (link.get('mac') or '').lower() == mac:
                return name
        raise errors.BadRequest('mac_address: no interface with MAC '
                                'address %s' % mac)

    def configure(self, body):
        req = validate(body)
        dev = self._interface(req['mac_address'])
        opts = types.SimpleNamespace(
            run_dir=self.dir, keepalived=self.opts.keepalived,
            supervise_interval=self.opts.vrrp_supervise_interval,
            interface=dev, **{k: v for k, v in req.items()
                              if k not in ('vip', 'prefixlen',
                                           'mac_address')})
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        tmp = self.request_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(req, f)
        os.replace(tmp, self.request_path)
        bindings = [(req['vip'], dev)]
        if self.supervisor is None:
            sup = AmphoraSupervisor(opts, self.opts.amphora_id,
                                    self.agent.registry.base, bindings)
            sup.on_state = self._on_state
            try:
                sup.start_keepalived()
            except OSError as exc:     # no keepalived in this image
                raise errors.ApiError('keepalived could not start: %s'
                                      % exc)
            self.supervisor = sup
            sup.start()
        else:
            # A new peer (the replacement of a failed amphora) or new
            # timers: keepalived reloads and keeps its VRRP state.
            self.supervisor.opts = opts
            self.supervisor.update(bindings)
        return self.details()

    def _on_state(self, state):
        LOG.info('VRRP state now %s', state)
        if self.agent.heartbeat:
            self.agent.heartbeat.trigger()

    def restore(self):
        try:
            with open(self.request_path) as f:
                body = json.load(f)
        except (OSError, ValueError):
            return
        try:
            self.configure(body)
        except errors.ApiError:
            LOG.exception('stored VRRP setting not applied')

    def details(self):
        if self.supervisor is None:
            return {'state': 'IDLE'}
        return self.supervisor.details()

    def delete(self):
        if self.supervisor is not None:
            self.supervisor.stop()
            self.supervisor = None
        try:
            os.unlink(self.request_path)
        except FileNotFoundError:
            pass
        return {'state': 'IDLE'}
