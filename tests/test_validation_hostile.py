"""Bad input a hostile tester found slipping past or confusing validation: each gets exit code 2 and a message
naming the file, the line and the column (or is accepted on purpose, as tested here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planner.cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "inputs" / "example"


@pytest.fixture
def case(tmp_path):
    dst = tmp_path / "case"
    shutil.copytree(EXAMPLE, dst)
    return dst


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on physical line ``line`` (1 = header; 0 = every data line); "" appends."""
    lines = path.read_bytes().decode().splitlines()
    for i in range(1, len(lines)) if line == 0 else [line - 1]:
        assert old in lines[i], f"{old!r} not on line {i + 1} of {path.name}"
        lines[i] = lines[i].replace(old, new, 1) if old else lines[i] + new
    path.write_text("\n".join(lines) + "\n")


def validate(capsys, folder) -> str:
    code = main(["validate", str(folder)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


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
            "(MW), written with the digits 0-9 only (no _, spaces or thousands separators), e.g. 9000") in err


def test_an_underscore_in_a_whole_number_is_refused_too(case, capsys):
    edit_line(case / "existing_capacity.csv", 2, ",1975,", ",1_975,")
    err = validate(capsys, case)
    assert "existing_capacity.csv, line 2, column build_year: '1_975' is not valid; expected a whole number" in err
