"""A product as a select that searches products as the user types.

With thousands of products FAB's QuerySelectField would render (and validate
against) every one of them. This field renders only the current product,
loads a posted id alone, and the contacts addon's select2 script asks the
view's `product_choices` endpoint for ~20 active products matching the code
or name typed (same approach as addons/contacts/views/company_picker.py).
Order lines can use it too: `ProductPickerField(_l("Product"),
endpoint="<View>.product_choices")` with `ProductChoices` in the view's bases.
"""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext
from markupsafe import Markup, escape
from wtforms import Field, ValidationError

from core.db import db

from ..services.catalog.product_choices import matching_products, sellable_product


class ProductPickerWidget:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint

    def __call__(self, field, **kwargs):
        product = field.data
        option = (f'<option value="{product.id}" selected>{escape(str(product))}</option>'
                  if product is not None else "")
        nonce = current_app.jinja_env.globals.get("csp_nonce")
        nonce_attr = f' nonce="{escape(nonce())}"' if nonce else ""
        # the contacts picker script: any select of this class, fed by data-endpoint
        script = url_for("addon_static_contacts.static", filename="company_picker.js")
        return Markup(
            f'<select id="{escape(field.id)}" name="{escape(field.name)}" '
            f'class="form-control contacts-company-picker" '
            f'data-endpoint="{escape(url_for(self.endpoint))}" '
            f'data-placeholder="{escape(gettext("Type a product code or name"))}">'
            f'<option value=""></option>{option}</select>'
            f'<script src="{escape(script)}"{nonce_attr}></script>')


class ProductPickerField(Field):
    """Holds an active Product (or None); a posted id is loaded alone."""

    def __init__(self, label=None, validators=None, endpoint="PriceListItemView.product_choices",
                 **kwargs):
        super().__init__(label, validators, widget=ProductPickerWidget(endpoint), **kwargs)
        self._refused = False

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        self.data = sellable_product(db.session, raw) if raw.strip() else None
        self._refused = bool(raw.strip()) and self.data is None

    def pre_validate(self, form):
        if self._refused:
            raise ValidationError(gettext("No such product, or it is archived."))


class ProductChoices:
    """Serves the picker's matches: GET <view>/product_choices?q=..."""

    @expose("/product_choices", methods=["GET"])
    @has_access
    @permission_name("list")
    def product_choices(self):
        return jsonify(results=matching_products(db.session, request.args.get("q", "")))
