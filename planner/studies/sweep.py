"""Sweeps: one run specification, many variants, solved here or on a Dask cluster.

    planner sweep models/kazakhstan.toml --vary settings.discount_rate=0.06,0.10,0.15 \
                                         --vary scenario.demand_multiplier=0.9,1.1 [--scheduler tcp://host:8786]
    planner sweep models/kazakhstan_2030.toml --vary partners.csv:partner=TR:wacc=0.07,0.10 \
                                         --vary partner_commitments.csv:partner=TR&period=2030:quantity=1000,2000

``--vary`` takes a run-spec key (SECTION.KEY=V1,V2) or any cell of any input
table, picked by a selector (TABLE.csv:COLUMN=VALUE[&COLUMN=VALUE]:COLUMN=V1,V2,
``*`` for every row; see planner/cells.py): each value becomes a cell edit of the
variant's run specification, checked against the schema before anything solves.

Every combination of the ``--vary`` values is a variant named
``<name>-<key>=<value>-...``; each is solved as its own run and written to
``results/<variant>/`` like any other (atomically, with its report tables
regenerable by ``planner report``). Without ``--scheduler`` the variants run one
after another on this machine; with it, they are submitted to an existing
dask.distributed scheduler (``local`` starts a LocalCluster on this machine),
which is how a sweep outgrows one machine. ``sweep.csv`` lists the headline of
every variant.
"""

from __future__ import annotations

import argparse
import copy
import itertools
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import InputError, Problem
from planner.studies import results_folder, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.spec import RunSpec

NAME = "sweep"
HELP = "solve every combination of --vary values, here or on a Dask cluster"
SECTIONS = ("settings", "scenario", "solver", "time")


def parse_vary(items: list[str]) -> dict[tuple[str, str], list]:
    """``section.key=v1,v2`` -> {(section, key): [v1, v2]}, numbers parsed as numbers;
    ``TABLE.csv:SELECTOR:COLUMN=v1,v2`` -> {("cells", "TABLE.csv:SELECTOR:COLUMN"): [v1, v2]}."""
    from planner.cells import Cell, check, parse_selector

    out: dict[tuple[str, str], list] = {}
    for item in items:
        if item.count(":") >= 2:  # a cell of an input table
            head, _, last = item.rpartition(":")
            column, sep, values = last.partition("=")
            if not sep or not values:
                raise InputError([Problem("--vary", f"{item!r} is not TABLE.csv:COLUMN=VALUE:COLUMN=V1,V2")])
            table, where, column = parse_selector(f"{head}:{column}")
            vals = values.split(",")
            problems = [p for v in vals for p in check(Cell(table, where, column, v), "--vary")]
            if problems:
                raise InputError(problems)
            out[("cells", f"{head}:{column}")] = vals
            continue
        key, sep, values = item.partition("=")
        section, dot, name = key.partition(".")
        if not sep or not dot or section not in SECTIONS or not values:
            raise InputError([Problem("--vary", f"{item!r} is not SECTION.KEY=V1,V2 with SECTION one of "
                                                f"{', '.join(SECTIONS)}")])
        parsed = []
        for v in values.split(","):
            try:
                parsed.append(int(v) if v.lstrip("-").isdigit() else float(v))
            except ValueError:
                parsed.append(v)
        out[(section, name)] = parsed
    return out


def variants(spec: RunSpec, vary: dict[tuple[str, str], list]) -> list[RunSpec]:
    keys = list(vary)
    out = []
    for combo in itertools.product(*(vary[k] for k in keys)):
        s = copy.deepcopy(spec)
        label = []
        for (section, name), value in zip(keys, combo):
            if section == "cells":
                from planner.cells import Cell, parse_selector

                cell = Cell(*parse_selector(name), value)
                s.cells = [*s.cells, cell]
                label.append(cell.label)
                continue
            getattr(s, section)[name] = value
            label.append(f"{name}={value}")
        s.name = f"{spec.name}-" + "-".join(label)
        out.append(s)
    return out


def _solve_one(spec: RunSpec, results_root: str) -> dict:
    """Runs on a worker: solve one variant, write its results, return its headline."""
    from planner import metrics
    from planner.run import run_spec

    out = run_spec(spec, Path(results_root))
    t = out.tables
    return {"variant": spec.name, "objective_usd": out.meta["objective_usd"],
            "new_mw": metrics.value(t, "new_capacity"),
            "emissions_t": metrics.value(t, "emissions"),
            "unserved_mwh": metrics.value(t, "unserved_energy"),
            "solve_s": out.meta["timings_s"]["solve_s"], "results": str(out.folder)}


def dask_map(fn, args: list[tuple], scheduler: str) -> list:
    """``[fn(*a) for a in args]`` on a dask.distributed scheduler (``local``: a LocalCluster on this machine)."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True) if scheduler == "local" else None
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            return client.gather(client.map(fn, *zip(*args), pure=False))
    finally:
        if cluster is not None:
            cluster.close()


def run_sweep(spec: RunSpec, vary: dict, results_root: Path = Path("results"),
              scheduler: str | None = None) -> pd.DataFrame:
    import pandas as pd

    runs = variants(spec, vary)
    root = str(Path(results_root).resolve())
    if scheduler is None:
        rows = [_solve_one(s, root) for s in runs]
    else:
        rows = dask_map(_solve_one, [(s, root) for s in runs], scheduler)
    table = pd.DataFrame(rows)
    combos = list(itertools.product(*vary.values()))
    for i, (section, name) in enumerate(vary):
        table[name if section == "cells" else f"{section}.{name}"] = [c[i] for c in combos]
    write_tables(results_folder(spec, NAME, root=results_root), {"sweep": table})
    return table


def add_arguments(sw: argparse.ArgumentParser) -> None:
    sw.add_argument("model")
    sw.add_argument("--vary", action="append", required=True, metavar="SECTION.KEY=V1,V2",
                    help="e.g. settings.discount_rate=0.06,0.1, scenario.demand_multiplier=0.9,1.1, or any input cell: "
                         "partners.csv:partner=TR:wacc=0.07,0.1 (repeatable; see planner/cells.py)")
    sw.add_argument("--scheduler", help="dask.distributed scheduler address, or 'local' for a LocalCluster here")
    sw.add_argument("--results", default="results")


def run(args: argparse.Namespace) -> int:
    from planner.spec import load_spec

    table = run_sweep(load_spec(args.model), parse_vary(args.vary), Path(args.results), args.scheduler)
    print(table.to_string(index=False))
    return 0
