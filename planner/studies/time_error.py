"""How much error does time aggregation introduce? Solve the same model at full
resolution and with N representative days, and compare.

The reference is the case's own timesteps (normally a full hourly year). For
each N the table reports the objective's relative error, the total absolute
difference in new capacity by zone x technology x period, unserved energy and
solve time, so a user can choose the smallest N whose error they accept.
Written to ``results/<name>-time-error/time_error.csv``.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import TYPE_CHECKING

from planner.studies import results_folder, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.spec import RunSpec

NAME = "time-error"
HELP = "measure the error of representative days against full resolution"


def _headline(out, label: str) -> dict:
    from planner import metrics

    t = out.tables
    return {
        "resolution": label,
        "timesteps": out.meta["timesteps"],
        "objective_usd": out.meta["objective_usd"],
        "new_mw": metrics.value(t, "new_capacity"),
        "unserved_mwh": metrics.value(t, "unserved_energy"),
        "emissions_t": metrics.value(t, "emissions"),
        "solve_s": out.meta["timings_s"]["solve_s"],
        "profile_rmse_mean": out.meta["time_aggregation"].get("profile_rmse_mean"),
    }


def measure(spec: RunSpec, days: list[int], results_root: Path | None = Path("results"),
            reference_days: int | None = None) -> pd.DataFrame:
    """``reference_days``: compare against that many representative days instead of full resolution,
    when a full hourly year is too large to solve (the error is then relative to the finer aggregation).

    Every number of days is checked against the case, and the results folder checked and locked, before the
    first solve."""
    from planner.studies import reserved

    check_days(spec, days, reference_days)
    with reserved(results_folder(spec, NAME, root=results_root) if results_root is not None else None) as slot:
        return _measure(spec, days, slot, reference_days)


def check_days(spec: RunSpec, days: list[int], reference_days: int | None) -> None:
    """``InputError`` naming ``--days`` or ``--reference-days`` for a number of days that is not >= 1 or that the
    case cannot be aggregated to (planner/timeagg.py); the run specification and the case are checked on the way."""
    from planner.errors import InputError, Problem
    from planner.load import load_case
    from planner.scenario import apply_scenario
    from planner.spec import validate_spec
    from planner.timeagg import days_problem

    asked = [("--days", n) for n in days] + ([("--reference-days", reference_days)] if reference_days is not None
                                             else [])
    problems = [Problem(option, f"{n} is not a number of representative days; expected a whole number >= 1")
                for option, n in asked if n < 1]
    if not days:
        problems.append(Problem("--days", "give at least one number of representative days, e.g. --days 4 8 16"))
    if problems:
        raise InputError(problems)
    case = apply_scenario(load_case(spec.inputs), validate_spec(spec))
    problems = [Problem(option, f"{n} days: {why}") for option, n in asked
                if (why := days_problem(case["timesteps"], n))]
    if problems:
        raise InputError(problems)


def _measure(spec: RunSpec, days: list[int], slot, reference_days: int | None) -> pd.DataFrame:
    import pandas as pd

    from planner.run import run_spec

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
    if slot is not None:
        write_tables(slot, {"time_error": df})
    return df


def add_arguments(te: argparse.ArgumentParser) -> None:
    te.add_argument("model")
    te.add_argument("--days", type=int, nargs="+", default=[4, 8, 16], help="numbers of representative days to try")
    te.add_argument("--reference-days", type=int, help="reference: this many representative days instead of the full "
                                                       "year")
    te.add_argument("--results", default="results")


def run(args: argparse.Namespace) -> int:
    from planner.spec import load_spec

    df = measure(load_spec(args.model), args.days, Path(args.results), args.reference_days)
    with_pct = df.assign(objective_error_pct=df["objective_error_pct"].map("{:+.3f}".format))
    print(with_pct.to_string(index=False))
    return 0
