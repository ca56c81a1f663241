"""A folder planner wrote is replaced only by a write of the same kind, and only when it holds nothing planner did
not write there (the manifest in its run.json); `compare --out` never writes into a run it compares.

Each reproduction asserts the exit code, the message naming the path, and that what the user had is still there,
byte for byte.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from safety import snapshot, spec_file, tiny_case

import planner.runner as run_mod
from planner import store
from planner.cli import main
from planner.spec import load_spec


def no_solve(monkeypatch):
    """Fail the test if anything gets as far as loading the case."""
    def boom(*a, **k):
        raise AssertionError("the case was loaded: the refusal came too late")
    monkeypatch.setattr("planner.pipeline.load_case", boom)


@pytest.fixture
def spec(tmp_path) -> Path:
    return spec_file(tmp_path, tiny_case(tmp_path / "case"))


def solve(spec: Path, results: Path, report: bool = False) -> Path:
    return run_mod.run_spec(load_spec(spec), results, report=report).folder


def run_again(spec: Path, results: Path, *more: str) -> int:
    return main(["run", str(spec), "--results", str(results), "--no-report", *more])


def err_of(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


# ---------- compare --out onto the runs it compares ----------

def test_compare_out_onto_a_run_being_compared_is_refused(tmp_path, capsys, spec):
    """`planner compare results/example results/example --out results/example` used to replace the run by the
    comparison (exit 0)."""
    a = solve(spec, tmp_path / "r")
    before = snapshot(a)
    assert main(["compare", str(a), str(a), "--out", str(a)]) == 2
    err = err_of(capsys)
    assert f"{a}: is {a}, one of the runs being compared" in err and "--out" in err
    assert snapshot(a) == before


@pytest.mark.parametrize("where", ["inside", "contains"])
def test_compare_out_inside_or_around_a_run_is_refused(tmp_path, capsys, spec, where):
    a = solve(spec, tmp_path / "r")
    out = a / "cmp" if where == "inside" else tmp_path / "r"
    before = snapshot(tmp_path / "r")
    assert main(["compare", str(a), str(a), "--out", str(out)]) == 2
    assert f"{out}: {'is inside' if where == 'inside' else 'contains'} {a}, one of the runs" in err_of(capsys)
    assert snapshot(tmp_path / "r") == before


def test_compare_out_onto_another_run_is_refused_by_kind(tmp_path, capsys, spec):
    a = solve(spec, tmp_path / "r")
    other = solve(spec_file(tmp_path, tiny_case(tmp_path / "case2", 60), name="other", file="o.toml"),
                  tmp_path / "r")
    before = snapshot(other)
    assert main(["compare", str(a), str(a), "--out", str(other)]) == 2
    err = err_of(capsys)
    assert f"{other}: holds a run's results (kind 'run'" in err and "not with a comparison of runs" in err
    assert snapshot(other) == before


def test_a_folder_is_replaced_only_by_a_write_of_its_kind(tmp_path):
    target = tmp_path / "x"
    store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("1\n"), "comparison")
    before = snapshot(target)
    for kind in ("run", "study", "report", "results"):
        with pytest.raises(store.ResultsError, match="holds a comparison of runs"):
            store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("2\n"), kind)
        assert snapshot(target) == before
    store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("2\n"), "comparison")
    assert (target / "a.csv").read_text() == "2\n"


def test_a_run_refuses_to_replace_a_study_before_the_solve(tmp_path, capsys, spec, monkeypatch):
    study = tmp_path / "r" / "t"
    store.write_results(study, lambda tmp: (tmp / "sweep.csv").write_text("1\n"), "study")
    before = snapshot(study)
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    assert f"{study}: holds a study's results (kind 'study'" in err_of(capsys)
    assert snapshot(study) == before


# ---------- what a re-run finds in a folder it wrote ----------

def test_a_rerun_keeps_a_users_file_in_the_results(tmp_path, capsys, spec, monkeypatch):
    """`echo mine > results/example/notes.txt; planner run` used to delete notes.txt (exit 0)."""
    folder = solve(spec, tmp_path / "r")
    (folder / "notes.txt").write_text("mine\n")
    before = snapshot(tmp_path / "r")
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    err = err_of(capsys)
    assert f"{folder}: holds what planner did not write there: notes.txt;" in err
    assert "move that out of it" in err and "--results" in err
    assert (folder / "notes.txt").read_text() == "mine\n"
    assert snapshot(tmp_path / "r") == before


def _add(folder: Path, what: str) -> str:
    """Put something planner did not write into ``folder``; the path a refusal should name."""
    if what == "folder":
        (folder / "mine").mkdir()
        (folder / "mine" / "a.txt").write_text("mine\n")
        return "mine/"
    if what == "file in inputs":
        (folder / "inputs" / "notes.md").write_text("mine\n")
        return "inputs/notes.md"
    if what == "folder for a file":  # a file planner wrote replaced by a folder of the same name
        (folder / "summary.txt").unlink()
        (folder / "summary.txt").mkdir()
        (folder / "summary.txt" / "a.txt").write_text("mine\n")
        return "summary.txt/"
    if what == "file for a folder":
        for p in (folder / "inputs").iterdir():
            p.unlink()
        (folder / "inputs").rmdir()
        (folder / "inputs").write_text("mine\n")
        return "inputs"
    if what == "symlink":
        (folder / "link").symlink_to(folder.parent.parent / "case")
        return "link"
    raise AssertionError(what)


@pytest.mark.parametrize("what", ["folder", "file in inputs", "folder for a file", "file for a folder", "symlink"])
def test_a_rerun_refuses_anything_planner_did_not_write(tmp_path, capsys, spec, monkeypatch, what):
    folder = solve(spec, tmp_path / "r")
    named = _add(folder, what)
    before = snapshot(tmp_path)
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    assert f"{folder}: holds what planner did not write there: {named};" in err_of(capsys)
    assert snapshot(tmp_path) == before


def test_many_unexpected_paths_are_named_a_few_then_counted(tmp_path, capsys, spec, monkeypatch):
    folder = solve(spec, tmp_path / "r")
    for i in range(8):
        (folder / f"n{i}.txt").write_text("mine\n")
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    assert "n0.txt, n1.txt, n2.txt, n3.txt, n4.txt and 3 more;" in err_of(capsys)
    assert sorted(p.name for p in folder.glob("n*.txt")) == [f"n{i}.txt" for i in range(8)]


def test_report_keeps_a_users_file_in_report(tmp_path, capsys, spec):
    """`echo mine > results/example/report/mine.txt; planner report results/example` used to delete mine.txt."""
    folder = solve(spec, tmp_path / "r", report=True)
    (folder / "report" / "mine.txt").write_text("mine\n")
    before = snapshot(folder)
    assert main(["report", str(folder)]) == 2
    err = err_of(capsys)
    assert f"{folder / 'report'}: holds what planner did not write there: mine.txt;" in err
    assert (folder / "report" / "mine.txt").read_text() == "mine\n"
    assert snapshot(folder) == before
    assert run_again(spec, tmp_path / "r") == 2  # nor does a re-run of the run holding that report delete it
    assert f"{folder}: holds what planner did not write there: report/mine.txt;" in err_of(capsys)
    assert snapshot(folder) == before


def test_a_users_report_folder_is_kept_by_report_and_by_run(tmp_path, capsys, spec, monkeypatch):
    """A user's folder at results/<run>/report/ was refused by `planner report` but deleted by the next run."""
    folder = solve(spec, tmp_path / "r")
    (folder / "report").mkdir()
    (folder / "report" / "draft.docx").write_text("mine\n")
    before = snapshot(folder)
    assert main(["report", str(folder)]) == 2
    assert "is not a results folder written by planner" in err_of(capsys)
    no_solve(monkeypatch)
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert f"{folder}: holds what planner did not write there: report/;" in err_of(capsys)
    assert (folder / "report" / "draft.docx").read_text() == "mine\n"
    assert snapshot(folder) == before


