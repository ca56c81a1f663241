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

Capacity balance, from the inputs alone (no solve): the deficit of the existing
fleet and corridors in every period, as planner/deficit.py defines it (firm
capacity and firm imports against peak x (1 + margin), after the transfers the
corridors allow), for the system, each region and each zone (scope, name).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from planner.errors import InputError, Problem
from planner.load import load_case
from planner.model.data import ModelData, prepare
from planner.run import apply_scenario, run_spec
from planner.spec import RunSpec
from planner.store import write_results

METRICS = ("generation_twh", "generation_share", "imports_twh", "exports_twh", "net_imports_twh",
           "peak_demand_mw", "peak_shortfall_mw", "peak_capability_shortfall_mw", "unserved_twh")


def capacity_balance(d: ModelData) -> pd.DataFrame:
    """scope (system, region, zone), name, period, required_mw, firm_existing_mw, firm_imports_mw, deficit_mw."""
    from planner.deficit import case_deficits, system_deficits

    zd = case_deficits(d)
    zones = zd.assign(scope="zone", name=zd["zone"])
    out = pd.concat([system_deficits(zd), zones], ignore_index=True)
    out = out.rename(columns={"deficit_before_mw": "deficit_mw"})
    return out[["scope", "name", "period", "required_mw", "firm_existing_mw", "firm_imports_mw", "deficit_mw"]]


def metric(tables: dict[str, pd.DataFrame], name: str, period: int, technologies: list[str] | None = None) -> float:
    gen = tables["generation"]
    gen = gen[gen["period"] == period]
    kinds = tables["technologies"].set_index("technology")["kind"]
    gen = gen[gen["technology"].map(kinds) != "storage"]
    pr = tables["prices"]
    pr = pr[pr["period"] == period]
    tr = tables["trade"]
    tr = tr[tr["period"] == period].merge(pr[["timestep", "weight"]].drop_duplicates(), on="timestep")
    if name == "generation_twh":
        return gen["generation_mwh"].sum() / 1e6
    if name == "generation_share":
        return gen[gen["technology"].isin(technologies or [])]["generation_mwh"].sum() / gen["generation_mwh"].sum()
    if name in ("imports_twh", "exports_twh", "net_imports_twh"):
        imp = (tr["import_mw"] * tr["weight"]).sum() / 1e6
        exp = (tr["export_mw"] * tr["weight"]).sum() / 1e6
        return {"imports_twh": imp, "exports_twh": exp, "net_imports_twh": imp - exp}[name]
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
    if name == "unserved_twh":
        return float((system["unserved_mw"] * system["weight"]).sum() / 1e6)
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

    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "calibration.csv", index=False, float_format="%.6g")
        balance.to_csv(tmp / "capacity_balance.csv", index=False, float_format="%.6g")
    write_results(Path(results_root) / f"{spec.name}-calibration", fill)
    return table, balance


def render(table: pd.DataFrame, balance: pd.DataFrame) -> str:
    lines = ["calibration against published figures:"]
    for r in table.itertuples():
        what = r.metric + (f" ({r.technologies})" if r.technologies else "")
        err = f"{r.error:+.2f}{'%' if r.tolerance_unit == '%' else ''}"
        lines.append(f"  {'ok  ' if r.within else 'MISS'} {what} {r.period}: model {r.model:,.3f} vs {r.target:,.3f} "
                     f"({err}, tolerance {r.tolerance:g}{'%' if r.tolerance_unit == '%' else ''}) — {r.source}")
    lines.append("\ndeficit of the existing fleet, no new builds (MW; peak x (1 + margin) not covered by firm capacity and "
                 "firm imports after the transfers corridors allow; planner/deficit.py):")
    sysreg = balance[balance["scope"] != "zone"]
    piv = sysreg.pivot_table(index="name", columns="period", values="deficit_mw")
    lines.append("  " + "scope".ljust(10) + "".join(f"{p:>9}" for p in piv.columns))
    for name, row in piv.iterrows():
        lines.append("  " + ("system" if name == "*" else str(name)).ljust(10) + "".join(f"{v:>9,.0f}" for v in row))
    return "\n".join(lines)
