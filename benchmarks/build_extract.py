"""Build and extract times of one model, without a solve: the two stages the planner itself spends time in.

    python benchmarks/build_extract.py models/kazakhstan_2030.toml --repeat 3

Loads the case through the cache (pipeline.build), times prepare + build_model, then sets every variable
to 0 and times results.extract on the model (the solution's values do not change the work extract does; no
duals, so prices and shadow prices read 0). Prints one JSON line per repeat with the 1-minute load average.
Run it from two checkouts (PYTHONPATH=<checkout>) alternately to compare them under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import pyomo.environ as pyo

    import planner
    from planner.pipeline import build
    from planner.results import extract
    from planner.solve import Solution
    from planner.spec import load_spec

    spec = load_spec(args.spec)
    build(spec)  # warm the aggregation cache and the imports
    for _ in range(args.repeat):
        b = build(spec)
        for v in b.model.component_data_objects(pyo.Var):
            v.set_value(0.0, skip_validation=True)
        t0 = time.perf_counter()
        tables = extract(b.model, b.data, Solution(status="optimal", objective=0.0, duals={}))
        extract_s = time.perf_counter() - t0
        print(json.dumps({"code": os.path.dirname(planner.__file__), "build_s": round(b.timings_s["build_s"], 3),
                          "load_prepare_s": round(b.timings_s["load_s"], 3), "extract_s": round(extract_s, 3),
                          "tables": len(tables), "load_1min": os.getloadavg()[0]}), flush=True)


if __name__ == "__main__":
    main()
