from datetime import date
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..rules.catalog_values import check_exchange_rate


class Currency(Model):
    """An ISO 4217 currency. Amounts in it round to `decimal_places` (JPY 0, CNY 2).
    The base currency (one, `is_base`) is what rates and the dashboard's sums use."""
    __tablename__ = "sales_currency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str | None] = mapped_column(String(8))
    decimal_places: Mapped[int] = mapped_column(Integer, default=2, nullable=False)
    is_base: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    rates = relationship("CurrencyRate", back_populates="currency",
                         cascade="all, delete-orphan", order_by="CurrencyRate.effective_date")

    def __repr__(self):
        return self.code


class CurrencyRate(Model):
    """Units of this currency per one unit of the base currency, from a date on."""
    __tablename__ = "sales_currency_rate"
    __table_args__ = (UniqueConstraint("currency_id", "effective_date",
                                       name="uq_sales_currency_rate_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency_id: Mapped[int] = mapped_column(
        ForeignKey("sales_currency.id", ondelete="CASCADE"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(Numeric(20, 10))

    currency = relationship("Currency", back_populates="rates")

    @validates("rate")
    def _check_rate(self, _key, value):
        return check_exchange_rate(value, "rate")

    def __repr__(self):
        return f"{self.currency} {self.rate} ({self.effective_date})"
