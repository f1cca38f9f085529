from flask_appbuilder import Model
from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class InvoiceSequence(Model):
    """The next number of one series ("INV", "RINV") in one fiscal year, taken
    under the row's lock when an invoice is issued
    (services/invoices/invoice_numbering.py)."""
    __tablename__ = "invoicing_sequence"
    __table_args__ = (UniqueConstraint("series", "fiscal_year",
                                       name="uq_invoicing_sequence_series_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[str] = mapped_column(String(16), nullable=False)
    fiscal_year: Mapped[int] = mapped_column(Integer, nullable=False)
    next_number: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    def __repr__(self):
        return f"{self.series}/{self.fiscal_year}: {self.next_number}"
