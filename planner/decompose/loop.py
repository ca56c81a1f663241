"""The decomposition's loop: the first point, the evaluations of each point on every block, the bounds and the
step, then the answer.

The first point: the master's least-cost point at the theta floors, or the capacities of a representative-day plan
(``start_days``); then a budget-free pass, each block at those capacities with its budget rows free, whose use of
each row, shifted to meet the annual rows, gives the first budgets (min over the budgets of a block's cost is
convex in the capacities, so this pass gives valid cuts as well).

Bounds: the lower bound is the master LP's optimum (a relaxation: it holds every cut); the upper bound is the cost of
the best point evaluated at which every block is feasible, c_x x^ + sum_k f_k, the cost of a plan that meets every
row. The gap is (upper - lower) / |upper|. Between evaluations the next point is Pecci and Jenkins' level set
projection (IEEE Transactions on Power Systems 40(4), 2025): the point nearest the best one (a weighted L1
distance, an LP) among those the cuts price at most lower + level * (upper - lower), so the master does not jump.

The answer is the best point: its master columns, each block's operations as its subproblem solved them, prices
from the subproblems' row duals and the annual rows' duals from the master, loaded into the Pyomo model as a
monolithic solve's would be; ``extract`` reads it unchanged.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from planner.decompose.lp import INF
from planner.errors import SolveError
from planner.solve import Compiled, Solution


def _peaks_said(peaks: bool | int) -> str:
    """The log's words for ``relax_peaks``: true, false or N (spec: a whole number >= 1)."""
    if peaks is False:
        return ""
    if peaks is True:
        return ", each block's peak-demand timesteps alone"
    return f", peak-demand timesteps alone in each series' {peaks} blocks of highest peak"


