"""Certificate managers: where the TLS container references of listeners
and pools (default_tls_container_ref, sni_container_refs, client CA/CRL,
pool TLS/CA/CRL) are resolved into the PEM files HAProxy reads.

`local_cert_manager` reads a directory on the controller,
`castellan_cert_manager` reads secrets from Barbican (or any castellan
key manager) as the service user, `noop_cert_manager` resolves every
reference to a throwaway certificate.  Chosen by [certificates]
cert_manager; loaded through octavia_aa.common.drivers.
"""
