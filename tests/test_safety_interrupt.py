"""Ctrl-C: one line, exit 130, earlier results untouched (issue #11, item 4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from safety import ROOT, copy_example, snapshot, spec_file, tiny_case

from planner.cli import main


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "planner", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    t0 = time.monotonic()
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() - t0 < timeout, f"{path} never appeared"
        time.sleep(0.02)


def test_ctrl_c_during_a_run_is_one_line_and_exit_130(tmp_path):
    """SIGINT once the run holds its results lock (loading or solving): exit 130, one line on stderr, the
    earlier results of the same name byte-identical, no temporary folder left."""
    case = copy_example(tmp_path / "case")
    spec = spec_file(tmp_path, case, name="ex")
    results = tmp_path / "r"
    assert main(["run", str(spec), "--results", str(results), "--no-report"]) == 0
    before = snapshot(results)
    proc = _start(["run", str(spec), "--results", str(results), "--no-report"])
    _wait_for(results / ".ex.lock", proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["interrupted: nothing was written; earlier results are as they were"]
    assert snapshot(results) == before


def test_ctrl_c_while_writing_keeps_the_earlier_results(tmp_path, monkeypatch, capsys):
    """An interrupt in the middle of writing the tables: the temporary folder goes, the earlier run stays."""
    import planner.runner as run_mod

    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    results = tmp_path / "r"
    assert main(["run", str(spec), "--results", str(results), "--no-report"]) == 0
    before = snapshot(results)
    real = run_mod.write_input_snapshot

    def interrupted(folder, tables):
        real(folder, tables)
        raise KeyboardInterrupt
    monkeypatch.setattr(run_mod, "write_input_snapshot", interrupted)
    assert main(["run", str(spec), "--results", str(results), "--no-report"]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("interrupted:")
    assert snapshot(results) == before


def test_an_interrupt_that_passed_through_exec_still_exits_130(tmp_path):
    """CPython 3.11 flags a KeyboardInterrupt as unhandled once it passes through ``exec`` of a source string
    (as library imports do), and a ``python -m`` process then kills itself with SIGINT at exit (return code
    -2), even though ``main`` caught it. The entry point must still leave with 130."""
    (tmp_path / "interrupted_main.py").write_text(
        "import planner.cli as c\n"
        "def fake(argv=None):\n"
        "    try:\n"
        "        exec('raise KeyboardInterrupt')\n"
        "    except KeyboardInterrupt:\n"
        "        return c.EXIT_INTERRUPTED\n"
        "c.main = fake\n"
        "c.entry()\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-m", "interrupted_main"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 130, proc.stderr
