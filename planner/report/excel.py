"""The report tables as one Excel workbook, one sheet per table.

Each sheet has a bold, frozen header row with a filter, columns sized to their
content, and number formats read from the unit in the column name (``_mw``,
``_mwh``, ``_usd...`` thousands separators; shares ``_pu`` as percentages;
prices with two decimals). The first sheets answer the question: headline,
partners, deficit.

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


def number_format(column: str) -> str | None:
    """Excel number format for a column, from the unit in its name."""
    c = column.lower()
    if c in ("wacc", "break_even_wacc", "discount_rate"):
        return "0.0##%"
    if c == "period" or c.endswith("timestep") or c == "built_period":
        return "0"
    if c.endswith("_pu"):
        shares = ("share", "utilisation", "margin", "curtailment", "unserved", "value")
        return "0.0%" if any(w in c for w in shares) else "0.000"
    if c.endswith(("_usd_per_mwh", "_usd_per_t", "_usd_per_kw", "_usd_per_mw_yr", "_t_per_mwh")):
        return "#,##0.00"
    if c.endswith(("_mw", "_mwh", "_usd", "_usd_per_yr", "_t", "_h", "_twh")):
        return "#,##0"
    return None


def value_format(unit: str) -> str:
    """Excel number format of a value by its unit: fractions as percentages (7.5%, 6.3%), else thousands."""
    if unit.startswith("fraction") or unit == "pu":
        return "0.0##%"
    return "#,##0" if unit in ("USD", "MW", "MWh", "t") else "#,##0.0##"


def write_excel(path: Path, tables: dict[str, pd.DataFrame], about: list[tuple[str, object]]) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="DDDDDD")
    wb = Workbook()
    ws = wb.active
    ws.title = "about"
    for k, v in about:
        _append(ws, [k, v if isinstance(v, (int, float)) else str(v)])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 120
    for row in ws.iter_rows(min_col=2, max_col=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    for name, df in tables.items():
        ws = wb.create_sheet(name[:31])
        _append(ws, list(df.columns))
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = header_fill
        for row in df.itertuples(index=False):
            _append(ws, [None if (isinstance(v, float) and v != v) else v for v in row])
        ws.freeze_panes = "B2" if len(df.columns) > 1 and not pd.api.types.is_numeric_dtype(df[df.columns[0]]) else "A2"
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(len(df) + 1, 1)}"
        if "unit" in df.columns and "value" in df.columns:  # a value whose unit is in its row (key assumptions)
            vi = list(df.columns).index("value") + 1
            for (cell,), unit in zip(ws.iter_rows(min_row=2, min_col=vi, max_col=vi), df["unit"].astype(str)):
                if isinstance(cell.value, (int, float)):
                    cell.number_format = value_format(unit)
        for i, col in enumerate(df.columns, start=1):
            letter = get_column_letter(i)
            by_row = col == "value" and "unit" in df.columns
            fmt = number_format(str(col)) if pd.api.types.is_numeric_dtype(df[col]) and not by_row else None
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
            sample = max((len(str(v)) for v in df[col].head(200)), default=0)
            ws.column_dimensions[letter].width = max(10, min(48, max(len(str(col)), sample) + 2))
    wb.save(path)
    return path


def _append(ws, values: list) -> None:
    """Append a row; text is stored as text (data type 's'), so openpyxl never emits a formula."""
    ws.append([safe_text(v) if isinstance(v, str) else (v.item() if hasattr(v, "item") else v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
