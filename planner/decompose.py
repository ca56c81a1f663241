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
                 f_k = min c_k y_k + M sum_r (s_rk^lo + s_rk^up)
                 A_kk y_k + A_kx x in [l_k, u_k],       x = x^             (the block's rows, master columns fixed)
                 a_rk y_k - beta_rk + s_rk^lo - s_rk^up in [0 if l_r finite else -inf, 0 if u_r finite else +inf]
                 beta_rk = beta^_rk,   s >= 0

The master columns and budgets enter a subproblem as columns fixed by their bounds, so the cut's slope g_k is their
reduced costs (USD per unit), read from the same solve; a subproblem keeps its HiGHS instance and re-solves warm by
the dual simplex when only those bounds change. The elastic columns s (penalty M per unit, above any dual the row
can have; raised tenfold while the best point leans on them) keep every subproblem feasible whatever the master
hands it: on every budget row, and on every equality of the block that holds a master column (the chain of a
storage state linked across days, fixed by the master). At the optimum they are zero; a final point with any
s > 0 is an error, never a result.

Bounds: the lower bound is the master LP's optimum (a relaxation: it holds every cut); the upper bound is the cost of
the best point evaluated, c_x x^ + sum_k f_k, which is the cost of a plan that meets every row. The gap is
(upper - lower) / |upper|. Between evaluations the next point is Pecci and Jenkins' level set projection (IEEE
Transactions on Power Systems 40(4), 2025): the point nearest the best one (a weighted Euclidean distance, a QP
solved by HiGHS) among those the cuts price at most lower + level * (upper - lower), so the master does not jump.

