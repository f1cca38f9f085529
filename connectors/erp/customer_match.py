"""Which remote customer an order goes to: one rule for every ERP client.

A client searches its remote for every record that could be the customer
(the bound id, our reference, the tax id, the e-mail, the phone), turns them
into `RemoteCustomer`s and asks `choose`:

1. our binding (`Customer.external_id`), then our reference;
2. then strong identity: the tax id; an e-mail or phone only where no tax id
   disagrees (both sides have one and they differ);
3. never a record bound to another of our records (`taken`) or carrying
   another reference of ours (`reference_prefixes`);
4. two equally good records, or a tax id match that belongs to another of our
   records (our duplicates), stop with `CustomerConflict` before anything is
   written remotely; its `details` name the records for a person to bind,
   create new, or merge our duplicates;
5. nothing found (or only weak matches that belong to others): create one.

Pure: no I/O.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..errors import PermanentError
from .payloads import Customer


@dataclass(frozen=True)
class RemoteCustomer:
    external_id: str
    name: str
    reference: str = ""  # the remote field that holds our reference, if any
    tax_ids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    remote: RemoteCustomer | None  # None: create a new remote customer
    by: str  # binding, reference, tax id, e-mail, phone; "" when none
    notes: tuple[str, ...] = ()


class CustomerConflict(PermanentError):
    """The customer cannot be matched safely; nothing was written remotely."""


def compact_tax_id(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def compact_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits.lstrip("0")


def _email(value: str) -> str:
    return (value or "").strip().casefold()


def choose(customer: Customer, found: list[RemoteCustomer], what: str) -> Match:
    """The remote customer to use for `customer` among `found` (see module doc);
    `what` names the remote in messages ("Tryton at http://...")."""
    unique = list({r.external_id: r for r in found}.values())
    if customer.external_id:
        bound = [r for r in unique if r.external_id == customer.external_id]
        if bound:
            return Match(bound[0], "binding")
    ours = [r for r in unique if r.reference and r.reference == customer.reference]
    if ours:
        return Match(ours[0], "reference")
    if customer.create_new:
        return Match(None, "", ("a new customer was asked for",))

    def others(r: RemoteCustomer) -> str:
        """Why `r` belongs to another of our records ("" when it does not)."""
        if r.external_id in customer.taken:
            return f"bound to our {customer.taken[r.external_id]}"
        if r.reference and r.reference != customer.reference and any(
                r.reference.startswith(p) for p in customer.reference_prefixes):
            return f"carries our reference {r.reference}"
        return ""

    tax_id = compact_tax_id(customer.tax_id)
    if tax_id:
        same_tax = [r for r in unique if tax_id in {compact_tax_id(t) for t in r.tax_ids}]
        free = [r for r in same_tax if not others(r)]
        if len(free) == 1:
            return Match(free[0], "tax id")
        if free:
            raise _conflict(customer, free, what, "ambiguous",
                            f"{len(free)} remote customers have tax id {customer.tax_id}")
        if same_tax:
            raise _conflict(customer, same_tax, what, "taken",
                            f"the remote customer with tax id {customer.tax_id} belongs to "
                            f"another of our records ({others(same_tax[0])}): two of our "
                            "customers share this tax id")

    email, phone = _email(customer.email), compact_phone(customer.phone)
    weak, notes = [], []
    for r in unique:
        by = ("e-mail" if email and email in {_email(e) for e in r.emails} else
              "phone" if phone and phone in {compact_phone(p) for p in r.phones} else "")
        if not by:
            continue
        theirs = {compact_tax_id(t) for t in r.tax_ids if compact_tax_id(t)}
        if tax_id and theirs and tax_id not in theirs:
            notes.append(f"{_label(r)} has the same {by} but tax id "
                         f"{', '.join(sorted(r.tax_ids))}: not matched")
            continue
        if others(r):
            notes.append(f"{_label(r)} has the same {by} but is {others(r)}: not matched")
            continue
        weak.append((r, by))
    if len(weak) == 1:
        return Match(weak[0][0], weak[0][1], tuple(notes))
    if weak:
        raise _conflict(customer, [r for r, _ in weak], what, "ambiguous",
                        f"{len(weak)} remote customers have the same e-mail or phone "
                        "and no tax id to tell them apart")
    return Match(None, "", tuple(notes))


def _label(r: RemoteCustomer) -> str:
    return f"remote customer {r.external_id} ({r.name})"


def _conflict(customer: Customer, candidates: list[RemoteCustomer], what: str, reason: str,
              words: str) -> CustomerConflict:
    named = "; ".join(
        f"{_label(r)}{', reference ' + r.reference if r.reference else ''}"
        f"{', tax id ' + ', '.join(r.tax_ids) if r.tax_ids else ''}"
        f"{', bound to our ' + customer.taken[r.external_id] if r.external_id in customer.taken else ''}"
        for r in candidates)
    return CustomerConflict(
        f"{what}: customer {customer.reference} ({customer.name}) not matched: {words}: "
        f"{named}. Nothing was created. Bind one of them, create a new customer, "
        "or merge our duplicates, then retry",
        details={"kind": "customer_conflict", "reason": reason,
                 "customer": customer.reference,
                 "candidates": [{**asdict(r),
                                 "bound_to": customer.taken.get(r.external_id, "")}
                                for r in candidates]})
