"""Value of a partnership: solve with and without one partner's build options.

    value[metric, p] = metric_without_k[p] - metric_with_k[p]

so a positive cost difference is what the partner's options save the system.
"Without" is the same run specification with the partner added to
``scenario.exclude_partners``: every build option of k is dropped before the
model except its committed ones (min_new_mw > 0), which are decisions already
taken and stay in both runs, so the value is that of the partner's options, not
of forcing or removing a commitment (``--drop-committed`` removes them too).
Everything else — inputs, periods, settings, solver — is identical. The two
solves run one after the other on this machine.

Metrics per period: annual system cost (sum of the costs table, USD/yr), its
present value (USD, discounted to the base year), emissions (t/yr), imports and
net imports over interconnectors (MWh/yr), unserved energy (MWh/yr), new MW
built, and the system deficit of planner/analysis/deficit.py: with the existing fleet
(the same in both runs, by definition) and after new builds (what they leave
open). A row with period "all" holds the present value of
system cost over the horizon, which equals the difference of the two objectives.

Written to results/<name>-partner-value-<k>/: ``partner_value.csv`` (metric,
period, unit, with, without, difference), ``partner_value.json`` (headline and
provenance), the partner report of the run with the partner
(``partner_builds.csv``, ``zone_deficits.csv``, ``deficit_closed.csv``,
``partner_headline.csv``), and the full result tables of both runs in ``with/``
and ``without/`` so any report can be regenerated from them.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from planner.studies import results_folder
from planner.studies import write_tables as write_study_tables

if TYPE_CHECKING:
    import pandas as pd

NAME = "partner-value"
HELP = "solve with and without one partner's options and report the difference"

# the metrics compared, in this order (definitions and units in planner/analysis/metrics.py)
METRICS = ("system_cost_annual", "system_cost_present_value", "emissions", "imports", "net_imports", "unserved_energy",
           "new_capacity", "deficit_existing_fleet", "deficit_after_new_builds")


def run_metrics(tables: dict) -> pd.DataFrame:
    """One run's metrics per period: columns metric, period, unit, value; period "all" for the total present value."""
    import pandas as pd

    from planner.analysis import metrics

    periods = sorted(tables["costs"]["period"].unique())
    total = ("system_cost_present_value", "all", "USD", metrics.value(tables, "system_cost_present_value"))
    return pd.concat([metrics.table(tables, METRICS, periods),
                      pd.DataFrame([total], columns=["metric", "period", "unit", "value"])],
                     ignore_index=True)


def compare(with_tables: dict, without_tables: dict) -> pd.DataFrame:
    """metric, period, unit, with, without, difference (= without - with)."""
    a = run_metrics(with_tables).rename(columns={"value": "with"})
    b = run_metrics(without_tables).rename(columns={"value": "without"})
    out = a.merge(b, on=["metric", "period", "unit"], how="outer")
    out["difference"] = out["without"] - out["with"]
    order = {name: i for i, name in enumerate(METRICS)}
    out = out.sort_values(["metric", "period"], key=lambda c: c.map(order) if c.name == "metric" else c, kind="stable")
    return out.reset_index(drop=True)


def _share_closed(tables: dict, partner: str) -> dict[str, float]:
    """period -> share of the system deficit the partner's builds close (planner/analysis/deficit.py)."""
    from planner.analysis.deficit import closed_by_owner

    c = closed_by_owner(tables)
    return {str(r.period): float(r.share_closed_pu) for r in c[c["owner"] == partner].itertuples()}


def partner_value(spec, partner: str, results_root: Path | None = Path("results"), solver: dict | None = None,
                  keep_committed: bool = True) -> dict:
    """Solve ``spec`` with and without ``partner``'s options; return the comparison and where it was written.

    The partner is checked, and the results folder checked and locked, before either solve."""
    from planner.errors import InputError, Problem
    from planner.studies import check_partner, reserved

    check_partner(spec, partner)
    already = list(spec.scenario.get("exclude_partners", []))
    if partner in already:
        raise InputError([Problem(str(spec.path), f"scenario.exclude_partners already drops {partner}; "
                                  "a value of the partnership needs a run that has its options")])
    folder = results_folder(spec, NAME, partner, results_root) if results_root is not None else None
    with reserved(folder) as slot:
        return _partner_value(spec, partner, already, slot, solver, keep_committed)


