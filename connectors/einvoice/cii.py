"""A `Document` as a UN/CEFACT CII D16B CrossIndustryInvoice, the Factur-X /
ZUGFeRD EN 16931 profile (guideline `urn:cen.eu:en16931:2017`).

Elements follow the sequences of `CrossIndustryInvoice_100pD16B.xsd` and its
reusable aggregates (TradeParty: Name, SpecifiedLegalOrganization,
DefinedTradeContact, PostalTradeAddress, URIUniversalCommunication,
SpecifiedTaxRegistration; ApplicableTradeTax: CalculatedAmount, TypeCode,
ExemptionReason, BasisAmount, CategoryCode, ExemptionReasonCode,
RateApplicablePercent ...), which the schema enforces. Dates are format 102
(YYYYMMDD). A credit note is the same document with type code 381.
"""
from __future__ import annotations

from lxml import etree

from .document import Document, Party
from .xml_writing import add, add_text, amount, number, serialise

GUIDELINE = "urn:cen.eu:en16931:2017"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"


def ram(name: str) -> str:
    return f"{{{RAM}}}{name}"


def to_cii(doc: Document) -> bytes:
    """The CII XML of `doc`."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice",
                         nsmap={"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT})
    context = add(root, f"{{{RSM}}}ExchangedDocumentContext")
    add(add(context, ram("GuidelineSpecifiedDocumentContextParameter")), ram("ID"), GUIDELINE)
    header = add(root, f"{{{RSM}}}ExchangedDocument")
    add(header, ram("ID"), doc.number)
    add(header, ram("TypeCode"), doc.type_code)
    _date(header, "IssueDateTime", doc.issue_date)
    if doc.note:
        add(add(header, ram("IncludedNote")), ram("Content"), doc.note)
    transaction = add(root, f"{{{RSM}}}SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, doc, line)
    _agreement(add(transaction, ram("ApplicableHeaderTradeAgreement")), doc)
    _delivery(add(transaction, ram("ApplicableHeaderTradeDelivery")), doc)
    _settlement(add(transaction, ram("ApplicableHeaderTradeSettlement")), doc)
    return serialise(root)


def _date(parent, tag: str, value, *, qualified: bool = False) -> None:
    ns = QDT if qualified else UDT
    add(add(parent, ram(tag)), f"{{{ns}}}DateTimeString", value.strftime("%Y%m%d"),
        format="102")


def _line(transaction, doc: Document, line) -> None:
    node = add(transaction, ram("IncludedSupplyChainTradeLineItem"))
    add(add(node, ram("AssociatedDocumentLineDocument")), ram("LineID"), line.id)
    add(add(node, ram("SpecifiedTradeProduct")), ram("Name"), line.name)
    price = add(add(node, ram("SpecifiedLineTradeAgreement")), ram("NetPriceProductTradePrice"))
    add(price, ram("ChargeAmount"), number(line.net_price))
    add(add(node, ram("SpecifiedLineTradeDelivery")), ram("BilledQuantity"),
        number(line.quantity), unitCode=line.unit_code)
    settlement = add(node, ram("SpecifiedLineTradeSettlement"))
    _tax(settlement, "ApplicableTradeTax", line.vat_category, line.vat_rate)
    add(add(settlement, ram("SpecifiedTradeSettlementLineMonetarySummation")),
        ram("LineTotalAmount"), amount(line.net_amount))


def _tax(parent, tag: str, category: str, rate, *, calculated=None, basis=None,
         reason: str = "", code: str = "") -> None:
    node = add(parent, ram(tag))
    if calculated is not None:
        add(node, ram("CalculatedAmount"), amount(calculated))
    add(node, ram("TypeCode"), "VAT")
    add_text(node, ram("ExemptionReason"), reason)
    if basis is not None:
        add(node, ram("BasisAmount"), amount(basis))
    add(node, ram("CategoryCode"), category)
    add_text(node, ram("ExemptionReasonCode"), code)
    if rate is not None:
        add(node, ram("RateApplicablePercent"), number(rate))


def _party(parent, tag: str, party: Party, *, seller: bool) -> None:
    node = add(parent, ram(tag))
    add_text(node, ram("Name"), party.name)
    if party.legal_id:
        add(add(node, ram("SpecifiedLegalOrganization")), ram("ID"), party.legal_id)
    if party.email:
        contact = add(node, ram("DefinedTradeContact"))
        add(add(contact, ram("EmailURIUniversalCommunication")), ram("URIID"), party.email)
    address, a = add(node, ram("PostalTradeAddress")), party.address
    for tag_, value in (("PostcodeCode", a.postal_code), ("LineOne", a.street),
                        ("LineTwo", a.additional_street), ("CityName", a.city)):
        add_text(address, ram(tag_), value)
    add(address, ram("CountryID"), a.country)
    add_text(address, ram("CountrySubDivisionName"), a.subdivision)
    if party.endpoint:
        add(add(node, ram("URIUniversalCommunication")), ram("URIID"), party.endpoint,
            schemeID=party.endpoint_scheme)
    for tax_id, scheme in ((party.vat_id, "VA"),
                           (party.tax_registration if seller else "", "FC")):
        if tax_id:
            add(add(node, ram("SpecifiedTaxRegistration")), ram("ID"), tax_id, schemeID=scheme)


def _agreement(node, doc: Document) -> None:
    add_text(node, ram("BuyerReference"), doc.buyer_reference)
    _party(node, "SellerTradeParty", doc.seller, seller=True)
    _party(node, "BuyerTradeParty", doc.buyer, seller=False)
    if doc.order_reference:
        add(add(node, ram("BuyerOrderReferencedDocument")), ram("IssuerAssignedID"),
            doc.order_reference)


def _delivery(node, doc: Document) -> None:
    if doc.delivery_country:
        ship_to = add(add(node, ram("ShipToTradeParty")), ram("PostalTradeAddress"))
        add(ship_to, ram("CountryID"), doc.delivery_country)
    if doc.delivery_date:
        event = add(node, ram("ActualDeliverySupplyChainEvent"))
        _date(event, "OccurrenceDateTime", doc.delivery_date)


def _settlement(node, doc: Document) -> None:
    means = doc.payment_means
    add_text(node, ram("PaymentReference"), means.remittance if means else "")
    add(node, ram("InvoiceCurrencyCode"), doc.currency)
    if means:
        payment = add(node, ram("SpecifiedTradeSettlementPaymentMeans"))
        add(payment, ram("TypeCode"), means.code)
        if means.iban:
            account = add(payment, ram("PayeePartyCreditorFinancialAccount"))
            add(account, ram("IBANID"), means.iban)
            add_text(account, ram("AccountName"), means.account_name)
    for b in doc.vat_breakdown:
        _tax(node, "ApplicableTradeTax", b.category, b.rate, calculated=b.tax,
             basis=b.taxable, reason=b.exemption_reason, code=b.exemption_code)
    for ac in doc.allowances_charges:
        item = add(node, ram("SpecifiedTradeAllowanceCharge"))
        add(add(item, ram("ChargeIndicator")), f"{{{UDT}}}Indicator",
            "true" if ac.charge else "false")
        add(item, ram("ActualAmount"), amount(ac.amount))
        add_text(item, ram("ReasonCode"), ac.reason_code)
        add_text(item, ram("Reason"), ac.reason)
        _tax(item, "CategoryTradeTax", ac.vat_category, ac.vat_rate)
    if doc.payment_terms or doc.due_date:
        terms = add(node, ram("SpecifiedTradePaymentTerms"))
        add_text(terms, ram("Description"), doc.payment_terms)
        if doc.due_date:
            _date(terms, "DueDateDateTime", doc.due_date)
    _monetary_summation(add(node, ram("SpecifiedTradeSettlementHeaderMonetarySummation")), doc)
    if doc.preceding_invoice:
        ref = add(node, ram("InvoiceReferencedDocument"))
        add(ref, ram("IssuerAssignedID"), doc.preceding_invoice)
        if doc.preceding_issue_date:
            _date(ref, "FormattedIssueDateTime", doc.preceding_issue_date, qualified=True)


def _monetary_summation(node, doc: Document) -> None:
    t = doc.totals
    add(node, ram("LineTotalAmount"), amount(t.line_extension))
    if t.charges:
        add(node, ram("ChargeTotalAmount"), amount(t.charges))
    if t.allowances:
        add(node, ram("AllowanceTotalAmount"), amount(t.allowances))
    add(node, ram("TaxBasisTotalAmount"), amount(t.tax_exclusive))
    add(node, ram("TaxTotalAmount"), amount(t.tax), currencyID=doc.currency)
    if t.rounding:
        add(node, ram("RoundingAmount"), amount(t.rounding))
    add(node, ram("GrandTotalAmount"), amount(t.tax_inclusive))
    if t.prepaid:
        add(node, ram("TotalPrepaidAmount"), amount(t.prepaid))
    add(node, ram("DuePayableAmount"), amount(t.payable))
