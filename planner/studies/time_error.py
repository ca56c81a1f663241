"""How much error does time aggregation introduce? Solve the same model at full
resolution and with N representative days, and compare.

The reference is the case's own timesteps (normally a full hourly year). For
each N the table reports the objective's relative error, the total absolute
difference in new capacity by zone x technology x period, unserved energy and
solve time, so a user can choose the smallest N whose error they accept.
Written to ``results/<name>-time-error/time_error.csv``.

With ``--year`` the reference is the year itself: every plan (and the full-resolution or ``--reference-days``
reference, unless ``--no-reference``) is dispatched over every hour of each period with its capacity fixed (the
year check, planner/studies/year_check.py), and the table adds, per plan, the present value of its cost when it
runs over the year (``year_cost_usd``, the system's costs; the check's penalty on its elastic rows apart, in
``year_slack_penalty_usd``), the objective's error against that (``objective_error_vs_year_pct``: how far
the representative days misjudge the cost of their own plan), and the year's unserved energy
(``year_unserved_mwh``, ``year_zones_short``, ``year_worst_hour_mw``; per zone, with the worst hour's day and hour,
in ``time_error_year_unserved.csv``). ``time_error_capacity.csv`` gives new
capacity by technology and region for every plan; with ``--partner P``, ``partner_sites`` lists where P builds in
each plan and ``partner_siting_changes`` whether that differs from the finest plan's. ``storage`` says how storage
and hydro are tied across representative days (``linked`` with ``[time] link_storage = true``, which each plan
keeps, as it keeps ``keep_peak_day``; ``unlinked``: cyclic within each day); ``--storage unlinked linked`` solves
every number of days both ways in one table. A plan whose capacity equals that of a plan checked before (to
0.001 MW; ``year_check.plan_key``) has the same year's dispatch and is not dispatched again: ``year_check_of``
names the plan whose dispatch it shares. Without a full-year optimum (``--no-reference``), the year is the
reference only through each plan's own year check: ``objective_error_vs_year_pct`` is the plan's objective against
its own cost over the year, not against the year's optimum. With ``--decompose`` the full-resolution reference is
solved by the Benders decomposition by time (planner/decompose/), so the full-year optimum can be the reference
where one monolithic solve of the year is out of reach.

    planner time-error models/kazakhstan_2030.toml --days 3 6 12 24 --year --no-reference --partner TR \
        --storage unlinked linked
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


def _headline(out, label: str, year: bool = False, partner: str | None = None, case=None,
              checked: dict | None = None, zones: list | None = None) -> dict:
    """One row of time_error.csv; ``case``: the hourly case every plan's year check runs on (loaded once);
    ``checked``: the year's dispatch of the plans checked so far, by ``plan_key``, with the plan each is of ("6 days,
    linked"); a plan with the same capacity as one checked before is not dispatched again: ``year_check_of`` names
    that plan, and its ``year_check_s`` is 0. ``zones`` receives the plan's ``year_unserved`` table."""
    from planner.analysis import metrics

    t = out.tables
    storage = "linked" if out.meta["time_aggregation"].get("storage_linked_across_days") else "unlinked"
    plan = f"{label}, {storage}"
    extra: dict = {}
    if year:
        from planner.studies.year_check import dispatch_periods, full_resolution, make_tables, plan_key, year_cost_pv

        checked = {} if checked is None else checked
        key = plan_key(t)
        if key not in checked:
            checked[key] = (plan, dispatch_periods(full_resolution(out.spec, out.meta["periods"]), t, case=case))
        of, done = checked[key]
        yc = make_tables(done, t, case)
        if zones is not None:
            zones.append(yc["year_unserved"].assign(resolution=label, storage=storage))
        dw = t["costs"].groupby("period")["discount_weight"].first().to_dict()
        s = yc["year_check"]
        extra = {"year_cost_usd": year_cost_pv(yc, dw), "year_slack_penalty_usd": year_cost_pv(yc, dw, slack=True),
                 "year_unserved_mwh": float(s["unserved_mwh"].sum()),
                 "year_zones_short": int(s["zones_short"].max()),
                 "year_worst_hour_mw": float(s["worst_hour_mw"].max()),
                 "year_annual_rows_missed": int(s["annual_rows_missed"].sum()),
                 "year_check_s": float(s["total_s"].sum()) if of == plan else 0.0, "year_check_of": of}
        extra["objective_error_vs_year_pct"] = 100 * (out.meta["objective_usd"] / extra["year_cost_usd"] - 1)
    if partner is not None:
        nc = t["new_capacity"]
        mine = nc[(nc["partner"] == partner) & (nc["new_mw"] > 1e-6)].groupby(["zone", "technology"])["new_mw"].sum()
        extra["partner_sites"] = "; ".join(f"{z}/{g} {mw:,.0f}" for (z, g), mw in mine.items()) or "none"
    return {
        "resolution": label,
        "timesteps": out.meta["timesteps"],
        "objective_usd": out.meta["objective_usd"],
        "new_mw": metrics.value(t, "new_capacity"),
        "unserved_mwh": metrics.value(t, "unserved_energy"),
        "emissions_t": metrics.value(t, "emissions"),
        "solve_s": out.meta["timings_s"]["solve_s"],
        "profile_rmse_mean": out.meta["time_aggregation"].get("profile_rmse_mean"),
        "storage": storage,
        **extra,
    }


