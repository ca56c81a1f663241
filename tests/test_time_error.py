"""planner time-error: bad numbers of days and a bad results location fail before the first solve."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_timeagg import hourly_case

from planner.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _no_solve(monkeypatch):
    import planner.runner

    never = lambda *a, **k: pytest.fail("solved before the inputs were checked")  # noqa: E731
    monkeypatch.setattr(planner.runner, "run_spec", never)


def _toml(tmp_path, days: int = 7) -> str:
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "h"\ninputs = "{hourly_case(tmp_path / "c", days, same_days=True)}"\n')
    return str(spec)


@pytest.mark.parametrize("args, option, valid", [
    (["--days", "0"], "--days", "0 is not a number of representative days; expected a whole number >= 1"),
    (["--days", "2", "-1"], "--days", "-1 is not a number of representative days"),
    (["--days", "2", "--reference-days", "0"], "--reference-days", "0 is not a number of representative days"),
    (["--days", "7"], "--days", "7 days: representative_days needs a full hourly series"),   # a 7-day case
])
def test_bad_days_are_blamed_on_the_option_before_any_solve(tmp_path, capsys, monkeypatch, args, option, valid):
    """Not on time.representative_days of the run specification, which the user did not write; the full-resolution
    reference is not solved first."""
    _no_solve(monkeypatch)
    assert main(["time-error", _toml(tmp_path), *args, "--results", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"- {option}: {valid}" in err and "m.toml" not in err
    assert not (tmp_path / "r").exists()


def test_a_case_that_cannot_be_aggregated_fails_before_the_reference_solve(tmp_path, capsys, monkeypatch):
    """The example case has 48 weighted timesteps, not an hourly year: exit 2 at once."""
    _no_solve(monkeypatch)
    assert main(["time-error", str(ROOT / "models/example.toml"), "--days", "4", "--results",
                 str(tmp_path / "r")]) == 2
    assert "- --days: 4 days: representative_days needs a full hourly series" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_the_results_location_is_checked_before_any_solve(tmp_path, capsys, monkeypatch):
    _no_solve(monkeypatch)
    toml = _toml(tmp_path)
    target = tmp_path / "r" / "h-time-error"
    target.mkdir(parents=True)
    (target / "u.txt").write_text("mine")
    assert main(["time-error", toml, "--days", "1", "--results", str(tmp_path / "r")]) == 2
    assert "is not a results folder written by planner" in capsys.readouterr().err
    assert sorted(p.name for p in target.iterdir()) == ["u.txt"]


def test_the_year_is_the_reference_of_every_plan(tmp_path, capsys):
    """``--year``: each plan is checked over every hour (planner year-check). Two facts hold by construction:

    - the full-resolution optimum, dispatched over its own year with its capacity fixed, is the same LP without
      its investment columns: its cost over the year is its objective (error 0);
    - no plan of fewer days can run the year more cheaply than that optimum (it is a feasible point of the same
      full-resolution LP, and this case has no reserve margin the year check would drop), so every plan's
      year cost is at least the full optimum's, and its error against its own year is the representative days'
      misjudgement of the cost of their plan.

    ``--storage unlinked linked`` solves each number of days both ways. The case has no storage and no hydro, so
    linking changes no row: each linked plan is its unlinked plan (same objective), whose year check it reuses
    (``year_check_of``; no seconds of its own)."""
    case = hourly_case(tmp_path / "c", 7, same_days=False)
    (case / "partners.csv").write_text("partner,wacc\nP,0\n")  # solar is P's to build, at the same terms
    (case / "build_options.csv").write_text("zone,technology,partner\nA,gas,\nA,solar,P\n")
    toml = tmp_path / "m.toml"
    toml.write_text(f'name = "h"\ninputs = "{case}"\n[solver]\nmethod = "simplex"\n')
    assert main(["time-error", str(toml), "--days", "1", "3", "--year", "--partner", "P", "--results",
                 str(tmp_path / "r"), "--storage", "unlinked", "linked"]) == 0
    import pandas as pd

    both = pd.read_csv(tmp_path / "r" / "h-time-error" / "time_error.csv")
    assert list(both["resolution"]) == ["full", "1 days", "3 days", "1 days", "3 days"]
    assert list(both["storage"]) == ["unlinked"] * 3 + ["linked"] * 2
    unlinked, linked = both.iloc[1:3].reset_index(drop=True), both.iloc[3:].reset_index(drop=True)
    assert linked["objective_usd"].to_numpy() == pytest.approx(unlinked["objective_usd"].to_numpy(), rel=1e-7)
    assert list(linked["year_check_of"]) == ["1 days, unlinked", "3 days, unlinked"]
    assert (linked["year_check_s"] == 0).all() and (unlinked["year_check_s"] > 0).all()
    assert linked["year_cost_usd"].to_numpy() == pytest.approx(unlinked["year_cost_usd"].to_numpy(), rel=1e-9)
    df = both.iloc[:3]
    assert list(df["year_check_of"]) == [f"{r}, unlinked" for r in df["resolution"]]
    assert df.at[0, "objective_error_vs_year_pct"] == pytest.approx(0.0, abs=1e-6)
    assert (df["year_cost_usd"] >= df.at[0, "objective_usd"] * (1 - 1e-9)).all()
    assert (df["storage"] == "unlinked").all() and "year_unserved_mwh" in df
    sites = df.set_index("resolution")["partner_sites"]
    assert all(s == "none" or s.startswith("A/solar ") for s in sites)  # P can only build solar in A
    changes = df.set_index("resolution")["partner_siting_changes"]
    assert not changes["full"] and all(changes[r] == ((sites[r] == "none") != (sites["full"] == "none"))
                                       for r in sites.index)
    cap = pd.read_csv(tmp_path / "r" / "h-time-error" / "time_error_capacity.csv")
    assert set(cap["resolution"]) == {"full", "1 days", "3 days"} and {"technology", "region", "new_mw"} <= set(cap)
    assert set(cap["storage"]) == {"unlinked", "linked"}
    zones = pd.read_csv(tmp_path / "r" / "h-time-error" / "time_error_year_unserved.csv")
    total = zones.groupby(["resolution", "storage"], sort=False)["unserved_mwh"].sum()
    assert total.to_numpy() == pytest.approx(both["year_unserved_mwh"].to_numpy(), rel=1e-9)


def test_the_reference_solved_by_decomposition_is_the_full_resolution_optimum(tmp_path):
    """``--decompose``: the full-resolution reference by Benders (one day a subproblem, [decomposition] of the
    specification) equals the monolithic reference to 1e-6 (the decomposition's gap), and the day plans are solved
    whole (their rows are the same both ways). A 4-day hourly case of varied days (test_timeagg.hourly_case)."""
    from planner.spec import load_spec
    from planner.studies.time_error import measure

    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "h"\ninputs = "{hourly_case(tmp_path / "c", 4, same_days=False)}"\n'
                    '[decomposition]\nblock_days = 1\ngap = 1e-8\n')
    dec = measure(load_spec(spec), [2], None, decompose=True)
    plain = load_spec(spec)
    plain.decomposition = {}
    mono = measure(plain, [2], None)
    assert dec["resolution"].tolist() == mono["resolution"].tolist() == ["full", "2 days"]
    assert dec["objective_usd"].iloc[0] == pytest.approx(mono["objective_usd"].iloc[0], rel=1e-6)
    assert dec["objective_usd"].iloc[1] == mono["objective_usd"].iloc[1]
    assert dec["decomposed"].tolist() == [True, False] and mono["decomposed"].tolist() == [False, False]
