"""Explain an infeasible model in terms of its inputs.

HiGHS finds an irreducible infeasible subset (IIS): a smallest set of rows and
bounds that cannot hold together. Each row belongs to a constraint family, and
each family is driven by known input columns, so the IIS is reported as the
inputs to relax, with the zone, technology, period and timestep of each row.
"""

from __future__ import annotations

import highspy


def _inputs() -> dict[str, str]:
    """Pyomo constraint or variable name -> the input columns that set it, from each family's ``INPUTS``."""
    from planner.model.build import MODULES

    out: dict[str, str] = {}
    for mod in MODULES:
        out.update(mod.INPUTS)
    return out


INPUTS: dict[str, str] = _inputs()


def _family(name: str) -> str:
    return name.split("[", 1)[0]


def explain_infeasible(comp, options: dict, limit: int = 12) -> str:
    """Text naming the inputs behind an irreducible infeasible subset, or '' if none was found."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("iis_strategy", 2)
    h.setOptionValue("time_limit", float(options.get("time_limit_s", 120.0)))
    h.passModel(comp.lp)
    h.run()
    status, iis = h.getIis()
    if status != highspy.HighsStatus.kOk or not (len(iis.row_index_) or len(iis.col_index_)):
        return ""
    items = [comp.rows[i].name for i in iis.row_index_]
    items += [comp.columns[j].name for j in iis.col_index_ if comp.columns[j].ub is not None or
              (comp.columns[j].lb or 0) > 0]
    lines = ["These constraints cannot all hold (an irreducible infeasible set); relax one of the inputs named:"]
    for name in items[:limit]:
        lines.append(f"  - {name}: {INPUTS.get(_family(name), 'see planner/model')}")
    if len(items) > limit:
        lines.append(f"  ... and {len(items) - limit} more")
    return "\n".join(lines)
