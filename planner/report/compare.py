"""Several runs side by side: headline figures, capacity and generation, with differences.

The first run is the reference: for every other run X the tables carry
``diff_X`` = X - reference and ``rel_X`` = diff_X / |reference| (empty where
the reference is 0).

What is comparable: runs over the same set of zones and the same periods.
Technologies, partners, corridors, timesteps (e.g. a different number of
representative days), settings and scenarios may differ: missing rows count
as 0 and every figure compared is annual or a present value, not per
timestep. Runs with different zones or periods are refused (InputError, exit 2),
because their totals would differ for reasons no difference column shows.
"""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

import pandas as pd

from planner.analysis.deficit import owner
from planner.errors import InputError, Problem
from planner.report.data import StoredRun, load_run
from planner.report.tables import headline
from planner.store import write_csv


def labels(runs: list[StoredRun]) -> list[str]:
    """Run names, or folder names where names repeat, made unique."""
    names = [r.name for r in runs]
    if len(set(names)) < len(names):
        names = [r.folder.name for r in runs]
    out: list[str] = []
    for n in names:
        n2, i = n, 2
        while n2 in out:
            n2, i = f"{n}#{i}", i + 1
        out.append(n2)
    return out


def check_comparable(runs: list[StoredRun], names: list[str]) -> None:
    ref = runs[0]
    problems = []
    for r, n in zip(runs[1:], names[1:]):
        if set(r.zones) != set(ref.zones):
            problems.append(Problem(str(r.folder), f"run {n!r} has zones {sorted(r.zones)} but the reference "
                                    f"{names[0]!r} has {sorted(ref.zones)}; "
                                    "only runs over the same zones can be compared"))
        if r.periods != ref.periods:
            problems.append(Problem(str(r.folder), f"run {n!r} has periods {r.periods} but the reference {names[0]!r} "
                                    f"has {ref.periods}; only runs over the same periods can be compared"))
    if problems:
        raise InputError(problems)


def side_by_side(frames: list[pd.DataFrame], names: list[str], keys: list[str], value: str) -> pd.DataFrame:
    """One column per run (``value_name``), then diff_/rel_ columns against the first run; missing rows are 0."""
    wide = None
    for df, n in zip(frames, names):
        part = df.groupby(keys, as_index=False)[value].sum().rename(columns={value: f"{value}_{n}"})
        wide = part if wide is None else wide.merge(part, on=keys, how="outer")
    cols = [f"{value}_{n}" for n in names]
    wide[cols] = wide[cols].fillna(0.0)
    ref = wide[cols[0]]
    for n, c in zip(names[1:], cols[1:]):
        wide[f"diff_{n}"] = wide[c] - ref
        wide[f"rel_{n}"] = (wide[f"diff_{n}"] / ref.abs()).where(ref.abs() > 1e-9)
    return wide.sort_values(keys).reset_index(drop=True)


def compare_tables(runs: list[StoredRun], names: list[str]) -> dict[str, pd.DataFrame]:
    head = side_by_side([headline(r) for r in runs], names, ["metric", "period", "unit"], "value")
    order = {m: i for i, m in enumerate(headline(runs[0])["metric"].unique())}
    head = head.sort_values(["metric", "period"],
                            key=lambda s: s.map(order).fillna(len(order)) if s.name == "metric" else s)
    cap = [r.tables["capacity"] for r in runs]
    gen = [r.tables["generation"] for r in runs]
    partner_new = [r.tables["new_capacity"].assign(partner=lambda x: x["partner"].map(owner)) for r in runs]
    return {
        "headline": head.reset_index(drop=True),
        "partner_capacity_new": side_by_side(partner_new, names, ["partner", "zone", "period"], "new_mw"),
        "capacity_total": side_by_side(cap, names, ["zone", "technology", "period"], "total_mw"),
        "capacity_new": side_by_side(cap, names, ["zone", "technology", "period"], "new_mw"),
        "generation": side_by_side(gen, names, ["zone", "technology", "period"], "generation_mwh"),
    }


def _num(v: float, unit: str = "") -> str:
    if v != v:
        return "-"
    if unit.startswith("USD") and abs(v) >= 1e6:
        return f"{v / 1e9:,.3f} bn"
    return f"{v:,.1f}" if abs(v) < 1e6 else f"{v / 1e6:,.3f} M"


