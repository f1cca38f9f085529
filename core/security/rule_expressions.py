"""What a record rule says: per model and role, an expression over the model's
own columns and relations and the actor, for reading and for writing.

An addon declares rules in `security/record_rules.py` (a `RULES` list of
`RecordRule`) or, for the fixed scopes, in `security/record_rules.csv`; both
end here, and core/security/record_rules.py enforces them. A side is either
an expression builder, `(RuleActor) -> SQL boolean` naming the model's class
(`Ticket.team_id.in_(actor.team_ids)`), or a predefined scope, which is only
a ready-made builder:

    none            no row
    all             every row (no criterion at all)
    own             owner_id is the user
    team            owner_id among the user's team members, or team_id one of
                    the user's teams
    state:<a>|<b>   to read only: state is a or b, whoever owns the row

"own" and "team" also limit what owner_id/team_id may be set to (a row in
reach before and after could still be handed to another team otherwise).

Writing an expression: name the model's class (the rule is rewritten onto
aliases of it, FAB joins `parent` under its own name); reach related rows,
the model's own included, through relationships (`Ticket.watchers.any(...)`,
`Invoice.order.has(...)`), not through a `select()` of the ruled model, which
the rewrite would turn onto the alias too. Inside a read expression a related
model's own read rule applies as well (that subquery is a read).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from sqlalchemy import false, inspect, or_
from sqlalchemy.sql.elements import ColumnElement

SCOPES = ("none", "own", "team", "all")
OWNER, TEAM, STATE = "owner_id", "team_id", "state"
STATE_PREFIX = "state:"


@dataclass(frozen=True)
class RuleActor:
    """Who a rule is evaluated for, computed once per request (or per session
    transaction outside one). Ids are sorted tuples, ready for `in_()`."""

    user_id: int | None
    name: str
    roles: frozenset[str]
    team_ids: tuple[int, ...]  # the user's teams
    team_member_ids: tuple[int, ...]  # everyone in those teams, the user included


Expression = Callable[[RuleActor], ColumnElement[bool]]
Side = Union[str, Expression]  # a scope name, or an expression builder


@dataclass(frozen=True)
class RecordRule:
    """One role's rule on one model.

    read: the rows the role reads; write: the rows it may update or delete,
    and that a row it inserts or changes must still be in afterwards. Each is
    a scope name ("none", "own", "team", "all", and to read "state:<a>|<b>")
    or `lambda actor: <SQL boolean over model's columns and relations>`.
    A user with several roles reads and writes the union of their rules."""

    model: type
    role: str
    read: Side
    write: Side = "none"


Guard = Callable[[RuleActor, Any], bool]


@dataclass(frozen=True)
class CompiledSide:
    """A side ready to apply: `build` is None for every row; `guards` limit the
    values a changed column may take (the predefined own/team scopes)."""

    kind: str  # none/own/team/all, "state" or "expression"
    build: Expression | None
    guards: Mapping[str, Guard] = field(default_factory=dict)


def _nothing(_actor: RuleActor):
    return false()


def _own(model: type, has_team: bool) -> CompiledSide:
    def build(actor: RuleActor):
        return false() if actor.user_id is None else model.owner_id == actor.user_id
    guards: dict[str, Guard] = {OWNER: lambda actor, v: v == actor.user_id}
    if has_team:
        guards[TEAM] = lambda actor, v: v in actor.team_ids
    return CompiledSide("own", build, guards)


def _team(model: type, has_team: bool) -> CompiledSide:
    def build(actor: RuleActor):
        if has_team:
            return or_(model.owner_id.in_(actor.team_member_ids),
                       model.team_id.in_(actor.team_ids))
        return model.owner_id.in_(actor.team_member_ids)
    guards: dict[str, Guard] = {OWNER: lambda actor, v: v in actor.team_member_ids}
    if has_team:
        guards[TEAM] = lambda actor, v: v in actor.team_ids
    return CompiledSide("team", build, guards)


def _states(model: type, values: tuple[str, ...]) -> CompiledSide:
    return CompiledSide("state", lambda actor: model.state.in_(values))


_PROBE = RuleActor(0, "rule check", frozenset(), (), ())


def _try(model: type, build: Expression, mode: str) -> None:
    """Build the expression once at declaration: a misspelt column or a Python
    value instead of SQL stops the addon at start, not every query later."""
    try:
        built = build(_PROBE)
    except Exception as exc:
        raise ValueError(f"{model.__name__}: the {mode} expression fails: "
                         f"{type(exc).__name__}: {exc}") from None
    if not isinstance(built, ColumnElement):
        raise ValueError(f"{model.__name__}: the {mode} expression must return an SQL "
                         f"condition (e.g. {model.__name__}.team_id.in_(actor.team_ids)), "
                         f"not {built!r}")


def compile_side(model: type, side: Side, mode: str) -> CompiledSide:
    """The side of a rule as core applies it; ValueError naming what is wrong."""
    if callable(side):
        _try(model, side, mode)
        return CompiledSide("expression", side)
    if not isinstance(side, str):
        raise ValueError(f"{model.__name__}: a {mode} rule is a scope name or "
                         f"`lambda actor: <expression>`, not {side!r}")
    columns = inspect(model).columns
    if side.startswith(STATE_PREFIX):
        values = tuple(v.strip() for v in side[len(STATE_PREFIX):].split("|") if v.strip())
        if mode != "read" or not values or STATE not in columns:
            raise ValueError(f"{model.__name__}: '{side}' reads only, and needs state "
                             f"values and a '{STATE}' column")
        return _states(model, values)
    if side not in SCOPES:
        raise ValueError(f"{model.__name__}: scope must be one of {SCOPES}"
                         f" (or, to read, {STATE_PREFIX}<value>|<value>)")
    if side == "all":
        return CompiledSide("all", None)
    if side == "none":
        return CompiledSide("none", _nothing)
    if OWNER not in columns:
        raise ValueError(f"{model.__name__} has the '{side}' scope but no '{OWNER}' column")
    has_team = TEAM in columns
    return _own(model, has_team) if side == "own" else _team(model, has_team)
