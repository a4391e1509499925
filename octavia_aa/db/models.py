"""SQLAlchemy models: Octavia's entities plus the active-active ones.

These rows are the one representation of an entity between the API and the
database; the API renders them directly (octavia_aa.api.v2.resources).
Enumerations are VARCHAR with a CHECK constraint rather than upstream's
lookup tables: the same guarantee with no join and no seed data.
"""
import datetime

from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from octavia_aa.common import constants as c


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False,
                   create_constraint=True, length=32)


class Base(orm.DeclarativeBase):
    type_annotation_map = {dict: sa.JSON, list: sa.JSON}


class IdMixin:
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True,
                                    default=uuidutils.generate_uuid)


class TimestampMixin:
    created_at: Mapped[datetime.datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        onupdate=_now)


class StatusMixin:
    # Why the object went to ERROR, shown by the API as `fault`.
    fault: Mapped[str | None] = mapped_column(sa.String(1024))
    provisioning_status: Mapped[str] = mapped_column(
        _enum(c.PROVISIONING_STATUSES, 'provisioning_status'),
        default=c.PENDING_CREATE)
    operating_status: Mapped[str] = mapped_column(
        _enum(c.OPERATING_STATUSES, 'operating_status'), default=c.OFFLINE)


class CommonMixin(IdMixin, TimestampMixin, StatusMixin):
    """Fields every user-facing object of Octavia's API carries."""
    project_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    tags: Mapped[list] = mapped_column(default=list)


class FlavorProfile(IdMixin, Base):
    __tablename__ = 'flavor_profile'
    name: Mapped[str] = mapped_column(sa.String(255))
    provider_name: Mapped[str] = mapped_column(sa.String(255))
    flavor_data: Mapped[str] = mapped_column(sa.String(4096))


class Flavor(IdMixin, Base):
    __tablename__ = 'flavor'
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    flavor_profile_id: Mapped[str] = mapped_column(
        sa.ForeignKey('flavor_profile.id'))
    flavor_profile: Mapped[FlavorProfile] = orm.relationship(lazy='joined')


class AvailabilityZoneProfile(IdMixin, Base):
    __tablename__ = 'availability_zone_profile'
    name: Mapped[str] = mapped_column(sa.String(255))
    provider_name: Mapped[str] = mapped_column(sa.String(255))
    availability_zone_data: Mapped[str] = mapped_column(sa.String(4096))


class AvailabilityZone(Base):
    """Named by its name, as upstream's (the name is the primary key)."""
    __tablename__ = 'availability_zone'
    name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    availability_zone_profile_id: Mapped[str] = mapped_column(
        sa.ForeignKey('availability_zone_profile.id',
                      name='fk_az_az_profile_id'))
    availability_zone_profile: Mapped[AvailabilityZoneProfile] = \
        orm.relationship(lazy='joined')
    # The generic controller and pagination address rows by `id`.
    id = orm.synonym('name')


class LoadBalancer(CommonMixin, Base):
    __tablename__ = 'load_balancer'
    topology: Mapped[str] = mapped_column(
        _enum(c.SUPPORTED_TOPOLOGIES, 'lb_topology'))
    provider: Mapped[str] = mapped_column(sa.String(64))
    flavor_id: Mapped[str | None] = mapped_column(sa.ForeignKey('flavor.id'))
    # An availability_zone.name, checked by the API rather than by a
    # foreign key: adding one would make SQLite recreate this table, which
    # with foreign_keys=ON cascades into (or fails on) every child row.
    availability_zone: Mapped[str | None] = mapped_column(sa.String(255))
    server_group_id: Mapped[str | None] = mapped_column(sa.String(36))

    vip: Mapped['Vip'] = orm.relationship(
        back_populates='load_balancer', uselist=False, lazy='joined',
        cascade='all, delete-orphan')
    listeners: Mapped[list['Listener']] = orm.relationship(
        back_populates='load_balancer', cascade='all, delete-orphan',
        order_by='Listener.created_at')
    pools: Mapped[list['Pool']] = orm.relationship(
        back_populates='load_balancer', cascade='all, delete-orphan',
        order_by='Pool.created_at')
    amphorae: Mapped[list['Amphora']] = orm.relationship(
        back_populates='load_balancer', order_by='Amphora.created_at')
    cluster: Mapped['Cluster | None'] = orm.relationship(
        back_populates='load_balancer', uselist=False,
        cascade='all, delete-orphan')


