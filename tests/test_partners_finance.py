"""Partner finance in the LP: a lower WACC wins a build, and the envelope's dual in USD per USD.

Both cases are one zone, one timestep that stands for 8760 h, demand 100 MW and
a value of lost load (1000 USD/MWh, i.e. 8.76 m USD/MW-yr) far above any
annuity, so exactly 100 MW is built and dispatched; the discount rate is 0.
"""

from __future__ import annotations

import pytest
from casekit import hours, write_case
from partner_cases import envelope_case, run_folder

from planner.core.economics import crf


def wacc_case(folder, wacc_k1: float):
    """Option K1 at 1050 USD/kW and WACC ``wacc_k1``; option K2 at 1000 USD/kW and WACC 0.10; lifetime 20 yr."""
    return write_case(
        folder,
        timesteps=hours([8760.0]),
        demand=[{"zone": "A", "timestep": 0, "demand_mw": 100}],
        technologies=[{"technology": "gas", "kind": "thermal", "capex_usd_per_kw": 1000, "lifetime_yr": 20}],
        partners=[{"partner": "K1", "wacc": wacc_k1}, {"partner": "K2", "wacc": 0.10}],
        build_options=[{"zone": "A", "technology": "gas", "partner": "K1", "capex_usd_per_kw": 1050},
                       {"zone": "A", "technology": "gas", "partner": "K2", "capex_usd_per_kw": 1000}],
    )


def test_lower_wacc_wins_a_build_it_would_otherwise_lose(tmp_path):
    """CRF(r, n) = r (1+r)^n / ((1+r)^n - 1):

        CRF(0.05, 20) = 0.05 * 2.653298 / 1.653298 = 0.0802426
        CRF(0.10, 20) = 0.10 * 6.727500 / 5.727500 = 0.1174596

    K1 at 5 %:  1,050,000 USD/MW * 0.0802426 =  84,254.7 USD/MW-yr  <  K2 1,000,000 * 0.1174596 = 117,459.6
    -> K1 builds all 100 MW; objective = 100 * 84,254.7 = 8,425,468 USD (one year, undiscounted).
    K1 at 10 %: 1,050,000 * 0.1174596 = 123,332.6 > 117,459.6
    -> K2 builds all 100 MW; objective = 100 * 117,459.6 = 11,745,963 USD.
    """
    assert crf(0.05, 20) == pytest.approx(0.0802426, rel=1e-6)
    assert crf(0.10, 20) == pytest.approx(0.1174596, rel=1e-6)

    cheap = run_folder(wacc_case(tmp_path / "cheap", 0.05))
    nb = cheap.tables["new_capacity"].set_index("partner")["new_mw"]
    assert nb["K1"] == pytest.approx(100.0) and nb["K2"] == pytest.approx(0.0, abs=1e-6)
    assert cheap.solution.objective == pytest.approx(8_425_468, rel=1e-6)
    assert cheap.tables["new_capacity"].set_index("partner").at["K1", "annuity_usd_per_yr"] == pytest.approx(
        8_425_468, rel=1e-6
    )

    same = run_folder(wacc_case(tmp_path / "same", 0.10))
    nb = same.tables["new_capacity"].set_index("partner")["new_mw"]
    assert nb["K1"] == pytest.approx(0.0, abs=1e-6) and nb["K2"] == pytest.approx(100.0)
    assert same.solution.objective == pytest.approx(11_745_963, rel=1e-6)


def test_envelope_binds_with_its_dual_in_usd_per_usd(tmp_path):
    """Case of partner_cases.envelope_case: TR 100,000, KZ 150,000 USD/MW-yr annuities; fom 10,000 USD/MW-yr;
    vom 5 USD/MWh; TR's envelope 60 m USD; period of 2 years at discount rate 0, so df = 2.

    Optimum: TR 60 MW (60 m USD = the envelope), KZ the other 40 MW.
      annual cost = 60 * 100,000 + 40 * 150,000 + 100 * 10,000 + 876,000 MWh * 5 = 17,380,000 USD/yr
      objective   = df * annual = 34,760,000 USD
    One more USD of envelope moves 1e-6 MW from KZ to TR and saves (150,000 - 100,000) * 1e-6 = 0.05 USD
    in each year: the raw dual is -0.05 * df = -0.10 USD of present value per USD. The envelope is a one-off
    amount, so shadow_prices reports that present value as a saving: 0.10 USD_pv per USD of extra envelope.
    """
    out = run_folder(envelope_case(tmp_path / "c"))
    nb = out.tables["new_capacity"].set_index("partner")
    assert nb.at["TR", "new_mw"] == pytest.approx(60.0)
    assert nb.at["KZ", "new_mw"] == pytest.approx(40.0)
    assert nb.at["TR", "capex_usd"] == pytest.approx(60e6)
    assert out.solution.objective == pytest.approx(34_760_000, rel=1e-9)
    sp = out.tables["shadow_prices"].set_index(["constraint", "index"])
    assert sp.at[("partner_envelope", "TR/2030"), "shadow_price"] == pytest.approx(0.10, rel=1e-9)
    assert sp.at[("partner_envelope", "TR/2030"), "unit"] == "USD_pv/USD"
