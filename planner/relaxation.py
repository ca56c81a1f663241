"""A block's operations with its hours averaged into a few steps: a relaxation of the block, for the master.

Benders' master knows a block's cost only through its cuts; far from the points evaluated it knows nothing but a
floor, so its lower bound stays low and the level set it steps into lies far from the best point (measured: the
6-day model's lower bound stood still for 100 iterations at its floors). Partial Benders puts a valid relaxation of
each block in the master as well, theta_k >= R_k(x, beta) <= f_k(x, beta), so the master prices every capacity
from the start.

The relaxation is made from the block's LP as compiled, with no code per constraint family. The block's timesteps
are cut into steps (``steps``): the first timestep of each storage cycle alone, then runs of ``hours`` timesteps.
A flow column's group (its variable and index but the timestep, and its step, and its cost) becomes one column
ybar_J, the mean of its members; a state column (one that a row of another timestep holds, the state of charge)
becomes yhat_J, its value at the step's last timestep. A group of rows of one family and step becomes their sum,
kept where the sum is a function of the new columns alone:

    sum_{t in s} sum_j a_ij(t) y_j(t) = sum_J abar_IJ ybar_J + sum_J ahat_IJ yhat_J + a_Ix x

which holds when a flow group's members all carry the same coefficient a (abar = a n_J) and a state group's only
its last member does (a storage balance telescopes to soc(end of s) - soc(end of s - 1)). A group that fails is
replaced by its row at the step's last timestep, kept on the same test (soc <= ecap), else dropped. Every kept row
holds at the means and ends of any solution of the block, and so do the columns' bounds (means of the members'
bounds, the last member's), and the cost sum_J c_J n_J ybar_J (+ c_last yhat_J, + the least of the other members'
state costs) is the block's exactly: so R_k(x, beta) <= f_k(x, beta) at every (x, beta), which is all the master
needs. The budget rows are kept on the same test, with the block's elastic columns at its penalties (lower ones
stay valid when the block's are raised).

A block whose every step is one timestep is its own relaxation (R_k = f_k).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


@dataclass
class Relaxation:
    """Block k's relaxation: columns (the groups), rows over them and over the master columns the block sees."""

    k: int
    cost: np.ndarray           # per group, USD per unit of ybar / yhat
    constant: float            # USD the cost bound adds (the other members of a state group with a cost)
    lower: np.ndarray          # per group
    upper: np.ndarray
    rows: sp.csr_matrix        # kept rows over the groups
    rows_master: sp.csr_matrix  # the same rows over the block's master columns (Subproblem.masters order)
    row_lower: np.ndarray
    row_upper: np.ndarray
    budgets: np.ndarray        # which of the block's budget rows are kept (indices into Subproblem.links)
    budget_rows: sp.csr_matrix  # a_rk over the groups, for the kept budget rows
    budget_lower: np.ndarray   # 0 or -inf
    budget_upper: np.ndarray   # 0 or +inf
    penalty: np.ndarray        # USD per unit of the kept budget rows' elastic columns
    n_members: int             # own columns of the block (for the log: groups against members)


def steps(order: list[int], cycle_of: dict[int, int], hours: int, alone: frozenset = frozenset()) -> dict[int, int]:
    """Timestep -> step, for the timesteps of one block in their storage chain's order: the first timestep of the
    block and of each storage cycle (``cycle_of``: a timestep's storage block) a step of its own, then runs of
    ``hours`` timesteps within the cycle. The first alone, because a state handed over from the block before (a
    storage row linking two blocks) meets it there; each timestep of ``alone`` (a block's peak hours, which a mean
    over their step would hide) a step of its own too, the next run starting after it."""
    out: dict[int, int] = {}
    s, run, prev = -1, 0, None
    for t in order:
        c = cycle_of[t]
        if c != prev or t in alone or run >= hours:
            s += 1
            run = hours if c != prev or t in alone else 0  # alone: the next timestep starts a new step
            prev = c
        out[t] = s
        run += 1
    return out


def state_columns(own_rows: sp.csr_matrix, row_time: np.ndarray, col_time: np.ndarray,
                  col_key: np.ndarray) -> np.ndarray:
    """Per own column, whether it is a state: a member of its key (its variable and index but the timestep) sits in
    a row of another timestep (soc[t - 1] in the storage balance of t)."""
    R = own_rows.tocoo()
    cross = (row_time[R.row] >= 0) & (row_time[R.row] != col_time[R.col])
    keys = np.unique(col_key[R.col[cross]])
    return np.isin(col_key, keys)


def _check(R: sp.csr_matrix, grp: np.ndarray, n_g: np.ndarray, state: np.ndarray, last: np.ndarray,
           tol: float = 1e-9) -> tuple[np.ndarray, sp.csr_matrix]:
    """Which rows of R (rows over the block's own columns) are functions of the groups (module docstring), and
    those rows over the groups."""
    R = R.tocoo()
    keep = R.data != 0
    i, j, a = R.row[keep], R.col[keep], R.data[keep]
    J = grp[j]
    ok = np.ones(R.shape[0], dtype=bool)
    # a state group: only its last member may carry a coefficient
    bad = state[J] & ~last[j]
    ok[i[bad]] = False
    # a flow group: every member the same coefficient
    if len(i):
        order = np.lexsort((J, i))
        i, J, a, j = i[order], J[order], a[order], j[order]
        new = np.ones(len(i), dtype=bool)
        new[1:] = (i[1:] != i[:-1]) | (J[1:] != J[:-1])
        start = np.flatnonzero(new)
        count = np.diff(np.append(start, len(i)))
        amin = np.minimum.reduceat(a, start)
        amax = np.maximum.reduceat(a, start)
        gi, gJ = i[start], J[start]
        flow = ~state[gJ]
        fail = flow & ((count != n_g[gJ]) | (amax - amin > tol * np.maximum(np.abs(amax), np.abs(amin))))
        fail |= ~flow & (count != 1)
        ok[gi[fail]] = False
        val = np.where(flow, a[start] * n_g[gJ], a[start])
        use = ok[gi]
        rows = np.cumsum(ok) - 1
        out = sp.csr_matrix((val[use], (rows[gi[use]], gJ[use])), shape=(int(ok.sum()), len(n_g)))
    else:
        out = sp.csr_matrix((int(ok.sum()), len(n_g)))
    return ok, out


