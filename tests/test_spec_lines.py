"""A run specification's problems name their line, as a CSV's do (planner/spec.py ``key_lines``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.cli import main
from planner.errors import InputError
from planner.spec import key_lines, load_spec, validate_spec
from planner.studies.calibrate import spec_problems

ROOT = Path(__file__).resolve().parents[1]

TEXT = '''\
name = "probe"            # line 1
description = """
threads = 3
"""
periods = [
  2030,
]
[solver]                  # line 8
method = "simplex"
[time]
representative_days = 2
"key.with.dots" . inner = 1
[[cells]]                 # line 13
table = "partners"
where = { partner = "TR" }
[[cells]]                 # line 16
column = "wacc"
'''


def test_key_lines_finds_headers_keys_and_array_tables_and_skips_multiline_values():
    """Hand count of TEXT: 'threads' (line 3) is inside a multi-line string and '2030' inside an array, so
    neither is a key; the second [[cells]] is cells[1]; a quoted dotted key keeps its parts."""
    lines = key_lines(TEXT)
    assert lines == {"name": 1, "description": 2, "periods": 5, "solver": 8, "solver.method": 9, "time": 10,
                     "time.representative_days": 11, "time.key.with.dots.inner": 12, "cells[0]": 13,
                     "cells[0].table": 14, "cells[0].where": 15, "cells[1]": 16, "cells[1].column": 17}


def _spec(tmp_path, body: str):
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "bad"\ninputs = "{ROOT / "inputs" / "example"}"\n' + body)
    return path


def test_each_problem_of_a_specification_names_its_line(tmp_path):
    """Lines of the file below (name 1, inputs 2, a blank 3): 5 solver.method, 7 time.representative_days,
    9 decomposition.workers, 10 its unknown key, 12 settings.discount_rate, 13 the [[cells]] whose column does
    not exist."""
    path = _spec(tmp_path, '\n[solver]\nmethod = "dantzig"\n[time]\nrepresentative_days = 0\n[decomposition]\n'
                           'workers = 0\nbogus = 1\n[settings]\ndiscount_rate = "high"\n[[cells]]\n'
                           'table = "partners"\ncolumn = "nope"\nvalue = 1\n')
    with pytest.raises(InputError) as exc:
        load_spec(path)
    expected = {"solver.method": 5, "time.representative_days": 7, "decomposition.workers": 9,
                "decomposition.bogus": 10, "'high'": 12, "'nope'": 13}
    assert len(exc.value.problems) == len(expected)
    found = {said: [p.line for p in exc.value.problems if said in p.message] for said in expected}
    assert found == {said: [line] for said, line in expected.items()}


def test_the_command_line_prints_the_line(tmp_path, capsys):
    path = _spec(tmp_path, "[time]\nkeep_peak_day = 3\n")
    assert main(["run", str(path), "--results", str(tmp_path / "r")]) == 2
    assert f"{path}, line 4: time.keep_peak_day must be true or false" in capsys.readouterr().err


def test_a_bad_cells_table_is_located_at_its_header(tmp_path):
    path = _spec(tmp_path, '[[cells]]\ntable = "partners"\ncolumn = "wacc"\nvalue = 0.1\n'
                           '[[cells]]\ntable = "partners"\nvalue = 0.1\n')
    with pytest.raises(InputError) as exc:
        load_spec(path)
    assert [p.line for p in exc.value.problems] == [7]


def test_a_calibration_check_is_located_at_its_header(tmp_path):
    path = _spec(tmp_path, '[[calibration]]\nmetric = "generation_twh"\nperiod = 2030\ntarget = 1\n'
                           'tolerance_pct = 5\nsource = "x"\n\n[[calibration]]\nmetric = "nope"\nperiod = 2030\n')
    problems, _ = spec_problems(load_spec(path))
    assert problems and {p.line for p in problems} == {10}


def test_a_specification_made_in_code_has_no_line():
    """A variant built in code (sweeps, partner-value) names no line: there is no file of its own."""
    spec = replace(load_spec(ROOT / "models" / "example.toml"), path=None, time={"representative_days": 0})
    with pytest.raises(InputError) as exc:
        validate_spec(spec)
    assert [p.line for p in exc.value.problems] == [None]
