"""Where should a partner build? The least-cost siting, what it would take elsewhere, a programme, its robustness.

    planner placement MODEL.toml --partner TR [--programme 0,500,1000,2000 --unit MW --by 2030]
                                 [--slack 0.01] [--top N] [--confirm] [--scheduler ADDRESS|local]

K below is the partner studied. One model is built through the pipeline (planner.pipeline.build, with K's
programme row added to a copy of partner_commitments) and compiled once into one HiGHS instance
(planner.solve.Solver); every further solve changes a bound, a row or the objective through the Solver's
public methods and warm-starts from the last basis.

1. Where K builds (``where.csv``): K's new MW and overnight capex by zone ×
   technology × period in the least-cost plan.

2. What it would take elsewhere (``break_even.csv``). For a build column
   x = new_cap[b,q] of K that the plan leaves at 0, HiGHS reports its reduced cost

       rc = c_x - sum_r a_rx y_r   >= 0       (present-value USD per MW)

   with c_x = capex_b * CRF(w_k, life_g) * A_q, A_q = sum_p df[p] * s(q, q + life_g, p)
   (capex enters the objective as an annuity, discounted, for the years in
   service inside the horizon: capacity.py, objective.py). The overnight cost
   also enters K's money rows (the rows the families declare in ``MONEY_ROWS``:
   partner_envelope, commitment_usd) with coefficient capex_b. Lowering capex_b by D
   lowers rc by D * (CRF * A_q - sum_{money rows} y_r); x is non-basic, so the basis
   and the duals y stay optimal until rc reaches 0, and the column enters at

       capex* = capex_b - rc / (CRF(w_k, life_g) * A_q - sum_{money rows} y_r)

   exactly. The break-even WACC leaves the money rows alone and solves
   CRF(w*, life_g) = CRF(w_k, life_g) - rc / (capex_b * A_q); there is none when
   that is below CRF(0) = 1 / life_g (not chosen even at 0 % cost of capital).
   Both are reported in USD/kW and as a fraction per year, one column at a time
   (the others at their own terms). A reduced cost within HiGHS's dual feasibility
   tolerance times max(1, |c_x|, |c_x - rc|) is 0 (its sign is noise): the site ties
   with what the plan builds, breaks even at its own capex and WACC, and is
   labelled a tie (``tie`` column). Options that need the same capex cut
   1 - capex*/capex_b and the same WACC* (within TIE_CUT = 1e-6 of each, i.e. 0.0001
   percentage points) are equally close to entering: they form one ``tie_group``
   (1 = the closest), shown as one group in the summary and picked whole by ``--top``
   (or the summary names the zones that tie with the last one picked). The break-even
   figures are those of the objective, inside the horizon; where the site would
   replace a plant of the same life they are the same over the full life, since both
   annuities are counted for the same years. ``--confirm`` checks each by warm
   re-solves at 0.01 % either side (``confirmed_by_resolve``).

3. A programme curve (``programme.csv``, ``programme_displaced.csv``,
   ``programme_sites.csv``): K's commitment (planner/model/commitments.py) of
   each size by a period, in MW, USD or MWh/yr; for each: the premium over the
   least-cost plan, in the horizon and over the plants' full lives (below), the
   annual cost premium per period, emissions, the commitment's dual (the in-horizon
   marginal cost of the programme), the new MW of the other partners it displaces by
   zone and technology, net of exchanges between them, the generation it displaces by
   technology, and where K's MW go, with the zones that are equally cheap
   (``equally_cheap_with``): a build column of K is equally cheap when its MW range
   over more than TIE_MW (1 MW) among the plans that cost the point's optimum, within
   TIE_MW * tol USD (tol the reduced-cost tolerance of 2., HiGHS's dual feasibility
   tolerance times the largest |c_x| of K's columns: a move cheaper than tol per MW is
   free); each such zone lists the others of the same technology and period. The
   range comes from min and max solves of the column's MW under that cost row, as in
   4., so the answer is the same whichever optimal plan the solver returned: MW split
   between tied zones (every one of them built, none at 0 for a reduced cost to show
   the tie) as well as MW in one zone. Only the columns built at the point and the
   zero columns whose reduced cost is within tol are ranged: for any plan x,
   c·x - optimum >= rc_x * x, so a column with rc_x > tol cannot move 1 MW within the
   room.
   Points are solved here from the one model or, with ``--scheduler``, in chunks on a
   Dask cluster (one model per chunk).

   In-horizon and full-life premium. The objective counts an investment's annuities
   only for the years it serves inside the horizon, without a salvage value, as the
   multi-period formulations of PyPSA and GenX do; it is kept so. Since a plant outlives
   the horizon, the premium of a programme is reported twice:

       premium_in_horizon_pv_usd = objective(size) - objective(0)
       premium_full_life_pv_usd  = premium_in_horizon_pv_usd + annual_premium[P] * B_K
       B_K = sum_b dnew_b * B_b / sum_b dnew_b      over K's build columns with dnew_b > 0
       B_b = sum_{y = max(H, q)}^{q + life_g - 1} (1 + r)^-(y - base_year)

   annual_premium[P] the premium per year in the last period P (annuities and running
   costs, USD/yr), dnew_b = new_b(size) - new_b(0) the MW the programme adds to K's
   column b, H the first year after the horizon: the premium's annuities continued for
   the years the programme's plants still serve after the horizon, discounted to the same
   base year, as if the last period's system ran on unchanged (the model says nothing of
   later years). With one period, the full-life premium is the in-horizon one times
   (A + B_K) / A, A the period's discount weight. The marginal is in the horizon.
   Example: one period of 5 years that starts 5 years after the base year, r = 10 %, and
   30-year plants: in the horizon A = sum_{y=5}^{9} 1.1^-y = 2.58916, over their life
   A + B_K = sum_{y=5}^{34} 1.1^-y = 6.43871, so the full-life premium is 2.4868 times the
   in-horizon one (tests/test_placement_answer.py works it on a 639 USD/kW OCGT at 7.5 %
   replacing one at 6.3 %: 16,007.21 against 39,806.66 USD per MW).

4. Robustness (``alternatives.csv``), modelling to generate alternatives:
   with the cost row c·x + offset <= optimum + slack * max(|optimum|, gross) added,
   minimise and maximise K's total new MW and K's new MW in each zone (PyPSA's MGA:
   the same cost constraint, then min and max of chosen sums). ``gross`` is the plan's
   cost before revenues (its positive cost terms): it is |optimum| for a plan that
   earns nothing and the floor of the slack where export revenue brings the optimum
   near or to 0, which would otherwise leave no room at all. Each bound of each range
   names the limit that binds it (``min_limit``, ``max_limit``), read from the duals of
   that alternative solve: "cost slack" (the cost row's dual times its room exceeds
   1e-6 MW), or a limit family whose raw dual exceeds 1e-9: "envelope"
   (partner_envelope), "potential" (build_max, build_potential), "zone cap"
   (partner_zone_cap), "share" (partner_min_share, partner_max_share), "commitment";
   "0 MW" for a minimum at zero, "other" where none of these binds. Where moving K's MW
   costs a steady amount per MW, the range grows in proportion to the slack, so at the
   tie slack (default 1e-4, 0.01 % of cost) it is 1 % of the range at 1 %. A zone whose
   range at the tie slack is more than 1 MW and more than 10 % of its range at the
   slack is a near-tie: the least-cost siting there is one of several plans that
   cost (nearly) the same; "flexible" zones move within the slack, "firm" do not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner.core.names import owner
from planner.errors import InputError, Problem

if TYPE_CHECKING:  # heavy imports stay inside the functions, so that `planner --help` stays quick
    import pandas as pd
    import pyomo.environ as pyo

    from planner.model.data import ModelData
    from planner.solve import Solver
    from planner.spec import RunSpec
    from planner.studies import Section

NAME = "placement"
HELP = ("where a partner should build: least-cost siting, break-even capex and WACC, a programme curve, "
        "near-optimal ranges")

TIE_MW = 1.0
TIE_SHARE = 0.1
TIE_CUT = 1e-6      # break-even capex cuts (fractions) and WACCs this close are one tie group
EPS_MW = 1e-3       # a zero column is held at this to read its reduced cost (break_even)
# the limit families an alternative's range can be bound by (4. in the module docstring), by Pyomo name
LIMITS = {"partner_envelope": "envelope", "build_max": "potential", "build_potential": "potential",
          "partner_zone_cap": "zone cap", "partner_min_share": "share", "partner_max_share": "share",
          "commitment_mw": "commitment", "commitment_usd": "commitment", "commitment_mwh": "commitment"}
LIMIT_ORDER = ("cost slack", "envelope", "potential", "zone cap", "share", "commitment")


def end_effects() -> str:
    """The in-horizon and full-life paragraph of this module's docstring (3.), which docs/model.md shows."""
    import inspect
    import textwrap

    doc = inspect.cleandoc(__doc__ or "")
    start = doc.rindex("\n", 0, doc.index("In-horizon and full-life premium.")) + 1
    return textwrap.dedent(doc[start:doc.index("\n4. Robustness")]).strip()


