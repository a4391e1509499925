#!/bin/bash
# Bring the devcloud down and remove what it made: its libvirt domains and
# their files, every process it started (by pid file), its OVS bridges and
# ports, namespaces, databases and RabbitMQ vhost, state/. Safe on a cloud
# that is half up or already down.
#   tools/devcloud/down.sh            everything (keeps the venv)
#   tools/devcloud/down.sh --purge    also remove DEVCLOUD_HOME (venv too)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"
. "$HERE/lib/infra.sh"
. "$HERE/lib/resources.sh"

[ "$(id -u)" -eq 0 ] || die "run as root"
mkdir -p "$RUN"
# One up/down at a time. flock -o: the daemons started below must not
# inherit the lock.
[ -n "${DEVCLOUD_LOCKED:-}" ] || \
    exec env DEVCLOUD_LOCKED=1 flock -o "$RUN/lock" "$0" "$@"

# Nova's domains are named instance-XXXXXXXX and their disks live under our
# instances_path: remove only those (another user's libvirt domains stay).
remove_domains() {
    virsh -c qemu:///system version >/dev/null 2>&1 || return 0
    local dom
    for dom in $(virsh -c qemu:///system list --all --name 2>/dev/null); do
        virsh -c qemu:///system dumpxml "$dom" 2>/dev/null \
            | grep -q "$DATA/nova/instances" || continue
        log "removing libvirt domain $dom"
        virsh -c qemu:///system destroy "$dom" >/dev/null 2>&1 || true
        virsh -c qemu:///system undefine --nvram "$dom" >/dev/null 2>&1 \
            || virsh -c qemu:///system undefine "$dom" >/dev/null 2>&1 || true
    done
}

# dnsmasq and other children the DHCP agent left (they have pid files under
# neutron's state_path), then the qdhcp- namespaces of our networks.
remove_neutron_leftovers() {
    local f pid ns
    for f in $(find "$DATA/neutron" -name pid -path '*dhcp*' 2>/dev/null); do
        pid=$(cat "$f" 2>/dev/null) || continue
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for f in $(find "$DATA/neutron" -name '*.pid' 2>/dev/null); do
        pid=$(cat "$f" 2>/dev/null) || continue
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    if [ -s "$STATE/resources.env" ]; then
        for id in $(sed -n 's/^export DEVCLOUD_[A-Z]*_NET_ID=//p' "$STATE/resources.env"); do
            ns=qdhcp-$id
            ip netns list | grep -qw "$ns" && ip netns del "$ns"
        done
    fi
    # Networks made by an earlier run whose state/ is gone: their dnsmasq
    # config names the namespace.
    for f in "$DATA"/neutron/dhcp/*; do
        [ -d "$f" ] || continue
        ns=qdhcp-$(basename "$f")
        ip netns list | grep -qw "$ns" && ip netns del "$ns"
    done
    return 0
}

# Last sweep, still by PID: processes whose command line names our config
# or data directories (privsep helpers the agents daemonized, dnsmasq, a
# QEMU whose domain libvirt lost), i.e. children that outlived their parent.
sweep_leftovers() {
    local d pid pids=""
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        [ "$pid" = $$ ] && continue
        tr '\0' ' ' < "$d/cmdline" 2>/dev/null | grep -qE "$ETC/|$DATA/" \
            && pids="$pids $pid"
    done
    [ -z "$pids" ] && return 0
    log "ending leftover processes:$pids"
    kill -TERM $pids 2>/dev/null || true
    sleep 2
    kill -KILL $pids 2>/dev/null || true
}

t0=$(date +%s)
remove_domains
stop_pid nova-compute nova-scheduler nova-conductor nova-api \
    neutron-dhcp-agent neutron-ovs-agent neutron-periodic neutron-rpc \
    neutron-api placement glance keystone
remove_neutron_leftovers
host_side_down
stop_libvirt
stop_ovs
sweep_leftovers
drop_dbs
drop_rabbit
rm -rf "$ETC" "$DATA/nova" "$DATA/neutron" "$DATA/glance" "$DEVCLOUD_HOME/bin"
rm -rf "$STATE"
if [ "${1:-}" = "--purge" ]; then
    rm -rf "$DEVCLOUD_HOME"
fi
log "devcloud down in $(( $(date +%s) - t0 )) s"
