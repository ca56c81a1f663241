"""Sweeps over any cell of any input table (planner/cells.py), on the commitment case worked by hand.

The case (tests/test_placement_commitments.py): demand 100 MW for 1000 h, existing gas at 50 USD/MWh, TR solar at
1000 USD/kW, lifetime 10, availability 0.5, one year, r = 0. A programme of Q MW costs
    objective = Q * annuity + (100 - 0.5 Q) * 1000 * 50,   annuity = 1e6 * CRF(wacc, 10)
    wacc 0:   annuity 1e5         Q = 10: 1e6 + 4.75e6 = 5.75e6
                                  Q = 30: 3e6 + 4.25e6 = 7.25e6
    wacc 0.1: annuity 162,745.39  Q = 10: 1,627,453.95 + 4.75e6 = 6,377,453.95
                                  Q = 30: 4,882,361.85 + 4.25e6 = 9,132,361.85
"""

from __future__ import annotations

import pytest
from pytest import approx
from test_placement_commitments import case, row

from planner.errors import InputError
from planner.runner import run_spec
from planner.spec import RunSpec, load_spec
from planner.studies.sweep import parse_vary, run_sweep, variants


def spec_for(folder) -> RunSpec:
    return RunSpec(name="c", inputs=folder, scenario={"partner_commitments": True}, solver={"method": "simplex"})


def test_sweep_varies_a_partner_cell_and_a_commitment_size(tmp_path):
    f = case(tmp_path / "c", [row(30, "MW")])
    vary = parse_vary(["partners.csv:partner=TR:wacc=0,0.1",
                       "partner_commitments.csv:partner=TR&period=2030:quantity=10,30"])
    table = run_sweep(spec_for(f), vary, tmp_path / "r").set_index("variant")
    assert list(table["objective_usd"]) == approx([5.75e6, 7.25e6, 6377453.948825115, 9132361.846475346], rel=1e-9)
    assert list(table["partners.csv:partner=TR:wacc"]) == ["0", "0", "0.1", "0.1"]
    name = "c-partners-TR-wacc=0.1-partner_commitments-TR-2030-quantity=30"
    assert table.index[-1] == name and (tmp_path / "r" / name / "run.json").is_file()


def test_cells_in_a_run_specification(tmp_path):
    """The same edit written as [[cells]] in TOML: wacc 0.1, programme 30 MW -> 9,132,361.85."""
    f = case(tmp_path / "c", [row(30, "MW")])
    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "c"\ninputs = "{f}"\n[scenario]\npartner_commitments = true\n[solver]\nmethod = '
                    '"simplex"\n'
                    '[[cells]]\ntable = "partners.csv"\nwhere = { partner = "TR" }\ncolumn = "wacc"\nvalue = 0.1\n')
    out = run_spec(load_spec(toml), None)
    assert out.meta["objective_usd"] == approx(9132361.846475346, rel=1e-9)
    assert out.meta["cell_edits"] == [{"table": "partners", "where": {"partner": "TR"}, "column": "wacc", "value": 0.1}]


@pytest.mark.parametrize("item, message", [
    ("partners.csv:partner=TR:wacc=0.1,2", "out of range"),                 # the schema's range of wacc
    ("partners.csv:partner=TR:cost=0.1", "has no column 'cost'"),
    ("nosuch.csv:partner=TR:wacc=0.1", "not an input table"),
    ("partners.csv:partner:wacc=0.1", "is not COLUMN=VALUE"),
])
def test_bad_cell_selectors_fail_before_solving(item, message):
    with pytest.raises(InputError, match=message):
        parse_vary([item])


def test_a_selector_that_matches_nothing_is_named(tmp_path):
    f = case(tmp_path / "c", [row(30, "MW")])
    (v,) = variants(spec_for(f), parse_vary(["partners.csv:partner=CN:wacc=0.1"]))
    with pytest.raises(InputError, match="no row of partners.csv has partner = CN"):
        run_spec(v, None)


def test_an_edit_that_breaks_a_cross_table_rule_is_caught(tmp_path):
    """min_share above max_share is valid cell by cell but not together: the edited case is checked like a
    loaded one."""
    f = case(tmp_path / "c", [row(30, "MW")])
    (v,) = variants(spec_for(f), parse_vary(["partners.csv:partner=TR:min_share=0.9"]))
    v.cells.append(v.cells[0].__class__("partners", (("partner", "TR"),), "max_share", 0.5))
    with pytest.raises(InputError, match="min_share 0.9 exceeds max_share 0.5"):
        run_spec(v, None)