def money_rows() -> tuple[str, ...]:
    """The rows in which a build column's overnight capex appears (USD), as each family declares in ``MONEY_ROWS``."""
    from planner.model.build import MODULES

    return tuple(name for mod in MODULES for name in getattr(mod, "MONEY_ROWS", ()))


def _say(meta: dict, text: str) -> None:
    if meta.get("progress"):
        import sys
        print(f"[placement {time.perf_counter() - meta['t0']:6.0f} s] {text}", file=sys.stderr, flush=True)


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
    warnings: list = field(default_factory=list)   # the case's warnings, as text
    meta: dict = field(default_factory=dict)
    x0: object = None                        # column values of the least-cost plan (the first, cold solve)

    def say(self, text: str) -> None:
        """One progress line on stderr (the command line turns it on; tests and library calls stay quiet)."""
        _say(self.meta, text)

    def columns(self) -> list[tuple[str, str, str, int]]:
        return [(z, g, k, q) for z, g, k, q in self.d.BUILD_PERIODS if k == self.partner]


def _programme_row(partner: str, unit: str, period: int | None, technology: str, zone: str,
                   spec: RunSpec, chosen: dict) -> Callable[[dict], dict]:
    """The pipeline's ``edit``: check the partner and the period, and add K's programme row (quantity 0) to a copy
    of partner_commitments; the period chosen goes into ``chosen``."""
    def edit(tables: dict) -> dict:
        import pandas as pd

        known = set(tables["partners"]["partner"])
        if partner not in known:
            raise InputError([Problem("--partner", f"partner {partner!r} is not in partners.csv; known: "
                                      f"{sorted(known)}")])
        periods = spec.periods or sorted(int(p) for p in tables["periods"]["period"])
        by = int(period) if period is not None else max(periods)
        if by not in periods:
            raise InputError([Problem("--by", f"period {by} is not a period of this run: {periods}")])
        com = tables["partner_commitments"]
        key = (com["partner"] == partner) & (com["period"] == by) & (com["technology"] == technology) & \
              (com["zone"] == zone) & (com["unit"] == unit)
        if key.any():
            raise InputError([Problem("partner_commitments.csv", f"already commits {partner} by {by} in {unit}; "
                                      "the programme curve sets that row itself: switch the case's commitments off "
                                      "(scenario.partner_commitments = false) or pick another --by / --unit",
                                      int(com.index[key][0]))])
        row = pd.DataFrame([{"partner": partner, "period": by, "technology": technology, "zone": zone, "unit": unit,
                             "quantity": 0.0}], index=pd.Index([0], name="line"))
        chosen["period"] = by
        return {**tables, "partner_commitments": pd.concat([com, row]) if len(com) else row}
    return edit


