"""Neutral payloads between the hub's handlers and ERP protocol clients.

An addon maps its records to these; a client maps these to its remote's
records. Amounts are Decimal; quantities and prices are as the order shows
them (the ERP computes its own totals, which the client returns so the caller
can compare).
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
    reference: str  # our stable reference, e.g. "CD-COMPANY-42": matched first
    name: str
    tax_id: str = ""  # matched second
    email: str = ""  # matched third
    phone: str = ""
    address: Address = field(default_factory=Address)
    external_id: str = ""  # the remote id from an earlier binding, if any


@dataclass(frozen=True)
class OrderLine:
    product_code: str  # the ERP product's code (our Product.code): unknown = permanent failure
    description: str
    quantity: Decimal
    unit_price: Decimal  # before discount, in the order currency
    discount_percent: Decimal = Decimal(0)


@dataclass(frozen=True)
class SaleOrder:
    reference: str  # our order number, written into the remote order and searched before any create
    customer: Customer
    currency: str  # ISO 4217
    order_date: date
    lines: tuple[OrderLine, ...]
    total_untaxed: Decimal  # our figure, for the caller's comparison
    notes: str = ""


@dataclass(frozen=True)
class RemoteOrder:
    """What the ERP holds for one of our orders."""
    external_id: str  # the remote record id
    number: str  # the number people see in the ERP (e.g. "S0042", "SO-00042")
    state: str  # normalised: draft, confirmed, processing, done, cancelled
    remote_state: str  # the ERP's own word for it
    customer_external_id: str = ""
    total_untaxed: Decimal | None = None
