# Neutron: API (uwsgi), RPC server, periodic workers, ML2 with the Open
# vSwitch agent on the userspace datapath, and the DHCP agent.
#
# Why ML2/OVS and not OVN: both work on OVS's userspace datapath, but OVN
# needs two more OVSDB servers, northd and ovn-controller besides, while the
# OVS agent drives the one ovs-vswitchd directly; fewer daemons on 2 cores.
# Linux bridge needs kernel bridge/vxlan support neutron 29 no longer has.
# DEVCLOUD_FIREWALL=openvswitch enforces security groups and port
# security (anti-spoofing: a distributor forwarding clients' frames must
# pass it) with the OVS agent's `openvswitch` firewall driver: on the
# userspace datapath its conntrack actions run in ovs-vswitchd's own
# conntrack, no kernel module needed.  The default test run keeps `noop`,
# as every earlier run had; the SINGLE scenario and the Neutron driver
# tests passed with `openvswitch` too.

neutron_conf() {
    mkdir -p "$ETC/neutron/plugins/ml2" "$DATA/neutron/locks"
    cp "$VENV/etc/neutron/api-paste.ini" "$ETC/neutron/"
    cat > "$ETC/neutron/neutron.conf" <<EOF
[DEFAULT]
use_stderr = true
host = devcloud
core_plugin = ml2
service_plugins =
auth_strategy = keystone
transport_url = $RABBIT_URL
state_path = $DATA/neutron
api_paste_config = $ETC/neutron/api-paste.ini
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
dhcp_agents_per_network = 1
# TCG guests are slow to take their DHCP lease; keep it long.
dhcp_lease_duration = 86400
[database]
connection = $(db_url neutron)
$(authtoken_conf neutron)
$(ks_section nova nova)
$(ks_section placement placement)
[oslo_concurrency]
lock_path = $DATA/neutron/locks
[AGENT]
root_helper = sudo
[oslo_messaging_notifications]
driver = noop
EOF
    cat > "$ETC/neutron/plugins/ml2/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vlan
tenant_network_types = vlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = mgmt,public
[ml2_type_vlan]
network_vlan_ranges = tenant:100:199
[securitygroup]
enable_security_group = true
firewall_driver = ${DEVCLOUD_FIREWALL:-noop}
EOF
    cat > "$ETC/neutron/openvswitch_agent.ini" <<EOF
[OVS]
integration_bridge = $BR_INT
bridge_mappings = mgmt:$BR_MGMT,public:$BR_PUB,tenant:$BR_TEN
datapath_type = netdev
ovsdb_connection = $OVS_SOCK
of_listen_address = 127.0.0.1
of_listen_port = $OF_PORT
[AGENT]
tunnel_types =
root_helper = sudo
[securitygroup]
firewall_driver = ${DEVCLOUD_FIREWALL:-noop}
EOF
    cat > "$ETC/neutron/dhcp_agent.ini" <<EOF
[DEFAULT]
interface_driver = openvswitch
dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq
enable_isolated_metadata = false
[OVS]
integration_bridge = $BR_INT
ovsdb_connection = $OVS_SOCK
[AGENT]
root_helper = sudo
EOF
}

neutron_up() {
    OF_PORT=$((NEUTRON_PORT + 5))
    neutron_conf
    local n=$ETC/neutron e
    e=$(svc_env)
    "$VENV/bin/neutron-db-manage" --config-file "$n/neutron.conf" \
        --config-file "$n/plugins/ml2/ml2_conf.ini" upgrade heads >/dev/null
    uwsgi_start neutron-api "$NEUTRON_PORT" neutron.wsgi.api:application \
        "$e" OS_NEUTRON_CONFIG_DIR="$n"
    start_bg neutron-rpc env "$e" "$VENV/bin/neutron-rpc-server" \
        --config-file "$n/neutron.conf" --config-file "$n/plugins/ml2/ml2_conf.ini"
    start_bg neutron-periodic env "$e" "$VENV/bin/neutron-periodic-workers" \
        --config-file "$n/neutron.conf" --config-file "$n/plugins/ml2/ml2_conf.ini"
    wait_rpc q-plugin neutron-rpc
    start_bg neutron-ovs-agent env "$e" "$VENV/bin/neutron-openvswitch-agent" \
        --config-file "$n/neutron.conf" --config-file "$n/openvswitch_agent.ini"
    start_bg neutron-dhcp-agent env "$e" "$VENV/bin/neutron-dhcp-agent" \
        --config-file "$n/neutron.conf" --config-file "$n/dhcp_agent.ini"
    wait_http "$NEUTRON_URL" 120 neutron-api
    # Both agents alive (reported in the last 30 s); asked of the database.
    local i
    for i in $(seq 1 150); do
        [ "$($MYSQL -N -e "SELECT COUNT(*) FROM ${DB_PREFIX}neutron.agents
              WHERE heartbeat_timestamp > UTC_TIMESTAMP() - INTERVAL 30 SECOND")" -ge 2 ] \
            && return 0
        sleep 2
    done
    die "neutron agents not alive (logs $LOG/neutron-*.log)"
}
