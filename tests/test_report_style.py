"""The report's look (planner/report/style.py) and the placement section (planner/report/placement.py), without
a solve: colours stable and apart, also for the common colour-vision deficiencies; numbers at the precision that
decides them; the closest sites sorted and tied sites grouped."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.report import style
from planner.report.placement import closest, section_html

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p for p in (ROOT / "inputs").iterdir() if (p / "technologies.csv").is_file())


def case_names(table: str, column: str) -> dict[str, list[str]]:
    return {c.name: pd.read_csv(c / f"{table}.csv")[column].astype(str).tolist() for c in CASES}


def test_a_technology_has_one_colour_whatever_else_is_in_the_report():
    """The colour is the name's: coal is the same grey in the example (6 technologies) and the Kazakhstan case (18)."""
    techs = case_names("technologies", "technology")
    every = sorted({t for names in techs.values() for t in names})
    alone = {t: style.technology_colors([t])[t] for t in every}
    for names in techs.values():
        got = style.technology_colors(names)
        assert {t: got[t] for t in names} == {t: alone[t] for t in names}
        assert len(set(got.values())) == len(names), got  # no two technologies of a case share a colour
    assert style.technology_colors(["coal", "wind"]) == {"coal": "#555555", "wind": "#56B4E9"}  # Okabe-Ito's sky blue


def test_a_partner_has_one_colour_and_never_that_of_new_corridors():
    partners = case_names("partners", "partner")
    every = sorted({k for names in partners.values() for k in names})
    alone = {k: style.partner_colors([k])[k] for k in every}
    for names in partners.values():
        got = style.partner_colors(names + ["(unattributed)"])
        assert {k: got[k] for k in names} == {k: alone[k] for k in names}
        assert len(set(got.values())) == len(names) + 1
        assert style.NEW_CORRIDOR_COLOR not in got.values()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12), max_size=40))
def test_new_names_never_collide_within_a_report(names):
    for colors in (style.technology_colors(names), style.partner_colors(names), style.category_colors(names)):
        assert len(set(colors.values())) == len(set(names))


def _cam02(color: str, cvd: str | None) -> np.ndarray:
    from colorspacious import cspace_convert

    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    space = {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100} if cvd else "sRGB1"
    return cspace_convert(rgb, space, "CAM02-UCS")


@pytest.mark.parametrize("cvd", [None, "protanomaly", "deuteranomaly", "tritanomaly"])
def test_colours_stay_apart_for_common_colour_vision_deficiencies(cvd):
    """Every pair of colours one chart of a shipped case can show differs by at least 5 (technologies, 18 in the
    Kazakhstan case, shades of 10 families) or 10 (partners) in CAM02-UCS, with full protanopia, deuteranopia or
    tritanopia simulated (Machado et al. 2009). About 1 is a just-noticeable difference."""
    techs = [("technologies", n, 5.0) for n in case_names("technologies", "technology").values()]
    extra = ["(existing)", "(unattributed)"]
    owners = [("partners", n + extra, 10.0) for n in case_names("partners", "partner").values()]
    for kind, names, least in techs + owners:
        colors = (style.technology_colors if kind == "technologies" else style.partner_colors)(names)
        worst = min((float(np.linalg.norm(_cam02(colors[a], cvd) - _cam02(colors[b], cvd))), a, b)
                    for a, b in itertools.combinations(names, 2))
        assert worst[0] >= least, (kind, cvd, worst)


def test_numbers_at_the_precision_that_decides_them():
    assert [style.pct(x) for x in (0.075, 0.063, 0.1, 0.125, 0.0042, 0.0895377)] == \
        ["7.5 %", "6.3 %", "10 %", "12.5 %", "0.42 %", "8.95 %"]
    assert [style.num(x) for x in (1281.4, 84.25, 5.0, 0.00421, 16890.2, 0.0)] == \
        ["1,281", "84.2", "5", "0.0042", "16,890", "0"]
    assert style.musd(1.2834e9) == "1,283 M" and style.mw(39.81) == "39.8 MW"


def test_zone_display_names_from_one_place():
    zones = pd.DataFrame({"zone": ["east_kazakhstan", "almaty", "N", "x_y"],
                          "name": ["East Kazakhstan (incl. Abai)", "Almaty (incl. Almaty city, Zhetysu)", "North", ""]})
    assert style.zone_names(zones, ["west_kazakhstan"]) == {
        "east_kazakhstan": "East Kazakhstan", "almaty": "Almaty", "N": "North", "x_y": "X Y",
        "west_kazakhstan": "West Kazakhstan"}
    assert style.partner_label("CN", "Chinese contractors with policy-bank finance") == \
        "CN — Chinese contractors with policy-bank finance"
    assert style.partner_label("TR", "Turkish developers (Aksa Enerji, Zorlu, Calik, ...)") == "TR — Turkish developers"


def break_even(tie_group: bool) -> pd.DataFrame:
    """Five sites: two identical gas sites (cut 1 - 566/639 = 11.4 %), one wind site needing 1 - 1159/1309 = 11.5 %,
    a solar site needing 1 - 700/800 = 12.5 % and one that enters at no capex (NaN, last)."""
    df = pd.DataFrame({
        "zone": ["zhambyl", "aktobe", "atyrau", "almaty", "kostanay"],
        "technology": ["gas_ocgt", "gas_ocgt", "wind", "solar", "solar"],
        "period": [2030] * 5,
        "capex_usd_per_kw": [639.0, 639.0, 1309.0, 800.0, 800.0],
        "wacc": [0.075] * 5,
        "break_even_capex_usd_per_kw": [566.0, 566.0, 1159.0, 700.0, np.nan],
        "break_even_wacc": [0.063, 0.063, 0.063, 0.05, np.nan],
        "tie": [False] * 5,
    })
    if tie_group:  # the study's own grouping wins: here it puts the wind site with the gas sites
        df["tie_group"] = [1, 1, 1, np.nan, np.nan]
    return df


def test_closest_sites_sorted_by_the_cut_they_need_ties_on_one_row():
    c = closest(break_even(tie_group=False))
    assert [r.zones for r in c.itertuples()] == [["aktobe", "zhambyl"], ["atyrau"], ["almaty"], ["kostanay"]]
    assert c["cut_pu"].iloc[0] == pytest.approx(1 - 566 / 639)
    assert c["cut_pu"].iloc[1] == pytest.approx(1 - 1159 / 1309)
    g = closest(break_even(tie_group=True))
    assert [r.zones for r in g.itertuples()] == [["aktobe", "atyrau", "zhambyl"], ["almaty"], ["kostanay"]]


def test_placement_section_answers_first_and_says_nothing_in_a_sentence():
    tables = {"where": pd.DataFrame(columns=["zone", "technology", "period", "new_mw", "capex_usd"]),
              "break_even": break_even(tie_group=False)}
    head = {"partner": "TR", "periods": [2030], "slack": 0.01, "tie_slack": 1e-4}
    html = section_html(tables, head, None)
    answer = html.index("In the least-cost plan TR builds nothing new in 2030")
    assert answer < html.index("closest to entering")
    assert "capex cut by 11.4 % (to 566 USD/kW), or a WACC of 6.3 %" in html
    assert "class='where'" not in html  # no empty table
    # grouped row: both gas zones on one row, in display names
    assert "<td class=text>Aktobe, Zhambyl</td>" in html
    assert "7.5 %" in html and "6.3 %" in html
