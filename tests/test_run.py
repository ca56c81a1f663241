"""Runs end to end: non-optimal status is an error, results are written whole or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casekit import hours, write_case

import planner.runner as run_mod
from planner.cli import main
from planner.errors import SolveError
from planner.spec import load_spec

ROOT = Path(__file__).parent.parent


def infeasible_case(folder: Path) -> Path:
    """Must-run 100 MW (min_output 1.0 of 100 MW existing) against 50 MW of demand and nowhere to send it."""
    return write_case(folder,
                      technologies=[{"technology": "chp", "kind": "thermal", "lifetime_yr": 100, "min_output_pu": 1.0}],
                      existing_capacity=[{"zone": "A", "technology": "chp", "build_year": 2000, "capacity_mw": 100}],
                      timesteps=hours([8760]), demand=[{"zone": "A", "timestep": 0, "demand_mw": 50}])


def spec_for(tmp_path: Path, case: Path, extra: str = "") -> Path:
    p = tmp_path / "m.toml"
    p.write_text(f'name = "t"\ninputs = "{case}"\n{extra}')
    return p


def test_infeasible_exits_3_and_writes_nothing(tmp_path, capsys):
    spec = spec_for(tmp_path, infeasible_case(tmp_path / "c"))
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 3
    err = capsys.readouterr().err
    assert "Infeasible" in err and "Traceback" not in err
    # explained in terms of the inputs: the must-run row and the demand it cannot fit into
    assert "dispatch_min[A,chp,2030,0]: min_output.csv / technologies.csv min_output_pu" in err
    assert "balance[A,2030,0]: demand.csv demand_mw" in err
    assert not (tmp_path / "r" / "t").exists()


def test_time_limit_is_an_error_not_a_result(tmp_path):
    spec = load_spec(spec_for(tmp_path, ROOT / "inputs" / "example", "[solver]\ntime_limit_s = 0.0\n"))
    with pytest.raises(SolveError, match="[Tt]ime limit"):
        run_mod.run_spec(spec, tmp_path / "r")
    assert not (tmp_path / "r" / "t").exists()


def test_run_writes_tables_and_provenance(tmp_path):
    assert main(["run", str(ROOT / "models" / "example.toml"), "--results", str(tmp_path)]) == 0
    meta = json.loads((tmp_path / "example" / "run.json").read_text())
    assert meta["status"] == "optimal"
    assert len(meta["inputs_sha256"]) == 64
    assert set(meta["timings_s"]) >= {"load_s", "build_s", "solve_s", "write_s"}
    for name in ("capacity", "new_capacity", "generation", "prices", "flows", "costs", "emissions", "shadow_prices"):
        assert (tmp_path / "example" / f"{name}.csv").is_file(), name


def test_run_json_is_written_once_with_every_stage_time(tmp_path, monkeypatch):
    """Without a report run.json is written once, by the seal that moves the results into place; with one, once
    more before the report (which reads the sealed results), and the report's time is in the final run.json."""
    writes = []
    real = Path.write_text

    def counted(self, *a, **k):
        if self.name == "run.json":
            writes.append(self)
        return real(self, *a, **k)
    monkeypatch.setattr(Path, "write_text", counted)
    spec = load_spec(ROOT / "models" / "example.toml")
    out = run_mod.run_spec(spec, tmp_path / "plain")
    assert len(writes) == 1
    assert {"write_s", "extract_s", "solve_s"} <= set(json.loads((out.folder / "run.json").read_text())["timings_s"])
    writes.clear()
    out = run_mod.run_spec(spec, tmp_path / "reported", report=True)
    meta = json.loads((out.folder / "run.json").read_text())
    assert len(writes) == 2 + 1 and meta["timings_s"]["report_s"] > 0  # + the report's own run.json
    assert sum(1 for w in writes if w.parent.name == "report") == 1


def test_failed_write_keeps_the_earlier_result(tmp_path, monkeypatch):
    spec = load_spec(ROOT / "models" / "example.toml")
    first = run_mod.run_spec(spec, tmp_path)
    before = (first.folder / "run.json").read_text()

    def broken(folder, tables, meta=None):
        (folder / "capacity.csv").write_text("half")
        raise OSError("disk full")
    monkeypatch.setattr(run_mod, "write_tables", broken)
    with pytest.raises(OSError):
        run_mod.run_spec(spec, tmp_path)
    assert (first.folder / "run.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example"]  # no temporary folder left behind


def test_every_constraint_family_can_be_explained():
    """An infeasibility report can name the inputs behind any constraint the model declares."""
    from planner.explain import INPUTS
    from planner.model.build import FAMILIES
    missing = [c for cons in FAMILIES.values() for c in cons if c not in INPUTS]
    assert missing == []


def test_reserve_margin_out_of_reach_is_explained(tmp_path, capsys):
    """With no new builds allowed, the example's 10 % reserve margin cannot be met by the existing fleet:
    the run stops with exit 3 and names the reserve-margin row and the inputs behind it."""
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "nb"\ninputs = "{ROOT / "inputs" / "example"}"\n[scenario]\nno_new_builds = true\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 3
    err = capsys.readouterr().err
    assert "reserve_margin[*,2030]" in err and "reserve_margins.csv margin_pu" in err


def test_rows_without_decisions_are_dropped_or_explained(tmp_path, capsys):
    """A fuel limit on a fuel nobody burns holds trivially and is dropped (the run solves); a reserve margin
    that no technology can count towards cannot hold and is explained (exit 3, not a traceback)."""
    base = dict(technologies=[{"technology": "gen", "kind": "thermal", "lifetime_yr": 100, "vom_usd_per_mwh": 10}],
                existing_capacity=[{"zone": "A", "technology": "gen", "build_year": 2000, "capacity_mw": 100}],
                timesteps=hours([8760]), demand=[{"zone": "A", "timestep": 0, "demand_mw": 50}])
    fine = write_case(tmp_path / "fine", fuels=[{"fuel": "oil", "price_usd_per_mwh_th": 50}],
                      fuel_limits=[{"fuel": "oil", "period": 2030, "max_use_mwh_th": 1000}], **base)
    assert main(["run", str(spec_for(tmp_path, fine)), "--results", str(tmp_path / "r"), "--no-report"]) == 0
    short = write_case(tmp_path / "short", reserve_margins=[{"region": "*", "period": 2030, "margin_pu": 0.1}], **base)
    assert main(["run", str(spec_for(tmp_path, short)), "--results", str(tmp_path / "r")]) == 3
    err = capsys.readouterr().err
    assert "reserve_margin[*,2030] cannot hold whatever is built or dispatched: reserve_margins.csv margin_pu" in err
    assert "Traceback" not in err


def test_failed_move_restores_the_earlier_result(tmp_path, monkeypatch):
    """If putting the new folder in place fails after the old one was moved aside, the old one comes back."""
    import os

    from planner import store
    target = tmp_path / "run"
    store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("old"))
    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the second move: new folder into place
            raise OSError("interrupted")
        return real(src, dst)
    monkeypatch.setattr(store.os, "replace", flaky)
    with pytest.raises(OSError):
        store.write_results(target, lambda tmp: (tmp / "a.csv").write_text("new"))
    monkeypatch.setattr(store.os, "replace", real)
    assert (target / "a.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
