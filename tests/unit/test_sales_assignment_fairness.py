"""The weighted round-robin cycle of lead assignment: over each full cycle a
member has exactly `weight` slots, its slots are spread (not bunched), and a
pointer walking the cycle from any start is fair over whole cycles."""
from __future__ import annotations

from collections import Counter

import pytest

from addons.sales.services.leads.lead_assignment import cycle


@pytest.mark.parametrize("weights", [[1], [1, 2], [1, 2, 3], [5, 1], [2, 2, 2], [7, 3, 1, 4]])
def test_each_member_gets_its_weight_per_cycle(weights):
    members = [(user, w) for user, w in zip(range(100, 100 + len(weights)), weights)]
    slots = cycle(members)
    assert len(slots) == sum(weights)
    assert Counter(slots) == {user: w for user, w in members}


@pytest.mark.parametrize("start", [0, 1, 4])
def test_any_start_is_fair_over_whole_cycles(start):
    slots = cycle([(1, 1), (2, 2), (3, 3)])
    taken = [slots[(start + i) % len(slots)] for i in range(len(slots) * 10)]
    assert Counter(taken) == {1: 10, 2: 20, 3: 30}


def test_slots_are_interleaved():
    assert cycle([(1, 1), (2, 2)]) == [1, 2, 2]
    assert cycle([(1, 2), (2, 2), (3, 1)]) == [1, 2, 3, 1, 2]
    # the heavy member does not take all its slots in a row
    slots = cycle([(1, 3), (2, 3)])
    assert slots == [1, 2, 1, 2, 1, 2]


def test_no_members_no_slots():
    assert cycle([]) == []
