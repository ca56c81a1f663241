"""The year check: a run's capacities dispatched over every hour of each period's year.

    planner year-check results/kazakhstan [--method auto|year|rolling] [--window-h 168] [--overlap-h 24]
                                          [--scheduler local|ADDRESS] [--results ROOT]

A plan is computed on a handful of representative days; this study asks whether it holds over the real
year. It reads the run's ``run.json`` (case folder, periods, scenario, settings overrides, cell edits; the case
must be the one the run solved, by its sha256) and its ``capacity`` and ``corridors`` tables, and rebuilds the
case through the pipeline (planner/pipeline.py ``load_for_run``) with time aggregation off, at the case's own
hourly resolution. The plan is fixed by an edit of the case tables, per period p:

    existing_capacity := the run's capacity[z,g,p] (total_mw, energy_mwh), in service for the whole period
    corridors.capacity_mw := the run's corridors[l,p].capacity_mw; corridors.max_new_mw := 0
    build_options, build_potentials, partner_commitments, reserve_margins := empty

so the LP built from it has no investment column at all (not investment columns fixed at bounds: the
period's LP is built alone, without vintages of other periods, and the capacities are the ones the run
reported rather than recomputed). The reserve margin is a rule on capacity, not on dispatch: the check
replaces it by the question it stands for, whether demand is served in every hour. Unserved energy is allowed
at the value of lost load (planner/model/balance.py), so a short plan shows its shortfall.

Two ways to dispatch a period (``--method``; ``auto`` chooses rolling for an hourly series longer than two
windows, see docs/performance.md for the measurement behind it):

- ``year``: one LP of every timestep of the period, exactly the model's rows (storage cyclic over the year,
  every annual row over the year);
- ``rolling``: windows of ``window_h`` committed hours plus ``overlap_h`` hours of look-ahead whose dispatch is
  discarded. State carried from window to window: each store's state of charge (the year starts half full and
  its last window must end at least as full), and what is left of each annual energy
  limit (hydro budget, CO2 cap, fuel limit, annual import and export limits): a window gets the remainder
  times its share of the demand left (committed and look-ahead hours), so the year's total cannot exceed the
  limit, and a winter week gets more than a summer week. The two share rows
  (minimum renewable share, maximum net import share) hold within each window.

Every annual row is elastic (``ELASTIC``): a slack per unit of the row (MWh, t CO2, MWh_th) at 10 x the value of
lost load for a physical limit (water, fuel, trade), which is kept before demand is served, and at 0.1 x for a
policy row (CO2 cap, renewable share, import share), which gives way before demand goes unserved
(``SLACK_PENALTY_X_VOLL``). A row the plan cannot meet is reported with the amount it misses instead of making the
LP infeasible. ``year_annual_rows.csv`` gives each row's limit, the year's value, whether it holds and
by how much it does not, and why.

Periods run one after another here, or on Dask (``--scheduler``, as ``planner sweep``). Tables (units in the
column names), written to ``<results root>/<run name>-year-check/``: ``year_check`` (per period: method, windows,
seconds, headline), ``year_unserved`` (per period and zone: MWh, hours, worst hour's MW and when),
``year_deficit_hours`` (every zone-hour with unserved energy), ``year_hourly`` (per zone and hour: demand,
unserved, price), ``year_prices`` (statistics), ``year_price_duration`` (sorted prices), ``year_generation``
(generation, curtailment and must-run per zone and technology, against the plan), ``year_emissions``,
``year_annual_rows`` and ``year_costs`` (operating cost of the year per category against the run's).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError, Problem
from planner.studies import reserved, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.load import Case
    from planner.spec import RunSpec

NAME = "year-check"
HELP = "dispatch a run's capacities over every hour of each period's year: unserved energy, prices, costs"
METHODS = ("auto", "year", "rolling")
# annual rows made elastic, with the unit of their slack
ELASTIC = {"hydro_budget": "MWh", "co2_cap": "t", "fuel_limit": "MWh_th", "renewable_share": "MWh",
           "import_share": "MWh", "import_limit": "MWh", "import_min": "MWh", "export_limit": "MWh"}
# the slack's cost per unit, x the value of lost load: a physical limit (water, fuel, an interconnector's contract) is
# kept before demand is served (load is shed first); a policy row (CO2 cap, renewable share, import share) gives way
# before demand goes unserved: the check's question is whether the plan serves demand, and a policy missed over the
# year is reported as missed. 0.1 x VOLL (500 USD/t or /MWh at 5,000 USD/MWh) is above the cost of meeting such a
# row by redispatch (gas for coal, ~50 USD/t) and below that of meeting it by shedding load (VOLL / share).
SLACK_PENALTY_X_VOLL = {"hydro_budget": 10.0, "fuel_limit": 10.0, "import_limit": 10.0, "import_min": 10.0,
                        "export_limit": 10.0, "co2_cap": 0.1, "renewable_share": 0.1, "import_share": 0.1}
# HiGHS options per method: a week's LP (~24k columns on the Kazakhstan case) solves as fast by simplex as by the
# interior point (measured, docs/performance.md), and simplex needs no crossover for its prices; a year's LP is large
SLACK = "annual_row_slack"  # year_costs' category of the slack's cost (USD/yr)
# its basis: what the check's LPs paid for the slack of their elastic rows, which is no cost of the system (a share
# row holds within every window, so a winter week short of its renewable share pays it though the year holds)
PENALTY = "the check's penalty on its elastic rows, not a system cost"
DISPATCH_SOLVER = {"rolling": {"method": "simplex", "threads": 1}, "year": {"method": "ipm", "threads": 2}}


@dataclass
class Options:
    method: str = "auto"
    window_h: int = 168
    overlap_h: int = 24
    solver: dict | None = None  # HiGHS options; None: DISPATCH_SOLVER of the method
    plain: bool = False  # benchmarks: also time a plain HiGHS solve of every LP (``plain_solve_s``)


# ---------------------------------------------------------------- the run and its case

def read_run(folder: Path) -> tuple[dict, dict]:
    """The run's result tables and run.json (checksums verified); ``InputError`` for a folder that is not a run's."""
    from planner.report.data import not_a_run
    from planner.store import META, read_meta, read_results

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a folder; give a run's results folder, e.g. results/example")])
    if read_meta(folder) is None:
        raise InputError([Problem(str(folder), f"has no planner {META}: not a run's results folder; give the "
                                               "folder `planner run` wrote, e.g. results/example")])
    not_a_run(folder)
    tables, meta = read_results(folder)
    missing = [t for t in ("capacity", "corridors", "costs", "generation", "emissions") if t not in tables]
    if missing:
        raise InputError([Problem(str(folder), f"lacks the result tables {', '.join(missing)}: not a complete run")])
    return tables, meta


def spec_of(meta: dict, folder: Path) -> RunSpec:
    """The run's specification as run.json recorded it, at full time resolution."""
    from planner.cells import from_dict
    from planner.pipeline import inputs_hash
    from planner.spec import RunSpec, validate_spec
    from planner.store import META

    where = str(Path(folder) / META)
    inputs = Path(str(meta.get("inputs", "")))
    if not inputs.is_dir():
        raise InputError([Problem(where, f"the run's case folder {inputs} is not there; the year check rebuilds the "
                                         "case from it")])
    if meta.get("inputs_sha256") and inputs_hash(inputs) != meta["inputs_sha256"]:
        raise InputError([Problem(where, f"the case {inputs} has changed since the run (its sha256 differs from "
                                         "inputs_sha256): the plan would be checked on other data; run the model "
                                         "again, then check that run")])
    scenario = {k: v for k, v in (meta.get("scenario") or {}).items() if k != "partner_commitments"}
    spec = RunSpec(name=str(meta["name"]), inputs=inputs, path=Path(meta["spec"]) if meta.get("spec") else None,
                   periods=[int(p) for p in meta["periods"]], time={}, settings=dict(meta.get("settings_overrides")
                                                                                      or {}),
                   scenario=scenario, cells=[from_dict(c, where) for c in meta.get("cell_edits") or []])
    return validate_spec(spec)


