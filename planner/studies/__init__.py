"""Studies: questions answered by solving a run specification more than once, or by checking it.

A study is a module of this package with four names, the whole contract:

    NAME                        the CLI subcommand, ``planner NAME ...``
    HELP                        one line for ``planner --help``
    add_arguments(parser)       its arguments (an ``argparse`` subparser)
    run(args) -> int            do it, print a summary, return the exit code

and two habits:

- it writes to ``results_folder(spec, NAME, qualifier)``, one naming rule for every study:
  ``<results root>/<model name>-<NAME>[-<qualifier>]/``, through ``write_tables`` (which
  uses the atomic writer of ``planner run``, planner/store.py);
- it takes its headline figures from planner/metrics.py, never computing them by hand.

``STUDIES`` lists every study once; ``planner/cli.py`` registers them in one loop.
A study module keeps its heavy imports (Pyomo, pandas, the pipeline) inside its
functions, so ``planner --help`` stays quick.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from planner.spec import RunSpec

# every study, once: module names of this package, in the order ``planner --help`` lists them
STUDIES = ("partner_value", "placement", "calibrate", "time_error", "sweep")
CONTRACT = ("NAME", "HELP", "add_arguments", "run")


def load(name: str) -> ModuleType:
    """The study module ``planner.studies.<name>``, checked against the contract."""
    mod = importlib.import_module(f"{__name__}.{name}")
    missing = [a for a in CONTRACT if not hasattr(mod, a)]
    if missing:
        raise TypeError(f"study {mod.__name__} lacks {', '.join(missing)} of the study contract")
    return mod


def all_studies() -> list[ModuleType]:
    return [load(n) for n in STUDIES]


def results_folder(spec: RunSpec, name: str, qualifier: str | None = None, root: str | Path = "results") -> Path:
    """Where study ``name`` writes for ``spec``: ``root/<spec.name>-<name>[-<qualifier>]``."""
    return Path(root) / "-".join([spec.name, name] + ([str(qualifier)] if qualifier else []))


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], float_format: str | None = None,
                 extra: Callable[[Path], None] | None = None) -> Path:
    """Write every table as ``<name>.csv`` into ``folder``, whole or not at all; ``extra(tmp)`` adds other files.

    Tables are written as run results are (``store.write_csv``: round-trip floats, formula-like text
    neutralised), unless a ``float_format`` asks for fewer digits.
    """
    from planner.store import write_csv, write_results

    def fill(tmp: Path) -> None:
        for table, df in tables.items():
            write_csv(df, tmp / f"{table}.csv", float_format)
        if extra is not None:
            extra(tmp)
    return write_results(folder, fill, "study")
