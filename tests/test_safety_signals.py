"""SIGTERM and SIGHUP are handled as Ctrl-C is: the solve stops within seconds, no lock or temporary folder is
left, one line says what is on disk, and the exit is 143 (SIGTERM) or 129 (SIGHUP)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from safety import (
    EARLIER_META,
    ROOT,
    copy_example,
    slow_run_over_an_earlier_result,
    snapshot,
    spec_file,
    wait_for_solve,
)

from planner import store
from planner.cli import interrupted_line, main
from planner.signals import Terminated


def _start(args: list[str], cwd: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "planner", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=cwd)


def _debris(results: Path) -> list[str]:
    """Locks, probes and temporary folders a write left in the results root."""
    return sorted(p.name for p in results.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_at_random_moments(tmp_path, sig):
    """The signal is sent at seeded random moments after the run takes its lock (loading, solving, writing the
    results and the report): each run either finished first (exit 0) or exits 128 + the signal with one line; no
    lock or temporary folder is left; the earlier results are byte-identical unless the line says they were
    replaced, and then the new ones are whole (their checksums verify)."""
    case = copy_example(tmp_path / "case")
    spec = spec_file(tmp_path, case, name="ex")
    results = tmp_path / "r"
    assert main(["run", str(spec), "--results", str(results), "--quiet"]) == 0
    rng = random.Random(int(sig))
    outcomes = []
    for delay in sorted(rng.uniform(0.0, 5.0) for _ in range(4)):
        before = snapshot(results)
        proc = _start(["run", str(spec), "--results", str(results), "--quiet"])
        t0 = time.monotonic()
        while not (results / ".ex.lock").exists() and proc.poll() is None and time.monotonic() - t0 < 120:
            time.sleep(0.01)
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        lines = [ln for ln in err.splitlines() if not ln.startswith("warning:")]
        assert _debris(results) == [], (delay, err)
        if proc.returncode == 0:
            outcomes.append("finished")
            store.verify(results / "ex")
            continue
        assert proc.returncode == 128 + sig, (delay, err)
        assert len(lines) == 1 and "Traceback" not in err, err
        assert lines[0].startswith(f"terminated ({signal.Signals(sig).name}): "), lines
        if "nothing was written" in lines[0]:
            outcomes.append("before the write")
            assert snapshot(results) == before
        else:
            outcomes.append("after the write")
            assert "written whole" in lines[0] and str(results / "ex") in lines[0]
            store.verify(results / "ex")
            store.verify(results / "ex" / "report")
    print(f"{signal.Signals(sig).name} at random moments: {outcomes}")
    assert "before the write" in outcomes


def test_sigterm_stops_the_solve_within_two_seconds(tmp_path):
    """SIGTERM during a solve of ~20 s (dual simplex, no presolve, 8 zones x 240 h): exit 143 within 2 s of the
    signal (HiGHS stops at its next iteration), one line, the earlier result untouched, nothing else left."""
    spec = slow_run_over_an_earlier_result(tmp_path)
    earlier, earlier_meta = tmp_path / "res" / "syn", EARLIER_META
    proc = _start(["run", str(spec), "--results", str(tmp_path / "res"), "--no-report"], cwd=tmp_path)
    try:
        wait_for_solve(proc)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        waited = time.monotonic() - sent
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1] == "terminated (SIGTERM): nothing was written; earlier results are as they were"
    assert waited < 2.0 * (1 + os.getloadavg()[0] / 4), f"HiGHS took {waited:.1f} s to stop (load {os.getloadavg()})"
    assert (earlier / "run.json").read_text() == earlier_meta
    assert sorted(p.name for p in (tmp_path / "res").iterdir()) == ["syn"]


def test_the_interrupt_line_says_what_was_written(monkeypatch):
    """After a folder is moved into place, an interrupt must not say "nothing was written"."""
    monkeypatch.setattr(store, "WRITTEN", [])
    assert interrupted_line(KeyboardInterrupt()) == "interrupted: nothing was written; earlier results are as they were"
    store.WRITTEN.append(Path("/r/ex"))
    line = interrupted_line(Terminated(signal.SIGHUP))
    assert line.startswith("terminated (SIGHUP): /r/ex was written whole before it")
    assert "nothing was written" not in line


def test_ctrl_c_after_the_report_is_written_says_the_results_were_replaced(tmp_path, monkeypatch, capsys):
    """Ctrl-C just after "report written to" is printed: the new results are on disk, and the line says so."""
    import planner.cli as cli

    monkeypatch.setattr(store, "WRITTEN", [])
    case = copy_example(tmp_path / "case")
    spec = spec_file(tmp_path, case, name="ex")
    results = tmp_path / "r"
    real_print = print

    def print_then_interrupt(*a, **k):
        real_print(*a, **k)
        if a and str(a[0]).startswith("report written to"):
            raise KeyboardInterrupt
    monkeypatch.setattr(cli, "print", print_then_interrupt, raising=False)
    assert main(["run", str(spec), "--results", str(results), "--quiet"]) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "nothing was written" not in last and f"{results / 'ex'} was written whole" in last