def full_resolution(spec: RunSpec, periods: list[int]) -> RunSpec:
    """``spec`` as the year check rebuilds it: no time aggregation, the run's periods, commitments not applied
    (they are met by the capacity the run built, which is fixed)."""
    from dataclasses import replace

    scenario = {k: v for k, v in spec.scenario.items() if k != "partner_commitments"}
    return replace(spec, time={}, periods=[int(p) for p in periods], scenario=scenario)


def fix_plan(tables: dict[str, pd.DataFrame], run: dict[str, pd.DataFrame], p: int) -> dict[str, pd.DataFrame]:
    """The case tables with period p's capacity as the run built it and nothing left to build (module docstring)."""
    t = dict(tables)
    years = int(t["periods"].set_index("period").at[p, "years"])
    cap = run["capacity"]
    cap = cap[(cap["period"] == p) & ((cap["total_mw"] > 0) | (cap["energy_mwh"] > 0))]
    ex = t["existing_capacity"]
    t["existing_capacity"] = ex.iloc[0:0].reindex(range(len(cap))).assign(
        zone=cap["zone"].to_numpy(), technology=cap["technology"].to_numpy(), build_year=p,
        capacity_mw=cap["total_mw"].to_numpy(dtype=float), retirement_year=p + years,
        energy_mwh=cap["energy_mwh"].to_numpy(dtype=float))
    built = run["corridors"][run["corridors"]["period"] == p].set_index("corridor")["capacity_mw"]
    cor = t["corridors"].copy()
    cor["capacity_mw"] = cor["corridor"].map(built).fillna(0.0).astype(float)
    cor["available_from"] = p
    cor["max_new_mw"] = 0.0
    t["corridors"] = cor
    for name in ("build_options", "build_potentials", "partner_commitments", "reserve_margins"):
        if name in t:
            t[name] = t[name].iloc[0:0]
    return t


def _case(case: Case, tables: dict) -> Case:
    from planner.load import Case

    return Case(case.path, tables, dict(case.settings), list(case.warnings))


def _window(tables: dict, first: int, last: int) -> dict:
    """The tables restricted to timesteps first..last (ids), one block."""
    import numpy as np

    t = dict(tables)
    for name in ("timesteps", "demand", "availability", "min_output"):
        df = t[name]
        ts = df["timestep"].to_numpy()
        if name == "timesteps":
            t[name] = df[(ts >= first) & (ts <= last)].assign(block=0)
            continue
        order = np.argsort(ts, kind="stable")
        lo, hi = np.searchsorted(ts[order], [first, last + 1])
        t[name] = df.iloc[np.sort(order[lo:hi])]
    return t


def hourly(case: Case) -> bool:
    ts = case["timesteps"]
    return bool((ts["weight"] == 1).all() and ts["block"].nunique() == 1)


# ---------------------------------------------------------------- one LP

