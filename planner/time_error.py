"""How much error does time aggregation introduce? Solve the same model at full
resolution and with N representative days, and compare.

The reference is the case's own timesteps (normally a full hourly year). For
each N the table reports the objective's relative error, the total absolute
difference in new capacity by zone x technology x period, unserved energy and
solve time, so a user can choose the smallest N whose error they accept.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from planner.run import run_spec
from planner.spec import RunSpec
from planner.store import write_results


def _headline(out, label: str) -> dict:
    t = out.tables
    pr = t["prices"]
    return {
        "resolution": label,
        "timesteps": out.meta["timesteps"],
        "objective_usd": out.meta["objective_usd"],
        "new_mw": float(t["new_capacity"]["new_mw"].sum()),
        "unserved_mwh": float((pr["unserved_mw"] * pr["weight"]).sum()),
        "emissions_t": float(t["emissions"]["emissions_t"].sum()),
        "solve_s": out.meta["timings_s"]["solve_s"],
        "profile_rmse_mean": out.meta["time_aggregation"].get("profile_rmse_mean"),
    }


def measure(spec: RunSpec, days: list[int], results_root: Path | None = Path("results"),
            reference_days: int | None = None) -> pd.DataFrame:
    """``reference_days``: compare against that many representative days instead of full resolution,
    when a full hourly year is too large to solve (the error is then relative to the finer aggregation)."""
    full_spec = copy.deepcopy(spec)
    full_spec.time = {} if reference_days is None else {"representative_days": reference_days}
    ref = run_spec(full_spec, None)
    rows = [_headline(ref, "full" if reference_days is None else f"{reference_days} days (reference)")]
    key = ["zone", "technology", "period"]
    ref_new = ref.tables["new_capacity"].groupby(key)["new_mw"].sum()
    for n in days:
        s = copy.deepcopy(spec)
        s.time = {"representative_days": n}
        out = run_spec(s, None)
        row = _headline(out, f"{n} days")
        new = out.tables["new_capacity"].groupby(key)["new_mw"].sum()
        row["new_mw_abs_diff"] = float(new.sub(ref_new, fill_value=0).abs().sum())
        rows.append(row)
    df = pd.DataFrame(rows)
    df["objective_error_pct"] = 100 * (df["objective_usd"] / df["objective_usd"].iloc[0] - 1)
    df.loc[0, "new_mw_abs_diff"] = 0.0
    if results_root is not None:
        write_results(Path(results_root) / f"{spec.name}-time-error",
                      lambda tmp: df.to_csv(tmp / "time_error.csv", index=False, float_format="%.6g"))
    return df
