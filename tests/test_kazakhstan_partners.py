"""Partners in the default Kazakhstan case: who may build what, where, on which terms.

Figures checked below come from inputs/kazakhstan/SOURCES.md (FACTS.md, "Turkish-partnered
and other candidate projects"; "Costs and finance"):
  Aksa Kyzylorda CHP, TR, 240 MW committed, 1,785 $/kW = midpoint of 1,660-1,910;
  Aksa Shymkent CCGT, TR, 500 MW option, $700 m / 500 MW = 1,400 $/kW, from 2030;
  Balkhash nuclear, RU, 2 x VVER-1200 = 2,400 MW, 6,040 $/kW = midpoint of 5,830-6,250.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planner.load import load_case
from planner.model.data import prepare

CASE = Path(__file__).resolve().parent.parent / "inputs" / "kazakhstan"


@pytest.fixture(scope="module")
def case():
    return load_case(CASE)


def _option(case, zone: str, tech: str, partner: str) -> pd.Series:
    bo = case["build_options"]
    row = bo[(bo["zone"] == zone) & (bo["technology"] == tech) & (bo["partner"] == partner)]
    assert len(row) == 1, f"expected one {zone}/{tech}/{partner} option, found {len(row)}"
    return row.iloc[0]


def test_partners_present(case):
    assert set(case["partners"]["partner"]) == {"KZ", "TR", "CN", "RU", "GULF", "OTHER"}


def test_every_option_has_a_known_partner(case):
    """No unattributed options remain, and every partner named exists in partners.csv."""
    bo = case["build_options"]
    assert (bo["partner"] != "").all()
    assert set(bo["partner"]) <= set(case["partners"]["partner"])


def test_no_option_dropped_by_eligibility(case):
    """Every option's technology is one its partner is eligible for (empty list = all),
    so the engine's eligibility filter drops nothing: the count of ineligible options is 0."""
    elig = {r.partner: {x for x in r.eligible_technologies.split(";") if x}
            for r in case["partners"].itertuples()}
    bad = [(r.zone, r.technology, r.partner) for r in case["build_options"].itertuples()
           if elig[r.partner] and r.technology not in elig[r.partner]]
    assert bad == []


def test_engine_keeps_every_option(case):
    """The engine's own eligibility filter (planner/model/data.py) excludes nothing."""
    d = prepare(case)
    assert d.excluded_builds == []
    assert len(d.BUILDS) == len(case["build_options"])


def test_aksa_kyzylorda_chp_committed_to_tr(case):
    """240 MW gas CHP in Kyzylorda, min = max = 240, built in the 2025 period, 1,785 $/kW."""
    r = _option(case, "kyzylorda", "gas_chp", "TR")
    assert (r.min_new_mw, r.max_new_mw, r.last_period, r.capex_usd_per_kw) == (240, 240, 2025, 1785)


def test_aksa_shymkent_ccgt_offered_to_tr(case):
    """Shymkent (Turkestan zone) CCGT: optional 0..500 MW from 2030, at the technology's CCGT cost
    (empty capex): $700 m / 500 MW = 1,400 $/kW lies within 0.4 % of the 1,395 basis."""
    r = _option(case, "turkestan", "gas_ccgt", "TR")
    assert (r.min_new_mw, r.max_new_mw, r.first_period) == (0, 500, 2030)
    assert pd.isna(r.capex_usd_per_kw) and pd.isna(r.last_period)


def test_one_ccgt_cost_basis_for_every_partner(case):
    """No CCGT option carries a capex of its own: every partner's CCGT costs the technology's
    1,395 $/kW = midpoint of the Turkestan CCGT's $1,300-1,490/kW (Aksa Shymkent: 1,400)."""
    bo = case["build_options"]
    assert bo.loc[bo["technology"] == "gas_ccgt", "capex_usd_per_kw"].isna().all()
    tech = case["technologies"].set_index("technology")
    assert tech.at["gas_ccgt", "capex_usd_per_kw"] == (1300 + 1490) / 2


