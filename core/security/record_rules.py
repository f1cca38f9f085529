"""Record rules: which rows a user may read and write, enforced in the session.

FAB has no row-level security, and filtering view by view would miss a path
(REST, pickers, charts, exports, bulk actions). So the rule is applied where
every path meets: the SQLAlchemy session. Reads get a `with_loader_criteria`
on every ORM statement; writes are checked before flush, old and new values
alike, so a row cannot be moved out of the writer's scope either. An owner or
team assigned must be within the writer's reach too: "own" may set only
themselves and their own teams, "team" their teammates and their teams.

An addon declares rules per model and role in `security/record_rules.csv`
(`model,role,read,write` with scopes none/own/team/all). A model opts in by
having an `owner_id` column and, for the team scope, optionally a `team_id`
column (fixed names: the filters are lambdas that SQLAlchemy re-applies to
every alias of the model, and those cannot look attributes up by a name). Admin and the system actor see everything; a
role with no row for a ruled model sees nothing of it.

A read scope may also be `state:<a>|<b>`: the role reads the rows whose
`state` column holds one of those values, whoever owns them (Finance reads
confirmed orders). Such a scope only reads; a user with several roles reads
the union of what each role reads.
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import event, false, inspect, or_
from sqlalchemy.orm import MANYTOONE, Session, with_loader_criteria

from .actor import Actor, current_actor
from .teams import teammate_ids, user_team_ids

SCOPES = ("none", "own", "team", "all")
ADMIN_ROLE = "Admin"
OWNER, TEAM, STATE = "owner_id", "team_id", "state"
STATE_PREFIX = "state:"


class AccessDenied(PermissionError):
    """A write outside the actor's record rules; the message says which row and why."""


_DENIED = "_crossdock_denied"


def _refuse(message: str) -> AccessDenied:
    exc = AccessDenied(message)
    if has_request_context():
        # FAB's views and REST API catch any exception of a save and answer a
        # generic flash or a 500; app.py reads this to answer 403 instead
        setattr(g, _DENIED, exc)
    return exc


def refusal_in_request() -> AccessDenied | None:
    """The write this request tried and the record rules refused, if any."""
    return g.get(_DENIED) if has_request_context() else None


@dataclass(frozen=True)
class ModelRules:
    owner_field: str
    team_field: str | None
    read: dict[str, str]  # role -> scope
    write: dict[str, str]
    read_states: dict[str, tuple[str, ...]]  # role -> states readable whoever owns them


_RULES: dict[type, ModelRules] = {}


def declare(model: type, role: str, read: str, write: str) -> None:
    """Register one rule row; called by the addon loader from record_rules.csv."""
    columns = inspect(model).columns
    states: tuple[str, ...] = ()
    if read.startswith(STATE_PREFIX):
        states = tuple(v.strip() for v in read[len(STATE_PREFIX):].split("|") if v.strip())
        if not states or STATE not in columns:
            raise ValueError(f"{model.__name__}/{role}: '{read}' needs state values and "
                             f"a '{STATE}' column")
        read = "none"
    for scope in (read, write):
        if scope not in SCOPES:
            raise ValueError(f"{model.__name__}/{role}: scope must be one of {SCOPES}"
                             f" (or, to read, {STATE_PREFIX}<value>|<value>)")
    if OWNER not in columns:
        raise ValueError(f"{model.__name__} has record rules but no '{OWNER}' column")
    owner, team = OWNER, (TEAM if TEAM in columns else None)
    rules = _RULES.setdefault(model, ModelRules(owner, team, {}, {}, {}))
    rules.read[role] = read
    rules.write[role] = write
    if states:
        rules.read_states[role] = states


def forget(model: type) -> None:
    _RULES.pop(model, None)


def ruled_models() -> tuple[type, ...]:
    return tuple(_RULES)


def scope_for(model: type, actor: Actor, mode: str) -> str:
    if actor.is_system or ADMIN_ROLE in actor.roles:
        return "all"
    table = getattr(_RULES[model], mode)
    best = 0
    for role in actor.roles:
        best = max(best, SCOPES.index(table.get(role, "none")))
    return SCOPES[best]


@dataclass(frozen=True)
class _Scope:
    user_id: int | None
    team_ids: frozenset[int]
    mates: frozenset[int]  # the user and everyone in the user's teams


_CACHE = "_crossdock_rules_cache"


def _cache(session: Session) -> dict:
    """What the rules derive from the actor (team scope, read criteria): kept for
    the request, or outside one for the session's transaction (see below)."""
    if has_request_context():
        return g.setdefault(_CACHE, {})
    return session.info.setdefault(_CACHE, {})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_outside_requests(session: Session) -> None:
    session.info.pop(_CACHE, None)  # team membership may have changed with it


