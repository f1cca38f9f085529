from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.user_time import today as local_today

from ..rules.money import round_money

ERP_MODEL = "sales.order"  # the model name the hub's jobs and bindings use

DRAFT, SENT, CONFIRMED, CANCELLED = "draft", "sent", "confirmed", "cancelled"
STATES = (DRAFT, SENT, CONFIRMED, CANCELLED)
EDITABLE = (DRAFT, SENT)  # quotations; confirmed and cancelled orders are locked
# a confirmed order's cancellation while an ERP has (or may have) it: a request
# until every ERP cancelled it (then `cancelled`), or refused with the ERP's reason
CANCEL_PENDING, CANCEL_REFUSED = "pending", "refused"

# One row per number prefix (year): the next order number, taken under the
# row's lock (services/orders/order_numbering.py). A table, not a model: no screen.
order_sequence = Table(
    "sales_order_sequence", Model.metadata,
    Column("prefix", String(16), primary_key=True),
    Column("next_value", Integer, nullable=False),
)


class SalesOrder(Model):
    """A quotation (draft, sent) or a sales order (confirmed, cancelled).

    `state`, the numbers and the amounts are never written by forms or REST
    bodies: services/orders/order_states.py moves the state, order_numbering.py
    assigns `number`, order_totals.py keeps the amounts in step with the lines.
    A confirmed or cancelled order is locked (services/orders/order_lock.py).
    """
    __tablename__ = "sales_order"
    __table_args__ = (
        Index("ix_sales_order_owner_state", "owner_id", "state"),
        Index("ix_sales_order_team_state", "team_id", "state"),
        Index("ix_sales_order_state", "state"),
        Index("ix_sales_order_cancel_status", "cancel_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    state: Mapped[str] = mapped_column(String(16), default=DRAFT, nullable=False)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_company.id", ondelete="RESTRICT"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts_person.id", ondelete="RESTRICT"), index=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_lead.id", ondelete="SET NULL"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("crossdock_team.id"))
    currency_id: Mapped[int] = mapped_column(ForeignKey("sales_currency.id"), nullable=False)
    price_list_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_price_list.id", ondelete="SET NULL"))
    order_date: Mapped[date] = mapped_column(Date, default=local_today, nullable=False)
    validity_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    # stored in the order's currency, recomputed from the lines on every flush
    amount_untaxed: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                    nullable=False)
    amount_tax: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                nullable=False)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                  nullable=False)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # the cancellation of a synced order: pending until the ERPs confirm it,
    # refused (with the ERP's reason) when one would not; NULL otherwise
    cancel_status: Mapped[str | None] = mapped_column(String(16))
    cancel_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    cancel_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    cancel_refusal: Mapped[str | None] = mapped_column(Text)
    # bumped by every write; two edits of the same quotation cannot both win
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    company = relationship("Company")
    person = relationship("Person")
    lead = relationship("Lead")
    owner = relationship("User", foreign_keys=[owner_id])
    team = relationship("Team")
    currency = relationship("Currency")
    price_list = relationship("PriceList")
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    cancelled_by = relationship("User", foreign_keys=[cancelled_by_id])
    cancel_requested_by = relationship("User", foreign_keys=[cancel_requested_by_id])
    lines = relationship("SalesOrderLine", back_populates="order", cascade="all, delete-orphan",
                         order_by="(SalesOrderLine.sequence, SalesOrderLine.id)",
                         )

    __mapper_args__ = {"version_id_col": version}

    @property
    def customer(self):
        """The company, else the person (lists and the printed quotation)."""
        return self.company or self.person

    @property
    def total(self) -> str:
        """The total with the currency's decimals and code, for lists."""
        places = self.currency.decimal_places if self.currency is not None else 2
        value = round_money(Decimal(self.amount_total or 0), places)
        return f"{value:,.{places}f} {self.currency.code if self.currency else ''}".strip()

    @property
    def is_locked(self) -> bool:
        return self.state not in EDITABLE

    def __repr__(self):
        return self.number or "new"


class SalesOrderLine(Model):
    """One product line. `price_include` is copied from the tax when the line
    is written, so a later change of the tax does not change stored orders."""
    __tablename__ = "sales_order_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), index=True, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    product_id: Mapped[int] = mapped_column(ForeignKey("sales_product.id"), index=True,
                                            nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(1), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                nullable=False)
    discount: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0), nullable=False)
    tax_id: Mapped[int | None] = mapped_column(ForeignKey("sales_tax.id"))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0), nullable=False)
    price_include: Mapped[bool] = mapped_column(default=False, nullable=False)
    amount_untaxed: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                    nullable=False)
    amount_tax: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                nullable=False)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0),
                                                  nullable=False)

    order = relationship("SalesOrder", back_populates="lines")
    product = relationship("Product")
    tax = relationship("Tax")

    def __repr__(self):
        return f"{self.product} x {self.quantity}"