def build(spec: RunSpec, partner: str, unit: str = "MW", period: int | None = None, technology: str = "",
          zone: str = "", solver: dict | None = None, on_loaded: Callable | None = None,
          say: Callable[[str], None] | None = None) -> Setup:
    """Through the pipeline: load (cached), add K's programme row (``unit`` by ``period``, left free) to a copy of
    the case, build; then compile and solve once (cold). ``on_loaded`` sees the case before the build (the
    command line prints its warnings there), ``say`` gets a progress line before each long stage."""
    from planner import pipeline
    from planner.model.commitments import UNITS
    from planner.solve import Solver
    from planner.spec import validate_spec

    spec = validate_spec(spec)
    where = str(spec.path) if spec.path else "run specification"
    if unit not in UNITS:
        raise InputError([Problem("--unit", f"{unit!r} is not a unit of a commitment; use one of {', '.join(UNITS)}")])
    say = say or (lambda text: None)
    chosen: dict = {}
    say("loading the case and building the model")
    built = pipeline.build(spec, edit=_programme_row(partner, unit, period, technology, zone, spec, chosen),
                           on_loaded=on_loaded)
    d, m, period = built.data, built.model, chosen["period"]
    if not any(k == partner for _, _, k, _ in d.BUILD_PERIODS):
        raise InputError([Problem(where, f"partner {partner} has no build option in the periods run "
                                  "(build_options.csv, partners.csv eligible_technologies): "
                                  "there is nothing to place")])
    rows = getattr(m, UNITS[unit])
    con = rows[partner, period, technology, zone] if (partner, period, technology, zone) in rows else None
    if con is None:
        raise InputError([Problem(where, f"no option of {partner} matches the programme "
                                  f"(technology {technology or 'any'}, zone {zone or 'any'}, built by {period})")])
    opts = pipeline.solver_options(spec, solver)
    say(f"compiling the LP ({len(d.BUILD_PERIODS):,} build options)")
    t1 = time.perf_counter()
    s = Solver(m, opts)
    t_compile = time.perf_counter() - t1
    s.set_row_bounds(con, None, None)  # free until the curve sets a size: at 0 it would be degenerate with new_cap >= 0
    say("solving the least-cost plan (cold)")
    s.run()
    meta = {"model": spec.name, "partner": partner, "inputs": str(spec.inputs), "inputs_sha256": built.inputs_sha256,
            "periods": d.PERIODS, "time_aggregation": built.aggregation, "programme_unit": unit,
            "programme_by": period, "programme_technology": technology or "any", "programme_zone": zone or "any",
            "solver_options": opts,
            "timings_s": {"load_build": sum(built.timings_s.values()), "compile": t_compile,
                          "cold_solve": s.seconds[-1]}}
    return Setup(spec, partner, unit, period, d, m, s, con, [str(w) for w in built.case.warnings], meta,
                 s.values().copy())


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


def beyond_weight(d: ModelData, g: str, q: int) -> float:
    """B_b: present-value years of annuity a MW of ``g`` built in period q still pays after the horizon,
    sum_{y = max(H, q)}^{q + life - 1} (1 + r)^-(y - base_year), H the first year after the last period."""
    from planner.core.economics import discount_weight

    life = int(d.tech.at[g, "lifetime_yr"])
    first = max(max(p + d.years[p] for p in d.PERIODS), q)
    return discount_weight(first, q + life - first, int(d.settings["base_year"]), float(d.settings["discount_rate"]))


def programme_life_weight(st: Setup, base_new: dict, new: dict) -> float:
    """B_K: present-value years the programme's plants still serve after the horizon, averaged over the MW the
    programme adds to K's columns (0 if it adds none)."""
    added = {v: new.get(v, 0.0) - base_new.get(v, 0.0) for v in set(new) | set(base_new) if v[2] == st.partner}
    added = {v: mw for v, mw in added.items() if mw > 1e-6}
    total = sum(added.values())
    return sum(mw * beyond_weight(st.d, v[1], v[3]) for v, mw in added.items()) / total if total else 0.0


def _threshold(s: Solver, j: int, money: list[int], cost_per_theta: float, money_per_theta: bool,
               theta0: float, floor: float) -> float:
    """theta at which column j's reduced cost reaches 0, where theta sets the column's cost (cost_per_theta * theta)
    and, if ``money_per_theta``, its coefficients in K's money rows (theta, in USD per MW):

        rc(theta) = rc + (theta - theta0) * slope,   slope = cost_per_theta - sum_{money rows} y_r

    with y_r the rows' duals in their families' units (USD_pv per USD); exact while the basis stays optimal
    (the column is non-basic, so B and y do not move). NaN below ``floor``.
    """
    import numpy as np

    rc, y = s.reduced_costs()[j], s.unscaled_row_duals()
    slope = cost_per_theta - (sum(y[i] for i in money) if money_per_theta else 0.0)
    theta = theta0 - rc / slope if slope > 0 else np.nan
    return theta if theta == theta and theta >= floor else np.nan


def _enters(s: Solver, j: int, money: list[int], cost_per_theta: float, money_per_theta: bool,
            theta: float, tol_mw: float) -> bool:
    """Warm re-solve with the column's parameter at theta: is it built?"""
    s.set_col_cost(j, cost_per_theta * theta)
    if money_per_theta:
        for i in money:
            s.set_coefficient(i, j, theta)
    s.run()
    return bool(s.values()[j] > tol_mw)


def _is_zero(s: Solver, j: int, rc: float) -> bool:
    """A reduced cost within the solver's dual feasibility tolerance, relative to the cost and the value it is the
    difference of, is 0: its sign is noise."""
    c = float(s.cost[j])
    return abs(rc) <= s.dual_feasibility_tolerance * max(1.0, abs(c), abs(c - rc))


@contextlib.contextmanager
def held_at_eps(s: Solver, cols: list[int], eps_mw: float = EPS_MW) -> Iterator[None]:
    """Columns at 0 held at ``eps_mw`` by their lower bounds for one warm re-solve; inside the block the solver's
    solution (reduced costs, duals) is that of the held model; the bounds are released on leaving it.

    A column at 0 shares its zero level with the rows it feeds (capacity_def, dispatch_max of a plant with no
    capacity), so its reduced cost is not unique: the solver may put the plant's value in a degenerate row's dual
    and report it as a cost. Held at eps_mw, its dispatch rows price what the plant would earn, and its reduced
    cost is the plant's cost minus its value."""
    for j in cols:
        s.set_col_bounds(j, eps_mw, None)
    try:
        if cols:
            s.run()
        yield
    finally:
        for j in cols:
            s.set_col_bounds(j, 0.0, None)


