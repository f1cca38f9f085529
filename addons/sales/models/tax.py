from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import Boolean, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..rules.catalog_values import check_tax_rate


class Tax(Model):
    """A sales tax (增值税 13%, VAT 19%...). `price_include`: prices carrying this
    tax already contain it (consumer prices), otherwise the tax is added on top."""
    __tablename__ = "sales_tax"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(7, 4))  # percent, e.g. 13.0000
    price_include: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    @validates("rate")
    def _check_rate(self, _key, value):
        return check_tax_rate(value, "rate")

    def __repr__(self):
        return self.name
