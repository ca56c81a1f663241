"""The terminal summary of a run: what is built where, when, at what cost."""

from __future__ import annotations

import pandas as pd

from planner.partners_report import NEEDED, headline_lines


def _fmt_mw(x: float) -> str:
    return f"{x:,.0f}"


def summarise(tables: dict[str, pd.DataFrame], meta: dict) -> str:
    lines = [f"run {meta['name']}: {meta['status']}, present value of system cost "
             f"{meta['objective_usd'] / 1e9:,.3f} bn USD (base year {meta['base_year']})"]
    t = meta["timings_s"]
    lines.append("timings: " + ", ".join(f"{k[:-2]} {v:.1f}s" for k, v in t.items()) +
                 f"; LP {meta['size']['columns']:,} columns x {meta['size']['rows']:,} rows")

    nb = tables["new_capacity"]
    nb = nb[nb["new_mw"] > 1e-3]
    if len(nb):
        lines.append("\nnew capacity (MW) by period, zone and technology:")
        piv = nb.groupby(["period", "zone", "technology"], as_index=False)["new_mw"].sum()
        for p, grp in piv.groupby("period"):
            parts = [f"{r.zone}/{r.technology} {_fmt_mw(r.new_mw)}" for r in grp.sort_values("new_mw", ascending=False).itertuples()]
            lines.append(f"  {p}: total {_fmt_mw(grp['new_mw'].sum())} — " + ", ".join(parts))
        attributed = nb[nb["partner"].fillna("") != ""]
        if len(attributed) and all(n in tables for n in NEEDED):
            lines.append("\nwho builds where (MW, overnight capex; share of each period's deficit closed, "
                         "definitions in planner/partners_report.py):")
            lines += headline_lines(tables)
        elif len(attributed):
            lines.append("new capacity (MW) by partner:")
            for k, grp in attributed.groupby("partner"):
                where = grp.groupby("zone")["new_mw"].sum().sort_values(ascending=False)
                lines.append(f"  {k}: {_fmt_mw(grp['new_mw'].sum())} — " + ", ".join(f"{z} {_fmt_mw(v)}" for z, v in where.items()))
    else:
        lines.append("\nno new capacity built")

    costs = tables["costs"].pivot_table(index="category", columns="period", values="annual_usd", aggfunc="sum")
    lines.append("\nannual cost (million USD/yr):")
    lines.append("  " + "category".ljust(14) + "".join(f"{p:>10}" for p in costs.columns))
    for c, row in costs.iterrows():
        lines.append("  " + str(c).ljust(14) + "".join(f"{v / 1e6:>10,.1f}" for v in row))

    pr = tables["prices"]
    pr = pr.assign(demand_mwh=pr.demand_mw * pr.weight, unserved_mwh=pr.unserved_mw * pr.weight)
    agg = pr.groupby("period")[["demand_mwh", "unserved_mwh"]].sum()
    lines.append("\ndemand and unserved energy:")
    for p, r in agg.iterrows():
        lines.append(f"  {p}: demand {r.demand_mwh / 1e6:,.2f} TWh, unserved {r.unserved_mwh / 1e6:,.4f} TWh")
    return "\n".join(lines)
