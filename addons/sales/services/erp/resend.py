"""`crossdock sales erp-resend`: confirmed orders a backend has not seen."""
from __future__ import annotations

import click
from sqlalchemy import select

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS
from ...models.sales_order import CONFIRMED, ERP_MODEL as MODEL, SalesOrder
from .push import ORDER_PUSH, serial_key


@click.command("erp-resend")
@click.option("--backend", "backend_name", default=None,
              help="Only this backend (default: every active ERP backend).")
def erp_resend_command(backend_name: str | None) -> None:
    """Queue confirmed orders that an ERP backend has neither bound nor a job for."""
    from core.db import db

    session = db.session
    backends = [b for b in hub.active_backends(session, ERP_KINDS)
                if backend_name in (None, b.name)]
    if not backends:
        raise click.ClickException("no active ERP backend" + (
            f" named {backend_name!r}" if backend_name else ""))
    queued = 0
    for backend in backends:
        seen = hub.records_known_to(backend.id, ORDER_PUSH.kind, MODEL)
        for order_id in session.scalars(select(SalesOrder.id).where(
                SalesOrder.state == CONFIRMED, SalesOrder.id.not_in(seen))
                .order_by(SalesOrder.id)):
            order = session.get(SalesOrder, order_id)
            hub.enqueue(session, ORDER_PUSH, order_id, backend.id, serial_key=serial_key(order))
            queued += 1
    session.commit()
    click.echo(f"queued {queued} confirmed orders for {', '.join(b.name for b in backends)}")
