"""Transmission, trade, import share and reserve margin, each optimum worked out by hand."""

from __future__ import annotations

import pytest
from casekit import demand, existing, hours, price, solve_case, south_reserve_case, tech, v, write_case
from pytest import approx

from planner.results import extract

REL = 1e-6
TWO_ZONES = [{"zone": "A", "region": "North"}, {"zone": "B", "region": "South"}]


@pytest.mark.family("transmission")
def test_congested_lossy_line_separates_prices(tmp_path):
    """Cheap coal in A, gas in B, a 50 MW line A->B losing 10 %.

    Two 1-h timesteps; demand A [20, 20], B [100, 30].
    coal (A): existing 200 MW, vom 10.  gas (B): existing 200 MW, vom 30.
    Coal delivered to B costs 10 / 0.9 = 11.11 < 30, so the line is used.
        t0: line full, 50 sent, 45 delivered; gas 55; coal 70
            prices A 10, B 30 (congestion)
        t1: B needs 30 -> 33.333 sent; coal 53.333; line not full
            prices A 10, B 10 / 0.9 = 11.111 (losses only)
        objective = 10 * 70 + 30 * 55 + 10 * 53.333 = 2883.333
    Without the line limit t0 would also send 200/0.9 worth and gas would idle;
    without losses B's price in t1 would be 10.
    """
    f = write_case(
        tmp_path / "c",
        zones=TWO_ZONES,
        technologies=[tech("coal", vom_usd_per_mwh=10), tech("gas", vom_usd_per_mwh=30)],
        existing_capacity=[existing("A", "coal", 200), existing("B", "gas", 200)],
        corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 50, "loss_pu": 0.1,
                    "max_new_mw": 0}],
        timesteps=hours([1, 1]),
        demand=demand({"A": [20, 20], "B": [100, 30]}),
    )
    m, d, sol = solve_case(f)
    assert [v(m.flow_fw["AB", 2030, t]) for t in range(2)] == approx([50, 100 / 3], rel=REL)
    assert [v(m.flow_bw["AB", 2030, t]) for t in range(2)] == approx([0, 0], abs=1e-6)
    assert [v(m.gen["B", "gas", 2030, t]) for t in range(2)] == approx([55, 0], abs=1e-6)
    assert [v(m.gen["A", "coal", 2030, t]) for t in range(2)] == approx([70, 20 + 100 / 3], rel=REL)
    assert [price(m, d, sol, "A", 2030, t) for t in range(2)] == approx([10, 10], rel=REL)
    assert [price(m, d, sol, "B", 2030, t) for t in range(2)] == approx([30, 10 / 0.9], rel=REL)
    assert sol.objective == approx(700 + 1650 + 10 * (20 + 100 / 3), rel=REL)
    # without the limit t0 sends 100 / 0.9 and gas idles: 10 * (20 + 111.11 + 20 + 33.33)
    assert solve_case(f, drop=("line_fw",))[2].objective == approx(10 * (40 + 100 / 0.9 + 100 / 3), rel=REL)


