"""HiGHS LPs from arrays for the decomposition's master and subproblems, and their solves.

A subproblem or the master is built as a ``highspy.HighsLp`` from sparse arrays (``_lp``), and solved with its bounds
scaled by the largest finite bound or right-hand side (``_scale_bounds``); a warm start that ended unclean is solved
once more from scratch by IPX with crossover (``_run``), and a status other than optimal is an error.
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

from planner.errors import SolveError
from planner.solve import Compiled, run_highs

INF = highspy.kHighsInf


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
