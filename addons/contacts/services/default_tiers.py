"""The tiers a fresh install starts with; admins rename or extend them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Tier

DEFAULT_TIERS = (("A", 10, "Key accounts"), ("B", 20, "Regular customers"),
                 ("C", 30, "Occasional customers"))


def seed_default_tiers(session: Session) -> None:
    """Add A/B/C unless tiers exist already (a reinstall keeps an admin's list)."""
    if session.scalar(select(Tier.id).limit(1)) is not None:
        return
    session.add_all(Tier(name=n, sequence=s, description=d) for n, s, d in DEFAULT_TIERS)
