"""Distributed work: a worker killed mid-task is retried (or its task named), the tasks that finished are kept, an
input error raised on a worker keeps its file, line and column, and a sweep run again after an interruption
solves only what is not sealed yet. The cluster is a LocalCluster of one worker process on this machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cloudpickle
import pytest
from safety import spec_file, tiny_case

from planner.errors import InputError, Problem, WorkerLost
from planner.studies import sweep
from planner.studies.sweep import dask_map, parse_vary, run_sweep

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


def task(folder: str, name: str, mode: str) -> str:
    """On a worker: ``once`` kills its worker process the first time (a marker says it was tried), ``always``
    every time, ``input`` raises an input error with a location; every other task writes ``name.done``."""
    marker = Path(folder) / f"{name}.tried"
    if mode == "always" or (mode == "once" and not marker.exists()):
        marker.touch()
        os._exit(1)  # the worker process dies mid-task, as a killed or out-of-memory worker does
    if mode == "input":
        raise InputError([Problem("demand.csv", "is not valid", 7, "demand_mw")])
    (Path(folder) / f"{name}.done").write_text(name)
    return name


def test_a_killed_worker_is_retried_and_a_lost_task_named(tmp_path):
    """Four tasks: the worker dies once in "b" (retried on a fresh worker: it finishes), always in "c" (lost
    twice: named), "a" and "d" run normally. The finished tasks' work is kept and "c" is reported by name."""
    args = [(str(tmp_path), n, m) for n, m in [("a", "ok"), ("b", "once"), ("c", "always"), ("d", "ok")]]
    with pytest.raises(WorkerLost) as caught:
        dask_map(task, args, "local", names=["a", "b", "c", "d"])
    assert caught.value.task == "c" and caught.value.exit_code == 4
    assert sorted(p.name for p in tmp_path.glob("*.done")) == ["a.done", "b.done", "d.done"]


def test_an_input_error_on_a_worker_keeps_its_location(tmp_path):
    with pytest.raises(InputError) as caught:
        dask_map(task, [(str(tmp_path), "a", "input")], "local")
    assert caught.value.problems == [Problem("demand.csv", "is not valid", 7, "demand_mw")]
    assert "demand.csv, line 7, column demand_mw: is not valid" in caught.value.report()


def test_an_unreachable_scheduler_is_named():
    """Nothing listens on port 1: an input error naming --scheduler within about 10 s, not a traceback."""
    with pytest.raises(InputError) as caught:
        dask_map(task, [("x", "a", "ok")], "tcp://127.0.0.1:1")
    assert caught.value.problems[0].file == "--scheduler"


def test_an_interrupted_sweep_resumes_from_what_is_sealed(tmp_path, monkeypatch):
    """A sweep of three variants interrupted during the second: run again, it solves only the second and third
    (the first is sealed with the same run specification and inputs), and a third run solves nothing. A changed
    input file makes every variant be solved again."""
    case = tiny_case(tmp_path / "case")
    spec_path = spec_file(tmp_path, case, name="t")
    from planner.spec import load_spec

    spec = load_spec(spec_path)
    vary = parse_vary(["settings.discount_rate=0.05,0.06,0.07"])
    results = tmp_path / "r"
    real, solved = sweep._solve_one, []

    def interrupted_in_the_second(s, root):
        if len(solved) == 1:
            raise KeyboardInterrupt
        solved.append(s.name)
        return real(s, root)
    monkeypatch.setattr(sweep, "_solve_one", interrupted_in_the_second)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, vary, results)
    assert len(solved) == 1 and not (results / "t-sweep").exists()

    def counted(s, root):
        solved.append(s.name)
        return real(s, root)
    monkeypatch.setattr(sweep, "_solve_one", counted)
    solved.clear()
    table = run_sweep(spec, vary, results)
    assert solved == ["t-discount_rate=0.06", "t-discount_rate=0.07"]
    assert list(table["resumed"]) == [True, False, False]
    solved.clear()
    again = run_sweep(spec, vary, results)
    assert solved == [] and list(again["resumed"]) == [True, True, True]
    assert list(again["objective_usd"]) == list(table["objective_usd"])
    demand = case / "demand.csv"
    demand.write_text(demand.read_text().replace(",50", ",60"))
    solved.clear()
    run_sweep(spec, vary, results)
    assert len(solved) == 3


def test_a_decimal_comma_in_vary_is_refused():
    with pytest.raises(InputError) as caught:
        parse_vary(["settings.discount_rate=0,09"])
    assert "0.09" in str(caught.value) and caught.value.problems[0].file == "--vary"