The answer is the best point: its master columns, each block's operations as its subproblem solved them, prices
from the subproblems' row duals and the annual rows' duals from the master, loaded into the Pyomo model as a
monolithic solve's would be; ``extract`` reads it unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from planner.errors import SolveError
from planner.model.data import ModelData
from planner.progress import Progress
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
    """Block k's operations LP in its own HiGHS instance; ``fixed`` are the master columns and budgets it sees."""

    def __init__(self, k: int, comp: Compiled, A: sp.csr_matrix, part: Partition, options: dict):
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
        link = A[self.links][:, own] if n_b else sp.csr_matrix((0, n_own))
        # columns: own operations | fixed master copies | budgets | elastic slacks (lower side, upper side).
        # Rows: the block's rows, then one budget row per linking row it reaches. Elastic: every budget row, and
        # every equality of the block's rows that holds a master column (a state linking days, fixed by the
        # master, that the block's operations may be unable to reach exactly).
        core = sp.bmat([[sub[:, own], sub[:, masters], sp.csr_matrix((len(rows), n_b))],
                        [link, sp.csr_matrix((n_b, n_m)), -sp.identity(n_b, format="csr")]], format="csr")
        has_master = np.diff(sub[:, masters].tocsr().indptr) > 0 if n_m else np.zeros(len(rows), dtype=bool)
        eq = np.flatnonzero((rl[rows] == ru[rows]) & has_master)
        row_lower = np.concatenate([rl[rows], np.where(np.isfinite(rl[self.links]), 0.0, -INF)])
        row_upper = np.concatenate([ru[rows], np.where(np.isfinite(ru[self.links]), 0.0, INF)])
        elastic = np.concatenate([eq, len(rows) + np.arange(n_b)]).astype(np.int64)
        n_e = len(elastic)
        E = sp.csr_matrix((np.ones(n_e), (elastic, np.arange(n_e))), shape=(len(rows) + n_b, n_e))
        M = sp.hstack([core, E, -E], format="csc")
        el_rows = sp.vstack([sub[eq][:, own], link], format="csr")
        self.link = sp.csr_matrix(link)
        self.penalty = _penalty(c[own], el_rows)
        lo_ok = np.isfinite(row_lower[elastic]) & (row_lower[elastic] > -INF)
        up_ok = np.isfinite(row_upper[elastic]) & (row_upper[elastic] < INF)
        cost = np.concatenate([c[own], np.zeros(n_m + n_b), self.penalty, self.penalty])
        lower = np.concatenate([cl[own], cl[masters], np.full(n_b, -INF), np.zeros(2 * n_e)])
        upper = np.concatenate([cu[own], cu[masters], np.full(n_b, INF), np.where(lo_ok, INF, 0.0),
                                np.where(up_ok, INF, 0.0)])
        self.n_own, self.n_m, self.n_b, self.n_e = n_own, n_m, n_b, n_e
        self.fixed_cols = np.arange(n_own, n_own + n_m + n_b, dtype=np.int32)
        self.slack_cols = np.arange(n_own + n_m + n_b, n_own + n_m + n_b + 2 * n_e, dtype=np.int32)
        self.lp = _lp(cost, lower, upper, M, row_lower, row_upper)
        self.free_lower = np.concatenate([cl[masters], np.full(n_b, -INF)])
        self.free_upper = np.concatenate([cu[masters], np.full(n_b, INF)])
        # the largest bound or right-hand side the fixed values leave alone (for _run's bound scale)
        self.top = _top(lower[:n_own], upper[:n_own], row_lower, row_upper)
        # the run's thread count for every instance: HiGHS keeps one global thread pool (planner.solve.make_highs)
        opts = {k: v for k, v in options.items() if k not in ("method", "time_limit_s", "crossover")}
        self.h = make_highs({**opts, "method": "simplex"})
        self.h.passModel(self.lp)
        self.h.setOptionValue("user_objective_scale", objective_scale(self.lp))

    def solve(self, z: np.ndarray | None) -> tuple[float, np.ndarray]:
        """Cost and slope at the fixed values ``z`` (master copies then budgets; None: free, the relaxation)."""
        if z is None:
            lo, up = self.free_lower, self.free_upper
        else:
            lo = up = np.asarray(z, dtype=float)
        self.h.changeColsBounds(len(self.fixed_cols), self.fixed_cols, lo, up)
        _run(self.h, f"subproblem {self.k} of the decomposition", max(self.top, _top(lo, up)))
        sol = self.h.getSolution()
        slope = np.asarray(sol.col_dual)[self.fixed_cols]
        return float(self.h.getInfo().objective_function_value), slope

    def cheap_floor(self) -> float | None:
        """A lower bound of the block's cost whatever the master fixes, without a solve: each of its own columns at
        the bound its cost prefers (sum_j c_j * (lb_j if c_j >= 0 else ub_j)); None where such a bound is infinite.

        Every operations column of the model is >= 0 with a cost >= 0 but exports, whose revenue is bounded by
        the interconnector, so the bound is finite there and costs nothing; it is weaker than the relaxation's
        (which took minutes a week at full resolution), and the first cuts lift it at once."""
        c = np.asarray(self.lp.col_cost_)
        lo, up = np.asarray(self.lp.col_lower_), np.asarray(self.lp.col_upper_)
        slack = np.zeros(len(c), dtype=bool)
        slack[self.slack_cols] = True
        slack[self.fixed_cols] = True
        pick = np.where(c >= 0, lo, up)
        use = ~slack & (c != 0)
        if not np.all(np.isfinite(pick[use])):
            return None
        return float(c[use] @ pick[use])

    def link_mass(self) -> np.ndarray:
        """Each budget row's coefficients summed over the block: a stand-in for its use before any solve (the
        first budgets are shared among blocks in proportion to it)."""
        return np.asarray(self.link.sum(axis=1)).ravel() if self.n_b else np.zeros(0)

    def usage(self) -> np.ndarray:
        """What the last solution uses of each budget row (a_rk . y_k)."""
        return self.link @ self.primal() if self.n_b else np.zeros(0)

    def raise_penalty(self, factor: float) -> None:
        if self.n_e:
            self.penalty = self.penalty * factor
            both = np.concatenate([self.penalty, self.penalty])
            self.h.changeColsCost(len(self.slack_cols), self.slack_cols, both)

    def slack(self) -> float:
        return float(np.abs(np.asarray(self.h.getSolution().col_value)[self.slack_cols]).sum()) if self.n_e else 0.0

    def primal(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)[:self.n_own].copy()

    def duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)[:len(self.rows)].copy()


