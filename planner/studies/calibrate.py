"""Checks against the real system, and the capacity balance that shows a deficit.

A run specification lists its calibration checks as ``[[calibration]]`` tables
(the case's published figures, each with its source and a tolerance); the
engine knows only the metric names below, nothing about any country:

    generation_twh        sum of non-storage generation (TWh/yr)
    generation_share      share of that generation from ``technologies`` (fraction)
    imports_twh / exports_twh / net_imports_twh   over interconnectors (TWh/yr)
    peak_demand_mw        highest system load over the timesteps: demand plus the hour's
                          corridor losses, as a system operator measures load (MW)
    peak_shortfall_mw     at the system peak (of that load): load not met by domestic
                          generation = net imports + unserved (MW)
    peak_capability_shortfall_mw   at the system peak: load minus what the
                          domestic fleet could deliver in that hour (available
                          capacity of every non-storage plant), >= 0 (MW). Unlike
                          peak_shortfall_mw it does not depend on which hours the
                          LP happens to place imports in.
    unserved_twh          demand not served (TWh/yr)
    region_balance_twh    for the zones of ``region``: generation (storage net of
                          charging) minus demand, served or not, minus the corridor
                          losses that fall in those zones (half of each corridor's loss
                          to each end zone) (TWh/yr); > 0 = surplus. With demand read
                          net of the inter-zonal losses, this is production minus
                          consumption as the statistics count it (losses included).
    balance_twh           the same for every zone: production minus consumption of the
                          whole system = -(net imports + unserved) (TWh/yr)

Checks on the capacity balance below (inputs only, no solve; ``region`` names a
region, default the whole system), for comparing with published winter-peak
balances and deficit forecasts:

    capacity_peak_mw      required firm capacity: demand at the peak x (1 + margin) (MW)
    capacity_firm_mw      firm existing capacity, sum of credit x MW, imports not counted (MW)
    capacity_deficit_mw   the deficit of planner/analysis/deficit.py (MW)
    capacity_shortfall_mw max(0, required - firm existing): peak not covered by
                          domestic firm capacity, imports and corridor limits
                          ignored - the definition of a "peak load minus station
                          generation" forecast (MW)

A check may carry ``known_miss = "..."``: the case's own account of why consistent data misses
that figure, by how much, which figure no public source gives and what a bounding test shows it
would take. Each check gets one verdict:

    ok       within tolerance, no note
    known    outside tolerance, with its known_miss: a documented miss, printed with its reason
             under the line; it does not fail the command
    MISS     outside tolerance without a note: the command exits 1
    STALE    within tolerance but still carrying a known_miss: the note no longer describes the
             result, so it is wrong; the command exits 1 until the note is removed

The command exits 0 only when every check is ok or a documented miss, so a note cannot outlive
the miss it explains, and a new miss always fails.

Capacity balance, from the inputs alone (no solve): the deficit of the existing
fleet and corridors in every period, as planner/analysis/deficit.py defines it (firm
capacity and firm imports against peak x (1 + margin), after the transfers the
corridors allow), for the system, each region and each zone (scope, name).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from planner.core.economics import mwh
from planner.errors import InputError, Problem
from planner.studies import results_folder, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.model.data import ModelData
    from planner.spec import RunSpec

NAME = "calibrate"
HELP = "solve a calibration model and check it against published figures"
SOLVED_METRICS = ("generation_twh", "generation_share", "imports_twh", "exports_twh", "net_imports_twh",
                  "peak_demand_mw", "peak_shortfall_mw", "peak_capability_shortfall_mw", "unserved_twh",
                  "region_balance_twh", "balance_twh")
BALANCE_METRICS = {"capacity_peak_mw": "required_mw", "capacity_firm_mw": "firm_existing_mw",
                   "capacity_deficit_mw": "deficit_mw", "capacity_shortfall_mw": None}
METRICS = SOLVED_METRICS + tuple(BALANCE_METRICS)
# the keys of a [[calibration]] table
KEYS = ("metric", "period", "target", "tolerance_pct", "tolerance_abs", "technologies", "region", "source",
        "known_miss")


def _number(v: object) -> bool:
    import math

    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def capacity_balance(d: ModelData) -> pd.DataFrame:
    """scope (system, region, zone), name, period, required_mw, firm_existing_mw, firm_imports_mw, deficit_mw."""
    import pandas as pd

    from planner.analysis.deficit import case_deficits, system_deficits

    zd = case_deficits(d)
    zones = zd.assign(scope="zone", name=zd["zone"])
    out = pd.concat([system_deficits(zd), zones], ignore_index=True)
    out = out.rename(columns={"deficit_before_mw": "deficit_mw"})
    return out[["scope", "name", "period", "required_mw", "firm_existing_mw", "firm_imports_mw", "deficit_mw"]]


def balance_metric(balance: pd.DataFrame, name: str, period: int, region: str | None = None) -> float:
    """A capacity-balance figure of the system (``region`` None) or of one region, in one period."""
    rows = balance[(balance["name"] == (region or "*")) & (balance["scope"] != "zone") & (balance["period"] == period)]
    if len(rows) != 1:
        raise KeyError(f"no capacity balance for {region or 'the system'} in {period}")
    r = rows.iloc[0]
    if name == "capacity_shortfall_mw":
        return max(0.0, float(r["required_mw"] - r["firm_existing_mw"]))
    return float(r[BALANCE_METRICS[name]])


def corridor_losses_mwh(tables: dict[str, pd.DataFrame], period: int, zones: set[str]) -> float:
    """Annual corridor losses that fall in ``zones``: half of each corridor's loss to each of its end zones (MWh)."""
    fl = tables.get("flows")
    if fl is None or fl.empty:  # a case without corridors
        return 0.0
    fl = fl[fl["period"] == period]
    pr = tables["prices"]
    weight = pr[pr["period"] == period].groupby("timestep")["weight"].first()
    loss = mwh(fl["loss_mw"], fl["timestep"].map(weight)).groupby(fl["corridor"]).sum()
    ends = tables["corridors"].drop_duplicates("corridor").set_index("corridor")
    share = ends["from_zone"].isin(zones).astype(float) * 0.5 + ends["to_zone"].isin(zones).astype(float) * 0.5
    return float((loss * share.reindex(loss.index).fillna(0.0)).sum())


