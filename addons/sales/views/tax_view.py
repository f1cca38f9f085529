"""Taxes (Sales > Configuration: taxes), managed by Finance."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from core.views.record_view import RecordView

from ..models import Tax
from ..rules.catalog_values import check_tax_rate
from .catalog_form_checks import CatalogCheck
from .decimal_field import ExactDecimalField, decimal_text


def rate_field():
    return ExactDecimalField(_l("Rate (%)"), min_places=0,
                             validators=[InputRequired(), CatalogCheck(check_tax_rate)])


class TaxView(RecordView):
    datamodel = SQLAInterface(Tax)
    list_title = _l("Taxes")
    add_title = _l("Add tax")
    edit_title = _l("Edit tax")
    show_title = _l("Tax")
    label_columns = {"name": _l("Name"), "rate": _l("Rate (%)"),
                     "price_include": _l("Included in price"), "active": _l("Active")}
    list_columns = add_columns = edit_columns = show_columns = ["name", "rate", "price_include",
                                                                 "active"]
    search_columns = ["name", "price_include", "active"]
    base_order = ("name", "asc")
    # products and order lines keep pointing at a tax: archive it (active) instead
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    description_columns = {"price_include": _l("Prices carrying this tax already contain it "
                                               "(consumer prices); otherwise it is added on top")}
    formatters_columns = {"rate": lambda v: decimal_text(v, 0)}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = {"rate": rate_field()}
        self.edit_form_extra_fields = {"rate": rate_field()}
        super().__init__(*args, **kwargs)