def _partner_value(spec, partner: str, already: list[str], slot, solver: dict | None, keep_committed: bool) -> dict:
    from planner.analysis.partners import write as write_report
    from planner.runner import run_spec
    from planner.store import write_tables as write_run_tables

    without_spec = replace(spec, name=f"{spec.name}-without-{partner}",
                           scenario={**spec.scenario, "exclude_partners": already + [partner],
                                     "keep_committed": keep_committed})
    without = run_spec(without_spec, None, solver)
    with_ = run_spec(spec, None, solver)
    table = compare(with_.tables, without.tables)
    pv = table[(table.metric == "system_cost_present_value") & (table.period == "all")].iloc[0]
    nc = with_.tables["new_capacity"]
    summary = {
        "model": spec.name, "partner": partner,
        "sign": "difference = without partner - with partner; a positive system-cost difference is the partner's value",
        "objective_with_usd": with_.meta["objective_usd"], "objective_without_usd": without.meta["objective_usd"],
        "value_present_usd": float(pv["difference"]),
        "value_annual_usd_per_yr": {r.period: float(r.difference)
                                    for r in table[table.metric == "system_cost_annual"].itertuples()},
        "partner_new_mw": float(nc.loc[nc["partner"] == partner, "new_mw"].sum()),
        "share_of_deficit_closed": _share_closed(with_.tables, partner),
        "committed_builds_kept": keep_committed,
        "inputs_sha256": with_.meta["inputs_sha256"], "solver": with_.meta["solver"],
        "units": {"money": "USD", "power": "MW", "energy": "MWh", "emissions": "t CO2"},
    }
    folder = None
    if slot is not None:
        def extra(tmp: Path) -> None:
            (tmp / "partner_value.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
            write_report(with_.tables, tmp)
            for sub, out in (("with", with_), ("without", without)):
                (tmp / sub).mkdir()
                write_run_tables(tmp / sub, out.tables, out.meta)
        folder = write_study_tables(slot, {"partner_value": table}, extra=extra)
    return {"table": table, "summary": summary, "folder": folder, "with": with_, "without": without}


def format_table(table: pd.DataFrame, partner: str) -> str:
    lines = [f"value of partner {partner}: without {partner} minus with {partner} "
             f"(positive cost = {partner} saves money)",
             f"  {'metric':<28}{'period':>7} {'unit':<8}{'with':>16}{'without':>16}{'difference':>16}"]
    for r in table.itertuples():
        lines.append(f"  {r.metric:<28}{r.period:>7} {r.unit:<8}"
                     f"{r.with_:>16,.0f}{r.without:>16,.0f}{r.difference:>16,.0f}")
    return "\n".join(lines)


def add_arguments(pv: argparse.ArgumentParser) -> None:
    """``planner partner-value MODEL.toml --partner K``."""
    pv.add_argument("model", help="run specification (TOML)")
    pv.add_argument("--partner", required=True, help="partner id of partners.csv")
    pv.add_argument("--results", default="results", help="folder that receives results/<name>-partner-value-<K>/")
    pv.add_argument("--drop-committed", action="store_true",
                    help="also drop the partner's committed builds (min_new_mw > 0) in the run without it")


def run(args: argparse.Namespace) -> int:
    from planner.spec import load_spec

    spec = load_spec(args.model)
    res = partner_value(spec, args.partner, Path(args.results), keep_committed=not args.drop_committed)
    print(format_table(res["table"].rename(columns={"with": "with_"}), args.partner))
    shares = res["summary"]["share_of_deficit_closed"]
    if shares:
        print(f"share of the system deficit closed by {args.partner} (planner/analysis/deficit.py): "
              + ", ".join(f"{p} {v:.0%}" for p, v in shares.items()))
    print(f"\nresults written to {res['folder']}")
    return 0