@contextmanager
def _elastic(m, d, p: int):
    """Every annual row of ``ELASTIC`` gets a slack (in the row's unscaled unit) at 10 x VOLL per unit."""
    import pyomo.environ as pyo

    rows = [(name, idx) for name in ELASTIC if hasattr(m, name) for idx in getattr(m, name)]
    m.yc_slack = pyo.Var(range(len(rows)), within=pyo.NonNegativeReals, doc="Slack of an annual row (its unit)")
    for i, (name, idx) in enumerate(rows):
        con = getattr(m, name)[idx]
        f = m._row_scale.get(name, 1.0)
        s = f * m.yc_slack[i]
        con.set_value((con.lower, con.body - s, con.upper) if con.upper is not None else
                      (con.lower, con.body + s, con.upper))
    voll = float(d.settings["value_of_lost_load_usd_per_mwh"])
    m.total_cost.expr = m.total_cost.expr + d.discount_weight[p] * sum(
        slack_usd_per_unit(name, voll) * m.yc_slack[i] for i, (name, _) in enumerate(rows))
    yield rows


def slack_usd_per_unit(row: str, voll_usd_per_mwh: float) -> float:
    """The annual cost of one unit of an annual row's slack (USD/yr per MWh, t or MWh_th): SLACK_PENALTY_X_VOLL x
    the value of lost load. The check's objective charges it, discounted as every annual cost is, and
    ``year_costs.csv`` reports it as the category ``annual_row_slack``."""
    return SLACK_PENALTY_X_VOLL[row] * voll_usd_per_mwh


def _committed_costs(m, d, p: int, committed: list[int]) -> dict[str, float]:
    """The LP's own annual costs per category (results.costs, the objective's terms) over the ``committed`` hours:
    the look-ahead hours' variables (every variable indexed ``[..., p, t]``) count as 0 while the costs are
    evaluated, and get their values back after."""
    from planner import results

    ahead = set(d.TIMESTEPS) - set(committed)
    saved = []
    if ahead:
        import pyomo.environ as pyo

        for var in m.component_objects(pyo.Var, active=True):
            for idx, v in var.items():
                if isinstance(idx, tuple) and len(idx) >= 2 and idx[-2] == p and idx[-1] in ahead:
                    saved.append((v, v.value))
                    v.set_value(0.0, skip_validation=True)
    try:
        c = results.costs(m, d)
    finally:
        for v, value in saved:
            v.set_value(value, skip_validation=True)
    return dict(zip(c["category"], c["annual_usd"].astype(float)))


def _chain_storage(m, d, p: int, start: dict | None, end_at_least: dict | None) -> None:
    """The window's first state of charge follows ``start`` rather than the window's own last hour (None, the year's
    first window: half the energy capacity); ``end_at_least``: its last state at least this (the year's last window
    ends at least as full as the year began, so the year takes no energy from its stores).

    A free starting state would let the first window take energy it never pays for, which the last window must then
    put back; a start half full is one plausible state that is energy-neutral over the year."""
    import pyomo.environ as pyo

    S = d.of_kind("storage")
    if not S:
        return
    t0, t1 = d.TIMESTEPS[0], d.TIMESTEPS[-1]
    eta_c = d.tech["efficiency_charge"].to_dict()
    eta_d = d.tech["efficiency_discharge"].to_dict()
    for z, g in S:
        m.storage_soc[z, g, p, t0].deactivate()
    if start is None:  # the year's first window: half full (and the year must end at least as full, below)
        start = {(z, g): 0.5 * pyo.value(m.ecap[z, g, p]) for z, g in S}
    init = {k: start.get(k, 0.0) for k in S}
    m._yc_soc_start = init
    m.yc_soc_chain = pyo.Constraint(S, rule=lambda m, z, g: m.soc[z, g, p, t0] == init[(z, g)]
                                    + eta_c[g] * m.charge[z, g, p, t0] - m.gen[z, g, p, t0] / eta_d[g],
                                    doc="State of charge carried from the window before (MWh)")
    if end_at_least is not None:
        m.yc_soc_end = pyo.Constraint(S, rule=lambda m, z, g: m.soc[z, g, p, t1] >= end_at_least.get((z, g), 0.0),
                                      doc="The year ends with at least the state it started with (MWh)")


@dataclass
class Piece:
    """What one LP (a period, or one window of it) dispatched in its committed hours."""

    dispatch: pd.DataFrame
    prices: pd.DataFrame
    trade: pd.DataFrame
    storage: pd.DataFrame
    slack: list
    costs: dict  # USD/yr per category over the committed hours (results.costs' categories, and SLACK)
    soc_end: dict
    soc_start: dict
    seconds: dict
    size: dict


def _solve_piece(case: Case, p: int, committed: list[int], options: Options, start: dict | None = None,
                 end_at_least: dict | None = None, chain: bool = False) -> Piece:
    import pandas as pd

    from planner import results
    from planner.model.build import build_model
    from planner.model.data import prepare
    from planner.solve import Solver

    t0 = time.perf_counter()
    d = prepare(case, [p])
    m = build_model(d)
    if chain:
        _chain_storage(m, d, p, start, end_at_least)
    with _elastic(m, d, p) as rows:
        t1 = time.perf_counter()
        s = Solver(m, options.solver or DISPATCH_SOLVER["rolling" if chain else "year"])
        s.run()
        t2 = time.perf_counter()
        plain = _plain_solve_s(s) if options.plain else 0.0
        s.load()
        sol = s.solution()
    keep = set(committed)
    pieces = {}
    for name, df in (("dispatch", results.dispatch(m, d)), ("prices", results.prices(m, d, sol)),
                     ("trade", results.trade(m)), ("storage", results.storage(m, d))):
        pieces[name] = df[df["timestep"].isin(keep)].reset_index(drop=True)
    slack = [(name, idx, float(m.yc_slack[i].value or 0.0)) for i, (name, idx) in enumerate(rows)]
    costs = _committed_costs(m, d, p, committed)
    voll = float(d.settings["value_of_lost_load_usd_per_mwh"])
    costs[SLACK] = sum(slack_usd_per_unit(name, voll) * v for name, _, v in slack)
    w = pd.Series(d.weight, name="weight", dtype=float)
    for name in ("dispatch", "trade"):
        pieces[name] = pieces[name].join(w, on="timestep")
    last = max(committed)
    soc_end = {(z, g): float(m.soc[z, g, p, last].value or 0.0) for z, g in d.of_kind("storage")}
    soc_start = dict(getattr(m, "_yc_soc_start", {}))
    return Piece(**pieces, slack=slack, costs=costs, soc_end=soc_end, soc_start=soc_start,
                 seconds={"build_s": t1 - t0, "solve_s": t2 - t1, "extract_s": time.perf_counter() - t2 - plain,
                          "plain_solve_s": plain},
                 size=sol.size)