@pytest.mark.family("transmission")
def test_line_expansion_built_when_worth_it_and_in_service_from_its_period(tmp_path):
    """A line A->B is built in 2035, when B first has demand, up to max_new_mw 60.

    Periods 2030 and 2035, 1 year each, r = 0 (df = 1). One timestep of 1000 h.
    Demand A 20 MW; B 100 MW x multiplier (0 in 2030, 1 in 2035).
    coal (A) 200 MW vom 10; gas (B) 200 MW vom 30. No existing line.
    Line: 100 km x 1000 USD/MW-km = 1e5 USD/MW, lifetime 10 -> 1e4 USD/MW-yr,
    loss 0.1, max_new_mw 60.
    A MW of line sends 1 MW (10 USD/MWh) and delivers 0.9 MW replacing gas:
    1000 * (0.9 * 30 - 10) = 17000 USD/yr > 10000 annuity, so build all 60.
    Built in 2030 it would pay an annuity in 2030 for nothing, so it is built in
    2035 and counts only from 2035 (line_cap 0 in 2030).
        2030: coal 20 -> 10 * 20 * 1000 = 2e5
        2035: coal 80, 54 delivered, gas 46 -> 10 * 80e3 + 30 * 46e3 + 60 * 1e4 = 2.78e6
        objective = 2.98e6;  line_expansion dual = -(17000 - 10000) = -7000 USD/MW
    """
    f = write_case(
        tmp_path / "c",
        zones=TWO_ZONES,
        periods=[{"period": 2030, "years": 1}, {"period": 2035, "years": 1}],
        technologies=[tech("coal", vom_usd_per_mwh=10), tech("gas", vom_usd_per_mwh=30)],
        existing_capacity=[existing("A", "coal", 200), existing("B", "gas", 200)],
        corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 0, "loss_pu": 0.1,
                    "length_km": 100, "capex_usd_per_mw_km": 1000, "max_new_mw": 60, "lifetime_yr": 10}],
        timesteps=hours([1000]),
        demand=demand({"A": [20], "B": [100]}),
        demand_growth=[{"zone": "A", "period": 2030, "multiplier": 1}, {"zone": "A", "period": 2035, "multiplier": 1},
                       {"zone": "B", "period": 2030, "multiplier": 0}, {"zone": "B", "period": 2035, "multiplier": 1}],
    )
    m, d, sol = solve_case(f)
    assert v(m.new_line["AB", 2030]) == approx(0, abs=1e-6)
    assert v(m.new_line["AB", 2035]) == approx(60, rel=REL)
    assert v(m.line_cap["AB", 2030]) == approx(0, abs=1e-6)
    assert v(m.line_cap["AB", 2035]) == approx(60, rel=REL)
    assert v(m.flow_fw["AB", 2035, 0]) == approx(60, rel=REL)
    assert v(m.gen["B", "gas", 2035, 0]) == approx(46, rel=REL)
    assert sol.duals[m.line_expansion["AB"]] == approx(-7000, rel=REL)
    assert sol.objective == approx(2.98e6, rel=REL)
    # unlimited: 111.11 MW of line carry all of B: 2e5 + 1e4 * (20 + 111.11) + 1e4 * 111.11
    assert solve_case(f, drop=("line_expansion",))[2].objective == approx(2e5 + 1e4 * (20 + 2 * 100 / 0.9), rel=REL)


def _trade_case(tmp_path, **over):
    rows = dict(
        technologies=[tech("gas", vom_usd_per_mwh=50), tech("wind", "variable")],
        existing_capacity=[existing("A", "gas", 100), existing("A", "wind", 100)],
        availability=[{"zone": "A", "technology": "wind", "timestep": t, "availability_pu": a}
                      for t, a in enumerate([0, 1])],
        interconnectors=[{"interconnector": "X", "zone": "A", "market": "M", "import_mw": 100, "export_mw": 100}],
        trade_prices=[{"interconnector": "X", "period": 2030, "import_price_usd_per_mwh": 30,
                       "export_price_usd_per_mwh": 20, "max_import_mwh": 50, "max_export_mwh": 25}],
        timesteps=hours([1, 1]),
        demand=demand({"A": [60, 60]}),
    )
    rows.update(over)
    return write_case(tmp_path / "c", **rows)


@pytest.mark.family("trade")
def test_annual_import_and_export_limits_bind(tmp_path):
    """Imports at 30 beat gas at 50 up to 50 MWh/yr; wind surplus exports 25 MWh/yr.

    Two 1-h timesteps, demand 60 MW. gas 100 MW vom 50; wind 100 MW with
    availability [0, 1]. Interconnector X: 100 MW each way, import 30 USD/MWh,
    export 20 USD/MWh, max_import_mwh 50, max_export_mwh 25.
        t0: no wind; import 50 (annual limit), gas 10          -> price 50
        t1: wind 60 + exports 25 (annual limit), 15 curtailed  -> price 0
        objective = 30 * 50 + 50 * 10 - 20 * 25 = 1500
        import_limit dual -(50 - 30) = -20; export_limit dual -(20 - 0) = -20
    Without the import limit imports cover all of t0: 30 * 60 - 500 = 1300;
    without the export limit all 40 MW of surplus go out: 1500 - 20 * 15 = 1200.
    """
    f = _trade_case(tmp_path)
    m, d, sol = solve_case(f)
    assert [v(m.imports["X", 2030, t]) for t in range(2)] == approx([50, 0], abs=1e-6)
    assert [v(m.exports["X", 2030, t]) for t in range(2)] == approx([0, 25], abs=1e-6)
    assert v(m.gen["A", "gas", 2030, 0]) == approx(10, rel=REL)
    assert [price(m, d, sol, "A", 2030, t) for t in range(2)] == approx([50, 0], abs=1e-6)
    assert sol.duals[m.import_limit["X", 2030]] == approx(-20, rel=REL)
    assert sol.duals[m.export_limit["X", 2030]] == approx(-20, rel=REL)
    assert sol.objective == approx(1500, rel=REL)
    assert solve_case(f, drop=("import_limit",))[2].objective == approx(30 * 60 - 20 * 25, rel=REL)
    assert solve_case(f, drop=("export_limit",))[2].objective == approx(1500 - 20 * 15, rel=REL)