def region_balance_twh(tables: dict[str, pd.DataFrame], period: int, zones: set[str]) -> float:
    """Generation of the zones (storage net of charging) minus their demand, served or not, minus the corridor
    losses that fall in them (TWh/yr)."""
    gen = tables["generation"]
    gen = gen[(gen["period"] == period) & gen["zone"].isin(zones)]
    pr = tables["prices"]
    pr = pr[(pr["period"] == period) & pr["zone"].isin(zones)]
    served = gen["generation_mwh"].sum() - gen["charge_mwh"].sum() - mwh(pr["demand_mw"], pr["weight"]).sum()
    return float(served - corridor_losses_mwh(tables, period, zones)) / 1e6


def metric(tables: dict[str, pd.DataFrame], name: str, period: int, technologies: list[str] | None = None,
           zones: set[str] | None = None) -> float:
    from planner.analysis import metrics as mx

    if name == "region_balance_twh":
        return region_balance_twh(tables, period, zones or set())
    if name == "balance_twh":
        return region_balance_twh(tables, period, set(tables["prices"]["zone"]))
    gen = tables["generation"]
    gen = gen[gen["period"] == period]
    kinds = tables["technologies"].set_index("technology")["kind"]
    gen = gen[gen["technology"].map(kinds) != "storage"]
    pr = tables["prices"]
    pr = pr[pr["period"] == period]
    tr = tables["trade"]
    tr = tr[tr["period"] == period]
    if name == "generation_twh":
        return gen["generation_mwh"].sum() / 1e6
    if name == "generation_share":
        return gen[gen["technology"].isin(technologies or [])]["generation_mwh"].sum() / gen["generation_mwh"].sum()
    if name in ("imports_twh", "exports_twh", "net_imports_twh", "unserved_twh"):
        return mx.value(tables, {"imports_twh": "imports", "exports_twh": "exports", "net_imports_twh": "net_imports",
                                 "unserved_twh": "unserved_energy"}[name], period) / 1e6
    system = pr.groupby("timestep").agg(demand_mw=("demand_mw", "sum"), unserved_mw=("unserved_mw", "sum"), weight=("weight", "first"))
    fl = tables["flows"]
    fl = fl[fl["period"] == period] if "period" in fl else fl
    # the load a system operator measures holds the network's losses: the hour's corridor losses are added
    system["demand_mw"] += fl.groupby("timestep")["loss_mw"].sum().reindex(system.index).fillna(0.0)
    if name == "peak_demand_mw":
        return float(system["demand_mw"].max())
    if name == "peak_shortfall_mw":
        t = system["demand_mw"].idxmax()
        net = tr[tr["timestep"] == t]
        return float((net["import_mw"] - net["export_mw"]).sum() + system.at[t, "unserved_mw"])
    if name == "peak_capability_shortfall_mw":
        t = system["demand_mw"].idxmax()
        disp = tables["dispatch"]
        disp = disp[(disp["period"] == period) & (disp["timestep"] == t)]
        domestic = disp[disp["technology"].map(kinds) != "storage"]["available_mw"].sum()
        return float(max(0.0, system.at[t, "demand_mw"] - domestic))
    raise KeyError(name)


