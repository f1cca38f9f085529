"""Odoo's rows as neutral records, and our taxes checked against Odoo's:
pure conversion, no I/O (odoo.py makes the calls, odoo_wire.py the wire)."""
from __future__ import annotations

from decimal import Decimal

from .customer_match import RemoteCustomer
from .payloads import LineTax, RemoteOrder


def tax_problems(wanted: dict[str, LineTax], by_name: dict[str, list[dict]]) -> list[str]:
    """In words, each of our taxes that has no single Odoo sales tax of its
    name with its rate and price-included flag (`by_name`: account.tax rows)."""
    problems = []
    for code, tax in sorted(wanted.items()):
        found = by_name.get(code, [])
        ours = (f"our {tax.name or code} ({tax.rate.normalize():f}%"
                f"{', price included' if tax.price_include else ''})")
        if not found:
            problems.append(f"no sales tax named {code!r} for {ours}")
        elif len(found) > 1:
            problems.append(f"{len(found)} sales taxes named {code!r}")
        elif (found[0]["amount_type"] != "percent"
              or Decimal(str(found[0]["amount"])) != tax.rate
              or bool(found[0]["price_include"]) != tax.price_include):
            row = found[0]
            problems.append(f"tax {code!r} is {row['amount_type']} "
                            f"{Decimal(str(row['amount'])).normalize():f}"
                            f"{', price included' if row['price_include'] else ''}, "
                            f"not {ours}")
    return problems


def like_literal(value: str) -> str:
    """`=ilike` treats % and _ as wildcards; an e-mail must match as written."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def remote_partner(row: dict) -> RemoteCustomer:
    return RemoteCustomer(external_id=str(row["id"]), name=row.get("name") or "",
                          reference=row.get("ref") or "",
                          tax_ids=(row["vat"],) if row.get("vat") else (),
                          emails=(row["email"],) if row.get("email") else (),
                          phones=(row["phone"],) if row.get("phone") else ())


def remote_order(row: dict) -> RemoteOrder:
    state = row["state"]
    delivery, invoice = row.get("delivery_status") or "", row.get("invoice_status") or ""
    if state == "cancel":
        normal = "cancelled"
    elif state in ("draft", "sent"):
        normal = "draft"
    elif state == "done" or (delivery == "full" and invoice == "invoiced"):
        normal = "done"  # "done" is the locked state before Odoo 17
    elif delivery in ("partial", "full") or invoice == "invoiced":
        normal = "processing"
    else:
        normal = "confirmed"
    details = ", ".join(f"{k} {v}" for k, v in (("delivery", delivery), ("invoice", invoice)) if v)
    partner = row.get("partner_id")
    return RemoteOrder(
        external_id=str(row["id"]), number=row["name"], state=normal,
        remote_state=f"{state} ({details})" if details else state,
        customer_external_id=str(partner[0]) if partner else "",
        total_untaxed=money(row.get("amount_untaxed")), total_tax=money(row.get("amount_tax")),
        total=money(row.get("amount_total")))


def money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
