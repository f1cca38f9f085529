"""Small pure rules of the service desk: the rating token (signed, bound to
its ticket and secret, expiring), the round-robin order and SLA policy
matching (an empty condition matches anything)."""
from __future__ import annotations

from types import SimpleNamespace

from addons.service_desk.rules.rating_token import make_token, read_token
from addons.service_desk.services.assignment import in_turn
from addons.service_desk.services.sla.policy_match import matches

SECRET = "s" * 40


def test_rating_token_is_bound_to_its_ticket_secret_and_age():
    token = make_token(SECRET, 42)
    assert read_token(SECRET, token) == 42
    assert read_token("another-secret" * 3, token) is None
    assert read_token(SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None
    assert read_token(SECRET, token, max_age=-1) is None  # expired
    assert read_token(SECRET, "not-a-token") is None


def test_round_robin_starts_after_the_last_one_served():
    assert in_turn([3, 5, 9], None) == [3, 5, 9]
    assert in_turn([3, 5, 9], 5) == [9, 3, 5]
    assert in_turn([3, 5, 9], 9) == [3, 5, 9]
    assert in_turn([3, 5, 9], 4) == [5, 9, 3]  # the last one left the team
    assert in_turn([], 4) == []


def test_policy_conditions():
    ticket = SimpleNamespace(priority=3, ticket_type="incident")
    policy = SimpleNamespace(priority=None, ticket_type=None, tag_id=None, tier_id=None)
    assert matches(policy, ticket, set(), None)
    urgent_vip = SimpleNamespace(priority=3, ticket_type="incident", tag_id=7, tier_id=1)
    assert matches(urgent_vip, ticket, {7, 8}, 1)
    assert not matches(urgent_vip, ticket, {8}, 1)
    assert not matches(urgent_vip, ticket, {7}, 2)
    assert not matches(urgent_vip, SimpleNamespace(priority=1, ticket_type="incident"), {7}, 1)
