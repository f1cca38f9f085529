"""At most `LIMIT` POSTs to one form from one address within `WINDOW`,
counted in the database (every web process shares the count)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import WebFormHit

LIMIT = 5
WINDOW = dt.timedelta(minutes=10)


def over_limit(session: Session, form_id: int, address: str, now: dt.datetime) -> bool:
    """Count this POST; whether it is one too many. Hits older than the window go."""
    since = now - WINDOW
    session.execute(delete(WebFormHit).where(WebFormHit.at < since))
    earlier = session.scalar(select(func.count(WebFormHit.id)).where(
        WebFormHit.form_id == form_id, WebFormHit.address == address, WebFormHit.at >= since))
    session.add(WebFormHit(form_id=form_id, address=address, at=now))
    return earlier >= LIMIT
