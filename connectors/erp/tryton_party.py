"""Tryton parties for our customers: found by `customer_match.choose`, or created.

One search gathers every party that could be the customer (the bound id, party
`code` == our reference, a `party.identifier` with the tax id, an e-mail or
phone `party.contact_mechanism`), then the shared rule decides. A created
party gets our reference as its code (Tryton's own unique party code), the tax
identifier, e-mail, phone and an address (country by ISO code when Tryton has
it). A found party without any address gets one: a sale cannot be confirmed
without an invoice address.
"""
from __future__ import annotations

from .customer_match import Match, RemoteCustomer, choose, compact_phone
from .payloads import Customer
from .tryton_wire import TrytonWire

PARTY_FIELDS = ["code", "name", "identifiers.code", "contact_mechanisms.type",
                "contact_mechanisms.value", "addresses", "customer_payment_term"]
PHONE_TYPES = ["phone", "mobile"]
SEARCH_LIMIT = 50


class TrytonParties:
    def __init__(self, wire: TrytonWire, id_by_code):
        self.wire = wire
        self._id_by_code = id_by_code  # (model, code) -> id or None, cached by the client

    def find(self, customer: Customer) -> tuple[Match, dict | None]:
        """The match and, when one was found, its party row (addresses, payment term)."""
        rows = self.wire.search_read("party.party", ["OR", *self._criteria(customer)],
                                     PARTY_FIELDS, order=[("id", "ASC")], limit=SEARCH_LIMIT)
        match = choose(customer, [_remote(row) for row in rows], self.wire.what)
        if match.remote is None:
            return match, None
        return match, next(r for r in rows if str(r["id"]) == match.remote.external_id)

    def address_for_sale(self, customer: Customer, party: dict) -> int:
        if party["addresses"]:
            return party["addresses"][0]
        address, = self.wire.call("model.party.address.create",
                                  [self._address(customer, party["id"])])
        return address

    def create(self, customer: Customer) -> dict:
        values = {"name": customer.name, "code": customer.reference,
                  "addresses": [["create", [self._address(customer)]]]}
        if customer.tax_id:
            values["identifiers"] = [["create", [{"code": customer.tax_id}]]]
        mechanisms = [{"type": kind, "value": value} for kind, value in
                      (("email", customer.email), ("phone", customer.phone)) if value]
        if mechanisms:
            values["contact_mechanisms"] = [["create", mechanisms]]
        party_id, = self.wire.call("model.party.party.create", [values])
        return self.wire.call("model.party.party.read", [party_id],
                              ["addresses", "customer_payment_term"])[0]

    @staticmethod
    def _criteria(customer: Customer) -> list:
        criteria = [("code", "=", customer.reference)]
        if customer.external_id.isdigit():
            criteria.append(("id", "=", int(customer.external_id)))
        if customer.tax_id:
            criteria.append(("identifiers.code", "=", customer.tax_id))
        if customer.email:
            emails = sorted({customer.email, customer.email.strip().lower()})
            criteria.append(("contact_mechanisms", "where", [
                ("type", "=", "email"), ("value", "in", emails)]))
        if customer.phone:
            digits = compact_phone(customer.phone)
            criteria.append(("contact_mechanisms", "where", [
                ("type", "in", PHONE_TYPES),
                ("value_compact", "in", sorted({customer.phone, f"+{digits}", digits}))]))
        return criteria

    def _address(self, customer: Customer, party_id: int | None = None) -> dict:
        address = customer.address
        values = {"street_unstructured": address.street or None,
                  "city": address.city or None, "postal_code": address.postal_code or None}
        if address.country_code:
            # an unknown country is left out rather than failing the order
            country = self._id_by_code("country.country", address.country_code.upper())
            if country:
                values["country"] = country
        if party_id is not None:
            values["party"] = party_id
        return values


def _remote(row: dict) -> RemoteCustomer:
    mechanisms = row.get("contact_mechanisms.") or []
    return RemoteCustomer(
        external_id=str(row["id"]), name=row.get("name") or "", reference=row.get("code") or "",
        tax_ids=tuple(i["code"] for i in row.get("identifiers.") or [] if i.get("code")),
        emails=tuple(m["value"] for m in mechanisms if m["type"] == "email" and m["value"]),
        phones=tuple(m["value"] for m in mechanisms if m["type"] in PHONE_TYPES and m["value"]))
