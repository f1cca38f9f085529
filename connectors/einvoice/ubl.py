"""A `Document` as a UBL 2.1 Invoice or CreditNote, Peppol BIS Billing 3.0.

Elements follow the order of the UBL 2.1 XSD sequences (`UBL-Invoice-2.1.xsd`,
`UBL-CreditNote-2.1.xsd`, the common aggregates), which the schema enforces.
The bindings are EN 16931-3-2's: the legal name goes in PartyLegalEntity
(BT-27/BT-44), the VAT id in PartyTaxScheme with scheme VAT, the seller's
national tax number in a second PartyTaxScheme with scheme FC (BT-32). A
credit note has no DueDate element: its due date travels as the payment
means' PaymentDueDate, as Peppol BIS 3 says.
"""
from __future__ import annotations

from lxml import etree

from .document import Document, Party
from .xml_writing import add, add_text, amount, number, serialise

CUSTOMIZATION = ("urn:cen.eu:en16931:2017#compliant"
                 "#urn:fdc:peppol.eu:2017:poacc:billing:3.0")
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOTS = {False: ("Invoice", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"),
         True: ("CreditNote", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2")}


def cac(name: str) -> str:
    return f"{{{CAC}}}{name}"


def cbc(name: str) -> str:
    return f"{{{CBC}}}{name}"


def to_ubl(doc: Document) -> bytes:
    """The UBL XML of `doc` (an Invoice, or a CreditNote for type code 381)."""
    name, ns = ROOTS[doc.is_credit_note]
    root = etree.Element(f"{{{ns}}}{name}", nsmap={None: ns, "cac": CAC, "cbc": CBC})
    add(root, cbc("CustomizationID"), CUSTOMIZATION)
    add(root, cbc("ProfileID"), PROFILE)
    add(root, cbc("ID"), doc.number)
    add(root, cbc("IssueDate"), doc.issue_date.isoformat())
    if doc.due_date and not doc.is_credit_note:
        add(root, cbc("DueDate"), doc.due_date.isoformat())
    add(root, cbc("CreditNoteTypeCode" if doc.is_credit_note else "InvoiceTypeCode"),
        doc.type_code)
    add_text(root, cbc("Note"), doc.note)
    add(root, cbc("DocumentCurrencyCode"), doc.currency)
    add_text(root, cbc("BuyerReference"), doc.buyer_reference)
    if doc.order_reference:
        add(add(root, cac("OrderReference")), cbc("ID"), doc.order_reference)
    if doc.preceding_invoice:
        ref = add(add(root, cac("BillingReference")), cac("InvoiceDocumentReference"))
        add(ref, cbc("ID"), doc.preceding_invoice)
        if doc.preceding_issue_date:
            add(ref, cbc("IssueDate"), doc.preceding_issue_date.isoformat())
    _party(add(root, cac("AccountingSupplierParty")), doc.seller, seller=True)
    _party(add(root, cac("AccountingCustomerParty")), doc.buyer, seller=False)
    _delivery(root, doc)
    _payment(root, doc)
    for ac in doc.allowances_charges:
        node = add(root, cac("AllowanceCharge"))
        add(node, cbc("ChargeIndicator"), "true" if ac.charge else "false")
        add_text(node, cbc("AllowanceChargeReasonCode"), ac.reason_code)
        add_text(node, cbc("AllowanceChargeReason"), ac.reason)
        add(node, cbc("Amount"), amount(ac.amount), currencyID=doc.currency)
        _category(node, "TaxCategory", ac.vat_category, ac.vat_rate)
    _tax_total(root, doc)
    _monetary_total(root, doc)
    for line in doc.lines:
        _line(root, doc, line)
    return serialise(root)


def _party(parent, party: Party, *, seller: bool) -> None:
    node = add(parent, cac("Party"))
    add_text(node, cbc("EndpointID"), party.endpoint, schemeID=party.endpoint_scheme)
    address = add(node, cac("PostalAddress"))
    a = party.address
    for tag, value in (("StreetName", a.street), ("AdditionalStreetName", a.additional_street),
                       ("CityName", a.city), ("PostalZone", a.postal_code),
                       ("CountrySubentity", a.subdivision)):
        add_text(address, cbc(tag), value)
    add(add(address, cac("Country")), cbc("IdentificationCode"), a.country)
    for company_id, scheme in ((party.vat_id, "VAT"),
                               (party.tax_registration if seller else "", "FC")):
        if company_id:
            tax = add(node, cac("PartyTaxScheme"))
            add(tax, cbc("CompanyID"), company_id)
            add(add(tax, cac("TaxScheme")), cbc("ID"), scheme)
    if party.name or party.legal_id:
        legal = add(node, cac("PartyLegalEntity"))
        add_text(legal, cbc("RegistrationName"), party.name)
        add_text(legal, cbc("CompanyID"), party.legal_id)
    if party.email:
        add(add(node, cac("Contact")), cbc("ElectronicMail"), party.email)


def _delivery(root, doc: Document) -> None:
    if not (doc.delivery_date or doc.delivery_country):
        return
    node = add(root, cac("Delivery"))
    if doc.delivery_date:
        add(node, cbc("ActualDeliveryDate"), doc.delivery_date.isoformat())
    if doc.delivery_country:
        address = add(add(node, cac("DeliveryLocation")), cac("Address"))
        add(add(address, cac("Country")), cbc("IdentificationCode"), doc.delivery_country)


def _payment(root, doc: Document) -> None:
    means = doc.payment_means
    if means:
        node = add(root, cac("PaymentMeans"))
        add(node, cbc("PaymentMeansCode"), means.code)
        if doc.due_date and doc.is_credit_note:
            add(node, cbc("PaymentDueDate"), doc.due_date.isoformat())
        add_text(node, cbc("PaymentID"), means.remittance)
        if means.iban:
            account = add(node, cac("PayeeFinancialAccount"))
            add(account, cbc("ID"), means.iban)
            add_text(account, cbc("Name"), means.account_name)
    if doc.payment_terms:
        add(add(root, cac("PaymentTerms")), cbc("Note"), doc.payment_terms)


def _category(parent, tag: str, category: str, rate, reason: str = "", code: str = ""):
    node = add(parent, cac(tag))
    add(node, cbc("ID"), category)
    if rate is not None:
        add(node, cbc("Percent"), number(rate))
    add_text(node, cbc("TaxExemptionReasonCode"), code)
    add_text(node, cbc("TaxExemptionReason"), reason)
    add(add(node, cac("TaxScheme")), cbc("ID"), "VAT")


def _tax_total(root, doc: Document) -> None:
    node = add(root, cac("TaxTotal"))
    add(node, cbc("TaxAmount"), amount(doc.totals.tax), currencyID=doc.currency)
    for b in doc.vat_breakdown:
        sub = add(node, cac("TaxSubtotal"))
        add(sub, cbc("TaxableAmount"), amount(b.taxable), currencyID=doc.currency)
        add(sub, cbc("TaxAmount"), amount(b.tax), currencyID=doc.currency)
        _category(sub, "TaxCategory", b.category, b.rate, b.exemption_reason, b.exemption_code)


def _monetary_total(root, doc: Document) -> None:
    t, node = doc.totals, add(root, cac("LegalMonetaryTotal"))
    for tag, value, always in (("LineExtensionAmount", t.line_extension, True),
                               ("TaxExclusiveAmount", t.tax_exclusive, True),
                               ("TaxInclusiveAmount", t.tax_inclusive, True),
                               ("AllowanceTotalAmount", t.allowances, False),
                               ("ChargeTotalAmount", t.charges, False),
                               ("PrepaidAmount", t.prepaid, False),
                               ("PayableRoundingAmount", t.rounding, False),
                               ("PayableAmount", t.payable, True)):
        if always or value:
            add(node, cbc(tag), amount(value), currencyID=doc.currency)


def _line(root, doc: Document, line) -> None:
    credit = doc.is_credit_note
    node = add(root, cac("CreditNoteLine" if credit else "InvoiceLine"))
    add(node, cbc("ID"), line.id)
    add(node, cbc("CreditedQuantity" if credit else "InvoicedQuantity"),
        number(line.quantity), unitCode=line.unit_code)
    add(node, cbc("LineExtensionAmount"), amount(line.net_amount), currencyID=doc.currency)
    item = add(node, cac("Item"))
    add(item, cbc("Name"), line.name)
    _category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    add(add(node, cac("Price")), cbc("PriceAmount"), number(line.net_price),
        currencyID=doc.currency)
