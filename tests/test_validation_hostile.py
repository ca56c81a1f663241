"""Bad input a hostile tester found slipping past or confusing validation: each gets exit code 2 and a message
naming the file, the line and the column (or is accepted on purpose, as tested here)."""

from __future__ import annotations

from pathlib import Path

import casekit
import pytest

from planner.cli import main


@pytest.fixture
def case(tmp_path):
    return casekit.copy_example(tmp_path)


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on physical line ``line`` (1 = header; 0 = every data line); "" appends."""
    lines = path.read_bytes().decode().splitlines()
    for i in range(1, len(lines)) if line == 0 else [line - 1]:
        assert old in lines[i], f"{old!r} not on line {i + 1} of {path.name}"
        lines[i] = lines[i].replace(old, new, 1) if old else lines[i] + new
    path.write_text("\n".join(lines) + "\n")


validate = casekit.invalid


# ---------- rows with more or fewer cells than the header ----------

def test_trailing_comma_on_the_first_data_row_is_that_row(case, capsys):
    """Was: pandas took the first column as the index and every message named technologies.csv."""
    edit_line(case / "fuels.csv", 2, "", ",")
    err = validate(capsys, case)
    assert "fuels.csv, line 2: has 4 cells, the header has 3" in err
    assert "technologies.csv" not in err


def test_trailing_comma_on_every_row_names_only_that_file(case, capsys):
    edit_line(case / "zones.csv", 0, "", ",")
    err = validate(capsys, case)
    assert "zones.csv, line 2: has 6 cells, the header has 5" in err
    assert "zones.csv, line 4: has 6 cells, the header has 5" in err
    assert "3 problems in the inputs" in err  # one per row; no knock-on errors in other files


def test_trailing_comma_on_a_later_row_is_in_planners_format(case, capsys):
    """Was: pandas' raw 'C error: Expected 5 fields in line 3, saw 6'."""
    edit_line(case / "zones.csv", 3, "", ",")
    err = validate(capsys, case)
    assert "zones.csv, line 3: has 6 cells, the header has 5" in err
    assert "C error" not in err


def test_a_row_with_a_cell_too_few_is_named(case, capsys):
    """Was: accepted, the missing cell taken as empty."""
    edit_line(case / "zones.csv", 2, ",51.7", "")
    err = validate(capsys, case)
    assert "zones.csv, line 2: has 4 cells, the header has 5" in err


def test_cell_count_with_quoted_cells_and_line_breaks(case, capsys):
    """Quoted cells may hold commas and line breaks: counted as cells, and the line is where the row starts."""
    edit_line(case / "zones.csv", 2, "North,North", '"North, the\nsteppe",North')
    edit_line(case / "zones.csv", 5, "", ",")  # W, now on line 5
    err = validate(capsys, case)
    assert "zones.csv, line 5: has 6 cells, the header has 5" in err
    assert err.count("  - ") == 1


# ---------- how a number is written ----------

@pytest.mark.parametrize("written", ["9_000", "9 000", "9,000", "\u0669\u0660\u0660\u0660"])
def test_a_number_is_digits_only_as_in_a_spreadsheet(case, capsys, written):
    """Python's float() reads 9_000 (and Arabic-Indic digits) as 9000; a spreadsheet does not, so planner does not
    either: the cell is refused with what a valid one looks like."""
    edit_line(case / "existing_capacity.csv", 2, ",9000,", f',"{written}",')
    err = validate(capsys, case)
    assert (f"existing_capacity.csv, line 2, column capacity_mw: {written!r} is not valid; expected a number >= 0 "
            "and <= 1e7 (MW), written with the digits 0-9 and a decimal point . (no _, spaces or thousands "
            "separators; a decimal comma is not read), e.g. 9000") in err


def test_an_underscore_in_a_whole_number_is_refused_too(case, capsys):
    edit_line(case / "existing_capacity.csv", 2, ",1975,", ",1_975,")
    err = validate(capsys, case)
    assert "existing_capacity.csv, line 2, column build_year: '1_975' is not valid; expected a whole number" in err


# ---------- [[cells]] edits are checked like a case read from disk ----------

