"""`crossdock invoicing_link reconcile`: the reconciliation from a shell,
as the system (every record), in English words, optionally as CSV."""
from __future__ import annotations

import csv
from datetime import date

import click

from connectors.errors import RemoteError

from .differences import Difference, Reconciliation, Side
from .reconcile import ReconcileRefused, backend_named, reconcile

CSV_COLUMNS = ["kind", "reference", "invoice_id", "external_id", "currency", "differs",
               "our_number", "our_state", "our_total", "our_tax", "our_residual",
               "their_number", "their_state", "their_total", "their_tax", "their_residual"]


class CannotRun(click.ClickException):
    exit_code = 2  # 1 means differences


def _side(side: Side | None) -> list:
    if side is None:
        return [""] * 5
    return [side.number, side.state, *("" if v is None else v
                                       for v in (side.total, side.tax, side.residual))]


def _words(side: Side | None) -> str:
    if side is None:
        return "none"
    return (f"{side.number or '(no number)'} {side.state} {side.total} {side.currency} "
            f"(tax {side.tax}, residual {side.residual})")


def in_words(diff: Difference) -> str:
    """One line a person reads: kind, reference, what differs, both sides."""
    differs = ", ".join(diff.amounts or diff.also)
    return (f"{diff.kind:<20} {diff.reference:<18} {differs + ': ' if differs else ''}"
            f"here {_words(diff.ours)}; there {_words(diff.theirs)}"
            + (f" [{diff.external_id}]" if diff.external_id else ""))


def summary(result: Reconciliation, first: date, last: date) -> str:
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items() if n)
    return (f"{result.backend} {first}..{last}: {result.ours_count} here, "
            f"{result.remote_count} there: {result.matched} matched, "
            f"{len(result.differences)} differences" + (f" ({counts})" if counts else "")
            + f"; {result.seconds_ours:.2f} s reading ours, {result.seconds_remote:.2f} s "
              f"the remote's pages, {result.seconds_compare:.2f} s comparing")


def _write_csv(path: str, result: Reconciliation) -> None:
    # UTF-8 with a BOM: Excel opens Chinese names right (as the debtors' CSV)
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for d in result.differences:
            currency = (d.ours or d.theirs).currency
            writer.writerow([d.kind, d.reference, d.invoice_id or "", d.external_id, currency,
                             " ".join(d.amounts or d.also), *_side(d.ours), *_side(d.theirs)])


@click.command("reconcile")
@click.option("--backend", "backend_name", required=True, help="The ERP backend's name.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First invoice date (YYYY-MM-DD).")
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last invoice date (YYYY-MM-DD), included.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write the differences to this CSV file.")
def reconcile_command(backend_name: str, first, last, csv_path: str | None) -> None:
    """Every invoice and credit note dated in the period here against the
    backend's: prints a summary and each difference (missing_remote,
    missing_here, amount_mismatch, state_mismatch, duplicate_reference).
    Exit status 0 when all match, 1 when there are differences, 2 when the
    reconciliation could not run."""
    from core.db import db

    first, last = first.date(), last.date()
    try:
        result = reconcile(db.session, backend_named(db.session, backend_name), first, last)
    except (ReconcileRefused, RemoteError) as exc:
        db.session.rollback()
        raise CannotRun(str(exc)) from None
    click.echo(summary(result, first, last))
    for diff in result.differences:
        click.echo("  " + in_words(diff))
    if csv_path:
        _write_csv(csv_path, result)
    if result.differences:
        raise SystemExit(1)
