"""What identifies the person behind an `IncomingLead`: the e-mail and phone
normalised by contacts' rules (a value that does not pass is kept as typed,
with the reason, never lost), its platform identities, and the lock that
serialises intake per person on PostgreSQL.

Two workers may take in two events of one person at once (a WeChat follow and
a web form): each takes a transaction-scoped advisory lock per key, in one
order, before looking for the person, so the second waits for the first's
commit and finds its lead. SQLite has one writer at a time: nothing to add.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from addons.contacts.rules.email_normalisation import normalise_email
from addons.contacts.rules.field_error import ContactFieldError
from addons.contacts.rules.phone_normalisation import normalise_phone

from .incoming import IncomingLead


@dataclass(frozen=True)
class PersonKeys:
    email: str | None  # normalised
    phone: str | None  # E.164
    identities: tuple[tuple[str, str], ...]  # (kind, value)
    problems: tuple[str, ...]  # "phone: '12' is not a valid phone number", as typed

    @property
    def lock_keys(self) -> list[str]:
        keys = [f"email:{self.email}" if self.email else "", f"phone:{self.phone}"
                if self.phone else ""] + [f"id:{k}:{v}" for k, v in self.identities]
        return sorted(k for k in keys if k)


def keys_of(incoming: IncomingLead) -> PersonKeys:
    """The person's keys; invalid values left out and told in `problems`."""
    problems = []
    email = phone = None
    if (incoming.email or "").strip():
        try:
            email = normalise_email(incoming.email)
        except ContactFieldError as exc:
            problems.append(str(exc))
    if (incoming.phone or "").strip():
        try:
            phone = normalise_phone(incoming.phone, incoming.country_code)
        except ContactFieldError as exc:
            problems.append(str(exc))
    identities = tuple(sorted({(i.kind.strip(), i.value.strip()) for i in incoming.identities
                               if i.kind.strip() and i.value.strip()}))
    return PersonKeys(email, phone, identities, tuple(problems))


def lock_number(key: str) -> int:
    """A signed 64-bit number for `key`, as pg_advisory_xact_lock takes."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def lock_person(session: Session, keys: PersonKeys) -> None:
    """On PostgreSQL, wait for any other transaction taking in the same
    person (held until this one ends); nothing on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in keys.lock_keys:  # sorted: two transactions take shared keys in one order
        session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": lock_number(key)})
