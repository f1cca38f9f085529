"""The extension point "personal data of a person", which contacts owns.

An addon that stores data about a person adds one `Provider` from its
`register(addon)`:

    from addons.contacts.services.personal_data.provider import Provider, personal_data

    personal_data.add(addon.name, Provider("service_desk", export_tickets, erase_tickets))

- `export(session, subject) -> Found`: named sections of rows (plain JSON-able
  dicts, `rows.row_of`), files (a path inside the ZIP -> bytes) and each
  section's label in the summary (Chinese, English);
- `erase(session, subject) -> Erased`: anonymise or delete through the ORM
  (audited) in the caller's transaction, never commit; say per kind of record
  what was anonymised, deleted or kept and why (a legal duty), and which of
  the person's values went (`identifiers`: the audit log forgets them too).
  Raise to refuse: nothing of the erasure is kept, and the message names the
  provider.

Only active addons' providers run. `subject` is read once before any
provider runs, so each sees the person's name, e-mails and phones as they were.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core.addons.extension_points import AddonHooks
from core.security.audit_redaction import ERASED

from ...models import Person

ANONYMISED, DELETED, KEPT = "anonymised", "deleted", "kept"
ERASED_TEXT = ERASED  # what replaces a text that must stay filled, as in the audit log


@dataclass(frozen=True)
class Subject:
    """The person whose data is exported or erased, as read before any change."""
    person: Person
    name: str
    emails: frozenset[str]  # lower-cased, as typed and normalised
    phones: frozenset[str]  # as typed and E.164

    @property
    def identifiers(self) -> set[str]:
        return {self.name, *self.emails, *self.phones}


@dataclass
class Found:
    sections: dict[str, list[dict]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    # a section's name in the summary, Chinese and English side by side
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    what: str  # a kind of record: "tickets", "consents"
    action: str  # ANONYMISED, DELETED or KEPT
    count: int
    why: str = ""  # KEPT: the duty that keeps it


@dataclass
class Erased:
    outcomes: list[Outcome] = field(default_factory=list)
    identifiers: set[str] = field(default_factory=set)

    def add(self, what: str, action: str, count: int, why: str = "") -> None:
        if count:
            self.outcomes.append(Outcome(what, action, count, why))


@dataclass(frozen=True)
class Provider:
    name: str
    export: Callable[[Session, Subject], Found]
    erase: Callable[[Session, Subject], Erased]


personal_data = AddonHooks()  # of Provider


def subject_of(person: Person) -> Subject:
    emails = {v.lower() for e in person.emails for v in (e.email, e.normalised) if v}
    phones = {v for p in person.phones for v in (p.number, p.e164) if v}
    return Subject(person, person.name, frozenset(emails), frozenset(phones))


def providers() -> list[Provider]:
    return personal_data.active()
