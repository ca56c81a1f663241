"""Sweeps: every combination solved, on this machine or through a Dask cluster, with the same answers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from planner.runner import run_spec
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


def _no_solve(monkeypatch):
    import planner.runner

    never = lambda *a, **k: pytest.fail("solved before every variant was checked")  # noqa: E731
    monkeypatch.setattr(planner.runner, "run_spec", never)


@pytest.mark.parametrize("varies, message", [
    # the bad value comes after a good one: before, the good variant was solved and written first
    (["settings.discount_rate=0.06,2"],
     "- --vary: settings.discount_rate=2: discount_rate: 2 is out of range; expected a number >= 0 and <= 1"),
    (["settings.discount_rate=0.06", "time.representative_days=2,0"],
     "- --vary: time.representative_days=0: time.representative_days must be a whole number >= 1"),
    (["solver.time_limit_s=10,-1"], "- --vary: solver.time_limit_s=-1: solver.time_limit_s = -1; expected a number"),
    # valid alone, not together: min_share above max_share
    (["partners.csv:partner=TR:min_share=0,0.9", "partners.csv:partner=TR:max_share=1,0.5"],
     "- --vary: the variant example-partners-TR-min_share=0.9-partners-TR-max_share=0.5: "),
])
def test_every_variant_is_checked_before_the_first_solve(tmp_path, capsys, monkeypatch, varies, message):
    """Exit 2 naming --vary and the value (not the run specification, which the user did not get wrong);
    nothing solved, nothing written."""
    _no_solve(monkeypatch)
    from planner.cli import main

    args = [a for v in varies for a in ("--vary", v)]
    assert main(["sweep", str(ROOT / "models" / "example.toml"), *args, "--results", str(tmp_path / "sw")]) == 2
    err = capsys.readouterr().err
    assert message in err and "example.toml" not in err
    assert not (tmp_path / "sw").exists()


def test_a_variant_folder_that_is_not_planner_s_fails_before_the_first_solve(tmp_path, capsys, monkeypatch):
    _no_solve(monkeypatch)
    from planner.cli import main

    mine = tmp_path / "sw" / "example-discount_rate=0.1"
    mine.mkdir(parents=True)
    (mine / "u.txt").write_text("mine")
    assert main(["sweep", str(ROOT / "models" / "example.toml"), "--vary", "settings.discount_rate=0.06,0.1",
                 "--results", str(tmp_path / "sw")]) == 2
    assert "example-discount_rate=0.1: exists and is not a results folder" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "sw").iterdir()) == ["example-discount_rate=0.1"]
    assert sorted(p.name for p in mine.iterdir()) == ["u.txt"]


def test_a_value_with_a_space_makes_a_valid_unique_folder_name():
    """partners.csv's name 'Turkish partners' as a selector: the variant's folder is example-partners-
    Turkish_partners-..., and two values that would make the same name are kept apart."""
    from planner.store import name_problem
    from planner.studies.sweep import check_variants

    spec = load_spec(ROOT / "models" / "example.toml")
    vary = parse_vary(["partners.csv:name=Turkish partners:wacc=0.07,0.08"])
    vs = variants(spec, vary)
    assert [v.name for v in vs] == ["example-partners-Turkish_partners-wacc=0.07",
                                    "example-partners-Turkish_partners-wacc=0.08"]
    check_variants(spec, vary, vs)  # the edits select TR's row and the names are valid: no InputError
    clash = [v.name for v in variants(spec, {("scenario", "tag"): ["a b", "a_b", "a/b"]})]
    assert clash == ["example-tag=a_b", "example-tag=a_b-2", "example-tag=a_b-3"]
    long = [v.name for v in variants(spec, {("scenario", "tag"): ["y" * 200 + "1", "y" * 200 + "2"]})]
    assert long[0] != long[1] and all(len(n) <= 150 and n.startswith("example-tag=yyy") for n in long)
    assert all(name_problem(n) is None for n in [v.name for v in vs] + clash + long)


def test_a_variant_the_solver_fails_on_is_named(tmp_path, capsys):
    """time_limit_s = 0 stops HiGHS at once: exit 3, naming the variant and the one solved before it."""
    from planner.cli import main

    assert main(["sweep", str(ROOT / "models" / "example.toml"), "--vary", "solver.time_limit_s=100,0",
                 "--results", str(tmp_path / "sw")]) == 3
    err = capsys.readouterr().err
    assert "solver status 'Time limit reached'" in err
    assert "in the variant example-time_limit_s=0 of the sweep; sweep.csv is not written" in err
    assert "the variants solved are written: example-time_limit_s=100" in err
    assert not (tmp_path / "sw" / "example-sweep").exists()


@pytest.mark.parametrize("kind", ["run", "study"])
def test_a_variant_folder_refusal_fits_a_name_made_from_vary(tmp_path, capsys, monkeypatch, kind):
    """A variant's name comes from --vary: the refusal said "give the run another name", which a sweep cannot."""
    from planner.cli import main
    from planner.store import write_results

    _no_solve(monkeypatch)
    variant = tmp_path / "sw" / "example-discount_rate=0.1"
    write_results(variant, lambda tmp: (tmp / "capacity.csv").write_text("a\n1\n"), kind)
    (variant / "notes.txt").write_text("mine\n")
    assert main(["sweep", str(ROOT / "models" / "example.toml"), "--vary", "settings.discount_rate=0.06,0.1",
                 "--results", str(tmp_path / "sw")]) == 2
    err = capsys.readouterr().err
    assert f"{variant}: " in err and "use another --results" in err
    assert "another name" not in err
    assert (variant / "notes.txt").read_text() == "mine\n"