def test_partner_waccs_from_country_cost_of_capital(case):
    """WACC = max(host, home) of IRENA (2023b) country figures via GNESTE: Kazakhstan 6.3 %;
    Türkiye 7.5 % > 6.3 % -> TR 7.5 %; China 2.5 %, Russia 6.3 %, Saudi Arabia 6.2 % and UAE 5.6 %
    are not above the host -> 6.3 %; OTHER has no home figure -> 6.3 %."""
    w = case["partners"].set_index("partner")["wacc"].to_dict()
    assert w == {"KZ": 0.063, "TR": 0.075, "CN": 0.063, "RU": 0.063, "GULF": 0.063, "OTHER": 0.063}


def test_new_thermal_technologies_are_not_the_old_fleet(case):
    """Options build new technologies (gas_chp, gas_ocgt, coal_chp) with credit 0.95 and no winter
    availability profile; the old fleet's (…_old) carry the derived winter availability."""
    tech = case["technologies"].set_index("technology")
    bo = case["build_options"]
    assert not bo["technology"].str.endswith("_old").any()
    for g in ("gas_chp", "gas_ocgt", "coal_chp"):
        assert tech.at[g, "capacity_credit_pu"] == 0.95
        assert tech.at[g + "_old", "capacity_credit_pu"] == tech.at["coal", "capacity_credit_pu"] < 0.95
    av = case["availability"]
    assert not av["technology"].isin(["gas_chp", "gas_ocgt", "coal_chp"]).any()
    ex = case["existing_capacity"]
    assert not ex["technology"].isin(["gas_chp", "gas_ocgt", "coal_chp"]).any()


def test_committed_projects_keep_their_terms(case):
    """The four committed projects: min = max, last period 2025, partner as sourced (KZ if unknown)."""
    bo = case["build_options"]
    committed = bo[bo["min_new_mw"] > 0]
    got = {(r.zone, r.technology, r.partner): (r.min_new_mw, r.max_new_mw, r.last_period)
           for r in committed.itertuples()}
    assert got == {
        ("kyzylorda", "gas_chp", "TR"): (240, 240, 2025),
        ("turkestan", "gas_ccgt", "KZ"): (1000, 1000, 2025),
        ("almaty", "gas_chp", "KZ"): (557, 557, 2025),
        ("pavlodar", "coal_sub", "KZ"): (636, 636, 2025),
    }


def test_balkhash_nuclear_is_russian(case):
    """Only RU offers nuclear: Balkhash at 6,040 $/kW from 2035, 2,400 MW as the zone's potential."""
    bo = case["build_options"]
    assert set(bo.loc[bo["technology"] == "nuclear", "partner"]) == {"RU"}
    r = _option(case, "almaty", "nuclear", "RU")
    assert (r.first_period, r.capex_usd_per_kw) == (2035, 6040)
    pot = case["build_potentials"].set_index(["zone", "technology"])["max_new_mw"]
    assert pot[("almaty", "nuclear")] == 2400


