"""One line beside each deficit figure that would otherwise read as a contradiction; one place for the sentences.

The terminal summary (planner/summary.py) and the HTML report both print them, each where its figure is:

- ``after_new_builds``: the deficit after new builds is not unserved energy. The model's reserve-margin row
  (planner/model/reserve.py) counts a region's firm MW without the corridor limits and losses inside it, and
  the corridors into it at their full firm limit; the deficit (planner/analysis/deficit.py) counts only what the
  corridors can move at the peak (docs/deficit.md).
- ``existing_fleet``: "with the existing fleet" leaves out every build of the run, those of earlier periods
  too, and counts the committed plants due before the first period as existing, so the same year has a
  different figure in runs that start in different periods.
- ``closed_without_builds``: a share of the deficit closed counts an owner's plants in service in the period,
  built then or earlier (committed plants included), so an owner can close a share of a period in which it
  builds nothing (named from a share of 0.05 %).

``notes(tables, meta)`` returns the lines that apply to a run (a key is absent when its situation does not
arise), computed from the stored result tables and run.json alone.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

TOL_MW = 0.5  # a deficit or a build below half a MW is not worth a line (figures are printed to the MW)
TOL_SHARE = 0.0005  # a share closed below 0.05 % shows as 0.0 % and needs no explaining


def _periods(values: list[int]) -> str:
    return ", ".join(str(p) for p in values)


def after_new_builds(after_mw: Mapping[int, float], unserved_twh: float, reserve_margin_dropped: bool = False) -> str:
    """Why new builds can leave a deficit while no demand goes unserved (``after_mw``: period -> MW)."""
    left = [p for p, v in after_mw.items() if v > TOL_MW]
    if reserve_margin_dropped:
        why = ("this run drops the reserve margin (scenario.drop_build_requirements), so nothing makes new builds "
               "close it")
    else:
        why = ("the model meets each region's reserve margin counting its firm MW as if the corridors inside it had "
               "no limit or loss (and those into it at their full firm limit), while the deficit counts only what "
               "the corridors can move at the peak: the rest is firm capacity the network cannot deliver there")
    return (f"what new builds leave ({_periods(left)}) is not demand unserved ({unserved_twh:,.4f} TWh over the "
            f"horizon): {why} (docs/deficit.md)")


def existing_fleet(committed: list[str], first_period: int, earlier_builds: bool) -> str:
    """What "with the existing fleet" counts: ``committed`` are run.json's committed builds counted as existing."""
    parts = []
    if earlier_builds:
        parts.append("leaves out every plant this run builds, in earlier periods too")
    if committed:
        n = len(committed)
        parts.append(f"counts the {n} committed plant{'s' if n != 1 else ''} due before the first period "
                     f"{first_period} as existing")
    return (f"'with the existing fleet' {' and '.join(parts)}: the same year can show a different figure in a run "
            "that starts in another period")


def closed_without_builds(owners: Mapping[str, list[int]]) -> str:
    """Why owners close a share of the deficit of periods in which they build nothing (owner -> those periods)."""
    who = [f"{k} in {_periods(ps)}" for k, ps in owners.items()]
    listed = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
    return (f"shares closed with nothing built in the period ({listed}): a share counts an owner's plants in "
            "service in the period, built in earlier periods too (committed plants included)")


def notes(tables: Mapping[str, pd.DataFrame], meta: Mapping, partner_tables: Mapping[str, pd.DataFrame] | None = None
          ) -> dict[str, str]:
    """The lines that apply to a run: keys ``after_new_builds``, ``existing_fleet``, ``closed_without_builds``.

    ``partner_tables`` is ``planner.analysis.partners.report(tables)`` when the caller has it already (its
    ``zone_deficits`` and ``deficit_closed``); otherwise the deficit's own functions make the two here, so results
    too old for the partner report (no cost_terms.csv) still get the lines, and those without the deficit's
    tables get none."""
    from planner.analysis import metrics
    from planner.analysis.deficit import closed_by_owner, has_inputs, system_deficit, zone_deficits
    from planner.core.names import NEW_CORRIDORS

    if partner_tables is not None:
        zd, closed = partner_tables["zone_deficits"], partner_tables["deficit_closed"]
    elif has_inputs(dict(tables)):
        zd = zone_deficits(dict(tables))
        closed = closed_by_owner(dict(tables), zd)
    else:
        return {}
    out: dict[str, str] = {}
    after = system_deficit(zd, "deficit_after_mw")
    if any(v > TOL_MW for v in after.values()):
        unserved = float(metrics.series(tables, "unserved_energy").sum()) / 1e6
        dropped = bool((meta.get("scenario") or {}).get("drop_build_requirements"))
        out["after_new_builds"] = after_new_builds(after, unserved, dropped)
    periods = sorted(int(p) for p in meta.get("periods") or zd["period"].unique())
    vin = tables["vintages"]
    earlier = bool(((vin["period"] > vin["built_period"]) & (vin["in_service_mw"] > TOL_MW)).any())
    committed = list(meta.get("committed_builds_counted_as_existing") or [])
    if earlier or committed:
        out["existing_fleet"] = existing_fleet(committed, periods[0], earlier)
    idle = closed[(closed["share_closed_pu"] >= TOL_SHARE) & (closed["new_mw"] <= TOL_MW)
                  & (closed["owner"] != NEW_CORRIDORS)]
    if len(idle):
        out["closed_without_builds"] = closed_without_builds(
            {str(k): sorted(int(p) for p in g["period"]) for k, g in idle.groupby("owner")})
    return out
