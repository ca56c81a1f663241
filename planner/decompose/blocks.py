"""The decomposition's subproblems, one per block of time, and where they are solved.

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

Where the subproblems run: in this process, or on a dask.distributed scheduler (``scheduler = "local"`` with
``workers``, or an address), one ``Blocks`` actor per worker holding its subproblems' HiGHS instances; the client
holds the master. A re-solve is cold with presolve (``resolve = "cold"``, measured faster at full resolution than
the dual simplex from the kept basis) or warm.

``relaxations`` gives each block's relaxation for the master (planner/relaxation.py), from the subproblem's arrays.
"""

from __future__ import annotations

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp

from planner.decompose.lp import INF, _lp, _run, _top
from planner.decompose.partitioning import Partition, time_keys
from planner.errors import SolveError
from planner.model.data import ModelData
from planner.relaxation import relax, state_columns, steps
from planner.solve import Compiled, make_highs, objective_scale


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
                    "slack": self._slack(x, lo)}  # (relative slack, its row)
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

    def _slack(self, x: np.ndarray, fixed: np.ndarray) -> tuple[float, int]:
        """The most any budget row leans on its elastic columns, relative to its budget (max(|beta|, 1)): a
        measure that a simplex's tolerances (1e-7 a column, summed over thousands of rows) do not reach; and that
        row of the LP (-1 for none)."""
        if not self.n_b:
            return 0.0, -1
        s = np.abs(x[self.slack_cols[:self.n_b]]) + np.abs(x[self.slack_cols[self.n_b:]])
        rel = s / np.maximum(np.abs(fixed[self.n_m:]), 1.0)
        i = int(np.argmax(rel))
        return float(rel[i]), int(self.links[i])

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


def peak_hours(d: ModelData, blocks: list[tuple[int, list[int]]], top: int | None = None) -> list[frozenset]:
    """Per block (its period and timesteps), the timesteps of each zone's highest demand and of the highest demand of
    all zones together: each a step of its own in the block's relaxation (``relax_peaks``), so that the master
    sees the peaks its capacity must meet, not their step's mean. With ``top``, a block keeps a series' peak only if
    it is among the ``top`` highest of that series' block peaks in its period (the weeks where the year's capacity is
    decided), so that the relaxed master does not grow by two steps a peak in every block."""
    series = [None, *d.ZONES]  # None: the sum of all zones

    def demand(z, p, t):
        return (sum(d.demand_mw.get((y, p, t), 0.0) for y in d.ZONES) if z is None
                else d.demand_mw.get((z, p, t), 0.0))

    found: dict[tuple, list[tuple[float, int, int]]] = {}  # (series, period) -> (peak MW, block, timestep)
    for b, (p, ts) in enumerate(blocks):
        for z in series:
            if ts:
                t = max(ts, key=lambda t, z=z: demand(z, p, t))
                found.setdefault((z, p), []).append((demand(z, p, t), b, t))
    out: list[set] = [set() for _ in blocks]
    for peaks in found.values():
        for _, b, t in sorted(peaks, key=lambda e: (-e[0], e[1]))[:top]:
            out[b].add(t)
    return [frozenset(o) for o in out]


def relaxations(comp: Compiled, d: ModelData, subs: list[Subproblem], part: Partition, hours: int,
                peaks: bool | int = False) -> list:
    """Each block's relaxation with its timesteps averaged into steps of ``hours`` (planner/relaxation.py); with
    ``peaks``, each block's peak-demand timesteps (``peak_hours``; an integer: only those among each series'
    ``peaks`` highest block peaks of a period) a step of their own."""
    ck, ct, rk, rt = time_keys(comp, d)
    rank = {t: i for i, t in enumerate(d.TIMESTEPS)}  # the storage chain's order (data._timesteps)
    order = [sorted((int(t) for t in np.unique(ct[s.own]) if t >= 0), key=rank.__getitem__) for s in subs]
    periods = [part.blocks[s.k][0] for s in subs]
    alone = (peak_hours(d, list(zip(periods, order)), None if peaks is True else int(peaks)) if peaks is not False
             else [frozenset()] * len(subs))
    out = []
    for s, ts, peak in zip(subs, order, alone):
        step = steps(ts, d.block, hours, peak)
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
