"""SIGHUP: re-read the config files and apply the options marked mutable.

Five options are documented as changeable without a restart: [DEFAULT]
debug and log_config_append (oslo.log applies them through its own mutate
hook) and [health_manager] controller_ip_port_list, heartbeat_interval and
heartbeat_key (read where they are used, or applied by a hook of the
service that caches them, such as the heartbeat receiver's key).  Any
other option that changed is reported by oslo.config as needing a restart
and keeps its value.
"""
import logging
import signal
import threading

from octavia_aa.common import config

CONF = config.CONF
LOG = logging.getLogger(__name__)
_lock = threading.Lock()


def reload_config():
    """Re-read the config files once; returns {(group, name): (old, new)}
    of the mutable options that changed."""
    # One reload at a time: two SIGHUPs in a row must not interleave.
    with _lock:
        LOG.info('Reloading the mutable options from %s',
                 ', '.join(CONF.config_file) or 'no config file')
        # oslo.config logs each change with its old and new values at
        # INFO, secrets (heartbeat_key) included: we log names only.
        # Its WARNINGs (an immutable option changed) still come through.
        cfg_log = logging.getLogger('oslo_config.cfg')
        level = cfg_log.level
        cfg_log.setLevel(logging.WARNING)
        try:
            changed = CONF.mutate_config_files()
        except Exception:
            LOG.exception('Reloading the config files failed; the options '
                          'keep their values')
            return {}
        finally:
            cfg_log.setLevel(level)
    LOG.info('Reloaded: %s', ', '.join(
        '%s.%s' % (group or 'DEFAULT', name)
        for group, name in sorted(changed, key=str)) or 'nothing changed')
    # Seen only once [DEFAULT] debug is on (oslo.log's own hook applied it).
    LOG.debug('Debug logging is on')
    return changed


def on_sighup():
    """Reload on SIGHUP from now on (call it in the main thread).  The
    reload runs in a thread of its own: the handler interrupts the main
    thread anywhere, possibly inside a logging call holding its lock."""
    def _handler(_signum, _frame):
        threading.Thread(target=reload_config, name='config-reload',
                         daemon=True).start()
    signal.signal(signal.SIGHUP, _handler)
