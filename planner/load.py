"""Stage 1: read a case folder, check every cell against the schema, fill defaults.

Every problem found is collected and raised together as one ``InputError``
before any model is built. Lines are counted as in the file (header = line 1), by its newlines as a text
editor, grep and git count them: a carriage return alone inside a file of newline-ended lines is refused.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem, cell, shown
from planner.schema import SETTING, SETTINGS, TABLE, TABLES, Column, Table

_INF_WORDS = {"inf", "infinity"}  # how "no limit" is written; a number too large for a float is out of range
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no"}


@dataclass
class Case:
    """A loaded, validated case: one DataFrame per table (absent optional tables empty)."""

    path: Path
    tables: dict[str, pd.DataFrame]
    settings: dict[str, object]
    warnings: list[Problem] = field(default_factory=list)  # valid but probably not what was meant

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
        elif not text.isascii() or "_" in text:  # Python's float() takes 9_000 and non-ASCII digits;
            raise ValueError                   # spreadsheets and other CSV readers do not: not a number here
        elif col.dtype == "int":
            f = float(text)
            if math.isinf(f) and text.lower().lstrip("+-") not in _INF_WORDS:
                problems.append(Problem(file, f"{shown(text)} is out of range (too large for a number); expected "
                                        f"{col.valid_text()}", line, col.name))
                return None
            if not f.is_integer():
                raise ValueError
            value = int(f)
        else:
            value = float(text)
            if math.isinf(value) and text.lower().lstrip("+-") not in _INF_WORDS:  # 1e400: too large for a float
                problems.append(Problem(file, f"{shown(text)} is out of range (too large for a number: it would "
                                        f"be read as infinity); expected {col.valid_text()}", line, col.name))
                return None
            if col.unlimited and value == math.inf:
                return None  # "inf" is "no limit", like an empty cell
            if not math.isfinite(value):
                raise ValueError
    except ValueError:
        hint = (_how_to_write(col, text)
                if col.dtype in ("int", "float") and re.search(r"\d", text) and re.search(r"[_, ]|[^\x00-\x7f]", text)
                else "")
        problems.append(Problem(file, f"{cell(text)} is not valid; expected {col.valid_text()}{hint}", line,
                                col.name))
        return None
    if col.choices and value not in col.choices:
        problems.append(Problem(file, f"{cell(text)} is not valid; expected {col.valid_text()}", line, col.name))
        return None
    if col.dtype in ("int", "float"):
        low_bad = col.min is not None and (value <= col.min if col.min_exclusive else value < col.min)
        high_bad = col.max is not None and value > col.max
        if low_bad or high_bad:
            problems.append(Problem(file, f"{shown(text)} is out of range; expected {col.valid_text()}",
                                    line, col.name))
            return None
    return value


def _in_range(col: Column, x: float) -> bool:
    if col.dtype == "int" and not float(x).is_integer():
        return False
    low_ok = col.min is None or (x > col.min if col.min_exclusive else x >= col.min)
    return low_ok and (col.max is None or x <= col.max)


def _example(col: Column) -> str:
    """A valid value of a numeric column, for a hint: its default, else a round number inside its range."""
    from planner.schema import _num

    candidates = ([2030] if col.unit == "year" else []) + \
        ([col.default] if isinstance(col.default, (int, float)) and not isinstance(col.default, bool) and col.default
         else []) + [9000, 500, 40, 5, 0.25, 0.05]
    return next((_num(x) for x in candidates if _in_range(col, x)), _num(col.min if col.min is not None else 0))


def _how_to_write(col: Column, text: str) -> str:
    """The hint for a number written with _, spaces, commas or non-ASCII digits: how to write it in this column.

    A comma followed by other than three digits (0,09) reads as a decimal comma: its decimal-point form is the
    example when that is valid. 9,000 may be either: the column's own example is given."""
    if col.dtype == "int":
        return f", written with the digits 0-9 only (no _, spaces or thousands separators), e.g. {_example(col)}"
    example = _example(col)
    if re.fullmatch(r"[+-]?\d*,\d+", text) and not re.fullmatch(r"[+-]?\d{1,3},\d{3}", text):
        as_point = text.replace(",", ".")
        if _in_range(col, float(as_point)):
            example = as_point
    return (f", written with the digits 0-9 and a decimal point . (no _, spaces or thousands separators; a decimal "
            f"comma is not read), e.g. {example}")


