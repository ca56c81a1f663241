"""Benders decomposition by time: investments in a master LP, each block of time's operations in a subproblem.

The compiled LP (planner.solve.compile_lp) is partitioned as it stands, so every constraint family takes part with no
code of its own. A column belongs to block k = (period p, group of ``block_days`` consecutive blocks of timesteps) when
its variable is one a family declares time-indexed (``TIME_VARIABLES``, index ending in (p, t)); every other column
(new capacity, capacity in service, new lines, storage energy, states that link days) is a master column x. A row
whose operational columns all lie in one block belongs to that block's subproblem; a row with none is a master row; a
row whose operational columns lie in several blocks (the annual rows: CO2 cap, fuel limits, hydro budgets, renewable
and import shares) is a linking row r, written over one budget column per block it reaches:

    master:      min  c_x x + sum_k theta_k
                 A_xx x in [l, u]                                          (master rows)
                 l_r <= a_rx x + sum_k beta_rk <= u_r                      (each linking row r)
                 theta_k >= f_k(x^i, beta^i) + g_k^i . ((x, beta) - (x^i, beta^i))   (cuts, one per block and point i)
                 theta_k >= theta_k^min                                    (block k's cost with every x free: a bound)

    subproblem k at (x^, beta^):
                 f_k = min c_k y_k + sum_r P_r (s_rk^lo + s_rk^up)
                 A_kk y_k + A_kx x in [l_k, u_k],       x = x^             (the block's rows, master columns fixed)
                 a_rk y_k - beta_rk + s_rk^lo - s_rk^up in [0 if l_r finite else -inf, 0 if u_r finite else +inf]
                 beta_rk = beta^_rk,   s >= 0

The master columns and budgets enter a subproblem as columns fixed by their bounds, so the cut's slope g_k is their
reduced costs (USD per unit), read from the same solve. Two kinds of infeasibility are met two ways:
- a budget the block cannot keep at the master's capacities (an annual row is a price inside one block, not a law
  of physics): elastic columns s on the budget rows, at a penalty P_r bounded by a dual, ten times the annual row's
  dual in the representative-day start plan (``dual_penalties``; where none is known, twice the dearest operating
  cost per unit of the row). It is an exact penalty while P_r exceeds the row's dual at the optimum; a best point
  that leans on s raises P tenfold (cuts made at the lower penalty stay valid), and a final point with any s > 0 is
  an error, never a result;
- a master point the block's own rows cannot meet (a must-run capacity its demand cannot take, a storage state it
  cannot reach): a feasibility cut. The block's phase 1, v_k = min sum of the violations of the rows a master column
  enters, is convex in (x, beta) and positive there, and v_k(x^, beta^) + h_k^i . ((x, beta) - (x^, beta^)) <= 0
  (h: the phase 1's reduced costs, the normalised dual ray) cuts the point off and no feasible one.
The master also holds the bounds each block's column bounds imply for its budgets (a CO2 budget >= 0).

The first point: the master's least-cost point at the theta floors, or the capacities of a representative-day plan
(``start_days``); then a budget-free pass, each block at those capacities with its budget rows free, whose use of
each row, shifted to meet the annual rows, gives the first budgets (min over the budgets of a block's cost is
convex in the capacities, so this pass gives valid cuts as well).

Bounds: the lower bound is the master LP's optimum (a relaxation: it holds every cut); the upper bound is the cost of
the best point evaluated at which every block is feasible, c_x x^ + sum_k f_k, the cost of a plan that meets every
row. The gap is (upper - lower) / |upper|. Between evaluations the next point is Pecci and Jenkins' level set
projection (IEEE Transactions on Power Systems 40(4), 2025): the point nearest the best one (a weighted L1
distance, an LP) among those the cuts price at most lower + level * (upper - lower), so the master does not jump.

Where the subproblems run: in this process, or on a dask.distributed scheduler (``scheduler = "local"`` with
``workers``, or an address), one ``Blocks`` actor per worker holding its subproblems' HiGHS instances; the client
holds the master. A re-solve is cold with presolve (``resolve = "cold"``, measured faster at full resolution than
the dual simplex from the kept basis) or warm.

The answer is the best point: its master columns, each block's operations as its subproblem solved them, prices
from the subproblems' row duals and the annual rows' duals from the master, loaded into the Pyomo model as a
monolithic solve's would be; ``extract`` reads it unchanged.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from planner.errors import SolveError
from planner.model.data import ModelData
from planner.progress import Progress
from planner.relaxation import relax, state_columns, steps
from planner.solve import Compiled, Solution, compile_lp, make_highs, objective_scale, run_highs
from planner.spec import DECOMPOSITION as DEFAULTS

INF = highspy.kHighsInf
STEPS_PER_DAY = 24  # timesteps of a day at full resolution (hours)



@dataclass
class Partition:
    """Which columns and rows of the compiled LP go where."""

    col_block: np.ndarray            # per column: subproblem index, or -1 for a master column
    row_block: np.ndarray            # per row: subproblem index, -1 master row, -2 linking row
    blocks: list[tuple[int, int]]    # subproblem k -> (period, first block of its group)
    linking: np.ndarray              # indices of the linking rows
    links_of: list[np.ndarray]       # subproblem k -> the linking rows holding a column of k (ascending)


def time_variables() -> set[str]:
    """Names of the variables the constraint families declare indexed by (period, timestep)."""
    from planner.model.build import MODULES

    return {name for mod in MODULES for name in getattr(mod, "TIME_VARIABLES", ())}


def partition(comp: Compiled, d: ModelData, block_days: int) -> Partition:
    """Columns and rows by block of time (module docstring)."""
    timed = time_variables()
    group = day_groups(d, block_days)
    keys: dict[tuple[int, int], int] = {}
    col_block = np.full(len(comp.columns), -1, dtype=np.int64)
    for j, v in enumerate(comp.columns):
        if v.parent_component().local_name not in timed:
            continue
        idx = v.index()
        key = (int(idx[-2]), group[idx[-1]])
        col_block[j] = keys.setdefault(key, len(keys))
    A = _csr(comp)
    nnz_block = col_block[A.indices]
    op = nnz_block >= 0
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    lo = np.full(A.shape[0], np.iinfo(np.int64).max)
    hi = np.full(A.shape[0], -1)
    np.minimum.at(lo, rows[op], nnz_block[op])
    np.maximum.at(hi, rows[op], nnz_block[op])
    row_block = np.where(hi < 0, -1, np.where(lo == hi, hi, -2))
    blocks = [k for k, _ in sorted(keys.items(), key=lambda kv: kv[1])]
    linking = np.flatnonzero(row_block == -2)
    on = (row_block[rows] == -2) & op  # (linking row, block) of every entry of a linking row in some block
    pairs = np.unique(np.stack([nnz_block[on], rows[on]], axis=1), axis=0) if on.any() else np.zeros((0, 2), int)
    links_of = [pairs[pairs[:, 0] == k, 1] for k in range(len(blocks))]
    return Partition(col_block, row_block, blocks, linking, links_of)


def day_groups(d: ModelData, block_days: int) -> dict[int, int]:
    """Timestep -> its group of ``block_days`` days. A day is a block of timesteps (a representative day), or
    each run of ``STEPS_PER_DAY`` consecutive timesteps of a longer block: the hourly year is one block of 8,760
    steps (one storage cycle), and grouping by block alone made it a single subproblem of the whole year's
    operations. Days are taken in the order of their blocks, then of their place in the block, so at full
    resolution a group is a stretch of the calendar; the storage rows that cross from one group to the next become
    linking rows with a budget per group, as the annual rows are."""
    place: dict[int, int] = {}
    seen: dict[int, int] = {}
    for t in d.TIMESTEPS:  # a block's steps in the order its storage chain follows (data._timesteps)
        b = d.block[t]
        place[t] = seen.get(b, 0)
        seen[b] = place[t] + 1
    days = sorted({(d.block[t], place[t] // STEPS_PER_DAY) for t in d.TIMESTEPS})
    rank = {day: i // block_days for i, day in enumerate(days)}
    return {t: rank[(d.block[t], place[t] // STEPS_PER_DAY)] for t in d.TIMESTEPS}


def time_keys(comp: Compiled, d: ModelData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per column and per row of the LP: an integer key of its family and index but the timestep, and its timestep
    (-1 for none). A row or column indexed (..., period, timestep) is timed; the relaxation (planner/relaxation.py)
    groups by these keys, and needs them only to be strong: its test of each row keeps it valid whatever they are."""
    steps, periods = set(d.TIMESTEPS), set(d.PERIODS)
    ids: dict = {}

    def keyed(objs):
        key = np.empty(len(objs), dtype=np.int64)
        when = np.full(len(objs), -1, dtype=np.int64)
        for i, o in enumerate(objs):
            idx = o.index()
            name = o.parent_component().local_name
            if isinstance(idx, tuple) and len(idx) >= 2 and idx[-1] in steps and idx[-2] in periods:
                key[i] = ids.setdefault((name, idx[:-1]), len(ids))
                when[i] = idx[-1]
            else:
                key[i] = ids.setdefault((name, idx), len(ids))
        return key, when

    ck, ct = keyed(comp.columns)
    rk, rt = keyed(comp.rows)
    return ck, ct, rk, rt


