"""The root: version discovery, and /v2 and /v2.0."""
import pecan

from octavia_aa.api.v2 import controllers as v2
from octavia_aa.common import config

CONF = config.CONF

# Same version list as upstream Octavia: clients pick features by it.
VERSIONS = [('v2.0', '2016-12-11'), ('v2.1', '2018-04-20'),
             ('v2.2', '2018-07-31'), ('v2.3', '2018-12-18'),
             ('v2.4', '2018-12-19'), ('v2.5', '2019-01-21'),
             ('v2.6', '2019-01-25'), ('v2.7', '2018-01-25'),
             ('v2.8', '2019-02-12'), ('v2.9', '2019-03-04'),
             ('v2.10', '2019-03-05'), ('v2.11', '2019-06-24'),
             ('v2.12', '2019-09-11'), ('v2.13', '2019-09-13'),
             ('v2.14', '2019-11-10'), ('v2.15', '2020-03-10'),
             ('v2.16', '2020-03-15'), ('v2.17', '2020-04-29'),
             ('v2.18', '2020-04-29'), ('v2.19', '2020-05-12'),
             ('v2.20', '2020-08-02'), ('v2.21', '2020-09-03'),
             ('v2.22', '2020-09-04'), ('v2.23', '2020-09-07'),
             ('v2.24', '2020-10-15'), ('v2.25', '2021-10-02'),
             ('v2.26', '2022-08-29'), ('v2.27', '2023-05-05'),
             ('v2.28', '2023-11-08'), ('v2.29', '2024-10-15'),
             ('v2.30', '2025-02-26')]


class RootController:

    @pecan.expose('json')
    def index(self):
        host = (CONF.api_settings.api_base_uri
                or pecan.request.host_url).rstrip('/')
        last = len(VERSIONS) - 1
        return {'versions': [
            {'id': vid, 'status': 'CURRENT' if i == last else 'SUPPORTED',
             'updated': '%sT00:00:00Z' % day,
             'links': [{'href': host + '/v2', 'rel': 'self'}]}
            for i, (vid, day) in enumerate(VERSIONS)]}


class OpenApiController:
    """GET /v2/openapi.json: the API's OpenAPI document."""

    @pecan.expose('json')
    def index(self):
        from octavia_aa.api import openapi
        from octavia_aa.api.v2.controllers import base
        base.allow('GET')
        return openapi.document()


def _v2():
    return v2.V2Controller()


pecan.route(v2.V2Controller, 'openapi.json', OpenApiController())


pecan.route(RootController, 'v2', _v2())
pecan.route(RootController, 'v2.0', _v2())
