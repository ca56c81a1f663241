"""Stage 1: read a case folder, check every cell against the schema, fill defaults.

Every problem found is collected and raised together as one ``InputError``
before any model is built. Lines are counted as in the file (header = line 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem
from planner.schema import SETTING, SETTINGS, TABLE, TABLES, Column, Table

_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


@dataclass
class Case:
    """A loaded, validated case: one DataFrame per table (absent optional tables empty)."""

    path: Path
    tables: dict[str, pd.DataFrame]
    settings: dict[str, object]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]


def _parse(col: Column, raw: str, file: str, line: int, problems: list[Problem]):
    """Parse one cell; append a problem and return None when it is not valid."""
    text = raw.strip()
    if text == "":
        if col.required:
            problems.append(Problem(file, f"is empty; expected {col.valid_text()}", line, col.name))
        return col.default
    value: object
    try:
        if col.dtype == "str":
            value = text
        elif col.dtype == "bool":
            low = text.lower()
            if low not in _TRUE | _FALSE:
                raise ValueError
            value = low in _TRUE
        elif col.dtype == "int":
            f = float(text)
            if not f.is_integer():
                raise ValueError
            value = int(f)
        else:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError
    except ValueError:
        problems.append(Problem(file, f"{text!r} is not valid; expected {col.valid_text()}", line, col.name))
        return None
    if col.choices and value not in col.choices:
        problems.append(Problem(file, f"{text!r} is not valid; expected {col.valid_text()}", line, col.name))
        return None
    if col.dtype in ("int", "float"):
        low_bad = col.min is not None and (value <= col.min if col.min_exclusive else value < col.min)
        high_bad = col.max is not None and value > col.max
        if low_bad or high_bad:
            problems.append(Problem(file, f"{text} is out of range; expected {col.valid_text()}", line, col.name))
            return None
    return value


def _parse_column(col: Column, raw: pd.Series, file: str, problems: list[Problem]) -> list:
    """Parse a whole column at once; cells that look wrong go through ``_parse`` for their message.

    Same result as calling ``_parse`` on every cell, but vectorised for the
    large profile tables (hundreds of thousands of rows).
    """
    text = raw.astype(str).str.strip()
    empty = (text == "").to_numpy()
    suspect = empty.copy() if col.required else np.zeros(len(text), dtype=bool)
    if col.dtype in ("int", "float"):
        num = pd.to_numeric(text.where(~empty), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = ~empty & ~np.isfinite(num)
            if col.dtype == "int":
                bad |= ~empty & np.isfinite(num) & (np.mod(num, 1) != 0)
            if col.min is not None:
                bad |= ~empty & ((num <= col.min) if col.min_exclusive else (num < col.min))
            if col.max is not None:
                bad |= ~empty & (num > col.max)
        suspect |= bad
        values = [col.default if e else (None if b else (int(x) if col.dtype == "int" else float(x)))
                  for e, b, x in zip(empty, bad, num)]
    else:
        if col.dtype == "bool" or col.choices:
            suspect |= ~empty
        values = [col.default if e else x for e, x in zip(empty, text.tolist())]
    for i in np.flatnonzero(suspect):  # exact parse (and message) for the few cells that need it
        values[i] = _parse(col, raw.iloc[i], file, int(i) + 2, problems)
    return values


def read_table(folder: Path, table: Table, problems: list[Problem]) -> pd.DataFrame:
    """Read and type one table; absent optional tables come back empty with their columns."""
    path = folder / table.file
    names = [c.name for c in table.columns]
    if not path.exists():
        if table.required:
            problems.append(Problem(table.file, f"file is missing from {folder}; it is required ({table.meaning})"))
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        problems.append(Problem(table.file, f"cannot be read as CSV: {exc}"))
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    raw.columns = [str(c).strip() for c in raw.columns]
    n_before = len(problems)
    unknown = [c for c in raw.columns if c not in names]
    for c in unknown:
        problems.append(Problem(table.file, f"unknown column; columns of this table are: {', '.join(names)}", 1, c))
    dup_cols = raw.columns[raw.columns.duplicated()].tolist()
    for c in dup_cols:
        problems.append(Problem(table.file, "column appears twice", 1, c))
    for col in table.columns:
        if col.required and col.name not in raw.columns:
            problems.append(Problem(table.file, f"required column is missing ({col.meaning})", 1, col.name))
    if len(problems) > n_before:
        broken = pd.DataFrame({n: pd.Series(dtype=object) for n in names})
        broken.attrs["broken"] = True
        return broken

    out: dict[str, list] = {}
    for col in table.columns:
        if col.name in raw.columns:
            out[col.name] = _parse_column(col, raw[col.name], table.file, problems)
        else:
            out[col.name] = [col.default] * len(raw)
    df = pd.DataFrame(out, columns=names)
    df.index = pd.RangeIndex(2, len(raw) + 2, name="line")
    for col in table.columns:  # numeric columns as numbers, empty optional as NaN
        if col.dtype == "float":
            df[col.name] = pd.to_numeric(df[col.name], errors="coerce").astype(float)
        elif col.dtype == "str":  # empty text is "" (never NaN), so lookups and tests stay plain
            df[col.name] = pd.Series([(v if isinstance(v, str) else "") for v in df[col.name]], index=df.index, dtype=object)
    key = table.key
    if key and len(df):
        dups = df[df.duplicated(key, keep="first")]
        for ln, row in dups.iterrows():
            desc = ", ".join(f"{k}={row[k]}" for k in key)
            problems.append(Problem(table.file, f"duplicate key ({desc}); each key may appear once", int(ln)))
    return df


def _settings(df: pd.DataFrame, problems: list[Problem]) -> dict[str, object]:
    file = "settings.csv"
    values: dict[str, object] = {}
    for ln, row in df.iterrows():
        name = row["setting"]
        if name is None:
            continue
        if name not in SETTING:
            problems.append(Problem(file, f"unknown setting {name!r}; known settings: {', '.join(SETTING)}", int(ln), "setting"))
            continue
        values[name] = _parse(SETTING[name], str(row["value"] or ""), file, int(ln), problems)
    for col in SETTINGS:
        if col.name not in values:
            if col.required:
                problems.append(Problem(file, f"setting {col.name!r} is missing; add a row '{col.name},<{col.valid_text()}>'"))
            values[col.name] = col.default
    return values


def _check_refs(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    for table in TABLES:
        df = tables[table.name]
        for col in table.columns:
            if not col.ref or not len(df):
                continue
            ref_table, ref_col = col.ref.split(".")
            if tables[ref_table].attrs.get("broken"):
                continue
            known = set(tables[ref_table][ref_col].dropna())
            vals = df[col.name]
            given = vals.notna() & (vals != "")
            for ln, v in vals[given & ~vals.isin(known)].items():
                shown = ", ".join(list(map(str, sorted(known)))[:12]) if known else f"none ({ref_table}.csv is empty or missing)"
                problems.append(Problem(table.file, f"{v!r} is not a known {ref_col} of {ref_table}.csv; known: {shown}", int(ln), col.name))


def load_case(folder: str | Path) -> Case:
    """Read and validate a case folder; raise ``InputError`` listing every problem."""
    from planner.checks import check_case  # cross-table rules

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "case folder does not exist")])
    problems: list[Problem] = []
    for extra in sorted(p.name for p in folder.glob("*.csv")):
        if extra[:-4] not in TABLE:
            problems.append(Problem(extra, f"unknown table; tables are: {', '.join(t.file for t in TABLES)}"))
    tables = {t.name: read_table(folder, t, problems) for t in TABLES}
    settings = _settings(tables["settings"], problems)
    _check_refs(tables, problems)
    if not problems:  # cross-table rules assume every cell parsed
        check_case(tables, settings, problems)
    if problems:
        raise InputError(problems)
    return Case(folder, tables, settings)
