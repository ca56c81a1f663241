"""The terminal summary of a run, saved as summary.txt: the answer first.

Order: the deficit per period (planner/analysis/deficit.py), who builds what and where
(per partner: MW, technologies, zones, capex, share of the deficit closed), each
with the lines of planner/explanations.py that apply beside it,
then the cost, then what else was built, demand and unserved energy, timings.
"""

from __future__ import annotations

import pandas as pd

from planner.analysis import metrics
from planner.analysis.partners import NEEDED, headline_lines, report
from planner.core.names import owner
from planner.explanations import notes


def _fmt_mw(x: float) -> str:
    return f"{x:,.0f}"


def summary_text(tables: dict[str, pd.DataFrame], meta: dict) -> str:
    lines = [f"run {meta['name']}: {meta['status']}"]
    nb = tables["new_capacity"]
    nb = nb[nb["new_mw"] > 1e-3]
    if all(n in tables for n in NEEDED):
        rep = report(tables)  # once: the headline and the notes both read it
        head = headline_lines(tables, rep)
        why = notes(tables, meta, rep)
        # each note under the figure it explains: the deficit lines, then the owners' shares closed
        split = next((i for i, line in enumerate(head) if line.startswith("\nwho builds")), len(head))
        deficit_notes = [f"  note: {why[k]}" for k in ("existing_fleet", "after_new_builds") if k in why]
        share_notes = [f"  note: {why['closed_without_builds']}"] if "closed_without_builds" in why else []
        lines += [""] + head[:split] + deficit_notes + head[split:] + share_notes
    elif len(nb):
        lines.append("\nnew capacity (MW) by partner:")
        for k, grp in nb.assign(partner=nb["partner"].fillna("")).groupby("partner"):
            where = grp.groupby("zone")["new_mw"].sum().sort_values(ascending=False)
            lines.append(f"  {owner(k)}: {_fmt_mw(grp['new_mw'].sum())} — "
                         + ", ".join(f"{z} {_fmt_mw(v)}" for z, v in where.items()))

    lines.append(f"\ncost: present value of system cost {meta['objective_usd'] / 1e9:,.3f} bn USD "
                 f"(base year {meta['base_year']})")
    costs = tables["costs"].pivot_table(index="category", columns="period", values="annual_usd", aggfunc="sum")
    lines.append("  annual cost (million USD/yr):")
    lines.append("    " + "category".ljust(14) + "".join(f"{p:>10}" for p in costs.columns))
    for c, row in costs.iterrows():
        lines.append("    " + str(c).ljust(14) + "".join(f"{v / 1e6:>10,.1f}" for v in row))

    if len(nb):
        lines.append("\nnew capacity (MW) by period, zone and technology:")
        piv = nb.groupby(["period", "zone", "technology"], as_index=False)["new_mw"].sum()
        for p, grp in piv.groupby("period"):
            parts = [
                f"{r.zone}/{r.technology} {_fmt_mw(r.new_mw)}"
                for r in grp.sort_values("new_mw", ascending=False).itertuples()
            ]
            lines.append(f"  {p}: total {_fmt_mw(grp['new_mw'].sum())} — " + ", ".join(parts))
    else:
        lines.append("\nno new capacity built")

    demand, unserved = metrics.series(tables, "demand"), metrics.series(tables, "unserved_energy")
    lines.append("\ndemand and unserved energy:")
    for p in demand.index:
        lines.append(f"  {p}: demand {demand[p] / 1e6:,.2f} TWh, unserved {unserved.get(p, 0.0) / 1e6:,.4f} TWh")
    t = meta.get("timings_s", {})
    lines.append(
        "\ntimings: "
        + ", ".join(f"{k[:-2]} {v:.1f}s" for k, v in t.items())
        + (f"; LP {meta['size']['columns']:,} columns x {meta['size']['rows']:,} rows" if "size" in meta else "")
    )
    return "\n".join(lines)
