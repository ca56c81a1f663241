"""Small partner cases shared by the tests/test_partners_*.py files, optima worked out by hand there."""

from __future__ import annotations

from pathlib import Path

from casekit import hours, write_case

from planner.runner import run_spec
from planner.spec import RunSpec


def envelope_case(folder: Path, envelope_usd: float | None = 60e6) -> Path:
    """One zone, one timestep of 8760 h, demand 100 MW, one period of 2 years, discount rate 0.

    Technology gas: no fuel, fom 10 USD/kW-yr, vom 5 USD/MWh, lifetime 10 yr, capacity credit 1.
    Options: TR at 1000 USD/kW, KZ at 1500 USD/kW, both WACC 0, so annuity = capex / 10:
    TR 100,000 and KZ 150,000 USD/MW-yr. TR's envelope: 60 m USD in 2030 (60 MW).
    """
    return write_case(
        folder,
        periods=[{"period": 2030, "years": 2}],
        timesteps=hours([8760.0]),
        demand=[{"zone": "A", "timestep": 0, "demand_mw": 100}],
        technologies=[{"technology": "gas", "kind": "thermal", "capex_usd_per_kw": 1000, "fom_usd_per_kw_yr": 10,
                       "vom_usd_per_mwh": 5, "lifetime_yr": 10, "capacity_credit_pu": 1}],
        partners=[{"partner": "TR", "wacc": 0.0}, {"partner": "KZ", "wacc": 0.0}],
        build_options=[{"zone": "A", "technology": "gas", "partner": "TR", "capex_usd_per_kw": 1000},
                       {"zone": "A", "technology": "gas", "partner": "KZ", "capex_usd_per_kw": 1500}],
        partner_envelopes=None if envelope_usd is None else
        [{"partner": "TR", "period": 2030, "max_investment_usd": envelope_usd}],
    )


def run_folder(folder: Path, results: Path | None = None, **scenario):
    spec = RunSpec(name="case", inputs=folder, scenario=scenario)
    return run_spec(spec, results, {"method": "simplex"})
