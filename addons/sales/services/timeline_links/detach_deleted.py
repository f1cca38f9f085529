"""Sales records on a contact's timeline (orders, converted opportunities, done
activities) never leave an entry linking to a page that no longer exists: a
deleted record's entries stay as history, unlinked, and uninstalling sales
unlinks them all (the uninstall backup keeps them as they were)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from addons.contacts.services import timeline

from ...models import Activity, Lead, SalesOrder

# the `source` model names sales attaches with (order_states, lead_conversion, scheduling)
SOURCES = {SalesOrder: "sales.order", Lead: "sales.lead", Activity: "sales.activity"}


def detach_deleted_records(session: Session, _flush_context, _instances) -> None:
    """before_flush: unlink the timeline entries of the leads, orders and activities deleted."""
    for obj in session.deleted:
        model = SOURCES.get(type(obj))
        if model is not None and obj.id is not None:
            timeline.detach(session, source=(model, obj.id))


def detach_all(session: Session) -> None:
    """pre_uninstall: no entry keeps a link to a sales page once sales is gone."""
    timeline.detach_addon(session, "sales")
