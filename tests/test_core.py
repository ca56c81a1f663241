"""planner/core: the formulas the model, the results and the reports share, each checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.core import adequacy, economics, names, numbers


def test_crf_and_annuity():
    """CRF(10 %, 2) = 0.1 x 1.21 / 0.21 = 0.576190...; at 0 % it is 1/n. An annuity of 1,000 USD over two
    years at 10 %: 576.19 USD/yr (two payments discounted: 576.19/1.1 + 576.19/1.21 = 1,000)."""
    assert economics.crf(0.1, 2) == pytest.approx(0.121 / 0.21)
    assert economics.crf(0.0, 4) == 0.25
    a = economics.annuity(1000.0, 0.1, 2)
    assert a == pytest.approx(576.190476, rel=1e-9)
    assert a / 1.1 + a / 1.21 == pytest.approx(1000.0)


def test_share_in_service_and_discount_weight():
    """A 5-year period from 2030: a plant from 2032 serves 3/5 of it, one retiring in 2031 serves 1/5, one
    from 2040 none. 1 USD/yr over 2030-2031 at 10 % from base 2030: 1 + 1/1.1 = 1.90909..."""
    assert economics.share_in_service(2032, 2100, 2030, 5) == 0.6
    assert economics.share_in_service(2000, 2031, 2030, 5) == 0.2
    assert economics.share_in_service(2040, 2100, 2030, 5) == 0.0
    assert economics.discount_weight(2030, 2, 2030, 0.1) == pytest.approx(1 + 1 / 1.1)


def test_fuel_co2_operating_and_fixed_costs():
    """fuel cost = heat rate 2.5 x 20 USD/MWh_th = 50 USD/MWh; CO2 = 2.5 x 0.4 = 1 t/MWh; no fuel: 0.
    Operating cost at VOM 3 and 10 USD/t: 3 + 50 + 1 x 10 = 63 USD/MWh. Fixed O&M 40 USD/kW-yr = 40,000 USD/MW-yr.
    2 MW for 5 h = 10 MWh. Coal burned per MWh: 2.5 MWh_th for st, 0 for pv; gas: 0 for both."""
    tech = pd.DataFrame({"heat_rate_mwh_th_per_mwh": [2.5, 0.0], "fuel": ["coal", ""]}, index=["st", "pv"])
    assert economics.fuel_use_mwh_th_per_mwh(tech, "coal") == {"st": 2.5, "pv": 0.0}
    assert economics.fuel_use_mwh_th_per_mwh(tech, "gas") == {"st": 0.0, "pv": 0.0}
    fuels = pd.DataFrame({"price_usd_per_mwh_th": [20.0], "co2_t_per_mwh_th": [0.4]}, index=["coal"])
    assert economics.fuel_cost_usd_per_mwh(tech, fuels) == {"st": 50.0, "pv": 0.0}
    ef = economics.emission_factor_t_per_mwh(tech, fuels)
    assert ef == {"st": pytest.approx(1.0), "pv": 0.0}
    assert economics.operating_cost_usd_per_mwh(3.0, 50.0, 1.0, 10.0) == 63.0
    assert economics.fixed_om_usd_per_mw_yr(40.0) == 40_000.0
    df = economics.with_mwh(pd.DataFrame({"gen_mw": [2.0], "weight": [5.0]}), ("gen_mw",))
    assert df["gen_mwh"].tolist() == [10.0] and economics.mwh(2.0, 5.0) == 10.0


def test_margins_firm_capacity_and_corridors():
    """A zone of region N takes N's margin (0.2); region S has none and takes the system's (0.1); without a
    system row the margin is 0. Firm = 0.5 x 100 + 1 x 10 MW = 60; required at a 100 MW peak and 20 %: 120 MW.
    A corridor from a (in {a}) to b crosses; one inside does not. 300 MW available from 2032 serves 3/5 of
    the 2030 period: 180 MW."""
    margins = adequacy.margins_by_region(pd.DataFrame({"region": ["N", "*"], "period": [2030, 2030],
                                                        "margin_pu": [0.2, 0.1]}))
    assert adequacy.margin_pu(margins, "N", 2030) == 0.2 and adequacy.margin_source(margins, "N", 2030) == "N"
    assert adequacy.margin_pu(margins, "S", 2030) == 0.1 and adequacy.margin_source(margins, "S", 2030) == "*"
    assert adequacy.margin_pu(margins, "S", 2040) == 0.0 and adequacy.margin_source(margins, "S", 2040) == ""
    assert adequacy.region_zones({"a": "N", "b": "S", "c": "N"}, "N") == {"a", "c"}
    assert adequacy.region_zones({"a": "N", "b": "S"}, "*") == {"a", "b"}
    assert adequacy.firm_mw({"coal": 0.5, "pv": 0.0, "hydro": 1.0},
                            [("coal", 100.0), ("pv", 50.0), ("hydro", 10.0)]) == 60.0
    ic = pd.DataFrame({"zone": ["a", "b"], "capacity_credit_pu": [0.5, 1.0], "import_mw": [40.0, 7.0]})
    assert adequacy.firm_imports_mw(ic, {"a"}) == 20.0
    assert adequacy.firm_imports_mw(ic, set()) == 0.0
    assert adequacy.required_mw(100.0, 0.2) == pytest.approx(120.0)
    assert adequacy.crosses("a", "b", {"a"}) and not adequacy.crosses("a", "c", {"a", "c"})
    assert adequacy.corridor_existing_mw(300.0, 2032, 2030, 5) == 180.0


def test_names_and_numbers():
    """An option without a partner belongs to '(unattributed)'; noise below 1e-7 is written as 0."""
    assert names.owner("") == names.owner(float("nan")) == names.UNATTRIBUTED and names.owner("TR") == "TR"
    df = numbers.clean(pd.DataFrame({"x": [1e-8, -1e-8, 0.5], "s": ["a", "b", "c"]}))
    assert df["x"].tolist() == [0.0, 0.0, 0.5]
