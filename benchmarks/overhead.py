"""Benchmark: the engine's overhead as ratios to the plain HiGHS solve of the same LP.

    python benchmarks/overhead.py models/example.toml [--repeat 3]

Builds and solves the model through planner, writes the very LP it handed
to HiGHS as MPS, then solves that MPS with a fresh highspy instance and the
same options. Every stage is reported as a ratio to that plain solve, taken
in one run on one machine, so the figures stay comparable on a noisy
machine where absolute seconds do not.
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import time
from pathlib import Path

import highspy

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.run import DEFAULT_SOLVER, aggregate_time, apply_scenario
from planner.solve import compile_lp, make_highs, objective_scale
from planner.spec import load_spec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    spec = load_spec(args.model)
    opts = {**DEFAULT_SOLVER, **spec.solver}
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        t = {}
        t0 = time.perf_counter()
        case, _ = aggregate_time(apply_scenario(load_case(spec.inputs), spec), spec)
        d = prepare(case, spec.periods)
        t["load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        m = build_model(d)
        t["build"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        comp = compile_lp(m)
        t["compile"] = time.perf_counter() - t0
        opts.setdefault("user_objective_scale", objective_scale(comp.lp))  # as planner.solve does
        h = make_highs(copy.deepcopy(opts))
        t0 = time.perf_counter()
        h.passModel(comp.lp)
        t["pass"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        h.run()
        t["planner_solve"] = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as tmp:
            mps = str(Path(tmp) / "lp.mps")
            h.writeModel(mps)
            plain = make_highs(copy.deepcopy(opts))
            plain.readModel(mps)
            t0 = time.perf_counter()
            plain.run()
            t["plain_solve"] = time.perf_counter() - t0
        for k, v in t.items():
            best[k] = min(best.get(k, v), v)
    base = best["plain_solve"]
    print(f"model {spec.name}: {comp.lp.num_col_:,} columns, {comp.lp.num_row_:,} rows; best of {args.repeat}")
    print(f"plain HiGHS solve = 1.00 ({base:.3f} s)")
    for k in ("load", "build", "compile", "pass", "planner_solve"):
        print(f"{k:>14}: {best[k] / base:6.2f} x plain solve")
    total = sum(best[k] for k in ("load", "build", "compile", "pass", "planner_solve"))
    print(f"{'end to end':>14}: {total / base:6.2f} x plain solve")


if __name__ == "__main__":
    main()
