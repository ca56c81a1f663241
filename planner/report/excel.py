"""The report tables as one Excel workbook, one sheet per table.

Text cells that a spreadsheet could read as a formula (starting with =, +, -,
@, or a tab/carriage return: names come from input CSVs anyone may edit) are
written as text with a leading apostrophe, never as formulas (OWASP's advice
on CSV/formula injection). Numbers stay numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text that cannot be taken for a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def write_excel(path: Path, tables: dict[str, pd.DataFrame], about: list[tuple[str, object]]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "about"
    for k, v in about:
        _append(ws, [k, v if isinstance(v, (int, float)) else str(v)])
    for name, df in tables.items():
        ws = wb.create_sheet(name[:31])
        _append(ws, list(df.columns))
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in df.itertuples(index=False):
            _append(ws, [None if (isinstance(v, float) and v != v) else v for v in row])
        ws.freeze_panes = "A2"
        for i, col in enumerate(df.columns, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(str(col)) + 2))
    wb.save(path)
    return path


def _append(ws, values: list) -> None:
    """Append a row; text is stored as text (data type 's'), so openpyxl never emits a formula."""
    ws.append([safe_text(v) if isinstance(v, str) else (v.item() if hasattr(v, "item") else v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