def _plain_solve_s(s) -> float:
    """Seconds plain highspy takes to solve the same LP, cold, with the same options (for benchmarks)."""
    import highspy

    from planner.solve import OPTION_NAMES

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for k, v in s.options.items():
        h.setOptionValue(OPTION_NAMES.get(k, k), v)
    h.passModel(s.h.getLp())
    t = time.perf_counter()
    h.run()
    return time.perf_counter() - t


# ---------------------------------------------------------------- the annual rows of a period

@dataclass(frozen=True)
class Limit:
    """One annual row of a period, as the check sees it. ``annual_limits`` is the one list of them: the rolling
    horizon shares those with a ``table`` among its windows and counts what each window used (``value``), and
    ``year_annual_rows.csv`` reports every one over the year (``value`` of the year's dispatch)."""

    row: str               # the constraint family, a key of ELASTIC (its slack's name)
    index: object          # the row's index in the model
    unit: str
    limit: float
    at_most: bool
    value: Callable        # (dispatch, trade, demand MWh) -> the row's value over those hours; frames with "weight"
    table: str = ""        # where the limit is in the case tables, when the windows share it ("" for a share row,
    select: tuple = ()     # which holds within each window); ((column, value), ...) picking its row there
    column: str = ""


def of_generation(disp: pd.DataFrame, per_mwh: dict[str, float]) -> float:
    """sum_{z,g,t} w_t x generation_mw x per_mwh[g] of a dispatch with its ``weight`` column: the year's emissions
    (t, with core's emission factors) or fuel burned (MWh_th, with core's fuel use), as the model's rows count
    them over the hours of the dispatch."""
    from planner.core.economics import mwh

    return float((mwh(disp["generation_mw"], disp["weight"]) * disp["technology"].map(per_mwh).fillna(0.0)).sum())


def annual_limits(t: dict, p: int) -> list[Limit]:
    """Every annual row of period p in the tables ``t`` (the plan fixed by ``fix_plan``): hydro budgets of the
    plants the plan has, the CO2 cap, fuel limits, the minimum renewable share, the maximum net import share and
    each interconnector's annual limits."""
    from planner.core.economics import emission_factor_t_per_mwh, fuel_use_mwh_th_per_mwh
    from planner.core.economics import mwh as energy

    tech = t["technologies"].set_index("technology")
    per = t["periods"].set_index("period")
    ex = t["existing_capacity"]
    plants = set(zip(ex["zone"], ex["technology"]))

    def mwh(df, col="generation_mw"):
        return energy(df[col], df["weight"])

    def of(z, g):
        return lambda disp, trd, dem: float(mwh(disp)[(disp["zone"] == z) & (disp["technology"] == g)].sum())

    def per_mwh(factor: dict):
        return lambda disp, trd, dem: of_generation(disp, factor)

    def traded(i, col):
        return lambda disp, trd, dem: float(mwh(trd, col)[trd["interconnector"] == i].sum())

    def renewable(disp, trd, dem):
        kind = disp["technology"].map(tech["kind"])
        e = mwh(disp)[kind != "storage"]
        ren = e[disp["technology"].map(tech["renewable"]).astype(bool)]
        return float(ren.sum() / e.sum()) if e.sum() else 0.0

    def net_imports(disp, trd, dem):
        return float((mwh(trd, "import_mw") - mwh(trd, "export_mw")).sum()) / dem if dem else 0.0

    out = []
    for h in t["hydro_budgets"].itertuples():
        if int(h.period) == p and (h.zone, h.technology) in plants:
            out.append(Limit("hydro_budget", (h.zone, h.technology, p), "MWh", float(h.energy_mwh), True,
                             of(h.zone, h.technology), "hydro_budgets",
                             (("zone", h.zone), ("technology", h.technology)), "energy_mwh"))
    cap = per.at[p, "co2_cap_t"]
    if cap == cap:  # not NaN
        ef = emission_factor_t_per_mwh(tech, t["fuels"].set_index("fuel"))
        out.append(Limit("co2_cap", p, "t", float(cap), True, per_mwh(ef), "periods", (), "co2_cap_t"))
    for f in t["fuel_limits"].itertuples():
        if int(f.period) == p:
            use = fuel_use_mwh_th_per_mwh(tech, f.fuel)
            out.append(Limit("fuel_limit", (f.fuel, p), "MWh_th", float(f.max_use_mwh_th), True, per_mwh(use),
                             "fuel_limits", (("fuel", f.fuel),), "max_use_mwh_th"))
    share = float(per.at[p, "min_renewable_share"])
    if share > 0:
        out.append(Limit("renewable_share", p, "pu", share, False, renewable))
    imp_share = per.at[p, "max_net_import_share"]
    if imp_share == imp_share:
        out.append(Limit("import_share", p, "pu", float(imp_share), True, net_imports))
    for x in t["trade_prices"].itertuples():
        if int(x.period) == p:
            for col, row, flow, at_most in (("max_import_mwh", "import_limit", "import_mw", True),
                                            ("min_import_mwh", "import_min", "import_mw", False),
                                            ("max_export_mwh", "export_limit", "export_mw", True)):
                v = getattr(x, col)
                if v == v:
                    out.append(Limit(row, (x.interconnector, p), "MWh", float(v), at_most,
                                     traded(x.interconnector, flow), "trade_prices",
                                     (("interconnector", x.interconnector),), col))
    return out


