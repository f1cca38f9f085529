from flask_appbuilder import Model
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class EinvoiceSeller(Model):
    """Who issues the e-invoices (BG-4): our legal name, VAT id, address and
    bank account, as the documents state them. One row (Finance keeps it)."""
    __tablename__ = "einvoicing_seller"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    vat_id: Mapped[str | None] = mapped_column(String(32))  # with its country prefix
    # a foreign seller registered for VAT in Italy invoices Italians through SdI under it
    vat_id_it: Mapped[str | None] = mapped_column(String(13))
    tax_registration: Mapped[str | None] = mapped_column(String(64))
    street: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(128))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    email: Mapped[str | None] = mapped_column(String(255))
    iban: Mapped[str | None] = mapped_column(String(34))
    phone: Mapped[str | None] = mapped_column(String(32))
    bank_details: Mapped[str | None] = mapped_column(String(255))  # 开户行及账号 on a fapiao
    endpoint: Mapped[str | None] = mapped_column(String(64))  # Peppol participant id
    endpoint_scheme: Mapped[str | None] = mapped_column(String(8))  # its EAS code

    def __repr__(self):
        return self.name
