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


def _report_counts(request, head: str, counts: Counter) -> int:
    """Print the counts per outcome in the test summary; return their total."""
    total = sum(counts.values())
    note = head.format(total=total) + f" ({', '.join(f'{k} {n}' for k, n in sorted(counts.items()))})"
    print(note)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(note)
    return total


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
    total = _report_counts(request, "fuzz_inputs: {total} malformed cases tried", tried)
    assert total >= MAX_EXAMPLES * 0.9
    assert len(tried) == 9  # every kind of damage was tried


# ---- the seeded battery: every table and column of the schema, the run specification's keys, every subcommand ----
#
# Validation suffices for these: a cell is read by the loader (planner.load.read_table / parse_settings) in a folder
# holding that one table, a run specification by load_spec, and a command line by main() with the model builder
# replaced by one that fails the test. Every case is either accepted (a valid value, read back as the value it
# means) or refused with a message naming its place (file, line, column; the run specification and its key; the
# option), with no traceback and nothing written outside its own temporary folder.

import random  # noqa: E402
import tomllib  # noqa: E402

import pytest  # noqa: E402

from planner import load as load_mod  # noqa: E402
from planner.errors import InputError  # noqa: E402
from planner.schema import SETTINGS  # noqa: E402
from planner.schema import TABLES as SCHEMA_TABLES  # noqa: E402
from planner.schema import _num as schema_num  # noqa: E402
from planner.spec import load_spec  # noqa: E402

SEED = 20261206


def _valid(col) -> str:
    """A value the schema accepts in ``col`` (references are not checked by the reader of one table)."""
    if col.choices:
        return col.choices[0]
    if col.dtype == "bool":
        return "1"
    if col.dtype in ("int", "float"):
        return load_mod._example(col)
    return "A1"


def _invalid(col, rng: random.Random) -> list[str]:
    """Values the schema declares invalid in ``col``: of the wrong type, out of its range, infinite or overflowing,
    empty where it is required."""
    out = []
    if col.required:
        out.append("")
    if col.dtype in ("int", "float"):
        out += ["abc", "nan", "1e400", "-1e400", "9_000", "1,5", "½", f"{rng.randint(1, 9)}x"]
        if not col.unlimited:
            out += ["inf", "-inf"]
        if col.min is not None:
            out.append(schema_num(col.min) if col.min_exclusive else repr(col.min - rng.uniform(0.5, 10)))
        if col.max is not None:
            out.append(repr(col.max * rng.uniform(1.5, 10) + 1))
        if col.dtype == "int":
            out.append(repr(int(float(_valid(col))) + 0.5))
    elif col.dtype == "bool":
        out += ["maybe", "2", "yes please"]
    elif col.choices:
        out += ["not_a_choice", col.choices[0] + "x"]
    return out


def _table_text(header: list[str], row: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, row])
    return buf.getvalue()


def _cell_cases(rng: random.Random) -> list[tuple]:
    """(table, column, text, expect_valid) for every column of every table, and every setting."""
    cases = []
    for t in SCHEMA_TABLES:
        if t.name == "settings":
            continue
        for col in t.columns:
            good = _valid(col)
            cases += [(t, col, good, True), (t, col, f"  {good} ", True), (t, col, f'"{good}"', True)]
            cases += [(t, col, bad, False) for bad in _invalid(col, rng)]
    for col in SETTINGS:
        cases += [(TABLE["settings"], col, _valid(col), True)]
        cases += [(TABLE["settings"], col, bad, False) for bad in _invalid(col, rng)]
    return cases


def _read_one(folder: Path, t, col, text: str) -> tuple[list, object]:
    """Problems found in a one-row table whose cell ``col`` holds ``text`` (the others valid), and its value."""
    problems: list = []
    if t.name == "settings":
        (folder / "settings.csv").write_text(_table_text(["setting", "value"], [col.name, text]))
        df = load_mod.read_table(folder, t, problems)
        values = load_mod.parse_settings(df, problems)
        problems = [p for p in problems if "is missing" not in p.message]  # the other settings: not this case
        return problems, values.get(col.name)
    header = [c.name for c in t.columns]
    row = [text if c is col else _valid(c) for c in t.columns]
    if text.startswith('"'):  # a quoted cell, written as it is
        body = ",".join(header) + "\n" + ",".join(row) + "\n"
    else:
        body = _table_text(header, row)
    (folder / t.file).write_text(body)
    df = load_mod.read_table(folder, t, problems)
    return problems, (df[col.name].iloc[0] if len(df) else None)


