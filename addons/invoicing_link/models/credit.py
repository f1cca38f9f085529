"""Credit limits and the releases of orders held by them
(services/credit/credit_check.py)."""
from datetime import datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship


class CreditLimit(Model):
    """How much a customer may owe, in the base currency: the company's own
    limit, else its tier's (the default for the tier's customers). Owing
    means open invoices plus confirmed orders not yet invoiced."""
    __tablename__ = "invoicing_credit_limit"
    __table_args__ = (CheckConstraint("(company_id IS NULL) <> (tier_id IS NULL)",
                                      name="ck_invoicing_credit_limit_company_or_tier"),
                      CheckConstraint("amount >= 0", name="ck_invoicing_credit_limit_amount"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="CASCADE"), unique=True)
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_tier.id", ondelete="CASCADE"), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))

    company = relationship("Company")
    tier = relationship("Tier")

    def __repr__(self):
        return f"{self.company or self.tier}: {self.amount}"


class CreditRelease(Model):
    """Finance lets one order through its customer's credit limit, up to the
    order's total and currency at the time (an order grown since needs a new
release)."""
    __tablename__ = "invoicing_credit_release"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), nullable=False, index=True)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    currency_id: Mapped[int] = mapped_column(ForeignKey("sales_currency.id"), nullable=False)
    over_by: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)  # base currency
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    released_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow,
                                                  nullable=False)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    order = relationship("SalesOrder")
    currency = relationship("Currency")
    released_by = relationship("User", foreign_keys=[released_by_id])

    def __repr__(self):
        return f"{self.order}: {self.amount_total}"
