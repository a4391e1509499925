"""Property tests of the consistent slot table (distributor_agent.slots)."""
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from distributor_agent import slots

M = slots.DEFAULT_SLOTS
SMALL = 1031   # a second prime, so nothing depends on one lucky M


def _changed(a, b):
    return [i for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_prefix_sets_are_balanced_to_one_percent():
    for n in range(1, 17):
        counts = slots.shares(slots.compute(M, range(n)))
        assert sorted(counts) == list(range(n))
        assert max(counts.values()) / (M / n) <= 1.01
        assert max(counts.values()) - min(counts.values()) <= 1


position_sets = st.sets(st.integers(0, 23), min_size=2, max_size=16)


@settings(max_examples=60, deadline=None)
@given(position_sets, st.data())
def test_failing_k_moves_only_ks_slots(active, data):
    k = data.draw(st.sampled_from(sorted(active)))
    before = slots.compute(M, active)
    after = slots.compute(M, active, down=[k])
    moved = _changed(before, after)
    assert moved == [i for i, p in enumerate(before) if p == k]
    assert k not in after


@settings(max_examples=60, deadline=None)
@given(position_sets, st.data())
def test_unregistering_k_moves_only_ks_slots(active, data):
    k = data.draw(st.sampled_from(sorted(active)))
    before = slots.compute(SMALL, active)
    after = slots.compute(SMALL, active - {k})
    assert all(before[i] == k for i in _changed(before, after))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 16), st.data())
def test_failed_slots_spread_evenly_over_survivors(n, data):
    k = data.draw(st.integers(0, n - 1))
    before = slots.compute(M, range(n))
    after = slots.compute(M, range(n), down=[k])
    got = slots.shares([after[i] for i in _changed(before, after)])
    assert sorted(got) == [p for p in range(n) if p != k]
    assert max(got.values()) - min(got.values()) <= 2
    assert max(slots.shares(after).values()) / (M / (n - 1)) <= 1.01


@settings(max_examples=40, deadline=None)
@given(position_sets, st.integers(24, 30), st.data())
def test_failed_slots_go_to_the_standby(active, standby, data):
    k = data.draw(st.sampled_from(sorted(active)))
    before = slots.compute(M, active, standby=[standby])
    after = slots.compute(M, active, down=[k], standby=[standby])
    moved = _changed(before, after)
    assert moved == [i for i, p in enumerate(before) if p == k]
    assert {after[i] for i in moved} == {standby}
    assert standby not in before


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 15))
def test_adding_moves_about_m_over_n_plus_1_to_the_newcomer(n):
    before = slots.compute(M, range(n))
    after = slots.compute(M, range(n + 1))
    moved = _changed(before, after)
    assert {after[i] for i in moved} == {n}
    assert abs(len(moved) - M / (n + 1)) <= 1


@settings(max_examples=40, deadline=None)
@given(position_sets, st.integers(0, 30))
def test_adding_any_position_moves_slots_only_to_it(active, new):
    before = slots.compute(SMALL, active - {new})
    after = slots.compute(SMALL, active | {new})
    assert all(after[i] == new for i in _changed(before, after))


@settings(max_examples=30, deadline=None)
@given(position_sets, st.data())
def test_order_of_failures_does_not_matter(active, data):
    down = data.draw(st.lists(st.sampled_from(sorted(active)), unique=True,
                              max_size=len(active) - 1))
    a = slots.compute(SMALL, active, down=down)
    b = slots.compute(SMALL, sorted(active, reverse=True),
                      down=list(reversed(down)))
    assert a == b
    assert not set(down) & set(a)


@settings(max_examples=20, deadline=None)
@given(st.sets(st.integers(0, 20), min_size=1, max_size=16))
def test_two_distributors_build_byte_identical_tables(active):
    # A fresh Preferences object is what a replacement distributor has;
    # the cached one was extended in another order by earlier examples.
    fresh = slots.Preferences(SMALL)
    a = slots.compute(SMALL, active, prefs=fresh)
    b = slots.compute(SMALL, sorted(active, reverse=True))
    macs = ['02:00:00:00:00:%02x' % p for p in a]
    assert a == b
    assert slots.digest(macs) == slots.digest(
        ['02:00:00:00:00:%02x' % p for p in b])
