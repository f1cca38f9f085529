"""The duplicate check of one contact being saved (form or REST): which keys it
brings, which existing contacts hold them, and what the policy says.

Shared by views/duplicate_check.py and api/duplicate_check.py so both paths
apply the same rule: only keys the contact does not already hold are checked
(editing a contact that already shared a phone must not be refused for it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Company, ContactEmail, ContactPhone
from ...rules.email_normalisation import normalise_email
from ...rules.field_error import ContactFieldError
from ...rules.phone_normalisation import normalise_phone
from ...rules.tax_id_validation import normalise_tax_id
from .detection import (COMPANY, DuplicateMatch, email_domain, find_exact,
                                  find_likely)

KEY_FIELDS = ("email", "phone", "tax_id")


@dataclass
class ContactKeys:
    """Normalised keys typed for one contact; invalid values are left to their own check."""
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    tax_ids: set[str] = field(default_factory=set)

    def add(self, key_type: str, typed) -> None:
        normalise = {"email": normalise_email, "phone": normalise_phone,
                     "tax_id": normalise_tax_id}[key_type]
        if typed is None or not str(typed).strip():
            return
        try:
            key = normalise(str(typed))
        except ContactFieldError:
            return  # the field's own validator names the error
        {"email": self.emails, "phone": self.phones, "tax_id": self.tax_ids}[key_type].add(key)

    def without(self, other: "ContactKeys") -> "ContactKeys":
        return ContactKeys(self.emails - other.emails, self.phones - other.phones,
                           self.tax_ids - other.tax_ids)


def stored_keys(session: Session, kind: str, contact_id: int | None) -> ContactKeys:
    """The keys a stored contact already holds (none for a new one)."""
    keys = ContactKeys()
    if contact_id is None:
        return keys
    email_parent = ContactEmail.company_id if kind == COMPANY else ContactEmail.person_id
    phone_parent = ContactPhone.company_id if kind == COMPANY else ContactPhone.person_id
    keys.emails.update(session.scalars(select(ContactEmail.normalised)
                                       .where(email_parent == contact_id)))
    keys.phones.update(session.scalars(select(ContactPhone.e164)
                                       .where(phone_parent == contact_id)))
    if kind == COMPANY:
        tax_id = session.scalar(select(Company.tax_id_normalised).where(Company.id == contact_id))
        if tax_id:
            keys.tax_ids.add(tax_id)
    return keys


def exact_duplicates(session: Session, kind: str, keys: ContactKeys,
                     contact_id: int | None = None) -> list[DuplicateMatch]:
    """Existing contacts (whole base) holding a key this contact newly brings."""
    new = keys.without(stored_keys(session, kind, contact_id))
    if not (new.emails or new.phones or new.tax_ids):
        return []
    return find_exact(session, kind, emails=new.emails, phones=new.phones,
                      tax_ids=new.tax_ids, exclude_id=contact_id)


def likely_duplicates(session: Session, kind: str, contact) -> list[DuplicateMatch]:
    """Similar names in the saved contact's company or e-mail domains."""
    domains = {email_domain(e.normalised) for e in contact.emails if e.normalised}
    return find_likely(session, kind, contact.name,
                       company_id=getattr(contact, "company_id", None),
                       email_domains=domains, exclude_id=contact.id)


def describe(match: DuplicateMatch) -> str:
    """"Acme (owner: sam)": what a user may learn of any match."""
    owner = match.owner_name or "-"
    return f"{match.name} (owner: {owner})"


def as_json(match: DuplicateMatch) -> dict:
    """A match for an API answer: the id only of contacts the caller may read."""
    body = {"kind": match.kind, "name": match.name, "owner": match.owner_name,
            "matched_on": match.matched_on, "value": match.value, "visible": match.visible}
    if match.visible:
        body["id"] = match.contact_id
    return body