def relaxations(comp: Compiled, d: ModelData, subs: list[Subproblem], hours: int) -> list:
    """Each block's relaxation with its timesteps averaged into steps of ``hours`` (planner/relaxation.py)."""
    ck, ct, rk, rt = time_keys(comp, d)
    rank = {t: i for i, t in enumerate(d.TIMESTEPS)}  # the storage chain's order (data._timesteps)
    out = []
    for s in subs:
        times = np.unique(ct[s.own])
        ts = sorted((int(t) for t in times if t >= 0), key=rank.__getitem__)
        step = steps(ts, d.block, hours)
        last = {}
        for t in ts:
            last[step[t]] = t
        ends = set(last.values())
        n_r = len(s.rows)
        core = s.M[:n_r].tocsr()
        own_rows, master_rows = core[:, :s.n_own], core[:, s.n_own:s.n_own + s.n_m]
        r_time, c_time = rt[s.rows], ct[s.own]
        r_step = np.array([step.get(int(t), -1) for t in r_time], dtype=np.int64)
        r_last = np.array([int(t) in ends for t in r_time], dtype=bool)
        c_step = np.array([step.get(int(t), -1) for t in c_time], dtype=np.int64)
        c_last = np.array([int(t) in ends for t in c_time], dtype=bool)
        state = state_columns(own_rows, r_time, c_time, ck[s.own])
        out.append(relax(s.k, own_rows, master_rows, s.row_lower[:n_r], s.row_upper[:n_r], rk[s.rows], r_step,
                         r_last, s.cost[:s.n_own], s.lower[:s.n_own], s.upper[:s.n_own], ck[s.own], c_step, c_last,
                         state, s.link, s.row_lower[n_r:], s.row_upper[n_r:], s.penalty))
    return out


def _csr(comp: Compiled) -> sp.csr_matrix:
    return _csr_of(comp.lp)


def _csr_of(lp: highspy.HighsLp) -> sp.csr_matrix:
    a = lp.a_matrix_
    n_row, n_col = lp.num_row_, lp.num_col_
    csc = sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)), shape=(n_row, n_col))
    return csc.tocsr()


def _lp(cost, lower, upper, A: sp.spmatrix, row_lower, row_upper) -> highspy.HighsLp:
    A = sp.csc_matrix(A)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = A.shape[1], A.shape[0]
    return lp