def _penalty(c_own: np.ndarray, link: sp.csr_matrix) -> np.ndarray:
    """USD per unit of a budget row's elastic column: twice the dearest operating cost per unit of the row.

    A unit of row r is met by moving 1 / |a_rj| of some column j, at a cost of at most max |c| per unit of it (lost
    load is the dearest); where that holds the row's dual is below max |c| / min |a_r|, and twice that keeps the
    elastic column out of an optimum. Where it does not hold, ``solve_decomposed`` raises the penalty tenfold and
    goes on: a cut made with a lower penalty stays valid, since a subproblem's cost grows with its penalty."""
    top = max(float(np.abs(c_own).max()) if len(c_own) else 1.0, 1.0)
    out = np.empty(link.shape[0])
    for i in range(link.shape[0]):
        a = np.abs(link.data[link.indptr[i]:link.indptr[i + 1]])
        a = a[a > 0]
        out[i] = 2.0 * top / (float(a.min()) if len(a) else 1.0)
    return out


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
        self.top = _top(self.lower, self.upper, self.lp.row_lower_, self.lp.row_upper_)  # grows with the cuts
        self.n_cuts = 0

    def set_theta_floor(self, floors: np.ndarray) -> None:
        cols = np.arange(self.theta0, self.theta0 + self.n_k, dtype=np.int32)
        for h in (self.h, self.q):
            h.changeColsBounds(self.n_k, cols, np.asarray(floors, dtype=float), np.full(self.n_k, INF))

    def add_cut(self, k: int, f: float, slope: np.ndarray, z: np.ndarray) -> None:
        """theta_k - slope . z_k >= f - slope . z^."""
        idx = self.fix_index[k]
        keep = np.abs(slope) > 1e-6  # below a millionth of a USD per unit: the reduced costs' noise, not a slope
        cols = np.concatenate([idx[keep], [self.theta0 + k]]).astype(np.int32)
        vals = np.concatenate([-slope[keep], [1.0]])
        rhs = f - float(slope @ z)
        self.top = max(self.top, abs(rhs))
        for h in (self.h, self.q):
            h.addRow(rhs, INF, len(cols), cols, vals)
        self.n_cuts += 1

    def first_budgets(self, z: np.ndarray, subs: list[Subproblem], usage: list[np.ndarray]) -> np.ndarray:
        """The first point's budgets: what each block uses when nothing constrains it, shifted (in proportion to
        each block's use) so that every linking row holds at the master's capacities."""
        z = z.copy()
        lp = self.lp
        rl = np.asarray(lp.row_lower_)[len(self.mrows):]
        ru = np.asarray(lp.row_upper_)[len(self.mrows):]
        A = _csr_of(lp)[len(self.mrows):len(self.mrows) + len(self.lrows)]
        for s, u in zip(subs, usage):
            for r, ur in zip(s.links, u):
                z[self.budget_index[(int(r), s.k)]] = ur
        act = A @ z
        for i, r in enumerate(self.lrows):
            target = min(max(act[i], rl[i]), ru[i])
            if target == act[i]:
                continue
            cols = [self.budget_index[(int(r), s.k)] for s in subs if (int(r), s.k) in self.budget_index]
            share = np.abs(z[cols]) + 1e-12
            z[cols] += (target - act[i]) * share / share.sum()
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
            self.q.addRow(-INF, level, len(nz), nz.astype(np.int32), self.cost[nz])
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
            self.q.changeRowBounds(self.level_row, -INF, level)
            rows = np.arange(self.dev_rows, self.dev_rows + n, dtype=np.int32)
            self.q.changeRowsBounds(n, rows, best[:n], best[:n])
        w = 1.0 / np.maximum(np.abs(best[:n]), 1.0)
        self.q.changeColsCost(2 * n, np.arange(self.dev0, self.dev0 + 2 * n, dtype=np.int32), np.concatenate([w, w]))
        _scale_bounds(self.q, max(self.top, abs(level), _top(best[:n])))
        run_highs(self.q)
        if self.q.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None  # a step the simplex could not finish cleanly: the caller takes the master's own point
        return self.point(self.q)[:len(self.cost)]

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)


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


def _run(h: highspy.Highs, what: str, top: float) -> None:
    """Solve with bounds scaled by ``top`` (``_scale_bounds``); optimal, or ``SolveError`` naming ``what``."""
    _scale_bounds(h, top)
    _, log = run_highs(h)
    ms = h.getModelStatus()
    if ms != highspy.HighsModelStatus.kOptimal:  # a warm start that ended unclean: once more from scratch, by IPX
        h.clearSolver()
        method = h.getOptionValue("solver")[1]
        h.setOptionValue("solver", "ipx")  # IPX with crossover: HiPO's internal errors were seen on these masters
        h.setOptionValue("run_crossover", "on")
        _, log = run_highs(h)
        h.setOptionValue("solver", method)
        ms = h.getModelStatus()
    if ms != highspy.HighsModelStatus.kOptimal:
        raise SolveError(h.modelStatusToString(ms), what + "\n" + log.text[-3000:])


