# Host parts of the devcloud: Debian packages, the services' venv, databases,
# the RabbitMQ vhost, Open vSwitch (userspace datapath) and libvirt.

# dnsmasq-utils: Neutron's DHCP agent releases a deleted port's lease with
# its dhcp_release; without it the lease outlives the port, and a new port
# given the same address (another MAC) gets no DHCP answer until it
# expires (seen: an amphora's management port, no lease, agent unreachable).
# conntrack: the openvswitch firewall driver clears entries with it.
DEBS="openvswitch-switch libvirt-daemon-system libvirt-clients qemu-system-x86
qemu-utils libvirt-dev pkg-config gcc genisoimage dnsmasq-base dnsmasq-utils
conntrack iproute2 curl busybox-static linux-image-amd64 cpio python3-venv
python3-dev syslinux syslinux-common mtools dosfstools"

# Pinned to the series checked together on Python 3.11 (pip check clean).
PIP_SERVICES="nova>=34,<35 neutron>=29,<30 glance>=33,<34
openstack-placement>=16,<17 keystone>=30,<31 uwsgi pymysql libvirt-python
python-openstackclient osc-placement"

install_debs() {
    local missing="" pkg
    for pkg in $DEBS; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
            || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    log "apt-get install$missing"
    # Another apt (e.g. tools/build-images.sh's) may hold the lock.
    local i
    for i in $(seq 60); do apt-get update -qq && break; sleep 5; done
    # policy-rc.d may refuse service starts (no systemd): we start by hand.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o DPkg::Lock::Timeout=600 --no-install-recommends $missing >/dev/null
}

install_venv() {
    local stamp
    stamp=$VENV/.devcloud-$(echo "$PIP_SERVICES" | sha256sum | cut -c1-12)
    [ -e "$stamp" ] && return 0
    log "installing the OpenStack services into $VENV (takes ~2 min)"
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q -U pip setuptools wheel
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install -q $PIP_SERVICES
    "$VENV/bin/pip" check
    touch "$stamp"
}

setup_dbs() {
    local db
    for db in $DBS; do
        $MYSQL -e "CREATE DATABASE IF NOT EXISTS ${DB_PREFIX}$db CHARACTER SET utf8mb4"
    done
}

drop_dbs() {
    local db
    for db in $DBS; do
        $MYSQL -e "DROP DATABASE IF EXISTS ${DB_PREFIX}$db" 2>/dev/null || true
    done
}

setup_rabbit() {
    rabbitmqctl -q list_vhosts | grep -qx "$RABBIT_VHOST" \
        || rabbitmqctl -q add_vhost "$RABBIT_VHOST"
    rabbitmqctl -q set_permissions -p "$RABBIT_VHOST" guest '.*' '.*' '.*'
}

drop_rabbit() {
    rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$RABBIT_VHOST" \
        && rabbitmqctl -q delete_vhost "$RABBIT_VHOST" || true
}

# --- Open vSwitch -----------------------------------------------------------
# No kernel modules here, so the datapath is OVS's userspace one (netdev).
# TCP through it fails unless userspace TSO is on *before* ovs-vswitchd starts
# (checksum offload of veth/tap), hence the order below.
OVS_RUNDIR=/var/run/openvswitch
OVS_SOCK=unix:$OVS_RUNDIR/db.sock

start_ovs() {
    mkdir -p "$OVS_RUNDIR" "$DATA/ovs"
    if ! pid_alive ovsdb-server; then
        if ovs-vsctl --timeout=2 show >/dev/null 2>&1; then
            die "an Open vSwitch not started by devcloud runs here; stop it or reuse is unsafe"
        fi
        [ -s "$DATA/ovs/conf.db" ] || ovsdb-tool create "$DATA/ovs/conf.db" \
            /usr/share/openvswitch/vswitch.ovsschema
        log "starting ovsdb-server"
        ovsdb-server "$DATA/ovs/conf.db" --remote="p$OVS_SOCK" \
            --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
            --pidfile="$RUN/ovsdb-server.pid" --detach \
            --log-file="$LOG/ovsdb-server.log"
        ovs-vsctl --no-wait init
    fi
    ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
    if ! pid_alive ovs-vswitchd; then
        log "starting ovs-vswitchd (userspace datapath)"
        ovs-vswitchd "$OVS_SOCK" --pidfile="$RUN/ovs-vswitchd.pid" --detach \
            --log-file="$LOG/ovs-vswitchd.log"
    fi
    local br
    for br in $BR_INT $BR_MGMT $BR_PUB $BR_TEN; do
        ovs-vsctl --may-exist add-br "$br" -- set Bridge "$br" datapath_type=netdev
        ip link set "$br" up
    done
}

stop_ovs() {
    local br owned=0
    [ -e "$RUN/ovsdb-server.pid" ] && owned=1
    if pid_alive ovsdb-server; then
        for br in $(ovs-vsctl --timeout=5 list-br 2>/dev/null); do
            ovs-vsctl --timeout=5 --if-exists del-br "$br" || true
        done
    fi
    stop_pid ovs-vswitchd ovsdb-server
    # The userspace datapath's tap devices can outlive a killed
    # ovs-vswitchd here; they are ours when this OVS was.
    if [ $owned = 1 ]; then
        for br in $BR_INT $BR_MGMT $BR_PUB $BR_TEN ovs-netdev; do
            ip link show "$br" >/dev/null 2>&1 && ip link del "$br"
        done
    fi
    rm -rf "$DATA/ovs"
    return 0
}

# --- libvirt ----------------------------------------------------------------

start_libvirt() {
    mkdir -p /var/run/libvirt
    # /dev/kvm may come with a group the QEMU user (libvirt-qemu, group kvm)
    # is not in. Then libvirt's QEMU probe sees KVM but its cache check does
    # not, so it re-probes QEMU (~60 s under TCG here) on every domain
    # define. Debian's udev would give the device to group kvm; do so.
    # (Nova still runs guests under TCG: virt_type = qemu.)
    if [ -c /dev/kvm ] && getent group kvm >/dev/null \
            && [ "$(stat -c %G /dev/kvm)" != kvm ]; then
        chgrp kvm /dev/kvm
    fi
    if ! pid_alive virtlogd; then
        if [ -S /var/run/libvirt/virtlogd-sock ] && pgrep -x virtlogd >/dev/null; then
            log "reusing a virtlogd not started by devcloud"
        else
            log "starting virtlogd"
            virtlogd -d -p "$RUN/virtlogd.pid"
        fi
    fi
    if ! pid_alive libvirtd; then
        if virsh -c qemu:///system version >/dev/null 2>&1; then
            log "reusing a libvirtd not started by devcloud"
        else
            # Debian's default NAT network would put 192.168.122.1 on a
            # virbr0; the cloud does not use it.
            rm -f /etc/libvirt/qemu/networks/autostart/default.xml
            log "starting libvirtd"
            libvirtd -d -p "$RUN/libvirtd.pid"
        fi
    fi
    local i
    for i in $(seq 1 40); do
        virsh -c qemu:///system version >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    die "libvirtd does not answer"
}

stop_libvirt() {
    stop_pid libvirtd virtlogd
}
