# Shared settings and helpers of the devcloud scripts (sourced, not run).
# Everything the cloud makes lives under DEVCLOUD_HOME (venv, configs, logs,
# pid files, image and instance files); what tests need to find it is written
# to tools/devcloud/state/ (git-ignored).

DEVCLOUD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEVCLOUD_HOME=${DEVCLOUD_HOME:-/opt/devcloud}
STATE=${DEVCLOUD_STATE:-$DEVCLOUD_DIR/state}
VENV=$DEVCLOUD_HOME/venv
ETC=$DEVCLOUD_HOME/etc
RUN=$DEVCLOUD_HOME/run
LOG=$DEVCLOUD_HOME/log
DATA=$DEVCLOUD_HOME/data
PY=${PYTHON:-python3}

DB_PREFIX=devcloud_
DBS="keystone glance placement nova_api nova nova_cell0 neutron"
RABBIT_VHOST=devcloud
RABBIT_URL="rabbit://guest:guest@127.0.0.1:5672/$RABBIT_VHOST"
MYSQL="mysql -h 127.0.0.1 -P 3306 -u root"

# Networks. The management net must not hold the host's default gateway nor
# any host address (checked in check_mgmt_cidr; 192.0.2.64/26 is taken by
# the image boot test); octavia-aa's netns mode
# uses 192.0.2.192/26, so this stays clear of it too.
MGMT_CIDR=${DEVCLOUD_MGMT_CIDR:-192.0.2.128/26}
MGMT_HOST_IP=${DEVCLOUD_MGMT_HOST_IP:-192.0.2.129}
MGMT_POOL_START=${DEVCLOUD_MGMT_POOL_START:-192.0.2.140}
MGMT_POOL_END=${DEVCLOUD_MGMT_POOL_END:-192.0.2.190}
PUBLIC_CIDR=198.51.100.0/24
PUBLIC_GW=198.51.100.1
TENANT_CIDR=203.0.113.0/24

# OVS bridges (userspace datapath) the provider networks hang off.
BR_INT=br-int
BR_MGMT=br-dc-mgmt
BR_PUB=br-dc-pub
BR_TEN=br-dc-ten

