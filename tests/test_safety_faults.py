"""Faults of long work and hostile inputs: special files in a case, overflow, duplicate floods, HiGHS options that
write files, docs over a user's file, a damaged or contended cache, a folder where the lock goes."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from safety import EXAMPLE, cli, copy_example, snapshot, spec_file

from planner import cache
from planner.cli import main


def _lines(err: str) -> list[str]:
    return [ln for ln in err.strip().splitlines() if not ln.startswith("warning:")]


@pytest.mark.parametrize("kind", ["fifo", "device", "link to a device"])
def test_a_case_file_that_is_not_a_regular_file_is_refused_at_once(tmp_path, kind):
    """A FIFO (which would block the read forever), /dev/zero (which never ends) or a link to one: refused by
    name, within the timeout, for validate and for run."""
    case = copy_example(tmp_path / "case")
    (case / "zones.csv").unlink()
    if kind == "fifo":
        os.mkfifo(case / "zones.csv")
    else:
        # a device node of our own needs privileges (mknod): /dev/null and /dev/zero, linked, stand in
        (case / "zones.csv").symlink_to("/dev/zero" if kind == "link to a device" else "/dev/null")
    v = cli("validate", str(case), timeout=60)
    assert v.returncode == 2 and "zones.csv: is a " in v.stderr and "not a regular file" in v.stderr, v.stderr
    spec = spec_file(tmp_path, case)
    r = cli("run", str(spec), "--results", str(tmp_path / "r"), timeout=60)
    assert r.returncode == 2 and "zones.csv: is a " in r.stderr, r.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("table, column", [("build_options", "max_new_mw"), ("corridors", "max_new_mw"),
                                           ("demand", "demand_mw")])
def test_overflow_is_out_of_range(tmp_path, capsys, table, column):
    """1e400 reads as infinity: refused as out of range, also where "inf" means no limit."""
    import csv

    case = copy_example(tmp_path / "case")
    path = case / f"{table}.csv"
    rows = list(csv.reader(path.open(newline="")))
    rows[1][rows[0].index(column)] = "1e400"
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert f"{table}.csv, line 2, column {column}: 1e400 is out of range" in err, err


def test_duplicate_keys_are_capped(tmp_path, capsys):
    """A table pasted into itself many times: 20 duplicate-key lines and one count, not one line per row."""
    case = copy_example(tmp_path / "case")
    path = case / "availability.csv"
    head, *rows = path.read_text().splitlines()
    path.write_text("\n".join([head, *rows * 20]) + "\n")
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert err.count("duplicate key") == 20
    assert f"... and {len(rows) * 19 - 20:,} more rows whose key repeats" in err


@pytest.mark.parametrize("options", [
    'solution_file = "{case}/demand.csv"\nwrite_solution_to_file = true\n',
    'log_file = "{case}/demand.csv"\n', 'write_model_file = "{case}/model.csv"\nwrite_model_to_file = true\n',
    'write_model_file = "model.csv"\n', 'write_presolved_model_file = "{case}/p.mps"\n', 'ranging = "on"\n'])
def test_highs_options_that_write_files_are_refused(tmp_path, capsys, options):
    """Such an option once made `planner run` overwrite an input CSV with HiGHS's solution and exit 0; a
    write_model_file ending in .csv exited 3 as a solver failure. Now: exit 2 naming the option, before anything
    is solved, the case byte-identical."""
    case = copy_example(tmp_path / "case")
    before = snapshot(case)
    spec = spec_file(tmp_path, case, extra="[solver]\n" + options.format(case=case))
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    first = options.split(" =")[0]
    assert f"solver.{first}: HiGHS's option {first}" in err, err
    assert snapshot(case) == before and not (tmp_path / "r").exists()


def test_docs_replaces_only_what_it_wrote(tmp_path, capsys):
    """`planner docs --dir` onto a folder holding a user's own inputs.md: refused, the file as it was; onto its
    own earlier output: replaced."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "inputs.md").write_text("my own notes\n")
    assert main(["docs", "--dir", str(folder)]) == 2
    assert "inputs.md: was not written by `planner docs`" in capsys.readouterr().err
    assert (folder / "inputs.md").read_text() == "my own notes\n" and not (folder / "model.md").exists()
    (folder / "inputs.md").unlink()
    assert main(["docs", "--dir", str(folder)]) == 0
    assert main(["docs", "--dir", str(folder)]) == 0  # its own files: replaced
    assert sorted(p.name for p in folder.iterdir()) == ["inputs.md", "model.md"]


