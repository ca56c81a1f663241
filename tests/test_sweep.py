"""Sweeps: every combination solved, on this machine or through a Dask cluster, with the same answers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from planner.run import run_spec
from planner.spec import load_spec
from planner.studies.sweep import parse_vary, run_sweep, variants

ROOT = Path(__file__).parent.parent


def test_variants_are_the_product_of_the_values():
    spec = load_spec(ROOT / "models" / "example.toml")
    vs = variants(spec, parse_vary(["settings.discount_rate=0.06,0.1", "scenario.demand_multiplier=0.9,1,1.1"]))
    assert len(vs) == 6
    assert vs[0].name == "example-discount_rate=0.06-demand_multiplier=0.9"
    assert vs[-1].settings["discount_rate"] == 0.1 and vs[-1].scenario["demand_multiplier"] == 1.1


def test_sweep_on_a_local_dask_cluster_matches_direct_runs(tmp_path):
    """Each variant's objective equals the one of solving that variant directly."""
    spec = load_spec(ROOT / "models" / "example.toml")
    vary = parse_vary(["settings.discount_rate=0.06,0.1"])
    table = run_sweep(spec, vary, tmp_path, scheduler="local").set_index("variant")
    for v in variants(spec, vary):
        direct = run_spec(copy.deepcopy(v), None).meta["objective_usd"]
        assert table.at[v.name, "objective_usd"] == pytest.approx(direct, rel=1e-9)
        assert (tmp_path / v.name / "run.json").is_file()
    assert (tmp_path / "example-sweep" / "sweep.csv").is_file()
    # a higher discount rate lowers the present value of the same future costs
    assert table["objective_usd"].iloc[0] > table["objective_usd"].iloc[1]


def test_bad_vary_is_an_input_error():
    from planner.errors import InputError
    with pytest.raises(InputError, match="SECTION.KEY=V1,V2"):
        parse_vary(["discount_rate=0.1"])
