"""Benders decomposition by time: investments in a master LP, each block of time's operations in a subproblem.

The compiled LP (planner.solve.compile_lp) is partitioned as it stands (planner/decompose/partitioning.py): master
columns x (investments, states that link days) and master rows, each block k's operational columns y_k and rows, and
the linking rows r (the annual rows), each written over one budget column beta_rk per block it reaches:

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

The parts, each module's docstring stating its own: ``partitioning`` (which columns and rows go where), ``lp`` (HiGHS
LPs from arrays, and their solves), ``blocks`` (the subproblems, their elastic budgets and feasibility cuts, and
where they run: this process or Dask actors), ``master`` (the master LP, its cuts and level-set projection), ``loop``
(the first point, the iterations and their bounds, the answer). ``solve_decomposed`` sets them up and runs the loop;
``start_point`` solves the representative-day plan a first point may come from.
"""

from __future__ import annotations

import copy
import time

import pyomo.environ as pyo

from planner.decompose.blocks import Blocks, InProcess, OnDask, Subproblem, dual_penalties, relaxations
from planner.decompose.loop import _iterate, _lap
from planner.decompose.lp import INF, _csr
from planner.decompose.master import Master
from planner.decompose.partitioning import STEPS_PER_DAY, Partition, day_groups, partition, time_keys, time_variables
from planner.model.data import ModelData
from planner.pipeline import build
from planner.progress import Progress
from planner.solve import Solution, compile_lp, solve
from planner.spec import DECOMPOSITION as DEFAULTS

__all__ = ["INF", "STEPS_PER_DAY", "Blocks", "InProcess", "Master", "OnDask", "Partition", "Subproblem", "day_groups",
           "dual_penalties", "partition", "relaxations", "solve_decomposed", "start_point", "time_keys",
           "time_variables"]


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
    master = Master(comp, A, part, subs, options, level_step=opts["regularisation"] == "level")
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
        master.add_relaxations(relaxations(comp, d, subs, part, int(opts["relax_hours"]), opts["relax_peaks"]))
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


def start_point(spec, options: dict) -> dict:
    """Values of the non-operational variables of the plan solved on ``decomposition.start_days`` representative
    days, by variable name: the decomposition's first point (Pecci and Jenkins start from such a plan)."""
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
