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

from collections.abc import Callable

from sqlalchemy.orm import Session

from core.addons.model_extension import active_addons

Check = Callable[[Session, object], "str | None"]

_CHECKS: list[tuple[str, Check]] = []


def add(addon: str, check: Check) -> None:
    """Register once (an app factory may run register() again)."""
    if (addon, check) not in _CHECKS:
        _CHECKS.append((addon, check))


def run(session: Session, order) -> list[str]:
    """The active addons' checks in registration order; their warnings."""
    active = active_addons()
    warnings = []
    for addon, check in list(_CHECKS):
        if addon in active:
            said = check(session, order)
            if said:
                warnings.append(said)
    return warnings