def break_even(st: Setup, tol_mw: float = 1e-6, confirm: bool = False, eps_mw: float = EPS_MW,
               step: float = 1e-4) -> pd.DataFrame:
    """Break-even overnight capex and WACC of every column of K the least-cost plan leaves at 0.

    Each such column is held at eps_mw (1e-3 MW) and the model re-solved warm once (``held_at_eps``).
    With ``confirm`` each threshold is checked by warm re-solves at (1 - step) and (1 + step) times it (built
    below, not above; column ``confirmed_by_resolve``, only then). The least-cost plan is restored at the end.
    Options equally close to entering share a ``tie_group`` (``tie_groups``).
    """
    import numpy as np
    import pandas as pd

    from planner.core.economics import crf

    s, d = st.solver, st.d
    x = s.values()
    money_names = set(money_rows())
    wacc = float(d.partners.at[st.partner, "wacc"])
    out = [(v, s.col[st.m.new_cap[v]]) for v in st.columns() if st.m.new_cap[v] in s.col]
    out = [(v, j) for v, j in out if x[j] <= tol_mw]
    with held_at_eps(s, [j for _, j in out], eps_mw):
        info = [_break_even_of(st, v, j, wacc, money_names) for v, j in out]
    rows = []
    for v, j, life, capex, a_q, money, rc, capex_be, crf_be, tie in info:
        z, g, _, q = v
        checked = ""
        if confirm:
            ok = []
            cost0 = float(s.cost[j])
            for per, per_theta, th in ((crf(wacc, life) * a_q, True, capex_be), (capex * a_q, False, crf_be)):
                if th == th:
                    ok.append(_enters(s, j, money, per, per_theta, th * (1 - step), tol_mw)
                              and not _enters(s, j, money, per, per_theta, th * (1 + step), tol_mw))
                    for i in money if per_theta else ():  # restore the coefficients and the cost exactly
                        s.set_coefficient(i, j, capex)
                    s.set_col_cost(j, cost0)
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
    table = pd.DataFrame(rows, columns=["zone", "technology", "period", "capex_usd_per_kw", "wacc",
                                        "reduced_cost_usd_per_mw", "break_even_capex_usd_per_kw", "break_even_wacc",
                                        "tie", "confirmed_by_resolve", "note"])
    if not confirm:
        table = table.drop(columns="confirmed_by_resolve")
    return tie_groups(table)


def _break_even_of(st: Setup, v, j: int, wacc: float, money_names: set) -> tuple:
    """The break-even capex (USD/MW) and CRF of column j of option v, from the solver's current (held) solution."""
    import numpy as np

    from planner.core.economics import crf

    s, d = st.solver, st.d
    z, g, k, _ = v
    life, capex = int(d.tech.at[g, "lifetime_yr"]), d.capex_usd_per_mw[z, g, k]
    a_q = years_weight(st, v)
    money = [i for i, con, _ in s.column_rows(j) if con.parent_component().local_name in money_names]
    rc = float(s.reduced_costs()[j])
    tie = _is_zero(s, j, rc)  # a tie with the plan's choice enters at its own capex and WACC
    if tie:
        capex_be, crf_be = capex, crf(wacc, life)
    else:
        capex_be = _threshold(s, j, money, crf(wacc, life) * a_q, True, capex, 0.0)
        crf_be = (_threshold(s, j, money, capex * a_q, False, crf(wacc, life), 1.0 / life)
                  if capex > 0 and a_q > 0 else np.nan)
    return v, j, life, capex, a_q, money, rc, capex_be, crf_be, tie


def tie_groups(be: pd.DataFrame) -> pd.DataFrame:
    """``be`` with ``capex_cut_pu`` (1 - break-even capex / capex, the share it must fall) and ``tie_group``: options
    whose cut and break-even WACC agree within TIE_CUT (a WACC of none agrees with none) are one group, numbered
    from the closest to entering (1); rows with no break-even capex have no group. Sorted by group, zone,
    technology."""
    import pandas as pd

    be = be.copy()
    be["capex_cut_pu"] = 1.0 - be["break_even_capex_usd_per_kw"] / be["capex_usd_per_kw"]
    group = pd.Series(pd.NA, index=be.index, dtype="Int64")
    ranked = be[be["capex_cut_pu"].notna()].sort_values(["capex_cut_pu", "break_even_wacc"], na_position="last")
    n, first = 0, None
    for i, r in ranked.iterrows():
        w = r["break_even_wacc"]
        if first is None or abs(r["capex_cut_pu"] - first[0]) > TIE_CUT or not (
                (w != w and first[1] != first[1]) or abs(w - first[1]) <= TIE_CUT):
            n, first = n + 1, (r["capex_cut_pu"], w)
        group[i] = n
    be["tie_group"] = group
    order = be.assign(_g=be["tie_group"].fillna(n + 1))
    return order.sort_values(["_g", "zone", "technology", "period"]).drop(columns="_g").reset_index(drop=True)


def _wacc_of_crf(crf_be: float, life: int) -> float:
    """The rate w >= 0 with CRF(w, life) = crf_be; NaN if crf_be < CRF(0) = 1 / life (none is low enough).

    CRF(w) rises from 1 / life at w = 0 and exceeds w for w > 0, so [0, max(crf_be, 1e-9)] always brackets the
    root: the search cannot fail for want of a sign change, whatever side of the partner's own WACC it lies."""
    import math

    from scipy.optimize import brentq

    from planner.core.economics import crf

    if not math.isfinite(crf_be) or crf_be < 1.0 / life:
        return math.nan
    if crf_be == 1.0 / life:
        return 0.0
    return brentq(lambda w: crf(w, life) - crf_be, 0.0, max(crf_be, 1e-9), xtol=1e-12)


def _point(st: Setup, size: float) -> dict:
    """Solve with the programme at ``size`` (0: the row left free); return what the curve reports of it.

    Its figures come from the result tables of the point (results.extract) through planner/analysis/metrics.py, as a
    run's do; and K's build columns whose MW can move at this point's cost (``equally_cheap``). A point is small
    and picklable, so Dask workers can return it."""
    from planner.analysis import metrics

    s, d = st.solver, st.d
    s.set_row_bounds(st.programme, size if size > 0 else None, None)
    obj = s.run()
    t = base_tables(st)
    nb = t["new_capacity"]
    new = {(z, g, k, int(p)): float(mw)
           for z, g, k, p, mw in zip(nb.zone, nb.technology, nb.partner, nb.period, nb.new_mw)}
    gen = t["generation"].groupby(["technology", "period"])["generation_mwh"].sum()
    point = {"size": size, "objective": obj, "new": new,
             "gen": {(g, int(p)): float(v) for (g, p), v in gen.items()},
             "annual": metrics.series(t, "system_cost_annual", d.PERIODS).to_dict(),
             "emissions": metrics.series(t, "emissions", d.PERIODS).to_dict(),
             "dual": s.duals().get(st.programme, 0.0)}
    point["equally_cheap"] = equally_cheap(st, obj)
    return point