class Subproblem:
    """Block k's operations LP, as arrays; its HiGHS instances are made where it is solved (on the first solve), so
    a subproblem travels to a Dask worker as its arrays and the worker keeps the instance between iterations."""

    def __init__(self, k: int, comp: Compiled, A: sp.csr_matrix, part: Partition):
        self.k = k
        rows = np.flatnonzero(part.row_block == k)
        own = np.flatnonzero(part.col_block == k)
        self.links = np.asarray(part.links_of[k], dtype=np.int64)
        sub = A[rows]
        masters = np.unique(sub.indices[part.col_block[sub.indices] == -1])
        self.own, self.masters, self.rows = own, masters, rows
        lp = comp.lp
        c, cl, cu = (np.asarray(lp.col_cost_), np.asarray(lp.col_lower_), np.asarray(lp.col_upper_))
        rl, ru = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        n_own, n_m, n_b = len(own), len(masters), len(self.links)
        sub_c = sub.tocsc()
        link = A[self.links].tocsc()[:, own] if n_b else sp.csc_matrix((0, n_own))
        # columns: own operations | fixed master copies | budgets. Rows: the block's rows, then one budget row per
        # linking row it reaches: a_rk y_k - beta_rk in [0 if l_r finite else -inf, 0 if u_r finite else +inf]
        core = sp.bmat([[sub_c[:, own], sub_c[:, masters], sp.csc_matrix((len(rows), n_b))],
                        [link, sp.csc_matrix((n_b, n_m)), -sp.identity(n_b, format="csc")]], format="csc")
        self.row_lower = np.concatenate([rl[rows], np.where(np.isfinite(rl[self.links]), 0.0, -INF)])
        self.row_upper = np.concatenate([ru[rows], np.where(np.isfinite(ru[self.links]), 0.0, INF)])
        # elastic columns on the budget rows only (an annual row is a price, not a law of physics, inside one block:
        # relatively complete recourse), at a penalty per unit above the row's dual (set_penalty)
        el = len(rows) + np.arange(n_b)
        E = sp.csc_matrix((np.ones(n_b), (el, np.arange(n_b))), shape=(len(rows) + n_b, n_b))
        self.M = sp.hstack([core, E, -E], format="csc")
        # the rows a fixed value enters: where the block can be infeasible at a master point (phase 1, below)
        has_fixed = np.diff(core[:len(rows), n_own:].tocsr().indptr) > 0
        self.fixed_rows = np.flatnonzero(has_fixed).astype(np.int64)
        self.link = sp.csr_matrix(link)
        self.penalty = _penalty(c[own], self.link)
        self.cost = np.concatenate([c[own], np.zeros(n_m + n_b), self.penalty, self.penalty])
        lo_ok = np.isfinite(self.row_lower[el])
        up_ok = np.isfinite(self.row_upper[el])
        self.lower = np.concatenate([cl[own], cl[masters], np.full(n_b, -INF), np.zeros(2 * n_b)])
        self.upper = np.concatenate([cu[own], cu[masters], np.full(n_b, INF), np.where(lo_ok, INF, 0.0),
                                     np.where(up_ok, INF, 0.0)])
        self.n_own, self.n_m, self.n_b = n_own, n_m, n_b
        self.fixed_cols = np.arange(n_own, n_own + n_m + n_b, dtype=np.int32)
        self.slack_cols = np.arange(n_own + n_m + n_b, n_own + n_m + 3 * n_b, dtype=np.int32)
        self.free_lower = np.concatenate([cl[masters], np.full(n_b, -INF)])
        self.free_upper = np.concatenate([cu[masters], np.full(n_b, INF)])
        # the largest bound or right-hand side the fixed values leave alone (for _run's bound scale)
        self.top = _top(self.lower[:n_own], self.upper[:n_own], self.row_lower, self.row_upper)
        self.h: highspy.Highs | None = None
        self.p1: highspy.Highs | None = None

    def set_penalty(self, penalty: np.ndarray) -> None:
        """USD per unit of each budget row's elastic columns."""
        self.penalty = np.asarray(penalty, dtype=float)
        both = np.concatenate([self.penalty, self.penalty])
        self.cost[self.slack_cols] = both
        if self.h is not None:
            self.h.changeColsCost(len(self.slack_cols), self.slack_cols, both)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "h": None, "p1": None}  # HiGHS instances stay where they were made

    def budget_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds on each budget that the block's column bounds imply (no solve): a <= row's budget is at least the
        least the block can use, min a_rk . y_k over l <= y_k <= u; a >= row's at most the most it can use; an
        equality's both. -inf / +inf where a bound the sum needs is infinite. The master holds them, so it never
        hands a block a budget (a negative CO2 budget, say) that no operation of the block could meet."""
        lo = np.full(self.n_b, -INF)
        hi = np.full(self.n_b, INF)
        cl, cu = self.lower[:self.n_own], self.upper[:self.n_own]
        with np.errstate(invalid="ignore"):
            for i in range(self.n_b):
                s, e = self.link.indptr[i], self.link.indptr[i + 1]
                a, j = self.link.data[s:e], self.link.indices[s:e]
                least = np.where(a > 0, a * cl[j], a * cu[j])
                most = np.where(a > 0, a * cu[j], a * cl[j])
                least = np.where(a == 0, 0.0, least)
                most = np.where(a == 0, 0.0, most)
                if np.isfinite(self.row_upper[len(self.rows) + i]) and np.all(np.isfinite(least)):
                    lo[i] = float(least.sum())
                if np.isfinite(self.row_lower[len(self.rows) + i]) and np.all(np.isfinite(most)):
                    hi[i] = float(most.sum())
        return lo, hi

    def cheap_floor(self) -> float | None:
        """A lower bound of the block's cost whatever the master fixes, without a solve: each of its own columns at
        the bound its cost prefers (sum_j c_j * (lb_j if c_j >= 0 else ub_j)); None where such a bound is infinite.

        Every operations column of the model is >= 0 with a cost >= 0 but exports, whose revenue is bounded by
        the interconnector, so the bound is finite there and costs nothing; it is weaker than the relaxation's
        (which took minutes a week at full resolution), and the first cuts lift it at once."""
        c = self.cost[:self.n_own]
        pick = np.where(c >= 0, self.lower[:self.n_own], self.upper[:self.n_own])
        use = c != 0
        if not np.all(np.isfinite(pick[use])):
            return None
        return float(c[use] @ pick[use])

    def _instance(self, options: dict) -> highspy.Highs:
        if self.h is None:
            # the run's thread count for every instance: HiGHS keeps one global thread pool (make_highs)
            opts = {k: v for k, v in options.items() if k not in ("method", "time_limit_s", "crossover")}
            self.lp = _lp(self.cost, self.lower, self.upper, self.M, self.row_lower, self.row_upper)
            self.h = make_highs({**opts, "method": "simplex"})
            self.h.passModel(self.lp)
            self.h.setOptionValue("user_objective_scale", objective_scale(self.lp))
        return self.h

    def solve(self, z: np.ndarray | None, options: dict, free_budgets: bool = False, cold: bool = False) -> dict:
        """The block at the fixed values ``z`` (master copies then budgets; None: all free, the relaxation;
        ``free_budgets``: the masters fixed, the budgets free). Feasible: its cost ``f`` and slope (the fixed
        columns' reduced costs, USD per unit) and what it uses of each budget row. Infeasible: the phase-1 value
        ``v`` > 0 and its slope (``_phase1``), for a feasibility cut. ``cold``: from no basis, with presolve."""
        h = self._instance(options)
        lo, up = self._fixed_bounds(z, free_budgets)
        h.changeColsBounds(len(self.fixed_cols), self.fixed_cols, lo, up)
        if cold:
            h.clearSolver()
        what = f"subproblem {self.k} of the decomposition"
        top = max(self.top, _top(lo, up))
        if _run(h, what, top, infeasible_ok=True):
            sol = h.getSolution()
            x = np.asarray(sol.col_value)
            return {"feasible": True, "f": float(h.getInfo().objective_function_value),
                    "slope": np.asarray(sol.col_dual)[self.fixed_cols].copy(),
                    "usage": self.link @ x[:self.n_own] if self.n_b else np.zeros(0),
                    "slack": self._slack(x, lo)}
        v, slope = self._phase1(lo, up, options, top)
        if v > 0 and np.any(np.abs(slope) > 1e-9):
            return {"feasible": False, "v": v, "slope": slope}
        # phase 1 reaches 0: the simplex's infeasibility was its tolerances' (the point is on the edge of what the
        # block can meet); once more from scratch by IPX with crossover, as an unclean warm start is
        h.clearSolver()
        method = h.getOptionValue("solver")[1]
        h.setOptionValue("solver", "ipx")
        h.setOptionValue("run_crossover", "on")
        try:
            ok = _run(h, what, top, infeasible_ok=True)
        finally:
            h.setOptionValue("solver", method)
        if not ok:
            raise SolveError("Infeasible", f"{what}: infeasible by the simplex and by IPX, yet its phase 1 reaches "
                                           f"{v:.3g} with no slope; the point cannot be judged")
        return self.solve(z, options, free_budgets)

    def _slack(self, x: np.ndarray, fixed: np.ndarray) -> float:
        """The most any budget row leans on its elastic columns, relative to its budget (max(|beta|, 1)): a
        measure that a simplex's tolerances (1e-7 a column, summed over thousands of rows) do not reach."""
        if not self.n_b:
            return 0.0
        s = np.abs(x[self.slack_cols[:self.n_b]]) + np.abs(x[self.slack_cols[self.n_b:]])
        return float((s / np.maximum(np.abs(fixed[self.n_m:]), 1.0)).max())

    def _fixed_bounds(self, z, free_budgets):
        if z is None:
            return self.free_lower, self.free_upper
        lo = np.asarray(z, dtype=float).copy()
        up = lo.copy()
        if free_budgets and self.n_b:
            lo[self.n_m:], up[self.n_m:] = -INF, INF
        return lo, up

    def _phase1(self, lo: np.ndarray, up: np.ndarray, options: dict, top: float) -> tuple[float, np.ndarray]:
        """The block's least total violation at the fixed values (each row a fixed value enters may be missed, at
        a cost of 1 per unit either way; no operating cost): v(z) = min 1.(s+ + s-). v is convex in z and > 0 exactly
        where the block is infeasible; its slope at z^ is the fixed columns' reduced costs (the normalised dual ray
        of the infeasible block), so v(z^) + g.(z - z^) <= 0 is the textbook feasibility cut. Solved cold, in an
        instance of its own, so the block's basis is kept."""
        if self.p1 is None:
            n = len(self.fixed_rows)
            E = sp.csc_matrix((np.ones(n), (self.fixed_rows, np.arange(n))), shape=(self.M.shape[0], n))
            M = sp.hstack([self.M, E, -E], format="csc")
            cost = np.concatenate([np.zeros(len(self.cost)), np.ones(2 * n)])
            lower = np.concatenate([self.lower, np.zeros(2 * n)])
            upper = np.concatenate([self.upper, np.full(2 * n, INF)])
            opts = {k: v for k, v in options.items() if k not in ("method", "time_limit_s", "crossover")}
            self.p1 = make_highs({**opts, "method": "simplex"})
            self.p1.passModel(_lp(cost, lower, upper, M, self.row_lower, self.row_upper))
        self.p1.changeColsBounds(len(self.fixed_cols), self.fixed_cols, lo, up)
        self.p1.clearSolver()
        _run(self.p1, f"phase 1 of subproblem {self.k} of the decomposition", top)
        sol = self.p1.getSolution()
        return float(self.p1.getInfo().objective_function_value), np.asarray(sol.col_dual)[self.fixed_cols].copy()

    def primal(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)[:self.n_own].copy()

    def duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)[:len(self.rows)].copy()


