"""Defects a tester found after the hostile round: checks skipped on a cache hit, numbers without an upper bound,
programme sizes, hints that do not fit their column, unclosed quotes. Each gets exit 2 and a message naming the
file, line and column (or the option or key), or is accepted on purpose, as tested here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import InputError

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "inputs" / "example"


@pytest.fixture
def case(tmp_path):
    dst = tmp_path / "case"
    shutil.copytree(EXAMPLE, dst)
    return dst


def validate(capsys, folder) -> str:
    code = main(["validate", str(folder)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


# ---------- checks of the run specification against the case, on a cache hit too ----------

@pytest.fixture
def hourly(case):
    """The example with every timestep an hour of a 48-hour year: representative days can be made of it."""
    ts = (case / "timesteps.csv").read_text().splitlines()
    rows = [line.split(",") for line in ts[1:]]
    (case / "timesteps.csv").write_text("\n".join([ts[0]] + [",".join([r[0], "1", *r[2:]]) for r in rows]) + "\n")
    with (case / "settings.csv").open("a") as f:
        f.write("hours_per_year,48\n")
    return case


def test_an_unknown_partner_to_highlight_is_refused_on_a_cache_hit(hourly, tmp_path, monkeypatch):
    """Was: refused on the first run, accepted once the run's case came from the cache (spec.report is not
    part of the key, and a hit skipped apply_scenario)."""
    from planner.run import load_for_run
    from planner.spec import RunSpec

    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_CACHE", raising=False)
    spec = RunSpec(name="hrd", inputs=hourly, path=tmp_path / "hrd.toml", time={"representative_days": 1},
                   report={"highlight_partners": ["TR"]})
    load_for_run(spec)
    assert list((tmp_path / "cache" / "cases").glob("*.json"))  # stored: the next load is a hit
    spec.report = {"highlight_partners": ["XX"]}
    with pytest.raises(InputError, match=r"hrd.toml: report.highlight_partners names unknown partners \['XX'\]"):
        load_for_run(spec)


def test_the_case_warnings_reach_the_run(case, tmp_path, monkeypatch):
    """Was: apply_scenario dropped Case.warnings, so `planner run` printed none and run.json kept []."""
    from planner.load import load_case
    from planner.run import apply_scenario
    from planner.spec import RunSpec

    loaded = load_case(case)
    assert any("retires in 2030" in str(w) for w in loaded.warnings)  # W's gas_ocgt of 2000, lifetime 30
    spec = RunSpec(name="ex", inputs=case)
    assert [str(w) for w in apply_scenario(loaded, spec).warnings] == [str(w) for w in loaded.warnings]


def test_a_cell_edit_that_cures_a_warning_drops_it(case):
    from planner.cells import Cell
    from planner.load import load_case
    from planner.run import apply_scenario
    from planner.spec import RunSpec

    spec = RunSpec(name="ex", inputs=case, cells=[Cell("existing_capacity", (("zone", "W"),), "retirement_year", 2040)])
    assert apply_scenario(load_case(case), spec).warnings == []