def relax(k: int, own_rows: sp.csr_matrix, master_rows: sp.csr_matrix, row_lower: np.ndarray, row_upper: np.ndarray,
          row_key: np.ndarray, row_step: np.ndarray, row_last: np.ndarray, cost: np.ndarray, lower: np.ndarray,
          upper: np.ndarray, col_key: np.ndarray, col_step: np.ndarray, col_last: np.ndarray, state: np.ndarray,
          link: sp.csr_matrix, link_lower: np.ndarray, link_upper: np.ndarray, penalty: np.ndarray) -> Relaxation:
    """Block k's relaxation (module docstring) from its LP:

    own_rows, master_rows: the block's rows over its own columns and over the master columns it sees;
    row_key: per row, its family and index but the timestep (an integer; a row of no timestep a key of its own);
    row_step, row_last: per row, the step of its timestep and whether that timestep ends the step;
    cost, lower, upper, col_key, col_step, col_last, state: the same for the own columns, state: a state column;
    link, link_lower, link_upper, penalty: the budget rows over the own columns (Subproblem.link), their bounds and
    their elastic columns' penalty."""
    cost_bits = np.asarray(cost, dtype=np.float64).view(np.int64)
    keys = np.stack([col_key, col_step, np.where(state, 0, cost_bits)], axis=1)
    uniq, grp = np.unique(keys, axis=0, return_inverse=True)
    grp = grp.ravel()
    n_groups = len(uniq)
    n_g = np.bincount(grp, minlength=n_groups).astype(float)
    g_state = np.zeros(n_groups, dtype=bool)
    g_state[grp[state]] = True
    # a group mixing state and flow members cannot happen (state is per column key); guard anyway
    mixed = np.zeros(n_groups, dtype=bool)
    mixed[grp[~state]] = True
    if np.any(mixed & g_state):
        raise ValueError("a group of the relaxation mixes state and flow columns")
    # cost and bounds of each group
    g_cost = np.zeros(n_groups)
    flow_j = ~state
    np.add.at(g_cost, grp[flow_j], cost[flow_j])  # n_J members of cost c: c n_J
    sl = state & col_last
    g_cost[grp[sl]] = cost[sl]
    other = state & ~col_last & (cost != 0)
    pick = np.where(cost[other] > 0, lower[other], upper[other])
    if not np.all(np.isfinite(pick)):
        raise ValueError(f"block {k}: a state column with a cost and an infinite bound; no relaxation")
    constant = float(cost[other] @ pick)
    with np.errstate(invalid="ignore"):
        g_lo = np.zeros(n_groups)
        g_up = np.zeros(n_groups)
        np.add.at(g_lo, grp[flow_j], lower[flow_j])
        np.add.at(g_up, grp[flow_j], upper[flow_j])
        g_lo = np.where(g_state, 0.0, g_lo / n_g)
        g_up = np.where(g_state, 0.0, g_up / n_g)
    g_lo[grp[sl]] = lower[sl]
    g_up[grp[sl]] = upper[sl]
    g_lo = np.where(np.isnan(g_lo), -INF, g_lo)
    g_up = np.where(np.isnan(g_up), INF, g_up)
    last = col_last  # a state group without its last member: every entry on it fails the test

    # rows: sum each (key, step) group; where the sum fails, its row at the step's last timestep
    rkeys = np.stack([row_key, row_step], axis=1)
    _, rgrp = np.unique(rkeys, axis=0, return_inverse=True)
    rgrp = rgrp.ravel()
    n_rg = int(rgrp.max()) + 1 if len(rgrp) else 0
    S = sp.csr_matrix((np.ones(len(rgrp)), (rgrp, np.arange(len(rgrp)))), shape=(n_rg, len(rgrp)))
    ok, summed = _check(S @ own_rows, grp, n_g, g_state, last)
    with np.errstate(invalid="ignore"):
        lo_sum, up_sum = S @ row_lower, S @ row_upper
    lo_sum = np.where(np.isnan(lo_sum), -INF, lo_sum)
    up_sum = np.where(np.isnan(up_sum), INF, up_sum)
    failed = ~ok
    single = np.flatnonzero(failed[rgrp] & row_last)
    ok1, single_rows = _check(own_rows[single], grp, n_g, g_state, last)
    single = single[ok1]
    rows = sp.vstack([summed, single_rows], format="csr")
    rows_master = sp.vstack([(S @ master_rows)[ok], master_rows[single]], format="csr")
    rl = np.concatenate([lo_sum[ok], row_lower[single]])
    ru = np.concatenate([up_sum[ok], row_upper[single]])
    keep_b, budget_rows = _check(link, grp, n_g, g_state, last)
    return Relaxation(k=k, cost=g_cost, constant=constant, lower=g_lo, upper=g_up, rows=rows,
                      rows_master=rows_master, row_lower=rl, row_upper=ru, budgets=np.flatnonzero(keep_b),
                      budget_rows=budget_rows, budget_lower=link_lower[keep_b], budget_upper=link_upper[keep_b],
                      penalty=np.asarray(penalty)[keep_b], n_members=len(cost))
