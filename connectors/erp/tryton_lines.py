"""Tryton sale lines from our lines: products, taxes and unit prices.

- products by `product.product.code`; every unknown or non-salable code is
  named in one PermanentError before anything is written.
- taxes by `account.tax` name (our tax's name, or the backend's
  `tax_codes` mapping): each must exist once, as a percentage tax of our
  rate; anything else is a PermanentError naming it, before any write.
  Tryton 8.2 has no price-included taxes: a price-included line is sent
  with its untaxed unit price (the description says the price with tax).
- trytond_sale 8.2 lines have no discount field (that is the separate
  sale_discount module), so `unit_price` is the discounted price and the
  description says the list price and the discount.
- the unit price is the one `line_pricing.fit_unit_price` finds, in Tryton's
  4 price digits, whose amount and tax Tryton rounds (half-even, tax per line
  with the "per line" tax rounding) to our line's amounts; when it had to
  differ from our plain price, the description says our price.
"""
from __future__ import annotations

from decimal import Decimal

from ..errors import PermanentError
from .line_pricing import fit_unit_price
from .payloads import OrderLine, SaleOrder
from .tryton_wire import TrytonWire

PRICE_DIGITS = Decimal("0.0001")
ROUNDING = "half-even"  # trytond's Currency.round


class TrytonLines:
    def __init__(self, wire: TrytonWire):
        self.wire = wire
        self.what = wire.what

    def values(self, order: SaleOrder) -> list[dict]:
        """The sale's line values; refuses (before any write) what Tryton lacks."""
        products = self._products(order.lines)
        taxes = self._taxes(order.lines)
        return [self._line(line, products[line.product_code], taxes, order.currency_places)
                for line in order.lines]

    def _line(self, line: OrderLine, product: dict, taxes: dict[str, int],
              places: int) -> dict:
        price, adjusted = fit_unit_price(line, places=places, price_step=PRICE_DIGITS,
                                         rounding=ROUNDING)
        notes = []
        if line.discount_percent:
            notes.append(f"list price {line.unit_price}, "
                         f"{line.discount_percent.normalize():f}% off")
        included = [t for t in line.taxes if t.price_include]
        if included:
            notes.append(f"price {line.unit_price} incl. "
                         f"{', '.join(t.name or t.code for t in included)}")
        if adjusted:
            notes.append(f"unit price {price} so that the line is {line.amount_untaxed} "
                         "as on our order")
        description = line.description + (f" ({'; '.join(notes)})" if notes else "")
        values = {"type": "line", "product": product["id"], "quantity": float(line.quantity),
                  "unit": product["sale_uom"] or product["default_uom"],
                  "unit_price": price, "description": description}
        if line.taxes:
            values["taxes"] = [["add", [taxes[t.code] for t in line.taxes]]]
        return values

    def _products(self, lines: tuple[OrderLine, ...]) -> dict[str, dict]:
        codes = sorted({line.product_code for line in lines})
        rows = self.wire.search_read("product.product", [("code", "in", codes)],
                                     ["code", "salable", "sale_uom", "default_uom"])
        found = {row["code"]: row for row in rows}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise PermanentError(f"{self.what}: unknown product code(s) in Tryton: "
                                 f"{', '.join(unknown)}")
        unsalable = [code for code in codes if not found[code]["salable"]]
        if unsalable:
            raise PermanentError(f"{self.what}: product(s) not salable in Tryton: "
                                 f"{', '.join(unsalable)}")
        return found

    def _taxes(self, lines: tuple[OrderLine, ...]) -> dict[str, int]:
        """{tax name: Tryton tax id} for every tax of the lines, checked."""
        wanted = {t.code: t for line in lines for t in line.taxes}
        if not wanted:
            return {}
        rows = self.wire.search_read(
            "account.tax", [("name", "in", sorted(wanted)), ("parent", "=", None),
                            ("company", "=", self.wire.context.get("company"))],
            ["name", "type", "rate"])
        by_name: dict[str, list[dict]] = {}
        for row in rows:
            by_name.setdefault(row["name"], []).append(row)
        problems = []
        for code, tax in sorted(wanted.items()):
            found = by_name.get(code, [])
            ours = f"our {tax.name or code} ({tax.rate.normalize():f}%)"
            if not found:
                problems.append(f"no tax named {code!r} for {ours}")
            elif len(found) > 1:
                problems.append(f"{len(found)} taxes named {code!r}")
            elif found[0]["type"] != "percentage" or (
                    Decimal(found[0]["rate"] or 0) * 100 != tax.rate):
                rate = Decimal(found[0]["rate"] or 0) * 100
                problems.append(f"tax {code!r} is {found[0]['type']} {rate.normalize():f}%, "
                                f"not {ours}")
        if problems:
            raise PermanentError(
                f"{self.what}: taxes do not match: {'; '.join(problems)}. Create or correct "
                "them in Tryton, or map our taxes to Tryton's in the backend option "
                'tax_codes, e.g. {"tax_codes": {"VAT 13%": "<Tryton tax name>"}}, then retry')
        return {code: found[0]["id"] for code, found in by_name.items()}
