"""Record rules: which rows a user may read and write, enforced in the session.

FAB has no row-level security, and filtering view by view would miss a path
(REST, pickers, charts, exports, bulk actions). So the rule is applied where
every path meets: the SQLAlchemy session. What a rule says is declared per
model and role (core/security/rule_expressions.py: a scope name or an
expression over the model's columns and relations and the actor); here:

1. Reads: the actor's rules become one `with_loader_criteria` per ruled model,
   added to every ORM statement (aliases and eager loads included), built
   once per request, or per session transaction outside one. A user with
   several roles reads the union; Admin and the system read everything; a role
   with no rule for a ruled model reads none of it.
2. Writes, checked at flush: a row updated or deleted must be within the
   write rule as stored (re-selected by id with the criterion, before the
   flush); a row inserted or updated must be within it as written (re-selected
   after the flush, inside the same transaction: related rows and collections
   written by that flush count). A refusal raises AccessDenied; after the
   flush it also leaves the transaction to roll back, as any failed flush does.
   The "own"/"team" scopes also limit the owner/team a row is given.
3. Bulk ORM UPDATE/DELETE statements touch only rows within the write rule,
   and an UPDATE is refused if a row it changed falls outside it. Statements
   on a bare Table (not the model) and bulk INSERTs are not checked: a
   service writing that way checks the rule itself (contacts' import does).
"""
from __future__ import annotations

import contextvars
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import event, false, inspect, or_, select
from sqlalchemy.orm import MANYTOONE, Session
from sqlalchemy.orm.util import LoaderCriteriaOption
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.util import ClauseAdapter, _deep_deannotate

from .actor import Actor, current_actor
from .rule_expressions import (OWNER, SCOPES, CompiledSide, RecordRule, RuleActor,
                               compile_side)
from .teams import teams_and_teammates

ADMIN_ROLE = "Admin"


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
class _Rule:
    read: CompiledSide
    write: CompiledSide


_RULES: dict[type, dict[str, _Rule]] = {}  # model -> role -> rule


def declare(rule: RecordRule) -> None:
    """Register one role's rule on one model (the addon loader calls this for
    record_rules.csv rows and security/record_rules.py's RULES); ValueError if
    the rule cannot apply to the model."""
    mapper = inspect(rule.model)
    if len(mapper.primary_key) != 1:
        raise ValueError(f"{rule.model.__name__}: record rules need a one-column primary key")
    compiled = _Rule(compile_side(rule.model, rule.read, "read"),
                     compile_side(rule.model, rule.write, "write"))
    _RULES.setdefault(rule.model, {})[rule.role] = compiled


def forget(model: type) -> None:
    _RULES.pop(model, None)


def ruled_models() -> tuple[type, ...]:
    return tuple(_RULES)


def _privileged(actor: Actor) -> bool:
    return actor.is_system or ADMIN_ROLE in actor.roles


def _sides(model: type, actor: Actor, mode: str) -> list[CompiledSide]:
    """The actor's rule sides on `model` that grant something."""
    roles = _RULES[model]
    sides = [getattr(roles[r], mode) for r in sorted(actor.roles) if r in roles]
    return [s for s in sides if s.kind != "none"]


def scope_for(model: type, actor: Actor, mode: str) -> str:
    """The widest predefined scope (none/own/team/all) of the actor's roles on
    `model`, or "expression" when a role's rule is an expression (a state list
    included) and none grants "all"."""
    if _privileged(actor):
        return "all"
    kinds = {s.kind for s in _sides(model, actor, mode)}
    if "all" in kinds:
        return "all"
    if kinds - set(SCOPES):
        return "expression"
    return max(kinds | {"none"}, key=SCOPES.index)


_CACHE = "_crossdock_rules_cache"


def _cache(session: Session) -> dict:
    """What the rules derive from the actor (teams, criteria, options): kept for
    the request, or outside one for the session's transaction (see below)."""
    if has_request_context():
        return g.setdefault(_CACHE, {})
    return session.info.setdefault(_CACHE, {})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_outside_requests(session: Session) -> None:
    session.info.pop(_CACHE, None)  # team membership may have changed with it


# guards the actor lookup against the user query it triggers itself
_resolving: contextvars.ContextVar[bool] = contextvars.ContextVar("rr_resolving", default=False)


def rule_actor(session: Session, actor: Actor | None = None) -> RuleActor:
    """What rule expressions see of `actor` (default: the current one): user,
    roles, teams and team members, read once per request."""
    actor = actor or current_actor()
    cache = _cache(session)
    key = ("actor", actor.user_id, actor.roles)
    if key not in cache:
        token = _resolving.set(True)
        try:
            teams: frozenset[int] = frozenset()
            members: frozenset[int] = frozenset()
            if actor.user_id is not None:
                teams, members = teams_and_teammates(session, actor.user_id)
                members |= {actor.user_id}
        finally:
            _resolving.reset(token)
        cache[key] = RuleActor(actor.user_id, actor.name, actor.roles,
                               tuple(sorted(teams)), tuple(sorted(members)))
    return cache[key]