class Vip(Base):
    __tablename__ = 'vip'
    load_balancer_id: Mapped[str] = mapped_column(
        sa.ForeignKey('load_balancer.id', ondelete='CASCADE'),
        primary_key=True)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    port_id: Mapped[str | None] = mapped_column(sa.String(36))
    subnet_id: Mapped[str | None] = mapped_column(sa.String(36))
    network_id: Mapped[str | None] = mapped_column(sa.String(36))
    qos_policy_id: Mapped[str | None] = mapped_column(sa.String(36))
    vnic_type: Mapped[str] = mapped_column(sa.String(64), default='normal')
    sg_ids: Mapped[list] = mapped_column(default=list)
    load_balancer: Mapped[LoadBalancer] = orm.relationship(
        back_populates='vip')


class Listener(CommonMixin, Base):
    __tablename__ = 'listener'
    __table_args__ = (sa.UniqueConstraint(
        'load_balancer_id', 'protocol', 'protocol_port',
        name='uq_listener_lb_protocol_port'),)
    protocol: Mapped[str] = mapped_column(
        _enum(c.LISTENER_PROTOCOLS, 'listener_protocol'))
    protocol_port: Mapped[int]
    connection_limit: Mapped[int] = mapped_column(default=-1)
    load_balancer_id: Mapped[str] = mapped_column(
        sa.ForeignKey('load_balancer.id'), index=True)
    default_pool_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey('pool.id', use_alter=True,
                      name='fk_listener_default_pool'))
    default_tls_container_ref: Mapped[str | None] = mapped_column(
        sa.String(255))
    sni_container_refs: Mapped[list] = mapped_column(default=list)
    client_ca_tls_container_ref: Mapped[str | None] = mapped_column(
        sa.String(255))
    client_authentication: Mapped[str] = mapped_column(
        _enum(c.CLIENT_AUTH_MODES, 'client_auth_mode'), default='NONE')
    client_crl_container_ref: Mapped[str | None] = mapped_column(
        sa.String(255))
    insert_headers: Mapped[dict] = mapped_column(default=dict)
    timeout_client_data: Mapped[int] = mapped_column(default=50000)
    timeout_member_connect: Mapped[int] = mapped_column(default=5000)
    timeout_member_data: Mapped[int] = mapped_column(default=50000)
    timeout_tcp_inspect: Mapped[int] = mapped_column(default=0)
    allowed_cidrs: Mapped[list] = mapped_column(default=list)
    tls_ciphers: Mapped[str | None] = mapped_column(sa.String(2048))
    tls_versions: Mapped[list] = mapped_column(default=list)
    alpn_protocols: Mapped[list] = mapped_column(default=list)
    hsts_max_age: Mapped[int | None]
    hsts_include_subdomains: Mapped[bool] = mapped_column(default=False)
    hsts_preload: Mapped[bool] = mapped_column(default=False)
    # Port of the HAProxy `peers` section (stick-table sync in a group).
    peer_port: Mapped[int | None]

    load_balancer: Mapped[LoadBalancer] = orm.relationship(
        back_populates='listeners')
    default_pool: Mapped['Pool | None'] = orm.relationship(
        foreign_keys=[default_pool_id], back_populates='listeners')
    l7policies: Mapped[list['L7Policy']] = orm.relationship(
        back_populates='listener', cascade='all, delete-orphan',
        order_by='L7Policy.position')


