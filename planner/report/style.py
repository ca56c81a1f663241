"""One look for every report, compare view, chart and map: colours, display names, number formats.

Colours are a function of the name alone, so a technology or a partner has
the same colour in every report (within a report no two names share one):

- technologies take the colour of their family (coal, gas, oil, nuclear, hydro,
  wind, solar, bio, geothermal, storage) from Okabe & Ito's palette for the
  common colour-vision deficiencies ("Color Universal Design", 2008); the
  variants of a family are shades of it, lighter or darker, so they differ in
  lightness, which every deficiency keeps. ``KNOWN`` fixes the shade of each
  technology name in use; a new name takes its family's first shade no known
  name holds and no other name of the report has taken (names in sorted order),
  and a name of no family a colour of ``OTHER``;
- partners take a colour of Paul Tol's "muted" scheme (Tol 2021, "Colour
  schemes", SRON/EPS/TN/09-002), the 9 colours plus Tol's "bright" blue, at
  crc32(partner id) mod 10; two partners of one report at the same place are
  separated by taking the next free colour in name order (the only case where a
  partner's colour depends on the others). The existing fleet, options with no
  partner and new corridors have fixed neutral colours none of them uses, so a
  partner's markers never share the colour of the new corridors on the map.

``tests/test_report_style.py`` checks that the colours of the technologies and
partners of the shipped cases stay apart under simulated protanopia,
deuteranopia and tritanopia (Machado et al. 2009, via colorspacious).

Display names of zones come from ``zones.csv`` ``name`` without its
parenthesis ("East Kazakhstan (incl. Abai)" -> "East Kazakhstan"), else from the
id ("east_kazakhstan" -> "East Kazakhstan"). Numbers: ``pct`` for rates and
shares (7.5 %, 6.3 %, 0.25 %), ``num`` for MW, MWh and prices (three
significant digits, none after the point from 100 on: 1,281; 84.3; 5.27),
``musd`` for money in millions (1,283 M).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable

import pandas as pd

from planner.core.names import EXISTING, NEW_CORRIDORS, UNATTRIBUTED

# ---------------------------------------------------------------- colours

# Okabe & Ito (2008); coal a neutral grey ramp, bio and geothermal Tol's green and olive
FAMILY_BASE = {
    "coal": "#555555",
    "gas": "#D55E00",      # vermillion
    "oil": "#E69F00",      # orange
    "nuclear": "#CC79A7",  # reddish purple
    "hydro": "#0072B2",    # blue
    "wind": "#56B4E9",     # sky blue
    "solar": "#F0E442",    # yellow
    "bio": "#117733",      # Tol's green
    "geothermal": "#999933",  # Tol's olive
    "storage": "#009E73",  # bluish green
}
# the family of a technology name: the first family whose word it contains
FAMILY_WORDS = (("storage", ("battery", "storage", "pumped")), ("nuclear", ("nuclear",)),
                ("coal", ("coal", "lignite")), ("gas", ("gas", "ccgt", "ocgt")), ("oil", ("oil", "diesel")),
                ("hydro", ("hydro",)), ("wind", ("wind",)), ("solar", ("solar", "pv", "csp")),
                ("bio", ("bio", "waste")), ("geothermal", ("geotherm",)))
# shade i of a family: the base mixed with white (> 0) or black (< 0)
SHADES = (0.0, 0.4, -0.45, 0.7, -0.72, 0.88, 0.2, -0.25)
KNOWN = {  # technology -> shade of its family
    "coal": 0, "coal_chp": 1, "coal_new": 2, "coal_chp_old": 3, "lignite": 4,
    "gas_ccgt": 0, "gas_ocgt": 1, "gas_chp": 2, "gas_steam": 4, "gas_ocgt_old": 3, "gas_chp_old": 5, "gas": 6,
    "oil": 0, "diesel": 1,
    "nuclear": 0,
    "hydro": 0, "hydro_small": 2, "hydro_ror": 1,
    "wind": 0, "wind_c2": 1, "wind_offshore": 2, "wind_c3": 3,
    "solar": 0, "solar_csp": 2, "solar_rooftop": 1,
    "biomass": 0, "biogas": 1, "waste": 2,
    "geothermal": 0,
    "battery": 0, "pumped_hydro": 1, "storage": 2,
}
OTHER = ("#332288", "#44AA99", "#AA4499", "#117733", "#88CCEE", "#CC6677", "#DDCC77", "#999933")

PARTNER_PALETTE = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933",
                   "#AA4499", "#4477AA")
EXISTING_COLOR = "#BBBBBB"
UNATTRIBUTED_COLOR = "#777777"
NEW_CORRIDOR_COLOR = "#000000"
CORRIDOR_COLOR = "#9DB0C0"
INTERCONNECTOR_COLOR = "#7B4F9D"
FIXED_OWNERS = {EXISTING: EXISTING_COLOR, UNATTRIBUTED: UNATTRIBUTED_COLOR, NEW_CORRIDORS: NEW_CORRIDOR_COLOR,
                "": UNATTRIBUTED_COLOR}
# series of the dispatch chart that are not technologies
SERIES = {"imports": INTERCONNECTOR_COLOR, "exports": "#C9B3DB", "unserved": "#EE3377",
          "storage charging": "#D9A6BD", "demand": "#000000"}
BEFORE_COLOR = "#CC6677"   # the deficit with the existing fleet
AFTER_COLOR = "#332288"    # ... and after new builds


def mix(color: str, t: float) -> str:
    """``color`` mixed with white (t > 0) or black (t < 0) by |t|."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    target = 255 if t > 0 else 0
    out = [round(c + (target - c) * abs(t)) for c in rgb]
    return "#" + "".join(f"{c:02X}" for c in out)


