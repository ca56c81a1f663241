"""Checks against the real system, and the capacity balance that shows a deficit.

A run specification lists its calibration checks as ``[[calibration]]`` tables
(the case's published figures, each with its source and a tolerance); the
engine knows only the metric names below, nothing about any country:

    generation_twh        sum of non-storage generation (TWh/yr)
    generation_share      share of that generation from ``technologies`` (fraction)
    imports_twh / exports_twh / net_imports_twh   over interconnectors (TWh/yr)
    peak_demand_mw        highest system demand over the timesteps (MW)
    peak_shortfall_mw     at the system peak: demand not met by domestic
                          generation = net imports + unserved (MW)
    peak_capability_shortfall_mw   at the system peak: demand minus what the
                          domestic fleet could deliver in that hour (available
                          capacity of every non-storage plant), >= 0 (MW). Unlike
                          peak_shortfall_mw it does not depend on which hours the
                          LP happens to place imports in.
    unserved_twh          demand not served (TWh/yr)

Capacity balance, from the inputs alone (no solve), per scope s (the whole
system ``*``, each region, each zone) and period p:

    required[s,p] = max_t sum_{z in s} demand[z,p,t] * (1 + margin[s,p])
    firm[s,p]     = sum_{z in s, g} credit_g * existing_mw[z,g,p]
    deficit[s,p]  = max(0, required - firm)              (domestic capacity only)

margin is the scope's reserve margin (a region's own, else the system's, else
0; zones take their region's). Imports are shown beside it, not counted, since
a deficit covered by imports is what the balance is meant to reveal.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError, Problem
from planner.studies import results_folder, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.model.data import ModelData
    from planner.spec import RunSpec

NAME = "calibrate"
HELP = "solve a calibration model and check it against published figures"
METRICS = ("generation_twh", "generation_share", "imports_twh", "exports_twh", "net_imports_twh",
           "peak_demand_mw", "peak_shortfall_mw", "peak_capability_shortfall_mw", "unserved_twh")


def capacity_balance(d: ModelData) -> pd.DataFrame:
    import pandas as pd

    from planner import metrics as mx

    credit = d.tech["capacity_credit_pu"].astype(float).to_dict()
    margins = mx.margins_by_region(d.reserve)
    zone_region = d.zones["region"].to_dict()
    regions = sorted({r for r in d.zones["region"] if r})
    scopes = [("system", "*", mx.region_zones(zone_region, "*"))]
    scopes += [("region", r, mx.region_zones(zone_region, r)) for r in regions]
    scopes += [("zone", z, {z}) for z in d.ZONES]
    rows = []
    for kind, name, zs in scopes:
        for p in d.PERIODS:
            peak = max(sum(d.demand_mw[(z, p, t)] for z in zs) for t in d.TIMESTEPS)
            margin = mx.margin_pu(margins, name if kind != "zone" else zone_region[name], p)
            firm = mx.firm_mw(credit, ((g, mw) for (z, g, q), mw in d.existing_mw.items() if q == p and z in zs))
            imp = mx.firm_imports_mw(d.interconnector, zs)
            required = peak * (1 + margin)
            rows.append((kind, name, p, peak, margin, required, firm, max(0.0, required - firm), imp))
    return pd.DataFrame(rows, columns=["scope", "name", "period", "peak_demand_mw", "margin_pu", "required_firm_mw",
                                       "firm_existing_mw", "deficit_mw", "firm_imports_mw"])


def metric(tables: dict[str, pd.DataFrame], name: str, period: int, technologies: list[str] | None = None) -> float:
    from planner import metrics as mx

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
    problems, checks = [], []
    for i, c in enumerate(spec.calibration, start=1):
        where = f"[[calibration]] #{i}"
        if c.get("metric") not in METRICS:
            problems.append(Problem(str(spec.path), f"{where}: metric {c.get('metric')!r} is not one of {', '.join(METRICS)}"))
        if not isinstance(c.get("target"), (int, float)) or not isinstance(c.get("period"), int):
            problems.append(Problem(str(spec.path), f"{where}: needs a numeric target and a period (year)"))
        if ("tolerance_pct" in c) == ("tolerance_abs" in c):
            problems.append(Problem(str(spec.path), f"{where}: give exactly one of tolerance_pct, tolerance_abs"))
        if c.get("metric") == "generation_share" and not c.get("technologies"):
            problems.append(Problem(str(spec.path), f"{where}: generation_share needs technologies = [...]"))
        checks.append(c)
    if not checks:
        problems.append(Problem(str(spec.path), "no [[calibration]] checks in this run specification"))
    if problems:
        raise InputError(problems)
    return checks


def calibrate(spec: RunSpec, results_root: Path = Path("results")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Solve the spec, compare its figures with the targets; capacity balance of every period of the case."""
    import pandas as pd

    from planner.load import load_case
    from planner.model.data import prepare
    from planner.run import apply_scenario, run_spec

    checks = check_spec(spec)
    out = run_spec(spec, results_root)
    rows = []
    for c in checks:
        value = metric(out.tables, c["metric"], c["period"], c.get("technologies"))
        target = float(c["target"])
        if "tolerance_pct" in c:
            err, tol, unit = 100 * (value / target - 1), float(c["tolerance_pct"]), "%"
        else:
            err, tol, unit = value - target, float(c["tolerance_abs"]), "abs"
        rows.append({"metric": c["metric"], "technologies": ";".join(c.get("technologies", [])), "period": c["period"],
                     "target": target, "model": value, "error": err, "tolerance": tol, "tolerance_unit": unit,
                     "within": abs(err) <= tol, "source": c.get("source", "")})
    table = pd.DataFrame(rows)
    full = copy.deepcopy(spec)
    full.periods = None
    full.scenario = {}
    balance = capacity_balance(prepare(apply_scenario(load_case(spec.inputs), full)))
    write_tables(results_folder(spec, NAME, root=results_root), {"calibration": table, "capacity_balance": balance})
    return table, balance


def render(table: pd.DataFrame, balance: pd.DataFrame) -> str:
    lines = ["calibration against published figures:"]
    for r in table.itertuples():
        what = r.metric + (f" ({r.technologies})" if r.technologies else "")
        err = f"{r.error:+.2f}{'%' if r.tolerance_unit == '%' else ''}"
        lines.append(f"  {'ok  ' if r.within else 'MISS'} {what} {r.period}: model {r.model:,.3f} vs {r.target:,.3f} "
                     f"({err}, tolerance {r.tolerance:g}{'%' if r.tolerance_unit == '%' else ''}) — {r.source}")
    lines.append("\ncapacity balance of the existing fleet, no new builds (MW; deficit = peak x (1 + margin) - firm):")
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
    missed = int((~table["within"]).sum())
    if missed:
        print(f"\n{missed} calibration check(s) outside tolerance", file=sys.stderr)
        return 1
    return 0
