"""What an import would do, row by row: errors, duplicates and the policy of each.

The preview reads the stored file with the stored mapping, checks every row
(rows.py), finds duplicates within the file and against the whole
base (duplicates.py), and applies the user's policy per duplicate:
skip, update the existing contact (only one the importer may write) or
create anyway. The commit runs the same preview again, so what it writes is
checked against the base as it is at that moment.

A row's identity, strongest first: its external id in the batch's source
system (external_ids.py; such a match is updated unless the user says
otherwise), its e-mails, phones and tax id, and for a row without any of
them its content: an identical row earlier in the file, or a contact of the
same name the row would not change (comparison.py). A duplicate the row
would not change at all is "unchanged", whatever the policy: re-importing a
file creates and updates nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.security.actor import Actor, current_actor

from ...models import ContactImportBatch
from . import parsed_rows
from .comparison import changes, snapshots
from .duplicates import base_matches, content_matches, find_in_file
from .external_ids import bound
from .reading import configured_limits, read_table
from .rows import MODELS, ParsedRow, RowParser

SKIP, UPDATE, CREATE = "skip", "update", "create"
POLICIES = (SKIP, UPDATE, CREATE)
UNCHANGED = "unchanged"  # not a policy: what a duplicate that changes nothing gets
DEFAULT_SYSTEM = "import"  # the source system of files that name none
DUPLICATE_COLUMN = "duplicate"


@dataclass
class Duplicate:
    in_file: int | None  # the earlier row of the file it repeats
    matches: list[int]  # existing contacts with the same e-mail, phone or tax id
    writable: dict[int, bool] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # only of contacts the importer sees
    via: str = "key"  # external_id, key (e-mail, phone, tax id) or content
    unchanged: bool = False  # one match, which the row would not change


@dataclass
class Preview:
    kind: str
    rows: list[ParsedRow]
    duplicates: dict[int, Duplicate]
    policies: dict[int, str]
    other_kind: set = field(default_factory=set)  # rows of the other kind (skipped)

    def policy(self, number: int) -> str | None:
        """The chosen policy of a duplicate row (None: not a duplicate)."""
        if number not in self.duplicates:
            return None
        return self.policies.get(number, default_policy(self.duplicates[number]))

    def action(self, number: int) -> str:
        """What the commit does with the row: create, update, skip or unchanged."""
        if number in self.other_kind:
            return SKIP
        dup = self.duplicates.get(number)
        if dup is not None and dup.unchanged:
            return UNCHANGED
        return self.policy(number) or CREATE

    @property
    def error_rows(self) -> list[ParsedRow]:
        return [r for r in self.rows if r.errors]

    def counts(self) -> dict:
        actions = [self.action(r.number) for r in self.rows if not r.errors]
        return {"total": len(self.rows), "with_errors": len(self.error_rows),
                "duplicates": len(self.duplicates), "to_create": actions.count(CREATE),
                "to_update": actions.count(UPDATE), "to_skip": actions.count(SKIP),
                "unchanged": actions.count(UNCHANGED)}

    def as_summary(self) -> dict:
        """What the preview screen shows, stored on the batch (JSON)."""
        by_number = {r.number: r for r in self.rows}
        return {
            "counts": self.counts(),
            "errors": {str(r.number): [list(e) for e in r.errors] for r in self.error_rows},
            "duplicates": {
                str(n): {"in_file": d.in_file, "policy": self.policy(n), "via": d.via,
                         "unchanged": d.unchanged,
                         "name": by_number[n].values.get("name", ""),
                         "matches": [{"id": i, "name": d.names.get(i),
                                      "writable": d.writable.get(i, False)} for i in d.matches]}
                for n, d in sorted(self.duplicates.items())},
        }


def _owners(session: Session, model, ids: list[int]) -> dict[int, tuple]:
    """(owner, team) of existing contacts, whoever owns them (to tell the importer
    whether an update is allowed, without showing a colleague's contact)."""
    found = {}
    for start in range(0, len(ids), 500):
        stmt = select(model.id, model.owner_id, model.team_id).where(
            model.id.in_(ids[start:start + 500]))
        for cid, owner, team in session.execute(stmt, execution_options={"skip_record_rules": True}):
            found[cid] = (owner, team)
    return found


def _visible_names(session: Session, model, ids: list[int]) -> dict[int, str]:
    names = {}
    for start in range(0, len(ids), 500):  # an ORM query: record rules hide the rest
        for cid, name in session.execute(select(model.id, model.name).where(
                model.id.in_(ids[start:start + 500]))):
            names[cid] = name
    return names


def default_policy(dup: Duplicate) -> str:
    """Update what the row's external id names (the file is that contact's source), else skip."""
    if dup.via == "external_id" and len(dup.matches) == 1 and dup.writable.get(dup.matches[0]):
        return UPDATE
    return SKIP


def _policy_error(dup: Duplicate) -> str | None:
    if not dup.matches:
        return (f"'update' needs an existing contact; this row repeats row {dup.in_file} "
                f"of the file: choose skip or create")
    if len(dup.matches) > 1:
        return (f"matches {len(dup.matches)} existing contacts "
                f"({', '.join('#%d' % i for i in dup.matches)}): choose skip or create")
    if not dup.writable.get(dup.matches[0]):
        return (f"the existing contact #{dup.matches[0]} belongs to someone else and you may "
                f"not change it: choose skip or create")
    return None


def _checked_rows(session: Session, batch: ContactImportBatch, actor: Actor,
                  reuse: bool) -> tuple[RowParser, list[ParsedRow]]:
    """Every row checked: reused from the last preview (if it found no error and
    the file and mapping are the same, see parsed_rows.py), else parsed."""
    rows = parsed_rows.load(batch) if reuse else None
    if rows is not None and not any(r.errors for r in rows):
        parser = RowParser(session, batch.kind, batch.headers, batch.mapping, actor)
        for row in rows:  # what depends on the base and the rules, checked again
            if row.other_kind:
                continue
            parser.check_owner(row)
            parser.reparse_custom(row)
        return parser, rows
    max_rows, max_bytes = configured_limits()
    table = read_table(batch.filename, batch.data, encoding=batch.encoding,
                       max_rows=max_rows, max_bytes=max_bytes)
    parser = RowParser(session, batch.kind, table.headers, batch.mapping, actor)
    parser.system = batch.source_system or DEFAULT_SYSTEM
    parser.prepare(table.rows)
    rows = [parser.parse(number, cells) for number, cells in table.rows]
    parsed_rows.store(batch, rows)
    return parser, rows


def build_preview(session: Session, batch: ContactImportBatch, *,
                  policies: dict[int, str] | None = None, actor: Actor | None = None,
                  reuse: bool = False) -> Preview:
    """Check every row of the batch's file under its mapping and policies.
    `reuse`: take the rows the last preview checked, when still valid (the commit)."""
    actor = actor or current_actor()
    parser, all_rows = _checked_rows(session, batch, actor, reuse)
    rows = [r for r in all_rows if not r.other_kind]  # only these are compared

    system = batch.source_system or DEFAULT_SYSTEM
    bound_ids = bound(session, batch.kind, system, [r.external_id for r in rows if r.external_id])
    index = base_matches(session, batch.kind, rows)
    by_content = content_matches(session, batch.kind,
                                 [r for r in rows if not r.keys() and r.external_id not in bound_ids])
    repeats = find_in_file(rows)
    duplicates = {}
    for row in rows:
        via, matches = "key", []
        if row.external_id in bound_ids:
            via, matches = "external_id", [bound_ids[row.external_id]]
        else:
            for key in row.keys():
                for cid in index.get(key, ()):
                    if cid not in matches:
                        matches.append(cid)
            if not row.keys() and row.number in by_content:
                via, matches = "content", [by_content[row.number]]
        if matches or row.number in repeats:
            duplicates[row.number] = Duplicate(repeats.get(row.number), matches, via=via)

    model = MODELS[batch.kind]
    for number, dup in sorted(duplicates.items()):
        earlier = duplicates.get(dup.in_file) if dup.in_file else None
        if not dup.matches and earlier is not None and len(earlier.matches) == 1:
            # a repeat of a row that names an existing contact names the same one
            dup.matches, dup.via = list(earlier.matches), earlier.via
    single = {d.matches[0] for d in duplicates.values() if len(d.matches) == 1}
    snaps = snapshots(session, batch.kind, single)
    by_number = {r.number: r for r in rows}
    for number, dup in duplicates.items():
        if len(dup.matches) == 1 and dup.matches[0] in snaps and not by_number[number].errors:
            dup.unchanged = not changes(by_number[number], snaps[dup.matches[0]])
    matched = sorted({cid for d in duplicates.values() for cid in d.matches})
    owners = _owners(session, model, matched)
    names = _visible_names(session, model, matched)
    for dup in duplicates.values():
        dup.writable = {cid: parser.scope.allows(*owners.get(cid, (None, None)))
                        for cid in dup.matches}
        dup.names = {cid: names[cid] for cid in dup.matches if cid in names}

    stored = {int(k): v for k, v in (policies if policies is not None
                                      else batch.policies or {}).items()}
    chosen = {n: stored.get(n, default_policy(d)) for n, d in duplicates.items()}
    preview = Preview(batch.kind, all_rows, duplicates, chosen,
                      {r.number for r in all_rows if r.other_kind})
    for row in rows:
        if chosen.get(row.number) == UPDATE and not duplicates[row.number].unchanged:
            problem = _policy_error(duplicates[row.number])
            if problem:
                row.errors.append((DUPLICATE_COLUMN, problem))
    return preview


def parse_policies(form_items, duplicates: dict) -> dict[int, str]:
    """Policies from a form ("policy-<row>" fields, "apply_all" overriding them)."""
    apply_all = form_items.get("apply_all") or ""
    chosen = {}
    for number in duplicates:
        shown = (duplicates[number] or {}).get("policy") if isinstance(duplicates, dict) else None
        value = (apply_all if apply_all in POLICIES
                 else form_items.get(f"policy-{number}", shown or SKIP))
        chosen[int(number)] = value if value in POLICIES else SKIP
    return chosen
