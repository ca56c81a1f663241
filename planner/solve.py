"""Stage 3: hand the LP to HiGHS as sparse matrices and read the solution back.

Pyomo's ``LinearStandardFormCompiler`` turns the model into c, A, row bounds
and column bounds; ``highspy.Highs.passModel`` takes them directly. Any model
status other than optimal raises ``SolveError``: no number from a
non-optimal solve is ever presented as a result.

While HiGHS runs (in a worker thread, so that the main thread stays free):
- its whole log is kept through the logging callback (``Solution.log``; ``planner
  run`` writes it to the results folder as solver.log) and read for the live
  progress line (planner.progress);
- Ctrl-C (SIGINT), SIGTERM and SIGHUP only set a flag; the simplex and interior-point interrupt
  callbacks hand it to HiGHS (``data_in.user_interrupt``), which stops at its
  next iteration, and the solve then raises ``KeyboardInterrupt`` (``signals.Terminated``
  for SIGTERM and SIGHUP). A second signal raises at once, without waiting for HiGHS.

``Solver`` keeps the compiled LP in one HiGHS instance for repeated solves
(costs, bounds, row bounds changed, rows added, each re-solve warm-started
from the previous basis); ``solve`` is one cold solve through it.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse  # noqa: F401 -- see below
from pyomo.common.collections import ComponentMap
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from planner import signals
from planner.errors import InputError, Problem, SolveError
from planner.progress import Progress, SolverLog

# The standard-form compiler imports scipy.sparse on first use, through Pyomo's deferred imports. Imported
# there, inside a run, a Ctrl-C landing in that import is caught by Pyomo and re-raised as "scipy is not
# available" (a traceback and exit 1); imported here, with this module, it lands before any run has begun.

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
# the HiGHS options a run specification may set by their HiGHS name: how the solve goes, never where it writes or
# reads (solution_file, log_file, write_model_file, read_basis_file, ranging, ... are refused: a run writes only its
# results folder, HiGHS's log included as solver.log), nor what counts as a result (infinite_bound, mip_*,
# allow_unbounded_or_infeasible)
ALLOWED_HIGHS = frozenset({
    *OPTION_NAMES.values(), "optimality_tolerance", "kkt_tolerance", "primal_residual_tolerance",
    "dual_residual_tolerance", "ipm_iteration_limit", "ipx_dualize_strategy", "parallel", "random_seed",
    "simplex_strategy", "simplex_iteration_limit", "simplex_scale_strategy", "simplex_crash_strategy",
    "simplex_dual_edge_weight_strategy", "simplex_primal_edge_weight_strategy", "simplex_price_strategy",
    "simplex_dualize_strategy", "simplex_permute_strategy", "simplex_update_limit", "simplex_min_concurrency",
    "simplex_max_concurrency", "pdlp_iteration_limit", "pdlp_optimality_tolerance", "pdlp_scaling_mode",
    "pdlp_cupdlpc_restart_method", "user_objective_scale", "user_bound_scale", "allowed_matrix_scale_factor",
    "small_matrix_value", "large_matrix_value", "objective_bound", "objective_target", "timeless_log",
})
# options that name a file HiGHS would write or read: refused by ``make_highs`` whatever asks for them
FILE_OPTIONS = frozenset({"log_file", "solution_file", "write_solution_to_file", "write_solution_style",
                          "write_model_file", "write_model_to_file", "write_presolved_model_file",
                          "write_presolved_model_to_file", "write_basis_file", "read_basis_file", "read_solution_file",
                          "write_iis_model_file", "ranging", "glpsol_cost_row_location"})


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
    notes: dict = field(default_factory=dict)  # how the answer was reached, for run.json (e.g. a decomposition's stop)


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
        if OPTION_NAMES.get(key, key) in FILE_OPTIONS:
            raise InputError([Problem("[solver]", f"{key} makes HiGHS write or read a file; planner writes only the "
                                                  "run's results folder (HiGHS's log is its solver.log)", None, key)])
        if h.setOptionValue(OPTION_NAMES.get(key, key), value) != highspy.HighsStatus.kOk:
            raise InputError([Problem("[solver]", f"HiGHS does not accept {key} = {value!r}; see planner.solve.OPTION_NAMES "
                                                  "or the HiGHS option list")])
    return h


def run_highs(h: highspy.Highs, progress: Progress | None = None, objective_factor: float = 1.0,
              header: str = "") -> tuple[highspy.HighsStatus, SolverLog]:
    """``h.run()`` in a worker thread with its log captured, a live progress line, and Ctrl-C as an interrupt.

    Raises ``KeyboardInterrupt`` if SIGINT arrived during the solve, ``signals.Terminated`` for SIGTERM or SIGHUP
    (after HiGHS has stopped at its next interrupt check, or at once on a second signal)."""
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
    previous: dict = {}
    arrived: list[int] = []
    if main:
        def on_signal(signum, frame) -> None:
            if stop.is_set():  # a second Ctrl-C (or SIGTERM, SIGHUP): do not wait for HiGHS
                raise signals.exception(signum)
            arrived.append(signum)
            stop.set()
        previous = {s: signal.signal(s, on_signal) for s in signals.STOPPING}
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
        for s, handler in previous.items():
            signal.signal(s, handler)
        if not worker.is_alive():
            h.cbLogging -= on_log
            h.cbSimplexInterrupt -= on_interrupt
            h.cbIpmInterrupt -= on_interrupt
        if progress is not None:
            progress.watch(None)
    if "error" in outcome:
        raise outcome["error"]
    if stop.is_set():
        raise signals.exception(arrived[0] if arrived else signal.SIGINT)
    return outcome["status"], log


class Solver:
    """One compiled model kept in one HiGHS instance, for studies that solve it many times.

    The first ``run`` is a cold solve with the run specification's options; after it
    HiGHS holds an optimal basis, and every later ``run`` — after ``set_row_bounds``,
    ``add_row``, ``set_costs`` or ``set_col_bounds`` — starts the dual or primal
    simplex from that basis instead of building, compiling and solving from scratch.
    Rows and columns are addressed by the Pyomo objects behind them; row bounds are
    given in the units of the family's docstring (the row's scale is applied here),
    and ``duals`` are returned in those units too. Any status other than optimal
    raises ``SolveError`` as ``solve`` does. Every ``run`` goes through ``run_highs``:
    progress line (``progress``), HiGHS's log (``log``), Ctrl-C as an interrupt; and every
    ``run`` has the run specification's whole ``time_limit_s`` to itself (``_budget``).
    """

    def __init__(self, m: pyo.ConcreteModel, options: dict | None = None, progress: Progress | None = None):
        self.model = m
        self.progress = progress
        if progress is not None:
            progress.stage("compile")
        self.comp = compile_lp(m)
        self.options = dict(options or {})
        self.options.setdefault("user_objective_scale", objective_scale(self.comp.lp))
        self.h = make_highs(self.options)
        self.h.passModel(self.comp.lp)
        self._col: ComponentMap | None = None
        self._row: dict | None = None
        self._csc: tuple | None = None  # (start, index, value) of the compiled matrix, column-wise (column_rows)
        self.scale = getattr(m, "_row_scale", {})
        self.cost = np.asarray(self.comp.lp.col_cost_, dtype=float).copy()
        self.own_objective = True
        self.runs = 0
        self.seconds: list[float] = []
        self.log = ""  # HiGHS's log of the last solve

    @property
    def col(self) -> ComponentMap:
        """Pyomo variable -> column index (built on first use: a plain run never needs it)."""
        if self._col is None:
            self._col = ComponentMap((v, j) for j, v in enumerate(self.comp.columns))
        return self._col

    @property
    def row(self) -> dict:
        """Pyomo constraint -> (first) row index."""
        if self._row is None:
            self._row = {}
            for i, con in enumerate(self.comp.rows):
                self._row.setdefault(con, i)
        return self._row

    def _scale(self, con) -> float:
        return self.scale.get(con.parent_component().local_name, 1.0)

    def row_scale(self, con) -> float:
        """The factor a row of the model was written with (registry.scaled; 1 if none): raw row = scale * family row."""
        return self._scale(con)

    def _j(self, x) -> int:
        """A column index from a column index or the Pyomo variable behind it."""
        return int(x) if isinstance(x, (int, np.integer)) else self.col[x]

    def _i(self, x) -> int:
        """A row index from a row index or the Pyomo constraint behind it."""
        return int(x) if isinstance(x, (int, np.integer)) else self.row[x]

    def rows_of(self, families) -> list[tuple[int, object]]:
        """(row index, constraint) of the model's rows whose constraint is one of ``families`` (Pyomo names)."""
        names = set(families)
        return [(i, con) for i, con in enumerate(self.comp.rows) if con.parent_component().local_name in names]

    def column_rows(self, x) -> list[tuple[int, object, float]]:
        """(row index, constraint, coefficient in the units of its family) of every model row column ``x`` is in."""
        j = self._j(x)
        start, index, value = self._pattern()
        out = []
        for k in range(start[j], start[j + 1]):
            con = self.comp.rows[index[k]]
            out.append((int(index[k]), con, float(value[k]) / self._scale(con)))
        return out

    @property
    def dual_feasibility_tolerance(self) -> float:
        """HiGHS's dual feasibility tolerance: a reduced cost this small (relative to the costs) is 0."""
        return float(self.h.getOptionValue("dual_feasibility_tolerance")[1])

    @property
    def offset(self) -> float:
        """The objective's constant (USD): costs that no decision changes."""
        return self.comp.offset

    def unscaled_row_duals(self) -> np.ndarray:
        """Duals of the model's rows by row index, in the units of each family's docstring (d objective / d rhs)."""
        if getattr(self, "_row_scales", None) is None:
            self._row_scales = np.array([self._scale(con) for con in self.comp.rows], dtype=float)
        return self.row_duals()[: len(self.comp.rows)] * self._row_scales

    def added_row_dual(self, i: int) -> float:
        """Dual of a row added by ``add_row`` (in the units its coefficients were given in)."""
        return float(self.row_duals()[i])

    def run(self) -> float:
        """Solve (warm from the last basis after the first solve); return the objective (USD).

        HiGHS runs through ``run_highs``: the progress line, the log (``self.log``) and Ctrl-C as an interrupt."""
        if self.progress is not None:
            self.progress.stage("solve" if not self.runs else f"re-solve {self.runs}")
        method = self.h.getOptionValue("solver")[1]
        header = (f"planner: HiGHS {self.h.version()}, solve {self.runs + 1} of this LP, solver = {method}, "
                  f"options {self.options}\n")
        factor = 2.0 ** -float(self.h.getOptionValue("user_objective_scale")[1])
        self._budget()
        t0 = time.perf_counter()
        run_status, log = run_highs(self.h, self.progress, factor, header)
        self.seconds.append(time.perf_counter() - t0)
        self.log = log.text
        status = self.h.getModelStatus()
        if run_status == highspy.HighsStatus.kError and status == highspy.HighsModelStatus.kNotset:
            said = [ln.strip() for ln in self.log.splitlines() if ln.startswith("ERROR")][:3]
            raise SolveError("solver error", "HiGHS refused to run: check the [solver] options of the run "
                             "specification, and the inputs for extreme numbers (HiGHS refuses a model whose "
                             "coefficients or bounds are too large, e.g. a cost, rate or limit with a wrong exponent "
                             "or unit that validation's bounds let through)"
                             + "".join(f"\nHiGHS: {ln}" for ln in said))
        if status != highspy.HighsModelStatus.kOptimal:
            detail = ""
            infeasible = (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible)
            if status in infeasible and self.h.getNumRow() == len(self.comp.rows):
                from dataclasses import replace

                from planner.explain import explain_infeasible
                detail = explain_infeasible(replace(self.comp, lp=self.h.getLp()), self.options)  # as changed
            raise SolveError(self.h.modelStatusToString(status), detail)
        if self.runs == 0:  # later solves start from this basis: simplex, not the interior point method
            self.h.setOptionValue("solver", "simplex")
        self.runs += 1
        return self.objective()

    def _budget(self) -> None:
        """Give this solve the whole time limit of the run specification.

        HiGHS checks ``time_limit`` against its run clock, which adds up every ``run`` of the instance: after a
        cold solve of 600 s a limit of 900 s left 300 s to all later solves together, and once a study's solves
        had added up to the limit every re-solve stopped at once with "Time limit reached" (0 iterations)."""
        limit = self.options.get("time_limit_s", self.options.get("time_limit"))
        if limit is not None and float(limit) < INF:
            self.h.setOptionValue("time_limit", float(limit) + float(self.h.getRunTime()))

    def objective(self) -> float:
        """Objective of the last solve: the model's present-value cost (USD), or cost · x after ``set_costs``."""
        return float(self.h.getInfo().objective_function_value) + (self.comp.offset if self.own_objective else 0.0)

    def values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)

    def value(self, var) -> float:
        j = self.col.get(var)
        return 0.0 if j is None else float(self.h.getSolution().col_value[j])

    def reduced_costs(self) -> np.ndarray:
        """Column duals: d objective / d column, USD of present value per unit of the column."""
        return np.asarray(self.h.getSolution().col_dual)

    def row_duals(self) -> np.ndarray:
        """Raw duals of the rows as written (scaled rows in their scaled units)."""
        return np.asarray(self.h.getSolution().row_dual)

    def duals(self) -> dict:
        """Constraint -> dual in the units of its family's docstring (as ``solve`` returns them)."""
        y = self.row_duals()
        out: dict = {}
        for con, yi in zip(self.comp.rows, y):
            out[con] = out.get(con, 0.0) + float(yi) * self._scale(con)
        return out

    def load(self) -> None:
        """Copy the current solution into the Pyomo variables, so expressions and ``extract`` read it."""
        for v, val in zip(self.comp.columns, self.values()):
            v.set_value(float(val), skip_validation=True)
        if self.runs <= 1:  # variables in no row and not in the objective, as ``solve`` sets them
            for v in self.model.component_data_objects(pyo.Var, descend_into=True):
                if v.value is None:
                    v.set_value(0.0 if v.lb is None or v.lb <= 0 <= (v.ub if v.ub is not None else 0) else v.lb,
                                skip_validation=True)

    def set_row_bounds(self, con, lower: float | None, upper: float | None) -> None:
        """New bounds of a row of the model, in the units of its family (None: unbounded)."""
        i, s = self.row[con], self._scale(con)
        inf = highspy.kHighsInf
        self.h.changeRowBounds(i, -inf if lower is None else s * lower, inf if upper is None else s * upper)

    def set_col_bounds(self, var, lower: float, upper: float | None) -> None:
        """New bounds of a column (a Pyomo variable or a column index; upper None: unbounded)."""
        self.h.changeColBounds(self._j(var), lower, highspy.kHighsInf if upper is None else upper)

    def set_col_cost(self, var, cost: float) -> None:
        """Change one column's cost in the objective HiGHS holds (and in ``cost`` while that is the model's own)."""
        j = self._j(var)
        if self.own_objective:
            self.cost[j] = cost
        self.h.changeColCost(j, float(cost))

    def set_coefficient(self, con, var, value: float) -> None:
        """Change the coefficient of a column in a row of the model, given in the units of the row's family."""
        i = self._i(con)
        scale = self._scale(self.comp.rows[i]) if i < len(self.comp.rows) else 1.0
        self.h.changeCoeff(i, self._j(var), scale * float(value))

    def delete_added_rows(self, rows) -> None:
        """Delete rows added by ``add_row`` (the model's own rows stay)."""
        idx = np.asarray(sorted(int(i) for i in rows), dtype=np.int32)
        if len(idx) and idx[0] < len(self.comp.rows):
            raise ValueError(f"row {idx[0]} is a row of the model, not one added by add_row")
        if len(idx):
            self.h.deleteRows(len(idx), idx)

    def add_row(self, columns, values, lower: float | None, upper: float | None) -> int:
        """Add a row sum_j values_j * x[columns_j] in [lower, upper]; return its index (for ``set_added_row_bounds``)."""
        inf = highspy.kHighsInf
        idx = np.asarray(columns, dtype=np.int32)
        val = np.asarray(values, dtype=float)
        self.h.addRow(-inf if lower is None else lower, inf if upper is None else upper, len(idx), idx, val)
        return self.h.getNumRow() - 1

    def set_added_row_bounds(self, i: int, lower: float | None, upper: float | None) -> None:
        inf = highspy.kHighsInf
        self.h.changeRowBounds(i, -inf if lower is None else lower, inf if upper is None else upper)

    def set_costs(self, cost: np.ndarray, maximise: bool = False) -> None:
        """Replace the objective by cost · x (``self.cost`` is the model's own); minimise unless ``maximise``."""
        n = len(cost)
        self.own_objective = cost is self.cost
        lp = highspy.HighsLp()
        lp.col_cost_ = np.asarray(cost, dtype=float)
        self.h.setOptionValue("user_objective_scale", objective_scale(lp))
        # the last basis stays primal feasible under a new objective: the primal simplex starts from it (measured on
        # placement_kz2030, maximising TR's MW: 8 s against 131 s for the dual simplex); back to the dual for bound and row changes
        self.h.setOptionValue("simplex_strategy", 1 if self.own_objective else 4)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, dtype=float))
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)

    def add_cost_cap(self, max_usd: float) -> int:
        """Row: the model's own total cost (objective with its constant) <= max_usd, for near-optimal studies."""
        nz = np.flatnonzero(self.cost)
        return self.add_row(nz, self.cost[nz], None, max_usd - self.comp.offset)

    def set_cost_cap(self, i: int, max_usd: float) -> None:
        """A new bound of the cost row ``i`` of ``add_cost_cap`` (USD, with the objective's constant)."""
        self.set_added_row_bounds(i, None, max_usd - self.comp.offset)

    # ---- the basis: kept in a run's results (basis.npz), a later run of the same LP shape starts from it ----

    def _pattern(self) -> tuple:
        if self._csc is None:  # highspy hands the arrays back as new lists on every read: taken once
            a = self.comp.lp.a_matrix_
            self._csc = (np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_))
        return self._csc

    def shape_sha256(self) -> str:
        """sha256 of the LP's shape: what a stored basis must match before a run starts from it.

        It covers the number of columns and rows; the Pyomo family of every column and row in order (as runs of one
        family, e.g. ``dispatch`` x 84,000, so no per-index name is formatted); every row's sense (=, <=, >=); and
        the position of every non-zero (the column starts and row indices of the matrix). It leaves out the values:
        costs, bounds, right-hand sides and coefficients, which a CSV edit changes while the basis stays a good
        start. An LP that matches in all of this but means something else (two zones' data swapped) starts from a
        poor basis and is still solved to optimality by the simplex method: the hash buys speed, not correctness."""
        start, index, _ = self._pattern()
        h = hashlib.sha256(f"columns {len(self.comp.columns)} rows {len(self.comp.rows)}\n".encode())
        for items, what in ((self.comp.columns, "col"), (self.comp.rows, "row")):
            last, n = None, 0
            for x in items:
                fam = x.parent_component()
                if fam is not last:
                    if last is not None:
                        h.update(f"{what} {last.local_name} {n}\n".encode())
                    last, n = fam, 0
                n += 1
            if last is not None:
                h.update(f"{what} {last.local_name} {n}\n".encode())
        kinds = self.comp.kinds if self.comp.kinds is not None else np.zeros(len(self.comp.rows), dtype=int)
        for arr in (np.asarray(kinds, dtype=np.int8), np.asarray(start, dtype=np.int64), np.asarray(index, dtype=np.int64)):
            h.update(arr.tobytes())
        return h.hexdigest()

    def value_sha256(self) -> dict[str, str]:
        """sha256 of the LP's values by kind (costs, column bounds, row bounds, coefficients): run.json of a warm
        started run says which of them changed since the run whose basis it started from."""
        lp = self.comp.lp
        parts = {"costs": (self.cost,), "column bounds": (lp.col_lower_, lp.col_upper_),
                 "row bounds": (lp.row_lower_, lp.row_upper_), "coefficients": (self._pattern()[2],)}
        return {k: hashlib.sha256(b"".join(np.ascontiguousarray(a, dtype=float).tobytes() for a in arrays)).hexdigest()
                for k, arrays in parts.items()}

    def basis(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The last solve's basis as (column statuses, row statuses), HiGHS's ``HighsBasisStatus`` codes as int8;
        None when HiGHS holds no valid basis (an interior-point solve without crossover)."""
        b = self.h.getBasis()
        if not b.valid:
            return None
        cols = np.fromiter((int(x) for x in b.col_status), dtype=np.int8, count=self.h.getNumCol())
        rows = np.fromiter((int(x) for x in b.row_status), dtype=np.int8, count=self.h.getNumRow())
        return cols, rows

    def set_basis(self, cols: np.ndarray, rows: np.ndarray) -> str | None:
        """Start the next solve from this basis by simplex; None if HiGHS took it, else why not (the next solve is
        then cold with the run specification's method).

        HiGHS picks the simplex (``simplex_strategy`` "choose"): the primal when the basis is still primal feasible
        for this LP (after a cost change), else the dual (after a bound, right-hand side or coefficient change that
        cuts it off). A ``simplex_strategy`` of the run specification is kept."""
        n_col, n_row = self.h.getNumCol(), self.h.getNumRow()
        if len(cols) != n_col or len(rows) != n_row:
            return f"it has {len(cols)} columns and {len(rows)} rows, the LP {n_col} and {n_row}"
        status = sorted(highspy.HighsBasisStatus.__members__.values(), key=int)  # code -> member, made once
        if [int(x) for x in status] != list(range(len(status))) or any(
                len(a) and (int(a.min()) < 0 or int(a.max()) >= len(status)) for a in (cols, rows)):
            return "it holds status codes HiGHS does not have"
        basic = int(np.count_nonzero(cols == int(highspy.HighsBasisStatus.kBasic))
                    + np.count_nonzero(rows == int(highspy.HighsBasisStatus.kBasic)))
        if basic != n_row:
            return f"it has {basic} basic variables where a basis of this LP has {n_row}"
        b = highspy.HighsBasis()
        b.col_status = [status[k] for k in cols.tolist()]  # members looked up, not made: 0.3 M of them
        b.row_status = [status[k] for k in rows.tolist()]
        b.valid = True
        if self.h.setBasis(b) != highspy.HighsStatus.kOk:
            return "HiGHS refused it"
        self.h.setOptionValue("solver", "simplex")
        if "simplex_strategy" not in self.options:
            self.h.setOptionValue("simplex_strategy", 0)
        return None

    def solution(self) -> Solution:
        """The last solve as a ``Solution`` (objective, duals by constraint, iterations, log)."""
        info = self.h.getInfo()
        return Solution(
            status="optimal",
            objective=self.objective(),
            duals=self.duals(),
            seconds={"compile": self.comp.seconds, "solve": self.seconds[-1] if self.seconds else 0.0},
            solver_version=f"HiGHS {self.h.version()}",
            iterations={"simplex": int(info.simplex_iteration_count), "ipm": int(info.ipm_iteration_count),
                        "crossover": int(info.crossover_iteration_count)},
            size={"columns": self.h.getNumCol(), "rows": self.h.getNumRow(), "nonzeros": int(self.h.getNumNz())},
            log=self.log,
        )


def solve(m: pyo.ConcreteModel, options: dict | None = None, progress: Progress | None = None) -> Solution:
    """Compile, solve cold, and load primal values into the model; return duals by constraint."""
    s = Solver(m, options, progress)
    s.run()
    s.load()
    return s.solution()
