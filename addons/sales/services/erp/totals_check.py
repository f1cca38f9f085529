"""Are the ERP's untaxed, tax and total amounts ours, to the cent?

Read back after every push (push.py) and on demand for every bound confirmed
order (`crossdock sales erp-check`). A difference is never silent: the
order's binding is flagged "totals_differ" with both figures, which the
order page, its list row and the sync dashboard show (and Finance filters);
a later push or check that finds them equal clears it.
"""
from __future__ import annotations

from decimal import Decimal

import click
from sqlalchemy import select

from connectors import hub
from connectors.erp import KINDS as ERP_KINDS
from connectors.erp.payloads import RemoteOrder

from ...models.sales_order import CONFIRMED, ERP_MODEL as MODEL, SalesOrder

TOTALS_DIFFER = "totals_differ"
BATCH = 200


def compare(reference: str, currency: str, places: int, ours: dict[str, Decimal],
            remote: RemoteOrder) -> tuple[str, dict | None]:
    """("", None) when every figure the ERP gave equals ours at the
    currency's decimals, else ("totals_differ", both figures)."""
    theirs = {"untaxed": remote.total_untaxed, "tax": remote.total_tax, "total": remote.total}
    unit = Decimal(1).scaleb(-places)
    differ = [k for k, value in theirs.items()
              if value is not None and Decimal(value).quantize(unit) != ours[k].quantize(unit)]
    if not differ:
        return "", None
    return TOTALS_DIFFER, {
        "reference": reference, "currency": currency, "differ": differ,
        "ours": {k: f"{v.quantize(unit)}" for k, v in ours.items()},
        "remote": {k: "" if v is None else f"{Decimal(v).quantize(unit)}"
                   for k, v in theirs.items()}}


def in_words(details: dict, backend: str) -> str:
    ours, remote = details["ours"], details["remote"]
    return (f"totals differ: ours untaxed {ours['untaxed']}, tax {ours['tax']}, total "
            f"{ours['total']}; {backend} {remote['untaxed']}, {remote['tax']}, "
            f"{remote['total']} {details.get('currency', '')}").rstrip()


@click.command("erp-check")
@click.option("--backend", "backend_name", default=None,
              help="Only this backend (default: every active ERP backend).")
def erp_check_command(backend_name: str | None) -> None:
    """Read every bound confirmed order back from the ERP and compare its
    untaxed, tax and total amounts with ours; flag and list the ones that
    differ (exit status 1 when any does)."""
    from core.db import db

    session = db.session
    backends = [(b.id, b.name) for b in hub.active_backends(session, ERP_KINDS)
                if backend_name in (None, b.name)]
    if not backends:
        raise click.ClickException("no active ERP backend" + (
            f" named {backend_name!r}" if backend_name else ""))
    differing = 0
    for backend_id, name in backends:
        checked = matched = 0
        order_ids = session.scalars(select(SalesOrder.id).where(
            SalesOrder.state == CONFIRMED).order_by(SalesOrder.id)).all()
        for start in range(0, len(order_ids), BATCH):
            external = hub.bound(session, backend_id, MODEL, order_ids[start:start + BATCH])
            orders = {o.id: (o.number, o.currency.code, o.currency.decimal_places,
                             {"untaxed": Decimal(o.amount_untaxed), "tax": Decimal(o.amount_tax),
                              "total": Decimal(o.amount_total)})
                      for o in session.scalars(select(SalesOrder).where(
                          SalesOrder.id.in_(list(external))))}
            remote = hub.read_remote(session, backend_id, MODEL, list(external.values()))
            for order_id, external_id in external.items():
                if external_id not in remote:
                    continue
                number, currency, places, ours = orders[order_id]
                attention, details = compare(number, currency, places, ours, remote[external_id])
                hub.flag(session, backend_id, MODEL, order_id, attention or None, details)
                checked += 1
                if attention:
                    click.echo(f"{number}: {name}: {in_words(details, name)}")
                else:
                    matched += 1
            session.commit()
        differing += checked - matched
        click.echo(f"{name}: {checked} orders checked, {matched} match to the cent, "
                   f"{checked - matched} differ")
    if differing:
        raise SystemExit(1)
