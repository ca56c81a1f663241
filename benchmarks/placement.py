"""Benchmark: what one more placement solve costs, as a ratio to a cold solve of the same LP.

    python benchmarks/placement.py models/kazakhstan_2030.toml --partner TR [--sizes 500,1000,1500,2000]

The placement study (planner/studies/placement.py) builds and compiles one
model and keeps it in one HiGHS instance; a programme point changes one row's
bound, an alternative (MGA) changes the objective and a cost row, and HiGHS
starts from the last optimal basis. This script measures, in one run on one
machine, so that the ratios stay comparable where absolute seconds do not:

- cold HiGHS solve: the same LP passed to a fresh Highs instance with the run's options;
- cold pipeline: load + build + compile + that cold solve (what a separate run per point would cost);
- each programme point: the warm solve alone, and the solve plus reading its metrics back;
- each MGA solve (objective changed to one zone's MW, minimised then maximised).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import numpy as np

from planner.solve import make_highs
from planner.spec import load_spec
from planner.studies.placement import _point, build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--partner", default="TR")
    ap.add_argument("--sizes", default="500,1000,1500,2000")
    ap.add_argument("--mga", type=int, default=4, help="number of MGA solves to time")
    args = ap.parse_args()
    spec = load_spec(args.model)

    t0 = time.perf_counter()
    st = build(spec, args.partner)
    pipeline = time.perf_counter() - t0
    s = st.solver
    cold = make_highs(copy.deepcopy(s.options))
    cold.passModel(s.comp.lp)
    t0 = time.perf_counter()
    cold.run()
    cold_s = time.perf_counter() - t0

    solve_s, point_s = [], []
    _point(st, 0.0)
    for size in [float(x) for x in args.sizes.split(",")]:
        n = len(s.seconds)
        t0 = time.perf_counter()
        _point(st, size)
        point_s.append(time.perf_counter() - t0)
        solve_s.append(sum(s.seconds[n:]))
    s.set_row_bounds(st.programme, None, None)

    mga_s = []
    cols = [s.col[st.m.new_cap[v]] for v in st.columns() if st.m.new_cap[v] in s.col]
    opt = s.run()
    s.add_cost_cap(opt + 0.01 * abs(opt))
    for k in range(args.mga):
        c = np.zeros(len(s.cost))
        c[cols[k % len(cols)::max(args.mga, 1)]] = 1.0
        s.set_costs(c, maximise=bool(k % 2))
        n = len(s.seconds)
        s.run()
        mga_s.append(s.seconds[n])

    lp = s.comp.lp
    print(f"model {spec.name}, partner {args.partner}: {lp.num_col_:,} columns, {lp.num_row_:,} rows, "
          f"options {dict((k, v) for k, v in s.options.items() if k != 'user_objective_scale')}")
    print(f"cold HiGHS solve = 1.00 ({cold_s:.2f} s); cold pipeline (load, build, compile, solve) "
          f"{pipeline / cold_s:.2f} x")
    print(f"programme point, warm solve:       median {statistics.median(solve_s) / cold_s:.3f} x, max "
          f"{max(solve_s) / cold_s:.3f} x "
          f"({len(solve_s)} points)")
    print(f"programme point, solve + metrics:  median {statistics.median(point_s) / cold_s:.3f} x, max "
          f"{max(point_s) / cold_s:.3f} x")
    print(f"MGA solve (new objective, cost row): median {statistics.median(mga_s) / cold_s:.3f} x, max "
          f"{max(mga_s) / cold_s:.3f} x "
          f"({len(mga_s)} solves)")
    print(f"an extra point against a cold pipeline run: {statistics.median(point_s) / pipeline:.3f} x")


if __name__ == "__main__":
    main()
