"""The statements each component needs, as named functions, one module
per entity: callers outside octavia_aa/db/ build no SQL of their own
(status transitions are db/lifecycle.py's, claims db/claims.py's)."""
