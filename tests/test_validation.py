"""Every class of bad input gets one clear message naming file, line and column, and exit code 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import InputError
from planner.load import load_case

EXAMPLE = Path(__file__).parent.parent / "inputs" / "example"


@pytest.fixture
def case(tmp_path):
    dst = tmp_path / "case"
    shutil.copytree(EXAMPLE, dst)
    return dst


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def problems(folder) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_case(folder)
    return [str(p) for p in exc.value.problems]


def test_example_is_valid():
    load_case(EXAMPLE)


def test_unknown_zone(case):
    edit(case / "demand.csv", "N,0,", "Q,0,")
    assert any("demand.csv, line 2, column zone: 'Q' is not a known zone of zones.csv" in p for p in problems(case))


def test_unknown_technology(case):
    edit(case / "build_options.csv", "N,coal,KZ", "N,lignite,KZ")
    msgs = problems(case)
    assert any("build_options.csv, line 2, column technology: 'lignite' is not a known technology" in p for p in msgs)


def test_missing_required_column(case):
    text = (case / "technologies.csv").read_text().replace(",lifetime_yr", ",life")
    (case / "technologies.csv").write_text(text)
    msgs = problems(case)
    assert any("technologies.csv, line 1, column lifetime_yr: required column is missing" in p for p in msgs)
    assert any("technologies.csv, line 1, column life: unknown column" in p for p in msgs)


def test_non_numeric_value(case):
    edit(case / "technologies.csv", "coal,thermal,coal,2.9,1800", "coal,thermal,coal,2.9,lots")
    msgs = problems(case)
    assert any("technologies.csv, line 2, column capex_usd_per_kw: 'lots' is not valid; "
               "expected a number >= 0 and <= 1e6 (USD/kW)" in p
               for p in msgs)


def test_negative_value(case):
    edit(case / "corridors.csv", "N-S,N,S,2100", "N-S,N,S,-2100")
    assert any("corridors.csv, line 2, column capacity_mw: -2100 is out of range; expected a number >= 0 and <= 1e7 "
               "(MW)" in p for p in problems(case))


def test_profile_out_of_unit_range(case):
    edit(case / "availability.csv", "N,solar,0,0.0", "N,solar,0,1.5")
    assert any("availability.csv, line 2, column availability_pu: 1.5 is out of range; "
               "expected a number >= 0 and <= 1" in p
               for p in problems(case))


def test_profile_of_wrong_length(case):
    lines = (case / "demand.csv").read_text().splitlines()
    (case / "demand.csv").write_text("\n".join(lines[:-1]) + "\n")  # drop the last zone's last hour
    assert any("demand.csv" in p and "has no row for 1 of 48 timesteps" in p for p in problems(case))


def test_duplicate_key(case):
    text = (case / "zones.csv").read_text()
    (case / "zones.csv").write_text(text + "N,North again,North,50,70\n")
    assert any("zones.csv, line 5: duplicate key (zone=N)" in p for p in problems(case))


def test_corridor_to_itself(case):
    edit(case / "corridors.csv", "N-S,N,S,", "N-S,N,N,")
    assert any("corridors.csv, line 2, column to_zone: corridor 'N-S' runs from 'N' to itself" in p
               for p in problems(case))


def test_every_problem_reported_at_once(case):
    edit(case / "corridors.csv", "N-S,N,S,", "N-S,N,N,")
    edit(case / "demand.csv", "N,0,", "Q,0,")
    edit(case / "technologies.csv", "coal,thermal,coal,2.9,1800", "coal,thermal,coal,2.9,lots")
    assert len(problems(case)) >= 2  # cell and reference problems together; cross-table ones follow once cells parse


def test_missing_file_and_unknown_file(case):
    (case / "timesteps.csv").unlink()
    (case / "extra.csv").write_text("a\n1\n")
    msgs = problems(case)
    assert any(p.startswith("timesteps.csv: file is missing") for p in msgs)
    assert any(p.startswith("extra.csv: unknown table") for p in msgs)


def test_cli_exit_code_2_without_traceback(case, capsys):
    edit(case / "corridors.csv", "N-S,N,S,", "N-S,N,N,")
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert "corridors.csv, line 2, column to_zone" in err
    assert "Traceback" not in err


def test_bad_run_spec_exit_2(tmp_path, capsys):
    spec = tmp_path / "m.toml"
    spec.write_text('name = "x"\ninputs = "nowhere"\ncolour = "red"\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert "unknown key 'colour'" in capsys.readouterr().err


def test_must_run_above_availability(case):
    """A must-run share above what the plant can deliver could only end in an infeasible model: caught first."""
    (case / "min_output.csv").write_text("zone,technology,timestep,min_output_pu\nN,coal,0,0.5\nN,coal,1,0.95\n")
    assert any("min_output.csv, line 3, column min_output_pu: min_output_pu 0.95 exceeds the availability 0.85 of coal "
               "in N"
               in p for p in problems(case))


def test_non_numeric_whole_number(case):
    edit(case / "periods.csv", "2030,5,", "2030,five,")
    assert any("periods.csv, line 2, column years: 'five' is not valid; expected a whole number >= 1 and <= 100 "
               "(yr)" in p for p in problems(case))


def test_corridor_pair_given_twice(case):
    text = (case / "corridors.csv").read_text()
    (case / "corridors.csv").write_text(text + "S-N,S,N,500,0.04,1000,800,0,0.8\n")
    assert any("corridors.csv, line 4, column to_zone: corridor 'S-N' joins S and N like corridor 'N-S'" in p
               for p in problems(case))


def test_export_price_above_import_price(case):
    edit(case / "trade_prices.csv", "RU-N,2030,60,30", "RU-N,2030,60,70")
    assert any("trade_prices.csv, line 2, column export_price_usd_per_mwh: export price 70 exceeds import price 60" in p
               for p in problems(case))


def test_energy_sized_storage_needs_an_energy_cost(case):
    edit(case / "technologies.csv", "battery,storage,,0,900,10,1,15,1,0.5,0,0.95,0.95,4",
         "battery,storage,,0,900,10,1,15,1,0.5,0,0.95,0.95,")
    assert any("technologies.csv, line 7, column capex_usd_per_kwh: storage 'battery' sizes its energy separately" in p
               for p in problems(case))


@pytest.mark.parametrize("section, message", [
    ('[settings]\ndiscount_rate = "x"\n', "[settings], line 4, column discount_rate: 'x' is not valid; "
                                          "expected a number >= 0 and <= 1"),
    ("[settings]\nvalue_of_lost_load_usd_per_mwh = -10\n",
     "column value_of_lost_load_usd_per_mwh: -10 is out of range"),
    ("time = 3\n", "[time] must be a table"),
    ('[scenario]\ndemand_multiplier = "abc"\n', "scenario.demand_multiplier must be a number >= 0"),
    ('[scenario]\nexclude_partners = "TR"\n', "scenario.exclude_partners must be a list of partner ids"),
    ('[solver]\nthreads = "two"\n', "solver.threads = 'two'; expected a whole number >= 1"),
    ('[solver]\nmethod = "magic"\n', "solver.method = 'magic'; expected one of"),
])
def test_bad_run_spec_sections_exit_2(tmp_path, capsys, section, message):
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "x"\ninputs = "{EXAMPLE}"\n{section}')
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unknown_highs_option_exit_2(tmp_path, capsys):
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "x"\ninputs = "{EXAMPLE}"\n[solver]\nno_such_option = 3\n')
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert "HiGHS does not accept no_such_option = 3" in capsys.readouterr().err
