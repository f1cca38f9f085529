"""The downloadable error report: each refused row as it was in the file, plus why."""
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