def _scope_of(session: Session, actor: Actor) -> _Scope:
    cache = _cache(session)
    key = ("scope", actor.user_id)
    if key not in cache:
        if actor.user_id is None:
            cache[key] = _Scope(None, frozenset(), frozenset())
        else:
            teams = user_team_ids(session, actor.user_id)
            cache[key] = _Scope(actor.user_id, teams,
                                teammate_ids(session, teams) | {actor.user_id})
    return cache[key]


def readable_states(model: type, actor: Actor) -> tuple[str, ...]:
    """The states of `model` the actor reads whoever owns the rows (state: scopes)."""
    table = _RULES[model].read_states
    return tuple(sorted({s for role in actor.roles for s in table.get(role, ())}))


def read_filter(session: Session, model: type, columns=None):
    """The current actor's read rule for `model` as a filter on `columns`:
    anything with the model's owner_id, team_id (and state) attributes, e.g.
    the columns of a table that copies them to search within a reader's rows
    (addons/contacts' search index). None when the actor reads every row."""
    if model not in _RULES:
        return None
    actor = current_actor()
    name = scope_for(model, actor, "read")
    if name == "all":
        return None
    token = _resolving.set(True)
    try:
        scope = _scope_of(session, actor)
    finally:
        _resolving.reset(token)
    criteria = _read_criteria(_RULES[model], name, scope, readable_states(model, actor))
    return criteria(model if columns is None else columns)


def _read_criteria(rules: ModelRules, scope_name: str, scope: _Scope,
                   states: tuple[str, ...] = ()):
    """The row filter as a lambda of the entity, so SQLAlchemy applies it to
    every alias of the model too (FAB joins related tables under aliases).
    One lambda per shape: a lambda calling another would not be cacheable."""
    uid, mates, teams = scope.user_id, tuple(sorted(scope.mates)), tuple(sorted(scope.team_ids))
    if scope_name == "own" and uid is not None:
        if states:
            return lambda cls: or_(cls.owner_id == uid, cls.state.in_(states))
        return lambda cls: cls.owner_id == uid
    if scope_name == "team" and mates:
        if rules.team_field and teams:
            if states:
                return lambda cls: or_(cls.owner_id.in_(mates), cls.team_id.in_(teams),
                                       cls.state.in_(states))
            return lambda cls: or_(cls.owner_id.in_(mates), cls.team_id.in_(teams))
        if states:
            return lambda cls: or_(cls.owner_id.in_(mates), cls.state.in_(states))
        return lambda cls: cls.owner_id.in_(mates)
    if states:
        return lambda cls: cls.state.in_(states)
    return lambda cls: false()


def _row_in_scope(rules: ModelRules, scope_name: str, scope: _Scope,
                  owner_id, team_id) -> bool:
    if scope_name == "all":
        return True
    if scope_name == "own":
        return scope.user_id is not None and owner_id == scope.user_id
    if scope_name == "team":
        return owner_id in scope.mates or (
            rules.team_field is not None and team_id in scope.team_ids)
    return False


def _assignable(scope_name: str, scope: _Scope, field: str, value) -> bool:
    """Whether the actor may set owner_id/team_id to `value`: "own" keeps rows
    to themselves and their teams, "team" to their teams and teammates. A row
    in scope before and after could otherwise still be handed to another team
    (a manager checks "owner in the team OR team is ours")."""
    if scope_name == "all" or value is None:
        return True
    if field == OWNER:
        return value in scope.mates if scope_name == "team" else value == scope.user_id
    return value in scope.team_ids


def may_write(session: Session, obj) -> bool:
    """Whether the current actor may change `obj` as it stands now (a check
    before acting, e.g. logging a call on a contact, without writing the row)."""
    rules = _RULES.get(type(obj))
    if rules is None:
        return True
    actor = current_actor()
    if actor.is_system or ADMIN_ROLE in actor.roles:
        return True
    return _row_in_scope(rules, scope_for(type(obj), actor, "write"), _scope_of(session, actor),
                         getattr(obj, rules.owner_field),
                         getattr(obj, rules.team_field) if rules.team_field else None)


# guards the actor lookup against the user query it triggers itself
_resolving: contextvars.ContextVar[bool] = contextvars.ContextVar("rr_resolving", default=False)


