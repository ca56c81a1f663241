"""The decomposition beside the monolithic solve of the same LP, in one run, each in a fresh process (its peak
memory its own, Dask workers included).

    python benchmarks/decomposition.py --days 24 --block-days 1                 # kazakhstan_2030 at 24 days
    python benchmarks/decomposition.py --days 24 --block-days 1 --workers 2     # subproblems on 2 Dask workers
    python benchmarks/decomposition.py --full --start-days 6 --time-limit 1200 --no-mono
    python benchmarks/decomposition.py --days 6 --only decomposition --gap 1e-3
    python benchmarks/decomposition.py --model kazakhstan.toml --workers 0,2         # the four periods

Each line of the decomposition's log is printed as it is written, with the 1-minute load and the peak RSS of the
process and its children (sampled every 0.5 s), so a run gives its gap against time. ``--workers N`` puts the
subproblems on a local Dask cluster of N worker processes (without it they are solved in the process). The
monolithic solve is planner's own of the very same model with the model's [solver] options (``Solver.run``); its
seconds are HiGHS's solve only, as are the decomposition's (both after the build and compile). The figures go to
docs/performance.md with the load they were measured at.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
PEAK = {"gb": 0.0}


def tree_gb() -> float:
    """RSS of this process and every process below it (Dask's nanny and workers), GB."""
    me = psutil.Process()
    total = 0
    for p in [me, *me.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 1024.0 ** 3


def sample() -> None:
    while True:
        PEAK["gb"] = max(PEAK["gb"], tree_gb())
        time.sleep(0.5)


def rss_gb() -> float:
    PEAK["gb"] = max(PEAK["gb"], tree_gb())
    return PEAK["gb"]


def load1() -> float:
    return os.getloadavg()[0]


def spec_of(args):
    from planner.spec import load_spec

    name = args.model or ("kazakhstan_2030_full.toml" if args.full else "kazakhstan_2030.toml")
    spec = load_spec(ROOT / "models" / name)
    time_ = dict(spec.time)
    if not args.full and args.days is not None:
        time_["representative_days"] = args.days
    dec = {"block_days": args.block_days or (7 if args.full else 1), "gap": args.gap,
           "max_iterations": args.max_iterations,
           "time_limit_s": args.time_limit, "start_days": args.start_days, "resolve": args.resolve,
           "relax_hours": args.relax_hours, "regularisation": args.regularisation, "level": args.level,
           "relax_peaks": False if args.no_peaks else (True if args.peak_blocks is None else args.peak_blocks)}
    if int(args.workers):
        dec.update(scheduler="local", workers=int(args.workers))
    solver = {**spec.solver, "time_limit_s": float(args.time_limit or 1e9)}
    return dataclasses.replace(spec, time=time_, decomposition=dec, solver=solver)


def child(args) -> dict:
    from planner.pipeline import build, solver_options

    spec = spec_of(args)
    opts = solver_options(spec)
    out: dict = {"what": args.only, "load_start": load1(), "workers": int(args.workers)}
    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    if args.only == "monolithic":
        from planner.solve import Solver

        b = build(spec)
        out["build_s"] = time.perf_counter() - t0
        s = Solver(b.model, opts)
        t1 = time.perf_counter()
        out["objective_usd"] = s.run()
        out["solve_s"] = time.perf_counter() - t1
        out["compile_s"] = s.comp.seconds
        out["iterations"] = s.solution().iterations
    else:
        from planner.decompose import solve_decomposed, start_point

        start = None
        if args.start_days:
            start = start_point(spec, opts)
            out["start_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        b = build(spec)
        out["build_s"] = time.perf_counter() - t1

        curve = []

        def line(text: str) -> None:
            print(f"  {text}  | load {load1():.1f}, peak {rss_gb():.1f} GB", flush=True)
            parts = text.split()
            if parts and parts[0] == "iteration":
                curve.append((float(parts[parts.index("s") - 1]), float(parts[parts.index("gap") + 1]), load1()))

        t2 = time.perf_counter()
        try:
            sol = solve_decomposed(b.model, b.data, opts, spec.decomposition, on_line=line, start=start)
            out["objective_usd"] = sol.objective
            out["iterations"] = sol.iterations
            out["stopped"] = sol.notes["decomposition"]["stopped"]
            out["gap"] = sol.notes["decomposition"]["gap"]
            out["compile_s"] = sol.seconds["compile"]
            out["solve_s"] = sol.seconds["solve"]
            out["stages_s"] = sol.notes["decomposition"]["seconds"]
            print(sol.log.splitlines()[-1], flush=True)
        except Exception as exc:  # a stop at the limit is a figure of the benchmark, not its end
            out["stopped"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            out["solve_s"] = time.perf_counter() - t2
        out["gap_curve"] = curve
    out["total_s"] = time.perf_counter() - t0
    out["peak_gb"] = rss_gb()
    out["load_end"] = load1()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=None, help="representative days (default: the model's; ignored with "
                                                            "--full)")
    ap.add_argument("--model", help="a run specification in models/ instead of kazakhstan_2030 (e.g. kazakhstan.toml, "
                                    "the four periods)")
    ap.add_argument("--full", action="store_true", help="kazakhstan_2030_full: the hourly year")
    ap.add_argument("--block-days", type=int, default=None,
                    help="days of a subproblem (default: 7 with --full, the run specification's default; else 1)")
    ap.add_argument("--start-days", type=int, default=None)
    ap.add_argument("--gap", type=float, default=1e-3)
    ap.add_argument("--max-iterations", type=int, default=500)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--resolve", choices=("cold", "warm"), default="cold")
    ap.add_argument("--relax-hours", type=int, default=6, help="timesteps per step of the relaxations (0: none)")
    ap.add_argument("--workers", default="0", help="comma list: 0 = subproblems in the process, N = on a local Dask "
                                                   "cluster of N workers; one decomposition run each (e.g. 0,1,2)")
    ap.add_argument("--no-peaks", action="store_true", help="no peak-demand timesteps alone in the relaxations")
    ap.add_argument("--peak-blocks", type=int, default=None,
                    help="peaks alone only in the N blocks of highest peak of each series (default: every block)")
    ap.add_argument("--regularisation", choices=("level", "none"), default="level")
    ap.add_argument("--level", type=float, default=0.5, help="the level set's fraction of the gap")
    ap.add_argument("--no-mono", action="store_true", help="the decomposition alone")
    ap.add_argument("--only", choices=("monolithic", "decomposition"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.only:
        print("RESULT " + json.dumps(child(args)), flush=True)
        return
    rows = []
    runs = ([] if args.no_mono else [("monolithic", "0")]) + [("decomposition", w) for w in args.workers.split(",")]
    rest = [a for i, a in enumerate(sys.argv[1:]) if a != "--workers" and (i == 0 or sys.argv[i] != "--workers")]
    for what, w in runs:  # one at a time: the machine's two cores are shared
        cmd = [sys.executable, __file__, "--only", what, "--workers", w, *rest]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as proc:  # each line as it comes
            for ln in proc.stdout:
                if ln.startswith("RESULT "):
                    rows.append(json.loads(ln[7:]))
                else:
                    print(ln, end="", flush=True)
    print(json.dumps(rows, indent=1))
    mono = [r for r in rows if r["what"] == "monolithic" and "objective_usd" in r]
    for r in rows:
        if mono and r["what"] == "decomposition" and "objective_usd" in r:
            rel = r["objective_usd"] / mono[0]["objective_usd"] - 1
            print(f"{r['workers']} workers: objective vs monolithic {rel:+.3e}; "
                  f"solve seconds ratio {r['solve_s'] / mono[0]['solve_s']:.2f}")


if __name__ == "__main__":
    main()
