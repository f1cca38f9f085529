"""Products offered by a product picker: ~20 active products whose code or
name contains what the user typed, and the one product a form names by id."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...models import Product

LIMIT = 20


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matching_products(session: Session, text: str, limit: int = LIMIT) -> list[dict]:
    """At most `limit` {id, text} for active products whose code or name
    contains `text` (case-insensitive), a product with exactly that code
    first; none for an empty query."""
    text = " ".join((text or "").split())
    if not text:
        return []
    columns = (Product.id, Product.code, Product.name)
    exact = session.execute(select(*columns).where(
        Product.active, Product.code.in_({text, text.upper()}))).all()  # the unique index
    pattern = _like(text.lower())
    # no ORDER BY: the scan stops at `limit` matches instead of sorting every
    # match (100,000 products, "bolt": 190 -> see bench/sales_catalog.py);
    # the user narrows by typing more
    rows = session.execute(
        select(*columns)
        .where(Product.active, or_(func.lower(Product.code).like(pattern, escape="\\"),
                                   func.lower(Product.name).like(pattern, escape="\\")))
        .limit(limit)).all()
    seen = {r.id for r in exact}
    rows = exact + sorted((r for r in rows if r.id not in seen), key=lambda r: r.code)
    return [{"id": r.id, "text": f"[{r.code}] {r.name}"} for r in rows[:limit]]


def sellable_product(session: Session, product_id) -> Product | None:
    """The active product with this id, else None (also for a non-number)."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        return None
    if not -2**31 <= pk < 2**31:  # PostgreSQL refuses a bigger integer parameter
        return None
    return session.scalars(select(Product).where(Product.id == pk, Product.active)).first()