def model(tmp_path, folder, body: str) -> Path:
    toml = tmp_path / "ex.toml"
    toml.write_text(f'name = "ex"\ninputs = "{folder}"\n[solver]\nmethod = "ipm"\nthreads = 1\n{body}\n')
    return toml


def run_fails(capsys, toml, tmp_path) -> str:
    code = main(["run", str(toml), "--results", str(tmp_path / "r"), "--no-report", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and not (tmp_path / "r" / "ex").exists()
    return err


def cell(table: str, where: str, column: str, value: str) -> str:
    return f'[[cells]]\ntable = "{table}"\nwhere = {{ {where} }}\ncolumn = "{column}"\nvalue = {value}\n'


def test_a_cell_edit_naming_an_unknown_zone_is_refused(tmp_path, case, capsys):
    """Was: exit 0 with N's coal silently dropped from the model."""
    err = run_fails(capsys, model(tmp_path, case, cell("existing_capacity", 'zone = "N"', "zone", '"Q"')), tmp_path)
    assert ("ex.toml, line 6: cell edit 'existing_capacity-N-zone=Q' makes the case wrong: existing_capacity.csv, "
            "line 2, column zone: 'Q' is not a known zone of zones.csv; known: N, S, W") in err


def test_a_cell_edit_that_repeats_a_key_is_refused(tmp_path, case, capsys):
    """Was: exit 0 with two (N, coal, 1975) cohorts."""
    err = run_fails(capsys, model(tmp_path, case, cell("existing_capacity", 'zone = "N"', "build_year", "1975")),
                    tmp_path)
    assert ("cell edit 'existing_capacity-N-build_year=1975' makes the case wrong: existing_capacity.csv, line 3: "
            "duplicate key (zone=N, technology=coal, build_year=1975)") in err


def test_an_edit_of_a_referenced_id_breaks_the_tables_that_name_it(tmp_path, case, capsys):
    err = run_fails(capsys, model(tmp_path, case, cell("zones", 'zone = "W"', "zone", '"X"')), tmp_path)
    assert "makes the case wrong: demand.csv, line " in err and "'W' is not a known zone of zones.csv" in err


def test_the_sweeps_cell_edits_are_checked_the_same_way(case):
    from planner.errors import InputError
    from planner.load import load_case
    from planner.scenario import apply_scenario
    from planner.spec import RunSpec
    from planner.studies.sweep import parse_vary, variants

    spec = RunSpec(name="ex", inputs=case)
    bad, good = variants(spec, parse_vary(["existing_capacity.csv:zone=N:zone=Q,S"]))
    with pytest.raises(InputError, match="'Q' is not a known zone"):
        apply_scenario(load_case(case), bad)
    apply_scenario(load_case(case), good)  # S exists; N and S coal cohorts of other years: no duplicate key


# ---------- an edit of settings.csv ----------

def test_a_settings_edit_takes_effect(tmp_path, case):
    """Was: ignored (the run used 0.08 while its stored settings.csv said 0.5)."""
    from planner.load import load_case
    from planner.scenario import apply_scenario
    from planner.spec import load_spec

    spec = load_spec(model(tmp_path, case, cell("settings", 'setting = "discount_rate"', "value", '"0.5"')))
    edited = apply_scenario(load_case(case), spec)
    assert edited.settings["discount_rate"] == 0.5
    assert list(edited["settings"].set_index("setting").loc[["discount_rate"], "value"]) == ["0.5"]


def test_a_settings_edit_is_validated_by_its_settings_rules(tmp_path, case, capsys):
    """Was: 'abc' accepted (settings.csv's value column is text)."""
    toml = model(tmp_path, case, cell("settings", 'setting = "discount_rate"', "value", '"abc"'))
    code = main(["run", str(toml), "--results", str(tmp_path / "r"), "--no-report", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert ("ex.toml, line 6: cell edit 'settings-discount_rate-value=abc': settings.csv, setting discount_rate, "
            "column value: 'abc' is not valid; expected a number >= 0 and <= 1") in err


def test_a_settings_edit_of_every_row_is_checked_row_by_row(tmp_path, case, capsys):
    err = run_fails(capsys, model(tmp_path, case, cell("settings", "", "value", '"0.5"')), tmp_path)
    assert "settings.csv, line 4, column value: setting base_year: '0.5' is not valid" in err


def test_a_settings_edit_under_a_settings_override_is_refused(tmp_path, case, capsys):
    """[settings] wins over settings.csv: an edit of the same setting would do nothing; say so."""
    body = "[settings]\ndiscount_rate = 0.1\n" + cell("settings", 'setting = "discount_rate"', "value", '"0.5"')
    err = run_fails(capsys, model(tmp_path, case, body), tmp_path)
    assert "[settings] sets it too" in err and "--vary settings.discount_rate=V1,V2" in err


def test_a_sweep_over_a_setting_varies_it(case):
    """Was: every variant identical."""
    from planner.errors import InputError
    from planner.load import load_case
    from planner.scenario import apply_scenario
    from planner.spec import RunSpec
    from planner.studies.sweep import parse_vary, variants

    spec = RunSpec(name="ex", inputs=case)
    rates = [apply_scenario(load_case(case), v).settings["discount_rate"]
             for v in variants(spec, parse_vary(["settings.csv:setting=discount_rate:value=0.06,0.1"]))]
    assert rates == [0.06, 0.1]
    with pytest.raises(InputError, match="'abc' is not valid"):
        parse_vary(["settings.csv:setting=discount_rate:value=0.06,abc"])
    with pytest.raises(InputError, match="unknown setting 'discount'"):
        parse_vary(["settings.csv:setting=discount:value=0.06"])


# ---------- the run specification ----------

def test_a_run_specification_with_a_byte_order_mark_is_read(tmp_path, case):
    """Was: 'Invalid statement (at line 1, column 1)'; a CSV with a BOM was accepted, so a TOML is too."""
    from planner.spec import load_spec

    toml = model(tmp_path, case, "")
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    assert load_spec(toml).name == "ex"


def test_an_unknown_partner_to_highlight_is_refused(tmp_path, case, capsys):
    """Was: accepted silently (the report picked out nothing)."""
    err = run_fails(capsys, model(tmp_path, case, '[report]\nhighlight_partners = ["TR", "XX"]'), tmp_path)
    assert ("ex.toml, line 7: report.highlight_partners names unknown partners ['XX']; "
            "partners.csv has ['KZ', 'TR']") in err


@pytest.mark.parametrize("name, what", [("ex.toml", "a run specification (TOML)"), ("demand.csv", "a file")])
def test_validate_given_a_file_says_it_takes_a_case_folder(tmp_path, case, capsys, name, what):
    """Was: 'case folder does not exist' for a file that does."""
    path = model(tmp_path, case, "") if name == "ex.toml" else case / name
    err = validate(capsys, path)
    assert f"{path}: is {what}, not a case folder; a case is a folder of CSV tables, e.g. inputs/example" in err


# ---------- magnitudes ----------

def test_a_demand_beyond_any_real_system_is_refused(case, capsys):
    """Was: valid, then exit 3 'Infeasible' with no explanation (HiGHS takes 1e20 as infinity)."""
    lines = (case / "demand.csv").read_text().splitlines()
    lines[1] = "N,0,1e21"
    (case / "demand.csv").write_text("\n".join(lines) + "\n")
    err = validate(capsys, case)
    assert ("demand.csv, line 2, column demand_mw: 1e21 is out of range; expected a number >= 0 and <= 1e7 (MW)"
            in err)


def test_a_stress_test_of_a_million_mw_is_still_valid(case, capsys):
    lines = (case / "demand.csv").read_text().splitlines()
    lines[1] = "N,0,1000000"
    (case / "demand.csv").write_text("\n".join(lines) + "\n")
    assert main(["validate", str(case)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("file, line, old, new, column, bound", [
    ("technologies.csv", 2, "coal,thermal,coal,2.9,1800", "coal,thermal,coal,2.9,1.8e9", "capex_usd_per_kw",
     "<= 1e6 (USD/kW)"),
    ("corridors.csv", 2, "N-S,N,S,2100", "N-S,N,S,2.1e9", "capacity_mw", "<= 1e7 (MW)"),
])
def test_magnitude_bounds_name_the_cell_and_the_bound(case, capsys, file, line, old, new, column, bound):
    edit_line(case / file, line, old, new)
    err = validate(capsys, case)
    assert f"{file}, line {line}, column {column}: " in err and f"is out of range; expected a number >= 0 and {bound}" \
        in err
