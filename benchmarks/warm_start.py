"""Edit one CSV cell and run again: the warm start from the stored basis against a cold run, end to end.

    python benchmarks/warm_start.py                                   # the default model, wind capex +5 %
    python benchmarks/warm_start.py --spec models/example.toml --edit technologies.csv:wind:capex_usd_per_kw=1400
    python benchmarks/warm_start.py --no-crossover-check              # skip the plain solve without crossover

In one run, on a copy of the model's case (the repository's inputs are never touched) and an empty
aggregation cache of its own:

1. ``planner run`` cold, end to end as a user starts it (a fresh process; wall clock, and run.json's stages);
2. one cell of the copy edited (``--edit TABLE:KEY:COLUMN=VALUE``; KEY is the row's first column);
3. ``planner run`` again into the same results: it starts from the basis stored by step 1;
4. ``planner run --cold`` of the edited case into other results, with an empty cache again, so that its load
   does the same work as step 3's: the cold reference, and the optimum the warm run must equal (1e-9 relative);
5. the edited LP written as MPS, then plain highspy in fresh processes on it with the same options: cold
   (HiPO with crossover, as planner), warm from step 1's basis (simplex, as planner), and cold without crossover
   (what the crossover that yields the basis costs).

Prints one JSON line per step (with the 1-minute load average before and after) and the table of the last
line. Ratios are to the plain solve of the same LP in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANNER = Path(sys.executable).with_name("planner")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def edit_cell(case: Path, edit: str) -> dict:
    """TABLE:KEY:COLUMN=VALUE -> that cell of the copy changed (the row whose first column is KEY)."""
    where, value = edit.split("=", 1)
    table, key, column = where.split(":")
    path = case / table
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    j = head.index(column)
    hits = [r for r in rows[1:] if r and r[0] == key]
    if len(hits) != 1:
        raise SystemExit(f"{table}: {len(hits)} rows with {head[0]} = {key}")
    old = hits[0][j]
    hits[0][j] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return {"table": table, "row": key, "column": column, "before": old, "after": value}


def planner_run(spec: Path, results: Path, cache: Path, *extra: str) -> dict:
    """``planner run`` in a fresh process, as a user runs it; wall clock and what run.json says."""
    env = {**os.environ, "PLANNER_CACHE_DIR": str(cache)}
    load = load_average()
    t0 = time.perf_counter()
    r = subprocess.run([str(PLANNER), "run", str(spec), "--results", str(results), "--quiet", *extra],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"planner run failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    name = tomllib.loads(spec.read_text())["name"]
    meta = json.loads((results / name / "run.json").read_text())
    t = meta["timings_s"]
    stages = sum(v for k, v in t.items() if k != "report_s") + t.get("report_s", 0.0)
    return {"wall_s": round(wall, 2), "timings_s": {k: round(v, 2) for k, v in t.items()},
            "imports_and_rest_s": round(wall - stages, 2), "objective_usd": meta["objective_usd"],
            "iterations": meta["iterations"], "warm_start": meta["warm_start"], "size": meta["size"],
            "stderr": [ln for ln in r.stderr.splitlines() if ln.startswith("warning:")][:5],
            "load_before": load, "load_after": load_average()}


def child_lp(spec: str, mps: str) -> dict:
    """The run specification's LP written as MPS (through the cache), with planner's objective scale."""
    from planner.pipeline import build, solver_options
    from planner.solve import Solver
    from planner.spec import load_spec, validate_spec

    s = validate_spec(load_spec(spec))
    b = build(s)
    solver = Solver(b.model, solver_options(s))
    solver.h.writeModel(mps)
    return {"scale": int(solver.options["user_objective_scale"]), "offset": solver.offset,
            "columns": solver.h.getNumCol(), "rows": solver.h.getNumRow()}


def child_plain(mps: str, scale: str, crossover: str, basis: str) -> dict:
    """Plain highspy on the MPS: HiPO cold (crossover on/off), or simplex from a stored basis.npz."""
    import highspy
    import numpy as np

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    for k, v in (("threads", 2), ("user_objective_scale", int(scale)), ("run_crossover", crossover)):
        h.setOptionValue(k, v)
    if basis:
        with np.load(basis, allow_pickle=False) as z:
            b = highspy.HighsBasis()
            b.col_status = [highspy.HighsBasisStatus(int(x)) for x in z["col_status"]]
            b.row_status = [highspy.HighsBasisStatus(int(x)) for x in z["row_status"]]
            b.valid = True
        h.setBasis(b)
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 0)  # as planner: primal if the basis is still primal feasible, else dual
    else:
        h.setOptionValue("solver", "ipm")
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    return {"seconds": round(seconds, 2), "status": h.modelStatusToString(h.getModelStatus()),
            "objective_without_offset": float(info.objective_function_value),
            "iterations": {"ipm": int(info.ipm_iteration_count), "crossover": int(info.crossover_iteration_count),
                           "simplex": int(info.simplex_iteration_count)}}


def spawn(*args: str) -> dict:
    load = load_average()
    r = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        return {"status": f"child failed: {r.stderr.strip()[-500:]}"}
    return {**json.loads(r.stdout.strip().splitlines()[-1]), "load_before": load, "load_after": load_average()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default="models/kazakhstan.toml")
    ap.add_argument("--edit", default="technologies.csv:wind:capex_usd_per_kw=1374",
                    help="TABLE:KEY:COLUMN=VALUE (default: wind's capex 1309 -> 1374 USD/kW, +5 %%)")
    ap.add_argument("--no-crossover-check", action="store_true")
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        print(json.dumps({"lp": child_lp, "plain": child_plain}[kind](*rest)))
        return
    spec_path = (ROOT / args.spec).resolve()
    raw = tomllib.loads(spec_path.read_text())
    with tempfile.TemporaryDirectory(prefix="planner-warm-") as tmp:
        tmp = Path(tmp)
        case = tmp / "case"
        shutil.copytree((spec_path.parent / raw["inputs"]).resolve(), case)
        text = spec_path.read_text().replace(f'inputs = "{raw["inputs"]}"', f'inputs = "{case}"')
        spec = tmp / spec_path.name
        spec.write_text(text)
        out: dict = {"spec": args.spec, "edit": args.edit, "machine": {"cpus": os.cpu_count()}}

        def step(name: str, value: dict) -> None:
            out[name] = value
            print(json.dumps({name: value}), flush=True)

        step("cold", planner_run(spec, tmp / "results", tmp / "cache1"))
        name = raw["name"]
        shutil.copy(tmp / "results" / name / "basis.npz", tmp / "basis_before_edit.npz")
        step("edit", edit_cell(case, args.edit))
        step("warm", planner_run(spec, tmp / "results", tmp / "cache2"))
        step("cold_after_edit", planner_run(spec, tmp / "results_cold", tmp / "cache3", "--cold"))
        warm, cold = out["warm"]["objective_usd"], out["cold_after_edit"]["objective_usd"]
        out["relative_difference"] = abs(warm - cold) / abs(cold)
        mps = str(tmp / "edited.mps")
        os.environ["PLANNER_CACHE_DIR"] = str(tmp / "cache3")
        step("lp", spawn("lp", str(spec), mps))
        scale = str(out["lp"]["scale"])
        step("plain_cold", spawn("plain", mps, scale, "on", ""))
        step("plain_warm", spawn("plain", mps, scale, "on", str(tmp / "basis_before_edit.npz")))
        if not args.no_crossover_check:
            step("plain_cold_no_crossover", spawn("plain", mps, scale, "off", ""))
        pc, pw = out["plain_cold"].get("seconds"), out["plain_warm"].get("seconds")
        out["ratios"] = {
            "planner cold solve / plain cold solve": out["cold_after_edit"]["timings_s"]["solve_s"] / pc,
            "planner warm solve / plain warm solve": out["warm"]["timings_s"]["solve_s"] / pw,
            "planner warm solve / plain cold solve": out["warm"]["timings_s"]["solve_s"] / pc,
            "edit-and-rerun end to end / cold end to end (edited case)":
                out["warm"]["wall_s"] / out["cold_after_edit"]["wall_s"],
            "cold end to end / plain cold solve": out["cold_after_edit"]["wall_s"] / pc,
            "edit-and-rerun end to end / plain cold solve": out["warm"]["wall_s"] / pc,
        }
        if "plain_cold_no_crossover" in out and "seconds" in out["plain_cold_no_crossover"]:
            out["ratios"]["plain cold without crossover / with"] = out["plain_cold_no_crossover"]["seconds"] / pc
        print(json.dumps({"summary": {"relative_difference": out["relative_difference"], "ratios": out["ratios"]}},
                         indent=1), flush=True)


if __name__ == "__main__":
    main()
