"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('amphora_health',
    sa.Column('amphora_id', sa.String(length=36), nullable=False),
    sa.Column('last_update', sa.DateTime(), nullable=False),
    sa.Column('busy', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('amphora_id')
    )
    op.create_table('distributor',
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('compute_id', sa.String(length=36), nullable=True),
    sa.Column('lb_network_ip', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', 'BOOTING', 'ALLOCATED', 'READY', 'FAILOVER_STOPPED', name='distributor_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('role', sa.Enum('STANDALONE', 'MASTER', 'BACKUP', name='distributor_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('peer_id', sa.String(length=36), nullable=True),
    sa.Column('vrrp_ip', sa.String(length=64), nullable=True),
    sa.Column('max_load_balancers', sa.Integer(), nullable=False),
    sa.Column('cert_expiration', sa.DateTime(), nullable=True),
    sa.Column('cert_busy', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('flavor_profile',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('provider_name', sa.String(length=255), nullable=False),
    sa.Column('flavor_data', sa.String(length=4096), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('ip_allocation',
    sa.Column('subnet_id', sa.String(length=36), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('port_id', sa.String(length=36), nullable=False),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('subnet_id', 'ip_address'),
    sa.UniqueConstraint('port_id')
    )
    op.create_table('listener_statistics',
    sa.Column('listener_id', sa.String(length=36), nullable=False),
    sa.Column('amphora_id', sa.String(length=36), nullable=False),
    sa.Column('bytes_in', sa.BigInteger(), nullable=False),
    sa.Column('bytes_out', sa.BigInteger(), nullable=False),
    sa.Column('active_connections', sa.Integer(), nullable=False),
    sa.Column('total_connections', sa.BigInteger(), nullable=False),
    sa.Column('request_errors', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('listener_id', 'amphora_id')
    )
    op.create_table('quotas',
    sa.Column('project_id', sa.String(length=36), nullable=False),
    sa.Column('load_balancer', sa.Integer(), nullable=True),
    sa.Column('listener', sa.Integer(), nullable=True),
    sa.Column('pool', sa.Integer(), nullable=True),
    sa.Column('health_monitor', sa.Integer(), nullable=True),
    sa.Column('member', sa.Integer(), nullable=True),
    sa.Column('l7policy', sa.Integer(), nullable=True),
    sa.Column('l7rule', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('project_id')
    )
    op.create_table('distributor_health',
    sa.Column('distributor_id', sa.String(length=36), nullable=False),
    sa.Column('last_update', sa.DateTime(), nullable=False),
    sa.Column('busy', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['distributor_id'], ['distributor.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('distributor_id')
    )
    op.create_table('flavor',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('flavor_profile_id', sa.String(length=36), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['flavor_profile_id'], ['flavor_profile.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('load_balancer',
    sa.Column('topology', sa.Enum('SINGLE', 'ACTIVE_STANDBY', 'ACTIVE_ACTIVE', name='lb_topology', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('flavor_id', sa.String(length=36), nullable=True),
    sa.Column('availability_zone', sa.String(length=255), nullable=True),
    sa.Column('server_group_id', sa.String(length=36), nullable=True),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['flavor_id'], ['flavor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('load_balancer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_load_balancer_project_id'), ['project_id'], unique=False)

    op.create_table('amphora',
    sa.Column('load_balancer_id', sa.String(length=36), nullable=True),
    sa.Column('compute_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', 'BOOTING', 'ALLOCATED', 'READY', 'FAILOVER_STOPPED', name='amphora_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('role', sa.Enum('STANDALONE', 'MASTER', 'BACKUP', 'IN_CLUSTER', 'IN_CLUSTER_STANDBY', name='amphora_role', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('lb_network_ip', sa.String(length=64), nullable=True),
    sa.Column('vrrp_ip', sa.String(length=64), nullable=True),
    sa.Column('ha_ip', sa.String(length=64), nullable=True),
    sa.Column('vrrp_port_id', sa.String(length=36), nullable=True),
    sa.Column('ha_port_id', sa.String(length=36), nullable=True),
    sa.Column('frontend_mac', sa.String(length=17), nullable=True),
    sa.Column('cert_expiration', sa.DateTime(), nullable=True),
    sa.Column('cert_busy', sa.Boolean(), nullable=False),
    sa.Column('vrrp_interface', sa.String(length=16), nullable=True),
    sa.Column('vrrp_id', sa.Integer(), nullable=True),
    sa.Column('vrrp_priority', sa.Integer(), nullable=True),
    sa.Column('cached_zone', sa.String(length=255), nullable=True),
    sa.Column('image_id', sa.String(length=36), nullable=True),
    sa.Column('compute_flavor', sa.String(length=255), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('amphora', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amphora_load_balancer_id'), ['load_balancer_id'], unique=False)

    op.create_table('cluster',
    sa.Column('cluster_name', sa.String(length=255), nullable=True),
    sa.Column('cluster_type', sa.String(length=36), nullable=False),
    sa.Column('desired_size', sa.Integer(), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('standby_count', sa.Integer(), nullable=False),
    sa.Column('cooldown', sa.Integer(), nullable=False),
    sa.Column('affinity', sa.Enum('SOURCE_IP', 'SOURCE_IP_PORT', name='distributor_affinity', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_resized_at', sa.DateTime(), nullable=True),
    sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
    sa.Column('distributor_id', sa.String(length=36), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', 'DOWN', name='cluster_operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['distributor_id'], ['distributor.id'], ),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('load_balancer_id')
    )
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_distributor_id'), ['distributor_id'], unique=False)

    op.create_table('listener',
    sa.Column('protocol', sa.Enum('HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS', 'UDP', 'SCTP', 'PROMETHEUS', name='listener_protocol', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('protocol_port', sa.Integer(), nullable=False),
    sa.Column('connection_limit', sa.Integer(), nullable=False),
    sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
    sa.Column('default_pool_id', sa.String(length=36), nullable=True),
    sa.Column('default_tls_container_ref', sa.String(length=255), nullable=True),
    sa.Column('sni_container_refs', sa.JSON(), nullable=False),
    sa.Column('client_ca_tls_container_ref', sa.String(length=255), nullable=True),
    sa.Column('client_authentication', sa.Enum('NONE', 'OPTIONAL', 'MANDATORY', name='client_auth_mode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('client_crl_container_ref', sa.String(length=255), nullable=True),
    sa.Column('insert_headers', sa.JSON(), nullable=False),
    sa.Column('timeout_client_data', sa.Integer(), nullable=False),
    sa.Column('timeout_member_connect', sa.Integer(), nullable=False),
    sa.Column('timeout_member_data', sa.Integer(), nullable=False),
    sa.Column('timeout_tcp_inspect', sa.Integer(), nullable=False),
    sa.Column('allowed_cidrs', sa.JSON(), nullable=False),
    sa.Column('tls_ciphers', sa.String(length=2048), nullable=True),
    sa.Column('tls_versions', sa.JSON(), nullable=False),
    sa.Column('alpn_protocols', sa.JSON(), nullable=False),
    sa.Column('hsts_max_age', sa.Integer(), nullable=True),
    sa.Column('hsts_include_subdomains', sa.Boolean(), nullable=False),
    sa.Column('hsts_preload', sa.Boolean(), nullable=False),
    sa.Column('peer_port', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('load_balancer_id', 'protocol', 'protocol_port', name='uq_listener_lb_protocol_port')
    )
    with op.batch_alter_table('listener', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listener_load_balancer_id'), ['load_balancer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_listener_project_id'), ['project_id'], unique=False)

    op.create_table('pool',
    sa.Column('protocol', sa.Enum('HTTP', 'HTTPS', 'TCP', 'PROXY', 'PROXYV2', 'UDP', 'SCTP', name='pool_protocol', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('lb_algorithm', sa.Enum('ROUND_ROBIN', 'LEAST_CONNECTIONS', 'SOURCE_IP', 'SOURCE_IP_PORT', name='lb_algorithm', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
    sa.Column('session_persistence', sa.JSON(), nullable=True),
    sa.Column('tls_enabled', sa.Boolean(), nullable=False),
    sa.Column('tls_container_ref', sa.String(length=255), nullable=True),
    sa.Column('ca_tls_container_ref', sa.String(length=255), nullable=True),
    sa.Column('crl_container_ref', sa.String(length=255), nullable=True),
    sa.Column('tls_ciphers', sa.String(length=2048), nullable=True),
    sa.Column('tls_versions', sa.JSON(), nullable=False),
    sa.Column('alpn_protocols', sa.JSON(), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pool_load_balancer_id'), ['load_balancer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pool_project_id'), ['project_id'], unique=False)

    op.create_table('vip',
    sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
    sa.Column('ip_address', sa.String(length=64), nullable=True),
    sa.Column('port_id', sa.String(length=36), nullable=True),
    sa.Column('subnet_id', sa.String(length=36), nullable=True),
    sa.Column('network_id', sa.String(length=36), nullable=True),
    sa.Column('qos_policy_id', sa.String(length=36), nullable=True),
    sa.Column('vnic_type', sa.String(length=64), nullable=False),
    sa.Column('sg_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('load_balancer_id')
    )
    op.create_table('amphora_registration',
    sa.Column('amphora_id', sa.String(length=36), nullable=False),
    sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
    sa.Column('distributor_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['amphora_id'], ['amphora.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['distributor_id'], ['distributor.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['load_balancer_id'], ['load_balancer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('amphora_id'),
    sa.UniqueConstraint('distributor_id', 'load_balancer_id', 'position', name='uq_registration_position')
    )
    with op.batch_alter_table('amphora_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amphora_registration_load_balancer_id'), ['load_balancer_id'], unique=False)

    op.create_table('health_monitor',
    sa.Column('pool_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.Enum('HTTP', 'HTTPS', 'PING', 'TCP', 'TLS-HELLO', 'UDP-CONNECT', 'SCTP', name='health_monitor_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('delay', sa.Integer(), nullable=False),
    sa.Column('timeout', sa.Integer(), nullable=False),
    sa.Column('max_retries', sa.Integer(), nullable=False),
    sa.Column('max_retries_down', sa.Integer(), nullable=False),
    sa.Column('http_method', sa.String(length=16), nullable=True),
    sa.Column('url_path', sa.String(length=2048), nullable=True),
    sa.Column('expected_codes', sa.String(length=64), nullable=True),
    sa.Column('http_version', sa.Double(), nullable=True),
    sa.Column('domain_name', sa.String(length=255), nullable=True),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pool_id')
    )
    with op.batch_alter_table('health_monitor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_health_monitor_project_id'), ['project_id'], unique=False)

    op.create_table('l7policy',
    sa.Column('listener_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.Enum('REJECT', 'REDIRECT_TO_URL', 'REDIRECT_TO_POOL', 'REDIRECT_PREFIX', name='l7policy_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('redirect_pool_id', sa.String(length=36), nullable=True),
    sa.Column('redirect_url', sa.String(length=2048), nullable=True),
    sa.Column('redirect_prefix', sa.String(length=2048), nullable=True),
    sa.Column('redirect_http_code', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['listener_id'], ['listener.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['redirect_pool_id'], ['pool.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('l7policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_l7policy_listener_id'), ['listener_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_l7policy_project_id'), ['project_id'], unique=False)

    op.create_table('member',
    sa.Column('pool_id', sa.String(length=36), nullable=False),
    sa.Column('subnet_id', sa.String(length=36), nullable=True),
    sa.Column('ip_address', sa.String(length=64), nullable=False),
    sa.Column('protocol_port', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('backup', sa.Boolean(), nullable=False),
    sa.Column('monitor_address', sa.String(length=64), nullable=True),
    sa.Column('monitor_port', sa.Integer(), nullable=True),
    sa.Column('vnic_type', sa.String(length=64), nullable=False),
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['pool.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pool_id', 'ip_address', 'protocol_port', name='uq_member_pool_address_port')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_pool_id'), ['pool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_project_id'), ['project_id'], unique=False)

    op.create_table('l7rule',
    sa.Column('project_id', sa.String(length=36), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('l7policy_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.Enum('HOST_NAME', 'PATH', 'FILE_TYPE', 'HEADER', 'COOKIE', 'SSL_CONN_HAS_CERT', 'SSL_VERIFY_RESULT', 'SSL_DN_FIELD', name='l7rule_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('compare_type', sa.Enum('REGEX', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO', name='l7rule_compare_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=True),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('invert', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('fault', sa.String(length=1024), nullable=True),
    sa.Column('provisioning_status', sa.Enum('ACTIVE', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE', 'DELETED', 'ERROR', name='provisioning_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('operating_status', sa.Enum('ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'DRAINING', 'NO_MONITOR', name='operating_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['l7policy_id'], ['l7policy.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('l7rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_l7rule_l7policy_id'), ['l7policy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_l7rule_project_id'), ['project_id'], unique=False)
    # listener and pool reference each other: the FK comes once both exist.
    with op.batch_alter_table('listener', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_listener_default_pool', 'pool',
                                    ['default_pool_id'], ['id'])


def downgrade():
    with op.batch_alter_table('l7rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_l7rule_project_id'))
        batch_op.drop_index(batch_op.f('ix_l7rule_l7policy_id'))

    op.drop_table('l7rule')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_project_id'))
        batch_op.drop_index(batch_op.f('ix_member_pool_id'))

    op.drop_table('member')
    with op.batch_alter_table('l7policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_l7policy_project_id'))
        batch_op.drop_index(batch_op.f('ix_l7policy_listener_id'))

    op.drop_table('l7policy')
    with op.batch_alter_table('health_monitor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_health_monitor_project_id'))

    op.drop_table('health_monitor')
    with op.batch_alter_table('amphora_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amphora_registration_load_balancer_id'))

    op.drop_table('amphora_registration')
    op.drop_table('vip')
    with op.batch_alter_table('pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pool_project_id'))
        batch_op.drop_index(batch_op.f('ix_pool_load_balancer_id'))

    op.drop_table('pool')
    with op.batch_alter_table('listener', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listener_project_id'))
        batch_op.drop_index(batch_op.f('ix_listener_load_balancer_id'))

    op.drop_table('listener')
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_distributor_id'))

    op.drop_table('cluster')
    with op.batch_alter_table('amphora', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amphora_load_balancer_id'))

    op.drop_table('amphora')
    with op.batch_alter_table('load_balancer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_load_balancer_project_id'))

    op.drop_table('load_balancer')
    op.drop_table('flavor')
    op.drop_table('distributor_health')
    op.drop_table('quotas')
    op.drop_table('listener_statistics')
    op.drop_table('ip_allocation')
    op.drop_table('flavor_profile')
    op.drop_table('distributor')
    op.drop_table('amphora_health')
