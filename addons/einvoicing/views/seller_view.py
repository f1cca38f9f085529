"""Invoicing > E-invoicing seller: who the e-invoices name as their seller
(one row; Finance keeps it)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from core.db import db
from core.views.record_view import RecordView

from ..models.seller import EinvoiceSeller

FIELDS = ["name", "vat_id", "vat_id_it", "tax_registration", "street", "city", "postal_code",
          "country_code", "email", "phone", "iban", "bank_details", "endpoint",
          "endpoint_scheme"]


class EinvoiceSellerView(RecordView):
    datamodel = SQLAInterface(EinvoiceSeller)
    list_title = _l("E-invoicing seller")
    add_title = _l("Add the seller")
    edit_title = _l("Edit the seller")
    show_title = _l("E-invoicing seller")
    label_columns = {
        "name": _l("Legal name"), "vat_id": _l("VAT id (with its country prefix)"),
        "vat_id_it": _l("Italian VAT id for SdI (when the VAT id above is not Italian)"),
        "tax_registration": _l("Tax registration number"), "street": _l("Street"),
        "city": _l("City"), "postal_code": _l("Postal code"),
        "country_code": _l("Country (ISO code)"), "email": _l("E-mail"),
        "iban": _l("IBAN"), "endpoint": _l("Electronic address (Peppol)"),
        "endpoint_scheme": _l("Electronic address scheme (EAS)"), "phone": _l("Phone"),
        "bank_details": _l("Bank and account (开户行及账号)")}
    list_columns = ["name", "vat_id", "country_code"]
    add_columns = edit_columns = show_columns = FIELDS
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]

    def pre_add(self, item):
        if db.session.scalar(select(func.count()).select_from(EinvoiceSeller)):
            raise ValueError(gettext("There is one seller: edit it."))
        self.pre_update(item)

    def pre_update(self, item):
        item.country_code = (item.country_code or "").strip().upper()
        if len(item.country_code) != 2 or not item.country_code.isalpha():
            raise ValueError(gettext("The country is its two-letter ISO code (DE, CN, IT)."))