class Blocks:
    """Subproblems solved where this object lives: in the client's process, or on a Dask worker as an actor (the
    worker keeps their HiGHS instances). ``keep`` stores the last solve of each as the best point's operations; the
    client fetches them once, at the end (``answer``)."""

    def __init__(self, subs: list[Subproblem], options: dict, cold: bool):
        self.subs = {s.k: s for s in subs}
        self.options, self.cold = options, cold
        self.kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.solves = 0

    def solve(self, zs: dict, free_budgets: bool = False) -> dict[int, dict]:
        out = {}
        for k, z in zs.items():
            # the first solve of an instance is cold anyway; later ones cold with presolve where asked
            out[k] = self.subs[k].solve(z, self.options, free_budgets, cold=self.cold and self.subs[k].h is not None)
            self.solves += 1
        return out

    def keep(self) -> None:
        self.kept = {k: (s.primal(), s.duals()) for k, s in self.subs.items()}

    def raise_penalty(self, factor: float) -> None:
        for s in self.subs.values():
            s.set_penalty(s.penalty * factor)

    def answer(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return self.kept


class InProcess:
    """The subproblems in this process (no Dask)."""

    def __init__(self, subs: list[Subproblem], options: dict, cold: bool):
        self.blocks = Blocks(subs, options, cold)
        self.workers = 0

    def solve(self, zs: dict, free_budgets: bool = False) -> dict[int, dict]:
        return self.blocks.solve(zs, free_budgets)

    def keep(self) -> None:
        self.blocks.keep()

    def raise_penalty(self, factor: float) -> None:
        self.blocks.raise_penalty(factor)

    def answer(self) -> dict:
        return self.blocks.answer()

    def close(self) -> None:
        pass


class OnDask:
    """The subproblems shared among the workers of a Dask scheduler, one ``Blocks`` actor per worker (the client
    holds only the master); calls go to every actor at once and their answers are merged."""

    def __init__(self, subs: list[Subproblem], options: dict, cold: bool, scheduler: str, workers: int):
        from planner.distributed import connect

        self.client, self.cluster = connect(scheduler, workers)
        names = sorted(self.client.scheduler_info()["workers"])
        self.workers = len(names)
        size = sorted(((s.n_own, s.k) for s in subs), reverse=True)
        load = [0] * len(names)
        share: list[list[Subproblem]] = [[] for _ in names]
        by_k = {s.k: s for s in subs}
        for n, k in size:  # the largest first, each to the least loaded worker
            w = int(np.argmin(load))
            share[w].append(by_k[k])
            load[w] += n
        self.actors, self.owner = [], {}
        for name, group in zip(names, share):
            if not group:
                continue
            fut = self.client.submit(Blocks, group, options, cold, actor=True, workers=[name], pure=False)
            self.actors.append(fut.result())
            for s in group:
                self.owner[s.k] = len(self.actors) - 1

    def solve(self, zs: dict, free_budgets: bool = False) -> dict[int, dict]:
        parts: list[dict] = [{} for _ in self.actors]
        for k, z in zs.items():
            parts[self.owner[k]][k] = z
        futures = [a.solve(p, free_budgets) for a, p in zip(self.actors, parts) if p]
        out: dict[int, dict] = {}
        for f in futures:
            out.update(f.result())
        return out

    def keep(self) -> None:
        for f in [a.keep() for a in self.actors]:
            f.result()

    def raise_penalty(self, factor: float) -> None:
        for f in [a.raise_penalty(factor) for a in self.actors]:
            f.result()

    def answer(self) -> dict:
        out: dict = {}
        for f in [a.answer() for a in self.actors]:
            out.update(f.result())
        return out

    def close(self) -> None:
        self.actors = []
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _penalty(c_own: np.ndarray, link: sp.csr_matrix) -> np.ndarray:
    """USD per unit of a budget row's elastic columns where no dual is known: twice the dearest operating cost per
    unit of the row. A unit of row r is met by moving 1 / |a_rj| of some column j, at a cost of at most max |c| per
    unit of it (lost load is the dearest); where that holds the row's dual is below max |c| / min |a_r|."""
    top = max(float(np.abs(c_own).max()) if len(c_own) else 1.0, 1.0)
    out = np.empty(link.shape[0])
    for i in range(link.shape[0]):
        a = np.abs(link.data[link.indptr[i]:link.indptr[i + 1]])
        a = a[a > 0]
        out[i] = 2.0 * top / (float(a.min()) if len(a) else 1.0)
    return out


def dual_penalties(subs: list[Subproblem], comp: Compiled, m: pyo.ConcreteModel, start: dict | None,
                   factor: float = 10.0) -> int:
    """Each budget row's penalty from the dual of its annual row in the start plan (``start["dual:" + name]``,
    in the family's units; divided by the row's scale for the LP's): ``factor`` times it where it is not 0, so the
    penalty is bounded by a dual and the elastic columns stay out of the optimum unless the year prices the row
    above ten times what the representative days did (then ``solve_decomposed`` raises it). The others keep
    ``_penalty``. Returns how many rows took a dual."""
    if not start:
        return 0
    scale = getattr(m, "_row_scale", {})
    n = 0
    for s in subs:
        pen = s.penalty.copy()
        for i, r in enumerate(s.links):
            con = comp.rows[int(r)]
            y = start.get("dual:" + con.name)
            if y:
                pen[i] = factor * abs(y) / scale.get(con.parent_component().local_name, 1.0)
                n += 1
        s.set_penalty(pen)
    return n


class Master:
    """The master LP (lower bound) and its level-set projection QP, cuts added to both."""

    def __init__(self, comp: Compiled, A: sp.csr_matrix, part: Partition, subs: list[Subproblem], options: dict):
        lp = comp.lp
        xs = np.flatnonzero(part.col_block == -1)
        self.xs = xs
        pos = {int(j): i for i, j in enumerate(xs)}
        c, cl, cu = (np.asarray(lp.col_cost_), np.asarray(lp.col_lower_), np.asarray(lp.col_upper_))
        rl, ru = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        mrows = np.flatnonzero(part.row_block == -1)
        budgets = [(int(r), s.k) for s in subs for r in s.links]
        self.budget_index = {rk: len(xs) + i for i, rk in enumerate(budgets)}
        n_x, n_b, n_k = len(xs), len(budgets), len(subs)
        self.n_x, self.n_b, self.n_k = n_x, n_b, n_k
        self.theta0 = n_x + n_b
        top = A[mrows][:, xs]
        link_x = A[part.linking][:, xs]
        link_row = {int(r): i for i, r in enumerate(part.linking)}
        bi = [link_row[r] for r, _ in budgets]
        B = sp.csr_matrix((np.ones(n_b), (bi, np.arange(n_b))), shape=(len(part.linking), n_b))
        M = sp.bmat([[top, sp.csr_matrix((len(mrows), n_b)), sp.csr_matrix((len(mrows), n_k))],
                     [link_x, B, sp.csr_matrix((len(part.linking), n_k))]], format="csc")
        self.cost = np.concatenate([c[xs], np.zeros(n_b), np.ones(n_k)])
        self.lower = np.concatenate([cl[xs], np.full(n_b, -INF), np.full(n_k, -INF)])
        self.upper = np.concatenate([cu[xs], np.full(n_b, INF), np.full(n_k, INF)])
        self.mrows, self.lrows = mrows, part.linking
        self.lp = _lp(self.cost, self.lower, self.upper, M, np.concatenate([rl[mrows], rl[part.linking]]),
                      np.concatenate([ru[mrows], ru[part.linking]]))
        self.pos = pos
        # where each subproblem's fixed values come from in the master's columns
        self.fix_index = [np.concatenate([[pos[int(j)] for j in s.masters],
                                          [self.budget_index[(int(r), s.k)] for r in s.links]]).astype(np.int64)
                          for s in subs]
        opts = {k: v for k, v in options.items() if k not in ("method", "time_limit_s", "crossover")}
        self.h = make_highs({**opts, "method": "simplex"})
        self.h.passModel(self.lp)
        self.h.setOptionValue("user_objective_scale", objective_scale(self.lp))
        self.q = make_highs({**opts, "method": "simplex"})
        self.q.passModel(self.lp)
        self.level_row: int | None = None
        # the largest bound or right-hand side (the bound scale of _run); the cuts are written in units of
        # ``scale`` USD (set_scale), so their right-hand sides stay of the size of the rest and a small violation
        # of a budget's feasibility cut is not lost in a bound scale made for 1e10 USD
        self.top = _top(self.lower, self.upper, self.lp.row_lower_, self.lp.row_upper_)
        self.scale = 1.0
        self.floors = np.zeros(n_k)
        self.theta_rows: list[tuple[int, int]] = []  # (row, k) of theta_k >= rho_k (add_relaxations)
        self.n_relaxed = 0
        self.n_cuts = 0
        self.n_feasibility = 0

    def add_relaxations(self, rels: list) -> None:
        """Each block's relaxation (planner/relaxation.py) in the master, before any cut: its steps' columns and rows,
        its kept budget rows with their elastic columns, rho_k its cost and theta_k >= rho_k:

            rows_k ybar + rows_master_k x in [l, u]
            budget_rows_k ybar - beta_k + s- - s+ in [0 or -inf, 0 or +inf]
            rho_k - cost_k . ybar - penalty_k . (s- + s+) = constant_k
            scale theta_k - rho_k >= 0          (theta in units of ``scale`` USD; set_scale rewrites the coefficient)

        R_k <= f_k everywhere, so the master stays a relaxation of the problem and its bound a bound."""
        n0 = self.h.getNumCol()
        if n0 != len(self.cost) or self.n_cuts or self.n_feasibility:
            raise ValueError("the relaxations go into the master before any cut or level step")
        r_i, r_j, r_v, lo, up, c_lo, c_up = [], [], [], [], [], [], []
        row, col = self.h.getNumRow(), n0

        def put(rows, cols, vals):
            r_i.append(np.asarray(rows, dtype=np.int64))
            r_j.append(np.asarray(cols, dtype=np.int64))
            r_v.append(np.asarray(vals, dtype=float))

        for r in rels:
            fi = self.fix_index[r.k]
            n_g, n_v = len(r.cost), len(r.budgets)
            n_m = r.rows_master.shape[1]
            g0, s0 = col, col + n_g
            s1, rho = s0 + n_v, s0 + 2 * n_v
            col = rho + 1
            c_lo += [r.lower, np.zeros(2 * n_v), [-INF]]
            lo_ok, up_ok = np.isfinite(r.budget_lower), np.isfinite(r.budget_upper)
            c_up += [r.upper, np.where(lo_ok, INF, 0.0), np.where(up_ok, INF, 0.0), [INF]]
            a = r.rows.tocoo()
            put(row + a.row, g0 + a.col, a.data)
            a = r.rows_master.tocoo()
            put(row + a.row, fi[:n_m][a.col], a.data)
            lo.append(r.row_lower)
            up.append(r.row_upper)
            row += r.rows.shape[0]
            a = r.budget_rows.tocoo()
            put(row + a.row, g0 + a.col, a.data)
            put(row + np.arange(n_v), fi[n_m + r.budgets], -np.ones(n_v))
            put(row + np.arange(n_v), s0 + np.arange(n_v), np.ones(n_v))
            put(row + np.arange(n_v), s1 + np.arange(n_v), -np.ones(n_v))
            lo.append(np.where(lo_ok, 0.0, -INF))
            up.append(np.where(up_ok, 0.0, INF))
            row += n_v
            nz = np.flatnonzero(r.cost)
            put(np.full(len(nz) + 2 * n_v + 1, row), np.concatenate([g0 + nz, s0 + np.arange(2 * n_v), [rho]]),
                np.concatenate([-r.cost[nz], -r.penalty, -r.penalty, [1.0]]))
            lo.append([r.constant])
            up.append([r.constant])
            row += 1
            put([row, row], [self.theta0 + r.k, rho], [self.scale, -1.0])
            lo.append([0.0])
            up.append([INF])
            self.theta_rows.append((row, r.k))
            row += 1
        n_new = col - n0
        c_lo, c_up = np.concatenate(c_lo), np.concatenate(c_up)
        lo, up = np.concatenate([np.asarray(x, dtype=float) for x in lo]), np.concatenate(
            [np.asarray(x, dtype=float) for x in up])
        A = sp.csr_matrix((np.concatenate(r_v), (np.concatenate(r_i) - self.h.getNumRow(), np.concatenate(r_j))),
                          shape=(row - self.h.getNumRow(), col))
        for h in (self.h, self.q):
            h.addCols(n_new, np.zeros(n_new), c_lo, c_up, 0, np.zeros(n_new, dtype=np.int32),
                      np.zeros(0, dtype=np.int32), np.zeros(0))
            h.addRows(A.shape[0], lo, up, A.nnz, A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32), A.data)
        self.top = max(self.top, _top(lo, up, c_lo, c_up))
        self.n_relaxed = n_new

    def set_theta_floor(self, floors: np.ndarray) -> None:
        """theta_k >= floors_k (USD)."""
        self.floors = np.asarray(floors, dtype=float)
        cols = np.arange(self.theta0, self.theta0 + self.n_k, dtype=np.int32)
        for h in (self.h, self.q):
            h.changeColsBounds(self.n_k, cols, self.floors / self.scale, np.full(self.n_k, INF))

    def set_scale(self, usd: float) -> None:
        """Each theta_k in units of ``usd`` (a power of two near the blocks' costs / 1e4), before any cut."""
        if self.n_cuts or self.n_feasibility:
            raise ValueError("the theta scale is set before the first cut")
        self.scale = float(2.0 ** np.ceil(np.log2(usd / 1e4))) if usd > 1e4 else 1.0
        cols = np.arange(self.theta0, self.theta0 + self.n_k, dtype=np.int32)
        self.cost[cols] = self.scale
        self.h.changeColsCost(self.n_k, cols, self.cost[cols])
        for row, k in self.theta_rows:
            for h in (self.h, self.q):
                h.changeCoeff(row, self.theta0 + k, self.scale)
        self.set_theta_floor(self.floors)

    def add_cut(self, k: int, f: float, slope: np.ndarray, z: np.ndarray) -> None:
        """theta_k - slope . z_k >= f - slope . z^."""
        idx = self.fix_index[k]
        keep = np.abs(slope) > 1e-6  # below a millionth of a USD per unit: the reduced costs' noise, not a slope
        cols = np.concatenate([idx[keep], [self.theta0 + k]]).astype(np.int32)
        vals = np.concatenate([-slope[keep], [self.scale]]) / self.scale
        rhs = (f - float(slope @ z)) / self.scale
        self.top = max(self.top, abs(rhs))
        for h in (self.h, self.q):
            h.addRow(rhs, INF, len(cols), cols, vals)
        self.n_cuts += 1

    def add_feasibility_cut(self, k: int, v: float, slope: np.ndarray, z: np.ndarray) -> None:
        """v(z^) + slope . (z_k - z^) <= 0: block k's phase 1 (Subproblem._phase1) must reach 0."""
        idx = self.fix_index[k]
        keep = np.abs(slope) > 1e-9
        if not keep.any():
            raise SolveError("Infeasible", f"subproblem {k} of the decomposition is infeasible whatever the master "
                                           "fixes (its phase 1 has no slope); the model is infeasible")
        rhs = float(slope @ z) - v
        self.top = max(self.top, abs(rhs))
        for h in (self.h, self.q):
            h.addRow(-INF, rhs, int(keep.sum()), idx[keep].astype(np.int32), slope[keep])
        self.n_feasibility += 1

    def set_budget_bounds(self, subs: list[Subproblem]) -> None:
        """Each budget within the bounds its block's column bounds imply (Subproblem.budget_bounds)."""
        for s in subs:
            lo, hi = s.budget_bounds()
            cols = np.array([self.budget_index[(int(r), s.k)] for r in s.links], dtype=np.int32)
            if len(cols):
                self.lower[cols], self.upper[cols] = lo, hi
                for h in (self.h, self.q):
                    h.changeColsBounds(len(cols), cols, lo, hi)

    def first_budgets(self, z: np.ndarray, links: list[tuple[int, np.ndarray]], usage: dict[int, np.ndarray],
                      options: dict) -> np.ndarray:
        """The first point's budgets: nearest what each block uses with its budget rows free at the point's
        capacities (``usage``, by block) among the points that meet the master's rows and the annual rows, with the
        master columns the blocks see held at ``z`` and the others (the annual sums, e.g. emissions[p]) free:

            min sum_j (beta_j - u_j)^2 / max(|u_j|, 1)   (a QP: each annual row's shortfall shared among the
                                                          blocks in proportion to their use)

        within the bounds the blocks imply (set_budget_bounds). Where the QP ends unclean, the use is shifted in
        proportion along each row instead."""
        z = z.copy()
        u = np.zeros(self.n_b)
        for k, rows in links:
            for r, ur in zip(rows, usage.get(k, np.zeros(len(rows)))):
                u[self.budget_index[(int(r), k)] - self.n_x] = ur
        held = np.unique(np.concatenate([i[i < self.n_x] for i in self.fix_index] + [np.zeros(0, dtype=np.int64)]))
        n = len(self.cost)
        lower, upper = self.lower.copy(), self.upper.copy()
        lower[held], upper[held] = z[held], z[held]
        lower[self.theta0:], upper[self.theta0:] = 0.0, 0.0
        b = np.arange(self.n_x, self.n_x + self.n_b)
        hj = 1.0 / np.maximum(np.abs(u), 1.0)
        cost = np.zeros(n)
        cost[b] = -2.0 * hj * u
        lp = _lp(cost, lower, upper, _csr_of(self.lp), self.lp.row_lower_, self.lp.row_upper_)
        opts = {k: v for k, v in options.items() if k not in ("method", "time_limit_s", "crossover")}
        h = make_highs(opts)
        h.passModel(lp)
        start = np.zeros(n + 1, dtype=np.int32)
        start[b + 1] = 1
        start = np.cumsum(start).astype(np.int32)
        h.passHessian(n, self.n_b, 1, start, b.astype(np.int32), 2.0 * hj)  # 1: the lower triangle, by column
        _scale_bounds(h, self.top)
        run_highs(h)
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            out = np.asarray(h.getSolution().col_value)
            z[:self.n_x + self.n_b] = out[:self.n_x + self.n_b]
            return z
        z[b] = u
        lp = self.lp
        rl = np.asarray(lp.row_lower_)[len(self.mrows):]
        ru = np.asarray(lp.row_upper_)[len(self.mrows):]
        A = _csr_of(lp)[len(self.mrows):len(self.mrows) + len(self.lrows)]
        act = A @ z
        for i, r in enumerate(self.lrows):
            target = min(max(act[i], rl[i]), ru[i])
            if target == act[i]:
                continue
            cols = [self.budget_index[(int(r), k)] for k, _ in links if (int(r), k) in self.budget_index]
            share = np.abs(z[cols]) + 1e-12
            z[cols] += (target - act[i]) * share / share.sum()
        z[b] = np.minimum(np.maximum(z[b], self.lower[b]), self.upper[b])
        return z

    def holds(self, z: np.ndarray, tol: float = 1e-6) -> bool:
        """Whether ``z`` meets the master rows (not the linking rows nor the cuts) and the column bounds."""
        n = len(self.mrows)
        A = _csr_of(self.lp)[:n]
        act = A @ z[:A.shape[1]]
        rl, ru = np.asarray(self.lp.row_lower_)[:n], np.asarray(self.lp.row_upper_)[:n]
        size = np.maximum(1.0, np.abs(act))
        ok_rows = np.all((act >= rl - tol * size) & (act <= ru + tol * size))
        lo, up = self.lower[:self.n_x], self.upper[:self.n_x]
        x = z[:self.n_x]
        return bool(ok_rows and np.all(x >= lo - tol * np.maximum(1, np.abs(x)))
                    and np.all(x <= up + tol * np.maximum(1, np.abs(x))))

    def solve_lower(self) -> float:
        with _interior_first(self.h, self.n_relaxed and not self.h.getBasis().valid):
            _run(self.h, "the decomposition's master problem", self.top)
        return float(self.h.getInfo().objective_function_value)

    def point(self, h: highspy.Highs | None = None) -> np.ndarray:
        return np.asarray((h or self.h).getSolution().col_value)

    def project(self, best: np.ndarray, level: float) -> np.ndarray | None:
        """The point nearest ``best`` whose cut-priced cost is at most ``level``: min sum_j w_j |z_j - best_j|,
        w_j = 1 / max(|best_j|, 1) (a weighted L1 distance over the master columns and budgets, an LP)."""
        n = self.n_x + self.n_b
        if self.level_row is None:
            nz = np.flatnonzero(self.cost)
            self.q.addRow(-INF, level / self.scale, len(nz), nz.astype(np.int32), self.cost[nz] / self.scale)
            self.level_row = self.q.getNumRow() - 1
            # deviation columns u, v >= 0 and rows z_j - u_j + v_j = best_j
            self.dev0 = self.q.getNumCol()
            self.q.addVars(2 * n, np.zeros(2 * n), np.full(2 * n, INF))
            self.dev_rows = self.q.getNumRow()
            for j in range(n):
                cols = np.array([j, self.dev0 + j, self.dev0 + n + j], dtype=np.int32)
                self.q.addRow(best[j], best[j], 3, cols, np.array([1.0, -1.0, 1.0]))
            self.q.changeColsCost(len(self.cost), np.arange(len(self.cost), dtype=np.int32),
                                  np.zeros(len(self.cost)))
        else:
            self.q.changeRowBounds(self.level_row, -INF, level / self.scale)
            rows = np.arange(self.dev_rows, self.dev_rows + n, dtype=np.int32)
            self.q.changeRowsBounds(n, rows, best[:n], best[:n])
        w = 1.0 / np.maximum(np.abs(best[:n]), 1.0)
        self.q.changeColsCost(2 * n, np.arange(self.dev0, self.dev0 + 2 * n, dtype=np.int32), np.concatenate([w, w]))
        _scale_bounds(self.q, max(self.top, abs(level) / self.scale, _top(best[:n])))
        with _interior_first(self.q, self.n_relaxed and not self.q.getBasis().valid):
            run_highs(self.q)
        if self.q.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # a step the simplex could not finish cleanly: the caller takes the master's own point
        return self.point(self.q)[:len(self.cost)]

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)


