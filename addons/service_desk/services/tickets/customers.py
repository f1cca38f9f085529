"""Who wrote: the contact with the sender's address, else a new person.

The address is compared by contacts' normalised form; a person is preferred
to a company (the person's company comes with it), the oldest first when
several share it. Looked up past the reader's record rules (routing mail is
the system's decision, not an agent's view); a new person is created in the
caller's transaction (the mail routing runs as the system)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.models import Company, ContactEmail, Person
from addons.contacts.rules.email_normalisation import normalise_email
from addons.contacts.rules.field_error import ContactFieldError

ALL_ROWS = {"skip_record_rules": True}


def customer_for(session: Session, email: str, name: str | None,
                 *, create: bool = True) -> tuple[Company | None, Person | None]:
    """(company, person) for the sender; (None, None) for an unusable address."""
    try:
        key = normalise_email(email)
    except ContactFieldError:
        return None, None
    rows = session.execute(
        select(ContactEmail.person_id, ContactEmail.company_id)
        .where(ContactEmail.normalised == key).order_by(ContactEmail.id),
        execution_options=ALL_ROWS).all()
    person_id = next((r.person_id for r in rows if r.person_id is not None), None)
    if person_id is not None:
        person = session.get(Person, person_id, execution_options=ALL_ROWS)
        return person.company, person
    company_id = next((r.company_id for r in rows if r.company_id is not None), None)
    if company_id is not None:
        return session.get(Company, company_id, execution_options=ALL_ROWS), None
    if not create:
        return None, None
    person = Person(name=(name or "").strip() or email.split("@")[0], source="service desk",
                    emails=[ContactEmail(kind="work", email=email)])
    session.add(person)
    session.flush()
    return None, person
