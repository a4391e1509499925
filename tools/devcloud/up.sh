#!/bin/bash
# Bring the one-host OpenStack (devcloud) up: Keystone, Glance, Placement,
# Nova (libvirt/QEMU TCG), Neutron (ML2/OVS, userspace datapath) on this
# machine's MariaDB and RabbitMQ. Idempotent: running it on a cloud that is
# (partly) up starts only what is missing. See tools/devcloud/README.md.
#   tools/devcloud/up.sh            everything
#   DEVCLOUD_SKIP_INSTALL=1 ...     do not apt/pip install (already done)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
. "$HERE/lib/infra.sh"
. "$HERE/lib/base.sh"
. "$HERE/lib/nova.sh"
. "$HERE/lib/neutron.sh"
. "$HERE/lib/resources.sh"

[ "$(id -u)" -eq 0 ] || die "run as root (it starts OVS, libvirt, namespaces)"
t0=$(date +%s)
mkdir -p "$ETC" "$RUN" "$LOG" "$DATA" "$STATE"
chmod 755 "$DEVCLOUD_HOME" "$DATA"
# One up/down at a time. flock -o: the daemons started below must not
# inherit the lock.
[ -n "${DEVCLOUD_LOCKED:-}" ] || \
    exec env DEVCLOUD_LOCKED=1 flock -o "$RUN/lock" "$0" "$@"

# Fast path: everything this script starts still runs, and the last run
# finished (up.done): nothing to do.
ALL="ovsdb-server ovs-vswitchd keystone glance placement neutron-api
neutron-rpc neutron-periodic neutron-ovs-agent neutron-dhcp-agent nova-api
nova-conductor nova-scheduler nova-compute"
if [ -e "$RUN/up.done" ] && [ -s "$STATE/env" ]; then
    all_alive=1
    for name in $ALL; do pid_alive "$name" || { all_alive=0; break; }; done
    if [ $all_alive = 1 ] && virsh -c qemu:///system version >/dev/null 2>&1; then
        log "devcloud already up; source $STATE/env"
        exit 0
    fi
fi
rm -f "$RUN/up.done"
check_mgmt_cidr
if [ -z "${DEVCLOUD_SKIP_INSTALL:-}" ]; then
    install_debs
    install_venv
fi
load_ports
write_state
write_sudo_shim
setup_dbs
setup_rabbit
start_ovs
start_libvirt

keystone_up
REGION=$REGION SERVICE_PASSWORD=$SERVICE_PASSWORD \
    OCTAVIA_PASSWORD=$OCTAVIA_PASSWORD OCTAVIA_URL=$OCTAVIA_URL \
    GLANCE_URL=$GLANCE_URL PLACEMENT_URL=$PLACEMENT_URL NOVA_URL=$NOVA_URL \
    NEUTRON_URL=$NEUTRON_URL OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml \
    "$VENV/bin/python" "$HERE/lib/identity.py"
glance_up
placement_up
neutron_up
nova_up
resources_up
touch "$RUN/up.done"
log "devcloud up in $(( $(date +%s) - t0 )) s; source $STATE/env"