def _spec_cases(rng: random.Random) -> list[tuple[str, str, bool]]:
    """(TOML body after name and inputs, key the message must name, expect_valid)."""
    out = [("description = 5\n", "description", False), ('description = "a model"\n', "", True),
           ("periods = []\n", "periods", False), ('periods = ["2030"]\n', "periods", False),
           ("periods = [2030]\n", "", True), ("unknown_key = 1\n", "unknown_key", False),
           ("[time]\nrepresentative_days = 0\n", "representative_days", False),
           ("[time]\nrepresentative_days = 2\n", "", True), ('[time]\nkeep_peak_day = "yes"\n', "keep_peak_day", False),
           ("[time]\nother = 1\n", "time.other", False), ('[report]\nhighlight_partners = "TR"\n',
                                                           "highlight_partners", False),
           ('[report]\nhighlight_partners = ["TR"]\n', "", True), ("[scenario]\nnope = 1\n", "scenario.nope", False),
           ("[scenario]\ndemand_multiplier = -1\n", "demand_multiplier", False),
           ("[scenario]\ndemand_multiplier = 1.1\n", "", True), ('[scenario]\nexclude_partners = "TR"\n',
                                                                  "exclude_partners", False),
           ("[[cells]]\ntable = \"nope\"\ncolumn = \"x\"\nvalue = 1\n", "nope", False),
           ("[[cells]]\ntable = \"partners\"\nwhere = { partner = \"TR\" }\ncolumn = \"wacc\"\nvalue = 1e400\n",
            "wacc", False),
           ('name = 5\n', "name", False), ('name = "a/b"\n', "name", False)]
    for key in ("no_new_builds", "keep_committed", "drop_build_requirements", "partner_commitments"):
        out += [(f"[scenario]\n{key} = 1\n", key, False), (f"[scenario]\n{key} = true\n", "", True)]
    for key, bad in [("method", '"fast"'), ("crossover", '"maybe"'), ("presolve", "1"), ("threads", "0"),
                     ("time_limit_s", "-1"), ("log", '"yes"'), ("no_such_option", "1"),
                     ("solution_file", '"inputs/example/demand.csv"'), ("write_solution_to_file", "true"),
                     ("log_file", '"x.log"'), ("write_model_file", '"model.csv"'), ("ranging", '"on"'),
                     ("write_presolved_model_file", '"p.mps"'), ("read_basis_file", '"b.bas"'),
                     ("output_flag", "false"), ("infinite_bound", "1e10"), ("primal_feasibility_tolerance", "-1")]:
        out.append((f"[solver]\n{key} = {bad}\n", key, False))
    for key, good in [("method", '"ipm"'), ("threads", "1"), ("time_limit_s", "60"), ("log", "false"),
                      ("simplex_strategy", "1"), ("random_seed", "3"), ("optimality_tolerance", "1e-7")]:
        out.append((f"[solver]\n{key} = {good}\n", "", True))
    for col in SETTINGS:
        out.append((f"[settings]\n{col.name} = {_valid(col)}\n", "", True))
        for bad in _invalid(col, rng):
            if bad:
                out.append((f"[settings]\n{col.name} = {json_text(bad)}\n", col.name, False))
    return out


def json_text(text: str) -> str:
    import json

    return json.dumps(text)


