"""Keystone side of the devcloud: service users, catalog, the octavia user.

Run with the devcloud venv's python; reads its settings from the
environment (set by up.sh) and only creates what is missing, so running it
again is harmless. One process with openstacksdk instead of ~40 CLI calls
(each CLI start costs ~2 s here).
"""
import os

import openstack

env = os.environ
conn = openstack.connect(cloud='devcloud-admin')
idp = conn.identity
REGION = env['REGION']


def find_or_create(find, create, name, **attrs):
    obj = find(name, ignore_missing=True)
    return obj if obj is not None else create(name=name, **attrs)


default = idp.find_domain('Default')
service = find_or_create(idp.find_project, idp.create_project, 'service',
                         domain_id=default.id, description='devcloud services')
admin_role = idp.find_role('admin')
roles = {r.name: r for r in idp.roles()}
for extra in ('service', 'member', 'reader', 'load-balancer_admin',
              'load-balancer_member'):
    if extra not in roles:
        roles[extra] = idp.create_role(name=extra)


def user_with_admin(name, password):
    user = idp.find_user(name, domain_id=default.id, ignore_missing=True)
    if user is None:
        user = idp.create_user(name=name, password=password,
                               domain_id=default.id,
                               default_project_id=service.id)
    else:
        # Keep the password the one this run was given.
        idp.update_user(user, password=password)
    for role in (admin_role, roles['service']):
        idp.assign_project_role_to_user(service, user, role)
    return user


for name in ('glance', 'placement', 'nova', 'neutron'):
    user_with_admin(name, env['SERVICE_PASSWORD'])
user_with_admin('octavia', env['OCTAVIA_PASSWORD'])

CATALOG = [
    ('glance', 'image', env['GLANCE_URL']),
    ('placement', 'placement', env['PLACEMENT_URL']),
    ('nova', 'compute', env['NOVA_URL']),
    ('neutron', 'network', env['NEUTRON_URL']),
    ('octavia', 'load-balancer', env['OCTAVIA_URL']),
]
services = {s.type: s for s in idp.services()}
for name, stype, url in CATALOG:
    svc = services.get(stype)
    if svc is None:
        svc = idp.create_service(name=name, type=stype, enabled=True)
    have = {e.interface: e for e in idp.endpoints(service_id=svc.id)}
    for interface in ('public', 'internal', 'admin'):
        ep = have.get(interface)
        if ep is None:
            idp.create_endpoint(service_id=svc.id, interface=interface,
                                url=url, region_id=REGION)
        elif ep.url != url:
            idp.update_endpoint(ep, url=url)
print('identity: service project %s, catalog of %d services'
      % (service.id, len(CATALOG) + 1))
