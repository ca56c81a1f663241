"""Benchmark of the year check (planner/studies/year_check.py): seconds and peak memory per method, as ratios to
plain HiGHS solving the same LPs.

    python benchmarks/year_check.py results/kazakhstan_2030 --methods rolling year --time-limit 900
    python benchmarks/year_check.py results/kazakhstan --methods rolling --workers 2 --write /tmp/yc

Each method runs in a fresh process (its peak RSS is that process's; with ``--scheduler`` the Dask workers' peak
is reported by ``psutil`` over the worker processes where available). For every LP the study solves, the same
LP (``Highs.getLp`` after the solve) is solved again by a fresh plain ``highspy.Highs`` with the same options, cold;
``/ plain solve`` is the year check's seconds over the sum of those plain solves. The JSON lines written to stdout
carry the 1-minute load average at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def one(folder: str, method: str, time_limit: float, scheduler: str | None, workers: int, write: str | None) -> dict:
    from planner.studies import year_check as yc

    solver = dict(yc.DISPATCH_SOLVER[method], time_limit_s=time_limit)
    cluster = client = None
    worker_rss: list = []
    if workers:  # a cluster of this many single-threaded workers, given to the year check by its address
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
        client = Client(cluster)
        scheduler = cluster.scheduler_address
    t0 = time.perf_counter()
    out = yc.check(Path(folder), yc.Options(method=method, solver=solver, plain=True), write=write is not None,
                   scheduler=scheduler, results_root=Path(write) if write else None)
    wall = time.perf_counter() - t0
    if client is not None:
        worker_rss = [round(v / 1024) for v in client.run(
            lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values()]
        client.close()
        cluster.close()
    yc_tab = out["year_check"]
    plain = float(yc_tab["plain_solve_s"].sum())
    return {"results": folder, "method": method, "periods": yc_tab["period"].tolist(),
            "windows": int(yc_tab["windows"].sum()), "largest_lp_columns": int(yc_tab["largest_lp_columns"].max()),
            "seconds": round(wall, 1), "build_s": round(float(yc_tab["build_s"].sum()), 1),
            "solve_s": round(float(yc_tab["solve_s"].sum()), 1), "plain_solve_s": round(plain, 1),
            "per_plain_solve": round(wall / plain, 2) if plain else None,
            "solve_per_plain_solve": round(float(yc_tab["solve_s"].sum()) / plain, 2) if plain else None,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "worker_peak_rss_mb": worker_rss,
            "unserved_mwh": float(yc_tab["unserved_mwh"].sum())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="*", help="run results folders")
    ap.add_argument("--methods", nargs="+", default=["rolling"], choices=["rolling", "year"])
    ap.add_argument("--time-limit", type=float, default=900.0, help="HiGHS limit per LP (s)")
    ap.add_argument("--scheduler")
    ap.add_argument("--workers", type=int, default=0, help="start a LocalCluster of this many workers and use it")
    ap.add_argument("--write", help="write the year check's tables under this results root")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        try:
            row = one(a.child[0], a.child[1], a.time_limit, a.scheduler, a.workers, a.write)
        except Exception as exc:  # reported as the line of this method, not a traceback
            row = {"results": a.child[0], "method": a.child[1], "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(row))
        return 0
    for folder in a.results:
        for method in a.methods:
            load0 = open("/proc/loadavg").read().split()[0]
            cmd = [sys.executable, __file__, "--child", folder, method, "x", "--time-limit", str(a.time_limit)]
            cmd += ["--scheduler", a.scheduler] if a.scheduler else []
            cmd += ["--workers", str(a.workers)] if a.workers else []
            cmd += ["--write", a.write] if a.write else []
            res = subprocess.run(cmd, capture_output=True, text=True)
            line = (res.stdout.strip().splitlines() or ["{}"])[-1]
            row = json.loads(line) if line.startswith("{") and line != "{}" else {"error": res.stderr[-2000:]}
            row.update(load_start=float(load0), load_end=float(open("/proc/loadavg").read().split()[0]))
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
