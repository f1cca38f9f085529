"""Products offered by a product picker: ~20 active products whose code or
name contains what the user typed, and the one product a form names by id."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import Product

LIMIT = 20


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_products(session: Session, text: str, limit: int = LIMIT) -> list[dict]:
    """At most `limit` {id, text} for active products matching `text`, codes
    starting with it first; none for an empty query."""
    text = " ".join((text or "").split()).lower()
    if not text:
        return []
    pattern = _like(text)
    code, name = func.lower(Product.code), func.lower(Product.name)
    rows = session.execute(
        select(Product.id, Product.code, Product.name)
        .where(Product.active,
               or_(code.like(pattern, escape="\\"), name.like(pattern, escape="\\")))
        .order_by((code != text), Product.code)  # an exact code first
        .limit(limit)).all()
    return [{"id": r.id, "text": f"[{r.code}] {r.name}"} for r in rows]


def sellable_product(session: Session, product_id) -> Product | None:
    """The active product with this id, else None (also for a non-number)."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        return None
    if not -2**31 <= pk < 2**31:  # PostgreSQL refuses a bigger integer parameter
        return None
    return session.scalars(select(Product).where(Product.id == pk, Product.active)).first()