def _parse_column(col: Column, raw: pd.Series, file: str, problems: list[Problem], lines: np.ndarray) -> list:
    """Parse a whole column at once; cells that look wrong go through ``_parse`` for their message.

    Same result as calling ``_parse`` on every cell, but vectorised for the
    large profile tables (hundreds of thousands of rows).
    """
    text = raw.astype(str).str.strip()
    empty = (text == "").to_numpy()
    suspect = empty.copy() if col.required else np.zeros(len(text), dtype=bool)
    if col.dtype in ("int", "float"):
        num = pd.to_numeric(text.where(~empty), errors="coerce").to_numpy(dtype=float)
        if col.unlimited:  # "inf" means no limit, as an empty cell does; 1e400 (read as inf) does not
            literal = text.str.lower().str.lstrip("+-").isin(_INF_WORDS).to_numpy()
            empty = empty | ((num == np.inf) & literal)
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
        values[i] = _parse(col, raw.iloc[i], file, int(lines[i]), problems)
    return values


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_NAMES = {"\x00": "NUL", "\x7f": "DEL", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "ESC"}
_MAX_PER_FILE = 20  # problems of one kind listed per file before "... and N more"


def _empty(names: list[str], broken: bool = True) -> pd.DataFrame:
    df = pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    if broken:
        df.attrs["broken"] = True
    return df


_SPECIAL = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
            stat.S_IFSOCK: "a socket"}


def _read_text(path: Path, file: str, problems: list[Problem]) -> str | None:
    """The file as text, or None with a problem naming why it cannot be read (folder, permissions, loop, bytes)."""
    if path.is_symlink() and not path.exists():
        try:
            os.stat(path)
            why = "is a symbolic link whose target does not exist"
        except OSError as exc:
            why = ("is a symbolic link loop (it leads back to itself)" if exc.errno == errno.ELOOP
                   else f"is a symbolic link whose target cannot be reached ({exc.strerror})")
        problems.append(Problem(file, f"{why}; replace it with the CSV file itself"))
        return None
    if path.is_dir():
        problems.append(Problem(file, "is a folder, not a CSV file; put the table's CSV file here"))
        return None
    try:
        mode = os.stat(path).st_mode  # through a symbolic link: what it leads to
    except OSError as exc:
        problems.append(Problem(file, f"cannot be read ({exc.strerror or exc}); check the file's permissions"))
        return None
    if not stat.S_ISREG(mode):  # a FIFO or a device would block the read, or never end
        what = _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")
        via = " (through a symbolic link)" if path.is_symlink() else ""
        problems.append(Problem(file, f"is {what}{via}, not a regular file; put the table's CSV file here"))
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(file, f"cannot be read ({exc.strerror or exc}); check the file's permissions"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(file, f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at character {col} of the line "
                                "cannot be decoded; save the file as UTF-8", line))
        return None
    if not text.strip():
        problems.append(Problem(file, "is empty; it needs at least a header line naming its columns"))
        return None
    return text


def _record_lines(text: str, n: int) -> np.ndarray:
    """Physical line (header = 1) on which each of the ``n`` data records starts.

    Record i is on line i + 2 unless the file has blank lines (skipped by the
    reader) or quoted cells spanning lines; then the lines are counted.
    """
    plain = np.arange(2, n + 2)
    if '"' not in text and not _BLANK_LINE.search(text):
        return plain
    starts = []
    reader = csv.reader(io.StringIO(text, newline=""))
    ended = 0
    for row in reader:
        first = ended + 1
        ended = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        starts.append(first)
    starts = starts[1:]  # the header
    return np.asarray(starts) if len(starts) == n else plain


_BLANK_LINE = re.compile(r"\n[ \t\r]*\n|^[ \t\r]*\n")  # a blank line (pandas skips it; the line count must not)
csv.field_size_limit(2**31 - 1)  # a 1 MB cell is an error to report, not a reason to crash


def _control_cells(text: str, file: str, header: list[str], problems: list[Problem]) -> set[int]:
    """Report control characters (NUL and the like) inside cells; return the lines they are on."""
    bad: set[int] = set()
    found = list(_CONTROL.finditer(text))
    for k, m in enumerate(found):
        pos = m.start()
        line = text.count("\n", 0, pos) + 1
        line_start = text.rfind("\n", 0, pos) + 1
        before = next(csv.reader([text[line_start:pos] + "x"]))  # the fields up to and including this one
        col = header[len(before) - 1] if line > 1 and len(before) <= len(header) else None
        bad.add(line)
        if k < _MAX_PER_FILE:
            ch = m.group()
            name = _CONTROL_NAMES.get(ch, f"control character 0x{ord(ch):02x}")
            problems.append(Problem(file, f"contains a {name} byte inside a cell; cells are plain text: remove it "
                                    "(the file may be damaged or saved in a binary format)", line, col))
    if len(found) > _MAX_PER_FILE:
        problems.append(Problem(file, f"... and {len(found) - _MAX_PER_FILE} more control characters"))
    return bad


