"""What other addons do when an invoice or credit note is issued (an
extension point: invoicing never names them). An addon's `register(addon)`
calls

    issue_hooks.add(addon.name, hook)

and `hook(session, invoice)` runs at the end of `issue_invoice.issue`, in the
issuing transaction (the invoice has its number), only while that addon is
active: what it writes commits with the issue or not at all. It must not
refuse: the invoice is issued by then (e-invoicing queues its e-invoice).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.addons.extension_points import AddonHooks

_HOOKS = AddonHooks()
add = _HOOKS.add


def run(session: Session, invoice) -> None:
    for hook in _HOOKS.active():
        hook(session, invoice)