# ---------- what planner wrote is still replaced ----------

def test_the_manifest_records_every_file_and_folder(tmp_path, spec):
    folder = solve(spec, tmp_path / "r", report=True)
    m = store.read_meta(folder)["manifest"]
    assert {"run.json", "summary.txt", "solver.log", "capacity.csv", "inputs/zones.csv"} <= set(m["files"])
    assert m["folders"] == ["inputs"] and m["nested"] == {"report": "report"}
    r = store.read_meta(folder / "report")["manifest"]
    assert {"run.json", "report.html", "report.xlsx"} <= set(r["files"]) and r["nested"] == {}
    assert store.unexpected(folder) == []


def test_an_untouched_run_and_report_are_replaced(tmp_path, capsys, spec):
    """A re-run over an untouched folder replaces it; `planner report` regenerates an untouched report/, also one
    added to a run written without a report, and a later run replaces that too."""
    folder = solve(spec, tmp_path / "r")
    assert main(["report", str(folder)]) == 0  # report/ added later: not in the run's manifest, but planner's
    assert main(["report", str(folder)]) == 0
    assert (folder / "report" / "report.html").is_file()
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 0
    assert main(["report", str(folder)]) == 0
    assert run_again(spec, tmp_path / "r") == 0
    assert not (folder / "report").exists()
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["t"]


