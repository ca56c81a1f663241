"""A full disk or a read-only file system during the result write and during the report: every write is made to
fail in turn (``OSError(ENOSPC)`` or ``OSError(EROFS)`` injected at the n-th file opened for writing, folder made
or rename, under the results location). Each time: exit 2, one line naming the path and the errno, the earlier
results byte-identical, no partial or temporary folder, no lock left.

A small tmpfs would test the same against a real full disk, but mounting one needs privileges a test machine may
not grant; the injection reaches every write a tmpfs could fail, and each one deterministically.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest
from safety import snapshot, spec_file, tiny_case

from planner.cli import main


class Faults:
    """Count the writes under ``root`` (files opened for writing, folders made, renames); fail the ``fail_at``-th
    with ``OSError(code)``, and every later file or folder too (a full disk stays full; zipfile, for one, tries
    a second mode when the first open fails)."""

    def __init__(self, monkeypatch, root: Path, fail_at: int | None = None, code: int = errno.ENOSPC,
                 within: str = ""):
        self.root, self.fail_at, self.code, self.count, self.failed = str(root), fail_at, code, 0, None
        real_open, real_mkdir, real_replace = builtins.open, os.mkdir, os.replace

        def hit(path, sticky: bool = True) -> None:
            if isinstance(path, int) or not os.path.abspath(os.fspath(path)).startswith(self.root) \
                    or within not in os.fspath(path):
                return
            self.count += 1
            if self.count == self.fail_at or (sticky and self.failed is not None):  # a full disk stays full
                self.failed = self.failed or os.fspath(path)
                raise OSError(self.code, os.strerror(self.code), os.fspath(path))

        def opened(file, mode="r", *a, **k):
            if any(c in mode for c in "wax+"):
                hit(file)
            return real_open(file, mode, *a, **k)

        def mkdir(path, *a, **k):
            if not os.path.exists(path):  # an existing folder gives EEXIST on a full disk too
                hit(path)
            return real_mkdir(path, *a, **k)

        def replace(src, dst, *a, **k):
            hit(dst, sticky=False)  # a rename needs no space: putting the earlier results back still works
            return real_replace(src, dst, *a, **k)

        monkeypatch.setattr(builtins, "open", opened)
        monkeypatch.setattr(io, "open", opened)
        monkeypatch.setattr(os, "mkdir", mkdir)
        monkeypatch.setattr(os, "replace", replace)


def _lines(err: str) -> list[str]:
    return [ln for ln in err.strip().splitlines() if not ln.startswith("warning:")]


def _check_every_write(tmp_path, monkeypatch, capsys, argv: list[str], results: Path, watched: Path) -> int:
    """Run ``argv`` once (the earlier results), once more to count its writes under ``watched``, then once per
    write with that write failing."""
    import planner.runner as run_mod

    real_solve, solved = run_mod._solve, {}

    def solve_once(spec, solver, progress, *start):  # the write is under test: the same solve, once, for every run
        if "out" not in solved:
            solved["out"] = real_solve(spec, solver, progress, *start)
        return solved["out"]
    monkeypatch.setattr(run_mod, "_solve", solve_once)
    import planner.report.tables as tables_mod

    real_tables, made = tables_mod.report_tables, {}

    def tables_once(run):  # the report's tables of the same stored run, computed once
        if "rt" not in made:
            made["rt"] = real_tables(run)
        return made["rt"]
    monkeypatch.setattr(tables_mod, "report_tables", tables_once)
    assert main(argv) == 0
    with monkeypatch.context() as m:
        counter = Faults(m, watched)
        assert main(argv) == 0
    total = counter.count
    assert total >= 5, f"only {total} writes seen: the injection does not reach them"
    before = snapshot(results)
    capsys.readouterr()
    for n in range(1, total + 1):
        code = errno.ENOSPC if n % 2 else errno.EROFS
        with monkeypatch.context() as m:
            faults = Faults(m, watched, fail_at=n, code=code)
            rc = main(argv)
        err = capsys.readouterr().err
        name = errno.errorcode[code]
        assert faults.failed is not None, f"write {n} of {total} never came"
        assert rc == 2, f"write {n} ({faults.failed}): exit {rc}\n{err}"
        lines = _lines(err)
        assert len(lines) == 1 and "Traceback" not in err, f"write {n}: {err}"
        assert name in lines[0] and str(watched) in lines[0], f"write {n}: {lines[0]}"
        assert snapshot(results) == before, f"write {n} ({faults.failed}) changed the earlier results"
        stray = [p.name for p in results.parent.iterdir() if p.name.startswith(".")]
        stray += [p.name for p in watched.iterdir() if p.name.startswith(".")] if watched.is_dir() else []
        assert not stray, f"write {n} left {stray}"
    return total


def test_full_disk_at_every_write_of_a_run(tmp_path, monkeypatch, capsys):
    """``planner run`` whose n-th write under results/ fails, for every n: exit 2 and the earlier run intact."""
    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    results = tmp_path / "r"
    argv = ["run", str(spec), "--results", str(results), "--no-report", "--quiet"]
    n = _check_every_write(tmp_path, monkeypatch, capsys, argv, results / "t", results)
    print(f"full disk at each of {n} writes of a run: exit 2, earlier results intact")


def test_full_disk_at_every_write_of_a_report(tmp_path, monkeypatch, capsys):
    """``planner report`` whose n-th write under the run's folder fails, for every n: exit 2, the earlier report
    and the run's results intact."""
    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    results = tmp_path / "r"
    assert main(["run", str(spec), "--results", str(results), "--quiet"]) == 0
    argv = ["report", str(results / "t")]
    n = _check_every_write(tmp_path, monkeypatch, capsys, argv, results / "t", results / "t")
    print(f"full disk at each of {n} writes of a report: exit 2, earlier report intact")


@pytest.mark.parametrize("fail_at", [1, 10])
def test_full_disk_while_a_run_writes_its_report(tmp_path, monkeypatch, capsys, fail_at):
    """A run with its report: a full disk while the report is written (the n-th write under report/) fails the
    whole write (exit 2), rather than keeping results without a report; the earlier results and report stay."""
    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    results = tmp_path / "r"
    argv = ["run", str(spec), "--results", str(results), "--quiet"]
    assert main(argv) == 0
    before = snapshot(results)
    capsys.readouterr()
    with monkeypatch.context() as m:
        faults = Faults(m, results, fail_at=fail_at, within="/report/")
        rc = main(argv)
    err = capsys.readouterr().err
    assert faults.failed is not None, "no write under report/ was seen"
    assert rc == 2, err
    assert len(_lines(err)) == 1 and "ENOSPC" in err and "/report/" in err, err
    assert snapshot(results) == before
    assert [p.name for p in results.iterdir()] == ["t"]


def test_standard_output_full_or_closed():
    """``planner validate CASE > /dev/full`` (exit 2, one line naming ENOSPC) and with standard output closed
    (``>&-``: still exit 0): no traceback."""
    import subprocess
    import sys

    from safety import EXAMPLE, ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = f"{sys.executable} -m planner validate {EXAMPLE}"
    full = subprocess.run(["sh", "-c", cmd + " > /dev/full"], capture_output=True, text=True, env=env, timeout=120)
    assert full.returncode == 2 and "Traceback" not in full.stderr, full.stderr
    assert _lines(full.stderr) == ["error: standard output cannot be written (ENOSPC, No space left on device); "
                                   "what was written to disk is complete"]
    closed = subprocess.run(["sh", "-c", cmd + " >&-"], capture_output=True, text=True, env=env, timeout=120)
    assert closed.returncode == 0 and "Traceback" not in closed.stderr, closed.stderr
