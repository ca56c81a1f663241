"""The decomposition's master: the master LP of the package's docstring (its optimum the lower bound) and its
level-set projection (the loop's step between evaluations, ``Master.project``), every cut added to both.

The master also holds the bounds each block's column bounds imply for its budgets (a CO2 budget >= 0), and gives the
first point's budgets (``Master.first_budgets``).
"""

from __future__ import annotations

import contextlib
import time

import highspy
import numpy as np
import scipy.sparse as sp

from planner.decompose.blocks import Subproblem
from planner.decompose.lp import INF, _csr_of, _lp, _run, _scale_bounds, _top
from planner.decompose.partitioning import Partition
from planner.errors import SolveError
from planner.solve import Compiled, make_highs, objective_scale, run_highs


class Master:
    """The master LP (lower bound) and, with ``level_step``, a second instance for the level-set projection; cuts
    go into both."""

    def __init__(self, comp: Compiled, A: sp.csr_matrix, part: Partition, subs: list[Subproblem], options: dict,
                 level_step: bool = True):
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
        self.q = make_highs({**opts, "method": "simplex"}) if level_step else None
        if self.q is not None:
            self.q.passModel(self.lp)
        self.instances = [h for h in (self.h, self.q) if h is not None]
        self.level_row: int | None = None
        self.step_pivots = 0  # simplex pivots of the last level step started from the master's basis (project)
        self.capped = 0  # level steps stopped at their time cap (project)
        self.last_cap = 0.0  # the seconds the last level step was given (project)
        self.master_seconds = 0.0  # wall time of the master's last solve (solve_lower): the level step's cap
        # the largest bound or right-hand side (the bound scale of _run); the cuts are written in units of
        # ``scale`` USD (set_scale), so their right-hand sides stay of the size of the rest and a small violation
        # of a budget's feasibility cut is not lost in a bound scale made for 1e10 USD
        self.top = _top(self.lower, self.upper, self.lp.row_lower_, self.lp.row_upper_)
        self.scale = 1.0
        self.floors = np.zeros(n_k)
        self.theta_rows: list[tuple[int, int]] = []  # (row, k) of theta_k >= rho_k (add_relaxations)
        self.elastic: list[tuple[int, np.ndarray, np.ndarray]] = []  # (cost row, elastic columns, penalties) a block
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
            self.elastic.append((row, s0 + np.arange(2 * n_v), np.concatenate([r.penalty, r.penalty])))
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
        for h in self.instances:
            h.addCols(n_new, np.zeros(n_new), c_lo, c_up, 0, np.zeros(n_new, dtype=np.int32),
                      np.zeros(0, dtype=np.int32), np.zeros(0))
            h.addRows(A.shape[0], lo, up, A.nnz, A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32), A.data)
        self.top = max(self.top, _top(lo, up, c_lo, c_up))
        self.n_relaxed = n_new

    def raise_penalty(self, factor: float) -> None:
        """The relaxed blocks' elastic penalties times ``factor``, as the subproblems' are (runner.raise_penalty):
        each relaxation keeps the subproblem's penalties, so it stays below the block's cost and sees what a budget
        short of the block's use now costs."""
        for row, cols, pen in self.elastic:
            pen *= factor
            for h in self.instances:
                for j, p in zip(cols, pen):
                    h.changeCoeff(row, int(j), -float(p))

    def set_theta_floor(self, floors: np.ndarray) -> None:
        """theta_k >= floors_k (USD)."""
        self.floors = np.asarray(floors, dtype=float)
        cols = np.arange(self.theta0, self.theta0 + self.n_k, dtype=np.int32)
        for h in self.instances:
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
            for h in self.instances:
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
        for h in self.instances:
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
        for h in self.instances:
            h.addRow(-INF, rhs, int(keep.sum()), idx[keep].astype(np.int32), slope[keep])
        self.n_feasibility += 1

    def set_budget_bounds(self, subs: list[Subproblem]) -> None:
        """Each budget within the bounds its block's column bounds imply (Subproblem.budget_bounds)."""
        for s in subs:
            lo, hi = s.budget_bounds()
            cols = np.array([self.budget_index[(int(r), s.k)] for r in s.links], dtype=np.int32)
            if len(cols):
                self.lower[cols], self.upper[cols] = lo, hi
                for h in self.instances:
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
        t = time.perf_counter()
        with _interior_first(self.h, self.n_relaxed and not self.h.getBasis().valid):
            _run(self.h, "the decomposition's master problem", self.top)
        self.master_seconds = time.perf_counter() - t
        return float(self.h.getInfo().objective_function_value)

    def point(self, h: highspy.Highs | None = None) -> np.ndarray:
        return np.asarray((h or self.h).getSolution().col_value)

    def project(self, best: np.ndarray, level: float, seconds: float | None = None) -> np.ndarray | None:
        """The point nearest ``best`` whose cut-priced cost is at most ``level``: min sum_j w_j |z_j - best_j|,
        w_j = 1 / max(|best_j|, 1) (a weighted L1 distance over the master columns and budgets, an LP); None where
        the step did not finish within ``step_cap`` seconds (or ``seconds``, what is left of the run's time limit,
        if less): the caller then takes the master's own point."""
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
        limit = self.q.getOptionValue("time_limit")[1]
        self.last_cap = self.step_cap() if seconds is None else min(self.step_cap(), max(seconds, 1.0))
        # HiGHS 1.15 compares its time limit with the instance's run time over all its runs, not this one's: the
        # step's deadline, over both its tries
        self.q.setOptionValue("time_limit", self.q.getRunTime() + self.last_cap)
        try:
            return self._step(best)
        finally:
            self.q.setOptionValue("time_limit", limit)

    def _step(self, best: np.ndarray) -> np.ndarray | None:
        """The level step's LP as ``project`` set it up, solved: its point, or None."""
        if self.n_relaxed and self.step_pivots and self.q.getBasis().valid:
            # the step's own basis of the iteration before first, within twice the pivots a start from the
            # master's basis last took: near the last step it is the quicker (24 days: under a second), but new cuts
            # and a new level can leave it far off (270 s at the full year's fourth step)
            limit = self.q.getOptionValue("simplex_iteration_limit")[1]
            self.q.setOptionValue("simplex_iteration_limit", 2 * self.step_pivots)
            run_highs(self.q)
            self.q.setOptionValue("simplex_iteration_limit", limit)
            if self.q.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                return self.point(self.q)[:len(self.cost)]
            if self.q.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
                self.capped += 1
                return None
        primal = self.n_relaxed and self._basis_from_master(best)
        if primal:
            strategy = self.q.getOptionValue("simplex_strategy")[1]
            self.q.setOptionValue("simplex_strategy", 4)  # the primal simplex, from the feasible basis
        with _interior_first(self.q, self.n_relaxed and not self.q.getBasis().valid):
            run_highs(self.q)
        status = self.q.getModelStatus()
        if primal:
            self.q.setOptionValue("simplex_strategy", strategy)
            self.step_pivots = max(int(self.q.getInfo().simplex_iteration_count), 100)
        if status == highspy.HighsModelStatus.kTimeLimit:
            self.capped += 1
        if status != highspy.HighsModelStatus.kOptimal:
            return None  # a step the simplex could not finish cleanly, or in time: the caller takes the master's own
        return self.point(self.q)[:len(self.cost)]

    def step_cap(self) -> float:
        """The level step's seconds at most: five times the master's last re-solve, at least 30 s. A step is a
        refinement, not a bound: where it would cost many master re-solves, the master's own point is the better
        buy (the full year had a step of more than 420 s beside master re-solves of 15-26 s; 24 days, steps of
        1-3 s beside re-solves of 0-2 s, never near it)."""
        return max(5.0 * self.master_seconds, 30.0)

    def _basis_from_master(self, best: np.ndarray) -> bool:
        """The level step's basis, at every step, from the master's optimal one: the master's columns and rows as
        they are, the level row basic, each deviation row nonbasic with the deviation column of its sign basic. The
        master's point meets every row of the level step's LP (its cut-priced cost is the lower bound, at most the
        level), so the basis is primal feasible and the primal simplex starts there. On the full year a cold start
        by IPX and crossover took minutes, and a start from the step's own basis of the iteration before (primal
        infeasible after the new cuts and level) took 270 s at the fourth step."""
        hb = self.h.getBasis()
        if not hb.valid:
            return False
        n = self.n_x + self.n_b
        basic, lower = highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kLower
        up = self.point()[:n] >= best[:n]  # z_j - u_j + v_j = best_j: u_j = z_j - best_j basic where z_j >= best_j
        b = highspy.HighsBasis()
        b.col_status = list(hb.col_status) + [basic if u else lower for u in up] + [lower if u else basic for u in up]
        rows = list(hb.row_status)
        b.row_status = rows[:self.level_row] + [basic] + [lower] * n + rows[self.level_row:]
        b.valid, b.alien = True, False
        return self.q.setBasis(b) == highspy.HighsStatus.kOk

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