def _criterion(session: Session, model: type, mode: str, actor: Actor):
    """The actor's rule on `model` as one SQL condition, None for every row."""
    if _privileged(actor):
        return None
    cache = _cache(session)
    key = ("criterion", mode, model, actor.user_id, actor.roles)
    if key not in cache:
        sides = _sides(model, actor, mode)
        if any(s.build is None for s in sides):
            crit = None
        elif not sides:
            crit = false()
        else:
            who = rule_actor(session, actor)
            crit = or_(*(s.build(who) for s in sides))
            # a relationship's `any()`/`has()` keeps its join's local/remote
            # marks, which make SQLAlchemy leave the subquery un-aliased when
            # it applies the criterion to an alias of a self-referencing join
            crit = _deep_deannotate(crit, values=("local", "remote"))
        cache[key] = crit
    return cache[key]


def read_filter(session: Session, model: type, columns=None):
    """The current actor's read rule for `model` as a filter, None when the
    actor reads every row. With `columns` (a table's `.c`), the rule's columns
    of the model are replaced by the same-named ones there: the columns of a
    table that copies them to search within a reader's rows (addons/contacts'
    search index). ValueError if the rule names a column `columns` lacks."""
    if model not in _RULES:
        return None
    crit = _criterion(session, model, "read", current_actor())
    if crit is None or columns is None:
        return crit
    table = inspect(model).local_table

    def swap(elem, **_kw):
        if isinstance(elem, ColumnClause) and getattr(elem, "table", None) is table:
            if elem.name not in columns:
                raise ValueError(f"the {model.__name__} read rule uses '{elem.name}', "
                                 "which the filtered columns lack")
            return columns[elem.name]
        return None

    return visitors.replacement_traverse(crit, {}, swap)


def _pk_column(model: type):
    """The primary key as the model's attribute (a select of it is an ORM one)."""
    mapper = inspect(model)
    return mapper.get_property_by_column(mapper.primary_key[0]).class_attribute


_ID_BATCH = 500  # ids per re-select: SQLite's bound-parameter limit, plan sizes


def _outside(session: Session, model: type, ids: list, crit) -> set:
    """The ids among `ids` whose stored row the criterion excludes."""
    if crit is None or not ids:
        return set()
    pk = _pk_column(model)
    found: set = set()
    with session.no_autoflush:
        for start in range(0, len(ids), _ID_BATCH):
            batch = ids[start:start + _ID_BATCH]
            found.update(session.execute(select(pk).where(pk.in_(batch), crit),
                                         execution_options={"skip_record_rules": True}).scalars())
    return set(ids) - found


def may_write(session: Session, obj) -> bool:
    """Whether the current actor may change `obj` as stored (a check before
    acting, e.g. logging a call on a contact, without writing the row). A row
    not yet stored: whether the actor may write any row of its model."""
    model = type(obj)
    if model not in _RULES:
        return True
    actor = current_actor()
    crit = _criterion(session, model, "write", actor)
    if crit is None:
        return True
    identity = inspect(obj).identity
    if identity is None:
        return bool(_sides(model, actor, "write"))
    return not _outside(session, model, [identity[0]], crit)


class _RuleCriteria(LoaderCriteriaOption):
    """`with_loader_criteria(model, criterion, include_aliases=True)` for a
    criterion written over the model's class, not a lambda of the entity: on
    an alias (FAB joins `parent` under its name, on a column condition rather
    than the relationship) the criterion is rewritten onto the alias, its
    subqueries (`any()`, `has()`) included, which SQLAlchemy does only for a
    lambda. Same cache key as the plain option: the SQL stays cached."""

    inherit_cache = True
    _cache_key_traversal = LoaderCriteriaOption._traverse_internals

    def _resolve_where_criteria(self, ext_info):
        crit = super()._resolve_where_criteria(ext_info)
        if ext_info.is_aliased_class:
            crit = ClauseAdapter(ext_info.selectable).traverse(crit)
        return crit