def _records_on(bad: set[int], starts: np.ndarray) -> set[int]:
    """The records (by their first line) that the physical lines ``bad`` belong to."""
    if not len(starts):
        return set()
    return {int(starts[i]) for i in np.searchsorted(starts, sorted(bad), side="right") - 1 if i >= 0}


def _header(text: str) -> list[str]:
    for row in csv.reader(io.StringIO(text, newline="")):
        if row and not (len(row) == 1 and not row[0].strip()):
            return [c.strip() for c in row]
    return []


def _ragged_rows(text: str, file: str, width: int, problems: list[Problem]) -> bool:
    """Report every data row whose number of cells is not the header's; True when there is one.

    A row with a cell too many (often a trailing comma) or too few would shift
    or blank cells silently; it is named by its line instead. Counted by commas
    when the file has no quotes (fast, for the large profile tables), else by
    the csv module (quoted cells may hold commas and line breaks).
    """
    opened = None
    if '"' not in text and "\r" not in text.replace("\r\n", ""):
        rows = ((i, line.count(",") + 1, line) for i, line in enumerate(text.split("\n"), start=1))
        rows = ((i, n, line) for i, n, line in rows if line.strip())
    else:
        records, opened = _records(text)
        if opened is not None:  # the last record ran to the end of the file inside a quoted cell
            problems.append(Problem(file, f"a quote opened on line {opened} is never closed: the rest of the file was "
                                    "read as one cell; close the quoted cell with a second \" (a \" inside a quoted "
                                    "cell is written \"\"), or remove the quote", opened))
        rows = ((i, n, line) for i, n, line in records if n and line.strip())
    next(rows, None)  # the header
    bad = [(i, n) for i, n, _ in rows if n != width]  # (line, cells)
    for i, n in bad[:_MAX_PER_FILE]:
        fix = ("remove the extra cells (a comma at the end of the line makes one)" if n > width
               else "give every column a cell (an empty one as nothing between two commas)")
        problems.append(Problem(file, f"has {n} cells, the header has {width}; {fix}", i))
    if len(bad) > _MAX_PER_FILE:
        problems.append(Problem(file, f"... and {len(bad) - _MAX_PER_FILE} more lines whose number of cells is not "
                                f"the header's {width}"))
    return bool(bad) or opened is not None


