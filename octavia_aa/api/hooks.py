"""Pecan hooks: the request context, and errors in Octavia's JSON shape."""
import json
import re
import urllib.parse

from oslo_db import exception as db_exc
from oslo_log import log as logging
from pecan import hooks
import webob

from octavia_aa.common import client_input
from octavia_aa.common import config
from octavia_aa.common import context
from octavia_aa.common import exceptions

CONF = config.CONF
BODY = 'octavia_aa.json_body'
LOG = logging.getLogger(__name__)


def fault_response(code, message):
    kind = 'Client' if code < 500 else 'Server'
    return webob.Response(
        status=code, content_type='application/json', charset='utf-8',
        body=json.dumps({'faultcode': kind, 'faultstring': message,
                         'debuginfo': None}).encode())


# Constraint violations the database reports, as the client's fault.
_DB_FAULTS = {
    db_exc.DBDuplicateEntry: (409, 'An object with these values already '
                                   'exists.'),
    db_exc.DBReferenceError: (409, 'The request refers to an object that '
                                   'is gone or still in use.'),
    db_exc.DBDataError: (400, 'A value does not fit the database column '
                              'it is stored in.'),
}


class InputHook(hooks.PecanHook):
    """The path and query string are UTF-8 text with no control
    characters (a NUL in an id or a filter would reach the database)."""
    priority = 5

    # on_route: before pecan's routing reads the query string.
    def on_route(self, state):
        environ = state.request.environ
        raw = [environ.get('PATH_INFO', '')] + [
            urllib.parse.unquote_plus(part, encoding='latin-1')
            for part in re.split('[&=]', environ.get('QUERY_STRING', ''))]
        for text in raw:
            try:
                text = text.encode('latin-1').decode('utf-8')
            except UnicodeError as e:
                raise exceptions.ValidationError(
                    'the URL is not UTF-8: %s' % e)
            client_input.check_text('URL', text)
        # Pecan decodes a JSON body itself during routing (for keyword
        # arguments) and fails on what it cannot decode: the body is
        # checked, and decoded once, before.
        req = state.request
        if req.method == 'GET':
            return
        if req.content_type in ('application/json',
                                'application/javascript'):
            environ[BODY] = client_input.loads(req.body or b'null')
            return
        # Other bodies pecan parses as a form: one it cannot is a 400.
        try:
            req.POST
        except ValueError as e:
            raise exceptions.ValidationError(
                'the body cannot be read as %s: %s' % (req.content_type, e))


class ContextHook(hooks.PecanHook):
    priority = 10

    def before(self, state):
        ctx = context.RequestContext.from_request(state.request.environ)
        # From X-Project-Id without Keystone: it ends up in project_id
        # columns, so it must fit them.
        client_input.check_project_id('X-Project-Id', ctx.project_id)
        state.request.context['octavia_context'] = ctx


class ErrorHook(hooks.PecanHook):
    priority = 20

    def on_error(self, state, exc):
        if isinstance(exc, exceptions.OctaviaAAError):
            if exc.code >= 500:
                LOG.error('%s %s failed: %s', state.request.method,
                          state.request.path, exc)
            resp = fault_response(exc.code, exc.message)
            if isinstance(exc, exceptions.MethodNotAllowed):
                resp.headers['Allow'] = ', '.join(exc.allowed)
            return resp
        if isinstance(exc, webob.exc.HTTPException):
            if exc.code == 405:
                return fault_response(405, 'Method %s is not allowed here.'
                                      % state.request.method)
            return fault_response(exc.code, message_for(
                exc.code, exc.explanation or exc.title))
        db_fault = _DB_FAULTS.get(type(exc))
        if db_fault is not None:
            # A check the API missed (or lost a race with another
            # request): still the client's 4xx, but logged so the check
            # gets added.
            LOG.warning('%s %s hit the database\'s own check: %s',
                        state.request.method, state.request.path, exc)
            return fault_response(*db_fault)
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


# Where a status comes with no message of ours.
_MESSAGES = {
    413: 'Request is too large: the body may have at most %(body)d bytes.',
    406: 'Only application/json is served.',
    414: 'The request URL is too long.',
    431: 'The request headers are too large.',
}


def message_for(code, fallback):
    text = _MESSAGES.get(code)
    if text is None:
        return fallback
    return text % {
        'body': CONF.oslo_middleware.max_request_body_size}


def json_faults(app):
    """WSGI middleware: an error answered below the Pecan application
    (oslo.middleware's size limit renders webob's HTML or its own JSON)
    becomes Octavia's JSON fault.  keystonemiddleware's 401 body is kept:
    clients read it as it is."""

    def wrapper(environ, start_response):
        if environ.get('PATH_INFO') == '/healthcheck' or environ.get(
                'REQUEST_METHOD') == 'HEAD':
            return app(environ, start_response)
        seen = {}

        def capture(status, headers, exc_info=None):
            code = int(status.split(' ', 1)[0])
            if code < 400 or code == 401:
                return start_response(status, headers, exc_info)
            seen['status'], seen['headers'] = status, headers
            return lambda data: seen.setdefault('written', []).append(data)

        result = app(environ, capture)
        if not seen:
            return result
        try:
            body = b''.join(seen.get('written', []) + list(result))
        finally:
            if hasattr(result, 'close'):
                result.close()
        status = seen['status']
        if _is_fault(body):
            start_response(status, seen['headers'])
            return [body]
        code, _, reason = status.partition(' ')
        resp = fault_response(int(code), message_for(int(code), reason))
        kept = [(k, v) for k, v in seen['headers']
                if k.lower() not in ('content-type', 'content-length')]
        start_response(status, kept + [
            ('Content-Type', resp.content_type),
            ('Content-Length', str(len(resp.body)))])
        return [resp.body]
    return wrapper


def _is_fault(body):
    try:
        return 'faultcode' in json.loads(body)
    except (ValueError, TypeError):
        return False
