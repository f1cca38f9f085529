from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.catalog_values import check_price


class Product(Model):
    """What is sold. `code` is the reference ERPs map products by."""
    __tablename__ = "sales_product"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(32), default="Unit", nullable=False)
    list_price: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal("0"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("sales_currency.id"), index=True)
    tax_id: Mapped[int | None] = mapped_column(ForeignKey("sales_tax.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    currency = relationship("Currency")
    tax = relationship("Tax")

    @validates("list_price")
    def _check_price(self, _key, value):
        return check_price(value, "list_price")

    def __repr__(self):
        return f"[{self.code}] {self.name}"
