"""Where should partner K build? The least-cost siting, what it would take elsewhere, a programme, its robustness.

    planner placement MODEL.toml --partner TR [--programme 0,500,1000,2000 --unit MW --by 2030]
                                 [--slack 0.01] [--scheduler ADDRESS|local]

One model is built and compiled once and kept in one HiGHS instance
(planner.solve.Solver); every further solve changes a bound, a row or the
objective and warm-starts from the last basis.

1. Where K builds (``where.csv``): K's new MW and overnight capex by zone ×
   technology × period in the least-cost plan.

2. What it would take elsewhere (``break_even.csv``). For a build column
   x = new_cap[b,q] of K that the plan leaves at 0, HiGHS reports its reduced cost

       rc = c_x - sum_r a_rx y_r   >= 0       (present-value USD per MW)

   with c_x = capex_b * CRF(w_k, life_g) * A_q, A_q = sum_p df[p] * s(q, q + life_g, p)
   (capex enters the objective as an annuity, discounted, for the years in
   service inside the horizon: capacity.py, objective.py). The overnight cost
   also enters K's money rows (partner_envelope, commitment_usd) with
   coefficient scale_r * capex_b. Lowering capex_b by D lowers rc by
   D * (CRF * A_q - sum_{money rows} scale_r * y_r); x is non-basic, so the basis
   and the duals y stay optimal until rc reaches 0, and the column enters at

       capex* = capex_b - rc / (CRF(w_k, life_g) * A_q - sum_{money rows} scale_r * y_r)

   exactly. The break-even WACC leaves the money rows alone and solves
   CRF(w*, life_g) = CRF(w_k, life_g) - rc / (capex_b * A_q); there is none when
   that is below CRF(0) = 1 / life_g (not chosen even at 0 % cost of capital).
   Both are reported in USD/kW and as a fraction per year, one column at a time
   (the others at their own terms). A reduced cost within HiGHS's dual feasibility
   tolerance times max(1, |c_x|, |c_x - rc|) is 0 (its sign is noise): the site ties
   with what the plan builds, breaks even at its own capex and WACC, and is
   labelled a tie (``tie`` column, summary).

3. A programme curve (``programme.csv``, ``programme_displaced.csv``,
   ``programme_sites.csv``): K's commitment (planner/model/commitments.py) of
   each size by a period, in MW, USD or MWh/yr; for each: the present-value
   premium over the least-cost plan, the annual cost premium per period, emissions,
   the commitment's dual (the marginal cost of the programme), the new MW it
   displaces by partner and technology and the generation it displaces by
   technology, and where K's MW go. Points are solved here from the one model or,
   with ``--scheduler``, in chunks on a Dask cluster (one model per chunk).

4. Robustness (``alternatives.csv``), modelling to generate alternatives:
   with the cost row c·x + offset <= optimum + slack * |optimum| added, minimise and
   maximise K's total new MW and K's new MW in each zone (PyPSA's MGA: the same
   cost constraint, then min and max of chosen sums). Where moving K's MW costs a
   steady amount per MW, the range grows in proportion to the slack, so at the tie
   slack (default 1e-4, 0.01 % of cost) it is 1 % of the range at 1 %. A zone whose
   range at the tie slack is more than 1 MW and more than 10 % of its range at the
   slack is a near-tie: the least-cost siting there is one of several plans that
   cost (nearly) the same; "flexible" zones move within the slack, "firm" do not.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError, Problem

if TYPE_CHECKING:  # heavy imports stay inside the functions, so that `planner --help` stays quick
    import pandas as pd
    import pyomo.environ as pyo

    from planner.model.data import ModelData
    from planner.solve import Solver
    from planner.spec import RunSpec

NAME = "placement"
HELP = ("where a partner should build: least-cost siting, break-even capex and WACC, a programme curve, "
        "near-optimal ranges")

MONEY_ROWS = ("partner_envelope", "commitment_usd")
TIE_MW = 1.0
TIE_SHARE = 0.1


@dataclass
class Setup:
    """One built model with K's programme row (free unless the curve sets a size) in one HiGHS instance."""

    spec: RunSpec
    partner: str
    unit: str
    period: int
    d: ModelData
    m: pyo.ConcreteModel
    solver: Solver
    programme: object                        # the commitment row of the programme
    case_tables: dict = field(repr=False, default_factory=dict)
    meta: dict = field(default_factory=dict)
    x0: object = None                        # column values of the least-cost plan (the first, cold solve)

    def say(self, text: str) -> None:
        """One progress line on stderr (the command line turns it on; tests and library calls stay quiet)."""
        if self.meta.get("progress"):
            import sys
            print(f"[placement {time.perf_counter() - self.meta['t0']:6.0f} s] {text}", file=sys.stderr, flush=True)

    def columns(self) -> list[tuple[str, str, str, int]]:
        return [(z, g, k, q) for z, g, k, q in self.d.BUILD_PERIODS if k == self.partner]


