"""The prober settings the controller sent.

The controller sends its [distributor_probes] settings with every VIP
plug; they are kept next to the state file so a restarted agent probes
the same way before the next plug.  The agent's own [distributor_prober]
options only apply until then.
"""
import json
import logging
import os

from distributor_agent import errors
from distributor_agent import schema

LOG = logging.getLogger(__name__)


def _path(state_file):
    return state_file + '.prober'


def load(conf):
    p = conf.distributor_prober
    settings = {'interval': p.interval, 'timeout': p.timeout,
                'fall': p.fall}
    path = _path(conf.distributor_agent.state_file)
    try:
        with open(path) as f:
            settings.update(schema.prober(json.load(f)))
    except FileNotFoundError:
        pass
    except (ValueError, errors.BadRequest) as exc:
        LOG.error('ignoring %s: %s', path, exc)
    return settings


def save(state_file, settings):
    tmp = _path(state_file) + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(settings, f)
    os.replace(tmp, _path(state_file))
