"""Cell edits: set one column of the rows a selector picks in any input table, before a run.

    TABLE.csv:COLUMN=VALUE[&COLUMN=VALUE...]:COLUMN           the text form (sweep --vary, then =V1,V2,...)
    partners.csv:partner=TR:wacc                              TR's cost of capital
    partner_commitments.csv:partner=TR&period=2030:quantity   the size of TR's 2030 commitment
    build_options.csv:zone=south&technology=gas_ccgt&partner=TR:capex_usd_per_kw
    technologies.csv:*:fom_usd_per_kw_yr                      every row

In a run specification the same edit is a ``[[cells]]`` table:

    [[cells]]
    table = "partners"
    where = { partner = "TR" }
    column = "wacc"
    value = 0.07

Edits are applied to the loaded case before the scenario switches; the selector's
values and the new value are parsed by the column's schema (type, range, choices),
a selector that matches no row is an error, and the edited case passes the same
checks as one read from disk: duplicate keys, references between tables, settings.csv's
values by their settings' rules (an edit of settings.csv takes effect, under the run
specification's [settings], which wins as it does over the file), cross-table rules.
Everything wrong is an ``InputError`` naming the edit, so a sweep fails before it solves
anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from planner.errors import InputError, Problem, shown
from planner.schema import SETTING, TABLE


@dataclass(frozen=True)
class Cell:
    table: str
    where: tuple[tuple[str, str], ...]  # (column, value as text); empty: every row
    column: str
    value: object

    @property
    def label(self) -> str:
        sel = "-".join(v for _, v in self.where) or "all"
        return f"{self.table}-{sel}-{self.column}={self.value}"

    def as_dict(self) -> dict:
        return {"table": self.table, "where": dict(self.where), "column": self.column, "value": self.value}


def parse_selector(text: str, where: str = "--vary") -> tuple[str, tuple[tuple[str, str], ...], str]:
    """``TABLE.csv:COL=V&COL=V:COLUMN`` -> (table, where, column)."""
    parts = text.split(":")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise InputError([Problem(where, f"{text!r} is not TABLE.csv:COLUMN=VALUE[&COLUMN=VALUE]:COLUMN "
                                  "(e.g. partners.csv:partner=TR:wacc; * selects every row)")])
    table = parts[0][:-4] if parts[0].endswith(".csv") else parts[0]
    sel: list[tuple[str, str]] = []
    if parts[1] not in ("", "*"):
        for cond in parts[1].split("&"):
            col, eq, val = cond.partition("=")
            if not eq or not col:
                raise InputError([Problem(where, f"selector {cond!r} in {text!r} is not COLUMN=VALUE")])
            sel.append((col.strip(), val.strip()))
    return table, tuple(sel), parts[2]


def from_dict(raw: dict, where: str) -> Cell:
    """A ``[[cells]]`` table of a run specification -> Cell (checked by ``check``)."""
    if (
        not isinstance(raw, dict)
        or set(raw) - {"table", "where", "column", "value"}
        or not {"table", "column", "value"} <= set(raw)
    ):
        raise InputError([Problem(where, f"[[cells]] entry {raw!r} needs table, column, value and optionally where = "
                                         f"{{...}}")])
    sel = raw.get("where", {})
    if not isinstance(sel, dict):
        raise InputError([Problem(where, f"[[cells]] where must be a table like {{ partner = \"TR\" }}, not {sel!r}")])
    several = [k for k, v in sel.items() if isinstance(v, (list, dict))]
    if several:
        k = several[0]
        raise InputError([Problem(where, f"[[cells]] where {k} = {shown(repr(sel[k]), 60)} is not one "
                                  f"value; a selector names one value per column, like {{ partner = \"TR\" }} (one "
                                  "[[cells]] entry per row to edit)")])
    table = str(raw["table"])
    table = table[:-4] if table.endswith(".csv") else table
    return Cell(table, tuple((str(k), str(v)) for k, v in sel.items()), str(raw["column"]), raw["value"])


def check(cell: Cell, where: str) -> list[Problem]:
    """Problems with the edit that the schema alone can see (table, columns, the value's type and range).

    settings.csv's value column is text in the schema: an edit of one setting's value is parsed by that
    setting's own rules (SETTINGS), as settings.csv read from disk is.
    """
    from planner.load import _parse

    if cell.table not in TABLE:
        return [Problem(where, f"table {cell.table!r} of cell edit {cell.label!r} is not an input table; tables: "
                        f"{', '.join(TABLE)}")]
    t = TABLE[cell.table]
    names = [c.name for c in t.columns]
    problems = [Problem(where, f"{cell.table}.csv has no column {col!r}; columns: {', '.join(names)}")
                for col in [c for c, _ in cell.where] + [cell.column] if col not in names]
    if problems:
        return problems
    for col, text in cell.where:
        _parse(t.column(col), text, f"{where} ({cell.table}.csv selector)", None, problems)
    if isinstance(cell.value, (list, dict)):  # str() of it would be judged as a number with commas and spaces
        kind = "a list" if isinstance(cell.value, list) else "a table"
        sel = "&".join(f"{c}={v}" for c, v in cell.where) or "*"
        values = ",".join(map(str, cell.value)) if isinstance(cell.value, list) else "V1,V2"
        return problems + [Problem(where, f"cell edit {cell.label!r}: value is {kind}, {shown(repr(cell.value), 60)}; "
                                   f"a cell takes one value, e.g. value = {_example_value(t.column(cell.column))} "
                                   f"(to run several, sweep them: planner sweep MODEL.toml --vary "
                                   f"{cell.table}.csv:{sel}:{cell.column}={values})")]
    _parse(t.column(cell.column), str(cell.value), f"{where} ({cell.table}.csv {cell.column})", None, problems)
    if cell.table == "settings":
        problems += _check_setting(cell, where)
    return problems


def _example_value(col) -> str:
    from planner.load import _example

    if col.dtype in ("int", "float"):
        return _example(col)
    return "true" if col.dtype == "bool" else f'"{col.choices[0] if col.choices else "text"}"'


def _check_setting(cell: Cell, where: str) -> list[Problem]:
    """An edit of settings.csv: the settings it names exist, and a value is valid for its setting."""
    from planner.load import _parse

    named = [v for c, v in cell.where if c == "setting"] + ([str(cell.value)] if cell.column == "setting" else [])
    unknown = [n for n in named if n not in SETTING]
    if unknown:
        return [Problem(where, f"cell edit {cell.label!r}: unknown setting {unknown[0]!r}; known settings: "
                        f"{', '.join(SETTING)}")]
    if cell.column != "value" or not named:
        return []  # every row's value: each is parsed by its own setting once applied (``apply``)
    found: list[Problem] = []
    _parse(SETTING[named[0]], str(cell.value), where, None, found)
    return [Problem(where, f"cell edit {cell.label!r}: settings.csv, setting {named[0]}, column value: {p.message}")
            for p in found]


def apply(tables: dict[str, pd.DataFrame], settings: dict, cells: list[Cell], where: str,
          overrides: dict | None = None, warnings: list[Problem] | None = None,
          at: Callable[[str], int | None] | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """The tables and settings with every edit applied; raises ``InputError`` naming each edit that is wrong.

    The edited case goes through every check a case read from disk does: duplicate keys, references
    between tables, settings.csv parsed again (so an edit of it takes effect, under the run
    specification's [settings] ``overrides``, which win as they do over the file) and the cross-table
    rules. A problem is reported against the run specification, naming the edit(s) and the file, line
    and column of the edited case that is wrong, at the line of the edit's ``[[cells]]`` table when ``at`` gives
    it (``at("cells[0]")``: planner/spec.py ``spec_lines``). The edited case's warnings are appended to ``warnings``.
    """
    from planner.checks import check_case
    from planner.load import _parse, check_keys, check_refs, parse_settings

    overrides = overrides or {}
    problems: list[Problem] = []
    out = {k: v.copy(deep=False) for k, v in tables.items()}  # the checks mark rows in attrs: not the caller's
    touched: list[tuple[Cell, str, set[int], int | None]] = []  # (edit, file, lines it set, its [[cells]] line)
    for i, cell in enumerate(cells):
        line = at(f"cells[{i}]") if at else None
        found = check(cell, where)
        if found:
            problems += [p if p.line is not None else replace(p, line=line) for p in found]
            continue
        t = TABLE[cell.table]
        df = out[cell.table].copy()
        mask = pd.Series(True, index=df.index)
        for col, text in cell.where:
            mask &= df[col] == _parse(t.column(col), text, where, None, [])
        if not mask.any():
            problems.append(Problem(where, f"cell edit {cell.label!r}: no row of {cell.table}.csv has "
                                    f"{' and '.join(f'{c} = {v}' for c, v in cell.where)}", line))
            continue
        value = _parse(t.column(cell.column), str(cell.value), where, None, [])
        df[cell.column] = df[cell.column].astype(object) if t.column(cell.column).dtype == "str" else df[cell.column]
        df.loc[mask, cell.column] = value
        out[cell.table] = df
        touched.append((cell, t.file, {int(ln) for ln in df.index[mask]}, line))
        if cell.table == "settings":
            both = sorted(set(df.loc[mask, "setting"]) & set(overrides))
            if both:
                problems.append(Problem(where, f"cell edit {cell.label!r} sets {', '.join(both)} in settings.csv, "
                                        "but the run specification's [settings] sets it too, and [settings] wins "
                                        "over settings.csv: set it in one place (a sweep varies [settings] with "
                                        f"--vary settings.{both[0]}=V1,V2)", line))
    if problems:
        raise InputError(problems)
    found: list[Problem] = []
    for name in dict.fromkeys(c.table for c, *_ in touched):
        out[name].attrs["bad_lines"] = check_keys(out[name], TABLE[name], found)
    if "settings" in out and any(c.table == "settings" for c, *_ in touched):
        settings = {**parse_settings(out["settings"], found), **overrides}
    check_refs(out, found)
    check_case(out, settings, found, warnings)
    for p in found:
        blamed = [(c, at_line) for c, file, lines, at_line in touched if file == p.file and p.line in lines] or \
                 [(c, at_line) for c, _, _, at_line in touched]
        edits = ", ".join(repr(c.label) for c, _ in blamed)
        problems.append(Problem(where, f"cell edit{'s' if len(blamed) > 1 else ''} {edits} make"
                                f"{'' if len(blamed) > 1 else 's'} the case wrong: {p}", blamed[0][1]))
    if problems:
        raise InputError(problems)
    for df in out.values():
        df.attrs.pop("bad_lines", None)
    return out, settings
