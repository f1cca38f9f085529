"""The downloadable reports: the error report (each refused row as it was in the
file, plus why) and the migration report of a commit (every row, its outcome
and the reason of a rejection or skip; the totals add up to the file's rows)."""
from __future__ import annotations

import csv
import io

from ...rules.formula_cells import safe_cell


def error_report_csv(headers: list[str], rows: list[tuple[int, list[str]]],
                     errors: dict[str, list]) -> str:
    """CSV text (to be sent with a BOM) of the rows that have errors."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", *map(safe_cell, headers), "errors"])
    for number, cells in rows:
        problems = errors.get(str(number))
        if not problems:
            continue
        why = "; ".join(f"{column}: {message}" for column, message in problems)
        writer.writerow([number, *map(safe_cell, cells), safe_cell(why)])
    return out.getvalue()


def migration_report_csv(table, report: dict) -> str:
    """CSV text (to be sent with a BOM): the totals, then every row with its outcome."""
    out = io.StringIO()
    writer = csv.writer(out)
    totals = ("total", "created", "updated", "unchanged", "skipped", "rejected")
    writer.writerow(["# " + ", ".join(f"{k}: {report.get(k, 0)}" for k in totals)])
    writer.writerow(["row", "outcome", "reason", *map(safe_cell, table.headers)])
    outcomes, reasons = report.get("rows", {}), report.get("reasons", {})
    for number, cells in table.rows:
        why = "; ".join(f"{column}: {message}" for column, message in reasons.get(str(number), []))
        writer.writerow([number, outcomes.get(str(number), ""), safe_cell(why),
                         *map(safe_cell, cells)])
    return out.getvalue()