def _allot(t: dict, p: int, share: dict[Limit, float]) -> dict:
    """The tables with each shared annual limit set to its window's share ``share[limit]``."""
    t = dict(t)
    for lim, v in share.items():
        df = t[lim.table].copy()
        sel = df["period"] == p
        for col, key in lim.select:
            sel &= df[col] == key
        df.loc[sel, lim.column] = v
        t[lim.table] = df
    return t


# ---------------------------------------------------------------- a period

def check_period(spec: RunSpec, run: dict[str, pd.DataFrame], p: int, options: Options,
                 case: Case | None = None) -> dict:
    """Dispatch period p of the plan over the case's full resolution; return its pieces joined (runs on a worker,
    which loads the case itself: ``case`` None)."""
    import numpy as np
    import pandas as pd

    from planner.pipeline import load_for_run

    t0 = time.perf_counter()
    if case is None:
        case, _, _ = load_for_run(spec)
    tables = fix_plan(case.tables, run, p)
    load_s = time.perf_counter() - t0
    steps = sorted(int(x) for x in tables["timesteps"]["timestep"])
    method = options.method
    rolling_ok = hourly(case) and len(steps) > options.window_h
    if method == "auto":
        method = "rolling" if rolling_ok and len(steps) > 2 * options.window_h else "year"
    if method == "rolling" and not rolling_ok:
        raise InputError([Problem("--method", f"rolling needs an hourly series (weight 1, one block) longer than "
                                              f"--window-h {options.window_h}; this case has {len(steps)} timesteps; "
                                              "use --method year")])
    pieces: list[Piece] = []
    if method == "year":
        pieces.append(_solve_piece(_case(case, tables), p, steps, options))
    else:
        left = {lim: lim.limit for lim in annual_limits(tables, p) if lim.table}
        W, O = options.window_h, options.overlap_h
        n = len(steps)
        # the windows share each annual limit in proportion to system demand: a winter week gets more of the water,
        # the fuel and the imports than a summer week, as it needs more (in proportion to hours, measured on the
        # Kazakhstan case, January went short of hydro and imports that the rest of the year left unused)
        dem = tables["demand"].groupby("timestep")["demand_mw"].sum().reindex(steps).fillna(0.0).to_numpy()
        cum = np.concatenate([[0.0], np.cumsum(dem)])
        start: dict | None = None
        year_start: dict = {}
        for a in range(0, n, W):
            b = min(a + W, n)
            e = min(b + O, n)
            frac = (cum[e] - cum[a]) / (cum[n] - cum[a]) if cum[n] > cum[a] else (e - a) / (n - a)
            share = {k: max(v, 0.0) * frac for k, v in left.items()}
            win = _window(_allot(tables, p, share), steps[a], steps[e - 1])
            last = b == n
            piece = _solve_piece(_case(case, win), p, steps[a:b], options, start=start,
                                 end_at_least=year_start if last else None, chain=True)
            if a == 0:
                year_start = piece.soc_start
            # what the window took of the limit itself: its use less the slack it leaned on above its share (at
            # most), or plus the slack that made up its share (at least); the slack is the window's miss, reported
            # over the year, and later windows keep their shares
            slack = {(name, _key(idx)): v for name, idx, v in piece.slack}
            for lim in left:
                over = slack.get((lim.row, _key(lim.index)), 0.0)
                left[lim] -= lim.value(piece.dispatch, piece.trade, 0.0) + (-over if lim.at_most else over)
            start = piece.soc_end
            pieces.append(piece)
    joined = {name: pd.concat([getattr(x, name) for x in pieces], ignore_index=True)
              for name in ("dispatch", "prices", "trade", "storage")}
    seconds = {k: sum(x.seconds[k] for x in pieces) for k in ("build_s", "solve_s", "extract_s", "plain_solve_s")}
    seconds["load_s"] = load_s
    seconds["total_s"] = time.perf_counter() - t0
    slack = [(name, idx, v) for x in pieces for name, idx, v in x.slack]
    costs: dict[str, float] = {}
    for x in pieces:
        for c, v in x.costs.items():
            costs[c] = costs.get(c, 0.0) + v
    return {"period": p, "method": method, "windows": len(pieces), "seconds": seconds, "slack": slack,
            "costs": costs,
            "columns_max": max(x.size.get("columns", 0) for x in pieces), **joined}


def check(folder: Path, options: Options | None = None, results_root: Path | None = None,
          scheduler: str | None = None, write: bool = True) -> dict[str, pd.DataFrame]:
    """The year check of the run in ``folder``: every period dispatched, the tables made and (``write``) written."""
    from planner.studies import results_folder
    options = options or Options()
    if options.method not in METHODS:
        raise InputError([Problem("--method", f"{options.method!r}; expected one of {', '.join(METHODS)}")])
    if options.window_h < 1 or options.overlap_h < 0:
        raise InputError([Problem("--window-h", "windows need at least 1 hour and an overlap of 0 hours or more")])
    run, meta = read_run(folder)
    spec = spec_of(meta, folder)
    root = Path(results_root) if results_root is not None else Path(folder).resolve().parent
    target = results_folder(spec, NAME, root=root) if write else None
    with reserved(target) as slot:
        out = check_run(spec, run, options, scheduler)
        if slot is not None:
            from planner.report.year import write_page

            write_tables(slot, out, extra=lambda tmp: write_page(tmp / "year_check.html", out,
                                                                 f"Year check of {spec.name}"))
    return out