def check_spec(spec: RunSpec) -> list[dict]:
    """The checks of the run specification; ``InputError`` listing every problem the specification alone shows."""
    problems, checks = spec_problems(spec)
    if problems:
        raise InputError(problems)
    return checks


def spec_problems(spec: RunSpec) -> tuple[list[Problem], list[dict]]:
    """(problems the run specification alone shows, its checks)."""
    from planner.spec import located, spec_lines

    problems, checks = [], []
    at = spec_lines(spec)
    for i, c in enumerate(spec.calibration, start=1):
        where = f"[[calibration]] #{i}"
        found = len(problems)
        for k in c:
            if k not in KEYS:  # a misspelt region or tolerance would otherwise be ignored, and the check computed
                problems.append(Problem(str(spec.path), f"{where}: unknown key {k!r}; the keys of a check are "
                                        f"{', '.join(KEYS)}"))
        if c.get("metric") not in METRICS:
            problems.append(Problem(str(spec.path), f"{where}: metric {c.get('metric')!r} is not one of {', '.join(METRICS)}"))
        if not _number(c.get("target")) or not (isinstance(c.get("period"), int) and not isinstance(c["period"], bool)):
            problems.append(Problem(str(spec.path), f"{where}: needs a numeric target and a period (year)"))
        if ("tolerance_pct" in c) == ("tolerance_abs" in c):
            problems.append(Problem(str(spec.path), f"{where}: give exactly one of tolerance_pct, tolerance_abs"))
        for k in ("tolerance_pct", "tolerance_abs"):
            if k in c and not (_number(c[k]) and c[k] >= 0):
                problems.append(Problem(str(spec.path), f"{where}: {k} = {c[k]!r}; expected a number >= 0"))
        if "tolerance_pct" in c and _number(c.get("target")) and c["target"] == 0:
            problems.append(Problem(str(spec.path), f"{where}: a percentage tolerance needs a non-zero target "
                                    "(the error is a percentage of it); for a target of 0 use tolerance_abs"))
        techs = c.get("technologies")
        if techs is not None and not (isinstance(techs, list) and all(isinstance(g, str) for g in techs)):
            problems.append(Problem(str(spec.path), f"{where}: technologies must be a list of technology ids, "
                                    'e.g. ["coal"]'))
        if c.get("metric") == "generation_share" and not c.get("technologies"):
            problems.append(Problem(str(spec.path), f"{where}: generation_share needs technologies = [...]"))
        if "known_miss" in c and not (isinstance(c["known_miss"], str) and c["known_miss"].strip()):
            problems.append(Problem(str(spec.path), f"{where}: known_miss is the reason the check misses, a non-empty string"))
        if c.get("metric") == "region_balance_twh" and not isinstance(c.get("region"), str):
            problems.append(Problem(str(spec.path), f"{where}: region_balance_twh needs region = \"<region of zones.csv>\""))
        elif c.get("region") is not None and not isinstance(c["region"], str):
            problems.append(Problem(str(spec.path), f"{where}: region = {c['region']!r}; expected a region of zones.csv "
                                    'as text, e.g. region = "South"'))
        problems[found:] = located(problems[found:], at(f"calibration[{i - 1}]"))
        checks.append(c)
    if not checks:
        problems.append(Problem(str(spec.path), "no [[calibration]] checks in this run specification"))
    return problems, checks


