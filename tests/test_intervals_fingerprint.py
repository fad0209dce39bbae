"""scoring.intervals.ranked_set_fingerprint: order-free, and any change of the set or a score changes it."""

from scoring.intervals import ranked_set_fingerprint


def test_order_does_not_matter():
    assert ranked_set_fingerprint([(1, "a"), (2, "b")]) == ranked_set_fingerprint([(2, "b"), (1, "a")])


def test_a_changed_score_or_member_changes_it():
    base = ranked_set_fingerprint([(1, "a"), (2, "b")])
    assert ranked_set_fingerprint([(1, "a"), (2, "c")]) != base
    assert ranked_set_fingerprint([(1, "a")]) != base
    assert ranked_set_fingerprint([(1, "a"), (2, "b"), (3, "c")]) != base
    assert len(base) == 64
