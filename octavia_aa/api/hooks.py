"""Pecan hooks: the request context, and errors in Octavia's JSON shape."""
import json

from oslo_log import log as logging
from pecan import hooks
import webob

from octavia_aa.common import context
from octavia_aa.common import exceptions

LOG = logging.getLogger(__name__)


def fault_response(code, message):
    kind = 'Client' if code < 500 else 'Server'
    return webob.Response(
        status=code, content_type='application/json', charset='utf-8',
        body=json.dumps({'faultcode': kind, 'faultstring': message,
                         'debuginfo': None}).encode())


class ContextHook(hooks.PecanHook):
    priority = 10

    def before(self, state):
        state.request.context['octavia_context'] = \
            context.RequestContext.from_request(state.request.environ)


class ErrorHook(hooks.PecanHook):
    priority = 20

    def on_error(self, state, exc):
        if isinstance(exc, exceptions.OctaviaAAError):
            if exc.code >= 500:
                LOG.error('%s %s failed: %s', state.request.method,
                          state.request.path, exc)
            return fault_response(exc.code, exc.message)
        if isinstance(exc, webob.exc.HTTPException):
            return fault_response(exc.code, exc.explanation or exc.title)
        LOG.exception('Unexpected error on %s %s', state.request.method,
                      state.request.path)
        return fault_response(500, 'An unexpected error occurred.')

    def after(self, state):
        # pecan answers unknown paths with an HTML page; the CLI shows
        # faultstring, so every error is JSON.
        resp = state.response
        if resp.status_int >= 400 and not resp.content_type.endswith(
                'json'):
            new = fault_response(resp.status_int, resp.status.split(' ', 1)[
                -1] if resp.status else 'Error')
            resp.body = new.body
            resp.content_type = 'application/json'
