"""planner: least-cost capacity-expansion planning (Pyomo + HiGHS), as a command and as a library.

    import planner
    r = planner.run("models/example.toml")        # solve (nothing written unless results= is given)
    r.metrics(), r.deficit(), r.partners()         # DataFrames
    planner.partner_value("models/example.toml", "TR")

The library is planner/api.py (docs/api.md). Its names are imported on first use, so ``import planner``
and ``planner --help`` stay quick: nothing here imports Pyomo, pandas or HiGHS.
"""

from __future__ import annotations

import importlib

# the public names of planner/api.py (planner.run is the API's run; the stage is planner/runner.py)
API = ("load_spec", "load_case", "run", "read", "Run", "partner_value", "placement", "sweep", "time_error",
       "calibrate", "year_check")
__all__ = [*API, "__version__"]


def __getattr__(name: str):
    if name == "__version__":
        from planner.cli import version

        return version()
    if name in API:
        return getattr(importlib.import_module("planner.api"), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