def _records(text: str) -> tuple[list[tuple[int, int, str]], int | None]:
    """The csv module's records as (first line, cells, text), and the first line of a record in which a quoted
    cell is never closed (None when every quote closes): the csv module in strict mode stops there with
    "unexpected end of data", where the lenient reader would read the rest of the file as one cell."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    records, ended = [], 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return records, None
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                return records, ended + 1
            break  # another strictness complaint (a character after a closing quote): read leniently below
        records.append((ended + 1, len(row), ",".join(row)))
        ended = reader.line_num
    lenient = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    records, ended = [], 0
    for row in lenient:
        records.append((ended + 1, len(row), ",".join(row)))
        ended = lenient.line_num
    return records, None


def _lone_carriage_returns(text: str, file: str, problems: list[Problem]) -> bool:
    """Report a carriage return alone inside a file of newline-ended lines; True when there is one.

    CSV readers end a row at it, so the row is cut in two, and every later record would be counted a line
    further than a text editor, grep or git show (they count newlines). A file of carriage-return-only line
    endings (old Mac spreadsheets) is read as it is."""
    if "\n" not in text:
        return False
    found = [m.start() for m in re.finditer(r"\r(?!\n)", text)]
    for pos in found[:_MAX_PER_FILE]:
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        problems.append(Problem(file, f"has a carriage return (\\r) alone at character {col} of the line, which CSV "
                                "readers take as the end of a row (the row is cut in two); remove it, or save the "
                                "file with one kind of line ending", line))
    if len(found) > _MAX_PER_FILE:
        problems.append(Problem(file, f"... and {len(found) - _MAX_PER_FILE} more lone carriage returns"))
    return bool(found)


def read_table(folder: Path, table: Table, problems: list[Problem]) -> pd.DataFrame:
    """Read and type one table; absent optional tables come back empty with their columns.

    A table that cannot be read at all comes back empty and marked
    ``attrs["broken"]``: references into it and rules that need it are held
    back, so one bad file gives one message, not hundreds. Lines whose cells did
    not parse are listed in ``attrs["bad_lines"]``. The index is the physical
    line of each record (header = 1).
    """
    path = folder / table.file
    file = table.file
    names = [c.name for c in table.columns]
    if not (path.exists() or path.is_symlink()):
        if table.required:
            problems.append(Problem(file, f"file is missing from {folder}; it is required ({table.meaning})"))
            return _empty(names)
        return _empty(names, broken=False)
    text = _read_text(path, file, problems)
    if text is None:
        return _empty(names)
    clean = _CONTROL.sub("", text) if _CONTROL.search(text) else text
    header = _header(clean)
    control_lines = _control_cells(text, file, header, problems) if clean is not text else set()
    n_before = len(problems)
    seen: dict[str, int] = {}
    for i, c in enumerate(header, start=1):
        if c in seen:
            problems.append(Problem(file, f"column {shown(c, 60)!r} is named twice in the header "
                                    f"(columns {seen[c]} and {i}); give each column once", 1, c))
        seen.setdefault(c, i)
    for c in seen:
        if c not in names:
            problems.append(Problem(file, f"unknown column; columns of this table are: {', '.join(names)}", 1, c))
    for col in table.columns:
        if col.required and col.name not in seen:
            problems.append(Problem(file, f"required column is missing ({col.meaning})", 1, col.name))
    if len(problems) > n_before:
        return _empty(names)
    if _lone_carriage_returns(clean, file, problems) or _ragged_rows(clean, file, len(header), problems):
        return _empty(names)
    try:  # index_col=False: a row's first cell is never taken as the index, whatever the row's length
        raw = pd.read_csv(io.StringIO(clean), dtype=str, keep_default_na=False, skipinitialspace=True,
                          index_col=False)
    except pd.errors.ParserError as exc:
        problems.append(Problem(file, f"cannot be read as CSV: {shown(str(exc).strip(), 300)}"))
        return _empty(names)
    raw.columns = [str(c).strip() for c in raw.columns]
    lines = _record_lines(clean, len(raw))
    bad_lines = _records_on(control_lines, lines)

    out: dict[str, list] = {}
    for col in table.columns:
        if col.name in raw.columns:
            n = len(problems)
            out[col.name] = _parse_column(col, raw[col.name], file, problems, lines)
            bad_lines |= {p.line for p in problems[n:] if p.line is not None}
        else:
            out[col.name] = [col.default] * len(raw)
    df = pd.DataFrame(out, columns=names)
    df.index = pd.Index(lines, name="line")
    for col in table.columns:  # numeric columns as numbers, empty optional as NaN
        if col.dtype == "float":
            df[col.name] = pd.to_numeric(df[col.name], errors="coerce").astype(float)
        elif col.dtype == "str":  # empty text is "" (never NaN), so lookups and tests stay plain
            df[col.name] = pd.Series([(v if isinstance(v, str) else "") for v in df[col.name]],
                                     index=df.index, dtype=object)
    bad_lines |= check_keys(df, table, problems)
    df.attrs["bad_lines"] = bad_lines
    return df


def check_keys(df: pd.DataFrame, table: Table, problems: list[Problem]) -> set[int]:
    """Report every row whose key repeats an earlier row's; return their lines."""
    key = table.key
    if not key or not len(df):
        return set()
    dup = df[df.duplicated(key, keep="first")]
    for ln, row in dup.head(_MAX_PER_FILE).iterrows():
        desc = ", ".join(f"{k}={shown(row[k], 40)}" for k in key)
        problems.append(Problem(table.file, f"duplicate key ({desc}); each key may appear once", int(ln)))
    if len(dup) > _MAX_PER_FILE:
        problems.append(Problem(table.file, f"... and {len(dup) - _MAX_PER_FILE:,} more rows whose key repeats an "
                                "earlier row's (is the table pasted twice?)"))
    return {int(ln) for ln in dup.index}