def calibrate(spec: RunSpec, results_root: Path = Path("results")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Solve the spec, compare its figures with the targets; capacity balance of every period of the case."""
    from planner.load import load_case
    from planner.studies import reserved

    problems, checks = spec_problems(spec)
    if not checks:
        raise InputError(problems)
    try:
        case = load_case(spec.inputs)
    except InputError as exc:  # the specification's own problems with the case's, in one report
        raise InputError(problems + exc.problems) from None
    zones = case["zones"]
    problems += case_problems(spec, checks, case)  # every problem of every check at once
    if problems:
        raise InputError(problems)
    with reserved(results_folder(spec, NAME, root=results_root)) as slot:  # checked and locked before the solve
        return _calibrate(spec, checks, case, zones, results_root, slot)


def check_against_case(spec: RunSpec, checks: list[dict], case) -> None:
    """``InputError`` listing ``case_problems`` if there are any."""
    problems = case_problems(spec, checks, case)
    if problems:
        raise InputError(problems)


def case_problems(spec: RunSpec, checks: list[dict], case) -> list[Problem]:
    """Each check's period is one the figure exists for (a solved metric: a period of the run; a capacity-balance
    metric: a period of periods.csv), its technologies and region are the case's; a problem naming the check if
    not, rather than a model figure of 0 for a period or a technology that was never there. A check whose metric,
    period or technologies are malformed (``spec_problems`` names them) is judged on what is well formed."""
    case_periods = sorted(int(p) for p in case["periods"]["period"])
    run_periods = sorted(spec.periods) if spec.periods else case_periods
    techs = set(case["technologies"]["technology"])
    regions = set(case["zones"]["region"].dropna())
    from planner.spec import spec_lines

    at = spec_lines(spec)
    problems = []
    for i, c in enumerate(spec.calibration, start=1):
        where = f"[[calibration]] #{i}"
        metric = c.get("metric")
        label = f"{where} ({metric})" if metric in METRICS else where
        period = c.get("period")
        if metric in METRICS and isinstance(period, int) and not isinstance(period, bool):
            if metric in BALANCE_METRICS:
                valid, of = case_periods, "periods.csv"
            else:
                valid, of = run_periods, "the periods this run solves"
            if period not in valid:
                problems.append(Problem(str(spec.path), f"{label}: period {period} is not one of "
                                        f"{of}: {', '.join(map(str, valid))}", at(f"calibration[{i - 1}].period")))
        given = c.get("technologies")
        if isinstance(given, list):
            unknown = [g for g in given if isinstance(g, str) and g not in techs]
            if unknown:
                problems.append(Problem(str(spec.path), f"{label}: technologies {unknown} are not in "
                                        f"technologies.csv ({', '.join(sorted(techs))})",
                                        at(f"calibration[{i - 1}].technologies")))
        region = c.get("region")
        if isinstance(region, str) and region not in regions:
            problems.append(Problem(str(spec.path), f"{label}: region {region!r} is not a region of zones.csv "
                                    f"({', '.join(sorted(regions))})", at(f"calibration[{i - 1}].region")))
    return problems


def _calibrate(spec: RunSpec, checks: list[dict], case, zones: pd.DataFrame, results_root: Path,
               slot) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    from planner.model.data import prepare
    from planner.runner import run_spec
    from planner.scenario import apply_scenario

    full = copy.deepcopy(spec)
    full.periods = None
    full.scenario = {}
    balance = capacity_balance(prepare(apply_scenario(case, full)))
    out = run_spec(spec, results_root) if any(c["metric"] in SOLVED_METRICS for c in checks) else None
    rows = []
    for c in checks:
        if c["metric"] in BALANCE_METRICS:
            value = balance_metric(balance, c["metric"], c["period"], c.get("region"))
        else:
            in_region = set(zones.loc[zones["region"] == c.get("region"), "zone"]) if c.get("region") else None
            value = metric(out.tables, c["metric"], c["period"], c.get("technologies"), in_region)
        target = float(c["target"])
        if "tolerance_pct" in c:
            err, tol, unit = 100 * (value / target - 1), float(c["tolerance_pct"]), "%"
        else:
            err, tol, unit = value - target, float(c["tolerance_abs"]), "abs"
        note = c.get("known_miss", "").strip()
        rows.append({"metric": c["metric"], "technologies": ";".join(c.get("technologies", [])),
                     "region": c.get("region", ""), "period": c["period"],
                     "target": target, "model": value, "error": err, "tolerance": tol, "tolerance_unit": unit,
                     "within": abs(err) <= tol, "verdict": verdict(abs(err) <= tol, note),
                     "source": c.get("source", ""), "known_miss": note})
    table = pd.DataFrame(rows)
    write_tables(slot, {"calibration": table, "capacity_balance": balance})
    return table, balance


# a check's verdict -> whether it fails the command, and its label in the printed table
VERDICTS = {"ok": (False, "ok   "), "known": (False, "known"), "miss": (True, "MISS "), "stale": (True, "STALE")}


def verdict(within: bool, known_miss: str) -> str:
    """ok, known (a documented miss), miss (undocumented) or stale (a note on a check that passes)."""
    if within:
        return "stale" if known_miss else "ok"
    return "known" if known_miss else "miss"


def failures(table: pd.DataFrame) -> int:
    """The checks that fail the command: undocumented misses and stale notes."""
    return int(table["verdict"].map(lambda v: VERDICTS[v][0]).sum())


def render(table: pd.DataFrame, balance: pd.DataFrame) -> str:
    lines = ["calibration against published figures:"]
    for r in table.itertuples():
        what = r.metric + (f" ({r.technologies})" if r.technologies else "") + (f" [{r.region}]" if r.region else "")
        err = f"{r.error:+.2f}{'%' if r.tolerance_unit == '%' else ''}"
        lines.append(f"  {VERDICTS[r.verdict][1]} {what} {r.period}: model {r.model:,.3f} vs {r.target:,.3f} "
                     f"({err}, tolerance {r.tolerance:g}{'%' if r.tolerance_unit == '%' else ''}) — {r.source}")
        if r.verdict == "known":
            lines.append(f"        known miss: {r.known_miss}")
        elif r.verdict == "stale":
            lines.append("        the check passes but carries a known_miss: the note is out of date; remove it")
    lines.append("\ndeficit of the existing fleet, no new builds (MW; peak x (1 + margin) not covered by firm capacity and "
                 "firm imports after the transfers corridors allow; planner/analysis/deficit.py):")
    sysreg = balance[balance["scope"] != "zone"]
    piv = sysreg.pivot_table(index="name", columns="period", values="deficit_mw")
    lines.append("  " + "scope".ljust(10) + "".join(f"{p:>9}" for p in piv.columns))
    for name, row in piv.iterrows():
        lines.append("  " + ("system" if name == "*" else str(name)).ljust(10) + "".join(f"{v:>9,.0f}" for v in row))
    return "\n".join(lines)


def add_arguments(cb: argparse.ArgumentParser) -> None:
    cb.add_argument("model")
    cb.add_argument("--results", default="results")


def run(args: argparse.Namespace) -> int:
    from planner.spec import load_spec

    table, balance = calibrate(load_spec(args.model), Path(args.results))
    print(render(table, balance))
    counts = table["verdict"].value_counts()
    if counts.get("known", 0):
        print(f"\n{counts['known']} documented miss(es): outside tolerance, each with its known_miss above")
    failed = failures(table)
    if failed:
        print(f"\n{failed} calibration check(s) failed: {counts.get('miss', 0)} outside tolerance without a "
              f"known_miss, {counts.get('stale', 0)} passing with a stale known_miss", file=sys.stderr)
        return 1
    return 0
