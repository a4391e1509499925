# Keystone, Glance and Placement: configuration, database schema, start.
# Configuration files are written anew on every up (they are derived from
# the settings in common.sh), so up stays idempotent.

# The services run as root already; their "sudo" (oslo.privsep's helper
# prefix, neutron's root_helper) is a pass-through that keeps PATH, so the
# venv's privsep-helper is found (the real sudo's secure_path hides it).
write_sudo_shim() {
    mkdir -p "$DEVCLOUD_HOME/bin"
    cat > "$DEVCLOUD_HOME/bin/sudo" <<'EOF'
#!/bin/sh
# devcloud: its services already run as root; keep PATH and run the command.
while [ $# -gt 0 ]; do
    case $1 in -E|-n|-H) shift ;; *) break ;; esac
done
exec "$@"
EOF
    chmod 755 "$DEVCLOUD_HOME/bin/sudo"
}

svc_env() {  # environment every service process gets
    echo "PATH=$DEVCLOUD_HOME/bin:$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

# --- Keystone ---------------------------------------------------------------

keystone_conf() {
    mkdir -p "$ETC/keystone"
    cat > "$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true
[database]
connection = $(db_url keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $ETC/keystone/fernet-keys
[fernet_receipts]
key_repository = $ETC/keystone/fernet-keys
[credential]
key_repository = $ETC/keystone/credential-keys
[cache]
enabled = false
EOF
}

keystone_up() {
    keystone_conf
    local km="$VENV/bin/keystone-manage --config-file $ETC/keystone/keystone.conf"
    $km db_sync
    [ -d "$ETC/keystone/fernet-keys" ] || \
        $km fernet_setup --keystone-user root --keystone-group root
    [ -d "$ETC/keystone/credential-keys" ] || \
        $km credential_setup --keystone-user root --keystone-group root
    local base=http://127.0.0.1:$KEYSTONE_PORT
    # bootstrap is idempotent: it creates what is missing only.
    $km bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
        --bootstrap-username admin --bootstrap-project-name admin \
        --bootstrap-role-name admin --bootstrap-service-name keystone \
        --bootstrap-region-id "$REGION" \
        --bootstrap-admin-url "$base/v3" --bootstrap-internal-url "$base/v3" \
        --bootstrap-public-url "$base/v3" >/dev/null
    uwsgi_start keystone "$KEYSTONE_PORT" keystone.wsgi.api:application \
        "$(svc_env)" OS_KEYSTONE_CONFIG_FILES="$ETC/keystone/keystone.conf"
    wait_http "$KEYSTONE_URL" 120 keystone
}

# --- Glance (file store) ------------------------------------------------------

glance_up() {
    mkdir -p "$ETC/glance" "$DATA/glance/images" "$DATA/glance/staging" \
        "$DATA/glance/tasks"
    cp "$VENV/etc/glance/glance-api-paste.ini" "$ETC/glance/"
    cat > "$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
use_stderr = true
enabled_backends = fs:file
workers = 1
image_cache_dir = $DATA/glance/cache
[database]
connection = $(db_url glance)
$(authtoken_conf glance)
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $DATA/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $DATA/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $DATA/glance/tasks
[oslo_concurrency]
lock_path = $DATA/glance/locks
EOF
    "$VENV/bin/glance-manage" --config-file "$ETC/glance/glance-api.conf" \
        db_sync >/dev/null 2>&1 || \
        "$VENV/bin/glance-manage" --config-file "$ETC/glance/glance-api.conf" db_sync
    uwsgi_start glance "$GLANCE_PORT" glance.wsgi.api:application \
        "$(svc_env)" OS_GLANCE_CONFIG_DIR="$ETC/glance"
    wait_http "$GLANCE_URL" 120 glance
}

# --- Placement ------------------------------------------------------------------

placement_up() {
    mkdir -p "$ETC/placement"
    cat > "$ETC/placement/placement.conf" <<EOF
[DEFAULT]
use_stderr = true
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
$(authtoken_conf placement)
EOF
    "$VENV/bin/placement-manage" --config-file "$ETC/placement/placement.conf" db sync
    uwsgi_start placement "$PLACEMENT_PORT" placement.wsgi.api:application \
        "$(svc_env)" OS_PLACEMENT_CONFIG_DIR="$ETC/placement"
    wait_http "$PLACEMENT_URL" 120 placement
}