STORAGE = ("unlinked", "linked")


def measure(spec: RunSpec, days: list[int], results_root: Path | None = Path("results"),
            reference_days: int | None = None, year: bool = False, partner: str | None = None,
            reference: bool = True, storage: list[str] | None = None, decompose: bool = False) -> pd.DataFrame:
    """``decompose``: the full-resolution reference solved by the Benders decomposition by time (the run
    specification's [decomposition] table, else its defaults; planner/decompose/), which reaches the optimum of
    the hourly year where a monolithic solve does not; the representative-day plans are solved whole.
    ``reference_days``: compare against that many representative days instead of full resolution,
    when a full hourly year is too large to solve (the error is then relative to the finer aggregation).
    ``year``: every plan is also checked over the year (module docstring); ``reference`` False: no reference solve
    (with ``year``, the year is the reference). ``storage``: each number of days solved with storage ``unlinked``
    and/or ``linked`` across days, in that order (None: as the specification says); without a reference solve,
    the finest plan of the first is the one capacities and siting are compared with.

    Every number of days is checked against the case, and the results folder checked and locked, before the
    first solve."""
    from planner.studies import reserved

    check_days(spec, days, reference_days)
    if storage is not None:
        bad = [x for x in storage if x not in STORAGE]
        if bad or not storage:
            from planner.errors import InputError, Problem

            raise InputError([Problem("--storage", f"{', '.join(bad) or 'nothing'}: expected one or both of "
                                                   f"{', '.join(STORAGE)}")])
    with reserved(results_folder(spec, NAME, root=results_root) if results_root is not None else None) as slot:
        return _measure(spec, days, slot, reference_days, year, partner, reference, storage, decompose)


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


