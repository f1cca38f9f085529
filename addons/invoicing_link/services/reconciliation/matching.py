"""Ours against the remote listing, in memory, by dictionary: a remote
invoice is ours when it is bound to one of ours (its external id), else when
its reference is the number of one of ours that no binding matched (pushed,
the binding not written: a worker killed after the remote create). Remote
pages are streamed: only those matched by reference wait for the end.

Duplicates: two live (not cancelled) remote invoices with the number of one
of our pushed invoices, or two of ours of one origin with one number on this
backend (an ERP's invoice mirrored twice). A pair agrees when the state and the total,
tax and residual at the currency's decimals agree.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal

from connectors.erp.invoice_payloads import RemoteInvoice

from ...models.invoice import CANCELLED, CROSSDOCK, DRAFT, ISSUED
from .differences import (AMOUNT_MISMATCH, DUPLICATE_REFERENCE, MISSING_HERE, MISSING_REMOTE,
                          STATE_MISMATCH, Difference, Reconciliation, Side)

# our state -> the remote states that agree with it
AGREEING = {DRAFT: {"draft"}, ISSUED: {"posted", "paid"}, CANCELLED: {"cancelled"}}


def ours_side(row) -> Side:
    """Our figures at the currency's decimals (stored with 4)."""
    return Side(row.number or "", row.state, *(_cents(v, row.places) for v in (
        row.total, row.tax, row.residual)), row.currency)


def theirs_side(remote: RemoteInvoice) -> Side:
    return Side(remote.number, remote.state, remote.total, remote.total_tax, remote.residual,
                remote.currency)


def _cents(value, places: int) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal(1).scaleb(-places))


def _differ(here, there, places: int) -> bool:
    # equal values (113.0000 and 113.00) are the common case: no rounding then
    return here != there and _cents(here, places) != _cents(there, places)


def pair_differences(row, remote: RemoteInvoice) -> list[Difference]:
    """What differs between ours and theirs ([] when they agree)."""
    amounts = tuple(name for name, here, there in (
        ("total", row.total, remote.total), ("tax", row.tax, remote.total_tax),
        ("residual", row.residual, remote.residual)) if _differ(here, there, row.places))
    state_agrees = remote.state in AGREEING.get(row.state, ())
    if not amounts and state_agrees:
        return []
    common = dict(reference=row.number or remote.reference or remote.number,
                  invoice_id=row.id, external_id=remote.external_id, origin=row.origin,
                  ours=ours_side(row), theirs=theirs_side(remote))
    found = [Difference(AMOUNT_MISMATCH, amounts=amounts, **common)] if amounts else []
    if not state_agrees:
        found.append(Difference(STATE_MISMATCH, **common))
    return found


def reconcile_rows(backend: str, ours: list, pages: Iterable[list[RemoteInvoice]]
                   ) -> Reconciliation:
    """Compare `ours` (our_invoices rows) with the remote `pages`."""
    result = Reconciliation(backend, ours_count=len(ours))
    started = time.perf_counter()
    by_external = {row.external_id: row for row in ours if row.external_id}
    # per origin: an ERP's numbering may well give "INV/2026/00001" too
    by_number: dict[tuple[str, str], list] = {}
    for row in ours:
        if row.number:
            by_number.setdefault((row.origin, row.number), []).append(row)
    pushed = {number for origin, number in by_number if origin == CROSSDOCK}
    seen: set[int] = set()
    by_reference: dict[str, list[RemoteInvoice]] = {}  # theirs carrying our pushed numbers
    differences = result.differences

    def pair(row, remote):
        seen.add(row.id)
        found = pair_differences(row, remote)
        differences.extend(found)
        result.matched += not found

    pages = iter(pages)
    while True:
        waited = time.perf_counter()
        page = next(pages, None)
        result.seconds_remote += time.perf_counter() - waited
        if page is None:
            break
        result.remote_count += len(page)
        for remote in page:
            if remote.reference in pushed:
                by_reference.setdefault(remote.reference, []).append(remote)
            row = by_external.get(remote.external_id)
            if row is not None:
                pair(row, remote)
            elif remote.reference not in pushed and remote.state != "cancelled":
                differences.append(Difference(
                    MISSING_HERE, remote.reference or remote.number,
                    external_id=remote.external_id, theirs=theirs_side(remote)))
    for reference, remotes in by_reference.items():
        row = by_number[(CROSSDOCK, reference)][0]
        live = [r for r in remotes if r.state != "cancelled"]
        if row.id not in seen:  # no binding matched: the first live one is its
            pair(row, (live or remotes)[0])
        if len(live) > 1:
            differences.append(Difference(
                DUPLICATE_REFERENCE, reference, invoice_id=row.id, external_id=live[0].external_id,
                origin=row.origin, ours=ours_side(row), theirs=theirs_side(live[0]),
                also=tuple(r.external_id for r in live[1:])))
    for (_, number), rows in by_number.items():
        if len(rows) > 1:
            differences.append(Difference(
                DUPLICATE_REFERENCE, number, invoice_id=rows[0].id, origin=rows[0].origin,
                ours=ours_side(rows[0]), also=tuple(f"#{r.id}" for r in rows[1:])))
    differences.extend(
        Difference(MISSING_REMOTE, row.number or f"#{row.id}", invoice_id=row.id,
                   origin=row.origin, ours=ours_side(row))
        for row in ours if row.id not in seen and row.state != CANCELLED)
    result.seconds_compare = time.perf_counter() - started - result.seconds_remote
    return result
