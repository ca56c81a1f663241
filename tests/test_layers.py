"""The layers of the package: every module imports only modules of lower layers.

Imports inside functions count (``ast.walk`` sees every ``import`` statement, wherever it is), so an
upward import cannot hide in a function body. A module not placed in ``LAYERS`` fails the test: a new
module says where it belongs.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "planner"

# bottom first; a module may import only modules of strictly lower layers (so siblings in a layer, such as
# two studies or two constraint families, never import each other)
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundations: pure formulas, errors, schema, progress, helpers that import nothing of the planner", (
        "planner.core", "planner.core.economics", "planner.core.names", "planner.core.numbers",
        "planner.errors", "planner.schema", "planner.progress", "planner.cache",
        "planner.signals",
        "planner.synthetic", "planner.deficit_lp", "planner.model", "planner.report.excel", "planner.report.geo",
        "planner.report.geo.*")),
    ("formulas on formulas; checks and the store", (
        "planner.core.adequacy", "planner.checks", "planner.store", "planner.model.registry",
        "planner.distributed", "planner.report.style")),
    ("loading a case", ("planner.load",)),
    ("cells, time aggregation, the LP's sets and parameters", (
        "planner.cells", "planner.timeagg", "planner.model.data")),
    ("constraint families", ("planner.model.*",)),
    ("the build", ("planner.model.build",)),
    ("explaining an infeasible model", ("planner.explain",)),
    ("solving", ("planner.solve",)),
    ("a solve from a stored basis (the warm start)", ("planner.basis",)),
    ("the run spec", ("planner.spec",)),
    ("scenario rules; extraction of results", ("planner.scenario", "planner.results")),
    ("the pipeline of stages; the analysis package and its deficit, the definition on the results",
     ("planner.pipeline", "planner.analysis", "planner.analysis.deficit")),
    ("a block's relaxation for the decomposition's master (arrays only)", ("planner.relaxation",)),
    ("decomposition: HiGHS LPs from arrays, and their solves", ("planner.decompose.lp",)),
    ("decomposition: the partition of the LP by blocks of time", ("planner.decompose.partitioning",)),
    ("decomposition: the subproblems, and where they run", ("planner.decompose.blocks",)),
    ("decomposition: the master", ("planner.decompose.master",)),
    ("decomposition: the loop of cuts and bounds, and the answer", ("planner.decompose.loop",)),
    ("decomposition: another way to solve what the pipeline built", ("planner.decompose",)),
    ("analysis on the deficit: metrics and the partner report", ("planner.analysis.metrics",
                                                                 "planner.analysis.partners")),
    ("explanations beside the figures", ("planner.explanations",)),
    ("reading stored runs; the summary", ("planner.report.data", "planner.summary")),
    ("report parts", ("planner.report.assumptions", "planner.report.charts")),
    ("report tables; the map chart", ("planner.report.tables", "planner.report.map")),
    ("every chart; comparing runs", ("planner.report.figures", "planner.report.compare")),
    ("the HTML report", ("planner.report.html",)),
    ("a study's report section: placement, the year check", ("planner.report.placement", "planner.report.year")),
    ("the study contract, which finds the studies and their report sections", ("planner.studies",)),
    ("writing a report: the tables, the studies' sections, the page", ("planner.report",)),
    ("the year check, which time-error measures against", ("planner.studies.year_check",)),
    ("a run, which does the year check when its specification asks", ("planner.runner",)),
    ("studies", ("planner.studies.*",)),
    ("the generated docs (the families, the schema and placement's end effects)", ("planner.docs",)),
    ("the command line", ("planner.cli",)),
    ("python -m planner; the Python API and the package's lazy names", ("planner.__main__", "planner.api", "planner")),
)

# upward imports known and not yet mended, each with its reason; an entry that no longer occurs fails the test
KNOWN: dict[tuple[str, str], str] = {}


def modules() -> dict[str, Path]:
    out = {}
    for f in sorted(ROOT.rglob("*.py")):
        parts = f.relative_to(ROOT.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def layer(name: str) -> int:
    """Index in LAYERS of the layer naming ``name`` exactly, else of the first whose pattern matches, -1 for none."""
    exact = next((i for i, (_, pats) in enumerate(LAYERS) if name in pats), -1)
    return exact if exact >= 0 else next(
        (i for i, (_, pats) in enumerate(LAYERS) if any(fnmatchcase(name, p) for p in pats)), -1)


def imported(name: str, source: str, known: set[str], is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every planner module ``source`` imports, at module level or inside a function."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "planner"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package of ``name``
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "planner":
                continue
            for a in node.names:  # ``from planner.report import charts`` imports the module planner.report.charts
                sub = f"{mod}.{a.name}"
                out.append((node.lineno, sub if sub in known else mod))
    return sorted(set(out))


def upward(name: str, source: str, known: set[str], is_package: bool = False) -> list[str]:
    """Every import of ``source`` (module ``name``) that is not of a strictly lower layer."""
    own = layer(name)
    bad = []
    for line, mod in imported(name, source, known, is_package):
        if mod == name:
            continue
        theirs = layer(mod)
        if theirs >= own or theirs < 0:
            bad.append(f"{name}:{line} imports {mod} ({LAYERS[theirs][0] if theirs >= 0 else 'no layer'}), "
                       f"not below its own layer ({LAYERS[own][0] if own >= 0 else 'no layer'})")
    return bad


def test_every_module_has_a_layer():
    missing = [n for n in modules() if layer(n) < 0]
    assert not missing, f"place these modules in tests/test_layers.py LAYERS: {missing}"


def test_no_upward_import():
    mods = modules()
    known = set(mods)
    bad = [b for n, f in mods.items() for b in upward(n, f.read_text(), known, f.name == "__init__.py")]
    seen = {pair for pair in KNOWN if any(b.startswith(f"{pair[0]}:") and f" imports {pair[1]} " in b for b in bad)}
    bad = [b for b in bad if not any(b.startswith(f"{a}:") and f" imports {m} " in b for a, m in KNOWN)]
    assert not bad, "upward imports:\n" + "\n".join(bad)
    assert seen == set(KNOWN), f"mended, remove from KNOWN: {set(KNOWN) - seen}"


@pytest.mark.parametrize("source", [
    "from planner.analysis.metrics import weighted\n",                                  # module level
    "def add(m, d):\n    from planner.results import extract\n    return 1\n",  # hidden in a function
    "import planner.studies.sweep\n",
    "from planner.model import capacity\n",                                   # a sibling family
])
def test_a_planted_upward_import_fails(source):
    """The checker on a synthetic constraint family: each of these imports is upward or sideways."""
    known = set(modules())
    assert upward("planner.model.reserve", source, known)


def test_a_downward_import_passes():
    known = set(modules())
    src = "from planner.core.adequacy import firm_mw\ndef f():\n    from planner.model.data import ModelData\n"
    assert upward("planner.model.reserve", src, known) == []


def test_studies_do_not_import_each_other():
    known = set(modules())
    assert upward("planner.studies.placement", "def f():\n    from planner.studies.sweep import dask_map\n", known)