def terminal(tables: dict[str, pd.DataFrame], names: list[str]) -> str:
    h = tables["headline"]
    w = 14
    # every run's name whole: a column is as wide as its header (a name longer than the figures widens it)
    wv = [max(w, len(n) + 2) for n in names]
    wd = [max(w + 2, len(f"diff {n}") + 2) for n in names]
    lines = [f"comparison against {names[0]!r} (diff = run - reference)", "",
             "metric".ljust(26) + "period".ljust(7) + "unit".ljust(8) + "".join(n.rjust(x) for n, x in zip(names, wv))
             + "".join(f"diff {n}".rjust(wd[i]) + "rel".rjust(8) for i, n in enumerate(names) if i)]
    for r in h.itertuples(index=False):
        d = r._asdict()
        row = str(d["metric"]).ljust(26) + str(d["period"]).ljust(7) + str(d["unit"]).ljust(8)
        row += "".join(_num(d[f"value_{i}"], d["unit"]).rjust(wv[i]) for i in range(len(names)))
        for i in range(1, len(names)):
            rel = d[f"rel_{i}"]
            row += _num(d[f"diff_{i}"], d["unit"]).rjust(wd[i]) + ("-" if rel != rel else f"{rel:+.1%}").rjust(8)
        lines.append(row)
    pc = tables.get("partner_capacity_new")
    if pc is not None and len(pc):
        by = pc.groupby(["partner", "zone"])[[f"new_mw_{n}" for n in names]].sum()
        by = by[(by.abs() > 0.5).any(axis=1)]
        if len(by):
            lines += ["", "new capacity by partner and zone, all periods (MW):",
                      "  " + "partner".ljust(16) + "zone".ljust(18) + "".join(n.rjust(x) for n, x in zip(names, wv))]
            for (k, z), row in by.iterrows():
                lines.append("  " + str(k)[:15].ljust(16) + str(z)[:17].ljust(18)
                             + "".join(f"{v:,.0f}".rjust(x) for v, x in zip(row, wv)))
    cap = tables["capacity_total"]
    for n in names[1:]:
        big = cap.reindex(cap[f"diff_{n}"].abs().sort_values(ascending=False).index).head(8)
        big = big[big[f"diff_{n}"].abs() > 0.5]
        if len(big):
            lines += ["", f"largest capacity differences, {n} - {names[0]} (MW):"]
            lines += [f"  {big.at[i, 'zone']}/{big.at[i, 'technology']} {big.at[i, 'period']}: "
                      f"{big.at[i, f'diff_{n}']:+,.0f}"
                      for i in big.index]
    return "\n".join(lines)


