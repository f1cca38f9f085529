"""A readable A4 PDF of a `Document`, in English or Simplified Chinese: the
parties, numbers and dates, lines, allowances and charges, VAT breakdown,
totals, payment and the invoice a credit note corrects. `facturx.py` attaches
the CII to it.

PDF/A-3B as fpdf2 writes it with `enforce_compliance`: the sRGB output intent
(the ICC profile fpdf2 ships), XMP, and fonts embedded. All text, Latin
included, is set in one TrueType CJK font, embedded and subsetted: PDF/A
forbids unembedded fonts such as the PDF standard 14, and one face covers a
German and a Chinese invoice alike. Labels are a table here, not a gettext
catalog: a protocol package runs without Flask-Babel (as `rule_texts.py`).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace

from .document import Document, Party
from .xml_writing import number

# label -> (English, Simplified Chinese)
LABELS = {
    "invoice": ("Invoice", "发票"),
    "credit_note": ("Credit note", "贷项通知单"),
    "number": ("Number", "编号"),
    "issue_date": ("Issue date", "开票日期"),
    "due_date": ("Due date", "付款到期日"),
    "delivery_date": ("Delivery date", "交货日期"),
    "currency": ("Currency", "币种"),
    "buyer_reference": ("Buyer reference", "买方参考号"),
    "order_reference": ("Order", "订单号"),
    "corrects": ("Corrects invoice", "更正的发票"),
    "of": ("of", "日期"),
    "seller": ("Seller", "卖方"),
    "buyer": ("Buyer", "买方"),
    "vat_id": ("VAT ID", "增值税识别号"),
    "tax_number": ("Tax number", "税号"),
    "legal_id": ("Company register", "商业登记号"),
    "line": ("#", "序号"),
    "item": ("Item", "项目"),
    "quantity": ("Quantity", "数量"),
    "unit": ("Unit", "单位"),
    "price": ("Unit price", "单价"),
    "vat": ("VAT", "增值税"),
    "net": ("Net amount", "净额"),
    "allowance": ("Allowance", "折让"),
    "charge": ("Charge", "附加费"),
    "reason": ("Reason", "原因"),
    "amount": ("Amount", "金额"),
    "category": ("VAT category", "增值税类别"),
    "rate": ("Rate", "税率"),
    "taxable": ("Taxable amount", "计税金额"),
    "exemption": ("Exemption reason", "免税原因"),
    "line_total": ("Sum of lines", "发票行净额合计"),
    "allowances": ("Allowances", "折让合计"),
    "charges": ("Charges", "附加费合计"),
    "tax_exclusive": ("Total without VAT", "不含税总额"),
    "tax_total": ("VAT total", "增值税总额"),
    "tax_inclusive": ("Total with VAT", "含税总额"),
    "prepaid": ("Paid in advance", "已付金额"),
    "rounding": ("Rounding", "舍入金额"),
    "payable": ("Amount due", "应付金额"),
    "payment_terms": ("Payment terms", "付款条件"),
    "payment_means": ("Payment means", "付款方式"),
    "iban": ("IBAN", "IBAN 账号"),
    "account_name": ("Account holder", "账户名称"),
    "remittance": ("Payment reference", "付款附言"),
    "note": ("Note", "备注"),
}
CATEGORIES = {  # UNCL 5305
    "S": ("Standard rate", "标准税率"), "Z": ("Zero rated", "零税率"),
    "E": ("Exempt", "免税"), "AE": ("Reverse charge", "反向征收"),
    "K": ("Intra-EU supply", "欧盟内部供货"), "G": ("Export outside the EU", "出口至欧盟以外"),
    "O": ("Not subject to VAT", "不征增值税"),
}
UNITS = {"C62": ("pcs", "个"), "HUR": ("h", "小时"), "KGM": ("kg", "千克"),
         "DAY": ("days", "天"), "MTR": ("m", "米"), "LTR": ("l", "升")}  # UN/ECE rec 20
MEANS = {"58": ("SEPA credit transfer", "SEPA 转账"), "30": ("Credit transfer", "银行转账"),
         "59": ("SEPA direct debit", "SEPA 直接借记"), "10": ("Cash", "现金"),
         "48": ("Bank card", "银行卡")}  # UNCL 4461

FAMILY = "cjk"
PLAIN = FontFace(emphasis=None)  # the font has one weight: tables' bold headings would fail
HEADING = FontFace(emphasis=None, fill_color=(230, 230, 230))


class FontUnusable(RuntimeError):
    """The configured font file is not there, or lacks a character to draw."""


def render(doc: Document, language: str, font: Path) -> bytes:
    """`doc` as a PDF/A-3B for a person to read, labelled in `language` ("zh..."
    for Simplified Chinese, English otherwise), set in the TrueType `font`."""
    if not Path(font).is_file():
        raise FontUnusable(
            f"CROSSDOCK_PDF_CJK_FONT: {font} is missing: install Debian's fonts-wqy-microhei "
            "or name a TrueType font (.ttf/.ttc) that covers Simplified Chinese")
    zh = language.lower().startswith("zh")
    pdf = _Page(zh)
    pdf.add_font(FAMILY, fname=str(font))
    pdf.set_title(title(doc, language))
    pdf.set_author(doc.seller.name)
    pdf.set_lang("zh-CN" if zh else "en")
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.cell(text=title(doc, language), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=9)
    pdf.ln(2)
    _facts(pdf, doc)
    _parties(pdf, doc)
    _lines(pdf, doc)
    if doc.allowances_charges:
        _allowances_charges(pdf, doc)
    _vat_breakdown(pdf, doc)
    _totals(pdf, doc)
    _payment(pdf, doc)
    # fpdf2 would leave such characters out with a logged warning: a name on an
    # invoice must not silently lose letters
    missing = "".join(dict.fromkeys(chr(c) for c in pdf.fonts[FAMILY].missing_glyphs))
    if missing:
        raise FontUnusable(f"CROSSDOCK_PDF_CJK_FONT: {font} has no glyph for {missing!r}: "
                           "name a TrueType font that covers them")
    return bytes(pdf.output())


def title(doc: Document, language: str) -> str:
    kind = "credit_note" if doc.is_credit_note else "invoice"
    return f"{LABELS[kind][language.lower().startswith('zh')]} {doc.number}"


def money(value: Decimal) -> str:
    """An amount as printed: 2 decimals, thousands grouped (1,234.50)."""
    return f"{value:,.2f}"


class _Page(FPDF):
    def __init__(self, zh: bool):
        super().__init__(format="A4", enforce_compliance="PDF/A-3B")
        self.zh = zh
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)

    def label(self, key: str, table=LABELS) -> str:
        found = table.get(key)
        return found[self.zh] if found else key

    def table_(self, widths, text_align, *, headings=True, **placed):
        self.ln(3)
        return self.table(col_widths=widths, text_align=text_align, first_row_as_headings=headings,
                          headings_style=HEADING if headings else PLAIN, line_height=5, v_align="TOP",
                          borders_layout="HORIZONTAL_LINES" if headings else "NONE", **placed)

    def rows(self, table, *rows) -> None:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)


def _facts(pdf: _Page, doc: Document) -> None:
    facts = [("issue_date", doc.issue_date.isoformat()),
             ("due_date", doc.due_date.isoformat() if doc.due_date else ""),
             ("delivery_date", doc.delivery_date.isoformat() if doc.delivery_date else ""),
             ("currency", doc.currency), ("buyer_reference", doc.buyer_reference),
             ("order_reference", doc.order_reference)]
    if doc.preceding_invoice:
        date = doc.preceding_issue_date
        facts.append(("corrects", doc.preceding_invoice
                      + (f" ({pdf.label('of')} {date.isoformat()})" if date else "")))
    with pdf.table_((40, 140), ("LEFT", "LEFT"), headings=False) as table:
        pdf.rows(table, *((pdf.label(key), value) for key, value in facts if value))


def _parties(pdf: _Page, doc: Document) -> None:
    with pdf.table_((90, 90), ("LEFT", "LEFT")) as table:
        pdf.rows(table, (pdf.label("seller"), pdf.label("buyer")),
                 (_party(pdf, doc.seller), _party(pdf, doc.buyer)))


def _party(pdf: _Page, party: Party) -> str:
    a = party.address
    lines = [party.name, a.street, a.additional_street,
             " ".join(p for p in (a.postal_code, a.city) if p), a.subdivision, a.country]
    for key, value in (("vat_id", party.vat_id), ("tax_number", party.tax_registration),
                       ("legal_id", party.legal_id)):
        if value:
            lines.append(f"{pdf.label(key)}: {value}")
    lines.append(party.email)
    return "\n".join(line for line in lines if line)


def _lines(pdf: _Page, doc: Document) -> None:
    with pdf.table_((10, 72, 20, 14, 24, 14, 26),
                    ("RIGHT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        pdf.rows(table, [pdf.label(k) for k in ("line", "item", "quantity", "unit", "price",
                                                "vat", "net")],
                 *((line.id, line.name, number(line.quantity), pdf.label(line.unit_code, UNITS),
                    _price(line.net_price), _rate(line.vat_category, line.vat_rate),
                    money(line.net_amount)) for line in doc.lines))


def _allowances_charges(pdf: _Page, doc: Document) -> None:
    with pdf.table_((30, 100, 20, 30), ("LEFT", "LEFT", "RIGHT", "RIGHT")) as table:
        pdf.rows(table, [pdf.label(k) for k in ("allowance", "reason", "vat", "amount")],
                 *((pdf.label("charge" if ac.charge else "allowance"),
                    " ".join(p for p in (ac.reason, ac.reason_code and f"({ac.reason_code})")
                             if p),
                    _rate(ac.vat_category, ac.vat_rate),
                    money(ac.amount if ac.charge else -ac.amount))
                   for ac in doc.allowances_charges))


def _vat_breakdown(pdf: _Page, doc: Document) -> None:
    with pdf.table_((40, 16, 30, 28, 66), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT")) as table:
        pdf.rows(table, [pdf.label(k) for k in ("category", "rate", "taxable", "vat",
                                                "exemption")],
                 *((pdf.label(b.category, CATEGORIES), _rate("", b.rate), money(b.taxable),
                    money(b.tax), " ".join(p for p in (b.exemption_reason, b.exemption_code)
                                           if p))
                   for b in doc.vat_breakdown))


def _totals(pdf: _Page, doc: Document) -> None:
    t = doc.totals
    rows = [("line_total", t.line_extension), ("allowances", -t.allowances),
            ("charges", t.charges), ("tax_exclusive", t.tax_exclusive),
            ("tax_total", t.tax), ("tax_inclusive", t.tax_inclusive),
            ("prepaid", -t.prepaid), ("rounding", t.rounding), ("payable", t.payable)]
    with pdf.table_((60, 40), ("LEFT", "RIGHT"), headings=False, width=100,
                    align="RIGHT") as table:
        pdf.rows(table, *((pdf.label(key), f"{money(value)} {doc.currency}")
                          for key, value in rows
                          if value or key in ("line_total", "tax_total", "tax_inclusive",
                                              "payable")))


def _payment(pdf: _Page, doc: Document) -> None:
    means = doc.payment_means
    rows = [("payment_terms", doc.payment_terms)]
    if means:
        rows += [("payment_means", pdf.label(means.code, MEANS)), ("iban", means.iban),
                 ("account_name", means.account_name), ("remittance", means.remittance)]
    rows.append(("note", doc.note))
    with pdf.table_((40, 140), ("LEFT", "LEFT"), headings=False) as table:
        pdf.rows(table, *((pdf.label(key), value) for key, value in rows if value))


def _price(value: Decimal) -> str:
    """A unit price with at least 2 decimals, more when it has them (10.005)."""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return f"{value:,.{max(2, -exponent)}f}"


def _rate(category: str, rate: Decimal | None) -> str:
    return f"{number(rate)}%" if rate is not None else category