def build(spec: RunSpec, partner: str, unit: str = "MW", period: int | None = None, technology: str = "",
          zone: str = "", solver: dict | None = None) -> Setup:
    """Load, add K's programme row (``unit`` by ``period``, left free), build, compile and solve once (cold)."""
    import pandas as pd

    from planner.load import load_case
    from planner.model.build import build_model
    from planner.model.commitments import UNITS
    from planner.model.data import prepare
    from planner.pipeline import DEFAULT_SOLVER, aggregate_time, inputs_hash
    from planner.scenario import apply_scenario
    from planner.solve import Solver
    from planner.spec import validate_spec

    spec = validate_spec(spec)
    where = str(spec.path) if spec.path else "run specification"
    if unit not in UNITS:
        raise InputError([Problem("--unit", f"{unit!r} is not a unit of a commitment; use one of {', '.join(UNITS)}")])
    t0 = time.perf_counter()
    case = load_case(spec.inputs)
    digest = inputs_hash(spec.inputs)
    case = apply_scenario(case, spec)
    case, agg = aggregate_time(case, spec)
    known = set(case.tables["partners"]["partner"])
    if partner not in known:
        raise InputError([Problem("--partner", f"partner {partner!r} is not in partners.csv; known: {sorted(known)}")])
    periods = spec.periods or sorted(int(p) for p in case.tables["periods"]["period"])
    period = int(period) if period is not None else max(periods)
    if period not in periods:
        raise InputError([Problem("--by", f"period {period} is not a period of this run: {periods}")])
    com = case.tables["partner_commitments"]
    key = (com["partner"] == partner) & (com["period"] == period) & (com["technology"] == technology) & \
          (com["zone"] == zone) & (com["unit"] == unit)
    if key.any():
        raise InputError([Problem("partner_commitments.csv", f"already commits {partner} by {period} in {unit}; "
                                  "the programme curve sets that row itself: switch the case's commitments off "
                                  "(scenario.partner_commitments = false) or pick another --by / --unit",
                                  int(com.index[key][0]))])
    row = pd.DataFrame([{"partner": partner, "period": period, "technology": technology, "zone": zone, "unit": unit,
                         "quantity": 0.0}], index=pd.Index([0], name="line"))
    tables = dict(case.tables)
    tables["partner_commitments"] = pd.concat([com, row]) if len(com) else row
    case.tables.update(tables)
    d = prepare(case, spec.periods)
    if not any(k == partner for _, _, k, _ in d.BUILD_PERIODS):
        raise InputError([Problem(where, f"partner {partner} has no build option in the periods run "
                                  "(build_options.csv, partners.csv eligible_technologies): "
                                  "there is nothing to place")])
    m = build_model(d)
    t_build = time.perf_counter() - t0
    rows = getattr(m, UNITS[unit])
    con = rows[partner, period, technology, zone] if (partner, period, technology, zone) in rows else None
    if con is None:
        raise InputError([Problem(where, f"no option of {partner} matches the programme "
                                  f"(technology {technology or 'any'}, zone {zone or 'any'}, built by {period})")])
    opts = {**DEFAULT_SOLVER, **spec.solver, **(solver or {})}
    t1 = time.perf_counter()
    s = Solver(m, opts)
    t_compile = time.perf_counter() - t1
    s.set_row_bounds(con, None, None)  # free until the curve sets a size: at 0 it would be degenerate with new_cap >= 0
    s.run()
    meta = {"model": spec.name, "partner": partner, "inputs": str(spec.inputs), "inputs_sha256": digest,
            "periods": d.PERIODS, "time_aggregation": agg, "programme_unit": unit, "programme_by": period,
            "programme_technology": technology or "any", "programme_zone": zone or "any", "solver_options": opts,
            "timings_s": {"load_build": t_build, "compile": t_compile, "cold_solve": s.seconds[-1]}}
    return Setup(spec, partner, unit, period, d, m, s, con, case.tables, meta, s.values().copy())


def base_tables(st: Setup) -> dict[str, pd.DataFrame]:
    """The full result tables (results.extract) of the solver's current solution."""
    from planner.results import extract
    from planner.solve import Solution

    st.solver.load()
    sol = Solution("optimal", st.solver.objective(), st.solver.duals())
    return extract(st.m, st.d, sol)


