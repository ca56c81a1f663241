"""Malformed cases generated from inputs/example (hypothesis): each must exit 2, name the file (and the
line and column where there is one), print no traceback, and write nothing (issue #11, item 8).

Validation only: the model builder is replaced by one that fails the test, so no case is ever solved.
Each kind of damage is built so that it is invalid whatever cell it lands on (e.g. "-1" only in a
column whose minimum is 0, "inf" only where it does not mean "no limit"). The number of cases tried,
by kind, is printed in the test summary.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.schema import TABLE

EXAMPLE = Path(__file__).parent.parent / "inputs" / "example"
MAX_EXAMPLES = 100


def _read(name: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO((EXAMPLE / f"{name}.csv").read_text(), newline="")))
    return rows[0], rows[1:]


TABLES = {p.stem: _read(p.stem) for p in sorted(EXAMPLE.glob("*.csv"))}
NON_EMPTY = ("periods", "zones", "timesteps", "demand", "technologies", "settings")
REQUIRED_FILES = [n for n in TABLES if TABLE[n].required]


def _bad_values(name: str, column: str) -> list[str]:
    """Values certainly invalid in this column."""
    col = TABLE[name].column(column)
    if name == "settings":
        return []
    if col.dtype in ("int", "float"):
        out = ["abc", "nan", "1,5x", "12e"]
        if not col.unlimited:
            out += ["inf", "-inf", "1e400"]
        if col.min is not None and col.min >= 0:
            out.append("-1")
        if col.max is not None and col.max <= 2200:
            out.append("1e9")
        if col.dtype == "int":
            out.append("2030.5")
        return out
    if col.dtype == "bool":
        return ["maybe", "2"]
    if col.choices:
        return ["nuclear_fusion"]
    if col.ref:
        return ["ZZ_unknown"]
    return []


CELLS = [(n, c) for n, (header, rows) in TABLES.items() if rows for c in header if _bad_values(n, c)]
KEYED = [n for n, (header, rows) in TABLES.items() if rows and TABLE[n].key]


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    (folder / f"{name}.csv").write_text(buf.getvalue())


@st.composite
def damage(draw) -> tuple[str, callable, tuple[str, int | None, str | None]]:
    """(kind, apply(folder), (file, line, column) the message must name)."""
    kind = draw(st.sampled_from(["bad_cell", "missing_file", "empty_table", "duplicate_key", "non_utf8",
                                 "nul_byte", "bad_weights", "bad_blocks", "empty_required_cell"]))
    if kind == "bad_cell":
        name, column = draw(st.sampled_from(CELLS))
        header, rows = TABLES[name]
        i = draw(st.integers(0, len(rows) - 1))
        value = draw(st.sampled_from(_bad_values(name, column)))
        j = header.index(column)

        def apply(folder):
            new = [list(r) for r in rows]
            new[i][j] = value
            _write(folder, name, header, new)
        return kind, apply, (f"{name}.csv", i + 2, column)
    if kind == "empty_required_cell":
        options = [(n, c) for n, (h, r) in TABLES.items() if r for c in h if TABLE[n].column(c).required]
        name, column = draw(st.sampled_from(options))
        header, rows = TABLES[name]
        i = draw(st.integers(0, len(rows) - 1))
        j = header.index(column)

        def apply(folder):
            new = [list(r) for r in rows]
            new[i][j] = ""
            _write(folder, name, header, new)
        return kind, apply, (f"{name}.csv", i + 2, column)
    if kind == "missing_file":
        name = draw(st.sampled_from(REQUIRED_FILES))
        return kind, lambda folder: (folder / f"{name}.csv").unlink(), (f"{name}.csv", None, None)
    if kind == "empty_table":
        name = draw(st.sampled_from(NON_EMPTY))
        header_only = draw(st.booleans())
        text = ",".join(TABLES[name][0]) + "\n" if header_only else ""
        return kind, lambda folder: (folder / f"{name}.csv").write_text(text), (f"{name}.csv", None, None)
    if kind == "duplicate_key":
        name = draw(st.sampled_from(KEYED))
        header, rows = TABLES[name]
        i = draw(st.integers(0, len(rows) - 1))
        return kind, lambda folder: _write(folder, name, header, rows + [rows[i]]), (f"{name}.csv", len(rows) + 2, None)
    if kind in ("non_utf8", "nul_byte"):
        name = draw(st.sampled_from([n for n, (h, r) in TABLES.items() if r]))
        header, rows = TABLES[name]
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, len(header) - 1))
        cell = rows[i][j]
        k = draw(st.integers(0, len(cell)))

        def apply(folder):
            new = [list(r) for r in rows]
            new[i][j] = cell[:k] + "\x00" + cell[k:]
            _write(folder, name, header, new)
            if kind == "non_utf8":
                p = folder / f"{name}.csv"
                p.write_bytes(p.read_bytes().replace(b"\x00", b"\xff"))
        return kind, apply, (f"{name}.csv", i + 2, header[j] if kind == "nul_byte" else None)
    header, rows = TABLES["timesteps"]
    if kind == "bad_weights":
        factor = draw(st.sampled_from(["0.5", "0.9", "1.1", "2", "10"]))  # x 100: past a weight's 8784 h
        w = header.index("weight")

        def apply(folder):
            new = [list(r) for r in rows]
            for r in new:
                r[w] = repr(float(r[w]) * float(factor))
            _write(folder, "timesteps", header, new)
        return kind, apply, ("timesteps.csv", None, "weight")
    # bad_blocks: one timestep moved into a block that already ended
    b = header.index("block")
    i = draw(st.integers(1, len(rows) - 2))  # blocks 0..0 1..1 0: block 0 returns on the last line

    def apply(folder):
        new = [list(r) for r in rows]
        for r in new[:i]:
            r[b] = "0"
        for r in new[i:]:
            r[b] = "1"
        new[-1][b] = "0"
        _write(folder, "timesteps", header, new)
    return kind, apply, ("timesteps.csv", len(rows) + 1, "block")


def test_malformed_cases_exit_2_named_and_write_nothing(monkeypatch, request):
    def no_build(*a, **k):
        raise AssertionError("a malformed case got as far as building the model")
    monkeypatch.setattr("planner.pipeline.build_model", no_build)
    tried: Counter = Counter()

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(damage())
    def check(d):
        kind, apply, (file, line, column) = d
        tried[kind] += 1
        base = Path(tempfile.mkdtemp(prefix="planner-fuzz-"))
        try:
            case = base / "case"
            shutil.copytree(EXAMPLE, case)
            apply(case)
            spec = base / "m.toml"
            spec.write_text(f'name = "fuzz"\ninputs = "{case}"\n')
            results = base / "results"
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main(["run", str(spec), "--results", str(results)])
            text = err.getvalue()
            assert code == 2, text
            assert "Traceback" not in text
            where = file + (f", line {line}" if line is not None else "")
            if column is not None:
                where += (", " if line is not None else ", ") + f"column {column}"
            assert f"{where}:" in text, f"{kind}: expected {where!r} in\n{text}"
            assert not results.exists(), "something was written"
        finally:
            shutil.rmtree(base)

    check()
    total = sum(tried.values())
    note = f"fuzz_inputs: {total} malformed cases tried ({', '.join(f'{k} {n}' for k, n in sorted(tried.items()))})"
    print(note)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(note)
    assert total >= MAX_EXAMPLES * 0.9
    assert len(tried) == 9  # every kind of damage was tried
