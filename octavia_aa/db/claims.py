"""Row claims on load balancers (controller_claim), so that of several
worker processes only one acts on a load balancer and its cluster at a
time.

A claim is one atomic UPDATE ... WHERE (owner is me OR expired), or an
INSERT when there is no row yet; both are plain SQL, so they behave the
same on SQLite, MariaDB and PostgreSQL.  The owner is [DEFAULT] host: a
restarted worker takes back its own claims at once (to resume its
flows), the others wait for them to expire.  Inside one process a lock
set keeps two threads (an RPC flow and a reconcile pass) apart, since
they share the owner name.  A keeper thread renews every held claim, so
expires_at running out means the holder died.
"""
import contextlib
import datetime
import logging
import threading
import time

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.db import api as db_api
from octavia_aa.db import models

CONF = config.CONF
LOG = logging.getLogger(__name__)
Claim = models.ControllerClaim


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _ttl():
    return datetime.timedelta(seconds=CONF.cluster_manager.claim_timeout)


def try_claim(lb_id, owner):
    """True if `owner` now holds the claim on lb_id."""
    now = _utcnow()
    try:
        with db_api.session_scope() as session:
            taken = session.execute(
                sa.update(Claim)
                .where(Claim.load_balancer_id == lb_id,
                       sa.or_(Claim.owner == owner, Claim.expires_at < now))
                .values(owner=owner, expires_at=now + _ttl())
                .execution_options(synchronize_session=False)).rowcount
            if taken:
                return True
            if session.get(Claim, lb_id) is not None:
                return False
            session.add(Claim(load_balancer_id=lb_id, owner=owner,
                              expires_at=now + _ttl()))
        return True
    except (db_exc.DBDuplicateEntry, db_exc.DBDeadlock,
            sa.exc.IntegrityError):
        # Another process inserted the row between our UPDATE and INSERT
        # (MariaDB reports the gap-lock conflict of that race as a
        # deadlock): it won.
        return False


@oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True)
def renew(lb_ids, owner):
    if not lb_ids:
        return
    with db_api.session_scope() as session:
        session.execute(
            sa.update(Claim)
            .where(Claim.load_balancer_id.in_(list(lb_ids)),
                   Claim.owner == owner)
            .values(expires_at=_utcnow() + _ttl())
            .execution_options(synchronize_session=False))


@oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True)
def release(lb_id, owner):
    with db_api.session_scope() as session:
        session.execute(sa.delete(Claim).where(
            Claim.load_balancer_id == lb_id, Claim.owner == owner))


def drop(session, lb_id):
    """Whoever holds it: the load balancer's row is going (the holder's
    release then finds nothing to delete)."""
    session.execute(sa.delete(Claim).where(Claim.load_balancer_id == lb_id))


def live_claims():
    """{load_balancer_id: owner} of the claims not expired."""
    with db_api.session_scope() as session:
        return dict(session.execute(
            sa.select(Claim.load_balancer_id, Claim.owner)
            .where(Claim.expires_at >= _utcnow())).all())


@contextlib.contextmanager
def always():
    """A hold() for work on no load balancer."""
    yield True


class Claims:
    """The claims of this process, renewed in the background."""

    def __init__(self, owner=None):
        self.owner = owner or CONF.host
        # lb_id -> ident of the thread holding it here.
        self._held = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer = None

    def _ensure_renewer(self):
        if self._renewer is None or not self._renewer.is_alive():
            self._stop.clear()
            self._renewer = threading.Thread(target=self._renew_loop,
                                             name='claim-renew', daemon=True)
            self._renewer.start()

    def _renew_loop(self):
        while not self._stop.wait(CONF.cluster_manager.claim_timeout / 4.0):
            with self._lock:
                held = list(self._held)
            try:
                renew(held, self.owner)
            except Exception:
                LOG.exception('Renewing claims %s failed', held)

    def acquire(self, lb_id):
        with self._lock:
            if lb_id in self._held:
                return False
            self._held[lb_id] = threading.get_ident()
        try:
            if try_claim(lb_id, self.owner):
                with self._lock:
                    self._ensure_renewer()
                return True
        except Exception:
            LOG.exception('Claiming load balancer %s failed', lb_id)
        with self._lock:
            self._held.pop(lb_id, None)
        return False

    def release(self, lb_id):
        try:
            release(lb_id, self.owner)
        finally:
            with self._lock:
                self._held.pop(lb_id, None)

    def mine(self, lb_id):
        """Whether the current thread holds the claim on lb_id."""
        with self._lock:
            return self._held.get(lb_id) == threading.get_ident()

    @contextlib.contextmanager
    def hold(self, lb_id, wait=0.0):
        """Yields True with the claim held, False if it could not be
        taken within `wait` seconds.  Re-entrant in one thread (a reconcile
        pass runs the worker's flows under its own claim)."""
        if self.mine(lb_id):
            yield True
            return
        deadline = time.monotonic() + wait
        got = self.acquire(lb_id)
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
            got = self.acquire(lb_id)
        try:
            yield got
        finally:
            if got:
                self.release(lb_id)

    def close(self):
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
