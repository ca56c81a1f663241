"""Scenario rules of a run specification: what ``[scenario]``, ``[settings]`` and ``[[cells]]`` do to a loaded case.

``apply_scenario`` is the one place these rules live; the pipeline (planner/pipeline.py), the sweep's checks of
every variant and the calibration's dispatch of the existing fleet all call it.
"""

from __future__ import annotations

import pandas as pd

from planner.errors import InputError, Problem
from planner.load import Case
from planner.spec import RunSpec, spec_lines


def check_against_case(tables: dict[str, pd.DataFrame], spec: RunSpec) -> None:
    """Checks of the run specification against the case that change nothing in it: ``InputError`` if one fails.

    Run by ``apply_scenario`` and, on a cache hit (which skips ``apply_scenario``), by ``load_for_run`` on the
    cached case: what they read (``spec.report``) is not part of the cache key, so a key stored by a run that
    passed them says nothing about this run. Every other check of ``apply_scenario`` reads only what the key
    holds (periods, scenario, settings, cell edits): an entry is stored only after they passed for that key.
    ``tables`` are the case's after the cell edits (a cached case's are); the partners are never dropped.
    """
    highlight = spec.report.get("highlight_partners") or []
    known = set(tables["partners"]["partner"])
    unknown = [k for k in highlight if k not in known]
    if unknown:
        raise InputError([Problem(str(spec.path), f"report.highlight_partners names unknown partners {unknown}; "
                                  f"partners.csv has {sorted(known)}", spec_lines(spec)("report.highlight_partners"))])


def apply_scenario(case: Case, spec: RunSpec) -> Case:
    """Settings overrides and scenario switches of the run specification."""
    settings = {**case.settings, **spec.settings}
    tables = dict(case.tables)
    warnings = list(case.warnings)
    if spec.cells:  # edits of input cells first: the switches below act on the edited case
        from planner.cells import apply

        warnings = []  # the edited case's own (an edit may cause or cure one)
        tables, settings = apply(tables, settings, spec.cells, str(spec.path) if spec.path else "run specification",
                                 overrides=spec.settings, warnings=warnings, at=spec_lines(spec))
    sc = spec.scenario
    check_against_case(tables, spec)
    if sc.get("exclude_partners"):
        known = set(tables["partners"]["partner"])
        bad = [k for k in sc["exclude_partners"] if k not in known]
        if bad:
            raise InputError([Problem(str(spec.path), f"scenario.exclude_partners names unknown partners {bad}; "
                                      f"partners.csv has {sorted(known)}",
                                      spec_lines(spec)("scenario.exclude_partners"))])
        bo = tables["build_options"]
        drop = bo["partner"].isin(sc["exclude_partners"])
        if sc.get("keep_committed"):  # commitments (min_new_mw > 0) are decisions already taken: they stay
            drop &= ~(bo["min_new_mw"] > 0)
        tables["build_options"] = bo[~drop]
    if sc.get("no_new_builds"):
        bo = tables["build_options"]  # keep_committed: the commitments stay, as in exclude_partners
        tables["build_options"] = bo[bo["min_new_mw"] > 0] if sc.get("keep_committed") else bo.iloc[0:0]
        tables["corridors"] = tables["corridors"].assign(max_new_mw=0.0)
    if sc.get("drop_build_requirements"):
        # a dispatch of the fleet as it stands: requirements only building could meet (a reserve margin,
        # a minimum renewable share) are not imposed; `planner calibrate` reports the shortfall instead
        tables["reserve_margins"] = tables["reserve_margins"].iloc[0:0]
        tables["periods"] = tables["periods"].assign(min_renewable_share=0.0)
    if not sc.get("partner_commitments"):  # switched off: read and validated, not applied (run.json says so)
        off = tables["partner_commitments"].iloc[0:0].copy()
        off.attrs["rows_switched_off"] = len(tables["partner_commitments"])
        tables["partner_commitments"] = off
    if sc.get("demand_multiplier") is not None:
        tables["demand"] = tables["demand"].assign(
            demand_mw=tables["demand"]["demand_mw"] * float(sc["demand_multiplier"]))
        _check_scaled_demand(tables, spec)
    if spec.periods:
        missing = [p for p in spec.periods if p not in set(tables["periods"]["period"])]
        if missing:
            raise InputError([Problem(str(spec.path), f"periods {missing} are not in periods.csv",
                                      spec_lines(spec)("periods"))])
    return Case(case.path, tables, settings, warnings)  # the warnings too: run prints them and run.json keeps them


def _check_scaled_demand(tables: dict[str, pd.DataFrame], spec: RunSpec) -> None:
    """Demand scaled by scenario.demand_multiplier (and grown by demand_growth.csv) stays within the bound of a
    demand in MW, as every demand_mw of the case does (planner/schema.py MAX_MW)."""
    from planner.schema import MAX_MW, _num

    dem, dg = tables["demand"], tables["demand_growth"]
    if not len(dem):
        return
    peak = dem.groupby("zone")["demand_mw"].max()
    growth = dg.groupby("zone")["multiplier"].max() if len(dg) else pd.Series(dtype=float)
    grown = peak * growth.reindex(peak.index).fillna(1.0)
    if grown.max() > MAX_MW:
        z = grown.idxmax()
        dm = float(spec.scenario["demand_multiplier"])
        raise InputError([Problem(str(spec.path) if spec.path else "run specification",
                                  f"scenario.demand_multiplier = {dm:g} makes the peak demand of zone {z} "
                                  f"{grown[z]:.3g} MW (demand.csv x {dm:g}"
                                  + (f" x demand_growth.csv's {growth[z]:g}" if z in growth.index else "")
                                  + f"), above the {_num(MAX_MW)} MW a demand may be; lower it",
                                  spec_lines(spec)("scenario.demand_multiplier"))])