@pytest.mark.family("trade")
def test_contracted_imports_are_taken_even_when_dear(tmp_path):
    """A take-or-pay import of 80 MWh/yr at 60 USD/MWh displaces cheaper gas (50) and wind.

    The trade case above with import price 60 (export price 20 kept below it), no max_import_mwh,
    min_import_mwh 80; exports still capped at 25.
        Imports are dearer than gas (60 > 50), so without the minimum none are bought: t0 gas 60,
        t1 wind 60 + exports 25 -> objective 50 * 60 - 20 * 25 = 2500.
        With it, 80 MWh must come in. Cheapest where they displace gas: t0 (saves 50 per MWh) up to 60,
        the remaining 20 in t1 (where they displace free wind, which is curtailed; exports stay 25):
        objective = 60 * 80 + 0 - 20 * 25 = 4300.
        import_min dual = +(60 - 0) = 60: one MWh less to take saves its price in t1, where it displaces
        free wind.
    """
    f = _trade_case(tmp_path, trade_prices=[{"interconnector": "X", "period": 2030, "import_price_usd_per_mwh": 60,
                                             "export_price_usd_per_mwh": 20, "min_import_mwh": 80,
                                             "max_export_mwh": 25}])
    m, d, sol = solve_case(f)
    assert [v(m.imports["X", 2030, t]) for t in range(2)] == approx([60, 20], abs=1e-6)
    assert v(m.gen["A", "gas", 2030, 0]) == approx(0, abs=1e-6)
    assert sol.objective == approx(4300, rel=REL)
    assert sol.duals[m.import_min["X", 2030]] == approx(60, rel=REL)
    assert solve_case(f, drop=("import_min",))[2].objective == approx(2500, rel=REL)


