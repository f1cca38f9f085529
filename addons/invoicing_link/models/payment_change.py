from datetime import datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class PaymentChange(Model):
    """One change of an invoice's payments as its finance system reported it
    (services/finance_sync/remote_copy.py): the payment history."""
    __tablename__ = "invoicing_payment_change"
    __table_args__ = (Index("ix_invoicing_payment_change_company", "company_id", "changed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoicing_invoice.id", ondelete="CASCADE"), nullable=False, index=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    paid: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)  # this change
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)  # after it
    amount_residual: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    payment_state: Mapped[str] = mapped_column(String(16), nullable=False)

    invoice = relationship("Invoice")