class Pool(CommonMixin, Base):
    __tablename__ = 'pool'
    protocol: Mapped[str] = mapped_column(
        _enum(c.POOL_PROTOCOLS, 'pool_protocol'))
    lb_algorithm: Mapped[str] = mapped_column(
        _enum(c.LB_ALGORITHMS, 'lb_algorithm'))
    load_balancer_id: Mapped[str] = mapped_column(
        sa.ForeignKey('load_balancer.id'), index=True)
    session_persistence: Mapped[dict | None]
    tls_enabled: Mapped[bool] = mapped_column(default=False)
    tls_container_ref: Mapped[str | None] = mapped_column(sa.String(255))
    ca_tls_container_ref: Mapped[str | None] = mapped_column(sa.String(255))
    crl_container_ref: Mapped[str | None] = mapped_column(sa.String(255))
    tls_ciphers: Mapped[str | None] = mapped_column(sa.String(2048))
    tls_versions: Mapped[list] = mapped_column(default=list)
    alpn_protocols: Mapped[list] = mapped_column(default=list)

    load_balancer: Mapped[LoadBalancer] = orm.relationship(
        back_populates='pools')
    listeners: Mapped[list[Listener]] = orm.relationship(
        foreign_keys=[Listener.default_pool_id],
        back_populates='default_pool')
    members: Mapped[list['Member']] = orm.relationship(
        back_populates='pool', cascade='all, delete-orphan',
        order_by='Member.created_at')
    health_monitor: Mapped['HealthMonitor | None'] = orm.relationship(
        back_populates='pool', uselist=False, cascade='all, delete-orphan')


class Member(CommonMixin, Base):
    __tablename__ = 'member'
    __table_args__ = (sa.UniqueConstraint(
        'pool_id', 'ip_address', 'protocol_port',
        name='uq_member_pool_address_port'),)
    pool_id: Mapped[str] = mapped_column(
        sa.ForeignKey('pool.id', ondelete='CASCADE'), index=True)
    subnet_id: Mapped[str | None] = mapped_column(sa.String(36))
    ip_address: Mapped[str] = mapped_column(sa.String(64))
    protocol_port: Mapped[int]
    weight: Mapped[int] = mapped_column(default=1)
    backup: Mapped[bool] = mapped_column(default=False)
    monitor_address: Mapped[str | None] = mapped_column(sa.String(64))
    monitor_port: Mapped[int | None]
    vnic_type: Mapped[str] = mapped_column(sa.String(64), default='normal')
    pool: Mapped[Pool] = orm.relationship(back_populates='members')


class HealthMonitor(CommonMixin, Base):
    __tablename__ = 'health_monitor'
    pool_id: Mapped[str] = mapped_column(
        sa.ForeignKey('pool.id', ondelete='CASCADE'), unique=True)
    type: Mapped[str] = mapped_column(
        _enum(c.HEALTH_MONITOR_TYPES, 'health_monitor_type'))
    delay: Mapped[int]
    timeout: Mapped[int]
    max_retries: Mapped[int]
    max_retries_down: Mapped[int] = mapped_column(default=3)
    http_method: Mapped[str | None] = mapped_column(sa.String(16))
    url_path: Mapped[str | None] = mapped_column(sa.String(2048))
    expected_codes: Mapped[str | None] = mapped_column(sa.String(64))
    http_version: Mapped[float | None]
    domain_name: Mapped[str | None] = mapped_column(sa.String(255))
    pool: Mapped[Pool] = orm.relationship(back_populates='health_monitor')


class L7Policy(CommonMixin, Base):
    __tablename__ = 'l7policy'
    listener_id: Mapped[str] = mapped_column(
        sa.ForeignKey('listener.id', ondelete='CASCADE'), index=True)
    action: Mapped[str] = mapped_column(
        _enum(c.L7POLICY_ACTIONS, 'l7policy_action'))
    position: Mapped[int] = mapped_column(default=1)
    redirect_pool_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey('pool.id'))
    redirect_url: Mapped[str | None] = mapped_column(sa.String(2048))
    redirect_prefix: Mapped[str | None] = mapped_column(sa.String(2048))
    redirect_http_code: Mapped[int | None]
    listener: Mapped[Listener] = orm.relationship(back_populates='l7policies')
    rules: Mapped[list['L7Rule']] = orm.relationship(
        back_populates='l7policy', cascade='all, delete-orphan',
        order_by='L7Rule.created_at')


