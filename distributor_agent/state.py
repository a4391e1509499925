"""Registrations of the agent and their state file.

The file holds everything needed to rebuild identical kernel tables after
a restart: VIPs, amphorae with positions and roles, and which amphorae
were failed or drained (a failed amphora stays failed until the controller
activates it, also across restarts).
"""
import dataclasses
import json
import os

from octavia_aa.common import wire

ROLES = wire.SLOT_ROLES


@dataclasses.dataclass
class Amphora:
    id: str
    mac: str
    ip: str
    role: str = wire.SLOT_ACTIVE
    position: int = 0
    failed: bool = False
    draining: bool = False
    failed_at: float = None     # wall clock, when the prober failed it

    @property
    def state(self):
        if self.failed:
            return wire.AMPHORA_FAILED
        return wire.AMPHORA_DRAINING if self.draining else wire.AMPHORA_UP

    def view(self):
        d = dataclasses.asdict(self)
        d['state'] = self.state
        return d


@dataclasses.dataclass
class LoadBalancer:
    id: str
    vip_address: str
    interface: str
    affinity: str = 'SOURCE_IP'
    probe_port: int = 80
    subnet_cidr: str = None
    gateway: str = None
    amphorae: dict = dataclasses.field(default_factory=dict)
    # MAC -> when it stopped being registered: pinned flows must not use
    # it any more (see Dataplane.purge_pins); dropped after flow_timeout.
    retired: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        d = dataclasses.asdict(self)
        d['amphorae'] = {k: dataclasses.asdict(v)
                         for k, v in self.amphorae.items()}
        return d

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        amps = {k: Amphora(**v) for k, v in d.pop('amphorae', {}).items()}
        return cls(amphorae=amps, **d)

    def by_position(self):
        return sorted(self.amphorae.values(), key=lambda a: a.position)


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    return {k: LoadBalancer.from_dict(v)
            for k, v in data.get('load_balancers', {}).items()}


def encode(lb):
    """One load balancer as it is written to the file (JSON text)."""
    return json.dumps(lb.to_dict(), sort_keys=True)


def decode(text):
    return LoadBalancer.from_dict(json.loads(text))


def save(path, lbs):
    """Write ``lbs`` ({id: encode(lb)}) atomically (temp file, fsync,
    rename): a crash mid-write leaves the previous complete state, never
    a truncated one.  Load balancers are encoded once per change of
    theirs, so a save costs the same whatever the others do."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + '.tmp'
    body = ',\n'.join('%s: %s' % (json.dumps(k), v)
                      for k, v in sorted(lbs.items()))
    with open(tmp, 'w') as f:
        # One load balancer per line: still readable, and valid JSON.
        f.write('{"version": 1, "load_balancers": {\n%s}}\n' % body)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
