"""Who finances and builds what, where, on which terms (SOURCES.md: build_options, build_potentials,
partners, partner_envelopes)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .common import BUILD_PERIODS, FIRST_BUILD_PERIOD, PERIODS, ZONES
from .fleet import CHP_TECHS, REPLACED_BY, RETIRE_OVERRIDES, TECHNOLOGIES
from .profiles import WIND_CLASS1_MW


@dataclass(frozen=True)
class Site:
    """A zone x technology build opportunity: its potential over the horizon (``max_new_mw``;
    None = no cap of its own) and, for committed or named projects, their terms."""

    max_new_mw: float | None
    capex_usd_per_kw: float | None = None
    first_period: int | None = None
    last_period: int | None = None
    min_new_mw: float = 0

    @property
    def committed(self) -> bool:
        return self.min_new_mw > 0


@dataclass(frozen=True)
class Partner:
    name: str
    country: str
    wacc: float
    eligible: tuple[str, ...] | None  # None = every technology

    def may_build(self, technology: str) -> bool:
        return self.eligible is None or technology in self.eligible


@dataclass(frozen=True)
class Option:
    """One row of build_options.csv."""

    zone: str
    technology: str
    partner: str
    site: Site


# Committed projects (min_new_mw, SOURCED in FACTS): Almaty CHP-2 gas conversion 557 MW;
# Aksa Kyzylorda CHP 240 MW (full operation 2026); Turkestan CCGT 1,000 MW (2026);
# Ekibastuz GRES-2 new 636 MW unit. They are built in the 2025 period (last_period 2025; the
# schema's min_new_mw is cumulative over the horizon, so without it the model would defer them
# to 2040). Max values: named pipeline (SOURCED) or ASSUMPTION.
NAMED_SITES: dict[tuple[str, str], Site] = {
    ("pavlodar", "coal_sub"): Site(636, last_period=2025, min_new_mw=636),  # Ekibastuz GRES-2 new unit (subcritical extension)
    # Turkestan CCGT (2026), at the technology's cost (fleet.CCGT_CAPEX_USD_PER_KW: its own $1,300-1,490/kW)
    ("turkestan", "gas_ccgt"): Site(1000, last_period=2025, min_new_mw=1000),
    ("almaty", "gas_chp"): Site(557, last_period=2025, min_new_mw=557),  # Almaty CHP-2 conversion to gas
    ("kyzylorda", "gas_chp"): Site(240, capex_usd_per_kw=1785, last_period=2025, min_new_mw=240),  # Aksa Kyzylorda CHP (2026)
    # pipeline (optional)
    ("pavlodar", "coal_new"): Site(2640, first_period=2030),  # Ekibastuz GRES-3 (draft coal plan)
    ("east_kazakhstan", "coal_new"): Site(700, first_period=2030),  # Kurchatov
    ("akmola", "coal_chp"): Site(240),  # Kokshetau CHP
    ("east_kazakhstan", "coal_chp"): Site(720),  # Semey 360 + Ust-Kamenogorsk 360
    # Balkhash: 2 x VVER-1200, DERIVED $5,830-6,250/kW midpoint, 2035-36
    ("almaty", "nuclear"): Site(2400, capex_usd_per_kw=6040, first_period=2035),
}
# Replacement rights for CHP cities: a zone may build new CHP of its fuel up to the
# existing CHP capacity (installed) that retires by 2040 (ASSUMPTION, heat must be replaced),
# where that is at least CHP_REPLACEMENT_MIN_MW; plants with a named replacement excluded.
# ASSUMPTION, an order-of-magnitude judgement: below 50 MW the retiring capacity is too small to
# stand for a new CHP unit (the new Kazakh CHPs in FACTS are 240-360 MW). In the data it drops three
# sites: Kostanay gas CHP 16 MW, Turkestan coal CHP 13 MW and gas CHP 30 MW (Akmola's 22 MW and
# Kyzylorda's 48 MW would fall below it too, but have named projects).
CHP_REPLACEMENT_MIN_MW = 50
# ASSUMPTION: the zones with gas supply for new plant, the South and West plus Aktobe.
GAS_ZONES = ("almaty", "zhambyl", "turkestan", "kyzylorda", "atyrau", "mangystau", "west_kazakhstan", "aktobe")
# ASSUMPTION per gas zone over the horizon, an order-of-magnitude judgement: one CCGT the size of the
# committed Turkestan CCGT (1,000 MW, FACTS), and half that of open-cycle peakers; no published
# figure for a zone's gas or site limit. The gas cap (system.GAS_LIMIT_TWH_TH) bounds them together.
GAS_CCGT_MAX = 1000
GAS_OCGT_MAX = 500
# ASSUMPTION, wind potential per zone over the horizon (MW), order-of-magnitude judgements, not
# resource figures (the reference data hold no wind atlas): 5,000 in Zhambyl and Almaty, where FACTS
# names the most good sites (Zhambyl: Kordai, Talas, Sarysu, Zhanatas; Almaty: Dzungarian Gate,
# Shelek corridor) next to the South's deficit; 3,000 in Mangystau (Fort-Shevchenko) and Akmola
# (Arshaly). Karaganda's 3,000 rests on no site named in FACTS: a judgement only (its wind runs at
# the common CF, profiles.py). Elsewhere WIND_MAX_DEFAULT, a grid-integration limit about the size of
# the whole 2024 wind fleet (1,410 MW) per zone.
WIND_MAX = {"zhambyl": 5000, "almaty": 5000, "mangystau": 3000, "akmola": 3000, "karaganda": 3000}
WIND_MAX_DEFAULT = 1500
# ASSUMPTION, solar potential per zone (MW), order-of-magnitude judgements: 5,000 in the four South
# zones, where the deficit is (FACTS) and three of the case's four highest solar CFs lie (Almaty,
# Zhambyl, Turkestan; Kyzylorda's is among the lowest); 1,000 elsewhere, about the 2024 national
# solar fleet (1,223 MW) per zone.
SOLAR_MAX = {"almaty": 5000, "zhambyl": 5000, "turkestan": 5000, "kyzylorda": 5000}
SOLAR_MAX_DEFAULT = 1000
BATTERY_MAX = 3000  # ASSUMPTION per zone: a judgement, no source; no zone has existing storage
PUMPED_HYDRO_MAX = {"almaty": 1000, "east_kazakhstan": 1000}  # ASSUMPTION: mountain relief; size a judgement
# ASSUMPTION, small hydro potential (MW), order-of-magnitude judgements: the four zones with existing
# small hydro on mountain rivers (2023 fleet after the top-up: Almaty 175, East Kazakhstan 68,
# Zhambyl 18, Turkestan 7 MW), ranked as that fleet; no resource survey is in the reference data.
SMALL_HYDRO_MAX = {"almaty": 300, "east_kazakhstan": 200, "zhambyl": 100, "turkestan": 100}

# WACC from one sourced basis: the cost of capital of the host country, Kazakhstan, plus a
# spread for each partner. SOURCED: IRENA (2023b) country cost of capital for utility-scale
# solar and wind, via GNESTE (CC-BY-4.0, vendored in reference/gneste/): Kazakhstan 6.3 %,
# Türkiye 7.5 %, China 2.5 %, Russian Federation 6.3 %, Saudi Arabia 6.2 %, UAE 5.6 %.
# Türkiye, China, Saudi Arabia and the UAE have a solar and a wind row with the same value; the
# wind file has no IRENA 2023b row for Kazakhstan or the Russian Federation, so the host's rate and
# RU's rest on the solar rows alone (country_cost_of_capital accepts a country found in one file).
# ASSUMPTION, the spread: a partner finances a Kazakh project at the host's rate unless its own
# home market's rate for the same kind of project is higher, since an investor does not accept
# less than it earns at home and cannot borrow below the Kazakh market rate for a Kazakh project:
#   wacc_k = host + max(0, home_k - host) = max(host, home_k)
# (a group of home countries takes the highest of them; OTHER, European developers, has no
# country in the data and takes the host's rate). So KZ, CN, RU, GULF and OTHER 6.3 %, TR 7.5 %.
# The same rate applies to every technology: IRENA's figures are for solar and wind, the only
# country-specific cost of capital in the reference data (FACTS: Agora/PyPSA used 10/15/20 % as
# scenarios, not estimates); a thermal-plant premium would be an unsourced number. The README's
# sensitivity varies TR's rate from 7 to 12 %.
# Was: KZ 10 %, TR 12 %, CN and RU 8 %, GULF and OTHER 7 % - numbers without a source.
WACC_HOST_COUNTRY = "Kazakhstan"
WACC_SOURCE = "IRENA, 2023b"
# partner -> (name, country shown, GNESTE country names of its home market)
PARTNER_HOME = {
    "KZ": ("Domestic / state (Samruk-Energy and other Kazakh utilities)", "Kazakhstan", ("Kazakhstan",)),
    "TR": ("Turkish developers (Aksa Enerji, Zorlu, Calik, ...)", "Türkiye", ("Turkey",)),
    "CN": ("Chinese contractors with policy-bank finance", "China", ("China",)),
    "RU": ("Russian state companies (Rosatom; coal plant builders)", "Russia", ("Russian Federation",)),
    "GULF": ("Gulf investors (ACWA Power, Masdar, Qatari investors)", "Saudi Arabia; UAE; Qatar",
             ("Saudi Arabia", "United Arab Emirates")),
    "OTHER": ("European / multilateral-backed developers (TotalEnergies, ...)", "various", ()),
}
# Eligible technologies, reasoned from the FACTS pipeline (SOURCES.md partners.csv); None = all.
ELIGIBLE = {
    "KZ": None,
    "TR": ("gas_ccgt", "gas_chp", "gas_ocgt", "solar", "wind", "wind_c2"),
    "CN": ("coal_new", "coal_chp", "solar", "wind", "wind_c2", "battery"),
    "RU": ("nuclear", "coal_new", "coal_chp"),
    "GULF": ("wind", "wind_c2", "solar", "battery", "gas_ccgt"),
    "OTHER": ("wind", "wind_c2", "solar", "battery"),
}
# Named pipeline projects offered by one partner only (the whole potential goes to it):
# Balkhash nuclear -> RU (FACTS: Rosatom-led); Kokshetau coal CHP 240 MW -> CN (FACTS:
# "later to Chinese contractors").
SOLE_PARTNER = {("almaty", "nuclear"): "RU", ("akmola", "coal_chp"): "CN"}
# Committed projects keep the partner building them. SOURCED: Aksa Enerji, Kyzylorda CHP
# (FACTS). The other builders are not in FACTS: attributed to KZ (state utilities own the
# plants), to be re-attributed when sourced.
COMMITTED_PARTNER = {("kyzylorda", "gas_chp"): "TR"}
# Partner-specific capex (USD/kW) where a reason exists; otherwise the technology's cost.
# ASSUMPTION: Chinese EPC and equipment set the low end of the published ranges. Solar 763 = DNV 2023
# Russia & FSU via GNESTE (row S0340), its 2025 value 763.4 (the DNV solar series ends in 2025);
# wind 1,083 = DNV onshore (row W0452), its 2030 value 1,082.8; coal CHP 2,160 = low end of new
# Kazakh coal CHPs $2,160-3,080/kW (FACTS). Applied only to sites offered to every eligible partner
# (options() below): the named Kokshetau CHP, a SOLE_PARTNER site, takes the technology's 2,620.
PARTNER_CAPEX = {("CN", "solar"): 763, ("CN", "wind"): 1083, ("CN", "wind_c2"): 1083, ("CN", "coal_chp"): 2160}
# Named projects with their own size, offered beside the generated options (SOURCED); their
# size is added to the zone x technology potential. Aksa Shymkent CCGT 500 MW, $700 m ->
# 1,400 $/kW (FACTS), non-binding MoU of Apr 2024: ASSUMPTION first period 2030. It is costed at
# the technology's CCGT basis (1,395 $/kW, within 0.4 % of Aksa's own figure), so that every
# partner's CCGT has one cost basis and the capex sensitivity moves them all.
NAMED_PARTNER_OPTIONS = (
    Option("turkestan", "gas_ccgt", "TR", Site(500, first_period=2030)),
)
# Investment envelopes, USD bn of overnight capex per period (SOURCES.md partner_envelopes.csv).
PARTNER_ENVELOPES_BN = {
    "TR": {2025: 1.0, 2030: 1.5, 2035: 1.5, 2040: 1.5},
    "CN": {2025: 2.0, 2030: 3.0, 2035: 3.0, 2040: 3.0},
    "RU": {2025: 1.0, 2030: 1.0, 2035: 15.0, 2040: 1.0},
    "GULF": {2025: 3.0, 2030: 3.0, 2035: 3.0, 2040: 3.0},
    "OTHER": {2025: 1.5, 2030: 1.5, 2035: 1.5, 2040: 1.5},
}
# KZ: the state keeps investing at the pace of the programme it carries now (ASSUMPTION, no
# public figure): the committed state-built projects plus the Semey and Ust-Kamenogorsk CHPs.
KZ_STATE_PROJECTS = (("pavlodar", "coal_sub"), ("turkestan", "gas_ccgt"), ("almaty", "gas_chp"))
KZ_STATE_CHP_MW = 720.0  # Semey 360 + Ust-Kamenogorsk 360 (FACTS)


def country_cost_of_capital(ref: Path, countries: set[str]) -> dict[str, float]:
    """IRENA (2023b) cost of capital of ``countries`` (fraction) from GNESTE's solar and wind files;
    fails unless each country has exactly one value over both files (a country may appear in one
    file only: Kazakhstan and the Russian Federation have no wind row)."""
    seen: dict[str, set[float]] = {c: set() for c in countries}
    for f in ("GNESTE_Solar_Power.csv", "GNESTE_Wind_Power.csv"):
        g = pd.read_csv(ref / "gneste" / f)
        g = g[(g["Variable"] == "Cost of Capital") & (g["Source"] == WACC_SOURCE) & g["Country"].isin(countries)]
        years = [c for c in g.columns if c.isdigit()]
        for country, row in zip(g["Country"], g[years].itertuples(index=False)):
            seen[country].update(float(v) for v in row if pd.notna(v))
    bad = {c: v for c, v in seen.items() if len(v) != 1}
    if bad:
        raise ValueError(f"GNESTE {WACC_SOURCE}: expected one cost of capital per country, found {bad}")
    return {c: v.pop() for c, v in seen.items()}


def partners(ref: Path) -> dict[str, Partner]:
    """Every partner with its WACC = max(host, home) from the IRENA country figures (see PARTNER_HOME)."""
    coc = country_cost_of_capital(ref, {WACC_HOST_COUNTRY} | {c for _, _, home in PARTNER_HOME.values() for c in home})
    host = coc[WACC_HOST_COUNTRY]
    out = {}
    for k, (name, country, home) in PARTNER_HOME.items():
        spread = max([0.0] + [coc[c] - host for c in home])
        out[k] = Partner(name, country, round(host + spread, 4), ELIGIBLE[k])
    return out


def sites(plants: pd.DataFrame, wind_c2_zones: list[str]) -> dict[tuple[str, str], Site]:
    """Every zone x technology that may be built: named sites, CHP replacement, gas zones, renewables.
    In ``wind_c2_zones`` the wind potential is split into a first tranche (``wind``, WIND_CLASS1_MW)
    and the rest (``wind_c2``, profiles.py)."""
    out = dict(NAMED_SITES)
    retiring = plants[(plants["retirement_year"] <= PERIODS[-1]) & ~plants["Name"].isin(list(RETIRE_OVERRIDES))]
    installed = retiring.groupby(["zone", "technology"])["installed_mw"].sum()
    for (z, old), mw in installed.items():
        g = REPLACED_BY.get(old)
        if g is not None and mw >= CHP_REPLACEMENT_MIN_MW and (z, g) not in out:
            out[(z, g)] = Site(round(mw, 0))
    for z in GAS_ZONES:
        out.setdefault((z, "gas_ccgt"), Site(GAS_CCGT_MAX))
        out.setdefault((z, "gas_ocgt"), Site(GAS_OCGT_MAX))
    for z in ZONES:
        wind_mw = WIND_MAX.get(z, WIND_MAX_DEFAULT)
        if z in wind_c2_zones:
            out.setdefault((z, "wind"), Site(WIND_CLASS1_MW))
            out.setdefault((z, "wind_c2"), Site(wind_mw - WIND_CLASS1_MW))
        else:
            out.setdefault((z, "wind"), Site(wind_mw))
        out.setdefault((z, "solar"), Site(SOLAR_MAX.get(z, SOLAR_MAX_DEFAULT)))
        out.setdefault((z, "battery"), Site(BATTERY_MAX))
    for z, mw in PUMPED_HYDRO_MAX.items():
        out.setdefault((z, "pumped_hydro"), Site(mw))
    for z, mw in SMALL_HYDRO_MAX.items():
        out.setdefault((z, "hydro_small"), Site(mw))
    return out


def options(site_map: dict[tuple[str, str], Site], partner_map: dict[str, Partner]) -> list[Option]:
    """Zone x technology sites -> (zone, technology, partner) options.

    Committed sites go whole to their builder (COMMITTED_PARTNER, else KZ), with min = max;
    SOLE_PARTNER sites to the named partner alone; every other site is offered to every partner
    eligible for the technology, with no cap of its own (the shared cap is build_potentials.csv);
    then the NAMED_PARTNER_OPTIONS are added with their project size. A partner is never offered
    a technology it is not eligible for (checked here, so the engine's eligibility filter drops
    nothing).
    """
    out: list[Option] = []
    for (z, g), s in site_map.items():
        if s.committed:
            out.append(Option(z, g, COMMITTED_PARTNER.get((z, g), "KZ"), s))
        elif (z, g) in SOLE_PARTNER:
            out.append(Option(z, g, SOLE_PARTNER[(z, g)], replace(s, max_new_mw=None)))
        else:
            for k, partner in partner_map.items():
                if partner.may_build(g):
                    capex = s.capex_usd_per_kw if s.capex_usd_per_kw is not None else PARTNER_CAPEX.get((k, g))
                    out.append(Option(z, g, k, replace(s, capex_usd_per_kw=capex, max_new_mw=None)))
    keys = {(o.zone, o.technology, o.partner) for o in out}
    for o in NAMED_PARTNER_OPTIONS:
        assert (o.zone, o.technology, o.partner) not in keys, f"named option {o} clashes with a generated one"
        out.append(o)
    for o in out:
        assert partner_map[o.partner].may_build(o.technology), f"{o.partner} offered {o.technology} in {o.zone}"
    return out


def potentials(site_map: dict[tuple[str, str], Site]) -> dict[tuple[str, str], float]:
    """Zone x technology -> potential shared by all partners' options (MW over the horizon): the
    site's potential plus the size of any named project in the same zone x technology."""
    pot = {k: float(s.max_new_mw) for k, s in site_map.items()}
    for o in NAMED_PARTNER_OPTIONS:
        pot[(o.zone, o.technology)] = pot.get((o.zone, o.technology), 0.0) + float(o.site.max_new_mw)
    return pot


