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
``<name>-<key>=<value>-...`` (a character a folder name may not hold, such as a
space or a slash, becomes ``_``; a name made that way twice gets ``-<n>``; a long
one is cut and ends in a hash of the whole); each is solved as its own run and written to
``results/<variant>/`` like any other (atomically, with its report tables
regenerable by ``planner report``). Without ``--scheduler`` the variants run one
after another on this machine; with it, they are submitted to an existing
dask.distributed scheduler (``local`` starts a LocalCluster on this machine),
which is how a sweep outgrows one machine. ``sweep.csv`` lists the headline of
every variant.

Before the first solve every value and every variant is checked as its run
would check it (run specification, the case with its cell edits and scenario,
the representative days), a problem is named as the ``--vary`` value that
causes it, and the sweep's folder and every variant's folder are checked (the
sweep's locked) so a bad location fails before anything is solved or written.
A variant the solver fails on stops the sweep with exit 3, naming the variant.

Run again after an interruption (Ctrl-C, SIGTERM, a lost worker), a sweep solves only the variants not yet
sealed in their results folders with the same run specification and inputs (``spec_sha256`` and
``inputs_sha256`` in their run.json, checksums intact); sweep.csv marks those rows ``resumed``. On Dask, a task
whose worker dies is retried once on a fresh worker (the local cluster; a remote scheduler retries as it is
configured); if it is lost again, the sweep stops with exit 4 naming the variant, after the other variants have
finished and been written.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import itertools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from planner.core.names import NAME_CHARS  # what a run name may hold besides letters and digits
from planner.distributed import dask_map
from planner.errors import InputError, Problem, SolveError, WorkerLost
from planner.studies import reserved, results_folder, write_tables

if TYPE_CHECKING:
    import pandas as pd

    from planner.spec import RunSpec

NAME = "sweep"
HELP = "solve every combination of --vary values, here or on a Dask cluster"
SECTIONS = ("settings", "scenario", "solver", "time")
NAME_MAX = 150
# how a refusal of a variant's results folder says to write elsewhere: its name is made from --vary, not chosen
VARIANT_ELSEWHERE = "use another --results (a variant's folder is named from the model and --vary)"


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
            if re.fullmatch(r"[+-]?0\d+", v):  # 0,09 split at its decimal comma into 0 and 09
                raise InputError([Problem("--vary", f"{item!r}: the value {v!r} has a leading zero; values are "
                                          "separated by commas and a decimal is written with a point (0.09), so "
                                          "0,09 reads as the two values 0 and 09")])
            try:
                parsed.append(int(v) if v.lstrip("-").isdigit() else float(v))
            except ValueError:
                parsed.append(v)
        out[(section, name)] = parsed
    return out


def folder_name(text: str) -> str:
    """``text`` as a run name: characters a name may not hold become ``_``; longer than ``NAME_MAX``, it is cut
    and ends in a hash of the whole text, so two long names stay apart."""
    name = "".join(c if c.isalnum() or c in NAME_CHARS else "_" for c in text)
    if len(name) > NAME_MAX - 10:  # room for the -<n> that keeps names apart
        name = name[:NAME_MAX - 19] + "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return name


def variants(spec: RunSpec, vary: dict[tuple[str, str], list]) -> list[RunSpec]:
    keys = list(vary)
    out = []
    taken: set[str] = set()
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
        name = folder_name(f"{spec.name}-" + "-".join(label))
        n = 1
        while name in taken:  # two labels made the same name (a space and an _, say): keep the variants apart
            n += 1
            name = f"{folder_name(f'{spec.name}-' + '-'.join(label))}-{n}"
        taken.add(name)
        s.name = name
        out.append(s)
    return out


def _option(key: tuple[str, str]) -> str:
    section, name = key
    return name if section == "cells" else f"{section}.{name}"


def _variant_problems(s: RunSpec, case, what: str, file: str) -> list[Problem]:
    """The problems a run of variant ``s`` would meet before its solve, each blamed on ``--vary`` and ``what``."""
    from planner.scenario import apply_scenario
    from planner.spec import validate_spec
    from planner.timeagg import days_problem

    try:
        v = validate_spec(s)
        edited = apply_scenario(case, v)
        days = v.time.get("representative_days")
        why = days_problem(edited["timesteps"], int(days)) if days else None
        if why:
            raise InputError([Problem("timesteps.csv", why)])
    except InputError as exc:
        out = []
        for p in exc.problems:  # what the run specification would be blamed for is the --vary value's doing
            own = p.file == file or p.file.startswith(f"{file} ")
            detail = p.message if own else str(p)
            if own and p.column is not None:
                detail = f"{p.column}: {detail}"
            out.append(Problem("--vary", f"{what}: {detail}"))
        return out
    return []


def check_variants(spec: RunSpec, vary: dict[tuple[str, str], list], runs: list[RunSpec]) -> None:
    """Every value alone, then every variant, checked as its run would check it before solving; ``InputError``
    naming the ``--vary`` value (or the variant) that is wrong. Nothing is solved or written."""
    from planner.load import load_case
    from planner.scenario import apply_scenario
    from planner.spec import validate_spec

    base = validate_spec(spec)  # the run specification's own problems are blamed on it
    case = load_case(base.inputs)
    apply_scenario(case, base)
    file = str(spec.path) if spec.path else "run specification"
    problems: list[Problem] = []
    for key, values in vary.items():
        for value in values:
            (one,) = variants(spec, {key: [value]})
            problems += _variant_problems(one, case, f"{_option(key)}={value}", file)
    if not problems and len(vary) > 1:  # values valid alone may not be together (min_share above max_share)
        for s in runs:
            problems += _variant_problems(s, case, f"the variant {s.name}", file)
    if problems:
        raise InputError(list(dict.fromkeys(problems)))


def _solve_one(spec: RunSpec, results_root: str) -> dict:
    """Runs on a worker: solve one variant, write its results, return its headline."""
    from planner.runner import run_spec

    try:
        out = run_spec(spec, Path(results_root))
    except SolveError as exc:  # returned, not raised: the sweep names the variant and what was written
        return {"variant": spec.name, "failed": (exc.status, exc.detail)}
    return _headline(spec.name, out.tables, out.meta, out.folder, resumed=False)


def _headline(variant: str, tables: dict, meta: dict, folder: Path, resumed: bool) -> dict:
    """One row of sweep.csv: a variant's headline figures, from its result tables and run.json."""
    from planner.analysis import metrics

    return {"variant": variant, "objective_usd": meta["objective_usd"],
            "new_mw": metrics.value(tables, "new_capacity"),
            "emissions_t": metrics.value(tables, "emissions"),
            "unserved_mwh": metrics.value(tables, "unserved_energy"),
            "solve_s": meta["timings_s"]["solve_s"], "results": str(folder), "resumed": resumed}


def _sealed(spec: RunSpec, results_root: str) -> dict | None:
    """The headline of a variant already solved and sealed in its results folder by an earlier, interrupted
    sweep (same run specification by ``spec_sha256``, same input files by their hash, checksums intact), else
    None: a sweep run again solves only what is not there yet."""
    from planner.pipeline import inputs_hash
    from planner.spec import spec_sha256
    from planner.store import read_meta, read_results

    folder = Path(results_root) / spec.name
    meta = read_meta(folder)
    if meta is None or meta.get("kind") != "run" or meta.get("status") != "optimal":
        return None
    if meta.get("spec_sha256") != spec_sha256(spec) or meta.get("inputs_sha256") != inputs_hash(spec.inputs):
        return None
    try:
        tables, meta = read_results(folder)
        return _headline(spec.name, tables, meta, folder, resumed=True)
    except (InputError, KeyError, ValueError, TypeError):  # damaged or of another version: solved again
        return None


def _failed(row: dict, done: list[dict]) -> SolveError:
    status, detail = row["failed"]
    written = ", ".join(r["variant"] for r in done if "failed" not in r)
    return SolveError(status, "\n".join(filter(None, [
        f"in the variant {row['variant']} of the sweep; sweep.csv is not written"
        + (f"; the variants solved are written: {written}" if written else ""), detail])))


def run_sweep(spec: RunSpec, vary: dict, results_root: Path = Path("results"),
              scheduler: str | None = None) -> pd.DataFrame:
    """Check every variant and every results folder, then solve the variants and write ``sweep.csv``."""
    import pandas as pd

    from planner.store import check_target

    runs = variants(spec, vary)
    check_variants(spec, vary, runs)
    root = str(Path(results_root).resolve())
    with reserved(results_folder(spec, NAME, root=results_root)) as slot:
        for s in runs:  # each run locks its own folder when it solves; a bad one fails now, not after the others
            check_target(Path(root) / s.name, kind="run", elsewhere=VARIANT_ELSEWHERE)
        sealed = {s.name: row for s in runs if (row := _sealed(s, root)) is not None}
        todo = [s for s in runs if s.name not in sealed]
        if scheduler is None:
            solved = []
            for s in todo:
                solved.append(_solve_one(s, root))
                if "failed" in solved[-1]:
                    raise _failed(solved[-1], [*sealed.values(), *solved[:-1]])
        else:
            try:
                solved = dask_map(_solve_one, [(s, root) for s in todo], scheduler, [s.name for s in todo]) \
                    if todo else []
            except WorkerLost as exc:
                done = [s.name for s in runs if _sealed(s, root) is not None]
                raise WorkerLost(f"the variant {exc.task}", f"{exc.detail}; sweep.csv is not written; "
                                 + (f"the variants finished are written and kept: {', '.join(done)}; " if done else "")
                                 + "run the same command again to solve only the rest") from None
            bad = [r for r in solved if "failed" in r]
            if bad:
                raise _failed(bad[0], [*sealed.values(), *solved])
        by_name = {**sealed, **{r["variant"]: r for r in solved}}
        rows = [by_name[s.name] for s in runs]
        table = pd.DataFrame(rows)
        combos = list(itertools.product(*vary.values()))
        for i, key in enumerate(vary):
            table[_option(key)] = [c[i] for c in combos]
        write_tables(slot, {"sweep": table})
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
