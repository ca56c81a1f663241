"""Trade with external markets over interconnectors.

    0 <= imports[i,p,t] <= import_mw_i,   0 <= exports[i,p,t] <= export_mw_i                       (MW)
    sum_t w_t * imports[i,p,t] <= max_import_mwh[i,p]     where given                             (MWh/yr)
    sum_t w_t * imports[i,p,t] >= min_import_mwh[i,p]     where given (contracted or observed flows)
    sum_t w_t * exports[i,p,t] <= max_export_mwh[i,p]     where given

The balance of the interconnector's zone gets imports - exports.
Costs registered (USD/yr): imports = sum w_t * import_price[i,p] * imports;
exports = - sum w_t * export_price[i,p] * exports (revenue).
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from planner.model.data import ModelData
from planner.model.registry import Key, registry, scaled

# the variables indexed by (..., period, timestep): operations, which a decomposition by time puts in its subproblems
TIME_VARIABLES = ("imports", "exports")
CONSTRAINTS = ("import_limit", "import_min", "export_limit")
# the inputs behind each row (and variable bound), named when the model is infeasible (planner/explain.py)
INPUTS = {
    "import_limit": "trade_prices.csv max_import_mwh",
    "import_min": "trade_prices.csv min_import_mwh (against import_mw and max_import_mwh)",
    "export_limit": "trade_prices.csv max_export_mwh",
    "imports": "interconnectors.csv import_mw",
    "exports": "interconnectors.csv export_mw",
}


def add(m: pyo.ConcreteModel, d: ModelData) -> None:
    ic, tr = d.interconnector, d.trade
    I = d.INTERCONNECTORS
    IPT = [(i, p, t) for i in I for p in d.PERIODS for t in d.TIMESTEPS]
    m.imports = pyo.Var(IPT, within=pyo.NonNegativeReals, bounds=lambda m, i, p, t: (0.0, float(ic.at[i, "import_mw"])),
                        doc="Imports over interconnector i (MW)")
    m.exports = pyo.Var(IPT, within=pyo.NonNegativeReals, bounds=lambda m, i, p, t: (0.0, float(ic.at[i, "export_mw"])),
                        doc="Exports over interconnector i (MW)")

    def limited(col):
        return [(i, p) for i in I for p in d.PERIODS if pd.notna(tr.at[(i, p), col])]
    def annual(flow, col: str, at_least: bool = False):
        """sum_t w_t flow[i,p,t] against trade_prices' col (MWh/yr), written as average MW."""
        def rule(m, i, p):
            energy = sum(d.weight[t] * flow[i, p, t] for t in d.TIMESTEPS)
            return energy >= tr.at[(i, p), col] if at_least else energy <= tr.at[(i, p), col]
        return rule

    s = 1.0 / d.hours
    m.import_limit = pyo.Constraint(limited("max_import_mwh"), rule=scaled(
        m, "import_limit", s, annual(m.imports, "max_import_mwh")), doc="Annual import limit (MWh/yr)")
    m.import_min = pyo.Constraint(limited("min_import_mwh"), rule=scaled(
        m, "import_min", s, annual(m.imports, "min_import_mwh", at_least=True)),
        doc="Annual imports at least the contracted volume (MWh/yr)")
    m.export_limit = pyo.Constraint(limited("max_export_mwh"), rule=scaled(
        m, "export_limit", s, annual(m.exports, "max_export_mwh")), doc="Annual export limit (MWh/yr)")

    at = {z: [i for i in I if ic.at[i, "zone"] == z] for z in d.ZONES}
    p_imp = tr["import_price_usd_per_mwh"].to_dict()
    p_exp = tr["export_price_usd_per_mwh"].to_dict()
    reg = registry(m)
    reg.add_injection("trade", lambda z, p, t: sum(m.imports[i, p, t] - m.exports[i, p, t] for i in at[z]))
    reg.add_cost("imports", lambda p: ((Key(ic.at[i, "zone"], link=i), sum(
        d.weight[t] * p_imp[(i, p)] * m.imports[i, p, t] for t in d.TIMESTEPS)) for i in I))
    reg.add_cost("exports", lambda p: ((Key(ic.at[i, "zone"], link=i), -sum(
        d.weight[t] * p_exp[(i, p)] * m.exports[i, p, t] for t in d.TIMESTEPS)) for i in I))