def kz_envelope_bn() -> float:
    """DERIVED KZ envelope per period (USD bn): committed state projects + Semey/Ust-Kamenogorsk CHPs."""
    committed = 0.0
    for k in KZ_STATE_PROJECTS:
        s = NAMED_SITES[k]
        committed += s.min_new_mw * (s.capex_usd_per_kw or TECHNOLOGIES[k[1]].capex_usd_per_kw)
    return round((committed + KZ_STATE_CHP_MW * TECHNOLOGIES["coal_chp"].capex_usd_per_kw) / 1e6, 2)


def envelopes_bn() -> dict[str, dict[int, float]]:
    return {**PARTNER_ENVELOPES_BN, "KZ": {p: kz_envelope_bn() for p in BUILD_PERIODS}}


def build_options_table(site_map: dict[tuple[str, str], Site], partner_map: dict[str, Partner]) -> pd.DataFrame:
    rows = []
    for o in options(site_map, partner_map):
        s = o.site
        rows.append(dict(zone=o.zone, technology=o.technology, partner=o.partner,
                         capex_usd_per_kw="" if s.capex_usd_per_kw is None else s.capex_usd_per_kw,
                         first_period=s.first_period or FIRST_BUILD_PERIOD,
                         last_period="" if s.last_period is None else s.last_period,
                         min_new_mw=s.min_new_mw, max_new_mw="" if s.max_new_mw is None else s.max_new_mw))
    return pd.DataFrame(rows).sort_values(["zone", "technology", "partner"])


def build_potentials_table(site_map: dict[tuple[str, str], Site]) -> pd.DataFrame:
    return pd.DataFrame([dict(zone=z, technology=g, max_new_mw=mw) for (z, g), mw in sorted(potentials(site_map).items())])


def partners_table(partner_map: dict[str, Partner]) -> pd.DataFrame:
    return pd.DataFrame([dict(partner=k, name=p.name, country=p.country, wacc=p.wacc,
                              eligible_technologies=";".join(p.eligible or ()), min_share=0.0, max_share=1.0)
                         for k, p in partner_map.items()])


def partner_envelopes_table() -> pd.DataFrame:
    return pd.DataFrame([dict(partner=k, period=p, max_investment_usd=bn * 1e9)
                         for k, by_p in envelopes_bn().items() for p, bn in by_p.items()])


def chp_pairs(site_map: dict[tuple[str, str], Site], existing: pd.DataFrame) -> list[tuple[str, str]]:
    """Zone x CHP technology pairs with existing or buildable capacity (they get the must-run)."""
    return sorted({(z, g) for z, g in zip(existing["zone"], existing["technology"]) if g in CHP_TECHS}
                  | {(z, g) for (z, g) in site_map if g in CHP_TECHS})
