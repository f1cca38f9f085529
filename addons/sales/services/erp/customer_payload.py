"""An order's customer as the neutral `Customer` a client matches in its ERP.

Besides name, tax id, first e-mail and phone and address, it says which
remote customers are not this one: those bound (on the job's backend) to
another company or person of ours that shares its tax id, an e-mail or a
phone. That is what keeps two companies sharing `info@...` apart in the ERP
(connectors/erp/customer_match.py decides).
"""
from __future__ import annotations

from sqlalchemy import or_, select

from addons.contacts.models import Company, Person
from addons.contacts.models.contact_email import ContactEmail
from addons.contacts.models.contact_phone import ContactPhone
from connectors.erp.payloads import Address, Customer

PREFIXES = {Company.SYNC_MODEL: "CD-COMPANY", Person.SYNC_MODEL: "CD-PERSON"}
OTHERS_SHOWN = 200  # contacts sharing one identity key that are checked for bindings


def reference(contact) -> str:
    return f"{PREFIXES[type(contact).SYNC_MODEL]}-{contact.id}"


def customer_for(ctx, contact, create_new: bool = False) -> Customer:
    """`contact` (a Company or Person, emails and phones loaded) for the job's backend."""
    model = type(contact).SYNC_MODEL
    bound = ctx.binding(model, contact.id)
    emails = sorted(contact.emails, key=lambda e: e.id)
    phones = sorted(contact.phones, key=lambda p: p.id)
    return Customer(
        reference=reference(contact), name=contact.name,
        tax_id=getattr(contact, "tax_id", None) or "",
        email=emails[0].email if emails else "", phone=phones[0].e164 if phones else "",
        address=Address(street=contact.street or "", city=contact.city or "",
                        postal_code=contact.postal_code or "",
                        country_code=contact.country_code or ""),
        external_id=bound.external_id if bound else "",
        taken=_taken(ctx, contact),
        reference_prefixes=tuple(f"{p}-" for p in PREFIXES.values()),
        create_new=create_new)


def _taken(ctx, contact) -> dict[str, str]:
    """Remote ids bound to our other contacts that share an identity key."""
    session = ctx.session
    emails = [e.normalised for e in contact.emails if e.normalised]
    phones = [p.e164 for p in contact.phones if p.e164]
    tax_id = getattr(contact, "tax_id_normalised", None)
    taken: dict[str, str] = {}
    for model_class, owner_column in ((Company, ContactEmail.company_id),
                                      (Person, ContactEmail.person_id)):
        phone_owner = (ContactPhone.company_id if model_class is Company
                       else ContactPhone.person_id)
        keys = []
        if emails:
            keys.append(model_class.id.in_(select(owner_column).where(
                ContactEmail.normalised.in_(emails))))
        if phones:
            keys.append(model_class.id.in_(select(phone_owner).where(
                ContactPhone.e164.in_(phones))))
        if tax_id and model_class is Company:
            keys.append(Company.tax_id_normalised == tax_id)
        if not keys:
            continue
        stmt = select(model_class.id, model_class.name).where(or_(*keys))
        if isinstance(contact, model_class):
            stmt = stmt.where(model_class.id != contact.id)
        others = dict(session.execute(stmt.limit(OTHERS_SHOWN)).all())
        model = model_class.SYNC_MODEL
        for record_id, external_id in ctx.external_ids(model, others).items():
            taken[external_id] = f"{model} {record_id} ({others[record_id]})"
    return taken


def merge_ids(problem: dict) -> tuple[str, list[int]] | None:
    """(contacts kind, ids) of our records a job's customer problem says
    collide (the customer and the records holding its remote candidates),
    for the contacts merge screen; None when no two of ours are involved."""
    model, record_id = problem.get("model"), problem.get("record_id")
    kind = {Company.SYNC_MODEL: "company", Person.SYNC_MODEL: "person"}.get(model)
    if kind is None:
        return None
    others = {int(problem["bound_record_id"])} if problem.get("bound_record_id") else set()
    for candidate in problem.get("candidates", []):
        words = (candidate.get("bound_to") or "").split()
        if len(words) >= 2 and words[0] == model and words[1].isdigit():
            others.add(int(words[1]))
    others.discard(int(record_id))
    return (kind, [int(record_id), *sorted(others)]) if others else None
