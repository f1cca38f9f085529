"""Phones and e-mails as a form edits them: one per line, "kind: value".

A line without a kind gets DEFAULT_KIND. Parsing validates every line first
(the error names the field and the line), so a contact's channels are
replaced all together or not at all.
"""
from __future__ import annotations

from ..models import ContactEmail, ContactPhone
from ..rules.email_normalisation import normalise_email
from ..rules.field_error import ContactFieldError
from ..rules.phone_normalisation import normalise_phone

DEFAULT_KIND = "work"
MAX_KIND = 32


def _split(line: str) -> tuple[str, str]:
    kind, sep, value = line.partition(":")
    if not sep:
        return DEFAULT_KIND, line.strip()
    return kind.strip() or DEFAULT_KIND, value.strip()


def parse_lines(text: str | None, field: str, normalise) -> list[tuple[str, str]]:
    """(kind, typed value) per non-empty line, each checked by `normalise`."""
    entries = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        kind, value = _split(line)
        if len(kind) > MAX_KIND:
            raise ContactFieldError(field, f"line {n}: the kind is longer than {MAX_KIND} characters")
        try:
            normalise(value)
        except ContactFieldError as exc:
            raise ContactFieldError(field, f"line {n}: {exc.message}") from None
        entries.append((kind, value))
    return entries


def parse_phones(text: str | None, field: str = "phones") -> list[tuple[str, str]]:
    return parse_lines(text, field, normalise_phone)


def parse_emails(text: str | None, field: str = "emails") -> list[tuple[str, str]]:
    return parse_lines(text, field, normalise_email)


def as_lines(rows) -> str:
    """The form's text for existing phone or e-mail rows."""
    return "\n".join(f"{r.kind}: {r.number if isinstance(r, ContactPhone) else r.email}"
                     for r in rows)


def replace_channels(contact, phones: list[tuple[str, str]],
                     emails: list[tuple[str, str]]) -> None:
    """Make the contact's phones and e-mails these; unchanged rows are kept."""
    if [(p.kind, p.number) for p in contact.phones] != phones:
        contact.phones = [ContactPhone(kind=k, number=v) for k, v in phones]
    if [(e.kind, e.email) for e in contact.emails] != emails:
        contact.emails = [ContactEmail(kind=k, email=v) for k, v in emails]
