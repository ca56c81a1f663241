"""Time aggregation: a full hourly year -> representative days, with tsam.

Demand, availability and must-run profiles are clustered together (tsam's
hierarchical clustering, medoid days, column means preserved), then clipped to
[0, 1] and rounded to 4 decimals like the inputs. Each
representative day becomes a block of 24 timesteps whose weight is the number
of days it stands for, and storage wraps within each block. Unless the run
specification says ``keep_peak_day = false``, the day of the system's peak
demand is kept as a representative of its own (tsam's extreme periods, weight
1): capacity is sized for the peak, so the peak must not be averaged away.
The profile error tsam reports is kept in run.json.

The calendar is kept too: the aggregated case carries a ``calendar`` table (``day``, the calendar day from 0,
and ``block``, the representative day that stands for it, in calendar order: tsam's cluster order), and the
aggregation info its ``day_order`` (the block of each calendar day). The peak day kept as an extreme period maps
to its own block. Storage linked across days (``[time] link_storage``, planner/model/storage.py) chains the days
through it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.errors import InputError, Problem
from planner.load import Case


def _wide(case: Case) -> pd.DataFrame:
    cols = {}
    dem = case["demand"].pivot(index="timestep", columns="zone", values="demand_mw")
    for z in dem.columns:
        cols[("demand", z, "")] = dem[z]
    for name, col in (("availability", "availability_pu"), ("min_output", "min_output_pu")):
        df = case[name]
        if len(df):
            piv = df.pivot(index="timestep", columns=["zone", "technology"], values=col)
            for z, g in piv.columns:
                cols[(name, z, g)] = piv[(z, g)]
    wide = pd.DataFrame(cols).sort_index()
    return wide


def days_problem(timesteps: pd.DataFrame, days: int) -> str | None:
    """Why ``days`` representative days cannot be made of these timesteps (None if they can)."""
    n = len(timesteps)
    if n % 24 or not (timesteps["weight"] == 1).all() or days * 24 >= n:
        return (f"representative_days needs a full hourly series: a multiple of 24 timesteps of weight 1, more than "
                f"{days} days; this case has {n} timesteps")
    return None


def representative_days(case: Case, days: int, keep_peak_day: bool = True) -> tuple[Case, dict]:
    """``days`` representative days (plus the peak day unless ``keep_peak_day`` is false) of a full hourly year."""
    why = days_problem(case["timesteps"], days)
    if why:
        raise InputError([Problem("timesteps.csv", why)])
    return cluster_days(case, days, keep_peak_day)


def cluster_days(case: Case, days: int, keep_peak_day: bool = True) -> tuple[Case, dict]:
    """As ``representative_days`` without refusing ``days`` equal to the days of the year (each day its own
    block: the aggregation that must reproduce the full hourly year, used by the tests).

    The steps: cluster the profiles (``_cluster``), number the blocks' timesteps (``_blocks``), the calendar
    (``_day_order``), the profiles of the blocks (``_profiles``), what run.json keeps (``_info``)."""
    ts = case["timesteps"].sort_values("timestep")
    wide = _wide(case)
    flat, res = _cluster(wide, days, keep_peak_day)
    clusters = sorted(res.cluster_representatives.index.get_level_values(0).unique())
    assign = np.asarray(res.cluster_assignments)
    new_ts, values = _blocks(ts, res, clusters, assign)
    day_order = _day_order(assign, clusters, res.cluster_counts, len(ts) // 24)
    tables = dict(case.tables)
    tables["timesteps"] = new_ts
    tables["calendar"] = pd.DataFrame({"day": range(len(day_order)), "block": day_order})
    tables.update(_profiles(case, wide, flat, new_ts, values))
    return Case(case.path, tables, case.settings, case.warnings), _info(res, clusters, days, keep_peak_day,
                                                                        day_order)


def _cluster(wide: pd.DataFrame, days: int, keep_peak_day: bool):
    """tsam on the profiles that vary (one column ``kind|zone|technology`` each, hourly from 2001-01-01), with
    the system's demand as the extreme period kept when ``keep_peak_day``: (the clustered frame, tsam's result)."""
    import tsam

    flat = wide.copy()
    flat.columns = [f"{a}|{b}|{c}" for a, b, c in wide.columns]
    flat = flat.loc[:, flat.std() > 0]  # constant columns need no clustering and upset tsam's scaling
    flat.index = pd.date_range("2001-01-01", periods=len(wide), freq="h")
    extremes = None
    if keep_peak_day:
        flat["system|demand|"] = wide[[c for c in wide.columns if c[0] == "demand"]].sum(axis=1).to_numpy()
        extremes = tsam.ExtremeConfig(method="append", max_value=["system|demand|"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tsam.aggregate(flat, n_clusters=days, period_duration=24, extremes=extremes,
                             rescale_exclude_columns=["system|demand|"] if keep_peak_day else None)
    return flat, res


def _blocks(ts: pd.DataFrame, res, clusters: list, assign: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """The new timesteps (block i, hours 0..23: timestep 24 i + h, weight the days it stands for, the month most
    of its days fall in) and each one's row of tsam's representatives."""
    reps, counts = res.cluster_representatives, res.cluster_counts
    month = ts["month"].to_numpy() if ts["month"].notna().all() else None
    rows, values = [], {}
    for i, c in enumerate(clusters):
        members = np.flatnonzero(assign == c)
        mon = None
        if month is not None:
            mon = int(pd.Series(month[members * 24]).mode().iloc[0])
        for h in range(24):
            tnew = i * 24 + h
            rows.append((tnew, float(counts[c]), i, mon))
            values[tnew] = reps.loc[(c, h)]
    new_ts = pd.DataFrame(rows, columns=["timestep", "weight", "block", "month"])
    new_ts.index = pd.RangeIndex(2, len(new_ts) + 2, name="line")
    return new_ts, values


def _profiles(case: Case, wide: pd.DataFrame, flat: pd.DataFrame, new_ts: pd.DataFrame,
              values: dict) -> dict[str, pd.DataFrame]:
    """demand, availability and min_output on the new timesteps: demand at least 0, the shares clipped to [0, 1]
    and rounded to 4 decimals, and a must-run share no higher than the availability of the same hour."""
    def series(kind, z, g):
        key = f"{kind}|{z}|{g}"
        if key in flat.columns:
            return [float(values[t][key]) for t in new_ts["timestep"]]
        return [float(wide[(kind, z, g)].iloc[0])] * len(new_ts)

    zones = list(case["zones"]["zone"])
    out = {"demand": pd.DataFrame([(z, t, max(v, 0.0)) for z in zones for t,
                                   v in zip(new_ts["timestep"], series("demand", z, ""))],
                                  columns=["zone", "timestep", "demand_mw"])}
    avail_new = {}
    tech_av = case["technologies"].set_index("technology")["availability_pu"].astype(float).to_dict()
    for name, col in (("availability", "availability_pu"), ("min_output", "min_output_pu")):
        df = case[name]
        recs = []
        for z, g in sorted(set(zip(df["zone"], df["technology"]))):
            for t, v in zip(new_ts["timestep"], series(name, z, g)):
                v = round(min(max(v, 0.0), 1.0), 4)  # as in the inputs; tsam's rescaling leaves 1e-5 crumbs
                if name == "availability":
                    avail_new[(z, g, t)] = v
                else:
                    v = min(v, avail_new.get((z, g, t), tech_av[g]))
                recs.append((z, g, t, v))
        out[name] = pd.DataFrame(recs, columns=["zone", "technology", "timestep", col])
    return out


def _info(res, clusters: list, days: int, keep_peak_day: bool, day_order: list[int]) -> dict:
    """The aggregation's description in run.json, with tsam's profile error where it reports one."""
    counts = res.cluster_counts
    info = {"method": "tsam hierarchical, medoid days, means preserved", "representative_days": days,
            "peak_day_kept": keep_peak_day,
            "days_represented": {str(i): int(counts[c]) for i, c in enumerate(clusters)},
            "day_order": day_order}
    try:
        info["profile_rmse_mean"] = float(np.nanmean(res.accuracy.rmse))
        info["profile_rmse_max"] = float(np.nanmax(res.accuracy.rmse))
    except (AttributeError, TypeError, ValueError):
        pass
    return info


def _day_order(assign: np.ndarray, clusters: list, counts: dict, n_days: int) -> list[int]:
    """The block of each calendar day, in calendar order, checked against the days each block stands for."""
    position = {c: i for i, c in enumerate(clusters)}
    order = [position[c] for c in assign.tolist()]
    per_block = np.bincount(order, minlength=len(clusters)).tolist()
    if len(order) != n_days or per_block != [int(counts[c]) for c in clusters]:
        raise RuntimeError(f"tsam's cluster order ({len(order)} days, {per_block} per block) does not match its "
                           f"cluster counts ({[counts[c] for c in clusters]}) over {n_days} days")
    return order