def where(st: Setup, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """K's new MW and capex by zone × technology × period in the least-cost plan."""
    nb = tables["new_capacity"]
    nb = nb[(nb["partner"] == st.partner) & (nb["new_mw"] > 1e-6)]
    nb = nb[["zone", "technology", "period", "new_mw", "capex_usd"]]
    return nb.sort_values(["period", "zone", "technology"]).reset_index(drop=True)


def years_weight(st: Setup, v) -> float:
    """A_q: present-value years of annuity a MW built in period q pays (sum_p df[p] * share in service)."""
    _, g, _, q = v
    life = int(st.d.tech.at[g, "lifetime_yr"])
    return sum(st.d.discount_weight[p] * st.d.in_service(q, q + life, p) for p in st.d.PERIODS)


def _threshold(s: Solver, j: int, money: list[tuple[int, float]], cost_per_theta: float, money_per_theta: bool,
               theta0: float, floor: float) -> float:
    """theta at which column j's reduced cost reaches 0, where theta sets the column's cost (cost_per_theta * theta)
    and, if ``money_per_theta``, its coefficients in K's money rows (scale_r * theta):

        rc(theta) = rc + (theta - theta0) * slope,   slope = cost_per_theta - sum_{money rows} scale_r * y_r

    exact while the basis stays optimal (the column is non-basic, so B and y do not move). NaN below ``floor``.
    """
    import numpy as np

    rc, y = s.reduced_costs()[j], s.row_duals()
    slope = cost_per_theta - (sum(sc * y[i] for i, sc in money) if money_per_theta else 0.0)
    theta = theta0 - rc / slope if slope > 0 else np.nan
    return theta if theta == theta and theta >= floor else np.nan


def _enters(s: Solver, j: int, money: list[tuple[int, float]], cost_per_theta: float, money_per_theta: bool,
            theta: float, tol_mw: float) -> bool:
    """Warm re-solve with the column's parameter at theta: is it built?"""
    s.h.changeColCost(j, cost_per_theta * theta)
    if money_per_theta:
        for i, sc in money:
            s.h.changeCoeff(i, j, sc * theta)
    s.run()
    return bool(s.values()[j] > tol_mw)


def break_even(st: Setup, tol_mw: float = 1e-6, confirm: bool = False, eps_mw: float = 1e-3,
               step: float = 1e-4) -> pd.DataFrame:
    """Break-even overnight capex and WACC of every column of K the least-cost plan leaves at 0.

    A column at 0 shares its zero level with the rows it feeds (capacity_def, dispatch_max of a plant with no
    capacity), so its reduced cost is not unique: the solver may put the plant's value in a degenerate row's dual
    and report 0. Each such column is therefore held at eps_mw (1e-3 MW) by its lower bound and the model re-solved
    warm once: its dispatch rows then price what the plant would earn, and its reduced cost is the plant's cost
    minus its value. With ``confirm`` each threshold is checked by warm re-solves at (1 - step) and (1 + step)
    times it (built below, not above). The least-cost plan is restored at the end.
    """
    import numpy as np
    import pandas as pd

    from planner.model.data import crf

    s, d = st.solver, st.d
    rc_tol = float(s.h.getOptionValue("dual_feasibility_tolerance")[1])
    x = s.values()
    A = s.comp.lp.a_matrix_
    start, index = np.asarray(A.start_), np.asarray(A.index_)
    money_rows = {i: s._scale(con) for i, con in enumerate(s.comp.rows)
                  if con.parent_component().local_name in MONEY_ROWS}
    wacc = float(d.partners.at[st.partner, "wacc"])
    out = [(v, s.col[st.m.new_cap[v]]) for v in st.columns() if st.m.new_cap[v] in s.col]
    out = [(v, j) for v, j in out if x[j] <= tol_mw]
    for _, j in out:
        s.h.changeColBounds(j, eps_mw, highspy_inf())
    if out:
        s.run()
    info = []
    for v, j in out:
        z, g, k, _ = v
        life, capex = int(d.tech.at[g, "lifetime_yr"]), d.capex_usd_per_mw[z, g, k]
        a_q = years_weight(st, v)
        money = [(int(i), money_rows[i]) for i in index[start[j]:start[j + 1]] if i in money_rows]
        rc = float(s.reduced_costs()[j])
        # a reduced cost within the solver's dual feasibility tolerance (relative to the cost and the value it is
        # the difference of) is 0: the site ties with the plan's choice and enters at its own capex and WACC
        tie = abs(rc) <= rc_tol * max(1.0, abs(float(s.cost[j])), abs(float(s.cost[j]) - rc))
        if tie:
            capex_be, crf_be = capex, crf(wacc, life)
        else:
            capex_be = _threshold(s, j, money, crf(wacc, life) * a_q, True, capex, 0.0)
            crf_be = (_threshold(s, j, money, capex * a_q, False, crf(wacc, life), 1.0 / life)
                      if capex > 0 and a_q > 0 else np.nan)
        info.append((v, j, life, capex, a_q, money, rc, capex_be, crf_be, tie))
    for _, j in out:
        s.h.changeColBounds(j, 0.0, highspy_inf())
    rows = []
    for v, j, life, capex, a_q, money, rc, capex_be, crf_be, tie in info:
        z, g, _, q = v
        checked = ""
        if confirm:
            ok = []
            for per, per_theta, th0, th in ((crf(wacc, life) * a_q, True, capex, capex_be),
                                            (capex * a_q, False, crf(wacc, life), crf_be)):
                if th == th:
                    ok.append(_enters(s, j, money, per, per_theta, th * (1 - step), tol_mw)
                              and not _enters(s, j, money, per, per_theta, th * (1 + step), tol_mw))
                    _enters(s, j, money, per, per_theta, th0, tol_mw)  # restore cost and coefficients
            checked = "yes" if all(ok) else "no"
        wacc_be = np.nan
        if tie:
            wacc_be = wacc
        elif crf_be == crf_be:
            wacc_be = _wacc_of_crf(crf_be, life)
        note = "; ".join(x for x in ("tie: as cheap as the plan's choice (reduced cost 0 within the solver's "
                                     "tolerance); it enters at its own capex and WACC" if tie else "",
                                     "not chosen even at zero capex" if capex_be != capex_be else "",
                                     "no cost of capital >= 0 is low enough" if wacc_be != wacc_be else "") if x)
        rows.append((z, g, q, capex / 1000.0, wacc, rc, capex_be / 1000.0, wacc_be, tie, checked, note))
    if out:
        s.run()  # back to the least-cost plan
    return pd.DataFrame(rows, columns=["zone", "technology", "period", "capex_usd_per_kw", "wacc",
                                       "reduced_cost_usd_per_mw", "break_even_capex_usd_per_kw", "break_even_wacc",
                                       "tie", "confirmed_by_resolve", "note"])


def _wacc_of_crf(crf_be: float, life: int) -> float:
    """The rate w >= 0 with CRF(w, life) = crf_be; NaN if crf_be < CRF(0) = 1 / life (none is low enough).

    CRF(w) rises from 1 / life at w = 0 and exceeds w for w > 0, so [0, max(crf_be, 1e-9)] always brackets the
    root: the search cannot fail for want of a sign change, whatever side of the partner's own WACC it lies."""
    import math

    from scipy.optimize import brentq

    from planner.model.data import crf

    if not math.isfinite(crf_be) or crf_be < 1.0 / life:
        return math.nan
    if crf_be == 1.0 / life:
        return 0.0
    return brentq(lambda w: crf(w, life) - crf_be, 0.0, max(crf_be, 1e-9), xtol=1e-12)


def highspy_inf() -> float:
    import highspy
    return highspy.kHighsInf


def _point(st: Setup, size: float) -> dict:
    """Solve with the programme at ``size`` (0: the row left free); return what the curve reports of it.

    Its figures come from the result tables of the point (results.extract) through planner/metrics.py, as a
    run's do; a point is small and picklable, so Dask workers can return it."""
    from planner import metrics

    s, d = st.solver, st.d
    s.set_row_bounds(st.programme, size if size > 0 else None, None)
    obj = s.run()
    t = base_tables(st)
    nb = t["new_capacity"]
    new = {(z, g, k, int(p)): float(mw)
           for z, g, k, p, mw in zip(nb.zone, nb.technology, nb.partner, nb.period, nb.new_mw)}
    gen = t["generation"].groupby(["technology", "period"])["generation_mwh"].sum()
    return {"size": size, "objective": obj, "new": new, "gen": {(g, int(p)): float(x) for (g, p), x in gen.items()},
            "annual": metrics.series(t, "system_cost_annual", d.PERIODS).to_dict(),
            "emissions": metrics.series(t, "emissions", d.PERIODS).to_dict(),
            "dual": s.duals().get(st.programme, 0.0)}


def _point_or_infeasible(st: Setup, size: float) -> dict:
    """A point, or the record that no plan carries a programme this large (with the inputs that stop it)."""
    from planner.errors import SolveError

    try:
        return _point(st, size)
    except SolveError as exc:
        if exc.status != "Infeasible":
            raise
        return {"size": size, "infeasible": exc.detail or "no plan meets a programme this large"}


def _curve_tables(st: Setup, points: list[dict], base: dict) -> dict[str, pd.DataFrame]:
    import pandas as pd

    k, unit = st.partner, st.unit
    rows, disp, gen_rows, sites, cannot = [], [], [], [], []
    for pt in points:
        if "infeasible" in pt:
            cannot.append((pt["size"], unit, pt["infeasible"]))
            continue
        for p in st.d.PERIODS:
            rows.append((pt["size"], unit, p, pt["objective"] - base["objective"], pt["annual"][p] - base["annual"][p],
                         pt["emissions"][p], pt["emissions"][p] - base["emissions"][p], abs(pt["dual"]),
                         sum(mw for (_, _, kk, _), mw in pt["new"].items() if kk == k)))
        by_kg: dict = {}
        for v, mw in pt["new"].items():
            _, g, kk, _ = v
            by_kg[kk, g] = by_kg.get((kk, g), 0.0) + mw - base["new"][v]
        disp += [(pt["size"], kk or "(unattributed)", g, dmw)
                 for (kk, g), dmw in sorted(by_kg.items()) if abs(dmw) > 1e-6]
        gen_rows += [(pt["size"], g, p, pt["gen"][(g, p)] - base["gen"].get((g, p), 0.0)) for g, p in sorted(pt["gen"])
                     if abs(pt["gen"][(g, p)] - base["gen"].get((g, p), 0.0)) > 1e-3]
        sites += [(pt["size"], z, g, p, mw)
                  for (z, g, kk, p), mw in sorted(pt["new"].items()) if kk == k and mw > 1e-6]
    return {
        "programme": pd.DataFrame(rows, columns=[
            "size", "unit", "period", "premium_present_value_usd", "premium_annual_usd_per_yr", "emissions_t_per_yr",
            "emissions_change_t_per_yr", f"marginal_cost_usd_pv_per_{unit.replace('/', '_per_')}", f"{k}_new_mw"]),
        "programme_displaced": pd.DataFrame(disp, columns=["size", "partner", "technology", "new_mw_change"]),
        "programme_displaced_generation": pd.DataFrame(gen_rows, columns=["size", "technology", "period",
                                                                          "generation_mwh_change"]),
        "programme_sites": pd.DataFrame(sites, columns=["size", "zone", "technology", "period", "new_mw"]),
        "programme_infeasible": pd.DataFrame(cannot, columns=["size", "unit", "why"]),
    }


def _curve_chunk(spec: RunSpec, partner: str, unit: str, period: int, technology: str, zone: str,
                 sizes: list[float], solver: dict | None) -> list[dict]:
    """Runs on a Dask worker: one model for a chunk of programme sizes."""
    st = build(spec, partner, unit, period, technology, zone, solver)
    return [_point_or_infeasible(st, sz) for sz in sizes]


def programme_curve(st: Setup, sizes: list[float], scheduler: str | None = None) -> dict[str, pd.DataFrame]:
    """Programme of each size (``st.unit`` by ``st.period``): premium, emissions, displacement, sites.

    The sizes are sorted and a repeated size is solved and reported once (the tables have one point per size)."""
    sizes = sorted({float(x) for x in sizes})
    base = _point(st, 0.0)
    rest = [x for x in sizes if x != 0.0]
    if scheduler is None:
        points = []
        for i, sz in enumerate(rest):
            st.say(f"programme point {i + 1}/{len(rest)}: {sz:g} {st.unit}")
            points.append(_point_or_infeasible(st, sz))
    else:
        from planner.studies.sweep import dask_map

        tech, zone = st.meta["programme_technology"], st.meta["programme_zone"]
        chunks = [rest[i::2] for i in range(2) if rest[i::2]]
        args = [(st.spec, st.partner, st.unit, st.period, "" if tech == "any" else tech, "" if zone == "any" else zone,
                 c, st.meta["solver_options"]) for c in chunks]
        points = sorted((pt for res in dask_map(_curve_chunk, args, scheduler) for pt in res), key=lambda p: p["size"])
    st.solver.set_row_bounds(st.programme, None, None)
    pts = ([base] if 0.0 in sizes else []) + points
    return _curve_tables(st, pts, base)


def alternatives(st: Setup, slack: float = 0.01, tie_slack: float = 1e-4,
                 only: list[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """Near-optimal ranges of K's new MW (total and per zone; ``only`` these zones if given) within ``slack``."""
    import numpy as np
    import pandas as pd

    s, m = st.solver, st.m
    s.set_row_bounds(st.programme, None, None)
    s.set_costs(s.cost)
    opt = s.run()
    x0 = st.x0  # the plan the other tables describe (a tie may re-solve to another plan of the same cost)
    cols = st.columns()
    j_of = {v: s.col[m.new_cap[v]] for v in cols if m.new_cap[v] in s.col}
    nz = np.flatnonzero(s.cost)
    # the slack is a share of the optimum's size: export revenue above costs makes the optimum negative, and
    # (1 + slack) * opt would then lie below it (no plan: "Infeasible")
    r = s.add_row(nz, s.cost[nz], None, opt + slack * abs(opt) - s.comp.offset)

    def extremes(js: list[int], bound: float) -> tuple[float, float]:
        s.set_added_row_bounds(r, None, opt + bound * abs(opt) - s.comp.offset)
        c = np.zeros(len(s.cost))
        c[js] = 1.0
        s.set_costs(c, maximise=False)
        lo = s.run()
        s.set_costs(c, maximise=True)
        hi = s.run()
        return lo, hi

    total = extremes(list(j_of.values()), slack)
    offered = {z for z, _, _, _ in j_of}
    zones = sorted(offered & set(only) if only is not None else offered)
    rows = []
    for n, z in enumerate(zones):
        st.say(f"alternatives: zone {n + 1}/{len(zones)} ({z})")
        js = [j for (zone, _, _, _), j in j_of.items() if zone == z]
        chosen = float(sum(x0[j] for j in js))
        lo, hi = extremes(js, slack)
        tlo, thi = (chosen, chosen)
        if hi - lo > TIE_MW:
            tlo, thi = extremes(js, tie_slack)
        # moving MW at a steady cost per MW gives a range in proportion to the slack (tie_slack / slack of it);
        # a tie moves them for next to nothing: most of the range is there already at the tie slack
        tie = thi - tlo > max(TIE_MW, TIE_SHARE * (hi - lo))
        state = "near-tie" if tie else ("flexible" if hi - lo > TIE_MW else "firm")
        rows.append((z, chosen, lo, hi, tlo, thi, state))
    s.h.deleteRows(1, np.array([r], dtype=np.int32))
    s.set_costs(s.cost)
    table = pd.DataFrame(rows, columns=["zone", "least_cost_mw", "min_mw", "max_mw", "min_mw_at_tie_slack",
                                        "max_mw_at_tie_slack", "siting"])
    head = {"slack": slack, "tie_slack": tie_slack, "least_cost_objective_usd": opt,
            f"{st.partner}_least_cost_mw": float(sum(x0[j] for j in j_of.values())),
            f"{st.partner}_min_mw": total[0], f"{st.partner}_max_mw": total[1],
            "near_tie_zones": [z for z, *_, state in rows if state == "near-tie"]}
    return table, head


def _significant(x: float, digits: int = 4) -> str:
    """``x`` with thousands separators and at least ``digits`` significant digits (0.13055 -> 0.1305, 7.452 -> 7.452,
    130,549.9 -> 130,550): a marginal in USD per USD or per MWh/yr is below 10, and no decimals would print 0."""
    if not math.isfinite(x) or x == 0:
        return f"{x:,.0f}" if x == 0 else str(x)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def _size(x: float) -> str:
    """A programme size as the user gave it: 80 -> 80, 25000000 -> 25,000,000, 12.5 -> 12.5, 1.5e14 + 0.25 ->
    150,000,000,000,000 (no exponent: sizes are at most 1e15, planner/schema.py COMMITMENT_MAX, exact as floats)."""
    if float(x).is_integer() or abs(x) >= 1e9:
        return f"{x:,.0f}"
    return f"{x:,.10g}"


def summarise(st: Setup, out: dict, head: dict) -> str:
    k = st.partner
    lines = [f"placement of {k} in {st.spec.name}: least-cost plan "
             f"{head['least_cost_objective_usd'] / 1e9:,.3f} bn USD (present value)"]
    w = out["where"]
    lines.append(f"\nwhere {k} builds in the least-cost plan ({w['new_mw'].sum():,.0f} MW, "
                 f"{w['capex_usd'].sum() / 1e6:,.0f} M USD capex):")
    lines += [f"  {r.zone:<18}{r.technology:<12}{r.period:>6}{r.new_mw:>10,.0f} MW{r.capex_usd / 1e6:>10,.0f} M USD"
              for r in w.itertuples()] or ["  nothing"]
    be = out["break_even"].dropna(subset=["break_even_capex_usd_per_kw"])
    be = be.assign(cut=1 - be["break_even_capex_usd_per_kw"] / be["capex_usd_per_kw"]).sort_values("cut")
    lines.append(f"\nwhat it would take elsewhere (closest {min(len(be), 8)} of {len(out['break_even'])} "
                 "sites not chosen):")
    lines.append(f"  {'zone':<18}{'technology':<12}{'period':>6}{'capex $/kW':>12}{'needs $/kW':>12}{'or WACC':>9}")
    for r in be.head(8).itertuples():
        wacc = f"{r.break_even_wacc:.1%}" if r.break_even_wacc == r.break_even_wacc else "none"
        lines.append(f"  {r.zone:<18}{r.technology:<12}{r.period:>6}"
                     f"{r.capex_usd_per_kw:>12,.0f}{r.break_even_capex_usd_per_kw:>12,.0f}{wacc:>9}"
                     + ("  tie" if r.tie else ""))
    if be.head(8)["tie"].any():
        lines.append(f"  tie: costs the same as what {k} builds in the plan (reduced cost 0 within the solver's "
                     "tolerance)")
    if "programme" in out:
        at = out["programme"][out["programme"]["period"] == st.period].set_index("size")
        sites = out["programme_sites"]
        lines.append(f"\nprogramme curve ({st.unit} of {k} built by {st.period}; per year and emissions in "
                     f"{st.period}; marginal: USD of present value per {st.unit}):")
        lines.append(f"  {'size':>11} {'premium PV M USD':>17} {'M USD/yr':>9} {'Δ CO2 kt/yr':>12} {'marginal':>14}  "
                     f"where {k} builds")
        for size, r in at.iterrows():
            ss = sites[sites["size"] == size].groupby(["zone", "technology"])["new_mw"].sum()
            where_ = ", ".join(f"{z} {g} {mw:,.0f}" for (z, g), mw in ss.items()) or "-"
            lines.append(f"  {_size(size):>11} {r['premium_present_value_usd'] / 1e6:>17,.1f} "
                         f"{r['premium_annual_usd_per_yr'] / 1e6:>9,.1f} "
                         f"{r['emissions_change_t_per_yr'] / 1e3:>12,.1f} {_significant(r.iloc[6]):>14}  {where_}")
        for r in out["programme_infeasible"].itertuples():
            why = r.why.splitlines()[1:3] or [r.why]
            lines.append(f"  {_size(r.size):>11}  no plan can carry it: " + "; ".join(w.strip(" -") for w in why))
    alt = out["alternatives"]
    lines.append(f"\nrobustness: within {head['slack']:.1%} of least cost {k} builds {head[f'{k}_min_mw']:,.0f} to "
                 f"{head[f'{k}_max_mw']:,.0f} MW (least cost {head[f'{k}_least_cost_mw']:,.0f})")
    if head.get("zones_ranged", "all") != "all":
        closest = len(head["zones_ranged"]) - w["zone"].nunique()
        lines.append(f"  (zones ranged: where {k} builds and the {closest} closest to entering)")
    for r in alt.itertuples():
        lines.append(f"  {r.zone:<18}{r.least_cost_mw:>8,.0f} MW, range {r.min_mw:>7,.0f} to {r.max_mw:>7,.0f}  "
                     f"{r.siting}")
    if head["near_tie_zones"]:
        lines.append(f"  WARNING: the least-cost siting is a near-tie in {', '.join(head['near_tie_zones'])}: "
                     f"plans within {head['tie_slack']:.2%} of the cost place {k}'s MW differently")
    return "\n".join(lines)


def placement(spec: RunSpec, partner: str, sizes: list[float] | None = None, unit: str = "MW",
              period: int | None = None, slack: float = 0.01, tie_slack: float = 1e-4, scheduler: str | None = None,
              results_root: Path | None = None, solver: dict | None = None, progress: bool = False,
              top: int | None = None) -> dict:
    """The whole study; returns its tables, headline and the folder written (if ``results_root``)."""
    from planner.studies import check_partner, reserved, results_folder

    check_partner(spec, partner)  # before the partner names a results folder
    folder = results_folder(spec, NAME, partner, results_root) if results_root is not None else None
    with reserved(folder) as slot:  # a results location that cannot be written fails now, not after the solves
        return _placement(spec, partner, sizes, unit, period, slack, tie_slack, scheduler, slot, solver, progress, top)


def _placement(spec: RunSpec, partner: str, sizes: list[float] | None, unit: str, period: int | None, slack: float,
               tie_slack: float, scheduler: str | None, slot, solver: dict | None, progress: bool,
               top: int | None) -> dict:
    t0 = time.perf_counter()
    st = build(spec, partner, unit, period, solver=solver)
    st.meta.update(progress=progress, t0=t0)
    st.say(f"least-cost plan solved: {st.solver.objective() / 1e9:,.3f} bn USD")
    tables = base_tables(st)
    out = {"where": where(st, tables)}
    st.say(f"break-even of {len(st.columns())} build options of {partner}")
    out["break_even"] = break_even(st)
    if sizes:
        out.update(programme_curve(st, sizes, scheduler))
    only = None
    if top is not None:  # the zones K builds in, then those whose sites need the smallest capex cut
        be = out["break_even"].dropna(subset=["break_even_capex_usd_per_kw"])
        cut = (1 - be["break_even_capex_usd_per_kw"] / be["capex_usd_per_kw"]).groupby(be["zone"]).min().sort_values()
        built = list(dict.fromkeys(out["where"]["zone"]))
        only = built + [z for z in cut.index if z not in built][:top]
    out["alternatives"], head = alternatives(st, slack, tie_slack, only)
    head["zones_ranged"] = "all" if only is None else only
    st.meta["timings_s"]["warm_solves"] = st.solver.seconds[1:]
    head = {**head, **{k: v for k, v in st.meta.items() if k not in ("progress", "t0")}}
    text = summarise(st, out, head)
    folder = None
    if slot is not None:
        from planner.studies import write_tables

        def extra(tmp: Path) -> None:
            (tmp / "summary.txt").write_text(text + "\n")
            (tmp / "run.json").write_text(json.dumps(head, indent=2, default=str) + "\n")
        folder = write_tables(slot, out, extra=extra)
    return {"tables": out, "headline": head, "summary": text, "folder": folder, "setup": st}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="run specification (TOML)")
    p.add_argument("--partner", required=True, help="partner id of partners.csv, e.g. TR")
    p.add_argument("--programme", help="programme sizes for the curve, e.g. 0,500,1000,2000 (in --unit); "
                   "solved in increasing order, a repeated size once")
    p.add_argument("--unit", default="MW", choices=("MW", "USD", "MWh/yr"), help="unit of the programme sizes")
    p.add_argument("--by", type=int, help="period by which the programme is built (default: the last period run)")
    p.add_argument("--slack", type=float, default=0.01,
                   help="cost slack of the near-optimal alternatives, a share of |least cost| (default 0.01)")
    p.add_argument("--tie-slack", type=float, default=1e-4, help="cost slack under which a siting range is a near-tie")
    p.add_argument("--top", type=int, help="range only the zones K builds in and the TOP zones closest to entering "
                   "(by break-even capex); default: every zone K is offered")
    p.add_argument("--scheduler",
                   help="run the programme points on a dask.distributed scheduler ('local' for this machine)")
    p.add_argument("--results", default="results")


def parse_sizes(text: str, unit: str) -> list[float]:
    """``--programme`` as numbers, each >= 0 and within the bound of a commitment's quantity in ``unit``
    (planner/schema.py COMMITMENT_MAX, as partner_commitments.csv), written as a CSV cell must be: the digits
    0-9 and a decimal point (float() alone reads 1_000, nan, inf and 1e400 = inf); exit 2 naming --programme."""
    from planner.schema import COMMITMENT_MAX, _num

    bound = COMMITMENT_MAX[unit]
    texts = [t.strip() for t in text.split(",")]
    bad = []
    for t in texts:
        try:
            x = float(t) if t.isascii() and "_" not in t else math.nan
        except ValueError:
            x = math.nan
        if not (math.isfinite(x) and 0 <= x <= bound):
            bad.append(t or "an empty size")
    if bad:
        verb = "is" if len(bad) == 1 else "are"
        raise InputError([Problem("--programme", f"{', '.join(bad)} {verb} not a programme size; sizes are finite "
                                  f"numbers >= 0 and <= {_num(bound)} in --unit ({unit}), separated by commas and "
                                  "written with the digits 0-9 and a decimal point (no _ or thousands separators), "
                                  "e.g. 0,500,1000")])
    return [float(t) for t in texts]


def run(args) -> int:
    from planner.spec import load_spec

    sizes = parse_sizes(args.programme, args.unit) if args.programme else None
    if args.top is not None and args.top < 0:
        raise InputError([Problem("--top", f"{args.top} is not a number of zones; expected a whole number >= 0 "
                                  "(0: only the zones the partner builds in)")])
    if not 0 <= args.slack < 1 or not 0 <= args.tie_slack <= args.slack:
        raise InputError([Problem("--slack", "expected 0 <= --tie-slack <= --slack < 1")])
    res = placement(load_spec(args.model), args.partner, sizes, args.unit, args.by, args.slack, args.tie_slack,
                    args.scheduler, Path(args.results), progress=True, top=args.top)
    print(res["summary"])
    print(f"\nresults written to {res['folder']}")
    return 0
