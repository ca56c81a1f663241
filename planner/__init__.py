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
import importlib.abc
import importlib.machinery
import sys
import types

# the public names of planner/api.py; planner.run is the module planner/run.py, callable as the api's run
API = ("load_spec", "load_case", "run", "read", "Run", "partner_value", "placement", "sweep", "time_error",
       "calibrate", "year_check")
__all__ = [*API, "__version__"]


class _CallableModule(types.ModuleType):
    """``planner.run(...)`` is the library's run (planner/api.py ``run``, docs/api.md) while ``planner.run`` stays
    the module planner/run.py: a package attribute and a submodule of one name cannot otherwise both be there. The
    package makes its submodule callable (``_RunFinder``), so planner/run.py knows nothing of the API above it."""

    def __call__(self, *args, **kwargs):
        return importlib.import_module("planner.api").run(*args, **kwargs)


class _CallableLoader(importlib.abc.Loader):
    """The file's own loader, creating the module as a ``_CallableModule``."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return _CallableModule(spec.name)

    def exec_module(self, module) -> None:
        self.inner.exec_module(module)

    def __getattr__(self, name: str):  # get_source, get_filename, ... of the file's loader
        return getattr(self.inner, name)


class _RunFinder(importlib.abc.MetaPathFinder):
    """Finds planner/run.py as usual, to be loaded by ``_CallableLoader``."""

    def find_spec(self, fullname, path, target=None):
        if fullname != f"{__name__}.run":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _CallableLoader(spec.loader)
        return spec


if not any(isinstance(f, _RunFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _RunFinder())


def __getattr__(name: str):
    if name == "__version__":
        from planner.cli import version

        return version()
    if name == "run":  # the submodule (bound here once imported), whose call is planner.api.run
        return importlib.import_module("planner.run")
    if name in API:
        return getattr(importlib.import_module("planner.api"), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