@contextlib.contextmanager
def _interior_first(h: highspy.Highs, cold: bool):
    """With ``cold``, solve by IPX with crossover, then back to the instance's method: a master holding the blocks'
    relaxations is a coarse model of the whole LP, and its first solve by the simplex took twice IPX's time
    (24 days: 46 s against 22 s); the re-solves after cuts start from the basis crossover leaves."""
    if not cold:
        yield
        return
    method = h.getOptionValue("solver")[1]
    crossover = h.getOptionValue("run_crossover")[1]
    h.setOptionValue("solver", "ipx")
    h.setOptionValue("run_crossover", "on")
    try:
        yield
    finally:
        h.setOptionValue("solver", method)
        h.setOptionValue("run_crossover", crossover)


def _top(*arrays) -> float:
    """The largest finite magnitude among ``arrays`` (0 for none)."""
    vals = np.abs(np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]))
    vals = vals[np.isfinite(vals)]
    return float(vals.max()) if len(vals) else 0.0


def _scale_bounds(h: highspy.Highs, top: float, target: float = 1e4) -> None:
    """Power of two that brings ``top``, the largest finite bound or right-hand side, down to about ``target``
    (HiGHS's ``user_bound_scale``): the cuts' right-hand sides reach 1e12 while the capacities are 1e3. The
    callers keep ``top`` as they change the LP, so no solve copies the LP back out of HiGHS to find it."""
    h.setOptionValue("user_bound_scale", -int(np.ceil(np.log2(top / target))) if top > target else 0)


