"""Storage linked across representative days against per-day cyclic storage, on one model.

    benchmarks/link_storage.py models/kazakhstan_2030.toml --days 6 24 [--out link_storage.csv]

For each number of days, builds and solves the model with ``time.link_storage`` false and true; prints the
objective, the new capacity by technology, the build and solve times (with the 1-minute load average) and the LP
size, and writes them as CSV. The finest number of days serves as the reference the coarser ones are
compared with (a proxy for the full hourly year).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.pipeline import build, solver_options  # noqa: E402
from planner.results import extract  # noqa: E402
from planner.solve import solve  # noqa: E402
from planner.spec import load_spec, validate_spec  # noqa: E402


def one(spec, days: int, link: bool) -> tuple[dict, pd.DataFrame]:
    s = validate_spec(replace(spec, time={**spec.time, "representative_days": days, "link_storage": link}))
    t0 = time.perf_counter()
    built = build(s)
    t_build = time.perf_counter() - t0
    sol = solve(built.model, solver_options(s))
    t = extract(built.model, built.data, sol)
    new = t["new_capacity"].groupby("technology")["new_mw"].sum()
    row = {"days": days, "linked": link, "objective_usd": sol.objective, "load_build_s": t_build,
           "build_s": built.timings_s["build_s"], "compile_s": sol.seconds["compile"],
           "solve_s": sol.seconds["solve"], "rows": sol.size.get("rows"), "columns": sol.size.get("columns"),
           "loadavg_1min": os.getloadavg()[0]}
    return row, new.rename(f"{days}{'L' if link else ''}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--days", type=int, nargs="+", default=[6, 24])
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    spec = load_spec(args.model)
    rows, caps = [], []
    for days in args.days:
        for link in (False, True):
            r, c = one(spec, days, link)
            print(r, flush=True)
            rows.append(r)
            caps.append(c)
    tab = pd.DataFrame(rows)
    ref = tab[tab["days"] == max(args.days)].set_index("linked")["objective_usd"]
    tab["error_vs_finest_pct"] = [100 * (o / ref[lk] - 1) for o, lk in zip(tab["objective_usd"], tab["linked"])]
    cap = pd.concat(caps, axis=1).fillna(0.0).round(1)
    print(tab.to_string(index=False))
    print("\nnew capacity by technology (MW; L = linked):")
    print(cap.to_string())
    if args.out:
        tab.to_csv(args.out, index=False)
        cap.to_csv(Path(args.out).with_suffix(".capacity.csv"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
