# Nova: api (uwsgi), conductor, scheduler, compute (libvirt, QEMU TCG).

# Sizing for 2 cores / 24 GiB. Under TCG a 512 MB guest is ~1.6 GB resident
# (QEMU's translation cache; Nova cannot shrink it), so Nova's view of memory
# is made to match what the host can really hold: it may place
# DEVCLOUD_VM_SLOTS guests of 512 MB (8 -> ~13 GB real), the rest of the RAM is
# reserved for the host, the services (~2.5 GB) and the TCG overhead. vCPUs
# are overcommitted 4:1 (TCG guests idle most of the time once booted).
VM_SLOTS=${DEVCLOUD_VM_SLOTS:-8}
CPU_RATIO=${DEVCLOUD_CPU_RATIO:-4.0}

nova_reserved_mb() {
    local total_mb
    total_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
    echo $(( total_mb - VM_SLOTS * 512 ))
}

nova_conf() {
    mkdir -p "$ETC/nova" "$DATA/nova/instances" "$DATA/nova/locks"
    chmod 755 "$DATA/nova" "$DATA/nova/instances"
    cp "$VENV/etc/nova/api-paste.ini" "$ETC/nova/"
    cat > "$ETC/nova/nova.conf" <<EOF
[DEFAULT]
use_stderr = true
host = devcloud
transport_url = $RABBIT_URL
state_path = $DATA/nova
instances_path = $DATA/nova/instances
compute_driver = libvirt.LibvirtDriver
my_ip = 127.0.0.1
enabled_apis = osapi_compute
osapi_compute_workers = 1
# octavia-aa hands its agents their configuration on a config drive.
force_config_drive = true
reserved_host_memory_mb = $(nova_reserved_mb)
ram_allocation_ratio = 1.0
cpu_allocation_ratio = $CPU_RATIO
disk_allocation_ratio = 1.0
initial_ram_allocation_ratio = 1.0
initial_cpu_allocation_ratio = $CPU_RATIO
# Booting under TCG is slow; the defaults give up too early.
vif_plugging_timeout = 300
vif_plugging_is_fatal = true
heal_instance_info_cache_interval = -1
# Keep qcow2 images qcow2 in the image cache: converting a DIB image to a
# 2 GB raw base file costs tens of seconds per new image here.
force_raw_images = false
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
$(authtoken_conf nova)
$(ks_section service_user nova)
send_service_user_token = true
$(ks_section placement placement)
$(ks_section neutron neutron)
[glance]
region_name = $REGION
[cinder]
os_region_name = $REGION
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[libvirt]
# /dev/kvm exists but KVM guests hang on this kind of machine: TCG it is.
virt_type = qemu
cpu_mode = none
connection_uri = qemu:///system
[workarounds]
# No rootwrap: the services run as root (see the sudo shim in base.sh).
disable_rootwrap = true
[os_vif_ovs]
ovsdb_connection = $OVS_SOCK
[vnc]
enabled = false
[spice]
enabled = false
[serial_console]
enabled = false
[oslo_concurrency]
lock_path = $DATA/nova/locks
[oslo_messaging_notifications]
driver = noop
EOF
}

nova_up() {
    nova_conf
    local nm="$VENV/bin/nova-manage --config-file $ETC/nova/nova.conf"
    $nm api_db sync
    $nm cell_v2 list_cells 2>/dev/null | grep -q " cell0 " || \
        $nm cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)"
    $nm cell_v2 list_cells 2>/dev/null | grep -q " cell1 " || \
        $nm cell_v2 create_cell --name cell1 \
            --database_connection "$(db_url nova)" --transport-url "$RABBIT_URL"
    $nm db sync
    local e
    e=$(svc_env)
    uwsgi_start nova-api "$NOVA_PORT" nova.wsgi.osapi_compute:application \
        "$e" OS_NOVA_CONFIG_DIR="$ETC/nova"
    start_bg nova-conductor env "$e" "$VENV/bin/nova-conductor" \
        --config-file "$ETC/nova/nova.conf"
    start_bg nova-scheduler env "$e" "$VENV/bin/nova-scheduler" \
        --config-file "$ETC/nova/nova.conf"
    wait_rpc conductor nova-conductor
    start_bg nova-compute env "$e" "$VENV/bin/nova-compute" \
        --config-file "$ETC/nova/nova.conf"
    wait_http "$NOVA_URL" 120 nova-api
    # The compute registers itself; map it into cell1 once it has. (The
    # database is asked directly: a CLI call costs seconds on a busy host.)
    local i
    for i in $(seq 1 150); do
        if [ "$($MYSQL -N -e "SELECT COUNT(*) FROM ${DB_PREFIX}nova.compute_nodes
                WHERE deleted = 0 AND host = 'devcloud'")" -ge 1 ]; then
            $nm cell_v2 discover_hosts >/dev/null
            return 0
        fi
        pid_alive nova-compute || { tail -30 "$LOG/nova-compute.log"; die "nova-compute died"; }
        sleep 2
    done
    die "nova-compute did not register (log $LOG/nova-compute.log)"
}