_INFEASIBLE = (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible)


def _run(h: highspy.Highs, what: str, top: float, infeasible_ok: bool = False) -> bool:
    """Solve with bounds scaled by ``top`` (``_scale_bounds``): True when optimal; False when infeasible and
    ``infeasible_ok``; else ``SolveError`` naming ``what``."""
    _scale_bounds(h, top)
    _, log = run_highs(h)
    ms = h.getModelStatus()
    if infeasible_ok and ms in _INFEASIBLE:
        return False
    if ms != highspy.HighsModelStatus.kOptimal:  # a warm start that ended unclean: once more from scratch, by IPX
        h.clearSolver()
        method = h.getOptionValue("solver")[1]
        h.setOptionValue("solver", "ipx")  # IPX with crossover: HiPO's internal errors were seen on these masters
        h.setOptionValue("run_crossover", "on")
        _, log = run_highs(h)
        h.setOptionValue("solver", method)
        ms = h.getModelStatus()
    if infeasible_ok and ms in _INFEASIBLE:
        return False
    if ms != highspy.HighsModelStatus.kOptimal:
        raise SolveError(h.modelStatusToString(ms), what + "\n" + log.text[-3000:])
    return True


def solve_decomposed(m: pyo.ConcreteModel, d: ModelData, options: dict, decomposition: dict,
                     progress: Progress | None = None, on_line=None, start: dict | None = None) -> Solution:
    """Solve the model by Benders decomposition (module docstring); load the answer into ``m`` as ``solve`` does.

    ``on_line`` (optional) receives each line of the decomposition's log as it is written (benchmarks print it).
    ``start`` (optional): values of master variables by name (e.g. the capacities of a representative-day solve,
    ``start_point``) for the first point, instead of the master's own least-capacity point."""
    opts = {**DEFAULTS, **decomposition}
    t0 = time.perf_counter()
    clock: dict[str, float] = {}
    if progress is not None:
        progress.stage("compile")
    comp = compile_lp(m)
    clock["compile"] = comp.seconds
    t = time.perf_counter()
    A = _csr(comp)
    part = partition(comp, d, int(opts["block_days"]))
    t = _lap(clock, "partition", t)
    if progress is not None:
        progress.stage("decompose")
    subs = [Subproblem(k, comp, A, part) for k in range(len(part.blocks))]
    t = _lap(clock, "subproblems", t)
    master = Master(comp, A, part, subs, options)
    master.set_budget_bounds(subs)
    floors = [s.cheap_floor() for s in subs]
    keys = [(s.k, s.own, s.rows) for s in subs]  # what the client keeps of the subproblems: where their answer goes
    t = _lap(clock, "master setup", t)
    # the penalties before the subproblems leave for the workers: an actor holds a copy, and setting them after
    # left every Dask run at the structural penalties (its first upper bound 4.2e11 USD on the full year, against
    # 1.02e10 in this process)
    priced = dual_penalties(subs, comp, m, start)
    cold = opts["resolve"] == "cold"
    if opts["scheduler"] is None:
        runner = InProcess(subs, options, cold)
    else:
        runner = OnDask(subs, options, cold, str(opts["scheduler"]), int(opts["workers"]))
    if opts["relax_hours"]:
        master.add_relaxations(relaxations(comp, d, subs, int(opts["relax_hours"])))
        t = _lap(clock, "relaxations", t)
    links = [(s.k, s.links) for s in subs]
    del subs  # on Dask the workers hold them; here the runner does
    t = _lap(clock, "workers", t)
    if start:
        start = {**start, "priced": priced}
    try:
        return _iterate(m, comp, A, master, runner, links, keys, floors, opts, options, t0, clock, progress, on_line,
                        start)
    finally:
        runner.close()


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
                "timesteps)" if master.n_relaxed else "")]

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
    upper, best, gap, best_slack, raised = INF, None, INF, 0.0, 0
    it, reason, infeasible_points = 0, "max_iterations", 0
    while True:
        it += 1
        t = time.perf_counter()
        res = runner.solve({k: z[idx] for k, idx in enumerate(master.fix_index)})
        t = _lap(clock, "subproblems", t)
        total = float(master.cost[:master.n_x] @ z[:master.n_x]) + comp.offset
        bad, slack = 0, 0.0
        for k in sorted(res):
            r, zk = res[k], z[master.fix_index[k]]
            if r["feasible"]:
                total += r["f"]
                slack = max(slack, r["slack"])
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
        say(f"iteration {it:4d}  lower {lower:.10e}  upper {upper:.10e}  gap {gap:.3e}  {elapsed:8.1f} s"
            + (f"  ({bad} blocks infeasible at this point: feasibility cuts)" if bad else ""))
        if progress is not None:
            progress.stage(f"benders {it}: gap {100 * gap:.3f} %" if best is not None else f"benders {it}")
        if gap <= opts["gap"] and best_slack > 1e-6 and raised < 6:
            # the best point leans on an elastic column: its penalty was below the row's worth; raise it, go on
            # (a cut made at a lower penalty stays valid, a block's cost growing with its penalty; the upper bound
            # does not, so it is taken again)
            raised += 1
            runner.raise_penalty(10.0)
            say(f"  (elastic budgets in use at the best point, {best_slack:.3g} of a budget: penalties raised tenfold, "
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
            z = master.project(best, lower - comp.offset + opts["level"] * (upper - lower))
            if z is None:
                say("  (level-set step not optimal: the master's own point is taken instead)")
        if z is None:
            z = master.point()
        t = _lap(clock, "level step", t)
    log = "\n".join(lines) + "\n"
    if reason != "gap":
        raise SolveError("Time limit reached" if reason == "time_limit" else "Iteration limit reached",
                         f"the decomposition stopped after {it} iterations at a gap of {100 * gap:.4f} % "
                         f"(tolerance {100 * opts['gap']:g} %); raise decomposition.{reason}" + "\n" + log)
    if best_slack > 1e-6:
        raise SolveError("elastic budgets in use", f"the best point of the decomposition leaves {best_slack:.3g} "
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
                    iterations={"benders": it, "cuts": master.n_cuts, "feasibility_cuts": master.n_feasibility},
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


def start_point(spec, options: dict) -> dict:
    """Values of the non-operational variables of the plan solved on ``decomposition.start_days`` representative
    days, by variable name: the decomposition's first point (Pecci and Jenkins start from such a plan)."""
    import copy

    from planner.pipeline import build
    from planner.solve import solve

    s = copy.deepcopy(spec)
    s.time = {**s.time, "representative_days": int(spec.decomposition["start_days"])}
    s.time.pop("link_storage", None)
    b = build(s)
    sol = solve(b.model, options)
    timed = time_variables()
    out = {v.name: float(v.value) for v in b.model.component_data_objects(pyo.Var, descend_into=True)
           if v.parent_component().local_name not in timed and v.value is not None}
    # the duals of the rows that are not indexed by a timestep (the annual rows among them), for the penalties of
    # the budgets' elastic columns (dual_penalties)
    steps = set(b.data.TIMESTEPS)
    for con, y in sol.duals.items():
        idx = con.index()
        if not (isinstance(idx, tuple) and len(idx) >= 2 and idx[-1] in steps):
            out["dual:" + con.name] = float(y)
    return out
