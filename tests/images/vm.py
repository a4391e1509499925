"""VMs booted from the octavia-aa image by QEMU (TCG, never KVM: KVM
guests hang on this kind of host), without Nova: a bridge on this host
in a small subnet of 192.0.2.0/24, a tap per VM, a config drive made by
octavia_aa.compute.config_drive.  Everything is removed by PID and name
even when a test fails."""
import ctypes
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import time

from pyroute2 import IPRoute

from octavia_aa.common import procs

IMAGE = os.environ.get('OCTAVIA_AA_IMAGE',
                       '/work/images/octavia-aa-agent.qcow2')
# Below 192.0.2.192/26, which the netns mode uses.
CANDIDATES = [ipaddress.ip_network('192.0.2.%d/28' % n)
              for n in range(64, 192, 16)]


def _routes_and_addresses():
    with IPRoute() as ipr:
        nets = []
        for route in ipr.get_routes(family=socket.AF_INET):
            dst = route.get_attr('RTA_DST')
            if dst and route['dst_len'] > 24:     # the host's /24 and default
                nets.append(ipaddress.ip_network('%s/%d' % (
                    dst, route['dst_len']), strict=False))
        for addr in ipr.get_addr(family=socket.AF_INET):
            nets.append(ipaddress.ip_network('%s/32' % addr.get_attr(
                'IFA_ADDRESS')))
    return nets


def free_subnet():
    """The first candidate /28 no route or address of this host uses."""
    taken = _routes_and_addresses()
    for net in CANDIDATES:
        if not any(net.overlaps(t) for t in taken):
            return net
    raise RuntimeError('no free /28 among %s' % CANDIDATES)


class Network:
    """A bridge with the gateway address (the "controller" side) and the
    taps of the VMs."""

    def __init__(self):
        tag = secrets.token_hex(3)
        self.subnet = free_subnet()
        hosts = list(self.subnet.hosts())
        self.gateway = str(hosts[0])
        self._free = [str(h) for h in hosts[1:]]
        self.bridge = 'oaaib%s' % tag
        self._tag = tag
        self.taps = []
        with IPRoute() as ipr:
            ipr.link('add', ifname=self.bridge, kind='bridge')
            idx = ipr.link_lookup(ifname=self.bridge)[0]
            ipr.addr('add', index=idx, address=self.gateway,
                     prefixlen=self.subnet.prefixlen)
            ipr.link('set', index=idx, state='up')

    def address(self):
        """A free address of the subnet (a VIP)."""
        return self._free.pop(0)

    def tap(self):
        """(tap name, VM address, MAC) of a new tap on the bridge."""
        n = len(self.taps)
        name = 'oaait%s%d' % (self._tag, n)
        self.taps.append(name)
        with IPRoute() as ipr:
            ipr.link('add', ifname=name, kind='tuntap', mode='tap')
            idx = ipr.link_lookup(ifname=name)[0]
            master = ipr.link_lookup(ifname=self.bridge)[0]
            ipr.link('set', index=idx, master=master, state='up')
        mac = '52:54:00:%02x:%02x:%02x' % (
            int(self._tag[:2], 16), int(self._tag[2:4], 16), n)
        return name, self._free.pop(0), mac

    def network_data(self, ip, mac):
        """Nova's network_data.json for a static address on this bridge."""
        return {
            'links': [{'id': 'mgmt0', 'type': 'phy',
                       'ethernet_mac_address': mac, 'mtu': 1500}],
            'networks': [{'id': 'mgmt', 'link': 'mgmt0', 'type': 'ipv4',
                          'ip_address': ip,
                          'netmask': str(self.subnet.netmask),
                          'routes': []}],
            'services': []}

    def remove(self):
        with IPRoute() as ipr:
            for name in self.taps + [self.bridge]:
                for idx in ipr.link_lookup(ifname=name):
                    ipr.link('del', index=idx)


def _die_with_parent():
    # QEMU runs in its own session; if pytest itself is killed (no
    # finalizer runs), the kernel still ends the VM.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PDEATHSIG


class Vm:
    """One QEMU process; ``kill()`` ends it by its PID."""

    def __init__(self, workdir, name, image, config_drive, tap, mac,
                 memory=512):
        self.workdir = workdir
        self.console = os.path.join(workdir, '%s-console.log' % name)
        overlay = os.path.join(workdir, '%s.qcow2' % name)
        # The image stays untouched: the VM writes to an overlay.
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b',
                        os.path.abspath(image), '-F', 'qcow2', overlay],
                       check=True)
        # QEMU's default CPU model, as Nova gives with cpu_mode = none.
        cmd = ['qemu-system-x86_64', '-machine', 'pc', '-accel',
               'tcg,tb-size=128', '-smp', '1',
               '-m', str(memory), '-display', 'none', '-monitor', 'none',
               '-serial', 'file:%s' % self.console, '-no-reboot',
               '-drive', 'file=%s,if=virtio,format=qcow2' % overlay,
               '-drive', 'file=%s,media=cdrom,if=ide,format=raw,'
                         'readonly=on' % config_drive,
               '-netdev', 'tap,id=mgmt,ifname=%s,script=no,downscript=no'
                          % tap,
               '-device', 'virtio-net-pci,netdev=mgmt,mac=%s' % mac,
               '-device', 'virtio-rng-pci']
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(workdir, '%s-qemu.err' % name), 'wb'),
            start_new_session=True, preexec_fn=_die_with_parent)

    def alive(self):
        return self.proc.poll() is None

    def rss_mib(self):
        """QEMU's resident memory (guest RAM touched + TCG code cache)."""
        try:
            with open('/proc/%d/status' % self.proc.pid) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1]) >> 10
        except OSError:
            return None

    def console_text(self):
        try:
            with open(self.console, 'rb') as f:
                return f.read().decode(errors='replace')
        except FileNotFoundError:
            return ''

    def kill(self):
        if self.proc.poll() is None:
            procs.signal(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
