"""Interior-point iterations with constraint families switched off one at a time.

    python benchmarks/families.py models/kazakhstan.toml --days 2 --periods 2030 --periods 2025,2030,2035,2040 \\
        --drop none --drop reserve_margin --drop partner_envelope+partner_min_share+partner_max_share

For each set of periods and each ``--drop`` (constraint names joined by ``+``,
``none`` for the full model) the model is built, the named constraints are
deactivated, and the LP is solved with the method given; one JSON line per solve
gives columns, IPM and crossover iterations, seconds, objective and the load
average. Dropping a family changes the optimum: the point is which family makes
the interior-point method take many more iterations, to look for scaling, loose
bounds or near-redundant rows there (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("--days", type=int, help="representative days (default: the model's)")
    ap.add_argument("--periods", action="append", help="comma-separated periods (repeatable; default: the model's)")
    ap.add_argument("--drop", action="append", default=None, help="constraints to deactivate, joined by + (repeatable)")
    ap.add_argument("--method", default="ipx")
    ap.add_argument("--time-limit", type=float, default=900.0)
    args = ap.parse_args()

    from planner.model.build import build_model
    from planner.model.data import prepare
    from planner.pipeline import load_for_run
    from planner.solve import Solver
    from planner.spec import load_spec

    spec = load_spec(args.model)
    if args.days:
        spec.time = {**spec.time, "representative_days": args.days}
    for periods in args.periods or [None]:
        if periods:
            spec.periods = [int(p) for p in periods.split(",")]
        case, _, _ = load_for_run(spec)
        d = prepare(case, spec.periods)
        for drop in args.drop or ["none"]:
            m = build_model(d)
            names = [] if drop == "none" else drop.split("+")
            for name in names:
                getattr(m, name).deactivate()
            s = Solver(m, {"method": args.method, "threads": 2, "time_limit_s": args.time_limit})
            t0 = time.perf_counter()
            try:
                obj = s.run()
                it = s.solution().iterations
            except Exception as exc:  # a knocked-out model may be unbounded or infeasible: that is a result too
                obj, it = f"{type(exc).__name__}: {str(exc)[:80]}", {}
            print(json.dumps({"periods": spec.periods, "days": spec.time.get("representative_days"), "drop": names,
                              "method": args.method, "columns": s.comp.lp.num_col_, "ipm": it.get("ipm"),
                              "crossover": it.get("crossover"), "seconds": round(time.perf_counter() - t0, 1),
                              "objective": obj, "load_average": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