class L7Rule(IdMixin, TimestampMixin, StatusMixin, Base):
    __tablename__ = 'l7rule'
    project_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    tags: Mapped[list] = mapped_column(default=list)
    l7policy_id: Mapped[str] = mapped_column(
        sa.ForeignKey('l7policy.id', ondelete='CASCADE'), index=True)
    type: Mapped[str] = mapped_column(_enum(c.L7RULE_TYPES, 'l7rule_type'))
    compare_type: Mapped[str] = mapped_column(
        _enum(c.L7RULE_COMPARE_TYPES, 'l7rule_compare_type'))
    key: Mapped[str | None] = mapped_column(sa.String(255))
    value: Mapped[str] = mapped_column(sa.String(255))
    invert: Mapped[bool] = mapped_column(default=False)
    l7policy: Mapped[L7Policy] = orm.relationship(back_populates='rules')


class Distributor(IdMixin, TimestampMixin, Base):
    __tablename__ = 'distributor'
    name: Mapped[str | None] = mapped_column(sa.String(255))
    compute_id: Mapped[str | None] = mapped_column(sa.String(36))
    lb_network_ip: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(
        _enum(c.AMPHORA_STATUSES, 'distributor_status'),
        default=c.PENDING_CREATE)
    role: Mapped[str] = mapped_column(
        _enum(c.DISTRIBUTOR_ROLES, 'distributor_role'),
        default=c.ROLE_STANDALONE)
    # The other member of a VRRP pair; both get the same registrations.
    peer_id: Mapped[str | None] = mapped_column(sa.String(36))
    vrrp_ip: Mapped[str | None] = mapped_column(sa.String(64))
    max_load_balancers: Mapped[int] = mapped_column(default=100)
    cert_expiration: Mapped[datetime.datetime | None]
    cert_busy: Mapped[bool] = mapped_column(default=False)
    fault: Mapped[str | None] = mapped_column(sa.String(1024))
    clusters: Mapped[list['Cluster']] = orm.relationship(
        back_populates='distributor')


class DistributorHealth(Base):
    __tablename__ = 'distributor_health'
    distributor_id: Mapped[str] = mapped_column(
        sa.ForeignKey('distributor.id', ondelete='CASCADE'),
        primary_key=True)
    last_update: Mapped[datetime.datetime]
    busy: Mapped[bool] = mapped_column(default=False)
    # (boot, seq) of the last heartbeat accepted: anything not newer is
    # a replay (octavia_aa.common.heartbeat).
    last_boot: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int | None] = mapped_column(sa.BigInteger)


class Cluster(IdMixin, TimestampMixin, Base):
    __tablename__ = 'cluster'
    cluster_name: Mapped[str | None] = mapped_column(sa.String(255))
    cluster_type: Mapped[str] = mapped_column(sa.String(36),
                                              default=c.CLUSTER_TYPE_L2)
    desired_size: Mapped[int]
    min_size: Mapped[int]
    standby_count: Mapped[int] = mapped_column(default=1)
    cooldown: Mapped[int] = mapped_column(default=60)
    affinity: Mapped[str] = mapped_column(
        _enum((c.AFFINITY_SOURCE_IP, c.AFFINITY_SOURCE_IP_PORT),
              'distributor_affinity'), default=c.AFFINITY_SOURCE_IP)
    last_resized_at: Mapped[datetime.datetime | None]
    load_balancer_id: Mapped[str] = mapped_column(
        sa.ForeignKey('load_balancer.id', ondelete='CASCADE'), unique=True)
    distributor_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey('distributor.id'), index=True)
    provisioning_status: Mapped[str] = mapped_column(
        _enum(c.PROVISIONING_STATUSES, 'provisioning_status'),
        default=c.PENDING_CREATE)
    operating_status: Mapped[str] = mapped_column(
        _enum(c.CLUSTER_OPERATING_STATUSES, 'cluster_operating_status'),
        default=c.OFFLINE)
    enabled: Mapped[bool] = mapped_column(default=True)
    fault: Mapped[str | None] = mapped_column(sa.String(1024))
    load_balancer: Mapped[LoadBalancer] = orm.relationship(
        back_populates='cluster')
    distributor: Mapped[Distributor | None] = orm.relationship(
        back_populates='clusters')

    def cooldown_left(self):
        """Seconds until this cluster may be resized again (0: now)."""
        if self.last_resized_at is None:
            return 0.0
        ready = self.last_resized_at + datetime.timedelta(
            seconds=self.cooldown)
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        return max(0.0, (ready - now).total_seconds())


