"""The push handler `INVOICE_PUSH`: an issued invoice or credit note into one
finance system, exactly once (the Crossdock-invoices mode, modes.py).

Enqueued by `request_push` in the issuing transaction, one job per backend
that takes Crossdock's invoices. The client searches the remote for our
number before it creates anything (connectors/erp/*_invoices.py), so a
worker killed between the remote create and our commit does not make a
second invoice. Jobs of one customer run one after another, behind its
orders' pushes (sales' serial key), so the ERP order an invoice names
exists first. A remote whose totals differ from ours flags the binding
("totals_differ"), as orders do.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from addons.sales.services.erp.push import serial_key
from connectors import hub
from connectors.erp.invoice_payloads import InvoiceOut, totals_differ

from ...models.invoice import CANCELLED, CROSSDOCK, DRAFT, ERP_MODEL, Invoice
from .invoice_payload import invoice_out, load_invoice
from .modes import backends_invoiced_here


@dataclass(frozen=True)
class InvoicePayload:
    invoice_id: int
    customer_model: str
    customer_id: int
    invoice: InvoiceOut


def prepare_push(ctx) -> InvoicePayload:
    invoice = load_invoice(ctx.session, ctx.record_id)
    if invoice is None:
        raise hub.Skip(f"invoice #{ctx.record_id} was deleted; nothing sent")
    if invoice.state in (DRAFT, CANCELLED) or invoice.origin != CROSSDOCK:
        raise hub.Skip(f"{invoice} is {invoice.state} ({invoice.origin}); nothing sent")
    contact = invoice.company or invoice.person
    return InvoicePayload(invoice.id, type(contact).SYNC_MODEL, contact.id,
                          invoice_out(ctx, invoice))


def call_push(client, payload: InvoicePayload) -> hub.Outcome:
    sent = payload.invoice
    remote = client.push_invoice(sent)
    differ = totals_differ(sent, remote)
    binds = [hub.Bind(ERP_MODEL, payload.invoice_id, remote.external_id, remote.number,
                      remote.state, remote.remote_state,
                      attention="totals_differ" if differ else "",
                      details={"problem": differ} if differ else None)]
    if remote.customer_external_id:
        binds.append(hub.Bind(payload.customer_model, payload.customer_id,
                              remote.customer_external_id))
    summary = f"{sent.reference} is {remote.number or remote.external_id} ({remote.remote_state})"
    if remote.notes:
        summary += f" ({'; '.join(remote.notes)})"
    if differ:
        summary += f"; {differ}"
    return hub.Outcome(summary, remote_ref=remote.number, bindings=tuple(binds))


INVOICE_PUSH = hub.Push(kind="invoicing.invoice.push", model=ERP_MODEL, prepare=prepare_push,
                        call=call_push)


def request_push(session: Session, invoice: Invoice) -> list:
    """A push job per backend taking Crossdock's invoices, in the caller's transaction."""
    return [hub.enqueue(session, INVOICE_PUSH, invoice.id, backend.id,
                        serial_key=serial_key(invoice.order))
            for backend in backends_invoiced_here(session)]
