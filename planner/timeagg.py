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
    import tsam

    ts = case["timesteps"].sort_values("timestep")
    n = len(ts)
    why = days_problem(ts, days)
    if why:
        raise InputError([Problem("timesteps.csv", why)])
    wide = _wide(case)
    flat = wide.copy()
    flat.columns = [f"{a}|{b}|{c}" for a, b, c in wide.columns]
    flat = flat.loc[:, flat.std() > 0]  # constant columns need no clustering and upset tsam's scaling
    flat.index = pd.date_range("2001-01-01", periods=n, freq="h")
    extremes = None
    if keep_peak_day:
        flat["system|demand|"] = wide[[c for c in wide.columns if c[0] == "demand"]].sum(axis=1).to_numpy()
        extremes = tsam.ExtremeConfig(method="append", max_value=["system|demand|"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = tsam.aggregate(flat, n_clusters=days, period_duration=24, extremes=extremes,
                             rescale_exclude_columns=["system|demand|"] if keep_peak_day else None)
    reps = res.cluster_representatives
    counts = res.cluster_counts
    clusters = sorted(reps.index.get_level_values(0).unique())

    # new timesteps: block c, hours 0..23, weight = days represented
    assign = np.asarray(res.cluster_assignments)
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

    def series(kind, z, g):
        key = f"{kind}|{z}|{g}"
        if key in flat.columns:
            return [float(values[t][key]) for t in new_ts["timestep"]]
        return [float(wide[(kind, z, g)].iloc[0])] * len(new_ts)

    tables = dict(case.tables)
    tables["timesteps"] = new_ts
    zones = list(case["zones"]["zone"])
    tables["demand"] = pd.DataFrame([(z, t, max(v, 0.0)) for z in zones for t,
                                     v in zip(new_ts["timestep"], series("demand", z, ""))],
                                    columns=["zone", "timestep", "demand_mw"])
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
        tables[name] = pd.DataFrame(recs, columns=["zone", "technology", "timestep", col])
    acc = res.accuracy
    info = {"method": "tsam hierarchical, medoid days, means preserved", "representative_days": days,
            "peak_day_kept": keep_peak_day,
            "days_represented": {str(i): int(counts[c]) for i, c in enumerate(clusters)}}
    try:
        info["profile_rmse_mean"] = float(np.nanmean(acc.rmse))
        info["profile_rmse_max"] = float(np.nanmax(acc.rmse))
    except (AttributeError, TypeError, ValueError):
        pass
    return Case(case.path, tables, case.settings, case.warnings), info
