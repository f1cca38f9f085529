"""The one way an addon's `demo` command stores its demo data: as the system
actor, in one transaction; a refusal rolls it all back and exits 2 with why."""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click
from sqlalchemy.orm import Session

from core.security.actor import SYSTEM, acting_as

T = TypeVar("T")


def load_or_exit(load: Callable[[Session], T],
                 refusals: tuple[type[Exception], ...] = (ValueError, LookupError)) -> T:
    """`load(session)`, committed; on one of `refusals` nothing is stored."""
    from core.db import db

    with acting_as(SYSTEM):
        try:
            result = load(db.session)
            db.session.commit()
        except refusals as exc:
            db.session.rollback()
            click.echo(f"error: {exc}; nothing was stored", err=True)
            sys.exit(2)
    return result