def test_a_folder_where_the_lock_goes_is_named(tmp_path, capsys):
    spec = spec_file(tmp_path, EXAMPLE, name="ex")
    (tmp_path / "r" / ".ex.lock").mkdir(parents=True)
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert ".ex.lock: is a folder where planner keeps the lock" in err and "Traceback" not in err


def test_report_of_a_file_and_a_description_that_is_not_text(tmp_path, capsys):
    spec = spec_file(tmp_path, EXAMPLE, extra="description = 5\n")
    assert main(["report", str(spec)]) == 2
    assert "is a file, not a results folder" in capsys.readouterr().err
    assert main(["validate", str(EXAMPLE)]) == 0
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert "'description' must be text" in capsys.readouterr().err


# ---- the cache ----

@pytest.fixture
def cached(tmp_path, monkeypatch):
    from planner.spec import RunSpec
    from planner.synthetic import write_synthetic_case

    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_CACHE", raising=False)
    case = write_synthetic_case(tmp_path / "case", zones=2, hours=24 * 6, periods=1, weight=1.0)
    return RunSpec(name="syn", inputs=case, time={"representative_days": 2})


@pytest.mark.parametrize("damage", ["truncated", "corrupted", "foreign", "not json"])
def test_a_damaged_cache_entry_is_ignored_with_a_warning_and_rebuilt(cached, tmp_path, capsys, damage):
    from planner.pipeline import load_for_run

    fresh, _, _ = load_for_run(cached)
    (entry,) = (tmp_path / "cache" / "cases").glob("*.json")
    raw = entry.read_bytes()
    head, body = raw.split(b"\n", 1)
    bad = {"truncated": raw[: len(raw) // 2],
           "corrupted": head + b"\n" + body.replace(b"demand", b"dEmand", 1),
           "foreign": json.dumps({**json.loads(head), "key": "0" * 64}).encode() + b"\n" + body,
           "not json": b"PK\x03\x04 something else entirely"}[damage]
    entry.write_bytes(bad)
    capsys.readouterr()
    again, _, _ = load_for_run(cached)
    err = capsys.readouterr().err
    assert f"warning: cache entry {entry}" in err and "ignored" in err, err
    assert sorted(again.tables) == sorted(fresh.tables)
    for name in fresh.tables:
        assert again.tables[name].equals(fresh.tables[name]), name
    assert entry.read_bytes() == raw  # rebuilt: the entry a fresh load writes
    load_for_run(cached)
    assert "warning" not in capsys.readouterr().err


def _fill(spec, rounds: int, queue) -> None:
    """In a child process: load (filling the entry when it is missing), store it again, read it back."""
    from planner.pipeline import _case_from_cache, load_for_run

    try:
        for _ in range(rounds):
            case, agg, _ = load_for_run(spec)
            (entry,) = (Path(os.environ["PLANNER_CACHE_DIR"]) / "cases").glob("*.json")
            cache.store(entry.stem, case, {"aggregation": agg})
            assert cache.load(entry.stem, _case_from_cache) is not None, "read back damaged"
        queue.put("ok")
    except BaseException as exc:  # noqa: BLE001 -- reported to the parent
        queue.put(repr(exc))


def test_two_processes_filling_the_same_entry_neither_corrupt_nor_fail(cached, tmp_path, capsys):
    """Two processes load (and store) the same entry over and over at once: neither fails, the entry reads back
    whole afterwards, no temporary file is left."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_fill, args=(cached, 6, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [queue.get(timeout=5) for _ in procs] == ["ok", "ok"]
    folder = tmp_path / "cache" / "cases"
    (entry,) = folder.glob("*.json")
    assert not list(folder.glob(".*.tmp"))
    assert cache.load(entry.stem, lambda *a: a) is not None
    shutil.rmtree(tmp_path / "cache")
