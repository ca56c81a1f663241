"""The terminal summary of a run: what is built where, when, at what cost."""

from __future__ import annotations

import pandas as pd

from planner import metrics
from planner.partners_report import headline_lines


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
        if (nb["partner"].fillna("") != "").any():  # run_spec's tables always hold what the partner report needs
            lines.append("\nwho builds where (MW, overnight capex; share of each period's deficit closed, "
                         "definitions in planner/partners_report.py):")
            lines += headline_lines(tables)
    else:
        lines.append("\nno new capacity built")

    costs = tables["costs"].pivot_table(index="category", columns="period", values="annual_usd", aggfunc="sum")
    lines.append("\nannual cost (million USD/yr):")
    lines.append("  " + "category".ljust(14) + "".join(f"{p:>10}" for p in costs.columns))
    for c, row in costs.iterrows():
        lines.append("  " + str(c).ljust(14) + "".join(f"{v / 1e6:>10,.1f}" for v in row))

    demand, unserved = metrics.series(tables, "demand"), metrics.series(tables, "unserved_energy")
    lines.append("\ndemand and unserved energy:")
    for p in demand.index:
        lines.append(f"  {p}: demand {demand[p] / 1e6:,.2f} TWh, unserved {unserved[p] / 1e6:,.4f} TWh")
    return "\n".join(lines)
