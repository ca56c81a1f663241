"""Key assumptions of a run, each with its source as the case documents it.

Values come from the run's input snapshot (results/<run>/inputs/); sources
from the case's SOURCES.md, copied beside the snapshot by ``planner run``.
SOURCES.md has one section per file (``## `file.csv` ``) and one table row per
column (``| `column` | text |``); the text labels each figure SOURCED, DERIVED
or ASSUMPTION. For a row about one item (a technology, a partner, a fuel) the
clause naming that item is quoted where the text lists items one by one
(separated by ';' or sentences); the label is the first of SOURCED / DERIVED /
ASSUMPTION in that clause, else the label the cell opens with (one for the
whole list), else none ("see the source text"): a label is never borrowed from
another item's clause. Nothing is guessed: a figure with no
row in SOURCES.md says "not documented in the case".
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from planner.core.economics import mwh
from planner.report.data import StoredRun

LABELS = ("SOURCED", "DERIVED", "ASSUMPTION")


def parse_sources(text: str) -> dict[tuple[str, str], str]:
    """(file, column) -> the source cell of SOURCES.md."""
    out: dict[tuple[str, str], str] = {}
    file = None
    for line in text.splitlines():
        m = re.match(r"^##\s+`([^`]+)`", line)
        if m:
            file = m.group(1)
            continue
        m = re.match(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if m and file:
            out[(file, m.group(1))] = m.group(2).strip()
    return out


def _clauses(text: str) -> list[str]:
    """Split at ';' and at sentence ends ('. ' before a capital or a digit) outside parentheses."""
    parts, depth, cur = [], 0, []
    for i, ch in enumerate(text):
        depth += ch in "(["
        depth -= ch in ")]"
        nxt = text[i + 1:i + 3]
        end = ch == ";" or (ch == "." and len(nxt) == 2 and nxt[0] == " "
                            and (nxt[1].isupper() or nxt[1] == "`" or re.match(r" [a-z_]+ = ", text[i + 1:])))
        if end and depth <= 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def _label(text: str) -> str:
    hits = [(text.find(x), x) for x in LABELS if x in text]
    return min(hits)[1].lower() if hits else ""


def source_of(sources: dict[tuple[str, str], str], file: str, column: str, item: str | None = None) -> tuple[str, str]:
    """(label, text) for one figure: label sourced/derived/assumption/'' and the quoted source text."""
    cell = sources.get((file, column))
    if cell is None:
        return "not documented in the case", ""
    text, narrowed = cell, False
    if item:
        pat = re.compile(rf"(^|[\s(,]){re.escape(item)}\b")
        hit = [c for c in _clauses(cell) if pat.search(c)]
        if hit:
            text, narrowed = hit[0], True
    kinds = sorted({x for x in LABELS if x in cell}, key=cell.find)
    if not narrowed:  # the whole cell speaks for the figure: every kind of label it uses
        label = " / ".join(k.lower() for k in kinds) or "see the source text"
    else:  # a clause without its own label takes the cell's only when the cell opens with it (a label for the list)
        lead = next((x.lower() for x in LABELS if cell.lstrip().startswith(x)), "")
        label = _label(text) or lead or "see the source text"
    text = re.sub(r"\s*\[`[^\]]*`\]\s*$", "", text)  # the build script's constant names
    return label, (text if len(text) <= 260 else text[:257] + "…")


def _read_sources(run: StoredRun) -> dict[tuple[str, str], str]:
    p = Path(run.folder) / "inputs" / "SOURCES.md"
    return parse_sources(p.read_text(encoding="utf-8")) if p.is_file() else {}


def key_assumptions(run: StoredRun) -> pd.DataFrame | None:
    """WACC by partner, capex by technology, fuel and CO2 prices, demand growth by region: value, unit, source."""
    inp = run.inputs
    if not run.has_inputs("partners", "technologies"):
        return None
    src = _read_sources(run)
    rows: list[tuple] = []

    def add(group, item, value, unit, file, column, key=None):
        label, text = source_of(src, file, column, key if key is not None else item)
        rows.append((group, item, value, unit, label, text))

    for r in inp["partners"].itertuples():
        add("cost of capital (WACC) by partner", r.partner, float(r.wacc), "fraction/yr", "partners.csv", "wacc")
    if "settings" in inp:
        st = dict(zip(inp["settings"]["setting"], inp["settings"]["value"]))
        dr = (run.meta.get("settings_overrides") or {}).get("discount_rate",
                                                            run.meta.get("discount_rate", st.get("discount_rate")))
        if dr is not None:
            add("discount rate of the system cost", "discount_rate", float(dr), "fraction/yr", "settings.csv", "value",
                "discount_rate")
    built = set(run.tables["new_capacity"]["technology"])
    t = inp["technologies"]
    for r in t.itertuples():
        if r.technology in built and float(r.capex_usd_per_kw) > 0:
            add("overnight capex by technology (build options may override)", r.technology, float(r.capex_usd_per_kw),
                "USD/kW", "technologies.csv", "capex_usd_per_kw")
    if "fuels" in inp:
        for r in inp["fuels"].itertuples():
            add("fuel price", r.fuel, float(r.price_usd_per_mwh_th), "USD/MWh_th", "fuels.csv", "price_usd_per_mwh_th")
    if "periods" in inp:
        per = inp["periods"]
        for r in per[per["period"].astype(int).isin(run.periods)].itertuples():
            add("CO2 price", str(int(r.period)), float(r.co2_price_usd_per_t), "USD/t", "periods.csv",
                "co2_price_usd_per_t", "")
    # demand by region per period (from the stored demand) and its growth per year between periods
    pr = run.tables["prices"]
    reg = dict(zip(inp["zones"]["zone"], inp["zones"]["region"].fillna("").astype(str))) if "zones" in inp else {}
    by = [pr["zone"].map(lambda z: reg.get(z) or z), pr["period"]]
    e = mwh(pr["demand_mw"], pr["weight"]).groupby(by).sum() / 1e6
    periods = run.periods
    for region in sorted(e.index.get_level_values(0).unique()):
        for p in periods:
            add("demand by region", f"{region} {p}", float(e.get((region, p), 0.0)), "TWh/yr", "demand_growth.csv",
                "multiplier", "")
        for a, b in zip(periods, periods[1:]):
            va, vb = e.get((region, a), 0.0), e.get((region, b), 0.0)
            if va > 0 and vb > 0:
                add("demand growth by region", f"{region} {a}→{b}", (vb / va) ** (1 / (b - a)) - 1, "fraction/yr",
                    "demand_growth.csv", "multiplier", "")
    return pd.DataFrame(rows, columns=["assumption", "item", "value", "unit", "label", "source"])
