"""Stage 3: hand the LP to HiGHS as sparse matrices and read the solution back.

Pyomo's ``LinearStandardFormCompiler`` turns the model into c, A, row bounds
and column bounds; ``highspy.Highs.passModel`` takes them directly. Any model
status other than optimal raises ``SolveError``: no number from a
non-optimal solve is ever presented as a result.

While HiGHS runs (in a worker thread, so that the main thread stays free):
- its whole log is kept through the logging callback (``Solution.log``; ``planner
  run`` writes it to the results folder as solver.log) and read for the live
  progress line (planner.progress);
- Ctrl-C (SIGINT) only sets a flag; the simplex and interior-point interrupt
  callbacks hand it to HiGHS (``data_in.user_interrupt``), which stops at its
  next iteration, and the solve then raises ``KeyboardInterrupt``. A second
  Ctrl-C raises at once, without waiting for HiGHS.

``Solver`` keeps the compiled LP in one HiGHS instance for repeated solves
(costs, bounds, row bounds changed, rows added, each re-solve warm-started
from the previous basis); ``solve`` is one cold solve through it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner.errors import InputError, Problem, SolveError
from planner.progress import Progress, SolverLog

# run-spec option name -> HiGHS option name
OPTION_NAMES = {
    "method": "solver",            # "choose", "simplex", "ipm", "ipx", "hipo", "pdlp"
    "threads": "threads",
    "time_limit_s": "time_limit",
    "primal_feasibility_tolerance": "primal_feasibility_tolerance",
    "dual_feasibility_tolerance": "dual_feasibility_tolerance",
    "ipm_optimality_tolerance": "ipm_optimality_tolerance",
    "crossover": "run_crossover",  # "on", "off", "choose"
    "presolve": "presolve",        # "on", "off", "choose"
}
INF = highspy.kHighsInf


@dataclass
class Compiled:
    """The LP as HiGHS sees it, with the Pyomo objects behind each row and column."""

    lp: highspy.HighsLp
    columns: list
    rows: list
    offset: float
    seconds: float
    kinds: np.ndarray | None = None   # per row: 0 equality, 1 upper bound (<=), -1 lower bound (>=)


@dataclass
class Solution:
    status: str
    objective: float
    duals: dict = field(repr=False)
    seconds: dict = field(default_factory=dict)
    solver_version: str = ""
    iterations: dict = field(default_factory=dict)
    size: dict = field(default_factory=dict)
    log: str = field(default="", repr=False)   # HiGHS's full log of this solve


def compile_lp(m: pyo.ConcreteModel) -> Compiled:
    """Pyomo model -> HighsLp (column-wise sparse matrix, row and column bounds)."""
    t0 = time.perf_counter()
    try:
        repn = LinearStandardFormCompiler().write(m, mixed_form=True)
    except InfeasibleConstraintException as exc:  # a row with no decision left in it that cannot hold
        from planner.explain import INPUTS
        name = str(exc).split("'")[1] if "'" in str(exc) else str(exc)
        family = name.split("[", 1)[0]
        raise SolveError("Infeasible", f"{name} cannot hold whatever is built or dispatched: "
                                       f"{INPUTS.get(family, 'see planner/model')}") from None
    A = repn.A.tocsc()
    n_col, n_row = A.shape[1], A.shape[0]
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = n_row
    c = np.asarray(repn.c.toarray()).ravel() if repn.c.shape[0] else np.zeros(n_col)
    lp.col_cost_ = c
    lp.col_lower_ = np.array([-INF if v.lb is None else v.lb for v in repn.columns], dtype=float)
    lp.col_upper_ = np.array([INF if v.ub is None else v.ub for v in repn.columns], dtype=float)
    rhs = np.asarray(repn.rhs, dtype=float)
    kind = np.array([r.bound_type for r in repn.rows], dtype=int)
    lp.row_lower_ = np.where(kind >= 0, np.where(kind == 0, rhs, -INF), rhs)
    lp.row_upper_ = np.where(kind <= 0, np.where(kind == 0, rhs, INF), rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_ = n_col
    lp.a_matrix_.num_row_ = n_row
    offset = float(repn.c_offset[0]) if len(repn.c_offset) else 0.0
    return Compiled(lp, repn.columns, [r.constraint for r in repn.rows], offset, time.perf_counter() - t0, kind)


def objective_scale(lp: highspy.HighsLp, target: float = 1e4) -> int:
    """Power of two that brings the largest cost down to about ``target``.

    Costs are USD of present value: annuities over a horizon reach ~1e6-1e7 per
    MW, running costs ~1e1. HiGHS scales by 2^k internally and reports the
    objective, primal and duals unscaled; measured on the Kazakhstan default
    model, IPX stalled ("no progress") unscaled and converged with the scale.
    """
    c = np.abs(np.asarray(lp.col_cost_))
    top = float(c.max()) if len(c) else 0.0
    return -int(np.ceil(np.log2(top / target))) if top > target else 0


def make_highs(options: dict) -> highspy.Highs:
    """A HiGHS instance with the run specification's options; its log goes to callbacks, not the console
    (``log = true`` prints it to the console as well)."""
    if "threads" in options:
        # HiGHS keeps one global thread pool; a different thread count than the pool's makes run() fail.
        highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", bool(options.get("log", False)))
    for key, value in options.items():
        if key in ("log",):
            continue
        if h.setOptionValue(OPTION_NAMES.get(key, key), value) != highspy.HighsStatus.kOk:
            raise InputError([Problem("[solver]", f"HiGHS does not accept {key} = {value!r}; see planner.solve.OPTION_NAMES "
                                                  "or the HiGHS option list")])
    return h


def run_highs(h: highspy.Highs, progress: Progress | None = None, objective_factor: float = 1.0,
              header: str = "") -> tuple[highspy.HighsStatus, SolverLog]:
    """``h.run()`` in a worker thread with its log captured, a live progress line, and Ctrl-C as an interrupt.

    Raises ``KeyboardInterrupt`` if SIGINT arrived during the solve (after HiGHS has stopped at its next
    interrupt check, or at once on a second SIGINT)."""
    log = SolverLog(objective_factor)
    if header:
        log.feed(header)
    stop = threading.Event()

    def on_log(e) -> None:
        log.feed(e.message)

    def on_interrupt(e) -> None:
        if stop.is_set():
            e.data_in.user_interrupt = True
        elif e.callback_type == highspy.cb.HighsCallbackType.kCallbackIpmInterrupt:
            log.ipm_iteration(int(e.data_out.ipm_iteration_count))

    h.cbLogging += on_log
    h.cbSimplexInterrupt += on_interrupt
    h.cbIpmInterrupt += on_interrupt
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["status"] = h.run()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    main = threading.current_thread() is threading.main_thread()
    previous = None
    if main:
        def on_sigint(signum, frame) -> None:
            if stop.is_set():  # a second Ctrl-C: do not wait for HiGHS
                raise KeyboardInterrupt
            stop.set()
        previous = signal.signal(signal.SIGINT, on_sigint)
    worker = threading.Thread(target=work, name="highs", daemon=True)
    if progress is not None:
        progress.watch(log)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
            if progress is not None:
                progress.tick()
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
        if not worker.is_alive():
            h.cbLogging -= on_log
            h.cbSimplexInterrupt -= on_interrupt
            h.cbIpmInterrupt -= on_interrupt
        if progress is not None:
            progress.watch(None)
    if "error" in outcome:
        raise outcome["error"]
    if stop.is_set():
        raise KeyboardInterrupt
    return outcome["status"], log


class Solver:
    """One compiled LP in one HiGHS instance: a first solve, then cheap re-solves of variants.

    Columns and rows are addressed by the Pyomo objects behind them (``m.new_cap[b, p]``,
    ``m.balance[z, p, t]``). Changes are made to the LP held by HiGHS, not to the Pyomo model:

    - ``set_costs([(var, usd), ...])``, ``set_bounds([(var, (lower, upper)), ...])``: objective
      coefficient and bounds of columns (``None`` is unbounded; a ComponentMap works too, Pyomo
      variables being unhashable);
    - ``set_constraint_bounds(con, lower, upper)``: new bounds of a constraint, in the terms the
      constraint is written in (constants of its body are moved over as the compiler did);
    - ``add_row([(var, coef), ...], lower, upper)``: a new row, e.g. ``add_cost_cap(max_usd)`` for near-optimal
      studies (total cost <= max_usd);
    - ``solve()``: the first call solves cold with the run's options; later calls start from the basis
      HiGHS kept (``resolve_method``, dual/primal simplex by default, which a changed cost or bound leaves
      one or a few pivots from optimal). ``load()`` puts the last solution into the Pyomo model.
    """

    def __init__(self, m: pyo.ConcreteModel, options: dict | None = None, progress: Progress | None = None,
                 resolve_method: str = "simplex"):
        self.model = m
        self.options = dict(options or {})
        self.progress = progress
        self.resolve_method = resolve_method
        if progress is not None:
            progress.stage("compile")
        self.compiled = comp = compile_lp(m)
        if "user_objective_scale" not in self.options:
            self.options["user_objective_scale"] = objective_scale(comp.lp)
        self.highs = make_highs(self.options)
        self.highs.passModel(comp.lp)
        self._column: dict[int, int] | None = None        # id(var) -> column, built on first use
        self._rows_of: dict[int, list[int]] | None = None  # id(constraint) -> its rows
        rhs = np.where(comp.kinds >= 0, np.asarray(comp.lp.row_lower_), np.asarray(comp.lp.row_upper_))
        self._rhs = rhs                 # as compiled: bound - constant of the body
        self.row_cons = list(comp.rows)  # row -> constraint (None for rows added here)
        self.solves = 0
        self.last: Solution | None = None

    # ---- changes -------------------------------------------------------------------------------
    def column(self, var) -> int:
        """Index of a Pyomo variable's column in the LP."""
        if self._column is None:
            self._column = {id(v): j for j, v in enumerate(self.compiled.columns)}
        j = self._column.get(id(var))
        if j is None:
            raise KeyError(f"{var.name} is not a column of this LP (in no row and not in the objective)")
        return j

    def rows(self, con) -> list[int]:
        """Indices of the rows a Pyomo constraint compiled to (two for a ranged one)."""
        if self._rows_of is None:
            self._rows_of = {}
            for i, c in enumerate(self.compiled.rows):
                self._rows_of.setdefault(id(c), []).append(i)
        rows = self._rows_of.get(id(con))
        if not rows:
            raise KeyError(f"{con.name} is not a row of this LP (the compiler dropped it as constant)")
        return rows

    def _cols(self, variables: Iterable) -> np.ndarray:
        return np.array([self.column(v) for v in variables], dtype=np.int32)

    @staticmethod
    def _pairs(items) -> list:
        """(var, value) pairs from a ComponentMap (Pyomo variables are not hashable) or a list of pairs."""
        return list(items.items()) if hasattr(items, "items") else list(items)

    def set_costs(self, costs) -> None:
        """Objective coefficient (USD per unit, present value) of each column given as (var, usd)."""
        pairs = self._pairs(costs)
        idx = self._cols(v for v, _ in pairs)
        self.highs.changeColsCost(len(idx), idx, np.array([c for _, c in pairs], dtype=float))

    def set_bounds(self, bounds) -> None:
        """New bounds of each column given as (var, (lower, upper)); None for no bound. Fixing: (x, x)."""
        pairs = self._pairs(bounds)
        idx = self._cols(v for v, _ in pairs)
        lo = np.array([-INF if b[0] is None else b[0] for _, b in pairs], dtype=float)
        up = np.array([INF if b[1] is None else b[1] for _, b in pairs], dtype=float)
        self.highs.changeColsBounds(len(idx), idx, lo, up)

    def set_constraint_bounds(self, con, lower: float | None, upper: float | None) -> None:
        """New bounds of a compiled constraint, as if ``lower <= body <= upper`` had been written."""
        rows = self.rows(con)
        kinds = self.compiled.kinds
        for i in rows:  # constant of the body, as the compiler moved it: bound - rhs
            shift = (pyo.value(con.lower) if kinds[i] < 0 else pyo.value(con.upper)) - self._rhs[i]
            lo = -INF if lower is None else lower - shift
            up = INF if upper is None else upper - shift
            if len(rows) == 2:  # a ranged constraint compiled as two rows: the <= row and the >= row
                lo, up = (-INF, up) if kinds[i] > 0 else (lo, INF)
            self.highs.changeRowBounds(int(i), lo, up)

    def add_row(self, terms, lower: float | None = None, upper: float | None = None) -> int:
        """Append ``lower <= sum(coef * var) <= upper`` (terms as (var, coef)); returns its row index."""
        pairs = self._pairs(terms)
        idx = self._cols(v for v, _ in pairs)
        val = np.array([c for _, c in pairs], dtype=float)
        self.highs.addRow(-INF if lower is None else lower, INF if upper is None else upper, len(idx), idx, val)
        self.row_cons.append(None)
        return len(self.row_cons) - 1

    def objective_terms(self) -> list:
        """(var, cost) of every column in the objective as HiGHS holds it now (USD of present value)."""
        c = np.asarray(self.highs.getLp().col_cost_)
        cols = self.compiled.columns
        return [(cols[j], float(c[j])) for j in np.flatnonzero(c)]

    def add_cost_cap(self, max_usd: float) -> int:
        """Row: total cost (the objective, with its constant) <= max_usd. For near-optimal studies."""
        return self.add_row(self.objective_terms(), None, max_usd - self.compiled.offset)

    # ---- solving -------------------------------------------------------------------------------
    def solve(self, warm: bool = True) -> Solution:
        """Solve (the first time cold, later from the kept basis if ``warm``); raise unless optimal."""
        h = self.highs
        if self.solves and warm and self.resolve_method:
            h.setOptionValue("solver", self.resolve_method)
        elif self.solves:
            h.setOptionValue("solver", self.options.get("method", "choose"))
            h.clearSolver()
        if self.progress is not None:
            self.progress.stage("solve" if not self.solves else f"re-solve {self.solves}")
        t0 = time.perf_counter()
        factor = 2.0 ** -float(self.options.get("user_objective_scale", 0))
        method = h.getOptionValue("solver")[1]
        header = (f"planner: HiGHS {h.version()}, solve {self.solves + 1} of this LP, solver = {method}, "
                  f"options {self.options}\n")
        run_status, log = run_highs(h, self.progress, factor, header)
        solve_s = time.perf_counter() - t0
        self.solves += 1
        if run_status == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset:
            raise SolveError("solver error", "HiGHS refused to run; check the [solver] options of the run specification")
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            detail = ""
            if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                from planner.explain import explain_infeasible
                detail = explain_infeasible(self.compiled, self.options)
            raise SolveError(h.modelStatusToString(status), detail)
        info = h.getInfo()
        comp = self.compiled
        self.last = Solution(
            status="optimal",
            objective=float(info.objective_function_value) + comp.offset,
            duals={},
            seconds={"compile": comp.seconds, "solve": solve_s},
            solver_version=f"HiGHS {h.version()}",
            iterations={"simplex": int(info.simplex_iteration_count), "ipm": int(info.ipm_iteration_count),
                        "crossover": int(info.crossover_iteration_count)},
            size={"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": int(h.getNumNz())},
            log=log.text,
        )
        return self.last

    def values(self, variables: Iterable) -> np.ndarray:
        """Primal values of the given columns in the last solution."""
        return np.asarray(self.highs.getSolution().col_value)[self._cols(variables)]

    def load(self) -> Solution:
        """Put the last solution into the Pyomo model (primal values) and the Solution (duals by constraint,
        in the units of the unscaled row)."""
        m, comp = self.model, self.compiled
        sol = self.highs.getSolution()
        x = np.asarray(sol.col_value)
        for v, val in zip(comp.columns, x):
            v.set_value(float(val), skip_validation=True)
        for v in m.component_data_objects(pyo.Var, descend_into=True):
            if v.value is None:  # appears in no row and not in the objective
                v.set_value(0.0 if v.lb is None or v.lb <= 0 <= (v.ub if v.ub is not None else 0) else v.lb,
                            skip_validation=True)
        duals: dict = {}
        scale = getattr(m, "_row_scale", {})
        for con, y in zip(self.row_cons, sol.row_dual):  # back to the units of the unscaled row
            if con is not None:
                duals[con] = duals.get(con, 0.0) + float(y) * scale.get(con.parent_component().local_name, 1.0)
        self.last.duals = duals
        return self.last


def solve(m: pyo.ConcreteModel, options: dict | None = None, progress: Progress | None = None) -> Solution:
    """Compile, solve cold, and load primal values into the model; return duals by constraint."""
    s = Solver(m, options, progress)
    s.solve()
    return s.load()
