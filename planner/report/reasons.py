"""Why a figure that looks contradictory is right: one sentence per case, put beside the figure in the report.

``reasons(tables, meta)`` reads a run's result tables and run.json and returns
``{key: sentence}`` for the cases that apply to that run:

- ``deficit_after/<period>``: a deficit is left after new builds. The model's
  reserve-margin row (planner/model/reserve.py) counts firm capacity region by
  region, with the credited corridors into it and without the corridor limits
  inside it; the deficit (planner/deficit.py) counts only what the corridors
  can move at the peak, so the plan can meet its reserve margin, serve all
  demand and still show this gap;
- ``share_closed/<partner>/<period>``: a partner builds nothing new in a period
  yet closes part of its deficit: its builds of earlier periods are in service;
- ``existing_fleet``: "with the existing fleet" counts only plants in service
  without this run's builds, so a run that starts at a later period (which
  counts the plants committed or built before it as existing) shows a smaller
  deficit "with the existing fleet" for the same year.
"""

from __future__ import annotations

import pandas as pd

from planner.report import style


def reasons(tables: dict[str, pd.DataFrame], meta: dict) -> dict[str, str]:
    from planner import metrics
    from planner.deficit import has_inputs
    from planner.partners_report import NEEDED, report

    out: dict[str, str] = {}
    periods = [int(p) for p in meta.get("periods") or sorted(tables["capacity"]["period"].unique())]
    if has_inputs(tables):
        after = metrics.series(tables, "deficit_after_new_builds", periods)
        unserved = metrics.series(tables, "unserved_energy", periods)
        for p in periods:
            if after.get(p, 0.0) > 0.5:
                served = ("all demand is served" if unserved.get(p, 0.0) <= 1e-3
                          else f"{style.num(unserved[p] / 1e6)} TWh goes unserved")
                out[f"deficit_after/{p}"] = (
                    f"Not a shortfall of the plan: in {p} {served}. The model's reserve-margin row counts firm "
                    "capacity region by region, with the credited corridors into it and without the corridor limits "
                    f"inside it; the {style.mw(after[p])} left is the part of the peak requirement that firm capacity "
                    "elsewhere cannot reach through the corridors' firm limits (docs/deficit.md).")
        first = periods[0]
        out["existing_fleet"] = (
            f"'With the existing fleet' counts only the plants in service without this run's builds; {first} is "
            f"this run's first period, so everything built or committed from {first} on counts as new. A run that "
            "starts later counts the plants committed or built before its first period as existing, so it shows a "
            "smaller deficit with the existing fleet for the same year.")
    if all(n in tables for n in NEEDED):
        h = report(tables)["partner_headline"]
        for r in h.itertuples():
            if r.new_mw <= 0.5 and r.share_closed_pu > 5e-4 and r.in_service_mw > 0.5:
                out[f"share_closed/{r.partner}/{int(r.period)}"] = (
                    f"{r.partner} builds nothing new in {int(r.period)}; the {style.mw(r.in_service_mw)} it built in "
                    f"earlier periods are in service then and close {style.pct(r.share_closed_pu)} of that period's "
                    "deficit.")
    return out


def study_periods(head: dict) -> str:
    """Why a study over some periods shows less than a run over more (the placement study's run.json ``head``)."""
    periods = [int(p) for p in head.get("periods") or []]
    if not periods:
        return ""
    k = str(head.get("partner", "the partner"))
    return (f"This study solves {', '.join(str(p) for p in periods)} only: the plants {k} and the others build or "
            f"have committed before {periods[0]} count as existing here, so a run over earlier periods as well "
            f"shows those as new builds of {k}.")