def family(technology: str) -> str | None:
    name = technology.lower()
    for fam, words in FAMILY_WORDS:
        if any(w in name for w in words):
            return fam
    return None


def _known_color(technology: str) -> str | None:
    fam = family(technology)
    if technology in KNOWN and fam is not None:
        return mix(FAMILY_BASE[fam], SHADES[KNOWN[technology]])
    return None


def technology_colors(names: Iterable[str]) -> dict[str, str]:
    """technology -> colour: fixed for known names, a free shade of the family (else of ``OTHER``) for others."""
    names = sorted({str(n) for n in names})
    out = {n: c for n in names if (c := _known_color(n)) is not None}
    reserved = {_known_color(k) for k in KNOWN} | set(out.values())
    for n in names:
        if n in out:
            continue
        fam = family(n)
        pool = [mix(FAMILY_BASE[fam], s) for s in SHADES] if fam else []
        out[n] = _free(pool + list(OTHER), reserved, n)
        reserved.add(out[n])
    return out


def _free(pool: list[str], taken: set[str], name: str) -> str:
    """The first colour of ``pool`` not taken, else one made from the name's hash that is not taken either."""
    for c in pool:
        if c not in taken:
            return c
    h = zlib.crc32(name.encode())
    for i in range(4096):
        c = mix(OTHER[(h + i) % len(OTHER)], ((h >> 8) + 37 * i) % 160 / 200 - 0.4)
        if c not in taken:
            return c
    raise ValueError(f"no free colour left for {name!r}")  # pragma: no cover - 4096 shades


def partner_colors(names: Iterable[str]) -> dict[str, str]:
    """partner id (or owner label) -> colour: crc32(id) mod 10 into ``PARTNER_PALETTE``, the next free one when two
    of these names meet there; the owner labels of the existing fleet, unattributed options and new corridors fixed."""
    names = sorted({str(n) for n in names})
    out = {n: FIXED_OWNERS[n] for n in names if n in FIXED_OWNERS}
    taken = set(FIXED_OWNERS.values())
    n_pal = len(PARTNER_PALETTE)
    for n in names:
        if n in out:
            continue
        h = zlib.crc32(n.encode()) % n_pal
        pick = next((PARTNER_PALETTE[(h + i) % n_pal] for i in range(n_pal)
                     if PARTNER_PALETTE[(h + i) % n_pal] not in taken), None)
        out[n] = pick or _free([], taken, n)
        taken.add(out[n])
    return out


def category_colors(names: Iterable[str]) -> dict[str, str]:
    """Colours for categories that are neither technologies nor partners (cost categories, regions)."""
    names = sorted({str(n) for n in names})
    pool = list(OTHER) + list(PARTNER_PALETTE)
    out: dict[str, str] = {}
    for n in names:
        out[n] = _free(pool, set(out.values()), n)
    return out


# ---------------------------------------------------------------- names

def zone_names(zones: pd.DataFrame | None, ids: Iterable[str] = ()) -> dict[str, str]:
    """zone id -> display name: zones.csv ``name`` without a trailing parenthesis, else the id in words."""
    out: dict[str, str] = {}
    if zones is not None and "zone" in zones.columns:
        names = zones["name"] if "name" in zones.columns else pd.Series([""] * len(zones), index=zones.index)
        for z, n in zip(zones["zone"].astype(str), names.fillna("").astype(str)):
            short = re.sub(r"\s*\([^)]*\)\s*$", "", n).strip()
            out[z] = short or id_words(z)
    for z in ids:
        out.setdefault(str(z), id_words(str(z)))
    return out


def id_words(zone: str) -> str:
    """east_kazakhstan -> East Kazakhstan; short upper-case ids (N, TR) as they are."""
    if zone.isupper() or len(zone) <= 2:
        return zone
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s]+", zone) if w)


def partner_label(partner: str, name: str = "") -> str:
    """TR — Turkish developers: the id and the name without its parenthesis (the list of examples)."""
    short = re.sub(r"\s*\([^)]*\)", "", name or "").strip()
    return f"{partner} — {short}" if short else partner


# ---------------------------------------------------------------- numbers

def num(x: float, sig: int = 3, max_decimals: int = 4) -> str:
    """At least ``sig`` significant digits, none after the point from 100 on, thousands separated; trailing zeros
    after the point dropped: 1281.4 -> 1,281; 84.25 -> 84.2; 5.0 -> 5; 0.00421 -> 0.0042."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "" if x is None or x != x else str(x)
    x = float(x)
    if x == 0:
        return "0"
    decimals = min(max_decimals, max(0, sig - 1 - math.floor(math.log10(abs(x)))))
    s = f"{x:,.{decimals}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def pct(x: float) -> str:
    """A fraction as a percentage with the digits that matter (three significant, at most two after the point):
    0.075 -> 7.5 %, 0.063 -> 6.3 %, 0.1 -> 10 %, 0.125 -> 12.5 %, 0.0042 -> 0.42 %."""
    if x is None or (isinstance(x, float) and x != x):
        return ""
    return f"{num(float(x) * 100, sig=3, max_decimals=2)} %"


def musd(x: float) -> str:
    """USD in millions: 1.2834e9 -> 1,283 M; 1.25e7 -> 12.5 M."""
    if x is None or (isinstance(x, float) and x != x):
        return ""
    return f"{num(float(x) / 1e6)} M"


def mw(x: float) -> str:
    return f"{num(x)} MW"