@pytest.mark.family("import_share")
def test_net_import_share_binds(tmp_path):
    """Net imports capped at 20 % of 200 MWh of demand: 40 MWh at 30, the rest gas at 50.

    Two 1-h timesteps, demand 100 MW; gas 200 MW vom 50; import 100 MW at 30,
    no exports, no annual import limit; max_net_import_share 0.2.
        imports 40 MWh, gas 160 MWh
        objective = 30 * 40 + 50 * 160 = 9200          (without the share: 6000)
        import_share dual = -(50 - 30) = -20 USD/MWh; shadow_prices reports the saving per unit relaxed, +20
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2030, "years": 1, "max_net_import_share": 0.2}],
        technologies=[tech("gas", vom_usd_per_mwh=50)],
        existing_capacity=[existing("A", "gas", 200)],
        interconnectors=[{"interconnector": "X", "zone": "A", "market": "M", "import_mw": 100, "export_mw": 0}],
        trade_prices=[{"interconnector": "X", "period": 2030, "import_price_usd_per_mwh": 30,
                       "export_price_usd_per_mwh": 20}],
        timesteps=hours([1, 1]),
        demand=demand({"A": [100, 100]}),
    )
    m, d, sol = solve_case(f)
    assert sum(v(m.imports["X", 2030, t]) for t in range(2)) == approx(40, rel=REL)
    assert sum(v(m.gen["A", "gas", 2030, t]) for t in range(2)) == approx(160, rel=REL)
    assert sol.duals[m.import_share[2030]] == approx(-20, rel=REL)
    sp = extract(m, d, sol)["shadow_prices"].set_index("constraint")
    assert sp.at["import_share", "shadow_price"] == approx(20, rel=REL)
    assert sol.objective == approx(9200, rel=REL)
    assert solve_case(f, drop=("import_share",))[2].objective == approx(6000, rel=REL)


@pytest.mark.family("reserve")
def test_reserve_margin_sizes_peaker_with_import_credit(tmp_path):
    """Firm capacity must reach 1.2 x 100 MW peak: a peaker of 20 / 0.95 MW is built.

    One period of 2 years, r = 0 -> df = 2. Two 1-h timesteps, demand [80, 100].
    coal: existing 100 MW, vom 20, capacity_credit_pu 0.9 -> 90 MW firm.
    Interconnector X: import 20 MW, credit 0.5 -> 10 MW firm (import price 200, unused).
    ocgt: new, capex 100 USD/kW, lifetime 2 (the whole period) -> CRF(0, 2) = 0.5 -> 5e4 USD/MW-yr,
    credit 0.95, vom 100.
        0.95 * ocgt >= 120 - 90 - 10 = 20  -> ocgt = 21.0526316 MW (never runs)
        annual cost = 20 * 180 + 5e4 * 21.0526316 = 1056231.58;  objective = 2 x that
        capacity price = dual / df = 5e4 / 0.95 = 52631.58 USD/MW-yr
    Without the margin nothing would be built; without the import credit 31.58 MW.
    """
    f = write_case(
        tmp_path / "c",
        periods=[{"period": 2030, "years": 2}],
        technologies=[tech("coal", vom_usd_per_mwh=20, capacity_credit_pu=0.9),
                      tech("ocgt", lifetime_yr=2, capex_usd_per_kw=100, vom_usd_per_mwh=100, capacity_credit_pu=0.95)],
        existing_capacity=[existing("A", "coal", 100)],
        build_options=[{"zone": "A", "technology": "ocgt"}],
        interconnectors=[{"interconnector": "X", "zone": "A", "market": "M", "import_mw": 20, "export_mw": 0,
                          "capacity_credit_pu": 0.5}],
        trade_prices=[{"interconnector": "X", "period": 2030, "import_price_usd_per_mwh": 200,
                       "export_price_usd_per_mwh": 0}],
        reserve_margins=[{"region": "*", "period": 2030, "margin_pu": 0.2}],
        timesteps=hours([1, 1]),
        demand=demand({"A": [80, 100]}),
    )
    m, d, sol = solve_case(f)
    assert d.discount_weight[2030] == approx(2, rel=REL)
    assert v(m.new_cap["A", "ocgt", "", 2030]) == approx(20 / 0.95, rel=REL)
    assert sum(v(m.gen["A", "ocgt", 2030, t]) for t in range(2)) == approx(0, abs=1e-6)
    assert sol.duals[m.reserve_margin["*", 2030]] == approx(2 * 5e4 / 0.95, rel=REL)
    sp = extract(m, d, sol)["shadow_prices"].set_index("constraint")
    assert sp.at["reserve_margin", "shadow_price"] == approx(5e4 / 0.95, rel=REL)
    assert sol.objective == approx(2 * (20 * 180 + 5e4 * 20 / 0.95), rel=REL)
    assert solve_case(f, drop=("reserve_margin",))[2].objective == approx(2 * 20 * 180, rel=REL)


@pytest.mark.family("reserve")
def test_regional_reserve_counts_corridor_credit(tmp_path):
    """Region South counts 80 % of a 50 MW corridor from North as firm.

    Zones A (North, no demand) and B (South, demand 100 MW), one 1-h timestep.
    Reserve margin 0.1 for South only: firm in South >= 110 MW.
    Corridor A->B: 50 MW, no loss, credit 0.8 -> 40 MW firm.
    coal (A): existing 100 MW, vom 10, credit 0.9 (outside the region: not counted).
    peak (B): new, capex 50 USD/kW, lifetime 1 -> 5e4 USD/MW-yr, credit 1, vom 0.
        peak = 110 - 40 = 70 MW; it serves 70 of B's demand, the line the other 30
        objective = 70 * 5e4 + 10 * 30 = 3500300
        capacity price (df = 1) = 5e4 - 10 = 49990 USD/MW-yr: one more MW of
        requirement builds one more MW of peak, which also displaces 1 MWh of coal
    Without the corridor credit the peaker would be 110 MW.
    """
    f = south_reserve_case(tmp_path / "c")
    m, d, sol = solve_case(f)
    assert v(m.new_cap["B", "peak", "", 2030]) == approx(70, rel=REL)
    assert v(m.gen["B", "peak", 2030, 0]) == approx(70, rel=REL)
    assert v(m.flow_fw["AB", 2030, 0]) == approx(30, rel=REL)
    assert sol.duals[m.reserve_margin["South", 2030]] == approx(5e4 - 10, rel=REL)
    assert sol.objective == approx(3500300, rel=REL)