def equally_cheap(st: Setup, opt: float) -> list[tuple[str, str, str, int]]:
    """K's build columns whose MW take values more than TIE_MW apart among the plans that cost the optimum ``opt``
    just solved (within ``TIE_MW * tol`` USD), sorted: the same set whichever optimal plan the solver returned.

    tol = HiGHS's dual feasibility tolerance * max(1, |c_j| over K's columns): a move that costs less than tol per MW
    is free, as a reduced cost within it is 0 (``_is_zero``). For any dual feasible y of the optimum and any plan x,
        c.x - opt >= rc_j * x_j        (rc_j the reduced cost of a column at 0)
    so a column at 0 with rc_j > tol cannot reach TIE_MW within the room: only the columns built in this plan and
    the zero columns with rc_j <= tol are ranged, each by a warm max (and, if that does not settle it, min) of its MW
    under the cost row (``extreme``). At the end the row is removed, the point's basis put back and the model's
    objective restored: the next solve starts from the point's basis (HiGHS's other simplex state is not put back,
    so where plans tie it may end at another of them)."""
    s, m = st.solver, st.m
    x, rc = s.values(), s.reduced_costs()
    cols = {s.col[m.new_cap[v]]: v for v in st.columns() if m.new_cap[v] in s.col}
    tol = s.dual_feasibility_tolerance * max([1.0, *(abs(float(s.cost[j])) for j in cols)])
    ranged = sorted((v, j) for j, v in cols.items() if x[j] > 1e-6 or rc[j] <= tol)
    if not ranged:
        return []
    cap = opt + TIE_MW * tol
    basis = s.basis()
    r = s.add_cost_cap(cap)
    out = []
    try:
        for v, j in ranged:
            hi = extreme(s, r, cap, [j], maximise=True)
            moves = hi - x[j] > TIE_MW
            if not moves and x[j] > 1e-6:
                moves = hi - extreme(s, r, cap, [j], maximise=False) > TIE_MW
            if moves:
                out.append(v)
    finally:
        s.delete_added_rows([r])
        if basis is not None:
            s.set_basis(*basis)  # refused, the next solve is cold: slower, the same optimum
        s.set_costs(s.cost)
    return out


def _point_or_infeasible(st: Setup, size: float) -> dict:
    """A point, or the record that no plan carries a programme this large (with the inputs that stop it)."""
    from planner.errors import SolveError

    try:
        return _point(st, size)
    except SolveError as exc:
        if exc.status != "Infeasible":
            raise
        return {"size": size, "infeasible": exc.detail or "no plan meets a programme this large"}


def displaced(partner: str, base_new: dict, new: dict) -> list[tuple]:
    """The other partners' change of new MW by zone × technology, net of exchanges between them.

    For each zone × technology: ``new_mw_change`` = sum over partners other than ``partner`` of their change;
    ``exchange_between_others_mw`` = min(gains, losses) of those partners there, MW that moved from one other
    partner to another (a swap the programme did not cause: one of equally cheap choices, or a knock-on);
    ``by_partner`` names each other partner's change only where there is no such exchange (all changes of one
    sign), and is empty where there is one. Rows of (zone, technology, new_mw_change, exchange_between_others_mw,
    by_partner), where either is more than 1e-6 MW."""
    cells: dict = {}
    for v in set(base_new) | set(new):
        z, g, k, _ = v
        if k == partner:
            continue
        dmw = new.get(v, 0.0) - base_new.get(v, 0.0)
        by = cells.setdefault((z, g), {})
        by[k] = by.get(k, 0.0) + dmw
    out = []
    for (z, g), by in sorted(cells.items()):
        gains = sum(x for x in by.values() if x > 1e-6)
        losses = -sum(x for x in by.values() if x < -1e-6)
        net, swap = sum(by.values()), min(gains, losses)
        if abs(net) <= 1e-6 and swap <= 1e-6:
            continue
        named = "" if swap > 1e-6 else "; ".join(f"{owner(k)} {x:+,.1f}" for k, x in sorted(by.items())
                                                 if abs(x) > 1e-6)
        out.append((z, g, net, swap, named))
    return out


