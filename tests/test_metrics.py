"""planner/analysis/metrics.py: each metric on result tables small enough to add up by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.analysis import metrics


def _tables() -> dict[str, pd.DataFrame]:
    """Two zones, two periods, two timesteps of weights 3 h and 5 h."""
    prices = pd.DataFrame({
        "zone": ["A", "A", "B", "B"] * 2, "period": [2030] * 4 + [2040] * 4, "timestep": [1, 2, 1, 2] * 2,
        "weight": [3.0, 5.0, 3.0, 5.0] * 2,
        "demand_mw": [10.0, 20.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0],
        "unserved_mw": [0.0, 4.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        "price_usd_per_mwh": [10.0, 40.0, 100.0, 0.0, 5.0, 5.0, 5.0, 5.0]})
    trade = pd.DataFrame({"interconnector": ["X", "X"], "period": [2030, 2030], "timestep": [1, 2],
                          "import_mw": [2.0, 0.0], "export_mw": [0.0, 1.0]})
    costs = pd.DataFrame({"period": [2030, 2030, 2040], "category": ["fuel", "investment", "fuel"],
                          "annual_usd": [100.0, 50.0, 7.0], "present_value_usd": [900.0, 450.0, 30.0]})
    return {
        "prices": prices, "trade": trade, "costs": costs,
        "emissions": pd.DataFrame({"period": [2030, 2040], "emissions_t": [11.0, 0.0]}),
        "new_capacity": pd.DataFrame({"period": [2030, 2030, 2040], "new_mw": [5.0, 6.0, 1.0]}),
        "capacity": pd.DataFrame({"period": [2030, 2040], "total_mw": [100.0, 90.0]}),
        "corridors": pd.DataFrame({"period": [2030, 2040], "new_mw": [0.0, 3.0]}),
        "generation": pd.DataFrame({"period": [2030, 2040], "curtailment_mwh": [2.5, 0.0]}),
    }


def test_energy_metrics_weight_each_timestep_by_its_hours():
    """demand 2030 = 3*10 + 5*20 + 3*1 + 5*2 = 143 MWh; unserved = 5*4 + 3*1 = 23 MWh;
    imports = 3*2 = 6, exports = 5*1 = 5, net 1 MWh; 2040 has no demand and no trade."""
    t = _tables()
    assert metrics.value(t, "demand", 2030) == pytest.approx(143.0)
    assert metrics.value(t, "unserved_energy", 2030) == pytest.approx(23.0)
    assert metrics.value(t, "imports", 2030) == pytest.approx(6.0)
    assert metrics.value(t, "exports", 2030) == pytest.approx(5.0)
    assert metrics.value(t, "net_imports", 2030) == pytest.approx(1.0)
    assert metrics.value(t, "imports", 2040) == 0.0
    assert metrics.series(t, "imports", [2030, 2040]).tolist() == pytest.approx([6.0, 0.0])


def test_cost_capacity_and_emission_metrics():
    """annual cost 2030 = 100 + 50; PV over both periods = 900 + 450 + 30; new MW 5 + 6 and 1."""
    t = _tables()
    assert metrics.value(t, "system_cost_annual", 2030) == 150.0
    assert metrics.value(t, "system_cost_present_value") == 1380.0
    assert metrics.value(t, "new_capacity") == 12.0
    assert metrics.value(t, "new_capacity", 2040) == 1.0
    assert metrics.value(t, "new_corridor_capacity", 2040) == 3.0
    assert metrics.value(t, "total_capacity", 2040) == 90.0
    assert metrics.value(t, "emissions", 2030) == 11.0
    assert metrics.value(t, "curtailment", 2030) == 2.5


def test_demand_weighted_price_and_its_absence_without_demand():
    """2030: (3*10*10 + 5*20*40 + 3*1*100 + 5*2*0) / 143 = 4600 / 143 USD/MWh; 2040 has no demand: NaN."""
    s = metrics.series(_tables(), "demand_weighted_price", [2030, 2040])
    assert s[2030] == pytest.approx(4600 / 143)
    assert pd.isna(s[2040])


def test_long_table_has_one_row_per_metric_and_period_with_units():
    df = metrics.table(_tables(), ["emissions", "imports"], [2030, 2040])
    assert df.values.tolist() == [["emissions", "2030", "t/yr", 11.0], ["emissions", "2040", "t/yr", 0.0],
                                  ["imports", "2030", "MWh/yr", 6.0], ["imports", "2040", "MWh/yr", 0.0]]


def test_every_metric_states_its_unit():
    assert all(m.unit and m.meaning for m in metrics.METRICS.values())
