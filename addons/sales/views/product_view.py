"""Products (Sales > Catalog: products). Archived, never deleted: order lines
and ERPs refer to a product by its code long after it stops being sold."""
from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l, ngettext
from wtforms.validators import InputRequired

from core.db import db
from core.views.record_view import RecordView

from ..models import Product
from ..rules.catalog_values import check_price
from .catalog_form_checks import CatalogCheck, unique_product_code
from .decimal_field import ExactDecimalField, decimal_text
from .product_picker import ProductChoices

LABELS = {"code": _l("Code"), "name": _l("Name"), "description": _l("Description"),
          "unit": _l("Unit"), "list_price": _l("List price"), "currency": _l("Currency"),
          "tax": _l("Tax"), "active": _l("Active")}


def price_field():
    return ExactDecimalField(_l("List price"), validators=[InputRequired(),
                                                          CatalogCheck(check_price)])


class ProductView(ProductChoices, RecordView):
    datamodel = SQLAInterface(Product)
    list_title = _l("Products")
    add_title = _l("Add product")
    edit_title = _l("Edit product")
    show_title = _l("Product")
    label_columns = LABELS
    list_columns = ["code", "name", "unit", "list_price", "currency", "tax", "active"]
    add_columns = edit_columns = ["code", "name", "description", "unit", "list_price",
                                  "currency", "tax", "active"]
    show_columns = add_columns
    search_columns = ["code", "name", "currency", "tax", "active"]
    base_order = ("code", "asc")
    # archive instead of delete (no delete permission is offered at all)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_archive",
                        "can_restore"]
    validators_columns = {"code": [unique_product_code]}
    formatters_columns = {"list_price": decimal_text}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = {"list_price": price_field()}
        self.edit_form_extra_fields = {"list_price": price_field()}
        super().__init__(*args, **kwargs)

    def _set_active(self, items, active: bool):
        items = items if isinstance(items, list) else [items]
        changed = [item for item in items if item is not None and item.active != active]
        for item in changed:
            item.active = active
        db.session.commit()
        message = (ngettext("%(num)d product archived.", "%(num)d products archived.",
                            len(changed)) if not active else
                   ngettext("%(num)d product restored.", "%(num)d products restored.",
                            len(changed)))
        flash(message, "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @action("archive", _l("Archive"), _l("Archive the selected products? They can no longer "
                                         "be sold or priced."), "fa-archive")
    def archive(self, items):
        return self._set_active(items, False)

    @action("restore", _l("Restore"), None, "fa-undo")
    def restore(self, items):
        return self._set_active(items, True)
