"""The aggregation cache: a hit gives exactly the case a fresh load and aggregation give; a damaged entry is
never used; any change of inputs, request or code is a new key."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from planner import cache
from planner.load import load_case
from planner.pipeline import aggregate_time, load_for_run
from planner.scenario import apply_scenario
from planner.spec import RunSpec
from planner.synthetic import write_synthetic_case


@pytest.fixture
def spec(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PLANNER_CACHE", raising=False)
    case = write_synthetic_case(tmp_path / "case", zones=3, hours=24 * 10, periods=2, weight=1.0)
    return RunSpec(name="syn", inputs=case, time={"representative_days": 3})


def entries(tmp_path) -> list[Path]:
    return sorted((tmp_path / "cache" / "cases").glob("*.json"))


def assert_same_case(a, b):
    assert a.settings == b.settings and a.path == b.path
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)


def test_hit_is_identical_to_a_fresh_load(spec, tmp_path):
    fresh, agg, h = load_for_run(spec)
    assert len(entries(tmp_path)) == 1
    cached, agg2, h2 = load_for_run(spec)
    assert (agg2, h2) == (json.loads(json.dumps(agg)), h)
    assert_same_case(fresh, cached)
    direct, _ = aggregate_time(apply_scenario(load_case(spec.inputs), spec), spec)
    assert_same_case(direct, cached)


def test_damaged_entry_is_not_used(spec, tmp_path):
    fresh, _, _ = load_for_run(spec)
    (entry,) = entries(tmp_path)
    raw = entry.read_bytes()
    entry.write_bytes(raw.replace(b'"demand_mw"', b'"demand_MW"', 1))  # same length, different body: checksum fails
    assert cache.load(entry.stem, lambda *a: a) is None
    again, _, _ = load_for_run(spec)  # recomputed and stored again
    assert_same_case(fresh, again)
    assert cache.load(entry.stem, lambda *a: a) is not None
    entry.write_bytes(raw[: len(raw) // 2])  # truncated
    assert cache.load(entry.stem, lambda *a: a) is None


def test_key_changes_with_inputs_and_request(spec, tmp_path):
    load_for_run(spec)
    spec.time = {"representative_days": 4}
    load_for_run(spec)
    assert len(entries(tmp_path)) == 2
    demand = spec.inputs / "demand.csv"
    demand.write_bytes(demand.read_bytes())  # rewritten with the same bytes: same key
    load_for_run(spec)
    assert len(entries(tmp_path)) == 2
    df = pd.read_csv(demand)
    df.loc[0, "demand_mw"] += 1.0
    df.to_csv(demand, index=False)
    case, _, _ = load_for_run(spec)
    assert len(entries(tmp_path)) == 3


def test_cache_off(spec, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_CACHE", "off")
    load_for_run(spec)
    assert entries(tmp_path) == []


def test_no_cache_without_aggregation(spec, tmp_path):
    spec.time = {}
    case, agg, _ = load_for_run(spec)
    assert agg == {} and entries(tmp_path) == []
    assert len(case.tables["timesteps"]) == 240
