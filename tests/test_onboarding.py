"""What a new user meets first: the version, hints where a command is given the wrong thing, headings that say
what was refused, the example case clean and plain, compare's headers whole, the progress line honest about gaps."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import planner
from planner.cli import main
from planner.progress import SolverLog

ROOT = Path(__file__).parent.parent


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"planner {planner.__version__}"


def test_run_given_a_case_folder_names_its_toml(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["run", "inputs/example"]) == 2
    err = capsys.readouterr().err
    assert ("inputs/example: is a folder, not a run specification (TOML); it is the case of models/example.toml: "
            "give it instead, e.g. `planner run models/example.toml`") in err
    assert main(["partner-value", "inputs/example", "--partner", "TR"]) == 2
    assert "e.g. `planner partner-value models/example.toml`" in capsys.readouterr().err


def test_validate_help_describes_its_argument(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "CASE_DIR    a case folder of CSV tables, e.g. inputs/example" in capsys.readouterr().out


def test_refused_stored_results_are_not_called_inputs(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("1 problem with the stored results:\n") and "is not a results folder (no run.json)" in err


def test_the_example_case_is_clean_and_plain():
    """No warning on any command (nothing retires before the first period), and LF line endings throughout."""
    assert planner.load_case(ROOT / "inputs" / "example").warnings == []
    crlf = [p.name for p in (ROOT / "inputs" / "example").glob("*.csv") if b"\r" in p.read_bytes()]
    assert crlf == []


def test_license_is_an_spdx_expression():
    """A table there is deprecated by setuptools (PEP 639) and warned about on every install."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0"


def test_compare_keeps_long_run_names_whole(tmp_path, capsys):
    planner.run(ROOT / "models" / "example.toml", results=tmp_path)
    long = planner.load_spec(ROOT / "models" / "example.toml", name="example-without-TR-options",
                             scenario={"exclude_partners": ["TR"]})
    planner.run(long, results=tmp_path)
    assert main(["compare", str(tmp_path / "example"), str(tmp_path / "example-without-TR-options"),
                 "--out", str(tmp_path / "cmp")]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("metric"))
    assert " example-without-TR-options " in header and header.endswith("diff example-without-TR-options     rel")


def test_the_progress_line_says_when_hipo_gives_no_gap():
    """HiPO's iterations come from the interrupt callback only (no gap); IPX logs its gap; the interior-point
    summary printed at the end gives the gap the solve ended at."""
    log = SolverLog()
    log.feed("Solving the presolved LP\n")
    log.ipm_iteration(7)
    assert log.describe() == "interior point, iteration 7, gap not reported while HiPO iterates"
    log.feed("Running crossover as requested\n")
    log.feed("    interior solution objective gap (abs/rel):          2.98e-03 / 5.14e-11\n")
    assert log.describe() == "crossover, gap 5.1e-11"
    ipx = SolverLog()
    ipx.feed("Interior point solve\n")
    ipx.ipm_iteration(3)
    ipx.feed("   3   1.50000000e+08  1.20000000e+08   1.00e-01  1.00e-02  2.50e-01    0.1\n")  # IPX: no "s"
    assert ipx.describe().startswith("interior point, iteration 3, gap 2.5e-01")
