"""The printable quotation: `GET /sales/quotation/<id>/print?lang=zh|en`.

HTML for the browser's print-to-PDF (A4, print CSS, no external assets). The
document's language is chosen per document (`lang`, default the reader's
language) and its words come from the table below, not from the UI catalog:
a quotation printed in Chinese for a customer must read Chinese whatever the
salesperson's screen language. The order is loaded through the record rules:
another salesperson's quotation is a 404.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, current_app, render_template, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import get_locale

from core.db import db

from ..models.sales_order import CANCELLED, CONFIRMED, SalesOrder
from ..rules.money import round_money
from ..services.orders import order_states

LANGUAGES = ("zh", "en")
WORDS = {
    "en": {"quotation": "Quotation", "order": "Sales order", "cancelled": "Cancelled",
           "number": "Number", "date": "Date", "valid_until": "Valid until",
           "customer": "Customer", "contact": "Contact", "salesperson": "Salesperson",
           "seller": "Seller", "tax_id": "Tax ID", "no": "No.", "product": "Product",
           "description": "Description", "quantity": "Quantity", "unit_price": "Unit price",
           "discount": "Discount (%)", "tax": "Tax", "amount": "Amount",
           "untaxed": "Untaxed amount", "taxes": "Taxes", "total": "Total",
           "currency": "Currency", "notes": "Terms and notes", "page": "Page",
           "tax_included": "incl.", "print": "Print"},
    "zh": {"quotation": "报价单", "order": "销售订单", "cancelled": "已取消",
           "number": "编号", "date": "日期", "valid_until": "有效期至",
           "customer": "客户", "contact": "联系人", "salesperson": "销售员",
           "seller": "销售方", "tax_id": "税号", "no": "序号", "product": "产品",
           "description": "描述", "quantity": "数量", "unit_price": "单价",
           "discount": "折扣 (%)", "tax": "税", "amount": "金额",
           "untaxed": "不含税金额", "taxes": "税额", "total": "合计",
           "currency": "币种", "notes": "条款与备注", "page": "页",
           "tax_included": "含税", "print": "打印"},
}


def document_language(requested: str | None) -> str:
    """`lang` if it is zh or en, else the reader's language (zh for any zh_*)."""
    if requested in LANGUAGES:
        return requested
    locale = str(get_locale() or "en")
    return "zh" if locale.startswith("zh") else "en"


def format_date(day: date | None, lang: str) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.strftime("%d %b %Y")


def format_amount(amount, places: int) -> str:
    """Grouped thousands, the currency's decimals (JPY none): 1,234.50."""
    value = round_money(Decimal(amount or 0), places)
    return f"{value:,.{places}f}"


def format_number(value, min_places: int = 0) -> str:
    """A quantity or unit price as typed, never in exponent form (12800, not
    1.28E+4), with at least `min_places` decimals and grouped thousands."""
    value = Decimal(value or 0).normalize()
    places = max(min_places, -value.as_tuple().exponent)
    return f"{value:,.{places}f}"


class OrderPrintView(BaseView):
    route_base = "/sales/quotation"
    # the addon loader maps a view to its model's access rows through `datamodel`
    datamodel = SQLAInterface(SalesOrder)
    default_view = "print_quotation"

    @expose("/<int:pk>/print", methods=["GET"])
    @has_access
    @permission_name("show")
    def print_quotation(self, pk):
        order = order_states.load_for_update(db.session, pk)
        if order is None:
            abort(404)  # also another salesperson's: the record rules hide it
        lang = document_language(request.args.get("lang"))
        words = WORDS[lang]
        title = (words["order"] if order.state == CONFIRMED else
                 words["cancelled"] if order.state == CANCELLED else words["quotation"])
        places = order.currency.decimal_places
        return render_template(
            "sales/quotation_print.html", order=order, lang=lang, w=words, title=title,
            seller=current_app.config.get("APP_NAME", "Crossdock"),
            amount=lambda value: format_amount(value, places),
            number=format_number, price=lambda value: format_number(value, places),
            day=lambda value: format_date(value, lang))
