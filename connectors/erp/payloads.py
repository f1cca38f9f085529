"""Neutral payloads between the hub's handlers and ERP protocol clients.

An addon maps its records to these; a client maps these to its remote's
records. Amounts are Decimal; quantities and prices are as the order shows
them, with our own rounded line amounts beside them, so a client can send
lines the ERP keeps to the cent and the caller can compare the totals the ERP
computed (`RemoteOrder`) with ours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Address:
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country_code: str = ""  # ISO 3166 alpha-2, "" when unknown


@dataclass(frozen=True)
class Customer:
    """Who the order is for. A client matches the remote customer by
    `external_id` (our binding), then `reference`, then strong identity (tax
    id; e-mail or phone only where no tax id disagrees), never one of
    `taken` nor one carrying another reference of ours; see
    `customer_match.choose`."""
    reference: str  # our stable reference, e.g. "CD-COMPANY-42": matched first
    name: str
    tax_id: str = ""
    email: str = ""
    phone: str = ""  # E.164 where known
    address: Address = field(default_factory=Address)
    external_id: str = ""  # the remote id from an earlier binding, if any
    # remote ids bound to other records of ours on this backend (those that
    # share a tax id, e-mail or phone with this one) -> which record, in
    # words ("contacts.company 71 (杭州东方食品有限公司)"): never this customer's
    taken: dict[str, str] = field(default_factory=dict)
    # a remote customer whose reference starts with one of these but is not
    # ours belongs to another of our records
    reference_prefixes: tuple[str, ...] = ()
    # a person chose to create a new remote customer although one matched
    create_new: bool = False


@dataclass(frozen=True)
class LineTax:
    code: str  # the ERP's tax (its name, after the backend's tax_codes mapping)
    rate: Decimal  # percent, e.g. Decimal("13")
    price_include: bool = False  # our unit price already contains this tax
    name: str = ""  # our tax's name, for messages


@dataclass(frozen=True)
class OrderLine:
    product_code: str  # the ERP product's code (our Product.code): unknown = permanent failure
    description: str
    quantity: Decimal
    unit_price: Decimal  # before discount, in the order currency (tax included if price_include)
    discount_percent: Decimal = Decimal(0)
    taxes: tuple[LineTax, ...] = ()
    # our rounded amounts of the line (None: not known, the ERP's figures stand)
    amount_untaxed: Decimal | None = None
    amount_tax: Decimal | None = None


@dataclass(frozen=True)
class SaleOrder:
    reference: str  # our order number, written into the remote order and searched before any create
    customer: Customer
    currency: str  # ISO 4217
    order_date: date
    lines: tuple[OrderLine, ...]
    total_untaxed: Decimal  # our figures, for the caller's comparison
    notes: str = ""
    total_tax: Decimal = Decimal(0)
    total: Decimal | None = None  # untaxed + tax when None
    currency_places: int = 2  # decimals of the currency (CNY 2, JPY 0)
    # only bind what an earlier attempt may have left: look the reference up,
    # create nothing (the order's cancellation was requested meanwhile)
    existing_only: bool = False

    @property
    def total_with_tax(self) -> Decimal:
        return self.total if self.total is not None else self.total_untaxed + self.total_tax


@dataclass(frozen=True)
class RemoteOrder:
    """What the ERP holds for one of our orders."""
    external_id: str  # the remote record id
    number: str  # the number people see in the ERP (e.g. "S0042", "SO-00042")
    state: str  # normalised: draft, confirmed, processing, done, cancelled
    remote_state: str  # the ERP's own word for it
    customer_external_id: str = ""
    total_untaxed: Decimal | None = None
    total_tax: Decimal | None = None
    total: Decimal | None = None
    # how this call found the customer ("binding", "reference", "tax id",
    # "e-mail", "phone", "created"; "" when the order existed) and anything a
    # person should know about it; not part of what the ERP holds
    customer_match: str = field(default="", compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)
