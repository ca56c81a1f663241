"""The transport relaxation behind the capacity deficit: a small LP solved with HiGHS.

The definition it computes is planner/analysis/deficit.py's (docs/deficit.md). Zones z with a need
need[z] = required[z] - firm[z] (MW) share corridors l of firm transfer limit limit_l each direction,
losing loss_l of what is sent:

    D = min sum_z u[z] + 1e-6 sum_l (x_fw[l] + x_bw[l])
        s.t. u[z] + sum_{l into z} (1 - loss_l) x[l] - sum_{l out of z} x[l] >= need[z]
             0 <= x[l] <= limit_l,   0 <= u[z] <= max(0, need[z])

then (``by_zone``) the lexicographic min-max of the shares short u[z] / max(required[z], 1 MW)
with the total held at D, one LP per round.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

TOL = 1e-6  # MW
TOTAL_ROOM_MW = 1e-7  # room on the held total D in the equal-share rounds, for HiGHS's feasibility tolerance
CAP_ROOM_MW = 1e-6  # room on a fixed zone's deficit in later rounds, for the same reason


@dataclass
class Link:
    """A corridor between two zones: firm transfer limit each direction (MW), share lost on the way."""
    from_zone: str
    to_zone: str
    limit_mw: float
    loss_pu: float = 0.0


class _TransportLP:
    """The LP's fixed part. Columns: u[z], then x[l] each direction (from -> to, then to -> from), then the
    largest share s. Rows: balance of each zone, u[z] + sum (1 - loss) x_in - sum x_out >= need[z]; then, in
    the equal-share rounds, the total sum_z u[z] <= D and one row u[z] - s * required[z] <= 0 per zone not
    yet fixed."""

    def __init__(self, zones: list[str], need: np.ndarray, required: np.ndarray, links: list[Link]):
        import highspy

        self.highspy = highspy
        self.nz, self.nl = len(zones), len(links)
        self.need, self.required = need, required
        self.n = self.nz + 2 * self.nl + 1
        self.s_col = self.n - 1
        ix = {z: i for i, z in enumerate(zones)}
        nz = self.nz
        self.entries: list[tuple[int, int, float]] = [(i, i, 1.0) for i in range(nz)]  # (row, column, value)
        for j, lk in enumerate(links):
            a, b = ix[lk.from_zone], ix[lk.to_zone]
            self.entries += [(a, nz + 2 * j, -1.0), (b, nz + 2 * j, 1.0 - lk.loss_pu),
                             (b, nz + 2 * j + 1, -1.0), (a, nz + 2 * j + 1, 1.0 - lk.loss_pu)]
        self.x_upper = np.repeat([lk.limit_mw for lk in links], 2)

    def _rows(self, total: float | None, free: list[int]) -> tuple[list, list, list]:
        """(entries, row lower bounds, row upper bounds) of one round."""
        inf, nz = self.highspy.kHighsInf, self.nz
        rows = list(self.entries)
        lower, upper = list(self.need), [inf] * nz
        if total is not None:
            rows += [(nz, i, 1.0) for i in range(nz)]
            lower.append(-inf)
            upper.append(total)
        r = np.maximum(self.required, 1.0)
        for i in free:
            row = len(lower)
            rows += [(row, i, 1.0), (row, self.s_col, -r[i])]
            lower.append(-inf)
            upper.append(0.0)
        return rows, lower, upper

    def _lp(self, u_upper: np.ndarray, total: float | None, free: list[int]):
        highspy, nz, nl, n = self.highspy, self.nz, self.nl, self.n
        rows, lower, upper = self._rows(total, free)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(lower)
        if total is None:  # least total shortfall; 1e-6 per MW sent: no transfer that achieves nothing
            lp.col_cost_ = np.r_[np.ones(nz), np.full(2 * nl, 1e-6), 0.0]
        else:  # the largest share short of the zones not yet fixed
            lp.col_cost_ = np.r_[np.zeros(nz + 2 * nl), 1.0]
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.r_[u_upper, self.x_upper, highspy.kHighsInf if free else 0.0]
        lp.row_lower_, lp.row_upper_ = np.array(lower, dtype=float), np.array(upper, dtype=float)
        order = sorted(range(len(rows)), key=lambda e: (rows[e][1], rows[e][0]))
        cols = np.array([rows[e][1] for e in order], dtype=np.int64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(n + 1)).astype(np.int32)
        lp.a_matrix_.index_ = np.array([rows[e][0] for e in order], dtype=np.int32)
        lp.a_matrix_.value_ = np.array([rows[e][2] for e in order], dtype=float)
        return lp

    def run(self, what: str, u_upper: np.ndarray, total: float | None = None, free: list[int] = ()) -> tuple:
        """(column values, row duals) of one round; any status but optimal is an error."""
        highspy = self.highspy
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(self._lp(u_upper, total, free))
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"deficit transport relaxation ({what}): HiGHS status {h.modelStatusToString(status)}")
        sol = h.getSolution()
        return np.asarray(sol.col_value), np.asarray(sol.row_dual)


def _fixed(lp: _TransportLP, free: list[int], col: np.ndarray, dual: np.ndarray) -> list[int]:
    """The zones of ``free`` at the round's largest share s in every optimal solution: non-zero dual."""
    s = float(col[lp.s_col])
    share_rows = lp.nz + 1 + np.arange(len(free))
    fixed = [i for i, row in zip(free, share_rows) if abs(dual[row]) > 1e-9]
    if not fixed:  # cannot happen with exact duals (they sum to 1): fix the zones at the largest share
        fixed = [i for i in free if col[i] >= s * max(lp.required[i], 1.0) - 1e-7 * max(1.0, col[i])] or free[:]
    return fixed