def _read_options(session: Session, actor: Actor) -> tuple:
    """The loader criteria of `actor`, built once per request (a board page runs
    ~170 statements) instead of once per statement."""
    cache = _cache(session)
    key = ("read", actor.user_id, actor.roles)
    if key not in cache:
        token = _resolving.set(True)
        try:
            scope = _scope_of(session, actor)
        finally:
            _resolving.reset(token)
        options = []
        for model, rules in _RULES.items():
            name = scope_for(model, actor, "read")
            if name != "all":
                options.append(with_loader_criteria(
                    model, _read_criteria(rules, name, scope, readable_states(model, actor)),
                    include_aliases=True))
        cache[key] = tuple(options)
    return cache[key]


_FAB_SECURITY = "flask_appbuilder.security.sqla.models"


@event.listens_for(Session, "do_orm_execute")
def _filter_reads(state) -> None:
    if not _RULES or _resolving.get() or state.execution_options.get("skip_record_rules"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_relationship_load and all(
            m.class_.__module__ == _FAB_SECURITY for m in state.all_mappers):
        # a user's roles or groups loading: no rule applies, and working out
        # the actor here would load the same roles again from inside this load
        return
    token = _resolving.set(True)
    try:
        actor = current_actor()
    finally:
        _resolving.reset(token)
    if actor.is_system or ADMIN_ROLE in actor.roles:
        return
    options = _read_options(state.session, actor)
    if options:
        state.statement = state.statement.options(*options)


def _old_value(obj, field: str):
    hist = inspect(obj).attrs[field].history
    if hist.deleted:
        return hist.deleted[0]
    return getattr(obj, field)


def _relationship_of(model: type, field: str):
    """The many-to-one relationship that writes `field` (owner -> owner_id), if any."""
    mapper = inspect(model)
    column = mapper.columns[field]
    for rel in mapper.relationships:
        if rel.direction is MANYTOONE and column in rel.local_columns:
            return rel
    return None


def _value_after_flush(obj, field: str):
    """What `field` will hold once flushed. FAB's forms and REST schemas set the
    relationship (`owner`), which reaches `owner_id` only during the flush, so
    checking the column alone would let a row be handed to anyone."""
    rel = _relationship_of(type(obj), field)
    if rel is not None:
        hist = inspect(obj).attrs[rel.key].history
        if hist.added or hist.deleted:  # set since the row was loaded
            target = hist.added[0] if hist.added else None
            if target is None:
                return None
            (_, remote), = rel.local_remote_pairs
            return getattr(target, rel.mapper.get_property_by_column(remote).key)
    return getattr(obj, field)


def _give_to_creator(session: Session, obj, field: str, user_id: int | None) -> None:
    setattr(obj, field, user_id)
    rel = _relationship_of(type(obj), field)
    if rel is not None and user_id is not None:
        # an explicit "no owner" in the relationship would undo the column at flush
        setattr(obj, rel.key, session.get(rel.mapper.class_, user_id))


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, _ctx, _instances) -> None:
    if not _RULES:
        return
    actor = current_actor()
    if actor.is_system or ADMIN_ROLE in actor.roles:
        return
    scope = None
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        rules = _RULES.get(type(obj))
        if rules is None:
            continue
        scope = scope or _scope_of(session, actor)
        name = scope_for(type(obj), actor, "write")
        owner_f, team_f = rules.owner_field, rules.team_field
        if obj in session.new and _value_after_flush(obj, owner_f) is None:
            _give_to_creator(session, obj, owner_f, actor.user_id)  # a new row is its creator's
        checks = []
        if obj not in session.new:  # the row as it was must have been writable
            checks.append(("this record", _old_value(obj, owner_f),
                           _old_value(obj, team_f) if team_f else None))
        if obj not in session.deleted:  # and the row as it will be, too
            checks.append(("the new owner/team", _value_after_flush(obj, owner_f),
                           _value_after_flush(obj, team_f) if team_f else None))
        for what, owner_id, team_id in checks:
            if not _row_in_scope(rules, name, scope, owner_id, team_id):
                raise _refuse(
                    f"{type(obj).__name__} #{getattr(obj, 'id', None) or 'new'}: "
                    f"{what} is outside what {actor.name} may change (scope: {name})"
                )
        if obj in session.deleted:
            continue
        for field in filter(None, (owner_f, team_f)):  # and each value assigned, alone
            new = _value_after_flush(obj, field)
            old = None if obj in session.new else _old_value(obj, field)
            if new != old and not _assignable(name, scope, field, new):
                raise _refuse(
                    f"{type(obj).__name__} #{getattr(obj, 'id', None) or 'new'}: "
                    f"the new {field.removesuffix('_id')} is outside what {actor.name} "
                    f"may change (scope: {name})"
                )