def solve_decomposed(m: pyo.ConcreteModel, d: ModelData, options: dict, decomposition: dict,
                     progress: Progress | None = None, on_line=None, start: dict | None = None) -> Solution:
    """Solve the model by Benders decomposition (module docstring); load the answer into ``m`` as ``solve`` does.

    ``on_line`` (optional) receives each line of the decomposition's log as it is written (benchmarks print it).
    ``start`` (optional): values of master variables by name (e.g. the capacities of a representative-day solve,
    ``start_point``) for the first point, instead of the master's own least-capacity point."""
    opts = {**DEFAULTS, **decomposition}
    t0 = time.perf_counter()
    if progress is not None:
        progress.stage("compile")
    comp = compile_lp(m)
    A = _csr(comp)
    part = partition(comp, d, int(opts["block_days"]))
    if progress is not None:
        progress.stage("decompose")
    subs = [Subproblem(k, comp, A, part, options) for k in range(len(part.blocks))]
    master = Master(comp, A, part, subs, options)
    floors, usage = [], []
    for s in subs:
        cheap = s.cheap_floor()
        if cheap is None:  # a column can go to -inf at a negative cost: the block's relaxation gives the floor
            floors.append(s.solve(None)[0])
            usage.append(s.usage())
        else:
            floors.append(cheap)
            usage.append(s.link_mass())
    master.set_theta_floor(np.array(floors))
    lines = [f"planner: Benders decomposition, {len(subs)} subproblems ({opts['block_days']} blocks of timesteps "
             f"each), {master.n_x} master columns, {master.n_b} budgets, gap tolerance {opts['gap']:g}"]
    lower = master.solve_lower()
    z = master.point().copy()
    if start:
        trial = z.copy()
        for i, j in enumerate(master.xs):
            val = start.get(comp.columns[j].name)
            if val is not None:
                trial[i] = val
        if master.holds(trial):
            z = trial
            lines.append(f"first point: {sum(comp.columns[j].name in start for j in master.xs)} of {master.n_x} "
                         "master columns from the start point")
        else:
            lines.append("first point: the start point breaks a master row; the master's own point is taken")
    z = master.first_budgets(z, subs, usage)
    upper, best, best_ops, best_duals = INF, None, None, None
    it, reason, raised = 0, "max_iterations", 0
    while True:
        it += 1
        total = float(master.cost[:master.n_x] @ z[:master.n_x]) + comp.offset
        ops, duals, slack = [], [], 0.0
        for s, idx in zip(subs, master.fix_index):
            f, g = s.solve(z[idx])
            total += f
            master.add_cut(s.k, f, g, z[idx])
            ops.append(s.primal())
            duals.append(s.duals())
            slack += s.slack()
        if total < upper:
            upper, best, best_ops, best_duals, best_slack = total, z.copy(), ops, duals, slack
        lower = master.solve_lower() + comp.offset
        gap = (upper - lower) / max(abs(upper), 1.0)
        elapsed = time.perf_counter() - t0
        lines.append(f"iteration {it:4d}  lower {lower:.10e}  upper {upper:.10e}  gap {gap:.3e}  {elapsed:8.1f} s")
        if on_line is not None:
            on_line(lines[-1])
        if progress is not None:
            progress.stage(f"benders {it}: gap {100 * gap:.3f} %")
        if gap <= opts["gap"] and best_slack > 1e-6 and raised < 6:
            # the best point leans on an elastic column: its penalty was below the row's worth; raise it, go on
            raised += 1
            for s in subs:
                s.raise_penalty(10.0)
            lines.append(f"  (elastic budgets in use at the best point: penalties raised tenfold, {raised} of 6)")
            upper = INF
            z = best
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
        if opts["regularisation"] == "level":
            z = master.project(best, lower - comp.offset + opts["level"] * (upper - lower))
            if z is None:
                lines.append("  (level-set step not optimal: the master's own point is taken instead)")
        if z is None:
            z = master.point()
    log = "\n".join(lines) + "\n"
    if reason != "gap":
        raise SolveError("Time limit reached" if reason == "time_limit" else "Iteration limit reached",
                         f"the decomposition stopped after {it} iterations at a gap of {100 * gap:.4f} % "
                         f"(tolerance {100 * opts['gap']:g} %); raise decomposition.{reason}" + "\n" + log)
    if best_slack > 1e-6:
        raise SolveError("elastic budgets in use", f"the best point of the decomposition leaves {best_slack:.3g} "
                                                   "units of the annual rows uncovered; this is a defect of the "
                                                   "decomposition, not a result")
    x = np.zeros(len(comp.columns))
    x[master.xs] = best[:master.n_x]
    for s, y in zip(subs, best_ops):
        x[s.own] = y
    y_row = np.zeros(len(comp.rows))
    for s, yd in zip(subs, best_duals):
        y_row[s.rows] = yd
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
                    iterations={"benders": it, "cuts": master.n_cuts},
                    size={"columns": len(comp.columns), "rows": len(comp.rows), "subproblems": len(subs),
                          "master_columns": master.n_x, "budgets": master.n_b},
                    log=log + f"stopped: {reason}; lower {lower:.10e}, upper {upper:.10e}, gap {gap:.3e}\n",
                    notes={"decomposition": {**opts, "stopped": reason, "iterations": it, "lower_usd": lower,
                                             "upper_usd": upper, "gap": gap, "subproblems": len(subs)}})


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
    solve(b.model, options)
    timed = time_variables()
    return {v.name: float(v.value) for v in b.model.component_data_objects(pyo.Var, descend_into=True)
            if v.parent_component().local_name not in timed and v.value is not None}