def _measure(spec: RunSpec, days: list[int], slot, reference_days: int | None, year: bool = False,
             partner: str | None = None, reference: bool = True, storage: list[str] | None = None,
             decompose: bool = False) -> pd.DataFrame:
    import pandas as pd

    from planner.runner import run_spec

    outs = []
    if reference:
        full_spec = copy.deepcopy(spec)
        full_spec.time = {} if reference_days is None else {"representative_days": reference_days}
        if decompose:
            full_spec.decomposition = dict(spec.decomposition) or {"method": "benders"}
        outs.append((run_spec(full_spec, None), "full" if reference_days is None else
                     f"{reference_days} days (reference)"))
    modes = storage or ["linked" if spec.time.get("link_storage") else "unlinked"]
    for mode in modes:
        for n in days:
            s = copy.deepcopy(spec)
            s.time = {**{k: v for k, v in spec.time.items() if k == "keep_peak_day"}, "representative_days": n,
                      **({"link_storage": True} if mode == "linked" else {})}
            if decompose:
                s.decomposition = {}
            outs.append((run_spec(s, None), f"{n} days"))
    key = ["zone", "technology", "period"]
    at = 0 if reference else max(range(len(days)), key=days.__getitem__)  # no reference: the finest plan (of the
    # first storage mode)
    ref = outs[at][0]
    ref_new = ref.tables["new_capacity"].groupby(key)["new_mw"].sum()
    case = None
    if year:  # one hourly case for every plan's year check (they differ only in their time aggregation)
        from planner.pipeline import load_for_run
        from planner.studies.year_check import full_resolution

        case = load_for_run(full_resolution(ref.spec, ref.meta["periods"]))[0]
    rows, caps = [], []
    checked: dict = {}
    zones: list = []
    for out, label in outs:
        row = _headline(out, label, year, partner, case, checked, zones)
        row["decomposed"] = bool(out.meta.get("decomposition"))  # solved by the Benders decomposition by time
        new = out.tables["new_capacity"].groupby(key)["new_mw"].sum()
        row["new_mw_abs_diff"] = float(new.sub(ref_new, fill_value=0).abs().sum())
        rows.append(row)
        nc = out.tables["new_capacity"]
        region = nc["zone"].map(_regions(spec))
        caps.append(nc.assign(region=region).groupby(["technology", "region"], as_index=False)["new_mw"].sum()
                    .assign(resolution=label, storage=row["storage"]))
    df = pd.DataFrame(rows)
    df["objective_error_pct"] = 100 * (df["objective_usd"] / df["objective_usd"].iloc[at] - 1)
    if partner is not None:
        finest = df["partner_sites"].iloc[at]
        df["partner_siting_changes"] = df["partner_sites"].map(lambda x: _sites(x) != _sites(finest))
    cap = pd.concat(caps, ignore_index=True)[["resolution", "storage", "technology", "region", "new_mw"]]
    tables = {"time_error": df, "time_error_capacity": cap}
    if zones:
        u = pd.concat(zones, ignore_index=True)
        tables["time_error_year_unserved"] = u[["resolution", "storage", *[c for c in u if c not in
                                                                           ("resolution", "storage")]]]
    if slot is not None:
        write_tables(slot, tables)
    return df


def _sites(text: str) -> set[str]:
    """The (zone/technology) sites of a ``partner_sites`` text, without their MW."""
    return {part.rsplit(" ", 1)[0] for part in text.split("; ") if part and part != "none"}


def _regions(spec: RunSpec) -> dict[str, str]:
    from planner.load import read_table
    from planner.schema import TABLE

    zones = read_table(Path(spec.inputs), TABLE["zones"], [])
    return {z: (r or z) for z, r in zip(zones["zone"], zones.get("region", zones["zone"]).fillna(""))}


def add_arguments(te: argparse.ArgumentParser) -> None:
    te.add_argument("model")
    te.add_argument("--days", type=int, nargs="+", default=[4, 8, 16], help="numbers of representative days to try")
    te.add_argument("--reference-days", type=int, help="reference: this many representative days instead of the full "
                                                       "year")
    te.add_argument("--year", action="store_true", help="also check every plan over every hour of its year "
                                                         "(planner year-check) and report its error against that")
    te.add_argument("--no-reference", action="store_true", help="no reference solve (with --year: the year is the "
                                                                "reference)")
    te.add_argument("--partner", help="report where this partner builds in each plan, and whether that changes")
    te.add_argument("--storage", nargs="+", choices=STORAGE,
                    help="solve each number of days with storage unlinked (cyclic within each day) and/or linked "
                         "across days ([time] link_storage); default: as the run specification says")
    te.add_argument("--decompose", action="store_true", help="solve the full-resolution reference by Benders "
                                                             "decomposition by time ([decomposition] of the run "
                                                             "specification, else its defaults)")
    te.add_argument("--results", default="results")


def run(args: argparse.Namespace) -> int:
    from planner.spec import load_spec

    spec = load_spec(args.model)
    if args.partner:
        from planner.studies import check_partner

        check_partner(spec, args.partner)
    df = measure(spec, args.days, Path(args.results), args.reference_days, args.year, args.partner,
                 not args.no_reference, args.storage, args.decompose)
    with_pct = df.assign(objective_error_pct=df["objective_error_pct"].map("{:+.3f}".format))
    print(with_pct.to_string(index=False))
    return 0
