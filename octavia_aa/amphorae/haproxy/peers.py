"""Peer groups: which amphorae of a cluster sync their stick tables.

Full-mesh stick-table sync over N amphorae costs N-1 copies of every
update on each of them (the active-active spec rejects it).  Instead the
cluster is cut into groups of 2-3 amphorae; a flow's persistence entry
then survives the loss of its amphora as long as the distributor sends
the flow to a peer of the same group (the standby rotation does).
"""
import math


def groups(amphora_ids):
    """Split ids (sorted, so every amphora computes the same answer) into
    groups of 2 or 3; a single amphora gets no group."""
    ids = sorted(amphora_ids)
    if len(ids) < 2:
        return [ids] if ids else []
    count = math.ceil(len(ids) / 3)
    size, extra = divmod(len(ids), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(ids[start:end])
        start = end
    return out


def group_of(amphora_id, amphorae):
    """The peers (objects with .id) in the same group as amphora_id,
    itself included, in id order; [] when it has no group."""
    by_id = {a.id: a for a in amphorae}
    by_id.setdefault(amphora_id, None)
    for group in groups(by_id):
        if amphora_id in group and len(group) > 1:
            return [by_id[i] for i in group]
    return []
