"""The partner report: attribution by capacity in service, costs, revenue, margins and deficit shares."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from partner_cases import envelope_case, run_folder

from planner.analysis.partners import EXISTING, in_service, report
from planner.runner import run_spec
from planner.spec import load_spec
from planner.store import read_results

ROOT = Path(__file__).resolve().parents[1]


def test_report_on_the_envelope_case_by_hand(tmp_path):
    """envelope_case: TR 60 MW, KZ 40 MW of gas (see test_partners_finance); 100 MW x 8760 h = 876,000 MWh.

    price = cost of one more MW-h served = KZ's annuity + fom over the year, plus vom:
            (150,000 + 10,000) / 8760 + 5 = 23.2648 USD/MWh
    TR: share 0.6 -> 525,600 MWh; revenue 525,600 * 23.2648 = 12,228,000;
        annual cost 6,000,000 + 600,000 = 6,600,000; operating 525,600 * 5 = 2,628,000;
        margin 12,228,000 - 6,600,000 - 2,628,000 = 3,000,000 (= 60 MW * 50,000, the envelope's rent)
    KZ: share 0.4 -> 350,400 MWh; revenue 8,152,000; annual 6,400,000; operating 1,752,000; margin 0.
    Deficit (planner/analysis/deficit.py): no existing fleet, no reserve margin -> 100 MW; alone TR closes 60, KZ 40;
    together they close 100 -> TR 60 %, KZ 40 %.
    """
    out = run_folder(envelope_case(tmp_path / "c"), tmp_path / "res")
    rep = report(read_results(out.folder)[0])
    b = rep["partner_builds"].set_index("partner")
    price = 160_000 / 8760 + 5
    assert out.tables["prices"]["price_usd_per_mwh"].iloc[0] == pytest.approx(price, rel=1e-9)
    for k, mw, share, annual, margin in (("TR", 60, 0.6, 6_600_000, 3_000_000), ("KZ", 40, 0.4, 6_400_000, 0.0)):
        assert b.at[k, "in_service_mw"] == pytest.approx(mw)
        assert b.at[k, "generation_mwh"] == pytest.approx(share * 876_000, rel=1e-6)
        assert b.at[k, "revenue_usd_per_yr"] == pytest.approx(share * 876_000 * price, rel=1e-5)
        assert b.at[k, "annual_cost_usd_per_yr"] == pytest.approx(annual, rel=1e-6)
        assert b.at[k, "operating_cost_usd_per_yr"] == pytest.approx(share * 876_000 * 5, rel=1e-6)
        assert b.at[k, "margin_usd_per_yr"] == pytest.approx(margin, abs=100)
    zd = rep["zone_deficits"].iloc[0]
    assert zd["deficit_before_mw"] == pytest.approx(100) and zd["deficit_after_mw"] == pytest.approx(0, abs=1e-6)
    kd = rep["deficit_closed"].set_index("owner")
    assert kd.at["TR", "share_closed_pu"] == pytest.approx(0.6)
    assert kd.at["KZ", "share_closed_pu"] == pytest.approx(0.4)
    h = rep["partner_headline"].set_index("partner")
    assert h.at["TR", "capex_usd"] == pytest.approx(60e6)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = run_spec(load_spec(ROOT / "models/example.toml"), tmp_path_factory.mktemp("res"))
    return out


def _system_totals(t: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    c = t["costs"].pivot_table(index="period", columns="category", values="annual_usd", aggfunc="sum")
    d = t["dispatch"].merge(t["prices"], on=["zone", "period", "timestep"])
    d["rev"] = d["weight"] * d["price_usd_per_mwh"] * (d["generation_mw"] - d["charge_mw"])
    return {
        "annual_cost_usd_per_yr": c["investment"] + c["fixed_om"],
        "operating_cost_usd_per_yr": c["fuel"] + c["variable_om"] + c["co2"],
        "generation_mwh": t["generation"].groupby("period")["generation_mwh"].sum(),
        "revenue_usd_per_yr": d.groupby("period")["rev"].sum(),
        "capex_usd": t["new_capacity"].groupby("period")["capex_usd"].sum(),
        "new_mw": t["new_capacity"].groupby("period")["new_mw"].sum(),
        "in_service_mw": t["capacity"].groupby("period")["total_mw"].sum(),
    }


@pytest.mark.parametrize("stored", [False, True], ids=["in-memory", "stored-csv"])
def test_attribution_sums_to_system_totals_on_the_example(example, stored):
    """Every attributed quantity, summed over owners (partners, unattributed, existing fleet), zones and
    technologies, equals the system total of the same run: exactly (1e-9) in memory; to the 6 significant
    digits the CSVs keep (1e-5) when read back from disk."""
    t = read_results(example.folder)[0] if stored else example.tables
    tol = 1e-5 if stored else 1e-9
    b = report(t)["partner_builds"]
    assert {"TR", "KZ", EXISTING} <= set(b["partner"])
    for col, total in _system_totals(t).items():
        got = b.groupby("period")[col].sum()
        assert got.to_numpy() == pytest.approx(total.reindex(got.index).to_numpy(), rel=tol), col
    # and per zone x technology x period, capacity and generation add up
    per = b.groupby(["zone", "technology", "period"])[["in_service_mw", "generation_mwh"]].sum()
    cap = t["capacity"].set_index(["zone", "technology", "period"])["total_mw"]
    gen = t["generation"].set_index(["zone", "technology", "period"])["generation_mwh"]
    assert per["in_service_mw"].to_numpy() == pytest.approx(cap.reindex(per.index).to_numpy(), rel=tol, abs=1e-6)
    assert per["generation_mwh"].to_numpy() == pytest.approx(gen.reindex(per.index).to_numpy(), rel=tol, abs=1e-6)
    # the TR builds in the report are the TR rows of new_capacity
    nc = t["new_capacity"]
    assert b.loc[b.partner == "TR", "new_mw"].sum() == pytest.approx(nc.loc[nc.partner == "TR", "new_mw"].sum(),
                                                                     rel=tol)


def test_deficit_closed_adds_up_on_the_example(example):
    """Per period: the owners' closed MW sum to before - after (planner/analysis/deficit.py); shares lie in [0, 1]
    and sum to the share of the deficit all new builds close; the headline carries the same shares."""
    rep = report(example.tables)
    zd, kd, h = rep["zone_deficits"], rep["deficit_closed"], rep["partner_headline"]
    sys_ = zd.groupby("period")[["deficit_before_mw", "deficit_after_mw"]].sum()
    assert (sys_["deficit_before_mw"] > 0).all()
    closed = kd.groupby("period")["closed_mw"].sum()
    assert closed.to_numpy() == pytest.approx((sys_["deficit_before_mw"] - sys_["deficit_after_mw"]).to_numpy(),
                                              rel=1e-9)
    assert kd["share_closed_pu"].between(0, 1 + 1e-12).all()
    got = h.set_index(["partner", "period"])["share_closed_pu"]
    want = kd.set_index(["owner", "period"])["share_closed_pu"]
    assert got.to_numpy() == pytest.approx(want.reindex(got.index).to_numpy(), rel=1e-12)


def test_report_refuses_results_without_its_tables(example):
    from planner.errors import InputError
    t = {k: v for k, v in example.tables.items() if k != "technologies"}
    with pytest.raises(InputError, match="technologies"):
        in_service(t)


def test_summary_leads_with_the_answer_and_is_saved(example):
    """summary.txt in the results folder: the deficit first (one figure per period, the system deficit of
    planner/analysis/deficit.py), then who builds what and where, then the cost."""
    from planner.analysis.deficit import system_deficit, zone_deficits

    text = (example.folder / "summary.txt").read_text(encoding="utf-8")
    i_deficit, i_who, i_cost = (
        text.index("deficit (MW"),
        text.index("who builds what, where"),
        text.index("cost: present value"),
    )
    assert i_deficit < i_who < i_cost
    for p, v in system_deficit(zone_deficits(example.tables)).items():
        assert f"  {p}: {v:,.0f} MW with the existing fleet" in text
    assert "  TR: " in text and "capex" in text and "deficit closed" in text


def test_short_lived_vintage_is_attributed_as_the_model_counts_it(tmp_path):
    """A partner's plant with a 3-year life built in a 5-year period serves 3/5 of it.

    One period 2030 of 5 years, r = 0; demand 60 MW for 1000 h; gas built by K, capex 100 USD/kW,
    lifetime 3 -> in service 3/5 of the period, so 60 / 0.6 = 100 MW are built to serve 60 MW on average.
    The partner report and the report's capacity table both count 60 MW in service (not 100), matching
    capacity.csv's total_mw.
    """
    import pandas as pd
    from casekit import hours, write_case

    from planner.analysis.partners import in_service
    from planner.report import build_report
    from planner.runner import run_spec
    from planner.spec import RunSpec

    case = write_case(tmp_path / "c", periods=[{"period": 2030, "years": 5}],
                      technologies=[{"technology": "gas", "kind": "thermal", "lifetime_yr": 3, "capex_usd_per_kw": 100,
                                     "vom_usd_per_mwh": 10}],
                      partners=[{"partner": "K", "wacc": 0}],
                      build_options=[{"zone": "A", "technology": "gas", "partner": "K"}],
                      timesteps=hours([1000]), demand=[{"zone": "A", "timestep": 0, "demand_mw": 60}])
    out = run_spec(RunSpec(name="short", inputs=case), tmp_path / "r")
    assert out.tables["new_capacity"]["new_mw"].sum() == pytest.approx(100, rel=1e-6)
    ins = in_service(out.tables).set_index("partner")
    assert ins.at["K", "in_service_mw"] == pytest.approx(60, rel=1e-6)
    build_report(out.folder)
    rep = pd.read_csv(out.folder / "report" / "capacity.csv")
    assert rep.query("partner == 'K'")["total_mw"].sum() == pytest.approx(60, rel=1e-5)
