"""The words the agents and the controller exchange: in heartbeats and
in the agents' REST bodies.  Both agents (in the image, which ships
octavia_aa.common) and the controller import them from here, so a word
is spelt once and a change to it shows on both sides of the wire.

Only plain strings and numbers: this module imports nothing (the agents
must not pull in the controller's dependencies).
"""

# The agents' REST API version (the path prefix the controller calls).
AGENT_API_VERSION = 'v1'

# -- heartbeats (octavia_aa.common.heartbeat signs and stamps them) -------
# An amphora's message: upstream Octavia's version 3 (counters are deltas).
AMPHORA_MSG_VERSION = 3
# A distributor's message carries its type and its own version.
DISTRIBUTOR_TYPE = 'distributor'
DISTRIBUTOR_MSG_VERSION = 1

# HAProxy's words an amphora reports (upstream's health message).
LISTENER_OPEN = 'OPEN'
LISTENER_FULL = 'FULL'
POOL_UP = 'UP'
POOL_DOWN = 'DOWN'
MEMBER_UP = 'UP'
MEMBER_DOWN = 'DOWN'
MEMBER_DRAIN = 'DRAIN'
MEMBER_MAINT = 'MAINT'
MEMBER_NO_CHECK = 'no check'

# -- the distributor's amphorae -------------------------------------------
# An amphora's role in a distributor's slot table (the controller maps
# IN_CLUSTER / IN_CLUSTER_STANDBY onto these).
SLOT_ACTIVE = 'ACTIVE'
SLOT_STANDBY = 'STANDBY'
SLOT_ROLES = (SLOT_ACTIVE, SLOT_STANDBY)
# An amphora's state as the distributor reports it: FAILED means its
# prober gave up on it and its slots moved (the controller replaces it).
AMPHORA_UP = 'UP'
AMPHORA_DRAINING = 'DRAINING'
AMPHORA_FAILED = 'FAILED'

# A distributor's VRRP state (keepalived's words) in its heartbeat.
VRRP_MASTER = 'MASTER'
VRRP_BACKUP = 'BACKUP'
VRRP_FAULT = 'FAULT'