def _iterate(m, comp, A, master, runner, links, keys, floors, opts, options, t0, clock, progress, on_line, start):
    """The loop of ``solve_decomposed``: evaluate the point on every block, cut, bound, step; then the answer."""
    t = time.perf_counter()
    need = {k: None for k, f in enumerate(floors) if f is None}
    if need:  # a column can go to -inf at a negative cost: the block's relaxation gives the floor
        for k, r in runner.solve(need).items():
            floors[k] = r["f"]
    master.set_theta_floor(np.array(floors))
    where = "in this process" if runner.workers == 0 else f"on {runner.workers} Dask worker(s)"
    lines = [f"planner: Benders decomposition, {len(keys)} subproblems ({opts['block_days']} blocks of timesteps "
             f"each) {where}, {master.n_x} master columns, {master.n_b} budgets, gap tolerance {opts['gap']:g}, "
             f"{opts['resolve']} re-solves"
             + (f", each block relaxed in the master ({master.n_relaxed} columns, steps of {opts['relax_hours']} "
                "timesteps" + _peaks_said(opts["relax_peaks"]) + ")"
                if master.n_relaxed else "")
             + (", level-set steps" if opts["regularisation"] == "level"
                else ", the master's own points (no regularisation)")]

    def say(text: str) -> None:
        lines.append(text)
        if on_line is not None:
            on_line(text)

    lower = master.solve_lower()
    z = master.point().copy()
    relaxed = master.n_relaxed > 0
    if relaxed:
        # the master with every block relaxed is a coarse model of the whole problem: its point (capacities and the
        # budgets its relaxed blocks keep) is a nearer first point than a representative-day plan with budgets
        # spread by use (measured on the 6-day model: 8 iterations to 0.1 % against 25)
        say(f"first point: the master's own, each block relaxed (lower bound {lower + comp.offset:.6e} before "
            "any cut)" + ("; the start plan gives the elastic penalties only" if start else ""))
    elif start:
        trial = z.copy()
        for i, j in enumerate(master.xs):
            val = start.get(comp.columns[j].name)
            if val is not None:
                trial[i] = val
        if master.holds(trial):
            z = trial
            say(f"first point: {sum(comp.columns[j].name in start for j in master.xs)} of {master.n_x} "
                "master columns from the start point")
        else:
            say("first point: the start point breaks a master row; the master's own point is taken")
    t = _lap(clock, "first master", t)
    # budget-free pass: each block at the point's capacities with its budget rows free; what it uses there gives the
    # first budgets, and min over the budgets of its cost is a valid cut in the capacities alone
    free = runner.solve({k: z[idx] for k, idx in enumerate(master.fix_index)}, free_budgets=True)
    usage = {}
    master.set_scale(max([abs(r["f"]) for r in free.values() if r["feasible"]] + [abs(f) for f in floors]))
    for k, r in free.items():
        if r["feasible"]:
            master.add_cut(k, r["f"], r["slope"], z[master.fix_index[k]])
            usage[k] = r["usage"]
        else:
            master.add_feasibility_cut(k, r["v"], r["slope"], z[master.fix_index[k]])
    if not relaxed:
        z = master.first_budgets(z, links, usage, options)
    t = _lap(clock, "budget-free pass", t)
    say(f"budget-free pass: {sum(r['feasible'] for r in free.values())} of {len(free)} blocks feasible at the first "
        f"capacities  {time.perf_counter() - t0:8.1f} s")
    if start and start.get("priced") is not None:
        say(f"elastic budget penalties: {start['priced']} of {master.n_b} from ten times the start plan's duals")
    upper, best, gap, best_slack, raised = INF, None, INF, (0.0, -1), 0
    it, reason, infeasible_points = 0, "max_iterations", 0
    was: dict[str, float] = {}  # the clock at the last iteration's line: each line gives its own seconds
    while True:
        it += 1
        t = time.perf_counter()
        res = runner.solve({k: z[idx] for k, idx in enumerate(master.fix_index)})
        t = _lap(clock, "subproblems", t)
        total = float(master.cost[:master.n_x] @ z[:master.n_x]) + comp.offset
        bad, slack = 0, (0.0, -1)
        for k in sorted(res):
            r, zk = res[k], z[master.fix_index[k]]
            if r["feasible"]:
                total += r["f"]
                slack = max(slack, tuple(r["slack"]))
                master.add_cut(k, r["f"], r["slope"], zk)
            else:
                bad += 1
                master.add_feasibility_cut(k, r["v"], r["slope"], zk)
        if bad:
            infeasible_points += 1
        elif total < upper:
            upper, best, best_slack = total, z.copy(), slack
            runner.keep()
        t = _lap(clock, "cuts", t)
        lower = master.solve_lower() + comp.offset
        t = _lap(clock, "master", t)
        gap = (upper - lower) / max(abs(upper), 1.0) if best is not None else INF
        elapsed = time.perf_counter() - t0
        spent = {k: clock.get(k, 0.0) - was.get(k, 0.0) for k in ("level step", "subproblems", "master")}
        was = dict(clock)
        say(f"iteration {it:4d}  lower {lower:.10e}  upper {upper:.10e}  gap {gap:.3e}  {elapsed:8.1f} s"
            f"  (step {spent['level step']:.1f} s, blocks {spent['subproblems']:.1f} s, master "
            f"{spent['master']:.1f} s)"
            + (f"  ({bad} blocks infeasible at this point: feasibility cuts)" if bad else ""))
        if progress is not None:
            progress.stage(f"benders {it}: gap {100 * gap:.3f} %" if best is not None else f"benders {it}")
        if gap <= opts["gap"] and best_slack[0] > 1e-6 and raised < 6:
            # the best point leans on an elastic column: its penalty was below the row's worth; raise it, go on
            # (a cut made at a lower penalty stays valid, a block's cost growing with its penalty; the upper bound
            # does not, so it is taken again)
            raised += 1
            runner.raise_penalty(10.0)
            master.raise_penalty(10.0)
            say(f"  (elastic budgets in use at the best point, {best_slack[0]:.3g} of a budget of "
                f"{comp.rows[best_slack[1]].name}: penalties raised tenfold, "
                f"{raised} of 6)")
            upper, z, best = INF, best, None
            continue
        if gap <= opts["gap"]:
            reason = "gap"
            break
        if it >= opts["max_iterations"]:
            break
        if opts["time_limit_s"] is not None and elapsed > float(opts["time_limit_s"]):
            reason = "time_limit"
            break
        z = None
        if opts["regularisation"] == "level" and best is not None:
            capped = master.capped
            left = (None if opts["time_limit_s"] is None
                    else float(opts["time_limit_s"]) - (time.perf_counter() - t0))
            z = master.project(best, lower - comp.offset + opts["level"] * (upper - lower), left)
            if master.capped > capped:
                say(f"  (level-set step stopped at its cap of {master.last_cap:.0f} s, five times the master's "
                    "re-solve (at least 30 s) within the run's time limit: the master's own point is taken instead)")
            elif z is None:
                say("  (level-set step not optimal: the master's own point is taken instead)")
        if z is None:
            z = master.point()
        t = _lap(clock, "level step", t)
    log = "\n".join(lines) + "\n"
    if reason != "gap":
        raise SolveError("Time limit reached" if reason == "time_limit" else "Iteration limit reached",
                         f"the decomposition stopped after {it} iterations at a gap of {100 * gap:.4f} % "
                         f"(tolerance {100 * opts['gap']:g} %); raise decomposition.{reason}" + "\n" + log)
    if best_slack[0] > 1e-6:
        raise SolveError("elastic budgets in use", f"the best point of the decomposition leaves {best_slack[0]:.3g} "
                                                   "of a block's budget uncovered after six tenfold raises of "
                                                   "their penalties; this is a defect of the decomposition, not a "
                                                   "result")
    kept = runner.answer()
    x = np.zeros(len(comp.columns))
    x[master.xs] = best[:master.n_x]
    y_row = np.zeros(len(comp.rows))
    for k, own, rows in keys:
        x[own], y_row[rows] = kept[k]
    md = master.row_duals()
    y_row[master.mrows] = md[:len(master.mrows)]
    y_row[master.lrows] = md[len(master.mrows):len(master.mrows) + len(master.lrows)]
    _check_feasible(comp, A, x)
    for v, val in zip(comp.columns, x):
        v.set_value(float(val), skip_validation=True)
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            v.set_value(0.0 if v.lb is None or v.lb <= 0 <= (v.ub if v.ub is not None else 0) else v.lb,
                        skip_validation=True)
    scale = getattr(m, "_row_scale", {})
    duals: dict = {}
    for con, yi in zip(comp.rows, y_row):
        duals[con] = duals.get(con, 0.0) + float(yi) * scale.get(con.parent_component().local_name, 1.0)
    objective = float(np.asarray(comp.lp.col_cost_) @ x) + comp.offset
    return Solution(status="optimal", objective=objective, duals=duals,
                    seconds={"compile": comp.seconds, "solve": time.perf_counter() - t0 - comp.seconds},
                    solver_version=f"HiGHS {master.h.version()} (Benders decomposition)",
                    iterations={"benders": it, "cuts": master.n_cuts, "feasibility_cuts": master.n_feasibility,
                                "capped_steps": master.capped},
                    size={"columns": len(comp.columns), "rows": len(comp.rows), "subproblems": len(keys),
                          "master_columns": master.n_x, "budgets": master.n_b},
                    log=log + f"stopped: {reason}; lower {lower:.10e}, upper {upper:.10e}, gap {gap:.3e}\n"
                        + "seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in clock.items()) + "\n",
                    notes={"decomposition": {**opts, "stopped": reason, "iterations": it, "lower_usd": lower,
                                             "upper_usd": upper, "gap": gap, "subproblems": len(keys),
                                             "dask_workers": runner.workers, "infeasible_points": infeasible_points,
                                             "feasibility_cuts": master.n_feasibility,
                                             "seconds": {k: round(v, 3) for k, v in clock.items()}}})


