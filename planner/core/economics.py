"""Money and time: annuities, discounting, the share of a period served, operating costs per MWh.

Index letters as in the engine: g technology, f fuel, p period; r a rate per year, n years.

    CRF(r, n)           = r (1+r)^n / ((1+r)^n - 1),  1/n when r = 0
    annuity             = overnight cost x CRF(r, n)                                 (USD/yr)
    discount_weight[p]  = sum_{y in p} (1+r)^-(y - base_year)                        (years)
    s(a, b, p)          = |[a, b) ∩ [p, p + years_p)| / years_p                       (share of p)
    fuel[g]             = heat_rate_g x price_f(g)                                   (USD/MWh)
    co2[g]              = heat_rate_g x co2_f(g)                                     (t/MWh)
    use_f[g]            = heat_rate_g where g burns f, else 0                        (MWh_th/MWh)
    operating[g,p]      = vom_g + fuel[g] + co2[g] x co2_price[p]                    (USD/MWh)
    fixed_om[g]         = fom_g (USD/kW-yr) x 1000                                   (USD/MW-yr)
    energy              = MW x w_t, w_t the hours of a year timestep t stands for   (MWh/yr)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

# a first year "in service until" for what never retires within any horizon (existing corridors)
NEVER_RETIRES = 10**6


def crf(rate: float, years: int) -> float:
    """Capital recovery factor: the annuity per unit of overnight cost.

    CRF = r (1+r)^n / ((1+r)^n - 1), and 1/n when r = 0.
    """
    if rate == 0:
        return 1.0 / years
    q = (1.0 + rate) ** years
    return rate * q / (q - 1.0)


def annuity(overnight: float, rate: float, years: int) -> float:
    """Equal yearly payment over ``years`` that repays ``overnight`` at ``rate``: overnight x CRF(rate, years)."""
    return overnight * crf(rate, years)


def share_in_service(first_year: int, end_year: int, period: int, years: int) -> float:
    """Share of a period (first year ``period``, ``years`` long) that capacity in service from
    ``first_year`` up to, not including, ``end_year`` serves."""
    return max(0, min(period + years, end_year) - max(period, first_year)) / years


def discount_weight(first_year: int, years: int, base_year: int, rate: float) -> float:
    """Present value of 1 USD/yr paid in each year of a period: sum_{y} (1+r)^-(y - base)."""
    return float(sum((1.0 + rate) ** -(y - base_year) for y in range(first_year, first_year + years)))


def per_mwh_of_fuel(tech: pd.DataFrame, per_mwh_th: Mapping[str, float]) -> dict[str, float]:
    """heat_rate_g (MWh_th/MWh) x ``per_mwh_th[fuel_g]`` per technology g (``tech`` indexed by technology);
    0 for a technology without fuel."""
    out = {}
    for g, hr, f in zip(tech.index, tech["heat_rate_mwh_th_per_mwh"], tech["fuel"]):
        out[g] = float(hr * per_mwh_th[f]) if isinstance(f, str) and f else 0.0
    return out


def fuel_cost_usd_per_mwh(tech: pd.DataFrame, fuels: pd.DataFrame) -> dict[str, float]:
    """Fuel cost per MWh generated (USD/MWh) = heat rate x fuel price; fuels indexed by fuel."""
    return per_mwh_of_fuel(tech, fuels["price_usd_per_mwh_th"].to_dict())


def emission_factor_t_per_mwh(tech: pd.DataFrame, fuels: pd.DataFrame) -> dict[str, float]:
    """Tonnes of CO2 per MWh generated (t/MWh) = heat rate x fuel CO2 content; fuels indexed by fuel."""
    return per_mwh_of_fuel(tech, fuels["co2_t_per_mwh_th"].to_dict())


def fuel_use_mwh_th_per_mwh(tech: pd.DataFrame, fuel: str) -> dict[str, float]:
    """Fuel ``fuel`` burned per MWh generated (MWh_th/MWh) per technology: its heat rate where it burns the fuel,
    else 0."""
    return per_mwh_of_fuel(tech, {f: float(f == fuel) for f in tech["fuel"] if isinstance(f, str) and f})


def operating_cost_usd_per_mwh(vom_usd_per_mwh: float, fuel_usd_per_mwh: float, co2_t_per_mwh: float,
                               co2_price_usd_per_t: float) -> float:
    """Variable cost of a MWh generated (USD/MWh) = variable O&M + fuel + CO2 emitted x CO2 price."""
    return vom_usd_per_mwh + fuel_usd_per_mwh + co2_t_per_mwh * co2_price_usd_per_t


def fixed_om_usd_per_mw_yr(fom_usd_per_kw_yr):
    """Fixed O&M per MW of capacity in service (USD/MW-yr) from the input's USD/kW-yr (a number or a Series)."""
    return fom_usd_per_kw_yr * 1000.0


def mwh(mw, hours):
    """Energy of a year (MWh/yr) from power (MW) held for the ``hours`` of a year a timestep stands for."""
    return mw * hours


def with_mwh(df: pd.DataFrame, columns: Iterable[str], hours: str = "weight") -> pd.DataFrame:
    """``df`` with each ``<x>_mw`` column of ``columns`` also as energy ``<x>_mwh`` = MW x ``df[hours]``."""
    return df.assign(**{c.replace("_mw", "_mwh"): mwh(df[c], df[hours]) for c in columns})