def test_potentials_are_shared_not_split(case):
    """Every eligible partner is offered a zone's whole potential through one shared cap:
    Zhambyl wind 5,000 MW (a first tranche of 1,000 MW at the Zhanatas value, ``wind``, and the
    4,000 MW rest, ``wind_c2``) is open to KZ, TR, CN, GULF and OTHER, none with a cap of its own;
    Turkestan CCGT potential = committed 1,000 + Shymkent 500 = 1,500 MW. Only committed rows
    and the Shymkent project carry max_new_mw."""
    bo = case["build_options"]
    pot = case["build_potentials"].set_index(["zone", "technology"])["max_new_mw"]
    for g in ("wind", "wind_c2"):
        wind = bo[(bo["zone"] == "zhambyl") & (bo["technology"] == g)]
        assert set(wind["partner"]) == {"KZ", "TR", "CN", "GULF", "OTHER"}
        assert wind["max_new_mw"].isna().all()
    assert pot[("zhambyl", "wind")] == 1000 and pot[("zhambyl", "wind_c2")] == 4000
    assert pot[("turkestan", "gas_ccgt")] == 1500
    capped = bo[bo["max_new_mw"].notna()]
    assert set(zip(capped["zone"], capped["technology"], capped["partner"])) == {
        ("kyzylorda", "gas_chp", "TR"), ("turkestan", "gas_ccgt", "KZ"), ("almaty", "gas_chp", "KZ"),
        ("pavlodar", "coal_sub", "KZ"), ("turkestan", "gas_ccgt", "TR")}
    # every option's zone x technology has a potential
    assert set(zip(bo["zone"], bo["technology"])) <= set(pot.index)


def test_envelopes_cover_committed_capex(case):
    """TR's 2025 envelope ($1.0 bn) covers its committed Kyzylorda CHP: 240 MW x 1,785 $/kW =
    $428.4 m; RU's 2035 envelope ($15 bn) covers Balkhash 2,400 MW x 6,040 $/kW = $14.496 bn.
    KZ's envelope, $5.23 bn per period = committed state projects 636 x 1,508 + 1,000 x 1,395
    + 557 x 1,785 ($3.35 bn) + Semey and Ust-Kamenogorsk CHPs 720 x 2,620 ($1.89 bn), covers
    its three committed projects in 2025."""
    env = case["partner_envelopes"].set_index(["partner", "period"])["max_investment_usd"]
    assert env[("TR", 2025)] >= 240e3 * 1785
    assert env[("RU", 2035)] >= 2400e3 * 6040
    kz_committed = 636e3 * 1508 + 1000e3 * 1395 + 557e3 * 1785
    assert kz_committed == pytest.approx(3.348e9, rel=1e-3)
    for p in (2025, 2030, 2035, 2040):
        assert env[("KZ", p)] == pytest.approx(kz_committed + 720e3 * 2620, rel=1e-3)


def test_finance_rules_by_hand():
    """The four partner finance rules of source/finance_rules.py from IRENA (2023b) via GNESTE: host Kazakhstan
    6.3 %, homes Türkiye 7.5, China 2.5, Russia 6.3, GULF max(Saudi Arabia 6.2, UAE 5.6) = 6.2, OTHER none;
    benchmark USA (solar row) 4.3, so Kazakhstan's premium is 2.0 points.
    max(host, home): TR 7.5, every other 6.3 (the case's partners.csv). Host for all: 6.3 each.
    Home for all: KZ 6.3, TR 7.5, CN 2.5, RU 6.3, GULF 6.2, OTHER 6.3 (no home: the host's).
    Country risk, home + 2.0: TR 9.5, CN 4.5, RU 8.3, GULF 8.2; KZ and OTHER at the host's 6.3."""
    import sys

    sys.path.insert(0, str(CASE / "source"))
    from finance_rules import rates

    r = {rule: {k: round(v, 4) for k, v in w.items()} for rule, w in rates().items()}
    assert r["max_host_home"] == {"KZ": 0.063, "TR": 0.075, "CN": 0.063, "RU": 0.063, "GULF": 0.063, "OTHER": 0.063}
    assert set(r["host_for_all"].values()) == {0.063}
    assert r["home_for_all"] == {"KZ": 0.063, "TR": 0.075, "CN": 0.025, "RU": 0.063, "GULF": 0.062, "OTHER": 0.063}
    assert r["country_risk"] == {"KZ": 0.063, "TR": 0.095, "CN": 0.045, "RU": 0.083, "GULF": 0.082, "OTHER": 0.063}
    case = pd.read_csv(CASE / "partners.csv").set_index("partner")["wacc"].to_dict()
    assert case == r["max_host_home"]  # the case's rule is the default, unchanged
