from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship


class InvoiceLine(Model):
    """One line: an order line's quantity, a down payment share (one per tax
    rate), or a final invoice's deduction of a down payment line (negative
    quantity and amounts, `deducted_line_id` naming what it deducts). The tax
    is copied by name and rate, so a later change of the tax changes nothing."""
    __tablename__ = "invoicing_invoice_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoicing_invoice.id", ondelete="CASCADE"), index=True, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, default=10, nullable=False)
    order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_line.id", ondelete="RESTRICT"), index=True)
    credited_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoicing_invoice_line.id", ondelete="RESTRICT"), index=True)
    deducted_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoicing_invoice_line.id", ondelete="RESTRICT"), index=True)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    discount: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0), nullable=False)
    tax_name: Mapped[str | None] = mapped_column(String(64))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 4), default=Decimal(0), nullable=False)
    price_include: Mapped[bool] = mapped_column(default=False, nullable=False)
    amount_untaxed: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    amount_tax: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)
    amount_total: Mapped[Decimal] = mapped_column(Numeric(18, 4), nullable=False)

    invoice = relationship("Invoice", back_populates="lines", foreign_keys=[invoice_id])
    order_line = relationship("SalesOrderLine")
    credited_line = relationship("InvoiceLine", remote_side=[id],
                                 foreign_keys=[credited_line_id])
    deducted_line = relationship("InvoiceLine", remote_side=[id],
                                 foreign_keys=[deducted_line_id])

    def __repr__(self):
        return f"{self.description} x {self.quantity}"
