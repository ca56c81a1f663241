"""The decomposition's partition: which columns and rows of the compiled LP go to the master and to which block.

The compiled LP (planner.solve.compile_lp) is partitioned as it stands, so every constraint family takes part with no
code of its own. A column belongs to block k = (period p, group of ``block_days`` consecutive blocks of timesteps) when
its variable is one a family declares time-indexed (``TIME_VARIABLES``, index ending in (p, t)); every other column
(new capacity, capacity in service, new lines, storage energy, states that link days) is a master column x. A row
whose operational columns all lie in one block belongs to that block's subproblem; a row with none is a master row; a
row whose operational columns lie in several blocks (the annual rows: CO2 cap, fuel limits, hydro budgets, renewable
and import shares) is a linking row r, written over one budget column per block it reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.decompose.lp import _csr
from planner.model.data import ModelData
from planner.solve import Compiled

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
    from planner.model.build import MODULES  # read at call time: the registry a family joins (test_contributing)

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
