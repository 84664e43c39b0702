"""Tables to files: CSV (UTF-8 with a BOM, so spreadsheet programs read Chinese right) and
XLSX (openpyxl), one sheet per table. Reports build the tables; this only writes them.

Text in the tables comes from users (queue, team and agent names, metadata), and a
spreadsheet runs text that starts like a formula: every text cell starting with ``= + - @``
(or a tab or line break) gets a leading ``'``, in CSV and XLSX alike, and XLSX text cells
are typed as strings. Numbers stay numbers; a ``Percent`` is a ratio shown as a percent
("83.3%" in CSV, the number with a percent format in XLSX, so it still sums and sorts).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Excel refuses sheet names longer than this.
SHEET_NAME_MAX = 31


# What spreadsheet programs read as the start of a formula (or of a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


# How XLSX shows a Percent; CSV writes the same one decimal.
PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True, slots=True)
class Percent:
    """A ratio (0.8333) that people read as a percent (83.3%)."""

    value: float

    def __str__(self) -> str:
        return f"{self.value * 100:.1f}%"


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Percent):
        # Written here from a number, never user text: "-20.0%" needs no neutralising.
        return str(value)
    return safe_text(value) if isinstance(value, str) else value


def csv_bytes(table: Table) -> bytes:
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Mapping[str, Table]) -> bytes:
    """One sheet per table, header in bold and frozen, columns sized to their content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name[:SHEET_NAME_MAX])
        _append(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _append(sheet, row)
        sheet.freeze_panes = "A2"
        for i, title in enumerate(header, start=1):
            values = [title, *(row[i - 1] for row in rows[:200])]
            width = max(_display_width(str(v)) for v in values if v is not None)
            sheet.column_dimensions[get_column_letter(i)].width = min(40, max(8, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _display_width(text: str) -> int:
    """Columns a text takes: Chinese characters are twice as wide as Latin ones."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """One row; text typed as a string (openpyxl would make ``=...`` a formula and
    ``#N/A`` an error value), numbers as numbers, percents as numbers in a percent format,
    None as an empty cell."""
    sheet.append([_xlsx_value(v) for v in values])
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
        elif isinstance(value, Percent):
            cell.number_format = PERCENT_FORMAT


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    return value.value if isinstance(value, Percent) else _cell(value)