def _cli_cases(case: Path, spec: Path) -> list[list[str]]:
    """Command lines every subcommand must refuse with exit 2 before building anything."""
    missing, bad = str(case.parent / "nope.toml"), str(case / "demand.csv")
    out = [["validate", str(case.parent / "nope")], ["validate", bad], ["validate", str(spec)],
           ["report", str(case.parent / "nope")], ["report", bad], ["report", str(case)],
           ["compare", str(case), str(case)], ["compare", str(case.parent / "nope"), str(case)],
           ["docs", "--dir", bad], ["docs", "--dir", str(case.parent / "userdocs")],
           ["run", missing], ["run", bad], ["run", str(spec), "--results", bad], ["run", "--bogus"], ["bogus"], []]
    for study in ("partner-value", "placement", "calibrate", "time-error", "sweep"):
        out += [[study, missing], [study, bad], [study, str(spec), "--bogus-option"]]
    out += [["partner-value", str(spec), "--partner", "ZZ"], ["placement", str(spec), "--partner", "ZZ"],
            ["placement", str(spec), "--partner", "TR", "--programme", "a,b"],
            ["time-error", str(spec), "--days", "0"], ["time-error", str(spec), "--days", "x"],
            ["sweep", str(spec), "--vary", "nope"], ["sweep", str(spec), "--vary", "settings.discount_rate=0,09"],
            ["sweep", str(spec), "--vary", "settings.discount_rate=abc"],
            ["sweep", str(spec), "--vary", "settings.discount_rate=1e400"],
            ["sweep", str(spec), "--vary", "partners.csv:partner=TR:wacc=1e400"],
            ["sweep", str(spec), "--vary", "solver.solution_file=x.csv"],
            ["sweep", str(spec), "--vary", "nope.csv:a=b:c=1"], ["sweep", str(spec), "--vary", "scenario.nope=1"],
            ["sweep", str(spec), "--vary", "settings.discount_rate=0.1", "--scheduler", "tcp://127.0.0.1:1"]]
    return out


def test_seeded_battery_of_every_table_column_spec_key_and_command(tmp_path, monkeypatch, request):
    """At least 1,000 generated cases; counts per outcome are printed. Each case: accepted as the value it means,
    or refused naming its place; never a traceback; nothing changed outside its own folder."""
    from safety import snapshot

    def no_build(*a, **k):
        raise AssertionError("a refused case got as far as building the model")
    monkeypatch.setattr("planner.pipeline.build_model", no_build)
    rng = random.Random(SEED)
    outcome: Counter = Counter()
    # cells of every table and every setting
    for n, (t, col, text, expect_valid) in enumerate(_cell_cases(rng)):
        folder = tmp_path / f"cell{n}"
        folder.mkdir()
        problems, value = _read_one(folder, t, col, text)
        file = t.file
        if expect_valid:
            assert problems == [], f"{file} {col.name}={text!r} should be valid: {problems}"
            outcome["cell accepted"] += 1
        else:
            named = [p for p in problems if p.file == file and p.line == 2 and p.column in (col.name, "value")]
            assert named, f"{file} {col.name}={text!r} was accepted silently (read as {value!r}): {problems}"
            outcome["cell refused, file line column named"] += 1
        shutil.rmtree(folder)
    # run specification keys
    for n, (body, key, expect_valid) in enumerate(_spec_cases(rng)):
        spec = tmp_path / f"spec{n}.toml"
        head = "" if body.startswith("name =") else 'name = "fuzz"\n'
        spec.write_text(f'{head}inputs = "{EXAMPLE}"\n{body}')
        try:
            tomllib.loads(spec.read_text())
        except tomllib.TOMLDecodeError:
            pytest.fail(f"the battery wrote bad TOML: {body}")
        try:
            load_spec(spec)
        except InputError as exc:
            text = exc.report()
            assert not expect_valid, f"{body!r} should be valid:\n{text}"
            assert str(spec) in text and key in text, f"{body!r}: expected {key!r} named in\n{text}"
            outcome["spec refused, file and key named"] += 1
        else:
            assert expect_valid, f"{body!r} was accepted silently"
            outcome["spec accepted"] += 1
    # command lines of every subcommand
    case = tmp_path / "case"
    shutil.copytree(EXAMPLE, case)
    spec = tmp_path / "m.toml"
    spec.write_text(f'name = "fuzz"\ninputs = "{case}"\n')
    (tmp_path / "userdocs").mkdir()
    (tmp_path / "userdocs" / "inputs.md").write_text("my own notes\n")  # docs --dir must not replace it
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    for argv in _cli_cases(case, spec):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: usage and exit 2
                code = exc.code
        text = err.getvalue()
        assert code == 2, f"{argv}: exit {code}\n{text}"
        assert "Traceback" not in text and text.strip(), f"{argv}:\n{text}"
        assert snapshot(tmp_path) == before, f"{argv} changed something"
        outcome["command refused, exit 2"] += 1
    total = _report_counts(request, "seeded battery: {total} cases", outcome)
    assert total >= 1000
