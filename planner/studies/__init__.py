"""Studies: questions answered by solving a run specification more than once, or by checking it.

A study is a module of this package with four names, the whole contract:

    NAME                        the CLI subcommand, ``planner NAME ...``
    HELP                        one line for ``planner --help``
    add_arguments(parser)       its arguments (an ``argparse`` subparser)
    run(args) -> int            do it, print a summary, return the exit code

and one name it may add, its section in a run's report:

    report_section(run) -> Section | str | None
                                the HTML of what it stored beside the stored run ``run``
                                (planner/report/data.py ``StoredRun``), with any tables for the
                                run's report.xlsx in a ``Section``; None when it stored nothing there

and two habits:

- it writes to ``results_folder(spec, NAME, qualifier)``, one naming rule for every study:
  ``<results root>/<model name>-<NAME>[-<qualifier>]/``, through ``write_tables`` (which
  uses the atomic writer of ``planner run``, planner/store.py); it checks and locks that
  folder with ``reserved`` before its first solve, as ``planner run`` does, so a location
  that cannot be written fails in a second, not after the solves;
- it takes its headline figures from planner/analysis/metrics.py, never computing them by hand.

Every module of this package is a study: ``STUDIES`` is found from the package's files (no list
to keep by hand), ``planner/cli.py`` registers them in one loop, and the run's report
(planner/report/__init__.py) shows every study's ``report_section`` through ``report_sections``,
in the order of ``STUDIES``, after the partner section: the report names no study.
A study module keeps its heavy imports (Pyomo, pandas, the pipeline) inside its
functions, so ``planner --help`` stays quick.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from planner.spec import RunSpec
    from planner.store import Claim

# every study, once: the module names of this package, in the order ``planner --help`` lists them
def study_names() -> tuple[str, ...]:
    """The module names of this package (those not starting with ``_``), sorted."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


STUDIES = study_names()
CONTRACT = ("NAME", "HELP", "add_arguments", "run")


def load(name: str) -> ModuleType:
    """The study module ``planner.studies.<name>``, checked against the contract."""
    mod = importlib.import_module(f"{__name__}.{name}")
    missing = [a for a in CONTRACT if not hasattr(mod, a)]
    if missing:
        raise TypeError(f"study {mod.__name__} lacks {', '.join(missing)} of the study contract")
    return mod


def all_studies() -> list[ModuleType]:
    return [load(n) for n in study_names()]


@dataclass(frozen=True)
class Section:
    """A study's part of a run's report: its HTML (plotly figures without plotly.js, which the page carries) and
    the tables it adds to the run's report.xlsx, by sheet name."""

    html: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def report_sections(run: object) -> list[Section]:
    """Every study's section of the stored run ``run``'s report, in the order of ``study_names()``; a study
    without ``report_section``, or with nothing stored beside the run, adds none."""
    out = []
    for mod in all_studies():
        hook = getattr(mod, "report_section", None)
        got = hook(run) if hook is not None else None
        if isinstance(got, str):
            got = Section(got) if got else None
        if got is not None:
            out.append(got)
    return out


def results_folder(spec: RunSpec, name: str, qualifier: str | None = None, root: str | Path = "results") -> Path:
    """Where study ``name`` writes for ``spec``: ``root/<spec.name>-<name>[-<qualifier>]``."""
    return Path(root) / "-".join([spec.name, name] + ([str(qualifier)] if qualifier else []))


@contextlib.contextmanager
def reserved(folder: Path | None) -> Iterator[Claim | None]:
    """Check and lock a study's results ``folder`` now, before anything is solved (planner/store.py ``claim``);
    pass what it yields to ``write_tables``. ``None``: the study writes nothing, and nothing is reserved."""
    if folder is None:
        yield None
        return
    from planner.store import claim

    with claim(folder, "study") as slot:
        yield slot


def write_tables(folder: Path | Claim, tables: dict[str, pd.DataFrame], float_format: str | None = None,
                 extra: Callable[[Path], None] | None = None) -> Path:
    """Write every table as ``<name>.csv`` into ``folder``, whole or not at all; ``extra(tmp)`` adds other files.

    ``folder`` is a path, or the claim ``reserved`` made of it before the solves.
    Tables are written as run results are (``store.write_csv``: round-trip floats, formula-like text
    neutralised), unless a ``float_format`` asks for fewer digits.
    """
    from planner.store import Claim, write_csv, write_results

    def fill(tmp: Path) -> None:
        for table, df in tables.items():
            write_csv(df, tmp / f"{table}.csv", float_format)
        if extra is not None:
            extra(tmp)
    if isinstance(folder, Claim):
        return folder.write(fill)
    return write_results(folder, fill, "study")


def check_partner(spec: RunSpec, partner: str) -> None:
    """``--partner`` names a partner of the case's partners.csv (``InputError`` naming the option and the known
    partners otherwise). Reads that one table only, so the check costs nothing before a long load; a partners.csv
    that cannot be read is left to the full load, which names its problems."""
    from planner.errors import InputError, Problem
    from planner.load import read_table
    from planner.schema import TABLE

    problems: list[Problem] = []
    table = read_table(Path(spec.inputs), TABLE["partners"], problems)
    if problems:
        return
    known = sorted(set(table["partner"]))
    if partner not in known:
        raise InputError([Problem("--partner", f"partner {partner!r} is not in partners.csv ({spec.inputs}); "
                                  f"known partners: {', '.join(known) or 'none'}")])