def check_run(spec: RunSpec, run: dict[str, pd.DataFrame], options: Options | None = None,
              scheduler: str | None = None, case: Case | None = None) -> dict[str, pd.DataFrame]:
    """The year check of a run held in memory: ``spec`` at full time resolution, ``run`` its result tables;
    ``case`` the case ``load_for_run(spec)`` gives, when the caller has it already (time-error checks every plan
    on the same hourly case)."""
    from planner.pipeline import load_for_run

    if case is None:
        case, _, _ = load_for_run(spec)
    return make_tables(dispatch_periods(spec, run, options, scheduler, case), run, case)


def dispatch_periods(spec: RunSpec, run: dict[str, pd.DataFrame], options: Options | None = None,
                     scheduler: str | None = None, case: Case | None = None) -> list[dict]:
    """Every period of the plan dispatched over its year (``check_period``), here or on Dask (``scheduler``); what
    ``make_tables`` makes the tables of. It depends on the plan's capacity (``capacity``, ``corridors``) alone."""
    options = options or Options()
    args = [(spec, run, p, options) for p in spec.periods]
    if scheduler is None:
        return [check_period(*a, case) for a in args]
    from planner.distributed import dask_map

    return dask_map(check_period, args, scheduler)


def plan_key(run: dict[str, pd.DataFrame], digits: int = 3) -> tuple:
    """What the year's dispatch of a plan depends on: its capacity and corridors, rounded to ``digits`` decimals
    (MW, MWh). Two plans with one key have the same year check (time-error checks such a plan once)."""
    cap = run["capacity"]
    cap = cap[(cap["total_mw"].abs() > 0) | (cap["energy_mwh"].abs() > 0)]
    cor = run["corridors"]
    return (tuple(sorted(zip(cap["zone"], cap["technology"], cap["period"].astype(int),
                             cap["total_mw"].round(digits), cap["energy_mwh"].round(digits)))),
            tuple(sorted(zip(cor["corridor"], cor["period"].astype(int), cor["capacity_mw"].round(digits)))))


def year_cost_pv(out: dict[str, pd.DataFrame], discount_weight: dict[int, float], slack: bool = False) -> float:
    """Present value of the plan's cost when it runs over the year: sum_p df[p] x the year's annual cost (USD), the
    system's costs only; ``slack``: instead, the present value of the check's penalty on its elastic rows (SLACK)."""
    c = out["year_costs"]
    c = c[(c["category"] == SLACK) == slack]
    return float(sum(discount_weight[int(p)] * v for p, v in zip(c["period"], c["year_usd_per_yr"])))


# ---------------------------------------------------------------- tables

FIXED_BY_PLAN = ("investment", "fixed_om", "transmission")  # costs of capacity: the same capacity, the same cost
TOL = 1e-6


def _calendar(case: Case) -> pd.DataFrame:
    """Per timestep: its weight, month, day of the series and hour of the day (by position, 24 to a day)."""
    ts = case["timesteps"].sort_values("timestep").reset_index(drop=True)
    pos = ts.index.to_numpy()
    return ts.assign(day_of_year=pos // 24 + 1, hour_of_day=pos % 24)[
        ["timestep", "weight", "month", "day_of_year", "hour_of_day"]]


