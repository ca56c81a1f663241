"""Emissions: priced, and capped where a cap is given.

    emissions[p] = sum_{z,g,t} w_t * heat_rate_g * co2_f(g) * gen[z,g,p,t]        (t/yr)
    emissions[p] <= co2_cap_t[p]                                                  where given

Cost registered: co2 = co2_price_usd_per_t[p] * emissions[p]   (USD/yr).
Emissions registered (results' emission_terms): the sum over t per zone and technology, as emissions[p] sums them.
The cap's dual divided by the discount weight of p is the CO2 shadow price (USD/t).
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.core.economics import emission_factor_t_per_mwh
from planner.model.data import ModelData
from planner.model.registry import Key, guard, registry, scaled

CONSTRAINTS = ("co2_cap",)
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "co2_cap": "periods.csv co2_cap_t",
}
# results' shadow_prices: constraint -> (unit, whether the dual is divided by the period's discount weight)
SHADOW_PRICES = {"co2_cap": ("USD/t", True)}


def emission_factor(d: ModelData) -> dict[str, float]:
    """Tonnes of CO2 per MWh generated, per technology (planner/core/economics.py)."""
    return emission_factor_t_per_mwh(d.tech, d.fuel)


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    ef = emission_factor(d)
    emitting = [(z, g) for z, g in d.ZG if ef[g]]
    # each zone's and technology's emissions, built once: summed into emissions[p] and priced per key below
    by_key = {(z, g, p): sum(d.weight[t] * ef[g] * m.gen[z, g, p, t] for t in d.TIMESTEPS)
              for p in d.PERIODS for z, g in emitting}
    for p in d.PERIODS:  # by key, for results' emission_terms
        registry(m).add_emissions(p, ((Key(z, g), by_key[(z, g, p)]) for z, g in emitting))
    m.emissions = pyo.Expression(
        d.PERIODS,
        rule=lambda m, p: sum(by_key[(z, g, p)] for z, g in emitting),
        doc="Annual emissions (t/yr)",
    )
    per = d.periods
    capped = [p for p in d.PERIODS if pd.notna(per.at[p, "co2_cap_t"])]
    m.co2_cap = pyo.Constraint(
        capped,
        rule=guard(
            "co2_cap", scaled(m, "co2_cap", 1.0 / d.hours, lambda m, p: m.emissions[p] <= float(per.at[p, "co2_cap_t"]))
        ),
        doc="Annual emissions at most the cap (t/yr)",
    )
    registry(m).add_cost("co2", lambda p: ((Key(z, g), float(per.at[p, "co2_price_usd_per_t"]) * by_key[(z, g, p)])
                                           for z, g in emitting))