class Amphora(IdMixin, TimestampMixin, Base):
    __tablename__ = 'amphora'
    load_balancer_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey('load_balancer.id'), index=True)
    compute_id: Mapped[str | None] = mapped_column(sa.String(36))
    status: Mapped[str] = mapped_column(
        _enum(c.AMPHORA_STATUSES, 'amphora_status'), default=c.BOOTING)
    role: Mapped[str | None] = mapped_column(
        _enum(c.AMPHORA_ROLES, 'amphora_role'))
    lb_network_ip: Mapped[str | None] = mapped_column(sa.String(64))
    # As upstream: vrrp_* is the amphora's own port on the VIP network,
    # ha_* the VIP (address and port) the amphorae of the load balancer
    # share.
    vrrp_ip: Mapped[str | None] = mapped_column(sa.String(64))
    ha_ip: Mapped[str | None] = mapped_column(sa.String(64))
    vrrp_port_id: Mapped[str | None] = mapped_column(sa.String(36))
    ha_port_id: Mapped[str | None] = mapped_column(sa.String(36))
    # Front-end MAC: where the distributor sends this amphora's flows.
    frontend_mac: Mapped[str | None] = mapped_column(sa.String(17))
    cert_expiration: Mapped[datetime.datetime | None]
    cert_busy: Mapped[bool] = mapped_column(default=False)
    vrrp_interface: Mapped[str | None] = mapped_column(sa.String(16))
    vrrp_id: Mapped[int | None]
    vrrp_priority: Mapped[int | None]
    cached_zone: Mapped[str | None] = mapped_column(sa.String(255))
    image_id: Mapped[str | None] = mapped_column(sa.String(36))
    compute_flavor: Mapped[str | None] = mapped_column(sa.String(255))
    fault: Mapped[str | None] = mapped_column(sa.String(1024))
    load_balancer: Mapped[LoadBalancer | None] = orm.relationship(
        back_populates='amphorae')


class AmphoraHealth(Base):
    __tablename__ = 'amphora_health'
    amphora_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    last_update: Mapped[datetime.datetime]
    busy: Mapped[bool] = mapped_column(default=False)
    # (boot, seq) of the last heartbeat accepted: anything not newer is
    # a replay (octavia_aa.common.heartbeat).
    last_boot: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int | None] = mapped_column(sa.BigInteger)


class ControllerClaim(Base):
    """Which controller process acts on a load balancer (and its
    cluster), until when.  A worker running a flow or a cluster-manager
    pass holds it and renews it; a claim past expires_at belongs to a
    process that died, and the next pass takes the object over."""
    __tablename__ = 'controller_claim'
    load_balancer_id: Mapped[str] = mapped_column(sa.String(36),
                                                  primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime.datetime]


class AmphoraRegistration(Base):
    """Where an amphora sits in its distributor's slot table."""
    __tablename__ = 'amphora_registration'
    __table_args__ = (sa.UniqueConstraint(
        'distributor_id', 'load_balancer_id', 'position',
        name='uq_registration_position'),)
    amphora_id: Mapped[str] = mapped_column(
        sa.ForeignKey('amphora.id', ondelete='CASCADE'), primary_key=True)
    load_balancer_id: Mapped[str] = mapped_column(
        sa.ForeignKey('load_balancer.id', ondelete='CASCADE'), index=True)
    distributor_id: Mapped[str] = mapped_column(
        sa.ForeignKey('distributor.id', ondelete='CASCADE'))
    position: Mapped[int]


class ListenerStatistics(Base):
    __tablename__ = 'listener_statistics'
    listener_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    amphora_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    bytes_in: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    bytes_out: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    active_connections: Mapped[int] = mapped_column(default=0)
    total_connections: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    request_errors: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class Quotas(Base):
    __tablename__ = 'quotas'
    project_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    load_balancer: Mapped[int | None]
    listener: Mapped[int | None]
    pool: Mapped[int | None]
    health_monitor: Mapped[int | None]
    member: Mapped[int | None]
    l7policy: Mapped[int | None]
    l7rule: Mapped[int | None]


class IpAllocation(Base):
    """IPAM: one row per address handed out of a configured subnet."""
    __tablename__ = 'ip_allocation'
    subnet_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    ip_address: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    port_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    owner: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(default=_now)