def _positional(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Rename value_<name>/diff_<name>/rel_<name> to positional names for itertuples-safe access."""
    ren = {}
    for i, n in enumerate(names):
        for pre in ("value_", "diff_", "rel_"):
            if f"{pre}{n}" in df.columns:
                ren[f"{pre}{n}"] = f"{pre}{i}"
    return df.rename(columns=ren)


def compare_figures(tables: dict[str, pd.DataFrame], runs: list[StoredRun],
                    names: list[str]) -> list[tuple[str, object]]:
    """(title, figure): partner capacity by zone, capacity by technology, deficit left, cost, side by side."""
    import plotly.graph_objects as go

    from planner.analysis import metrics
    from planner.report import style
    from planner.report.charts import layout
    from planner.report.style import partner_colors, technology_colors

    figs = []
    pc = tables["partner_capacity_new"]
    long = pd.concat([pc[["partner", "zone", f"new_mw_{n}"]].rename(columns={f"new_mw_{n}": "new_mw"}).assign(run=n)
                      for n in names])
    long = long.groupby(["partner", "zone", "run"], as_index=False, sort=False)["new_mw"].sum()
    if long["new_mw"].abs().sum() > 0:
        fig = go.Figure()
        kc = partner_colors(long["partner"].unique())
        for k, g in long.groupby("partner"):
            g = g.set_index(["zone", "run"]).reindex(
                pd.MultiIndex.from_product([sorted(long["zone"].unique()), names]))
            fig.add_bar(x=[g.index.get_level_values(0), g.index.get_level_values(1)], y=g["new_mw"].fillna(0.0),
                        name=k, marker_color=kc[k])
        figs.append(("New capacity by partner and zone, all periods (MW), run by run",
                     layout(fig, "New MW by partner: zone, then run", barmode="stack", yaxis_title="MW", height=460)))
    cap = tables["capacity_total"]
    tech = cap.groupby(["technology", "period"], as_index=False)[[f"total_mw_{n}" for n in names]].sum()
    fig = go.Figure()
    tc = technology_colors(tech["technology"].unique())
    for g, grp in tech.groupby("technology"):
        x0 = [str(p) for p in grp["period"] for _ in names]
        x1 = [n for _ in grp["period"] for n in names]
        y = [float(r[f"total_mw_{n}"]) / 1000 for _, r in grp.iterrows() for n in names]
        fig.add_bar(x=[x0, x1], y=y, name=g, marker_color=tc[g])
    figs.append(("Capacity in service by technology (GW): period, then run",
                 layout(fig, "Capacity by technology (GW)", barmode="stack", yaxis_title="GW", height=440)))
    fig = go.Figure()
    periods = runs[0].periods
    for metric, label, color in (("deficit_existing_fleet", "deficit with the existing fleet", style.BEFORE_COLOR),
                                 ("deficit_after_new_builds", "deficit after new builds", style.AFTER_COLOR)):
        try:
            vals = [metrics.series(r.tables, metric, periods) for r in runs]
        except KeyError:
            break
        fig.add_bar(x=[[str(p) for p in periods for _ in names], [n for _ in periods for n in names]],
                    y=[float(v[p]) for p in periods for v in vals], name=label, marker_color=color)
    if fig.data:
        figs.append(("System deficit (MW, docs/deficit.md): period, then run",
                     layout(fig, "System deficit before and after new builds (MW)", barmode="group",
                            yaxis_title="MW")))
    fig = go.Figure()
    fig.add_bar(x=names, y=[r.meta["objective_usd"] / 1e9 for r in runs], marker_color="#4e79a7",
                text=[f"{r.meta['objective_usd'] / 1e9:,.2f}" for r in runs], textposition="outside", cliponaxis=False)
    figs.append(("Present value of system cost (bn USD)", layout(fig, "Present value of system cost (bn USD)",
                                                                 yaxis_title="bn USD", height=380)))
    return figs


def write_html(path: Path, tables: dict[str, pd.DataFrame], runs: list[StoredRun], names: list[str]) -> None:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    esc = _html.escape
    css = ("body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse;font-size:12px}"
           "th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f4f4f4}"
           "td:first-child{text-align:left}.neg{color:#a33}.pos{color:#262}")
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>planner compare</title>"
             f"<style>{css}</style>"
             f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
             f"<h1>Comparison against {esc(names[0])}</h1><ul>"]
    parts += [f"<li><b>{esc(n)}</b>: {esc(str(r.folder))}, inputs {esc(str(r.meta.get('inputs_sha256', ''))[:12])}, "
              f"scenario {esc(str(r.meta.get('scenario')))}, "
              f"settings overrides {esc(str(r.meta.get('settings_overrides')))}</li>"
              for n, r in zip(names, runs)]
    parts.append("</ul><p>diff = run - reference; rel = diff / |reference|. Units in the column names "
                 "(_mw MW, _mwh MWh/yr) and in the headline's unit column.</p>")
    for i, (title, fig) in enumerate(compare_figures(tables, runs, names)):
        parts.append(f"<h2>{esc(title)}</h2>"
                     + pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"compare-chart-{i}",
                                   config={"displaylogo": False}))
    for name, df in tables.items():
        fmt = {c: (lambda v: "" if v != v else f"{v:+.1%}") for c in df.columns if c.startswith("rel_")}
        fmt.update({c: (lambda v: f"{v:,.1f}") for c in df.select_dtypes("float").columns if c not in fmt})
        parts.append(f"<h2>{esc(name)}</h2>"
                     + df.to_html(index=False, escape=True, na_rep="", formatters=fmt, border=0))
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def safe_name(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.#-]+", "_", s)


def check_out(out: Path, folders: list[Path]) -> None:
    """Refuse (``ResultsError``, exit 2) an output folder that is, contains or is inside a folder compared:
    writing it would replace or change a run the comparison reads."""
    from planner.store import ResultsError

    o = Path(out).resolve()
    problems, seen = [], set()
    for f in folders:
        r = Path(f).resolve()
        if r in seen:
            continue
        seen.add(r)
        how = ("is" if o == r else "is inside" if r in o.parents else "contains" if o in r.parents else None)
        if how:
            problems.append(Problem(str(out), f"{how} {f}, one of the runs being compared; the comparison would "
                                    "replace or change it: choose an --out outside every run compared "
                                    "(or leave --out out for results/compare-<names>/)"))
    if problems:
        raise ResultsError(problems)


def run_compare(folders: list[Path], out: Path | None = None) -> int:
    from planner.store import write_results

    if len(folders) < 2:
        raise InputError([Problem("planner compare", "needs at least two results folders, e.g. "
                                  "`planner compare results/base results/high_demand`")])
    if out is not None:
        check_out(out, folders)  # before the runs are read
    runs = [load_run(f) for f in folders]
    names = labels(runs)
    check_comparable(runs, names)
    tables = compare_tables(runs, names)
    out = out or Path("results") / ("compare-" + "-".join(safe_name(n) for n in names))
    check_out(out, folders)

    def fill(tmp: Path) -> None:
        for k, df in tables.items():
            write_csv(df, tmp / f"{k}.csv")
        write_html(tmp / "compare.html", tables, runs, names)

    folder = write_results(out, fill, "comparison")
    print(terminal({k: _positional(v, names) for k, v in tables.items()}
                   | {"capacity_total": tables["capacity_total"]}, names))
    print(f"\ncomparison written to {folder} (headline.csv, partner_capacity_new.csv, capacity_total.csv, "
          "capacity_new.csv, generation.csv, compare.html)")
    return 0


