"""Nothing lost: the results writer refuses every target that is not its own, and swaps results and
report in as one unit under a lock (issue #11, items 1, 2 (checksums), 3 (results paths) and 5).

Each data-loss reproduction asserts the exit code, the message, and that the target is byte-identical
afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from safety import ROOT, cli, copy_example, open_tmp, snapshot, spec_file, tiny_case

import planner.runner as run_mod
from planner import store
from planner.cli import main
from planner.spec import load_spec


@pytest.fixture
def tiny(tmp_path):
    return tiny_case(tmp_path / "case")


def no_solve(monkeypatch):
    """Fail the test if anything gets as far as loading the case."""
    def boom(*a, **k):
        raise AssertionError("the case was loaded: the refusal came too late")
    monkeypatch.setattr("planner.pipeline.load_case", boom)


# ---------- item 1: data loss ----------

def test_an_invalid_case_leaves_no_results_folder(tmp_path, capsys):
    case = copy_example(tmp_path / "case")
    (case / "zones.csv").write_text("zone\n")
    assert main(["run", str(spec_file(tmp_path, case)), "--results", str(tmp_path / "new" / "results")]) == 2
    assert not (tmp_path / "new").exists()


def test_results_into_the_inputs_folder_is_refused(tmp_path, capsys, monkeypatch):
    """`planner run models/example.toml --results inputs` used to delete inputs/example."""
    inputs = tmp_path / "inputs"
    copy_example(inputs / "example")
    spec = spec_file(tmp_path / "models", inputs / "example", name="example", file="example.toml")
    before = snapshot(inputs)
    no_solve(monkeypatch)
    assert main(["run", str(spec), "--results", str(inputs), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert f"{inputs / 'example'}: exists and is not a results folder written by planner" in err
    assert "left untouched" in err
    assert snapshot(inputs) == before


@pytest.mark.parametrize("name", ["../inputs", ".", "..", "/tmp/abs", "a/b", "", ".hidden", "x\x00y", "a\\b"])
def test_non_plain_run_names_are_refused_before_loading(tmp_path, capsys, monkeypatch, name):
    """A name of "../inputs" used to delete all of inputs/, "." the whole results folder."""
    inputs = tmp_path / "inputs"
    copy_example(inputs / "example")
    results = tmp_path / "results"
    (results / "keep").mkdir(parents=True)
    (results / "keep" / "notes.txt").write_text("mine")
    spec = tmp_path / "m.toml"
    spec.write_text(f"name = {json.dumps(name)}\ninputs = {json.dumps(str(inputs / 'example'))}\n")
    before = snapshot(tmp_path)
    no_solve(monkeypatch)
    assert main(["run", str(spec), "--results", str(results), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}, line 1: " in err and "name" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_a_file_at_the_target_is_not_replaced(tmp_path, capsys, monkeypatch, tiny):
    results = tmp_path / "results"
    results.mkdir()
    (results / "t").write_text("a user's file\n")
    no_solve(monkeypatch)
    assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(results), "--no-report"]) == 2
    assert "is a file, not a results folder" in capsys.readouterr().err
    assert (results / "t").read_text() == "a user's file\n"
    assert sorted(p.name for p in results.iterdir()) == ["t"]


def test_a_symlink_at_the_target_is_not_followed(tmp_path, capsys, monkeypatch, tiny):
    precious = copy_example(tmp_path / "precious")
    results = tmp_path / "results"
    results.mkdir()
    (results / "t").symlink_to(precious)
    spec = spec_file(tmp_path, tiny)
    before = snapshot(tmp_path)
    no_solve(monkeypatch)
    assert main(["run", str(spec), "--results", str(results), "--no-report"]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_results_location_that_is_a_file_fails_before_the_solve(tmp_path, capsys, monkeypatch, tiny):
    (tmp_path / "results").write_text("not a folder")
    no_solve(monkeypatch)
    assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(tmp_path / "results" / "deeper")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'results'}: is a file, not a folder" in err and "Traceback" not in err
    assert (tmp_path / "results").read_text() == "not a folder"


def test_read_only_results_location_fails_before_the_solve(tmp_path):
    """Run as user nobody (as root, permissions are not enforced): a results folder it cannot write is
    refused at once with exit 2, not after the solve with a traceback."""
    base = open_tmp("planner-ro-")
    try:
        case = tiny_case(base / "case")
        for p in [case, *case.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        spec = spec_file(base, case)
        spec.chmod(0o644)
        results = base / "results"
        results.mkdir(mode=0o555)
        results.chmod(0o555)
        r = cli("run", str(spec), "--results", str(results), "--no-report", unprivileged=True)
        assert r.returncode == 2, r.stderr
        assert f"{results}: cannot be written" in r.stderr and "Traceback" not in r.stderr
        assert list(results.iterdir()) == []
    finally:
        shutil.rmtree(base)


def test_compare_out_refuses_a_users_folder(tmp_path, capsys, tiny):
    r = tmp_path / "r"
    spec = load_spec(spec_file(tmp_path, tiny))
    a = run_mod.run_spec(spec, r).folder
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.tex").write_text("years of work")
    before = snapshot(keep)
    assert main(["compare", str(a), str(a), "--out", str(keep)]) == 2
    assert "exists and is not a results folder written by planner" in capsys.readouterr().err
    assert snapshot(keep) == before
    # an earlier comparison (written by planner) is replaced as before
    assert main(["compare", str(a), str(a), "--out", str(tmp_path / "cmp")]) == 0
    assert main(["compare", str(a), str(a), "--out", str(tmp_path / "cmp")]) == 0
    assert store.read_meta(tmp_path / "cmp")["kind"] == "comparison"


def test_an_earlier_run_is_replaced_and_carries_the_marker(tmp_path, tiny):
    spec = load_spec(spec_file(tmp_path, tiny))
    first = run_mod.run_spec(spec, tmp_path / "r").folder
    meta = json.loads((first / "run.json").read_text())
    assert meta["written_by"] == "planner" and meta["format_version"] == store.FORMAT_VERSION and meta["kind"] == "run"
    assert set(meta["tables_sha256"]) >= {"capacity.csv", "costs.csv", "dispatch.csv", "inputs/zones.csv"}
    run_mod.run_spec(spec, tmp_path / "r")
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["t"]


# ---------- item 5: one unit, a lock, stale temporaries ----------

def test_results_and_report_are_one_unit(tmp_path, tiny, monkeypatch):
    """A failure (or kill) while the report is built leaves the earlier results and report as they were."""
    spec = load_spec(spec_file(tmp_path, tiny))
    folder = run_mod.run_spec(spec, tmp_path / "r", report=True).folder
    assert (folder / "report" / "report.html").is_file()
    assert store.read_meta(folder / "report")["kind"] == "report"
    before = snapshot(tmp_path / "r")

    import planner.report as report_mod

    def killed(run, dest):
        (dest / "half.csv").write_text("half")
        raise KeyboardInterrupt
    monkeypatch.setattr(report_mod, "write_report", killed)
    with pytest.raises(KeyboardInterrupt):
        run_mod.run_spec(load_spec(spec_file(tmp_path, tiny_case(tmp_path / "case2", 60))), tmp_path / "r", report=True)
    assert snapshot(tmp_path / "r") == before  # no new results without their report, no temporary left


def test_report_regenerated_in_place(tmp_path, tiny):
    spec = load_spec(spec_file(tmp_path, tiny))
    folder = run_mod.run_spec(spec, tmp_path / "r", report=True).folder
    assert main(["report", str(folder)]) == 0
    assert (folder / "report" / "report.html").is_file()


def test_a_concurrent_run_of_the_same_name_is_refused(tmp_path, capsys, tiny, monkeypatch):
    results = tmp_path / "r"
    with store.claim(results / "t"):
        no_solve(monkeypatch)
        assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(results), "--no-report"]) == 2
    err = capsys.readouterr().err
    assert f"another planner process (pid {os.getpid()}) is writing these results now" in err
    assert not (results / "t").exists()


def test_a_lock_left_by_a_dead_process_does_not_block(tmp_path, tiny):
    results = tmp_path / "r"
    results.mkdir()
    (results / ".t.lock").write_text("999999999\n")  # a pid that is not running: flock is not held
    assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(results), "--no-report"]) == 0
    assert sorted(p.name for p in results.iterdir()) == ["t"]


def test_two_processes_one_name(tmp_path):
    """Two real processes at once: one writes, the other is refused with the lock message (never a traceback)."""
    import subprocess
    import sys

    case = copy_example(tmp_path / "case")
    spec = spec_file(tmp_path, case, name="both")
    results = tmp_path / "r"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "planner", "run", str(spec), "--results", str(results), "--no-report"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = sorted(p.returncode for p in procs)
    errs = "".join(e for _, e in outs)
    assert "Traceback" not in errs
    if codes == [0, 2]:
        assert "another planner process" in errs
    else:  # the first finished before the second started: both wrote, one after the other
        assert codes == [0, 0]
    assert store.read_meta(results / "both") is not None
    assert sorted(p.name for p in results.iterdir()) == ["both"]


def test_stale_temporary_folders_are_cleaned_and_others_kept(tmp_path, tiny):
    results = tmp_path / "r"
    stale = results / ".t.tmp-abc123"
    stale.mkdir(parents=True)
    (stale / store._TMP_MARK).write_text("temporary folder of a planner write\n")
    (stale / "capacity.csv").write_text("half")
    theirs = results / ".t.tmp-user"  # our prefix, but not our marker: not ours to delete
    theirs.mkdir()
    (theirs / "data.txt").write_text("keep")
    other = results / ".other.tmp-xyz"
    other.mkdir()
    (other / store._TMP_MARK).write_text("")
    assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(results), "--no-report"]) == 0
    assert not stale.exists()
    assert (theirs / "data.txt").read_text() == "keep"
    assert other.exists()  # another name's temporaries wait for a write of that name


def test_a_kill_between_the_two_renames_is_recovered(tmp_path):
    """Killed after the earlier result was moved aside and before the new one moved in: the next write
    finds the earlier result in its marked .old- folder and puts it back before anything else."""
    target = tmp_path / "run"
    store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("old\n"))
    old = store._mkdtemp(target, "old")
    os.replace(target, old / "run")  # the state a kill at that moment leaves
    with store.claim(target):
        assert (target / "a.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_created_during_the_solve_is_not_replaced(tmp_path, tiny, monkeypatch):
    real = run_mod._solve

    def slow(*args):
        out = real(*args)
        (tmp_path / "r" / "t").mkdir()  # someone put a folder there meanwhile
        (tmp_path / "r" / "t" / "mine.txt").write_text("x")
        return out
    monkeypatch.setattr(run_mod, "_solve", slow)
    assert main(["run", str(spec_file(tmp_path, tiny)), "--results", str(tmp_path / "r"), "--no-report"]) == 2
    assert (tmp_path / "r" / "t" / "mine.txt").read_text() == "x"


# ---------- item 2: checksums of results ----------

@pytest.fixture
def solved(tmp_path, tiny):
    return run_mod.run_spec(load_spec(spec_file(tmp_path, tiny)), tmp_path / "r").folder


@pytest.mark.parametrize("damage", ["truncate", "empty", "header", "edit"])
def test_damaged_table_is_refused_by_report_and_compare(solved, capsys, damage):
    costs = solved / "costs.csv"
    text = costs.read_text()
    costs.write_text({"truncate": text[: len(text) // 2], "empty": "", "header": text.splitlines()[0] + "\n",
                      "edit": text.replace("1", "2", 1)}[damage])
    before = snapshot(solved)
    assert main(["report", str(solved)]) == 2
    err = capsys.readouterr().err
    assert f"{costs}: does not match the sha256 recorded in run.json" in err and "Traceback" not in err
    assert snapshot(solved) == before
    assert main(["compare", str(solved), str(solved), "--out", str(solved.parent / "cmp")]) == 2
    assert "does not match the sha256" in capsys.readouterr().err
    assert not (solved.parent / "cmp").exists()


def test_missing_table_is_named(solved, capsys):
    (solved / "dispatch.csv").unlink()
    assert main(["report", str(solved)]) == 2
    assert f"{solved / 'dispatch.csv'}: is listed in run.json but cannot be read" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", '{"name": "t", "stat', "[1, 2]"])
def test_truncated_run_json_is_exit_2(solved, capsys, content):
    (solved / "run.json").write_text(content)
    assert main(["report", str(solved)]) == 2
    err = capsys.readouterr().err
    assert str(solved / "run.json") in err and "Traceback" not in err


def test_report_on_a_folder_planner_did_not_write(tmp_path, capsys):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "run.json").write_text('{"status": "optimal"}')
    assert main(["report", str(tmp_path / "x")]) == 2
    assert "was not written by planner" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert not (tmp_path / "nothing").exists()


# ---------- item 7: precision and formula cells ----------

def test_result_csvs_round_trip_full_precision_and_neutralise_formulas(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"technology": ["=HYPERLINK(A1)", "+1 more", "-cmd", "@SUM", "coal", "-5", "'=quoted"],
                       "value": [1208.732374, 1.0 / 3.0, -42.5, 123456789.123456789, 1e-12, 0.1 + 0.2, -7.0]})
    store.write_csv(df, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_text().splitlines()
    assert raw[1].startswith("'=HYPERLINK") and raw[2].startswith("'+1 more") and raw[3].startswith("'-cmd")
    assert raw[4].startswith("'@SUM") and raw[6].startswith("-5,")  # a negative number stays a number
    assert "1208.732374" in raw[1] and "-42.5" in raw[3]
    back = store.read_csv(tmp_path / "t.csv")
    assert back["technology"].tolist() == df["technology"].tolist()
    assert back["value"].tolist() == df["value"].tolist()  # exactly, not to 6 digits


def test_results_of_a_run_are_exact(solved):
    """The example of the issue: 1208.732374 used to be written as 1208.73."""
    import pandas as pd

    cost = pd.read_csv(solved / "costs.csv")
    meta = json.loads((solved / "run.json").read_text())
    assert cost["present_value_usd"].sum() == pytest.approx(meta["objective_usd"], rel=1e-12)


def _run_with_a_fault(tmp_path, capsys, fault: str) -> tuple[Path, str]:
    """Run the tiny case, expecting exit 1 with one error that names ``fault`` and the retry command; the
    results must be written, sealed and optimal. The results folder and stderr."""
    from planner.store import read_results

    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 1
    folder = tmp_path / "r" / "t"
    err = capsys.readouterr().err
    assert fault in err and f"planner report {folder}" in err
    tables, meta = read_results(folder)
    assert meta["status"] == "optimal" and "capacity" in tables
    return folder, err


def test_a_fault_in_the_summary_keeps_the_solved_results_and_the_report(tmp_path, monkeypatch, capsys):
    """A bug in the summary after a good solve: exit 1 with one error naming it and the command that makes the
    report again; the results are written and sealed, the report is made, and no summary.txt is left."""
    def broken(tables, meta):
        raise RuntimeError("a fault in the summary")
    monkeypatch.setattr(run_mod, "summary_text", broken)
    folder, _ = _run_with_a_fault(tmp_path, capsys, "summary.txt: RuntimeError: a fault in the summary")
    assert not (folder / "summary.txt").exists()
    assert (folder / "report" / "report.html").is_file()


def test_a_fault_in_the_report_keeps_the_solved_results_and_the_summary(tmp_path, monkeypatch, capsys):
    """A bug in the report after a good solve, having written part of it: exit 1 naming it; the results and
    summary.txt are kept, no half report is left, and `planner report` then makes the report."""
    import planner.report as report_mod

    real = report_mod.write_report

    def broken(run, dest):
        (dest / "partial.csv").write_text("x\n")
        raise RuntimeError("a fault in the report")
    monkeypatch.setattr(report_mod, "write_report", broken)
    folder, _ = _run_with_a_fault(tmp_path, capsys, "report: RuntimeError: a fault in the report")
    assert (folder / "summary.txt").is_file() and not (folder / "report").exists()
    monkeypatch.setattr(report_mod, "write_report", real)
    assert main(["report", str(folder)]) == 0
    assert (folder / "report" / "report.html").is_file()


# ---------- `planner report` on a folder that is not a run's ----------

def test_report_on_a_comparison_says_it_is_one(solved, capsys):
    """`planner report results/compare-a-b` said "is missing result tables capacity.csv, ...; re-run `planner run`"."""
    cmp = solved.parent / "cmp"
    assert main(["compare", str(solved), str(solved), "--out", str(cmp)]) == 0
    capsys.readouterr()
    before = snapshot(cmp)
    assert main(["report", str(cmp)]) == 2
    err = capsys.readouterr().err
    assert f"{cmp}: holds a comparison of runs (kind 'comparison' in its run.json), not a run's results" in err
    assert "`planner report` and `planner compare` take a run's results folder, e.g. results/example" in err
    assert "compare.html" in err and "missing result tables" not in err and "Traceback" not in err
    assert snapshot(cmp) == before and not (cmp / "report").exists()


def test_report_on_a_study_names_its_runs(solved, capsys):
    """partner-value's folder holds its runs as with/ and without/: the refusal names them."""
    study = solved.parent / "t-partner-value"

    def fill(tmp):
        (tmp / "partner_value.csv").write_text("a\n1\n")
        for sub in ("with", "without"):
            shutil.copytree(solved, tmp / sub)
    store.write_results(study, fill, "study")
    assert main(["report", str(study)]) == 2
    err = capsys.readouterr().err
    assert f"{study}: holds a study's results (kind 'study' in its run.json), not a run's results" in err
    assert f"report one of the runs it holds instead: {study / 'with'} or {study / 'without'}" in err
    assert "missing result tables" not in err and not (study / "report").exists()
    assert main(["report", str(study / "with")]) == 0


def test_report_on_a_sweep_folder_says_what_report_takes(solved, capsys):
    study = solved.parent / "t-sweep"
    store.write_results(study, lambda tmp: (tmp / "sweep.csv").write_text("variant\nt\n"), "study")
    assert main(["report", str(study)]) == 2
    err = capsys.readouterr().err
    assert f"{study}: holds a study's results (kind 'study' in its run.json), not a run's results" in err
    assert "e.g. results/example; for partner-value, its with/ or without/ folder" in err


def test_report_on_a_report_folder_points_to_its_run(solved, capsys):
    assert main(["report", str(solved)]) == 0
    assert main(["report", str(solved / "report")]) == 2
    err = capsys.readouterr().err
    assert f"{solved / 'report'}: holds a run's report (kind 'report' in its run.json)" in err
    assert f"report its run instead: `planner report {solved}`" in err