def _options(session: Session, actor: Actor, modes: tuple[str, ...]) -> tuple:
    """The loader criteria of `actor`, built once per request (a board page runs
    ~170 statements) instead of once per statement."""
    cache = _cache(session)
    key = ("options", modes, actor.user_id, actor.roles)
    if key not in cache:
        options = []
        for model in _RULES:
            for mode in modes:
                crit = _criterion(session, model, mode, actor)
                if crit is not None:
                    options.append(_RuleCriteria(model, crit, include_aliases=True))
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
    if _privileged(actor):
        return
    modes = ("read",) if state.is_select else ("read", "write")
    options = _options(state.session, actor, modes)
    if options:
        state.statement = state.statement.options(*options)
        if state.is_update:
            return _update_within_rules(state, actor, options)
    return None


def _update_within_rules(state, actor: Actor, options: tuple):
    """A bulk ORM UPDATE changes only rows within the write rule (its
    options), and must leave them within it: the rows it will change are
    read first and re-selected with the rule once it has run."""
    mapper = state.bind_mapper
    model = mapper.class_ if mapper is not None else None
    if model not in _RULES:
        return None
    crit = _criterion(state.session, model, "write", actor)
    if crit is None:
        return None
    pk = _pk_column(model)
    targets = select(pk).options(*options)
    if state.statement.whereclause is not None:
        targets = targets.where(state.statement.whereclause)
    ids = list(state.session.execute(
        targets, execution_options={"skip_record_rules": True}).scalars())
    result = state.invoke_statement()
    outside = _outside(state.session, model, ids, crit)
    if outside:
        raise _refuse(f"{model.__name__} #{min(outside)}: the record as changed is "
                      f"{_what(model, actor)}")
    return result


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


def _what(model: type, actor: Actor) -> str:
    kinds = sorted({s.kind for s in _sides(model, actor, "write")}) or ["none"]
    return f"outside what {actor.name} may change (rule: {'/'.join(kinds)})"


def _label(obj) -> str:
    return f"{type(obj).__name__} #{getattr(obj, 'id', None) or 'new'}"


def _check_assignments(session: Session, obj, actor: Actor, new: bool) -> None:
    """Owner/team set by this change must be within one of the actor's write
    scopes that limit them ("own": oneself and one's teams; "team": one's
    team members and teams)."""
    sides = _sides(type(obj), actor, "write")
    fields = sorted({f for s in sides for f in s.guards})
    if not fields:
        return
    who = rule_actor(session, actor)
    for field in fields:
        value = _value_after_flush(obj, field)
        old = None if new else _old_value(obj, field)
        if value is None or value == old:
            continue
        if not any(s.build is None or field not in s.guards or s.guards[field](who, value)
                   for s in sides):
            raise _refuse(f"{_label(obj)}: the new {field.removesuffix('_id')} is "
                          f"{_what(type(obj), actor)}")


def _ruled(objs) -> list:
    return [o for o in objs if type(o) in _RULES]


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, _ctx, _instances) -> None:
    """Before the flush: new rows get their creator as owner; owner/team
    assignments are checked; the stored rows updated or deleted must be
    within the write rule."""
    if not _RULES:
        return
    actor = current_actor()
    if _privileged(actor):
        return
    stored: dict[type, list] = {}
    for obj in _ruled(list(session.new) + list(session.dirty) + list(session.deleted)):
        model, new = type(obj), obj in session.new
        if not _sides(model, actor, "write"):
            raise _refuse(f"{_label(obj)}: this record is {_what(model, actor)}")
        if new and OWNER in inspect(model).columns and _value_after_flush(obj, OWNER) is None:
            _give_to_creator(session, obj, OWNER, actor.user_id)  # a new row is its creator's
        if obj not in session.deleted:
            _check_assignments(session, obj, actor, new)
        if not new:
            stored.setdefault(model, []).append(obj)
    for model, objs in stored.items():
        ids = {inspect(o).identity[0]: o for o in objs}
        outside = _outside(session, model, list(ids), _criterion(session, model, "write", actor))
        if outside:
            raise _refuse(f"{_label(ids[min(outside)])}: this record is {_what(model, actor)}")


@event.listens_for(Session, "after_flush")
def _check_rows_written(session: Session, _ctx) -> None:
    """After the flush, in its transaction: every row inserted or updated must
    be within the write rule as written (related rows of the flush included)."""
    if not _RULES:
        return
    actor = current_actor()
    if _privileged(actor):
        return
    written: dict[type, dict] = {}
    for obj in _ruled(list(session.new) + list(session.dirty)):
        if obj in session.deleted:
            continue
        # a new row's identity is registered only after this hook: read its key
        pk = inspect(type(obj)).primary_key_from_instance(obj)[0]
        if pk is not None:
            written.setdefault(type(obj), {})[pk] = obj
    for model, ids in written.items():
        outside = _outside(session, model, list(ids), _criterion(session, model, "write", actor))
        if outside:
            raise _refuse(f"{_label(ids[min(outside)])}: the record as changed is "
                          f"{_what(model, actor)}")
