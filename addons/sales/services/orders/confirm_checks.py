"""Checks other addons add to confirming an order (an extension point: sales
never names them). An addon's `register(addon)` calls

    confirm_checks.add(addon.name, check)

and `check(session, order)` runs inside `order_states.confirm`, after sales'
own checks and before the order moves, in the confirmation's transaction,
only while that addon is active. A check refuses by raising
`order_states.OrderCheckError` (nothing is written), or returns a warning
(text) that the confirmation shows beside "Order confirmed", or None.
invoicing_link's credit limit is one (its services/credit/credit_check.py).
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.addons.extension_points import AddonHooks

_CHECKS = AddonHooks()
add = _CHECKS.add


def run(session: Session, order) -> list[str]:
    """The active addons' checks in registration order; their warnings."""
    return [said for said in (check(session, order) for check in _CHECKS.active()) if said]