def parse_settings(df: pd.DataFrame, problems: list[Problem]) -> dict[str, object]:
    """settings.csv's rows -> {setting: value}, each value parsed by its setting's rules."""
    file = "settings.csv"
    values: dict[str, object] = {}
    for ln, row in df.iterrows():
        name = row["setting"]
        if name is None or int(ln) in (df.attrs.get("bad_lines") or ()):
            continue
        if name not in SETTING:
            problems.append(Problem(file, f"unknown setting {cell(name)}; known settings: {', '.join(SETTING)}",
                                    int(ln), "setting"))
            continue
        found: list[Problem] = []
        values[name] = _parse(SETTING[name], str(row["value"] or ""), file, int(ln), found)
        problems += [Problem(p.file, f"setting {name}: {p.message}", p.line, "value") for p in found]
    for col in SETTINGS:
        if col.name not in values:
            if col.required and not df.attrs.get("broken"):
                problems.append(Problem(file, f"setting {col.name!r} is missing; "
                                        f"add a row '{col.name},<{col.valid_text()}>'"))
            values[col.name] = col.default
    return values


def check_refs(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    """Every id that names a row of another table names one that exists; rows that do not are marked bad."""
    empty: dict[tuple[str, str], list[str]] = {}
    for table in TABLES:
        df = tables[table.name]
        for col in table.columns:
            if not col.ref or not len(df):
                continue
            ref_table, ref_col = col.ref.split(".")
            if tables[ref_table].attrs.get("broken"):
                continue  # the unreadable table is the message; its references are held back
            ref_df = tables[ref_table]
            known = set(ref_df[ref_col].dropna())
            vals = df[col.name]
            given = vals.notna() & (vals != "")
            unknown = vals[given & ~vals.isin(known)]
            if len(unknown) and not known:  # one message for the empty table, not one per row that names it
                empty.setdefault((ref_table, ref_col), []).append(f"{table.file} ({len(unknown)} rows)")
                df.attrs["bad_lines"] = set(df.attrs.get("bad_lines") or ()) | {int(ln) for ln in unknown.index}
                continue
            shown_known = ", ".join(shown(k, 40) for k in sorted(map(str, known))[:12])
            for k, (ln, v) in enumerate(unknown.items()):
                if k == _MAX_PER_FILE:
                    problems.append(Problem(table.file, f"... and {len(unknown) - k} more unknown {ref_col} values",
                                            None, col.name))
                    break
                problems.append(Problem(table.file, f"{cell(str(v))} is not a known {ref_col} of {ref_table}.csv; "
                                        f"known: {shown_known}", int(ln), col.name))
            if len(unknown):
                df.attrs["bad_lines"] = set(df.attrs.get("bad_lines") or ()) | {int(ln) for ln in unknown.index}
    for (ref_table, ref_col), users in empty.items():
        problems.append(Problem(f"{ref_table}.csv", f"has no rows (or is missing), "
                                f"yet {', '.join(dict.fromkeys(users))} name {ref_col}s; "
                                f"give every {ref_col} in {ref_table}.csv"))


def load_case(folder: str | Path) -> Case:
    """Read and validate a case folder; raise ``InputError`` listing every problem.

    Cell errors, reference errors and cross-table rules are reported in one
    pass; the rules run on the rows whose cells parsed. Warnings (valid but
    probably unintended input) are kept on ``Case.warnings``.
    """
    from planner.checks import check_case  # cross-table rules

    folder = Path(folder)
    if folder.is_file():
        what = "a run specification (TOML)" if folder.suffix.lower() == ".toml" else "a file"
        raise InputError([Problem(str(folder), f"is {what}, not a case folder; a case is a folder of CSV tables, "
                                  "e.g. inputs/example (a run specification names its case with inputs = ...)")])
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "case folder does not exist")])
    problems: list[Problem] = []
    try:
        listing = sorted(p.name for p in folder.glob("*.csv"))
    except OSError as exc:
        raise InputError([Problem(str(folder), f"case folder cannot be read ({exc.strerror or exc})")]) from None
    for extra in listing:
        if extra[:-4] not in TABLE:
            problems.append(Problem(extra, f"unknown table; tables are: {', '.join(t.file for t in TABLES)}"))
    tables = {t.name: read_table(folder, t, problems) for t in TABLES}
    settings = parse_settings(tables["settings"], problems)
    check_refs(tables, problems)
    warnings: list[Problem] = []
    check_case(tables, settings, problems, warnings)
    if problems:
        raise InputError(problems)
    for df in tables.values():
        df.attrs.pop("bad_lines", None)
    return Case(folder, tables, settings, warnings)
