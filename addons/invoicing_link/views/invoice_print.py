"""The printable invoice: `GET /invoicing/invoice/<id>/print?lang=zh|en`.

HTML for the browser's print-to-PDF (A4, print CSS, no external assets), as
sales' printable quotation: the document's words come from the table below
in the language asked (default the reader's), not from the UI catalog. The
invoice is loaded through the record rules: another salesperson's is a 404.
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name

from addons.sales.views.order_print import (document_language, format_amount, format_date,
                                            format_number)

from ..models.invoice import CREDIT_NOTE, DOWN_PAYMENT, DRAFT, Invoice
from .invoice_view import load_invoice

WORDS = {
    "en": {"invoice": "Invoice", "credit_note": "Credit note",
           "down_payment": "Down payment invoice", "draft": "DRAFT - not a valid invoice",
           "number": "Number", "date": "Invoice date", "due": "Due date", "order": "Order",
           "credits": "Credits invoice", "customer": "Customer", "seller": "Seller",
           "tax_id": "Tax ID", "no": "No.", "description": "Description",
           "quantity": "Quantity", "unit_price": "Unit price", "tax": "Tax",
           "amount": "Amount", "untaxed": "Untaxed amount", "taxes": "Taxes",
           "total": "Total", "currency": "Currency", "notes": "Notes", "print": "Print"},
    "zh": {"invoice": "发票", "credit_note": "红字发票（贷项通知单）",
           "down_payment": "预付款发票", "draft": "草稿 - 非有效发票",
           "number": "发票号码", "date": "开票日期", "due": "到期日", "order": "销售订单",
           "credits": "冲销发票", "customer": "购买方", "seller": "销售方",
           "tax_id": "税号", "no": "序号", "description": "项目",
           "quantity": "数量", "unit_price": "单价", "tax": "税率",
           "amount": "金额", "untaxed": "不含税金额", "taxes": "税额",
           "total": "价税合计", "currency": "币种", "notes": "备注", "print": "打印"},
}


class InvoicePrintView(BaseView):
    route_base = "/invoicing/invoice"
    datamodel = SQLAInterface(Invoice)  # the loader maps the view to Invoice's access rows
    default_view = "print_invoice"

    @expose("/<int:pk>/print", methods=["GET"])
    @has_access
    @permission_name("show")
    def print_invoice(self, pk):
        invoice = load_invoice(pk)
        if invoice is None:
            abort(404)
        lang = document_language(request.args.get("lang"))
        words = WORDS[lang]
        title = words[{CREDIT_NOTE: "credit_note", DOWN_PAYMENT: "down_payment"}.get(
            invoice.kind, "invoice")]
        places = invoice.currency.decimal_places
        return render_template(
            "invoicing_link/invoice_print.html", invoice=invoice, lang=lang, w=words,
            title=title, draft=invoice.state == DRAFT,
            seller=current_app.config.get("APP_NAME", "Crossdock"),
            amount=lambda value: format_amount(value, places), number=format_number,
            price=lambda value: format_number(value, places),
            day=lambda value: format_date(value, lang))