REGION=RegionOne
ADMIN_PASSWORD=${DEVCLOUD_ADMIN_PASSWORD:-devcloud-admin}
SERVICE_PASSWORD=${DEVCLOUD_SERVICE_PASSWORD:-devcloud-service}
OCTAVIA_PASSWORD=${DEVCLOUD_OCTAVIA_PASSWORD:-devcloud-octavia}
OCTAVIA_URL=${DEVCLOUD_OCTAVIA_URL:-http://127.0.0.1:9876}

log() { echo "[devcloud $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- processes by pid file -------------------------------------------------

pid_alive() {  # pid_alive NAME -> 0 when the pid file names a live process
    local f=$RUN/$1.pid pid
    [ -s "$f" ] || return 1
    pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null
}

# start_bg NAME CMD... : run CMD detached (own session), log to LOG/NAME.log,
# pid to RUN/NAME.pid; nothing happens when NAME already runs.
start_bg() {
    local name=$1; shift
    if pid_alive "$name"; then
        log "$name already running (pid $(cat "$RUN/$name.pid"))"
        return 0
    fi
    log "starting $name"
    setsid "$@" >>"$LOG/$name.log" 2>&1 < /dev/null &
    echo $! > "$RUN/$name.pid"
}

# stop_pid NAME... : TERM the processes of RUN/NAME.pid (and their process
# groups, which start_bg made their own) all at once, KILL what still runs
# after 15 s, remove the pid files.
stop_pid() {
    local name pid pids="" i left
    for name in "$@"; do
        [ -s "$RUN/$name.pid" ] || { rm -f "$RUN/$name.pid"; continue; }
        pid=$(cat "$RUN/$name.pid")
        if kill -0 "$pid" 2>/dev/null; then
            log "stopping $name (pid $pid)"
            kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
            pids="$pids $pid"
        fi
    done
    for i in $(seq 1 30); do
        left=""
        for pid in $pids; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
        [ -z "$left" ] && break
        sleep 0.5
    done
    for pid in $pids; do
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
    for name in "$@"; do rm -f "$RUN/$name.pid"; done
}

wait_http() {  # wait_http URL SECONDS NAME
    local url=$1 t=$2 name=$3 i
    for i in $(seq 1 $((t * 2))); do
        curl -s -o /dev/null -m 2 "$url" && return 0
        if [ -n "$name" ] && [ -f "$RUN/$name.pid" ] && ! pid_alive "$name"; then
            tail -20 "$LOG/$name.log" >&2
            die "$name died (log $LOG/$name.log)"
        fi
        sleep 0.5
    done
    tail -20 "$LOG/$name.log" >&2 2>/dev/null
    die "$name did not answer on $url within ${t}s"
}

# wait_rpc QUEUE NAME : until an RPC server consumes QUEUE in our vhost. Agents
# and nova-compute started before their server lose a 60 s RPC timeout.
wait_rpc() {
    local i
    for i in $(seq 1 120); do
        rabbitmqctl -q list_queues -p "$RABBIT_VHOST" name consumers 2>/dev/null \
            | awk -v q="$1" '$1 == q && $2 > 0 {found=1} END {exit !found}' && return 0
        if ! pid_alive "$2"; then
            tail -20 "$LOG/$2.log" >&2
            die "$2 died (log $LOG/$2.log)"
        fi
        sleep 1
    done
    die "$2 does not consume RPC queue $1"
}

port_free() {  # port_free PORT -> 0 when nothing listens on 127.0.0.1:PORT
    ! ss -Htln "sport = :$1" | grep -q .
}

# --- ports ------------------------------------------------------------------

# API ports: chosen once at random among free ones (never fixed well-known
# ports: another cloud on this machine may hold 5000/8774/...), kept in
# STATE/ports.env so the endpoints in Keystone stay right across restarts.
load_ports() {
    mkdir -p "$STATE"
    if [ ! -s "$STATE/ports.env" ]; then
        local base
        for _ in $(seq 1 50); do
            base=$(( 20000 + (RANDOM % 400) * 10 ))
            local ok=1 p
            for p in $(seq "$base" $((base + 5))); do
                port_free "$p" || { ok=0; break; }
            done
            [ $ok = 1 ] && break
        done
        cat > "$STATE/ports.env" <<EOF
KEYSTONE_PORT=$base
GLANCE_PORT=$((base + 1))
PLACEMENT_PORT=$((base + 2))
NOVA_PORT=$((base + 3))
NEUTRON_PORT=$((base + 4))
EOF
    fi
    # shellcheck disable=SC1091
    . "$STATE/ports.env"
    KEYSTONE_URL=http://127.0.0.1:$KEYSTONE_PORT/v3
    GLANCE_URL=http://127.0.0.1:$GLANCE_PORT
    PLACEMENT_URL=http://127.0.0.1:$PLACEMENT_PORT
    NOVA_URL=http://127.0.0.1:$NOVA_PORT/v2.1
    NEUTRON_URL=http://127.0.0.1:$NEUTRON_PORT
}

db_url() { echo "mysql+pymysql://root@127.0.0.1:3306/${DB_PREFIX}$1?charset=utf8"; }

# uwsgi_start NAME PORT MODULE ENV=VALUE... : one API under uwsgi, 1 process.
# uwsgi's http-socket closes each connection after one response; the header
# tells clients so (else requests reuses it and gets "connection reset").
uwsgi_start() {
    local name=$1 port=$2 module=$3; shift 3
    start_bg "$name" env "$@" "$VENV/bin/uwsgi" \
        --http-socket "127.0.0.1:$port" --module "$module" \
        --master --processes 1 --threads 4 --die-on-term --need-app \
        --enable-threads --lazy-apps --buffer-size 65535 \
        --http-chunked-input --socket-timeout 300 --thunder-lock \
        --add-header "Connection: close" \
        --virtualenv "$VENV"
}

# keystone authtoken + service-user sections, shared by every service.
authtoken_conf() {  # authtoken_conf USERNAME
    cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = $1
password = $SERVICE_PASSWORD
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = $REGION
service_token_roles_required = true
memcached_servers =
EOF
}

ks_section() {  # ks_section SECTION USERNAME : a keystoneauth password block
    cat <<EOF
[$1]
auth_url = $KEYSTONE_URL
auth_type = password
username = $2
password = $SERVICE_PASSWORD
user_domain_name = Default
project_name = service
project_domain_name = Default
region_name = $REGION
EOF
}

osc() {  # the admin openstack CLI
    OS_CLOUD=devcloud-admin OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml \
        "$VENV/bin/openstack" "$@"
}

# STATE/env (shell, for tests and people) and STATE/clouds.yaml (admin and
# octavia clouds for openstacksdk / the CLI).
write_state() {
    cat > "$STATE/env" <<EOF2
# Generated by tools/devcloud/up.sh; source it.
export DEVCLOUD_HOME=$DEVCLOUD_HOME
export DEVCLOUD_VENV=$VENV
export OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml
export OS_CLOUD=devcloud-admin
export DEVCLOUD_KEYSTONE_URL=$KEYSTONE_URL
export DEVCLOUD_GLANCE_URL=$GLANCE_URL
export DEVCLOUD_PLACEMENT_URL=$PLACEMENT_URL
export DEVCLOUD_NOVA_URL=$NOVA_URL
export DEVCLOUD_NEUTRON_URL=$NEUTRON_URL
export DEVCLOUD_OCTAVIA_URL=$OCTAVIA_URL
export DEVCLOUD_MGMT_CIDR=$MGMT_CIDR
export DEVCLOUD_MGMT_HOST_IP=$MGMT_HOST_IP
export DEVCLOUD_MGMT_BRIDGE=$BR_MGMT
export DEVCLOUD_PUBLIC_CIDR=$PUBLIC_CIDR
export DEVCLOUD_PUBLIC_BRIDGE=$BR_PUB
export DEVCLOUD_TENANT_CIDR=$TENANT_CIDR
export DEVCLOUD_CLIENT_NETNS=devcloud-client
EOF2
    cat > "$STATE/clouds.yaml" <<EOF2
# Generated by tools/devcloud/up.sh.
clouds:
  devcloud-admin:
    auth:
      auth_url: $KEYSTONE_URL
      username: admin
      password: $ADMIN_PASSWORD
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
  devcloud-octavia:
    auth:
      auth_url: $KEYSTONE_URL
      username: octavia
      password: $OCTAVIA_PASSWORD
      project_name: service
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
EOF2
}
