"""planner/explanations.py: which line applies when, on hand-made tables (the figures are read off the frames).

Two periods, 2030 and 2035, one zone Z, one owner TR:
- after new builds Z is short 120 MW in 2035 (and 0 in 2030) while 0 MWh goes unserved -> the
  ``after_new_builds`` line, naming 2035 only;
- TR built 100 MW in 2030 that serves 2035 too (vintages: built_period 2030, period 2035) -> ``existing_fleet``
  (builds of earlier periods are left out of 'with the existing fleet');
- TR closes 0.2 of 2035's deficit with 0 MW built in 2035 -> ``closed_without_builds`` for 2035.
"""

from __future__ import annotations

import pandas as pd

from planner import explanations


def frames(after_2035: float = 120.0, tr_new_2035: float = 0.0, served_later: float = 100.0) -> tuple:
    zd = pd.DataFrame({"zone": ["Z", "Z"], "period": [2030, 2035], "deficit_before_mw": [500.0, 600.0],
                       "deficit_after_mw": [0.0, after_2035]})
    closed = pd.DataFrame({"owner": ["TR", "TR"], "period": [2030, 2035], "new_mw": [100.0, tr_new_2035],
                           "share_closed_pu": [1.0, 0.2]})
    tables = {
        "prices": pd.DataFrame({"zone": ["Z"] * 2, "period": [2030, 2035], "timestep": [0, 0], "weight": [8760.0] * 2,
                                "demand_mw": [400.0, 450.0], "unserved_mw": [0.0, 0.0]}),
        "vintages": pd.DataFrame({"built_period": [2030, 2030], "period": [2030, 2035],
                                  "in_service_mw": [100.0, served_later]}),
    }
    return tables, {"zone_deficits": zd, "deficit_closed": closed}


def test_each_line_where_it_applies():
    tables, rep = frames()
    meta = {"periods": [2030, 2035], "committed_builds_counted_as_existing": [], "scenario": {}}
    notes = explanations.notes(tables, meta, rep)
    assert notes["after_new_builds"].startswith("what new builds leave (2035) is not demand unserved (0.0000 TWh")
    assert "reserve margin counting its firm MW as if the corridors inside it had no limit" in notes["after_new_builds"]
    assert notes["existing_fleet"].startswith("'with the existing fleet' leaves out every plant this run builds")
    assert notes["closed_without_builds"] == ("shares closed with nothing built in the period (TR in 2035): a share "
                                              "counts an owner's plants in service in the period, built in earlier "
                                              "periods too (committed plants included)")


def test_owners_are_named_in_one_line():
    assert explanations.closed_without_builds({"GULF": [2035], "TR": [2030, 2035]}).startswith(
        "shares closed with nothing built in the period (GULF in 2035 and TR in 2030, 2035): a share counts")


def test_no_line_where_nothing_needs_one():
    """No deficit left, the 2030 build retired before 2035, TR builds in 2035: nothing to explain."""
    tables, rep = frames(after_2035=0.0, tr_new_2035=50.0, served_later=0.0)
    meta = {"periods": [2030, 2035], "committed_builds_counted_as_existing": [], "scenario": {}}
    assert explanations.notes(tables, meta, rep) == {}


def test_committed_plants_and_a_dropped_margin_are_named():
    tables, rep = frames(served_later=0.0)
    meta = {"periods": [2030, 2035], "scenario": {"drop_build_requirements": True},
            "committed_builds_counted_as_existing": ["a/gas_chp/TR (line 3): 240 MW committed by 2025, ..."]}
    notes = explanations.notes(tables, meta, rep)
    assert notes["existing_fleet"] == ("'with the existing fleet' counts the 1 committed plant due before the first "
                                       "period 2030 as existing: the same year can show a different figure in a "
                                       "run that starts in another period")
    assert "drops the reserve margin (scenario.drop_build_requirements)" in notes["after_new_builds"]
