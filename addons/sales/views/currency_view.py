"""Currencies with their exchange rates (Sales > Configuration: currencies),
managed by Finance. Rates are listed on the currency's page (a related list,
its "+" adds a rate for a day). The base currency changes only through the
"Make base currency" action, refused while rates exist (services/catalog/base_currency.py)."""
from __future__ import annotations

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange, Regexp

from core.db import db
from core.views.record_view import RecordView

from ..models import Currency, CurrencyRate
from ..rules.catalog_values import CatalogFieldError, check_exchange_rate
from ..services.catalog.base_currency import set_base_currency
from .catalog_form_checks import CatalogCheck, not_the_base_currency, rate_day_free
from .decimal_field import ExactDecimalField, decimal_text


def rate_field():
    return ExactDecimalField(
        _l("Rate"), min_places=0, validators=[InputRequired(), CatalogCheck(check_exchange_rate)],
        description=_l("Units of this currency for one unit of the base currency"))


class CurrencyRateView(RecordView):
    datamodel = SQLAInterface(CurrencyRate)
    list_title = _l("Exchange rates")
    add_title = _l("Add exchange rate")
    edit_title = _l("Edit exchange rate")
    show_title = _l("Exchange rate")
    label_columns = {"currency": _l("Currency"), "effective_date": _l("From"),
                     "rate": _l("Rate")}
    list_columns = add_columns = edit_columns = show_columns = ["currency", "effective_date",
                                                                 "rate"]
    search_columns = ["currency", "effective_date"]
    base_order = ("effective_date", "desc")
    validators_columns = {"currency": [not_the_base_currency],
                          "effective_date": [rate_day_free]}
    formatters_columns = {"rate": lambda v: decimal_text(v, 0)}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = {"rate": rate_field()}
        self.edit_form_extra_fields = {"rate": rate_field()}
        super().__init__(*args, **kwargs)


class CurrencyView(RecordView):
    datamodel = SQLAInterface(Currency)
    list_title = _l("Currencies")
    add_title = _l("Add currency")
    edit_title = _l("Edit currency")
    show_title = _l("Currency")
    label_columns = {"code": _l("Code"), "name": _l("Name"), "symbol": _l("Symbol"),
                     "decimal_places": _l("Decimal places"), "is_base": _l("Base currency"),
                     "active": _l("Active"), "rates": _l("Exchange rates")}
    list_columns = ["code", "name", "symbol", "decimal_places", "is_base", "active"]
    # is_base is not a form field: only the action below moves it
    add_columns = edit_columns = ["code", "name", "symbol", "decimal_places", "active"]
    show_columns = ["code", "name", "symbol", "decimal_places", "is_base", "active"]
    search_columns = ["code", "name", "is_base", "active"]
    base_order = ("code", "asc")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_make_base"]
    validators_columns = {
        "code": [Regexp(r"^[A-Z]{3}$", message=_l("An ISO 4217 code: three capital letters, "
                                                   "e.g. USD"))],
        "decimal_places": [NumberRange(0, 6)],
    }
    related_views = [CurrencyRateView]

    @action("make_base", _l("Make base currency"),
            _l("Make this the base currency? Refused while exchange rates exist."),
            "fa-anchor", multiple=False)
    def make_base(self, item):
        item = item[0] if isinstance(item, list) else item
        try:
            set_base_currency(db.session, item)
            db.session.commit()
            flash(gettext("%(code)s is now the base currency.", code=item.code), "info")
        except CatalogFieldError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        self.update_redirect()
        return redirect(self.get_redirect())
