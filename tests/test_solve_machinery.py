"""The machinery around the HiGHS solve: its log, the progress line, Ctrl-C, and the reusable Solver.

Optima here are worked out by hand on a one-zone, two-hour case (no discounting, one-year period):
    demand 10 MW and 20 MW in hours 0 and 1 (weight 1 h each), existing gas 30 MW at vom 5 USD/MWh,
    existing coal 30 MW at vom 2 USD/MWh, both without fuel, fixed cost or CO2.
Least cost dispatch burns coal only: 2 * (10 + 20) = 60 USD.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import casekit
import pyomo.environ as pyo
import pytest
from safety import EARLIER_META, slow_run_over_an_earlier_result, wait_for_solve

from planner.load import load_case
from planner.model.build import build_model
from planner.model.data import prepare
from planner.progress import Progress, SolverLog
from planner.solve import Solver, solve
from planner.synthetic import synthetic_tables, write_synthetic_case

ROOT = Path(__file__).resolve().parents[1]


def two_hour_case(folder: Path) -> Path:
    return casekit.write_case(
        folder,
        timesteps=casekit.hours([1, 1]),
        demand=casekit.demand({"A": [10, 20]}),
        technologies=[casekit.tech("gas", vom_usd_per_mwh=5), casekit.tech("coal", vom_usd_per_mwh=2)],
        existing_capacity=[casekit.existing("A", "gas", 30), casekit.existing("A", "coal", 30)],
    )


def built(folder: Path):
    d = prepare(load_case(folder), None)
    return build_model(d), d


def test_solution_carries_highs_log(tmp_path):
    m, _ = built(two_hour_case(tmp_path))
    sol = solve(m, {"method": "simplex"})
    assert sol.objective == pytest.approx(60.0)
    assert "Model status        : Optimal" in sol.log
    assert "HiGHS run time" in sol.log


def test_solver_log_parses_progress():
    """Lines as IPX, dual simplex and PDLP print them; objectives are scaled back by 2**-scale (here 2**7)."""
    log = SolverLog(objective_factor=2.0**7)
    log.feed("Presolving model\n")
    assert log.phase == "presolve"
    log.feed(
        "Interior point solve\n Iter       primal obj         dual obj       pinf       dinf       gap      time\n"
    )
    log.feed("  41    6.59739493e+07   6.37639336e+07   1.43e-15   4.02e-16  3.41e-02      39.6\n")
    assert (log.phase, log.iteration, log.gap) == ("interior point", 41, pytest.approx(3.41e-2))
    assert log.objective == pytest.approx(6.59739493e07 * 128)
    log.feed("Using dual simplex solver\n       1455     2.9728175989e+10 Pr: 0(0); Du: 0(4.38536e-09) 0.2s\n")
    assert (log.phase, log.iteration, log.gap) == ("dual simplex", 1455, None)
    log.feed(
        "Solving with cuPDLP-C\n"
        "     4000  +2.97281774e+10  +2.97281622e+10  +2.57e-07    2.90e-07  2.46e-08   1.00s [A]\n"
    )
    assert (log.phase, log.iteration, log.gap) == ("PDLP", 4000, pytest.approx(2.57e-7))
    log.feed("partial li")  # a line may arrive in pieces
    log.feed("ne\n")
    assert log.text.endswith("partial line\n")


def test_progress_plain_lines_when_not_a_terminal(tmp_path):
    out = tmp_path / "out.txt"
    with open(out, "w") as f:
        p = Progress(stream=f)
        p.stage("load")
        p.stage("build")
        p.close()
    lines = out.read_text().splitlines()
    assert [ln.split("] ", 1)[1] for ln in lines] == ["load", "build"]
    quiet = tmp_path / "quiet.txt"
    with open(quiet, "w") as f:
        p = Progress(enabled=False, stream=f)
        p.stage("load")
    assert quiet.read_text() == ""


def test_run_writes_solver_log(tmp_path):
    """``planner run`` keeps HiGHS's log beside the results and prints plain progress lines to a pipe."""
    case = two_hour_case(tmp_path / "case")
    spec = tmp_path / "two.toml"
    spec.write_text('name = "two"\ninputs = "case"\n[solver]\nmethod = "simplex"\n')
    r = subprocess.run(
        [sys.executable, "-m", "planner", "run", str(spec), "--results", str(tmp_path / "res"), "--no-report"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    assert "] solve" in r.stdout and "\r" not in r.stdout
    log = (tmp_path / "res" / "two" / "solver.log").read_text()
    assert "Model status        : Optimal" in log
    q = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner",
            "run",
            str(spec),
            "--results",
            str(tmp_path / "res"),
            "--no-report",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert q.returncode == 0 and "] solve" not in q.stdout
    assert case.is_dir()


DRIVER = """
import sys
from pathlib import Path
from planner.progress import Progress
from planner.runner import run_spec
from planner.spec import load_spec
try:
    run_spec(load_spec(sys.argv[1]), Path(sys.argv[2]), progress=Progress())
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


def test_ctrl_c_stops_the_solve_within_seconds(tmp_path):
    """SIGINT during a solve of ~20 s or more (dual simplex, no presolve, 8 zones x 240 h) ends the run within
    a few seconds with exit 130, and an earlier result of the same name is left as it was."""
    spec = slow_run_over_an_earlier_result(tmp_path)
    earlier, earlier_meta = tmp_path / "res" / "syn", EARLIER_META
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(spec), str(tmp_path / "res")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_solve(proc, "interrupted")
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
        waited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in rest
    assert waited < 10.0, f"HiGHS took {waited:.1f} s to stop"
    assert (earlier / "run.json").read_text() == earlier_meta
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["syn"]


def test_synthetic_case_sizes():
    t = synthetic_tables(zones=3, hours=48, periods=2)
    assert len(t["demand"]) == 3 * 48 and len(t["timesteps"]) == 48 and list(t["periods"]["period"]) == [2030, 2035]
    assert len(t["corridors"]) == 3  # chain of 2 + the ring closure
    with pytest.raises(ValueError):
        synthetic_tables(zones=2, hours=30, periods=1)


# ---- the reusable Solver: progress, log and interrupt go through run_highs on every run ---------------------


def test_resolve_after_cost_change_keeps_log_and_warm_starts(tmp_path):
    """Coal's vom raised from 2 to 6 USD/MWh makes gas (5) the cheaper: 5 * 30 = 150 USD.
    The re-solve starts from the kept basis (simplex, no interior-point iteration) and has a log of its own."""
    m, _ = built(two_hour_case(tmp_path))
    s = Solver(m, {"method": "ipm"})
    assert s.run() == pytest.approx(60.0)
    assert "Model status        : Optimal" in s.log
    cost = s.cost.copy()
    for t in (0, 1):
        cost[s.col[m.gen["A", "coal", 2030, t]]] = 6.0
    s.set_costs(cost)
    s.own_objective = True  # the model's own objective with one cost changed: its constant still applies
    assert s.run() == pytest.approx(150.0)
    sol = s.solution()
    assert sol.iterations["ipm"] == 0 and "solve 2 of this LP, solver = simplex" in sol.log
    s.load()
    assert pyo.value(m.gen["A", "gas", 2030, 1]) == pytest.approx(20.0)
    assert sol.duals[m.balance["A", 2030, 1]] == pytest.approx(5.0)


def test_every_solve_gets_the_whole_time_limit(tmp_path):
    """HiGHS checks time_limit against its run clock, which adds up every run of the instance. A study whose
    per-solve limit is below the time its earlier solves took must still re-solve: here the limit is set to half
    the cold solve's time (a warm re-solve of this case needs a small fraction of it). Without a budget per solve
    the re-solve stops at once with 'Time limit reached' and raises SolveError."""
    d = prepare(load_case(write_synthetic_case(tmp_path / "case", zones=4, hours=48, periods=1)), None)
    m = build_model(d)
    s = Solver(m, {"method": "ipm", "threads": 1, "time_limit_s": 600})
    cold = s.run()
    half = 0.5 * s.h.getRunTime()
    s.options["time_limit_s"] = half
    s.h.setOptionValue("time_limit", half)
    built_cols = [v for v in m.new_cap.values() if v in s.col and s.value(v) > 1.0]
    assert built_cols  # the synthetic case builds something: capping it moves the optimum
    s.set_col_bounds(built_cols[0], 0.0, 0.5 * s.value(built_cols[0]))
    assert s.run() > cold
    assert s.solution().iterations["simplex"] > 0


def test_cost_cap_row(tmp_path):
    """Coal limited to 15 MW: hour 1 needs 5 MW of gas, 2*(10+15) + 5*5 = 75 USD. Then a cap on total cost
    at 74 USD (below that optimum) makes the LP infeasible: SolveError, never a result."""
    from planner.errors import SolveError

    m, _ = built(two_hour_case(tmp_path))
    s = Solver(m, {"method": "simplex"})
    assert s.run() == pytest.approx(60.0)
    for t in (0, 1):
        s.set_col_bounds(m.gen["A", "coal", 2030, t], 0, 15)
    assert s.run() == pytest.approx(75.0)
    s.add_cost_cap(75.5)
    assert s.run() == pytest.approx(75.0)
    s.add_cost_cap(74.0)
    with pytest.raises(SolveError):
        s.run()


def test_solve_from_a_worker_thread(tmp_path):
    """Sweeps call solve off the main thread: no signal handler is installed there and it still solves."""
    import threading

    m, _ = built(two_hour_case(tmp_path))
    out = {}
    th = threading.Thread(target=lambda: out.setdefault("sol", solve(m, {"method": "simplex"})))
    th.start()
    th.join(60)
    assert out["sol"].objective == pytest.approx(60.0)
