"""Explain an infeasible model in terms of its inputs.

HiGHS finds an irreducible infeasible subset (IIS): a smallest set of rows and
bounds that cannot hold together. Each row belongs to a constraint family, and
each family is driven by known input columns, so the IIS is reported as the
inputs to relax, with the zone, technology, period and timestep of each row.
"""

from __future__ import annotations

import highspy

from planner.model.build import INPUTS


def _family(name: str) -> str:
    return name.split("[", 1)[0]


def explain_infeasible(comp, options: dict, examples: int = 3) -> str:
    """Text naming the inputs behind an irreducible infeasible subset, or '' if none was found.

    The rows are grouped by constraint family, and every family is named: an
    IIS of thousands of hourly balance rows and one fuel limit must show the
    fuel limit, not stop after the first dozen balance rows.
    """
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
    return group_by_family(items, examples)


def group_by_family(items: list[str], examples: int = 3) -> str:
    """One line per constraint family of the IIS (smallest families first: the unusual row is the clue)."""
    families: dict[str, list[str]] = {}
    for name in items:
        families.setdefault(_family(name), []).append(name)
    n = len(items)
    lines = [f"These constraints cannot all hold (an irreducible infeasible set of {n} row{'s' if n != 1 else ''} "
             f"in {len(families)} famil{'ies' if len(families) != 1 else 'y'}); relax one of the inputs named:"]
    for fam, names in sorted(families.items(), key=lambda kv: (len(kv[1]), kv[0])):
        line = f"  - {names[0]}: {INPUTS.get(fam, 'see planner/model')}"
        if len(names) > 1:
            more = ", ".join(names[1:examples])
            rest = len(names) - examples
            line += f" (and {len(names) - 1} more {fam} row{'s' if len(names) > 2 else ''}: {more}" + \
                (f", ... {rest} more)" if rest > 0 else ")")
        lines.append(line)
    return "\n".join(lines)
