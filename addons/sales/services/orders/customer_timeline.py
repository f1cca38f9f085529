"""An order on its customer's timeline: the state moves people should see on
the company's or person's page."""
from __future__ import annotations

from flask import has_request_context, url_for
from sqlalchemy.orm import Session

from core.security.actor import current_actor

from ...models.sales_order import SalesOrder


def attach_to_customer(session: Session, order: SalesOrder, subject: str,
                        author_id: int | None = None) -> None:
    """The order on its customer's timeline (one entry per order and contact)."""
    from addons.contacts.services import timeline

    url = (url_for("OrderView.show", pk=order.id) if has_request_context() else None)
    for contact in (order.company, order.person):
        if contact is not None:
            timeline.attach(session, contact, "order", subject, source=("sales.order", order.id),
                            author_id=author_id or current_actor().user_id, url=url)
