from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

ERP_MODEL = "invoicing.invoice"  # the model name the hub's jobs and bindings will use

INVOICE, CREDIT_NOTE, DOWN_PAYMENT = "invoice", "credit_note", "down_payment"
KINDS = (INVOICE, CREDIT_NOTE, DOWN_PAYMENT)
# one numbering series per kind: invoices and down payments share "INV"
SERIES = {INVOICE: "INV", DOWN_PAYMENT: "INV", CREDIT_NOTE: "RINV"}

DRAFT, ISSUED, CANCELLED = "draft", "issued", "cancelled"
STATES = (DRAFT, ISSUED, CANCELLED)
# who made it: Crossdock (numbered and issued here, pushed to a finance
# system) or the ERP (an invoice the ERP made from a synced order, mirrored
# here by services/finance_sync/erp_invoices.py and following the ERP)
CROSSDOCK, ERP = "crossdock", "erp"
ORIGINS = (CROSSDOCK, ERP)
NOT_PAID, PARTIAL, PAID = "not_paid", "partial", "paid"
PAYMENT_STATES = (NOT_PAID, PARTIAL, PAID)
# what may still change once issued: the payment side, which the finance
# system reports (remote sync, next); everything else is locked (invoice_lock.py)
PAYMENT_FIELDS = frozenset({"payment_state", "amount_paid", "amount_residual",
                            "payment_changed_at"})
# ...and the follow-up of an unpaid one (services/debts/overdue.py)
OPEN_AFTER_ISSUE = PAYMENT_FIELDS | {"overdue_reminded_at"}


class Invoice(Model):
    """An invoice, down payment invoice or credit note of one confirmed order.

    Created as a draft by the services in services/invoices/ (never by a form
    or a REST body choosing lines or amounts); `number` stays NULL until
    issue_invoice.py draws it, gap-free per series and fiscal year. An issued
    invoice and its lines are locked on every path (invoice_lock.py); only the
    payment fields move after that.
    """
    __tablename__ = "invoicing_invoice"
    __table_args__ = (
        UniqueConstraint("series", "fiscal_year", "number", name="uq_invoicing_invoice_number"),
        Index("ix_invoicing_invoice_owner_state", "owner_id", "state"),
        Index("ix_invoicing_invoice_team_state", "team_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=INVOICE, nullable=False)
    origin: Mapped[str] = mapped_column(String(16), default=CROSSDOCK, server_default=CROSSDOCK,
                                        nullable=False)
    # an ERP's invoice: the backend it lives in (the hub binding holds its id there)
    backend_id: Mapped[int | None] = mapped_column(
        ForeignKey("hub_backend.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default=DRAFT, nullable=False)
    series: Mapped[str] = mapped_column(String(16), nullable=False)
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(32))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="RESTRICT"), index=True, nullable=False)
    credited_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoicing_invoice.id", ondelete="RESTRICT"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("sales_currency.id"), nullable=False)
    invoice_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    # in the invoice's currency, the sums of the rounded lines (invoice_totals.py);
    # positive for credit notes too: the kind says which way they count
    amount_untaxed: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                    nullable=False)
    amount_tax: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                nullable=False)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                  nullable=False)

    payment_state: Mapped[str] = mapped_column(String(16), default=NOT_PAID, nullable=False)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                 nullable=False)
    amount_residual: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                     nullable=False)
    payment_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # when its owner was given an activity for it being overdue (once)
    overdue_reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    company = relationship("Company")
    person = relationship("Person")
    order = relationship("SalesOrder")
    credited_invoice = relationship("Invoice", remote_side=[id])
    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    currency = relationship("Currency")
    created_by = relationship("User", foreign_keys=[created_by_id])
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    lines = relationship("InvoiceLine", back_populates="invoice", cascade="all, delete-orphan",
                         order_by="(InvoiceLine.sequence, InvoiceLine.id)",
                         foreign_keys="InvoiceLine.invoice_id")

    @property
    def customer(self):
        return self.company or self.person

    @property
    def sign(self) -> int:
        """How the invoice counts against its order: credit notes take back."""
        return -1 if self.kind == CREDIT_NOTE else 1

    def __repr__(self):
        return self.number or (f"draft #{self.id}" if self.id else "new")