def make_tables(done: list[dict], run: dict[str, pd.DataFrame], case: Case) -> dict[str, pd.DataFrame]:
    """The year check's tables from the periods' dispatch (module docstring)."""
    import numpy as np
    import pandas as pd

    from planner.core.economics import emission_factor_t_per_mwh, mwh, with_mwh
    from planner.report.tables import weighted_quantile

    cal = _calendar(case)
    tech = case["technologies"].set_index("technology")
    fuels = case["fuels"].set_index("fuel")
    per = case["periods"].set_index("period")
    voll = float(case.settings["value_of_lost_load_usd_per_mwh"])
    ef = emission_factor_t_per_mwh(tech, fuels)
    out: dict[str, list] = {k: [] for k in ("year_check", "year_unserved", "year_deficit_hours", "year_hourly",
                                            "year_prices", "year_price_duration", "year_generation",
                                            "year_emissions", "year_annual_rows", "year_costs")}
    for r in done:
        p = r["period"]
        pr = r["prices"].drop(columns=["weight"]).merge(cal, on="timestep")
        pr["period"] = p
        out["year_hourly"].append(pr[["period", "zone", "timestep", "month", "day_of_year", "hour_of_day", "weight",
                                      "demand_mw", "unserved_mw", "price_usd_per_mwh"]])
        short = pr["unserved_mw"] > TOL
        out["year_deficit_hours"].append(pr.loc[short, ["period", "zone", "timestep", "month", "day_of_year",
                                                        "hour_of_day", "demand_mw", "unserved_mw",
                                                        "price_usd_per_mwh"]])
        plan_pr = run["prices"][run["prices"]["period"] == p]
        for z, g in pr.groupby("zone", sort=False):
            worst = g.loc[g["unserved_mw"].idxmax()]
            pz = plan_pr[plan_pr["zone"] == z]
            out["year_unserved"].append({
                "period": p, "zone": z, "demand_mwh": float(mwh(g["demand_mw"], g["weight"]).sum()),
                "unserved_mwh": float(mwh(g["unserved_mw"], g["weight"]).sum()),
                "unserved_hours": float(g.loc[g["unserved_mw"] > TOL, "weight"].sum()),
                "worst_hour_mw": float(worst["unserved_mw"]),
                "worst_timestep": int(worst["timestep"]) if worst["unserved_mw"] > TOL else -1,
                "worst_day_of_year": int(worst["day_of_year"]) if worst["unserved_mw"] > TOL else -1,
                "worst_hour_of_day": int(worst["hour_of_day"]) if worst["unserved_mw"] > TOL else -1,
                "plan_unserved_mwh": float(mwh(pz["unserved_mw"], pz["weight"]).sum())})
            x, wt = g["price_usd_per_mwh"].to_numpy(), g["weight"].to_numpy()
            q = [weighted_quantile(x, wt, f) for f in (0.5, 0.95)]
            out["year_prices"].append({
                "period": p, "zone": z, "mean_usd_per_mwh": float(np.average(x, weights=wt)),
                "min_usd_per_mwh": float(x.min()), "median_usd_per_mwh": float(q[0]),
                "p95_usd_per_mwh": float(q[1]), "max_usd_per_mwh": float(x.max()),
                "std_usd_per_mwh": float(np.sqrt(np.average((x - np.average(x, weights=wt)) ** 2, weights=wt))),
                "hours_at_voll": float(wt[x >= 0.999 * voll].sum()),
                "plan_mean_usd_per_mwh": float(np.average(pz["price_usd_per_mwh"], weights=pz["weight"]))
                if len(pz) else float("nan")})
            share = np.linspace(0.0, 1.0, 101)
            for source, xs, ws in (("year", x, wt), ("plan", pz["price_usd_per_mwh"].to_numpy(),
                                                     pz["weight"].to_numpy())):
                if len(xs):
                    out["year_price_duration"].append(pd.DataFrame({
                        "period": p, "zone": z, "source": source, "share_of_hours_pu": share,
                        "price_usd_per_mwh": [weighted_quantile(xs, ws, 1.0 - f) for f in share]}))
        # generation, curtailment, must-run
        disp = r["dispatch"]
        cap = run["capacity"][run["capacity"]["period"] == p].set_index(["zone", "technology"])["total_mw"]
        mo = case["min_output"]
        disp = disp.merge(mo[["zone", "technology", "timestep", "min_output_pu"]], how="left",
                          on=["zone", "technology", "timestep"])
        disp["min_output_pu"] = disp["min_output_pu"].fillna(disp["technology"].map(tech["min_output_pu"]))
        disp["must_run_mw"] = disp["min_output_pu"] * disp.set_index(["zone", "technology"]).index.map(cap).to_numpy()
        disp.loc[disp["technology"].map(tech["kind"]) == "storage", "must_run_mw"] = 0.0
        disp = with_mwh(disp, ("generation_mw", "available_mw", "charge_mw", "must_run_mw"))
        disp["must_run_short_h"] = np.where(disp["generation_mw"] < disp["must_run_mw"] - TOL, disp["weight"], 0.0)
        gen = disp.groupby(["zone", "technology"], as_index=False)[
            ["generation_mwh", "available_mwh", "charge_mwh", "must_run_mwh", "must_run_short_h"]].sum()
        variable = gen["technology"].map(tech["kind"]) == "variable"
        gen["curtailment_mwh"] = np.where(variable, gen["available_mwh"] - gen["generation_mwh"], 0.0)
        plan_gen = run["generation"][run["generation"]["period"] == p].set_index(["zone", "technology"])
        idx = gen.set_index(["zone", "technology"]).index
        gen["plan_generation_mwh"] = idx.map(plan_gen["generation_mwh"]).to_numpy()
        gen["plan_curtailment_mwh"] = idx.map(plan_gen["curtailment_mwh"]).to_numpy()
        gen["must_run_met"] = gen["must_run_short_h"] <= 0
        gen.insert(0, "period", p)
        out["year_generation"].append(gen)
        # emissions and costs
        emissions = of_generation(disp, ef)
        cap_t = per.at[p, "co2_cap_t"]
        plan_em = run["emissions"].set_index("period")["emissions_t"].get(p, float("nan"))
        out["year_emissions"].append({"period": p, "emissions_t": emissions, "cap_t": cap_t,
                                      "within_cap": bool(cap_t != cap_t or emissions <= cap_t * (1 + TOL)),
                                      "plan_emissions_t": float(plan_em)})
        unserved = float(sum(u["unserved_mwh"] for u in out["year_unserved"] if u["period"] == p))
        year_cost = r["costs"]  # the LP's own categories (results.costs) over the committed hours, and SLACK
        plan_cost = run["costs"][run["costs"]["period"] == p].set_index("category")["annual_usd"]
        for c in dict.fromkeys([*plan_cost.index, *year_cost]):
            plan = float(plan_cost.get(c, 0.0))
            fixed = c in FIXED_BY_PLAN
            year = plan if fixed else year_cost.get(c, float("nan"))
            basis = ("capacity, fixed by the plan" if fixed else PENALTY if c == SLACK else "the year's dispatch")
            out["year_costs"].append({"period": p, "category": c, "year_usd_per_yr": year, "plan_usd_per_yr": plan,
                                      "difference_usd_per_yr": year - plan, "basis": basis})
        demand = float(mwh(pr["demand_mw"], pr["weight"]).sum())
        rows = _annual_rows(r, annual_limits(fix_plan(case.tables, run, p), p), disp, r["trade"], demand)
        out["year_annual_rows"] += rows
        operating = [x for x in out["year_costs"] if x["period"] == p and x["basis"] == "the year's dispatch"]
        pu = [u for u in out["year_unserved"] if u["period"] == p]
        out["year_check"].append({
            "period": p, "method": r["method"], "windows": r["windows"], "timesteps": len(cal),
            "largest_lp_columns": r["columns_max"], **{k: round(v, 3) for k, v in r["seconds"].items()},
            "unserved_mwh": unserved, "plan_unserved_mwh": sum(u["plan_unserved_mwh"] for u in pu),
            "zones_short": sum(1 for u in pu if u["unserved_mwh"] > TOL),
            "worst_hour_mw": max((u["worst_hour_mw"] for u in pu), default=0.0),
            "curtailment_mwh": float(gen["curtailment_mwh"].sum()), "emissions_t": emissions,
            "operating_cost_usd_per_yr": sum(x["year_usd_per_yr"] for x in operating),
            "plan_operating_cost_usd_per_yr": sum(x["plan_usd_per_yr"] for x in operating),
            "slack_penalty_usd_per_yr": float(year_cost.get(SLACK, 0.0)),
            "annual_rows_missed": sum(1 for x in rows if not x["holds"])})
    frames = {}
    for k, v in out.items():
        if v and isinstance(v[0], pd.DataFrame):
            frames[k] = pd.concat(v, ignore_index=True)
        else:
            frames[k] = pd.DataFrame(v)
    if len(frames["year_deficit_hours"]) == 0:
        frames["year_deficit_hours"] = pd.DataFrame(columns=["period", "zone", "timestep", "month", "day_of_year",
                                                             "hour_of_day", "demand_mw", "unserved_mw",
                                                             "price_usd_per_mwh"])
    return frames


