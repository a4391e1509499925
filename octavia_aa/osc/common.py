"""What the plugin's commands share: the client, waiting for a status,
and the column formatting of python-octaviaclient's commands."""
import time

from cliff import columns
from octaviaclient.api.v2 import octavia
from octaviaclient.osc.v2 import utils as v2_utils
from osc_lib import exceptions as osc_exc
from osc_lib import utils


class AmphoraeColumn(columns.FormattableColumn):
    """A cluster's amphorae, one `id role status` a line (-f json keeps
    the objects)."""

    def human_readable(self):
        return '\n'.join('%(id)s %(role)s %(status)s' % a
                         for a in self._value or ())


LIST_FORMATTERS = {'amphorae': AmphoraeColumn,
                   'load_balancers': v2_utils.ListColumn}

# As the stock --wait, but polling every second (it polls every 3).
WAIT_INTERVAL = 1.0
WAIT_TIMEOUT = 600


def client(app):
    return app.client_manager.octavia_aa


def add_wait(parser, what='the object is ACTIVE'):
    parser.add_argument('--wait', action='store_true',
                        help='Wait until %s.' % what)


def wait_for(get, field, done=('ACTIVE',), failed=('ERROR',)):
    """Poll get() until its field is in done; a status in failed, or the
    timeout, is an error naming the status (and the fault, if any)."""
    deadline = time.monotonic() + WAIT_TIMEOUT
    while True:
        obj = get()
        if obj[field] in done:
            return obj
        if obj[field] in failed or time.monotonic() > deadline:
            raise osc_exc.CommandError(
                '%s is %s%s' % (obj['id'], obj[field],
                                ': %s' % obj['fault'] if obj.get('fault')
                                else ''))
        time.sleep(WAIT_INTERVAL)


def show(obj, columns):
    """(columns, values) of a ShowOne: the object's fields in order."""
    return columns, utils.get_dict_properties(obj, columns,
                                              formatters=LIST_FORMATTERS)


def listing(objs, columns):
    return columns, (utils.get_dict_properties(o, columns,
                                               formatters=LIST_FORMATTERS)
                     for o in objs)


def admin_only(list_f):
    """Amphorae, clusters and distributors are admin resources: for
    anyone else they are left out, not an error."""
    try:
        return list_f()
    except octavia.OctaviaClientException as e:
        if e.code == 403:
            return []
        raise