def _equal_shares(lp: _TransportLP, u: np.ndarray, shortfall: np.ndarray, short: list[int]) -> np.ndarray:
    """Stage 2: the total held at D (plus TOTAL_ROOM_MW, for the solver's tolerances), rounds of min-max shares."""
    total = float(u.sum()) + TOTAL_ROOM_MW
    upper = shortfall.copy()
    free = list(short)
    while free:
        try:
            col, dual = lp.run("equal shares", upper, total, free)
        except RuntimeError as exc:  # never seen in 2,000 random networks; the total D stands either way
            print(f"warning: {exc}; the deficit's split between zones competing for the same transfers is "
                  "equal only as far as the last round that solved", file=sys.stderr)
            return u
        s = float(col[lp.s_col])
        for i in _fixed(lp, free, col, dual):  # at share s in every optimal solution; room for the tolerances
            at = max(col[i], s * max(lp.required[i], 1.0))
            upper[i] = 0.0 if at <= TOL else min(shortfall[i], at * (1 + 1e-7) + CAP_ROOM_MW)
            free.remove(i)
        u = col[:lp.nz]
    return u


def _solve(zones: list[str], need: np.ndarray, required: np.ndarray, links: list[Link], fair: bool) -> np.ndarray:
    """HiGHS on the transport relaxation: the least total shortfall, then (``fair``) the equal-share split.

    Stage 1 is the LP for D. Stage 2 keeps the total at D and finds the lexicographic min-max of the
    shares short, u[z] / required[z], by rounds of one LP each: minimise the largest share s of the zones
    not yet fixed; every zone whose row u[z] <= s * required[z] has a non-zero dual is at that share in
    every optimal solution (complementary slackness), so it is fixed there and the next round minimises
    the largest share of the rest. The duals of those rows sum to 1, so each round fixes at least one
    zone: at most one round per zone short."""
    lp = _TransportLP(zones, need, required, links)
    shortfall = np.clip(need, 0.0, None)
    col, _ = lp.run("least total shortfall", shortfall)
    u = col[:lp.nz]
    short = [i for i in range(lp.nz) if shortfall[i] > TOL]
    if not fair or u.sum() <= TOL or len(short) < 2:
        return u
    return _equal_shares(lp, u, shortfall, short)


def transfer_deficit(required_mw: dict[str, float], firm_mw: dict[str, float], links: list[Link],
                     by_zone: bool = True) -> pd.Series:
    """Deficit per zone after the transfers the corridors allow (MW); see the module docstring."""
    zones = list(required_mw)
    required = np.array([required_mw[z] for z in zones], dtype=float)
    need = required - np.array([firm_mw.get(z, 0.0) for z in zones], dtype=float)
    links = [lk for lk in links if lk.limit_mw > TOL and lk.from_zone in required_mw and lk.to_zone in required_mw]
    if (need <= TOL).all():
        u = np.zeros(len(zones))
    elif not links:
        u = np.clip(need, 0.0, None)
    else:
        u = _solve(zones, need, required, links, fair=by_zone)
    u = np.where(u < TOL, 0.0, u)
    return pd.Series(u, index=zones, name="deficit_mw")