def _curve_tables(st: Setup, points: list[dict], base: dict) -> dict[str, pd.DataFrame]:
    import pandas as pd

    k, unit = st.partner, st.unit
    rows, disp, gen_rows, sites, cannot = [], [], [], [], []
    for pt in points:
        if "infeasible" in pt:
            cannot.append((pt["size"], unit, pt["infeasible"]))
            continue
        premium = pt["objective"] - base["objective"]
        last = max(st.d.PERIODS)
        full_life = premium + (pt["annual"][last] - base["annual"][last]) * programme_life_weight(st, base["new"],
                                                                                                   pt["new"])
        for p in st.d.PERIODS:
            rows.append((pt["size"], unit, p, premium, full_life, pt["annual"][p] - base["annual"][p],
                         pt["emissions"][p], pt["emissions"][p] - base["emissions"][p], abs(pt["dual"]),
                         sum(mw for (_, _, kk, _), mw in pt["new"].items() if kk == k)))
        disp += [(pt["size"], *row) for row in displaced(k, base["new"], pt["new"])]
        gen_rows += [(pt["size"], g, p, pt["gen"][(g, p)] - base["gen"].get((g, p), 0.0)) for g, p in sorted(pt["gen"])
                     if abs(pt["gen"][(g, p)] - base["gen"].get((g, p), 0.0)) > 1e-3]
        built = {(z, g, p): mw for (z, g, kk, p), mw in pt["new"].items() if kk == k and mw > 1e-6}
        free = {(z, g, q) for z, g, _, q in pt.get("equally_cheap", [])}  # MW that move at the same cost
        for z, g, p in sorted(set(built) | free):
            others = sorted(zz for zz, gg, pp in free if (gg, pp) == (g, p) and zz != z) if (z, g, p) in free else []
            sites.append((pt["size"], z, g, p, built.get((z, g, p), 0.0), ", ".join(others)))
    marginal = f"marginal_in_horizon_usd_pv_per_{unit.replace('/', '_per_')}"
    return {
        "programme": pd.DataFrame(rows, columns=[
            "size", "unit", "period", "premium_in_horizon_pv_usd", "premium_full_life_pv_usd",
            "premium_annual_usd_per_yr", "emissions_t_per_yr", "emissions_change_t_per_yr", marginal,
            f"{k}_new_mw"]),
        "programme_displaced": pd.DataFrame(disp, columns=["size", "zone", "technology", "new_mw_change",
                                                           "exchange_between_others_mw", "by_partner"]),
        "programme_displaced_generation": pd.DataFrame(gen_rows, columns=["size", "technology", "period",
                                                                          "generation_mwh_change"]),
        "programme_sites": pd.DataFrame(sites, columns=["size", "zone", "technology", "period", "new_mw",
                                                        "equally_cheap_with"]),
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
            st.say(f"programme point {i + 1}/{len(rest)}: {_size(sz)} {st.unit}")
            points.append(_point_or_infeasible(st, sz))
    else:
        from planner.distributed import dask_map

        tech, zone = st.meta["programme_technology"], st.meta["programme_zone"]
        chunks = [rest[i::2] for i in range(2) if rest[i::2]]
        args = [(st.spec, st.partner, st.unit, st.period, "" if tech == "any" else tech, "" if zone == "any" else zone,
                 c, st.meta["solver_options"]) for c in chunks]
        st.say(f"programme points: {len(rest)} on the Dask scheduler, in {len(chunks)} chunks")
        points = sorted((pt for res in dask_map(_curve_chunk, args, scheduler) for pt in res), key=lambda p: p["size"])
    st.solver.set_row_bounds(st.programme, None, None)
    pts = ([base] if 0.0 in sizes else []) + points
    return _curve_tables(st, pts, base)


def _binding(st: Setup, limit_rows: list[tuple[int, str]], cost_row: int, room_usd: float, value_mw: float,
             minimum: bool) -> str:
    """The limits that bind the alternative just solved (4. in the module docstring), joined by " + "."""
    s = st.solver
    if minimum and abs(value_mw) <= 1e-6:
        return "0 MW"
    y = s.row_duals()
    found = set()
    if abs(s.added_row_dual(cost_row)) * room_usd > 1e-6:
        found.add("cost slack")
    found |= {label for i, label in limit_rows if abs(y[i]) > 1e-9}
    return " + ".join(x for x in LIMIT_ORDER if x in found) or "other"


def gross_cost(s: Solver) -> float:
    """The plan's cost before revenues: the positive terms of c·x + offset at the current solution (USD)."""
    import numpy as np

    terms = s.cost * s.values()
    return float(np.sum(terms[terms > 0]) + max(s.offset, 0.0))


def extreme(s: Solver, cost_row: int, max_usd: float, js: list[int], maximise: bool) -> float:
    """The least (or, ``maximise``, the most) sum_{j in js} x_j over the plans whose model cost is at most ``max_usd``
    (the cost row ``cost_row`` of ``Solver.add_cost_cap``): the objective replaced by that sum, one warm re-solve.
    The caller restores the model's objective (``s.set_costs(s.cost)``) and removes the row."""
    import numpy as np

    s.set_cost_cap(cost_row, max_usd)
    c = np.zeros(len(s.cost))
    c[js] = 1.0
    s.set_costs(c, maximise=maximise)
    return s.run()


def alternatives(st: Setup, slack: float = 0.01, tie_slack: float = 1e-4,
                 only: list[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """Near-optimal ranges of K's new MW (total and per zone; ``only`` these zones if given) within ``slack``, each
    bound with the limit that binds it."""
    import pandas as pd

    s, m = st.solver, st.m
    s.set_row_bounds(st.programme, None, None)
    s.set_costs(s.cost)
    opt = s.run()
    # the slack is a share of the optimum's size, or of the gross cost where that is larger: export revenue above
    # costs makes the optimum negative ((1 + slack) * opt would lie below it) or 0 (slack * |opt| would leave no room)
    base_usd = max(abs(opt), gross_cost(s))
    x0 = st.x0  # the plan the other tables describe (a tie may re-solve to another plan of the same cost)
    cols = st.columns()
    j_of = {v: s.col[m.new_cap[v]] for v in cols if m.new_cap[v] in s.col}
    limit_rows = [(i, LIMITS[con.parent_component().local_name]) for i, con in s.rows_of(LIMITS)]
    r = s.add_cost_cap(opt + slack * base_usd)

    def extremes(js: list[int], bound: float, name: bool = True) -> tuple[float, float, str, str]:
        lo = extreme(s, r, opt + bound * base_usd, js, maximise=False)
        lo_why = _binding(st, limit_rows, r, bound * base_usd, lo, True) if name else ""
        hi = extreme(s, r, opt + bound * base_usd, js, maximise=True)
        hi_why = _binding(st, limit_rows, r, bound * base_usd, hi, False) if name else ""
        return lo, hi, lo_why, hi_why

    total = extremes(list(j_of.values()), slack)
    offered = {z for z, _, _, _ in j_of}
    zones = sorted(offered & set(only) if only is not None else offered)
    rows = []
    for n, z in enumerate(zones):
        st.say(f"alternatives: zone {n + 1}/{len(zones)} ({z})")
        js = [j for (zone, _, _, _), j in j_of.items() if zone == z]
        chosen = float(sum(x0[j] for j in js))
        lo, hi, lo_why, hi_why = extremes(js, slack)
        tlo, thi = (chosen, chosen)
        if hi - lo > TIE_MW:
            tlo, thi, _, _ = extremes(js, tie_slack, name=False)
        # moving MW at a steady cost per MW gives a range in proportion to the slack (tie_slack / slack of it);
        # a tie moves them for next to nothing: most of the range is there already at the tie slack
        tie = thi - tlo > max(TIE_MW, TIE_SHARE * (hi - lo))
        state = "near-tie" if tie else ("flexible" if hi - lo > TIE_MW else "firm")
        rows.append((z, chosen, lo, hi, lo_why, hi_why, tlo, thi, state))
    s.delete_added_rows([r])
    s.set_costs(s.cost)
    table = pd.DataFrame(rows, columns=["zone", "least_cost_mw", "min_mw", "max_mw", "min_limit", "max_limit",
                                        "min_mw_at_tie_slack", "max_mw_at_tie_slack", "siting"])
    k = st.partner
    head = {"slack": slack, "tie_slack": tie_slack, "least_cost_objective_usd": opt, "slack_base_usd": base_usd,
            f"{k}_least_cost_mw": float(sum(x0[j] for j in j_of.values())),
            f"{k}_min_mw": total[0], f"{k}_max_mw": total[1], f"{k}_min_limit": total[2],
            f"{k}_max_limit": total[3], "near_tie_zones": [z for z, *_, state in rows if state == "near-tie"]}
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


def _wacc_text(w: float) -> str:
    return f"{w:.1%}" if w == w else "none"


def _break_even_lines(k: str, be: pd.DataFrame, shown: int = 8) -> list[str]:
    """The groups of equally close options, closest first, whole groups until ``shown`` options are listed."""
    grouped = be.dropna(subset=["tie_group"])
    lines = [f"\nwhat it would take elsewhere ({len(be)} options of {k} not chosen; the options of one group are "
             "equally close to entering):"]
    n_shown, groups = 0, list(grouped.groupby("tie_group", sort=True))
    if not len(be):
        lines.append(f"  none: {k} builds every option it is offered")
    for n, (_, grp) in enumerate(groups):
        if n_shown >= shown:
            rest = sum(len(g) for _, g in groups[n:])
            lines.append(f"  ... {rest} more options in {len(groups) - n} groups (break_even.csv)")
            break
        r0 = grp.iloc[0]
        cut, wacc = r0["capex_cut_pu"], _wacc_text(r0["break_even_wacc"])
        if bool(grp["tie"].all()):
            head = f"as cheap as what {k} builds in the plan (reduced cost 0 within the solver's tolerance)"
        else:
            head = f"at a capex cut of {cut:.2%} or a WACC of {wacc}"
        if len(grp) == 1:
            lines.append(f"  {r0.zone} {r0.technology} {r0.period}: {r0.capex_usd_per_kw:,.0f} -> "
                         f"{r0.break_even_capex_usd_per_kw:,.0f} $/kW, {head}")
        else:
            lines.append(f"  {len(grp)} sites tie {head}:")
            for (g, q, capex, need), sub in grp.groupby(["technology", "period", "capex_usd_per_kw",
                                                          "break_even_capex_usd_per_kw"], sort=True):
                lines.append(f"    {g:<12}{q:>6}{capex:>8,.0f} -> {need:,.0f} $/kW: {', '.join(sub['zone'])}")
        n_shown += len(grp)
    nothing = be[be["tie_group"].isna()]
    if len(nothing):
        lines.append(f"  {len(nothing)} option{'s' * (len(nothing) != 1)} not chosen even at zero capex "
                     "(break_even.csv)")
    return lines


def _programme_lines(st: Setup, out: dict) -> list[str]:
    k = st.partner
    at = out["programme"][out["programme"]["period"] == st.period].set_index("size")
    sites, disp = out["programme_sites"], out["programme_displaced"]
    last = max(p + st.d.years[p] for p in st.d.PERIODS) - 1
    marginal = next(c for c in at.columns if c.startswith("marginal_in_horizon"))
    lines = [f"\nprogramme curve ({st.unit} of {k} built by {st.period}; per year and emissions in {st.period}; "
             f"marginal: USD of present value per {st.unit}, in the horizon):",
             f"  {'':>11} {'premium PV, M USD':^23}".rstrip(),
             f"  {'size':>11} {'in horizon':>11} {'full life':>11} {'M USD/yr':>9} {'Δ CO2 kt/yr':>12} "
             f"{'marginal':>14}  where {k} builds"]
    for size, r in at.iterrows():
        ss = sites[(sites["size"] == size) & (sites["new_mw"] > 0)].groupby(["zone", "technology"])["new_mw"].sum()
        where_ = ", ".join(f"{z} {g} {mw:,.0f}" for (z, g), mw in ss.items()) or "-"
        lines.append(f"  {_size(size):>11} {r['premium_in_horizon_pv_usd'] / 1e6:>11,.1f} "
                     f"{r['premium_full_life_pv_usd'] / 1e6:>11,.1f} {r['premium_annual_usd_per_yr'] / 1e6:>9,.1f} "
                     f"{r['emissions_change_t_per_yr'] / 1e3:>12,.1f} {_significant(r[marginal]):>14}  {where_}")
    for r in out["programme_infeasible"].itertuples():
        why = r.why.splitlines()[1:3] or [r.why]
        lines.append(f"  {_size(r.size):>11}  no plan can carry it: " + "; ".join(w.strip(" -") for w in why))
    base = st.d.settings["base_year"]
    lines.append(f"  in horizon: the objective's premium, for the years up to {last} only; full life: plus the "
                 f"premium per year of the {st.d.PERIODS[-1]} period for every year the programme's plants serve "
                 f"after {last} (discounted to {base}; as if the system of {st.d.PERIODS[-1]} ran on unchanged)")
    if len(disp):
        by_tech = disp.groupby(["size", "technology"])["new_mw_change"].sum()
        parts = []
        for size in sorted(disp["size"].unique()):
            cells = ", ".join(f"{g} {mw:+,.0f}" for g, mw in by_tech[size].items() if abs(mw) > 0.5)
            parts.append(f"{_size(size)}: {cells or '-'}")
        lines.append("  displaced (new MW of the other partners by technology, net of exchanges between them): "
                     + "; ".join(parts))
        swaps = disp[disp["exchange_between_others_mw"] > 0.5]
        if len(swaps):
            text = "; ".join(f"{_size(r.size)}: {r.exchange_between_others_mw:,.0f} MW {r.technology} in {r.zone}"
                             for r in swaps.itertuples())
            lines.append(f"  moved between other partners, not displaced by {k} (equally cheap choices of theirs): "
                         + text)
    open_ = sites[sites["equally_cheap_with"] != ""]
    for (size, g), grp in open_.groupby(["size", "technology"], sort=True):
        lines.append(f"  equally cheap sitings at {_size(size)} {st.unit}: {k}'s {g} MW can go to any of "
                     f"{', '.join(sorted(set(grp['zone'])))} at the same cost; the split shown is one of them")
    return lines


def summarise(st: Setup, out: dict, head: dict) -> str:
    k = st.partner
    lines = [f"placement of {k} in {st.spec.name}: least-cost plan "
             f"{head['least_cost_objective_usd'] / 1e9:,.3f} bn USD (present value)"]
    w = out["where"]
    lines.append(f"\nwhere {k} builds in the least-cost plan ({w['new_mw'].sum():,.0f} MW, "
                 f"{w['capex_usd'].sum() / 1e6:,.0f} M USD capex):")
    lines += [f"  {r.zone:<18}{r.technology:<12}{r.period:>6}{r.new_mw:>10,.0f} MW{r.capex_usd / 1e6:>10,.0f} M USD"
              for r in w.itertuples()] or ["  nothing"]
    lines += _break_even_lines(k, out["break_even"])
    if "programme" in out:
        lines += _programme_lines(st, out)
    alt = out["alternatives"]
    lines.append(f"\nrobustness: within {head['slack']:.1%} of least cost {k} builds {head[f'{k}_min_mw']:,.0f} to "
                 f"{head[f'{k}_max_mw']:,.0f} MW (least cost {head[f'{k}_least_cost_mw']:,.0f}); what binds the "
                 f"least: {head[f'{k}_min_limit']}, the most: {head[f'{k}_max_limit']}")
    if head.get("zones_ranged", "all") != "all":
        closest = len(head["zones_ranged"]) - w["zone"].nunique()
        lines.append(f"  (zones ranged: where {k} builds and the {closest} closest to entering)")
        if head.get("zones_tied_beyond_top"):
            lines.append(f"  (as close as the last of them, not ranged: {', '.join(head['zones_tied_beyond_top'])}; "
                         "a larger --top ranges them)")
    for r in alt.itertuples():
        lines.append(f"  {r.zone:<18}{r.least_cost_mw:>8,.0f} MW, range {r.min_mw:>7,.0f} to {r.max_mw:>7,.0f}  "
                     f"{r.siting:<9} bound by {r.min_limit} / {r.max_limit}")
    lines.append("  (bound by: the limit that binds the least / the most, from the duals of that solve: cost slack, "
                 "envelope, potential, zone cap, share, commitment; 0 MW: nothing lower)")
    if head["near_tie_zones"]:
        lines.append(f"  WARNING: the least-cost siting is a near-tie in {', '.join(head['near_tie_zones'])}: "
                     f"plans within {head['tie_slack']:.2%} of the cost place {k}'s MW differently")
    return "\n".join(lines)


def ranged_zones(out: dict, top: int) -> tuple[list[str], list[str]]:
    """The zones K builds in, then the ``top`` zones whose options are closest to entering (by tie group, then
    name); and the zones left out that tie with the last one picked."""
    be = out["break_even"].dropna(subset=["tie_group"])
    rank = be.groupby("zone")["tie_group"].min()
    built = list(dict.fromkeys(out["where"]["zone"]))
    rest = sorted((int(g), z) for z, g in rank.items() if z not in built)
    picked = rest[:top]
    tied = [z for g, z in rest[top:] if picked and g == picked[-1][0]]
    return built + [z for _, z in picked], tied


def placement(spec: RunSpec, partner: str, sizes: list[float] | None = None, unit: str = "MW",
              period: int | None = None, slack: float = 0.01, tie_slack: float = 1e-4, scheduler: str | None = None,
              results_root: Path | None = None, solver: dict | None = None, progress: bool = False,
              top: int | None = None, confirm: bool = False) -> dict:
    """The whole study; returns its tables, headline and the folder written (if ``results_root``)."""
    from planner.studies import check_partner, reserved, results_folder

    check_partner(spec, partner)  # before the partner names a results folder
    folder = results_folder(spec, NAME, partner, results_root) if results_root is not None else None
    with reserved(folder) as slot:  # a results location that cannot be written fails now, not after the solves
        return _placement(spec, partner, sizes, unit, period, slack, tie_slack, scheduler, slot, solver, progress, top,
                          confirm)


def _show_warnings(case) -> None:
    from planner.errors import show_warnings

    if case.warnings:
        show_warnings([str(w) for w in case.warnings])


def _placement(spec: RunSpec, partner: str, sizes: list[float] | None, unit: str, period: int | None, slack: float,
               tie_slack: float, scheduler: str | None, slot, solver: dict | None, progress: bool,
               top: int | None, confirm: bool) -> dict:
    meta = {"progress": progress, "t0": time.perf_counter()}
    st = build(spec, partner, unit, period, solver=solver, on_loaded=_show_warnings if progress else None,
               say=lambda text: _say(meta, text))
    st.meta.update(meta)
    st.say(f"least-cost plan solved: {st.solver.objective() / 1e9:,.3f} bn USD")
    tables = base_tables(st)
    out = {"where": where(st, tables)}
    st.say(f"break-even of {len(st.columns())} build options of {partner}")
    out["break_even"] = break_even(st, confirm=confirm)
    if sizes:
        out.update(programme_curve(st, sizes, scheduler))
    only, tied = (None, []) if top is None else ranged_zones(out, top)
    out["alternatives"], head = alternatives(st, slack, tie_slack, only)
    head["zones_ranged"] = "all" if only is None else only
    head["zones_tied_beyond_top"] = tied
    head["warnings"] = st.warnings
    st.meta["timings_s"]["warm_solves"] = st.solver.seconds[1:]
    head = {**head, **{k: v for k, v in st.meta.items() if k not in ("progress", "t0")}}
    text = summarise(st, out, head)
    folder = None
    if slot is not None:
        from planner.studies import write_tables

        def extra(tmp: Path) -> None:
            (tmp / "summary.txt").write_text(text + "\n")
            (tmp / "run.json").write_text(json.dumps(head, indent=2, default=str) + "\n")
            from planner.report.placement import write_section
            write_section(tmp, out, head, st.d.zones.reset_index())  # report.html: the study's report section
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
    p.add_argument("--top", type=int, help="range only the zones the partner builds in and the TOP zones closest to "
                   "entering (by break-even capex; zones that tie with the last one are named); default: every zone "
                   "the partner is offered")
    p.add_argument("--confirm", action="store_true", help="check each break-even capex and WACC by warm re-solves "
                   "0.01 %% either side of it (column confirmed_by_resolve; four solves per option)")
    p.add_argument("--scheduler",
                   help="run the programme points on a dask.distributed scheduler ('local' for this machine)")
    p.add_argument("--results", default="results")


def parse_sizes(text: str, unit: str) -> list[float]:
    """``--programme`` as numbers, each >= 0 and within the bound of a commitment's quantity in ``unit``
    (planner/schema.py COMMITMENT_MAX, as partner_commitments.csv), written as a CSV cell may be: ASCII digits, a
    decimal point and an exponent (1e7); float() alone also reads 1_000, nan, inf and 1e400 = inf, which are refused;
    exit 2 naming --programme."""
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
                                  "written with the digits 0-9, a decimal point and an optional exponent (no _ or "
                                  "thousands separators), e.g. 0,500,1000 or 0,1e7")])
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
                    args.scheduler, Path(args.results), progress=True, top=args.top, confirm=args.confirm)
    print(res["summary"])
    print(f"\nresults written to {res['folder']}")
    return 0


def report_section(run) -> Section | None:
    """The placement studies of ``run``'s model stored beside it (``<name>-placement*/``) in the run's report (the
    study hook, planner/studies/__init__.py): each one's section under the partners, its tables as workbook sheets
    ``placement_<table>`` (a later study's table of the same name in the sheet of the first); None when there is
    none."""
    from planner.report.placement import section_html, study_folders
    from planner.studies import Section

    found = study_folders(run)
    if not found:
        return None
    sheets: dict[str, pd.DataFrame] = {}
    for _, tables, _ in found:
        sheets.update({f"placement_{k}": v for k, v in tables.items()})
    return Section("\n".join(section_html(tables, head, run.inputs.get("zones"), folder.name, level=3)
                             for folder, tables, head in found), sheets)
