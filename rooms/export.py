"""CSV export of a room's answers, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: object) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def answers_csv(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """The rows as CSV with the given columns first; unknown keys follow, sorted."""
    extra = sorted({k for row in rows for k in row} - set(columns))
    header = [*columns, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(row.get(key, "")) for key in header])
    return out.getvalue()