def test_what_a_killed_report_left_does_not_block_a_rerun(tmp_path, spec):
    folder = solve(spec, tmp_path / "r", report=True)
    stale = store._mkdtemp(folder / "report", "tmp")  # a `planner report` killed while writing
    (stale / "half.csv").write_text("half")
    (folder / ".report.lock").write_text("999999999\n")
    assert store.unexpected(folder) == []
    assert run_again(spec, tmp_path / "r") == 0
    assert not stale.exists() and not (folder / ".report.lock").exists()


def test_a_users_file_added_during_the_solve_is_kept(tmp_path, capsys, spec, monkeypatch):
    folder = solve(spec, tmp_path / "r")
    real = run_mod._solve

    def slow(*args):
        out = real(*args)
        (folder / "notes.txt").write_text("mine\n")  # written while the run solved
        return out
    monkeypatch.setattr(run_mod, "_solve", slow)
    assert run_again(spec, tmp_path / "r") == 2
    assert f"{folder}: holds what planner did not write there: notes.txt" in err_of(capsys)
    assert (folder / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["t"]


# ---------- folders written before manifests ----------

def _strip_manifests(folder: Path, kind: str | None = None) -> None:
    """Make ``folder`` (and its nested planner folders) look as planner wrote it before manifests."""
    for meta_path in [folder / "run.json", *folder.glob("*/run.json")]:
        meta = json.loads(meta_path.read_text())
        meta.pop("manifest", None)
        if kind and meta_path.parent == folder:
            meta["kind"] = kind
        meta_path.write_text(json.dumps(meta))


def test_an_older_run_is_judged_by_what_a_run_can_hold(tmp_path, capsys, spec, monkeypatch):
    folder = solve(spec, tmp_path / "r", report=True)
    _strip_manifests(folder)
    assert store.unexpected(folder) == []
    (folder / "notes.txt").write_text("mine\n")
    (folder / "report" / "mine.txt").write_text("mine\n")
    (folder / "inputs" / "mine.csv").write_text("a\n1\n")  # a CSV not in tables_sha256
    before = snapshot(folder)
    with monkeypatch.context() as mp:
        no_solve(mp)
        assert run_again(spec, tmp_path / "r") == 2
    assert (f"{folder}: holds what planner did not write there: inputs/mine.csv, notes.txt, report/mine.txt;"
            in err_of(capsys))
    assert snapshot(folder) == before
    for p in ("notes.txt", "report/mine.txt", "inputs/mine.csv"):
        os.unlink(folder / p)
    assert run_again(spec, tmp_path / "r") == 0  # untouched: replaced, now with a manifest
    assert "manifest" in store.read_meta(folder)


def test_an_older_comparison_is_still_replaced_by_a_comparison(tmp_path, capsys, spec):
    a = solve(spec, tmp_path / "r")
    cmp = tmp_path / "cmp"
    assert main(["compare", str(a), str(a), "--out", str(cmp)]) == 0
    _strip_manifests(cmp, kind="results")  # before comparisons and studies were told apart
    assert main(["compare", str(a), str(a), "--out", str(cmp)]) == 0
    assert store.read_meta(cmp)["kind"] == "comparison"
    _strip_manifests(cmp, kind="results")
    (cmp / "notes.txt").write_text("mine\n")
    assert main(["compare", str(a), str(a), "--out", str(cmp)]) == 2
    assert f"{cmp}: holds what planner did not write there: notes.txt;" in err_of(capsys)
    assert (cmp / "notes.txt").read_text() == "mine\n"


# ---------- what the operating system and office programs leave in a folder ----------

def _metadata_bytes(rel: str) -> bytes:
    """What the OS writes: an AppleDouble companion starts with its format's magic number 00 05 16 07."""
    return bytes.fromhex("00051607") + b"\0\2\0\0Mac OS X" if Path(rel).name.startswith("._") else b"\0\0\0\1Bud1"


@pytest.mark.parametrize("rel", [".DS_Store", "Thumbs.db", "desktop.ini", "._summary.txt", "inputs/.DS_Store",
                                 "report/.DS_Store", "report/._report.xlsx", "report/Thumbs.db"])
def test_os_folder_metadata_does_not_block_a_rerun(tmp_path, capsys, spec, rel):
    """`touch results/example/.DS_Store` (macOS Finder does it by browsing) made the next `planner run` exit 2
    naming .DS_Store; it is dropped with the old folder."""
    folder = solve(spec, tmp_path / "r", report=True)
    (folder / rel).write_bytes(_metadata_bytes(rel))
    assert store.unexpected(folder) == []
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 0, err_of(capsys)
    assert not (folder / rel).exists() and (folder / "report" / "report.html").is_file()


@pytest.mark.parametrize("name", [".DS_Store", "Thumbs.db", "desktop.ini", "._report.xlsx"])
def test_os_folder_metadata_does_not_block_a_report(tmp_path, capsys, spec, name):
    folder = solve(spec, tmp_path / "r", report=True)
    (folder / "report" / name).write_bytes(_metadata_bytes(name))
    assert main(["report", str(folder)]) == 0, err_of(capsys)
    assert not (folder / "report" / name).exists()


@pytest.mark.parametrize("kind", ["study", "comparison"])
def test_os_folder_metadata_does_not_block_a_study_or_comparison(tmp_path, kind):
    target = tmp_path / "example-sweep"
    store.write_results(target, lambda tmp: (tmp / "sweep.csv").write_text("1\n"), kind)
    (target / ".DS_Store").write_bytes(b"\0")
    store.write_results(target, lambda tmp: (tmp / "sweep.csv").write_text("2\n"), kind)
    assert (target / "sweep.csv").read_text() == "2\n" and not (target / ".DS_Store").exists()


@pytest.mark.parametrize("what", [".ipynb_checkpoints/", "._mine/", "notes.DS_Store", "._notes.txt"])
def test_what_only_looks_like_os_metadata_still_blocks(tmp_path, capsys, spec, monkeypatch, what):
    """Jupyter's checkpoints can hold the user's work; a folder or another name is not the OS's metadata, and
    a user's file named ``._notes.txt`` (text, not AppleDouble's magic number) was deleted by a re-run."""
    folder = solve(spec, tmp_path / "r")
    if what.endswith("/"):
        (folder / what).mkdir()
        (folder / what / "summary-checkpoint.txt").write_text("mine\n")
    else:
        (folder / what).write_text("mine\n")
    before = snapshot(tmp_path / "r")
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    assert f"{folder}: holds what planner did not write there: {what};" in err_of(capsys)
    assert snapshot(tmp_path / "r") == before


@pytest.mark.parametrize("lock", ["~$report.xlsx", ".~lock.report.xlsx#", "~$port.xlsx"])
def test_a_report_open_in_a_spreadsheet_program_is_named_and_kept(tmp_path, capsys, spec, monkeypatch, lock):
    """Excel's ~$report.xlsx (Word's ~$ with the first two letters dropped) and LibreOffice's .~lock.report.xlsx#
    mean report.xlsx is open: the report and the run refuse, saying so, and never delete the lock file."""
    folder = solve(spec, tmp_path / "r", report=True)
    (folder / "report" / lock).write_text("user,host\n")
    before = snapshot(folder)
    assert main(["report", str(folder)]) == 2
    err = err_of(capsys)
    assert (f"{folder / 'report'}: report.xlsx is open in a spreadsheet program (lock file {lock}): close it and "
            "run again" in err)
    assert "did not write" not in err
    assert snapshot(folder) == before
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    assert (f"{folder}: report/report.xlsx is open in a spreadsheet program (lock file report/{lock}): close it "
            "and run again" in err_of(capsys))
    assert snapshot(folder) == before


def test_several_open_tables_and_a_users_file_are_named_together(tmp_path, capsys, spec, monkeypatch):
    folder = solve(spec, tmp_path / "r")
    (folder / "~$capacity.csv").write_text("x")
    (folder / ".~lock.costs.csv#").write_text("x")
    (folder / "notes.txt").write_text("mine\n")
    before = snapshot(folder)
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    err = err_of(capsys)
    assert (f"{folder}: capacity.csv (lock file ~$capacity.csv) and costs.csv (lock file .~lock.costs.csv#) are open "
            "in a spreadsheet program: close them and run again" in err)
    assert "it also holds what planner did not write there, to move out of it: notes.txt;" in err
    assert snapshot(folder) == before


def test_a_lock_file_for_a_users_file_is_the_users(tmp_path, capsys, spec, monkeypatch):
    folder = solve(spec, tmp_path / "r")
    (folder / "~$notes.xlsx").write_text("x")
    no_solve(monkeypatch)
    assert run_again(spec, tmp_path / "r") == 2
    err = err_of(capsys)
    assert f"{folder}: holds what planner did not write there: ~$notes.xlsx;" in err and "is open" not in err