def _lap(clock: dict, name: str, since: float) -> float:
    now = time.perf_counter()
    clock[name] = clock.get(name, 0.0) + now - since
    return now


def _check_feasible(comp: Compiled, A: sp.csr_matrix, x: np.ndarray, tol: float = 1e-6) -> None:
    """The assembled answer meets every row and bound of the whole LP (relative to the row's size), or it is an
    error: a decomposition's answer is a plan of the monolithic model, or nothing."""
    lp = comp.lp
    act = A @ x
    rl, ru = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    with np.errstate(invalid="ignore"):
        size = np.maximum(1.0, np.maximum(np.where(np.isfinite(rl), np.abs(rl), 0), np.where(np.isfinite(ru),
                                                                                              np.abs(ru), 0)))
        viol = np.maximum(rl - act, act - ru) / size
    viol = np.where(np.isfinite(viol), viol, 0.0)
    cl, cu = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
    bad_col = np.maximum(cl - x, x - cu) / np.maximum(1.0, np.abs(x))
    worst = max(float(viol.max(initial=0.0)), float(np.where(np.isfinite(bad_col), bad_col, 0.0).max(initial=0.0)))
    if worst > tol:
        i = int(np.argmax(viol))
        raise SolveError("decomposition answer infeasible", f"row {comp.rows[i].name} is violated by {worst:.3g} "
                                                            "(relative); this is a defect, not a result")
