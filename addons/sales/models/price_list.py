from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.catalog_values import check_min_quantity, check_price


class PriceList(Model):
    """Prices for a customer tier or one customer, in one currency. The most
    specific list wins: the customer's own, then the tier's, then list prices."""
    __tablename__ = "sales_price_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    currency_id: Mapped[int] = mapped_column(ForeignKey("sales_currency.id"), index=True)
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_tier.id", ondelete="SET NULL"), index=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    currency = relationship("Currency")
    tier = relationship("Tier")
    company = relationship("Company")
    items = relationship("PriceListItem", back_populates="price_list",
                         cascade="all, delete-orphan",
                         order_by="(PriceListItem.product_id, PriceListItem.min_quantity)")

    def __repr__(self):
        return self.name


class PriceListItem(Model):
    """The unit price of a product from a quantity on (quantity breaks)."""
    __tablename__ = "sales_price_list_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    price_list_id: Mapped[int] = mapped_column(
        ForeignKey("sales_price_list.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("sales_product.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal("0"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))

    price_list = relationship("PriceList", back_populates="items")
    product = relationship("Product")

    @validates("unit_price")
    def _check_price(self, _key, value):
        return check_price(value, "unit_price")

    @validates("min_quantity")
    def _check_min_quantity(self, _key, value):
        return check_min_quantity(value, "min_quantity")

    def __repr__(self):
        return f"{self.product} >= {self.min_quantity}: {self.unit_price}"
