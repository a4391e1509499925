"""A listener's connection_limit is the load balancer's, not each
amphora's: HAProxy's maxconn is per process, so the limit is divided over
the amphorae that serve at the same time (the topology's limit_sharers).

Shares are whole numbers that add up to the limit: each sharer gets
limit // n, and the first limit % n of them (by id, so every push gives
the same answer) one more.  An amphora that serves only in place of
another (the ACTIVE_ACTIVE standby) gets the smallest share, so promoting
it before the next division never takes the total over the limit; the
configuration push that follows every failover and resize divides again.
A limit smaller than the number of sharers still gives each one
connection (HAProxy has no "none"): the load balancer then serves up to
n, never 0.
"""
import copy


def share(limit, amphora_id, sharer_ids):
    """This amphora's part of `limit` (-1: unlimited stays so)."""
    if limit is None or limit < 0 or not sharer_ids:
        return limit
    ids = sorted(sharer_ids)
    base, extra = divmod(limit, len(ids))
    part = base
    if amphora_id in ids and ids.index(amphora_id) < extra:
        part += 1
    return max(part, 1) if limit > 0 else limit


def for_amphora(config, amphora, amphorae, strategy):
    """The configuration `amphora` gets (config itself when nothing is
    divided)."""
    sharers = [a.id for a in strategy.limit_sharers(amphorae)]
    if len(sharers) < 2 or not any(
            (lst.get('connection_limit') or -1) > 0
            for lst in config.get('listeners', [])):
        return config
    out = copy.deepcopy(config)
    for lst in out['listeners']:
        lst['connection_limit'] = share(lst.get('connection_limit'),
                                        amphora.id, sharers)
    return out
