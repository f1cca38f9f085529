"""Price lists and their items (Sales > Catalog: price lists), managed by the
Sales Manager. Items (product, from quantity, unit price) are listed on the
list's page; the product and the customer company are pickers that search as
the user types, so neither form loads every product or company."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired

from addons.contacts.views.company_picker import CompanyPicker
from core.views.record_view import RecordView

from ..models import PriceList, PriceListItem
from ..rules.catalog_values import check_min_quantity, check_price
from .catalog_form_checks import (CatalogCheck, break_free, needs_currency,
                                  one_customer_or_tier)
from .decimal_field import ExactDecimalField, decimal_text
from .product_picker import ProductChoices, ProductPickerField


def item_fields() -> dict:
    return {
        "product": ProductPickerField(_l("Product"), validators=[InputRequired()],
                                      endpoint="PriceListItemView.product_choices"),
        "min_quantity": ExactDecimalField(
            _l("From quantity"), min_places=0,
            validators=[InputRequired(), CatalogCheck(check_min_quantity), break_free],
            description=_l("This price applies from this quantity on (quantity break)")),
        "unit_price": ExactDecimalField(_l("Unit price"),
                                        validators=[InputRequired(), CatalogCheck(check_price)]),
    }


class PriceListItemView(ProductChoices, RecordView):
    datamodel = SQLAInterface(PriceListItem)
    list_title = _l("Price list items")
    add_title = _l("Add price list item")
    edit_title = _l("Edit price list item")
    show_title = _l("Price list item")
    label_columns = {"price_list": _l("Price list"), "product": _l("Product"),
                     "min_quantity": _l("From quantity"), "unit_price": _l("Unit price")}
    list_columns = add_columns = edit_columns = show_columns = ["price_list", "product",
                                                                 "min_quantity", "unit_price"]
    search_columns = ["price_list"]
    base_order = ("min_quantity", "asc")
    formatters_columns = {"min_quantity": lambda v: decimal_text(v, 0),
                          "unit_price": decimal_text}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = item_fields()
        self.edit_form_extra_fields = item_fields()
        super().__init__(*args, **kwargs)


class PriceListView(CompanyPicker, RecordView):
    datamodel = SQLAInterface(PriceList)
    company_picker_label = _l("Customer company")
    company_picker_validators = (one_customer_or_tier,)
    list_title = _l("Price lists")
    add_title = _l("Add price list")
    edit_title = _l("Edit price list")
    show_title = _l("Price list")
    label_columns = {"name": _l("Name"), "currency": _l("Currency"),
                     "company": _l("Customer company"), "tier": _l("Tier"),
                     "active": _l("Active")}
    list_columns = ["name", "company", "tier", "currency", "active"]
    add_columns = edit_columns = show_columns = ["name", "currency", "company", "tier", "active"]
    search_columns = ["name", "currency", "tier", "active"]
    base_order = ("name", "asc")
    description_columns = {"company": _l("Either one customer company or one tier")}
    validators_columns = {"currency": [needs_currency]}
    related_views = [PriceListItemView]