def _key(index) -> str:
    return "/".join(map(str, index)) if isinstance(index, tuple) else str(index)


def _annual_rows(r: dict, limits: list[Limit], disp: pd.DataFrame, trd: pd.DataFrame,
                 demand_mwh: float) -> list[dict]:
    """Each annual row of the period over the year: its limit, the year's value, whether it holds, by how much not,
    and why."""
    slack: dict = {}
    for name, idx, v in r["slack"]:
        slack[(name, _key(idx))] = slack.get((name, _key(idx)), 0.0) + v
    rows = []
    for lim in limits:
        value = lim.value(disp, trd, demand_mwh)
        miss = max(0.0, value - lim.limit) if lim.at_most else max(0.0, lim.limit - value)
        used = slack.get((lim.row, _key(lim.index)), 0.0)
        holds = miss <= TOL * max(1.0, abs(lim.limit))
        why = ""
        if not holds and used > TOL:
            x = SLACK_PENALTY_X_VOLL[lim.row]
            how = ("even by leaving demand unserved" if x > 1 else
                   "over the year without leaving demand unserved, and the check serves demand first")
            why = (f"the plan cannot meet it {how}: the LP used {used:,.6g} of the row's slack (at {x:g} x the value "
                   "of lost load per unit)")
        elif not holds and r["method"] == "rolling":
            why = ("rolling horizon: each window met its share over its committed and look-ahead hours, which does "
                   "not add up exactly over the committed hours alone")
        elif not holds:
            why = "missed within the solver's tolerance"
        rows.append({"period": r["period"], "row": lim.row, "index": _key(lim.index), "unit": lim.unit,
                     "limit": lim.limit, "year_value": value, "sense": "<=" if lim.at_most else ">=", "holds": holds,
                     "missed_by": miss, "slack_used": used, "why": why})
    return rows


# ---------------------------------------------------------------- CLI

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("results_dir", help="a run's results folder, e.g. results/kazakhstan")
    p.add_argument("--method", default="auto", choices=METHODS,
                   help="year: one LP per period; rolling: weekly windows with overlap; auto: rolling for an hourly "
                        "year (default)")
    p.add_argument("--window-h", type=int, default=168, help="committed hours per window (rolling; default 168)")
    p.add_argument("--overlap-h", type=int, default=24, help="look-ahead hours per window (rolling; default 24)")
    p.add_argument("--scheduler", help="dask.distributed scheduler address, or 'local' for a LocalCluster here")
    p.add_argument("--results", help="results root (default: the folder that holds the run's results)")


def summary_lines(out: dict[str, pd.DataFrame]) -> list[str]:
    """What the year check found, for the terminal."""
    cols = ["period", "method", "windows", "total_s", "unserved_mwh", "zones_short", "worst_hour_mw",
            "curtailment_mwh", "emissions_t", "operating_cost_usd_per_yr", "plan_operating_cost_usd_per_yr",
            "annual_rows_missed"]
    lines = ["year check (every hour of each period, the plan's capacity fixed):",
             out["year_check"][cols].to_string(index=False)]
    u = out["year_unserved"]
    short = u[u["unserved_mwh"] > TOL]
    if len(short):
        lines += ["", "zones short in some hour:", short.to_string(index=False)]
    else:
        lines += ["", "no zone is short in any hour"]
    rows = out["year_annual_rows"]
    if len(rows) and not rows["holds"].all():
        lines += ["", "annual rows missed over the year:",
                  rows.loc[~rows["holds"], ["period", "row", "index", "limit", "year_value", "missed_by", "why"]]
                  .to_string(index=False)]
    return lines


def run(args: argparse.Namespace) -> int:
    out = check(Path(args.results_dir), Options(args.method, args.window_h, args.overlap_h),
                Path(args.results) if args.results else None, args.scheduler)
    print("\n".join(summary_lines(out)))
    return 0


def report_section(run) -> str:
    """The year check's section of a run's report (the study hook, planner/studies/__init__.py): that of
    planner/report/year.py when a year check is stored beside the run, else ""."""
    from planner.report.year import section_for

    return section_for(run)
