"""The speed benchmark: every stage of a run as a ratio to plain highspy solving the very same LP.

    python benchmarks/bench.py                      # default model, method comparison on 2030, synthetic series
    python benchmarks/bench.py --models default --methods ipx hipo
    python benchmarks/bench.py --models full --time-limit 1200  # full hourly year (heavy: see docs/performance.md)
    python benchmarks/bench.py --models synthetic --series 4x48x1 8x168x2

For each model and solver method, in a fresh process (so that its peak memory is
its own): load (reading and checking the case, time aggregation; cold, then again
through the aggregation cache), build, compile (Pyomo -> sparse matrices), pass
(handing them to HiGHS), solve, and extract, with µs per column for build +
compile + pass, iterations and peak RSS. The LP it handed to HiGHS is written as
MPS and solved again in another fresh process by plain highspy with the same
options (method, threads, objective scale, time limit); every stage is reported as
a ratio to that plain solve. Ratios taken in one run stay comparable on a busy
machine where seconds do not; the load average is recorded with every line.

Results are printed as Markdown tables and written to ``--out`` (JSON) for
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "default": ROOT / "models" / "kazakhstan.toml",
    "2030": ROOT / "models" / "kazakhstan_2030.toml",
    "full": ROOT / "models" / "kazakhstan_2030_full.toml",
}
METHODS = {"ipx": "ipx", "hipo": "hipo", "simplex": "simplex", "pdlp": "pdlp"}
SERIES = ("4x48x1", "8x48x1", "8x168x1", "8x168x2", "16x168x2", "16x336x2")


def load_average() -> float:
    return os.getloadavg()[0]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ---- children (each in its own process) --------------------------------------------------------------------------


def child_planner(spec_path: str, method: str, time_limit: float, mps: str) -> dict:
    """planner's own stages on one model; writes the LP as MPS for the plain run."""
    os.environ.setdefault("PLANNER_CACHE_DIR", tempfile.mkdtemp(prefix="planner-bench-cache-"))
    t = {}
    t0 = time.perf_counter()
    from pyomo.common.dependencies import scipy

    from planner.model.build import build_model
    from planner.model.data import prepare
    from planner.pipeline import load_for_run
    from planner.results import extract
    from planner.solve import Solver
    from planner.spec import load_spec

    _ = scipy.sparse  # Pyomo imports scipy (and scipy.stats) on first use: counted here, not in compile
    t["imports"] = time.perf_counter() - t0
    spec = load_spec(spec_path)
    opts = {**spec.solver, "method": method, "threads": 2, "time_limit_s": time_limit}
    t0 = time.perf_counter()
    case, agg, _ = load_for_run(spec)
    t["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    case, agg, _ = load_for_run(spec)  # again: through the aggregation cache
    t["load_cached"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = prepare(case, spec.periods)
    t["prepare"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = build_model(d)
    t["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = Solver(m, opts)
    t["compile_and_pass"] = time.perf_counter() - t0
    t["compile"] = s.comp.seconds
    t["pass"] = t["compile_and_pass"] - t["compile"]
    if mps:  # the LP for the plain run (none with --no-plain)
        s.h.writeModel(mps)
    scale = int(s.options["user_objective_scale"])
    rss_before_solve = peak_rss_mb()
    out = {
        "columns": s.comp.lp.num_col_,
        "rows": s.comp.lp.num_row_,
        "nonzeros": int(len(s.comp.lp.a_matrix_.value_)),
        "scale": scale,
        "offset": s.comp.offset,
        "rss_before_solve_mb": rss_before_solve,
    }
    t0 = time.perf_counter()
    try:
        s.run()
        sol = s.solution()
        t["solve"] = sol.seconds["solve"]
        t0 = time.perf_counter()
        s.load()
        extract(m, d, sol)
        t["extract"] = time.perf_counter() - t0
        out.update(status="optimal", objective=sol.objective, iterations=sol.iterations)
    except Exception as exc:  # a method that does not reach an optimum within the limit is a result too
        t["solve"] = time.perf_counter() - t0
        out.update(status=f"{type(exc).__name__}: {str(exc)[:120]}")
    out.update(seconds=t, peak_rss_mb=peak_rss_mb())
    return out


def child_plain(mps: str, method: str, scale: int, time_limit: float) -> dict:
    """Plain highspy: read the MPS, the same options, run."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    for k, v in (
        ("solver", method),
        ("threads", 2),
        ("user_objective_scale", scale),
        ("time_limit", float(time_limit)),
    ):
        h.setOptionValue(k, v)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    return {
        "seconds": seconds,
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "iterations": {
            "ipm": int(info.ipm_iteration_count),
            "crossover": int(info.crossover_iteration_count),
            "simplex": int(info.simplex_iteration_count),
            "pdlp": int(info.pdlp_iteration_count),
        },
        "peak_rss_mb": peak_rss_mb(),
    }


def child_resolve(spec_path: str, method: str, time_limit: float) -> dict:
    """Repeated solves of one LP through planner.solve.Solver: a cold solve, then variants warm-started."""
    from planner.model.build import build_model
    from planner.model.data import prepare
    from planner.pipeline import load_for_run
    from planner.solve import Solver
    from planner.spec import load_spec

    spec = load_spec(spec_path)
    case, _, _ = load_for_run(spec)
    d = prepare(case, spec.periods)
    m = build_model(d)
    s = Solver(m, {**spec.solver, "method": method, "threads": 2, "time_limit_s": time_limit})
    cold_objective = s.run()
    cold = s.solution()
    out = {
        "columns": s.comp.lp.num_col_,
        "cold_s": cold.seconds["solve"],
        "cold_objective": cold_objective,
        "cold_iterations": cold.iterations,
        "variants": [],
    }
    x = s.values()
    built: dict = {}
    for k, v in m.new_cap.items():
        if v in s.col:
            built[k[1]] = built.get(k[1], 0.0) + float(x[s.col[v]])
    # the technologies the cold optimum builds most of: raising their cost moves the optimum (an unbuilt
    # option's dearer cost leaves the basis optimal, a re-solve of 0 iterations that measures nothing)
    techs = sorted(built, key=lambda g: -built[g])

    def variant(label, change):
        change()
        s.run()
        sol = s.solution()
        out["variants"].append(
            {
                "variant": label,
                "seconds": sol.seconds["solve"],
                "ratio_to_cold": sol.seconds["solve"] / out["cold_s"],
                "objective": sol.objective,
                "iterations": sol.iterations,
            }
        )

    def scaled_costs(g):
        cost = s.cost.copy()
        for k, v in m.new_cap.items():
            if k[1] == g and v in s.col:
                cost[s.col[v]] *= 1.1
        s.set_costs(cost)

    for g in techs[:3]:  # cost of every new option of one technology +10 % (others as in the model)
        variant(f"cost of new {g} +10%", lambda g=g: scaled_costs(g))
    s.set_costs(s.cost)
    first = [v for k, v in m.new_cap.items() if v in s.col][:20]
    variant("20 options capped at 100 MW", lambda: [s.set_col_bounds(v, 0, 100.0) for v in first])
    variant("cost cap at 1.01 x optimum (near-optimal row)", lambda: s.add_cost_cap(1.01 * cold_objective))
    return out


def spawn(*args: str) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        return {"status": f"child failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}"}
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- the parent -------------------------------------------------------------------------------------------------


def measure(label: str, spec_path: Path, method: str, time_limit: float, plain: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        mps = str(Path(tmp) / "lp.mps")
        load_before = load_average()
        p = spawn("planner", str(spec_path), method, str(time_limit), mps if plain else "")
        row = {"model": label, "method": method, "load_average": round(load_before, 2), "planner": p}
        if "scale" in p and plain and p.get("status") == "optimal":
            row["plain"] = spawn("plain", mps, method, str(p["scale"]), str(time_limit))
        row["load_average_after"] = round(load_average(), 2)
    return row


def synthetic_spec(folder: Path, z: int, h: int, p: int) -> Path:
    from planner.synthetic import write_synthetic_case

    write_synthetic_case(folder / "case", z, h, p)
    spec = folder / "synthetic.toml"
    spec.write_text(f'name = "synthetic-{z}x{h}x{p}"\ninputs = "case"\n')
    return spec


def ratios(row: dict) -> dict:
    p, q = row["planner"], row.get("plain", {})
    s = p.get("seconds", {})
    base = q.get("seconds")
    if not base or "solve" not in s:
        return {}
    overhead = sum(s.get(k, 0.0) for k in ("load", "prepare", "build", "compile", "pass", "extract"))
    overhead_cached = overhead - s.get("load", 0.0) + s.get("load_cached", 0.0)
    cols = p["columns"]
    return {
        "solve_vs_plain": s["solve"] / base,
        "overhead_vs_plain": overhead / base,
        "overhead_cached_vs_plain": overhead_cached / base,
        "us_per_column_build_handoff": 1e6 * (s["build"] + s["compile"] + s["pass"]) / cols,
    }


def render(rows: list[dict]) -> str:
    out = [
        "| model | method | columns | load avg | plain solve s | planner solve / plain "
        "| overhead / plain (cold; cached) "
        "| µs/column build+hand-off | IPM it | crossover it | simplex it | peak RSS MB planner; plain | status |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        p, q, x = r["planner"], r.get("plain", {}), ratios(r)
        it = q.get("iterations", {})
        out.append(
            f"| {r['model']} | {r['method']} | {p.get('columns', 0):,} "
            f"| {r['load_average']}-{r['load_average_after']} "
            f"| {q.get('seconds', float('nan')):.1f} | {x.get('solve_vs_plain', float('nan')):.2f} "
            f"| {x.get('overhead_vs_plain', float('nan')):.2f}; {x.get('overhead_cached_vs_plain', float('nan')):.2f} "
            f"| {x.get('us_per_column_build_handoff', float('nan')):.0f} "
            f"| {it.get('ipm', '')} | {it.get('crossover', '')} "
            f"| {it.get('simplex', '')} | {p.get('peak_rss_mb', 0):.0f}; {q.get('peak_rss_mb', 0):.0f} "
            f"| {q.get('status', p.get('status', ''))} |"
        )
    stages = [
        "| model | method | "
        + " | ".join(("imports", "load", "load_cached", "prepare", "build", "compile", "pass", "solve", "extract"))
        + " |",
        "|---|---|" + "---:|" * 9,
    ]
    for r in rows:
        s = r["planner"].get("seconds", {})
        stages.append(
            f"| {r['model']} | {r['method']} | "
            + " | ".join(
                f"{s.get(k, float('nan')):.2f}"
                for k in ("imports", "load", "load_cached", "prepare", "build", "compile", "pass", "solve", "extract")
            )
            + " |"
        )
    return "\n".join(out) + "\n\nSeconds per stage (planner process):\n\n" + "\n".join(stages)


def machine() -> dict:
    mem = ""
    try:
        mem = next(ln for ln in open("/proc/meminfo") if ln.startswith("MemTotal")).split(":")[1].strip()
    except (OSError, StopIteration):
        pass
    cpu = ""
    try:
        cpu = next(ln for ln in open("/proc/cpuinfo") if ln.startswith("model name")).split(":")[1].strip()
    except (OSError, StopIteration):
        pass
    import highspy

    return {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "highspy": highspy.Highs().version(),
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        kind, args = sys.argv[2], sys.argv[3:]
        if kind == "planner":
            res = child_planner(args[0], args[1], float(args[2]), args[3])
        elif kind == "resolve":
            res = child_resolve(args[0], args[1], float(args[2]))
        else:
            res = child_plain(args[0], args[1], int(args[2]), float(args[3]))
        print(json.dumps(res, default=str))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--models",
        nargs="+",
        default=["default", "2030", "synthetic"],
        help="default, 2030, full, synthetic (default: default 2030 synthetic)",
    )
    ap.add_argument(
        "--methods",
        nargs="+",
        default=None,
        help="ipx hipo simplex pdlp (default: hipo for the default and synthetic models, all four for 2030)",
    )
    ap.add_argument("--series", nargs="+", default=list(SERIES), help="synthetic sizes ZONESxHOURSxPERIODS")
    ap.add_argument("--time-limit", type=float, default=900.0, help="seconds per solve (default 900)")
    ap.add_argument("--out", help="JSON file for the results")
    ap.add_argument("--no-plain", action="store_true", help="skip the plain highspy solve (e.g. the full year, once)")
    ap.add_argument(
        "--resolve",
        nargs="*",
        metavar="MODEL",
        help="also time warm re-solves of these models (2030, default, synthetic:ZxHxP) against their cold solve",
    )
    args = ap.parse_args()
    rows = []
    resolves = []
    for model in args.resolve or []:
        with tempfile.TemporaryDirectory() as tmp:
            if model.startswith("synthetic:"):
                spec = synthetic_spec(Path(tmp), *(int(x) for x in model.split(":")[1].split("x")))
            else:
                spec = MODELS[model]
            method = (args.methods or ["hipo"])[0]
            r = {
                "model": model,
                "method": method,
                "load_average": round(load_average(), 2),
                **spawn("resolve", str(spec), method, str(args.time_limit)),
            }
            resolves.append(r)
            print(json.dumps(r, indent=1, default=str), flush=True)
    for model in args.models if args.resolve is None else []:
        if model == "synthetic":
            for size in args.series:
                z, h, p = (int(x) for x in size.split("x"))
                with tempfile.TemporaryDirectory() as tmp:
                    spec = synthetic_spec(Path(tmp), z, h, p)
                    for method in args.methods or ["hipo"]:
                        rows.append(measure(f"synthetic {size}", spec, method, args.time_limit))
                        print(render(rows[-1:]).split("\n\n")[0], flush=True)
            continue
        methods = args.methods or (list(METHODS) if model == "2030" else ["hipo"])
        for method in methods:
            rows.append(measure(model, MODELS[model], METHODS[method], args.time_limit, not args.no_plain))
            print(render(rows[-1:]).split("\n\n")[0], flush=True)
    print()
    print(render(rows))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {"machine": machine(), "rows": rows, "resolves": resolves, "ratios": [ratios(r) for r in rows]},
                indent=2,
                default=str,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
