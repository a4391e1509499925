# What the cloud holds once up: networks (management net reachable from the
# host, public provider net, tenant net), the amphora flavor, a test image;
# and the host side of them (an address on the management bridge, a client
# namespace on the public bridge).

CLIENT_NS=devcloud-client
CLIENT_IP=198.51.100.250

# The management net must be routable from the host without touching its
# default route: refuse a CIDR holding the default gateway or a host address.
check_mgmt_cidr() {
    "$PY" - "$MGMT_CIDR" <<'EOF' || die "management CIDR $MGMT_CIDR clashes with the host's addresses or default gateway (set DEVCLOUD_MGMT_CIDR)"
import ipaddress, subprocess, sys, json
net = ipaddress.ip_network(sys.argv[1])
gw = subprocess.run(['ip', '-j', 'route', 'show', 'default'],
                    capture_output=True, text=True).stdout
addrs = json.loads(subprocess.run(['ip', '-j', 'addr'], capture_output=True,
                                  text=True).stdout)
bad = [r['gateway'] for r in json.loads(gw or '[]') if 'gateway' in r]
for link in addrs:
    if link['ifname'].startswith('br-dc-'):
        continue
    bad += [a['local'] for a in link.get('addr_info', [])]
sys.exit(1 if any(ipaddress.ip_address(a) in net for a in bad
                  if ipaddress.ip_address(a).version == net.version) else 0)
EOF
}

host_side_up() {
    # The host is the management net's .1-like address on the bridge's
    # own (internal) port, as DevStack's o-hm0; the route is the /26 only.
    local prefix=${MGMT_CIDR#*/}
    ip addr replace "$MGMT_HOST_IP/$prefix" dev "$BR_MGMT"
    ip link set "$BR_MGMT" up mtu 1500
    # A client namespace on the public net (VIPs are reached from there).
    ip netns list | grep -qw "$CLIENT_NS" || ip netns add "$CLIENT_NS"
    if ! ip netns exec "$CLIENT_NS" ip link show dc-client0 >/dev/null 2>&1; then
        ovs-vsctl --may-exist add-port "$BR_PUB" dc-client0 -- \
            set Interface dc-client0 type=internal
        ip link set dc-client0 netns "$CLIENT_NS"
    fi
    ip netns exec "$CLIENT_NS" ip addr replace "$CLIENT_IP/24" dev dc-client0
    ip netns exec "$CLIENT_NS" ip link set dc-client0 up
    ip netns exec "$CLIENT_NS" ip link set lo up
}

host_side_down() {
    ip addr flush dev "$BR_MGMT" 2>/dev/null || true
    ovs-vsctl --timeout=5 --if-exists del-port "$BR_PUB" dc-client0 2>/dev/null || true
    ip netns list | grep -qw "$CLIENT_NS" && ip netns del "$CLIENT_NS" || true
}

test_image() {  # path of the tiny boot-test image, built once
    local img=$DATA/images/devcloud-test.raw
    if [ ! -s "$img" ]; then
        mkdir -p "$DATA/images"
        "$DEVCLOUD_DIR/make-test-image.sh" "$img.tmp" >&2
        mv "$img.tmp" "$img"
    fi
    echo "$img"
}

resources_up() {
    local img
    img=$(test_image)
    OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml MGMT_CIDR=$MGMT_CIDR \
        MGMT_POOL_START=$MGMT_POOL_START MGMT_POOL_END=$MGMT_POOL_END \
        MGMT_HOST_IP=$MGMT_HOST_IP PUBLIC_CIDR=$PUBLIC_CIDR \
        PUBLIC_GW=$PUBLIC_GW TENANT_CIDR=$TENANT_CIDR CLIENT_IP=$CLIENT_IP \
        TEST_IMAGE=$img "$VENV/bin/python" "$DEVCLOUD_DIR/lib/resources.py" \
        > "$STATE/resources.env"
    cat "$STATE/resources.env" >> "$STATE/env"
    host_side_up
}
