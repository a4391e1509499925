"""The OpenAPI document: generated from the field declarations, served at
/v2/openapi.json without a token, committed as etc/openapi.json (current:
regenerate with tools/generate-samples.sh), and true to the API."""
import inspect
import os
import subprocess
import sys

import pytest

from octavia_aa.api import openapi
from octavia_aa.api.v2 import controllers
from octavia_aa.api.v2.controllers import base
from tests.functional.api import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    __file__))))


def test_committed_document_is_current(tmp_path):
    out = tmp_path / 'openapi.json'
    subprocess.run([sys.executable, '-m', 'octavia_aa.api.openapi',
                    '--output-file', str(out)], check=True, cwd=ROOT)
    with open(os.path.join(ROOT, 'etc', 'openapi.json')) as committed:
        assert out.read_text() == committed.read(), (
            'etc/openapi.json is stale: run tools/generate-samples.sh')


def test_served_document_is_the_generated_one(api):
    for prefix in ('/v2', '/v2.0'):
        assert api.get(prefix + '/openapi.json').json == \
            openapi.document()
    api.post(openapi.PATH, status=405)


def test_served_without_a_token_under_keystone(database, overrides):
    full = helpers.keystone_app(overrides)
    assert full.get(openapi.PATH).json['openapi'].startswith('3.')
    full.get('/v2/lbaas/loadbalancers', status=401)


def _mounted():
    """Every ResourceController reachable from /v2 by attribute."""
    found = set()
    for holder in (controllers.LbaasController, controllers.OctaviaController):
        for value in vars(holder).values():
            if isinstance(value, base.ResourceController):
                found.add(type(value))
    return found


def test_every_resource_is_described():
    described = {controller for _, controller, _, _ in openapi.RESOURCES}
    assert _mounted() <= described
    # Nested ones (members, rules) are listed explicitly.
    for name, cls in vars(controllers).items():
        if inspect.ismodule(cls):
            for value in vars(cls).values():
                if inspect.isclass(value) and issubclass(
                        value, base.ResourceController) and getattr(
                        value, 'spec', None) is not None:
                    assert value in described, value


@pytest.mark.parametrize('path,controller,id_name,tag', openapi.RESOURCES)
def test_methods_match_the_controller(path, controller, id_name, tag):
    paths = openapi.document()['paths']
    item = '%s/{%s}' % (path, id_name)
    assert set(paths[path]) - {'put'} == {
        m.lower() for m in controller.methods(False)}
    assert set(paths[item]) == {m.lower() for m in controller.methods(True)}


def test_field_limits_are_in_the_document():
    doc = openapi.document()
    post = doc['paths']['/v2/lbaas/listeners']['post']
    body = post['requestBody']['content']['application/json']['schema']
    props = body['properties']['listener']['properties']
    assert props['connection_limit'] == {'type': 'integer', 'minimum': -1,
                                         'maximum': 2 ** 31 - 1}
    assert props['protocol']['enum'][0] == 'HTTP'
    assert 'protocol' in body['properties']['listener']['required']
    assert props['name']['maxLength'] == 255
    assert props['name']['nullable'] is True
    filters = {p['name']: p['schema'] for p in doc['paths'][
        '/v2/lbaas/listeners']['get']['parameters']}
    assert filters['created_at'] == {'type': 'string', 'format': 'date-time'}
    assert 'insert_headers' not in filters
    assert doc['paths']['/v2/lbaas/listeners/{listener_id}']['put'][
        'responses']['400']['content']['application/json']['schema'] == {
        '$ref': '#/components/schemas/Fault'}


def test_document_is_valid_openapi():
    import schemathesis
    schema = schemathesis.openapi.from_dict(openapi.document())
    results = list(schema.get_all_operations())
    assert results and all(r.ok() for r in results)
