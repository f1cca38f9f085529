"""An issued invoice or credit note as a neutral EN 16931 `Document`
(connectors/einvoice/document.py): the seller from Invoicing > E-invoicing
seller, the buyer from the customer company, each line at its untaxed amount.

Lines: the net price is the line's untaxed amount per unit (discount and a
price-included tax already taken out, to 6 decimals so quantity x price gives
the amount back to the cent); a rate above 0 is category S, 0 is Z. The
invoice's VAT is rounded per line (sales' rule); EN 16931 computes it per
category and rate on the sum of the lines, which may differ by cents. The
invoice's own VAT per rate is stated (`StatedVat`) and kept, as BR-CO-17
allows within one unit, so the e-invoice's total is the invoice's to the
cent; only beyond that (hundreds of lines rounded one way) does the document
compute its own, and `vat_difference` says by how much, for the page to show.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.invoicing_link.models.invoice import CREDIT_NOTE, Invoice
from connectors.einvoice.document import (CREDIT_NOTE as TYPE_CREDIT_NOTE, INVOICE,
                                          Address, Document, Line, Party, PaymentMeans,
                                          StatedVat)

from ..models.seller import EinvoiceSeller

PRICE_PLACES = Decimal("0.000001")


class NoSeller(ValueError):
    """Invoicing > E-invoicing seller is empty: no document can name its seller."""


def seller_of(session: Session) -> EinvoiceSeller:
    seller = session.scalars(select(EinvoiceSeller).order_by(EinvoiceSeller.id)).first()
    if seller is None:
        raise NoSeller(gettext("Fill in Invoicing > E-invoicing seller first: the e-invoice "
                               "names its seller (BG-4)."))
    return seller


def _seller_party(seller: EinvoiceSeller) -> Party:
    return Party(name=seller.name, vat_id=seller.vat_id or "",
                 tax_registration=seller.tax_registration or "", email=seller.email or "",
                 endpoint=seller.endpoint or "", endpoint_scheme=seller.endpoint_scheme or "",
                 address=Address(country=seller.country_code, street=seller.street or "",
                                 city=seller.city or "",
                                 postal_code=seller.postal_code or ""))


def _buyer_party(invoice: Invoice) -> Party:
    company = invoice.company
    if company is None:  # a person as the customer
        person = invoice.person
        return Party(name=str(person), address=Address(
            country=(person.country_code or "").upper() if person else ""))
    return Party(name=company.name, vat_id=(company.tax_id or "").replace(" ", ""),
                 endpoint=getattr(company, "einvoice_endpoint", None) or "",
                 endpoint_scheme=getattr(company, "einvoice_endpoint_scheme", None) or "",
                 address=Address(country=(company.country_code or "").upper(),
                                 street=company.street or "", city=company.city or "",
                                 postal_code=company.postal_code or "",
                                 subdivision=company.province or ""))


def _category(line) -> tuple[str, Decimal]:
    rate = Decimal(line.tax_rate or 0).normalize()
    return ("S" if rate > 0 else "Z"), rate


def _line(number: int, line) -> Line:
    quantity = Decimal(line.quantity)
    untaxed = Decimal(line.amount_untaxed)
    price = (untaxed / quantity).quantize(PRICE_PLACES) if quantity else Decimal(0)
    if price < 0:  # a deduction (a final invoice's down payment): the quantity is negative
        quantity, price = -quantity, -price  # BR-27: a net price is never negative
    category, rate = _category(line)
    return Line(id=str(number), name=line.description, quantity=quantity, net_price=price,
                vat_category=category, vat_rate=rate)


def _stated_vat(lines) -> tuple[StatedVat, ...]:
    """The invoice's VAT per category and rate: its lines' rounded VAT summed."""
    sums: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = _category(line)
        sums[key] = sums.get(key, Decimal(0)) + Decimal(line.amount_tax)
    return tuple(StatedVat(category, rate, tax) for (category, rate), tax in sums.items())


def build_document(session: Session, invoice: Invoice) -> Document:
    seller = seller_of(session)
    credit = invoice.kind == CREDIT_NOTE
    corrected = invoice.credited_invoice
    return Document(
        number=invoice.number, issue_date=invoice.invoice_date,
        currency=invoice.currency.code, seller=_seller_party(seller),
        buyer=_buyer_party(invoice),
        lines=tuple(_line(n, line) for n, line in enumerate(invoice.lines, 1)),
        stated_vat=_stated_vat(invoice.lines),
        type_code=TYPE_CREDIT_NOTE if credit else INVOICE,
        due_date=invoice.due_date, note=invoice.note or "",
        order_reference=invoice.order.number if invoice.order else "",
        preceding_invoice=corrected.number if credit and corrected else "",
        preceding_issue_date=corrected.invoice_date if credit and corrected else None,
        payment_means=PaymentMeans(code="58" if seller.iban else "30", iban=seller.iban or "",
                                   remittance=invoice.number) if seller.iban else None)


def vat_difference(document: Document, invoice: Invoice) -> Decimal:
    """The document's VAT less the invoice's (per-line rounding), in its currency."""
    return document.totals.tax - Decimal(invoice.amount_tax).quantize(Decimal("0.01"))
