"""Tables to files: CSV (UTF-8 with a BOM, so spreadsheet programs read Chinese right) and
XLSX (openpyxl), one sheet per table. Reports build the tables; this only writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Excel refuses sheet names longer than this.
SHEET_NAME_MAX = 31


def _cell(value: Any) -> Any:
    return "" if value is None else value


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
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for i, title in enumerate(header, start=1):
            values = [title, *(row[i - 1] for row in rows[:200])]
            width = max(len(str(v)) for v in values if v is not None)
            sheet.column_dimensions[get_column_letter(i)].width = min(40, max(8, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
