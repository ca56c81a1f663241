"""Nothing wrong accepted: corrupt inputs caught with file, line and column; every former traceback is
exit 2 with one clear message (issue #11, items 2, 3, 6 and 7)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from safety import EXAMPLE, ROOT, cli, copy_example, open_tmp, snapshot, spec_file

from planner import checks
from planner.cli import main
from planner.errors import InputError
from planner.load import load_case


@pytest.fixture
def case(tmp_path):
    return copy_example(tmp_path / "case")


def problems(folder) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_case(folder)
    return [str(p) for p in exc.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


# ---------- item 2: corrupt inputs that gave wrong answers ----------

def test_weights_must_make_a_year(case):
    """Weights summing to 4,800 h ran silently with 57.7 TWh of demand instead of 105.3."""
    lines = (case / "timesteps.csv").read_text().splitlines()
    head, rows = lines[0], lines[1:]
    scaled = [",".join([r.split(",")[0], "100", *r.split(",")[2:]]) for r in rows]  # 48 x 100 h = 4,800 h
    (case / "timesteps.csv").write_text("\n".join([head, *scaled]) + "\n")
    msgs = problems(case)
    want = "timesteps.csv, column weight: weights add up to 4,800 h, not a year of 8760 or 8784 h"
    assert any(want in m for m in msgs)


def test_weights_of_a_declared_short_year_are_accepted(case):
    lines = (case / "timesteps.csv").read_text().splitlines()
    scaled = [",".join([r.split(",")[0], "100", *r.split(",")[2:]]) for r in lines[1:]]
    (case / "timesteps.csv").write_text("\n".join([lines[0], *scaled]) + "\n")
    (case / "settings.csv").write_text((case / "settings.csv").read_text() + "hours_per_year,4800\n")
    load_case(case)


def test_blocks_must_be_consecutive(case):
    """Blocks 0,1,0,1...: storage wrapped across unrelated hours and the cost dropped from 30.388 to 30.271 bn."""
    lines = (case / "timesteps.csv").read_text().splitlines()
    out = [lines[0]]
    for i, r in enumerate(lines[1:]):
        f = r.split(",")
        f[2] = str(i % 2)
        out.append(",".join(f))
    (case / "timesteps.csv").write_text("\n".join(out) + "\n")
    msgs = problems(case)
    want = "timesteps.csv, line 4, column block: block 0 is interrupted: timestep 2 returns to it"
    assert any(want in m for m in msgs)


def test_nul_byte_in_a_number(case):
    """A NUL byte inside 7480.0 used to be read as 74."""
    text = (case / "demand.csv").read_text()
    line_no, line = next((i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.startswith("N,3,"))
    value = line.split(",")[2]
    damaged = line.replace(value, value[:2] + "\x00" + value[2:], 1)
    (case / "demand.csv").write_text(text.replace(line, damaged, 1))
    msgs = problems(case)
    want = f"demand.csv, line {line_no}, column demand_mw: contains a NUL byte inside a cell"
    assert any(m.startswith(want) for m in msgs)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x7f", "\x0c"])
def test_other_control_characters(case, char):
    edit(case / "zones.csv", "N,", f"N{char},")
    msgs = problems(case)
    assert any(m.startswith("zones.csv, line 2, column zone: contains a") for m in msgs)


# ---------- item 3: former tracebacks ----------

def test_folder_in_place_of_a_table(case, capsys):
    (case / "fuels.csv").unlink()
    (case / "fuels.csv").mkdir()
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert "fuels.csv: is a folder, not a CSV file" in err and "Traceback" not in err


def test_unreadable_file_as_an_unprivileged_user():
    """As root, permissions are not enforced: the check runs as user nobody."""
    base = open_tmp("planner-perm-")
    try:
        case = copy_example(base / "case")
        for p in [case, *case.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        (case / "demand.csv").chmod(0o000)
        r = cli("validate", str(case), unprivileged=True)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "demand.csv: cannot be read (Permission denied)" in r.stderr
        assert "Traceback" not in r.stderr
        # held back: no follow-on "zone 'N' has no demand rows" for each zone
        assert "has no demand rows" not in r.stderr
    finally:
        shutil.rmtree(base)


def test_unreadable_file_in_process(case, monkeypatch):
    """The same through a patched read, so it is also checked where setpriv is missing."""
    real = Path.read_bytes

    def deny(self):
        if self.name == "demand.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", deny)
    assert problems(case) == ["demand.csv: cannot be read (Permission denied); check the file's permissions"]


def test_periods_with_only_a_header(case, capsys):
    (case / "periods.csv").write_text((case / "periods.csv").read_text().splitlines()[0] + "\n")
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert "periods.csv: has no rows; give at least a period" in err and "Traceback" not in err


@pytest.mark.parametrize("table", ["zones", "timesteps", "technologies", "demand"])
def test_header_only_tables(case, capsys, table):
    (case / f"{table}.csv").write_text((case / f"{table}.csv").read_text().splitlines()[0] + "\n")
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    assert f"  - {table}.csv" in err and "Traceback" not in err
    assert err.count("\n  - ") <= 6, err  # the empty table is named once, not once per row that refers to it


def test_broken_pipe_is_quiet():
    """`planner validate ... | head -0`: the reader goes away before we write; no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "planner", "validate", str(EXAMPLE)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert proc.returncode in (0, 141)


def test_run_piped_to_head(tmp_path):
    """`planner run MODEL | head -1` as the issue found it (BrokenPipeError)."""
    from safety import tiny_case

    spec = spec_file(tmp_path, tiny_case(tmp_path / "case"))
    r = subprocess.run(f"{sys.executable} -m planner run {spec} --results {tmp_path / 'r'} --no-report | head -1",
                       shell=True, capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                       timeout=300)
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr
    assert len(r.stdout.splitlines()) == 1


# ---------- item 6: locations and messages ----------

def test_line_numbers_are_physical_after_a_blank_line(case):
    text = (case / "technologies.csv").read_text().splitlines()
    text.insert(2, "")  # a blank line after the first technology
    damaged = "\n".join(text).replace("gas_ccgt,thermal,gas,", "gas_ccgt,thermal,gas,x")
    (case / "technologies.csv").write_text(damaged + "\n")
    line = next(i + 1 for i, ln in enumerate(text) if ln.startswith("gas_ccgt,"))
    msgs = problems(case)
    assert any(m.startswith(f"technologies.csv, line {line}, column heat_rate_mwh_th_per_mwh:") for m in msgs), msgs


def test_line_numbers_are_physical_after_a_multiline_cell(case):
    """North's name spans lines 2-3, so South's record starts on line 4 (record number 3)."""
    edit(case / "zones.csv", "N,North", 'N,"North\nern"')
    edit(case / "zones.csv", "S,South,South,43.2", "S,South,South,99")
    msgs = problems(case)
    assert any(m.startswith("zones.csv, line 4, column lat: 99 is out of range") for m in msgs), msgs


def test_period_overlap_blames_the_period_that_lasts_too_long(case):
    edit(case / "periods.csv", "2030,5", "2030,9")
    msgs = problems(case)
    line = next(i + 1 for i, ln in enumerate((case / "periods.csv").read_text().splitlines()) if ln.startswith("2030,"))
    assert (f"periods.csv, line {line}, column years: period 2030 lasts 9 years and so overlaps period 2035; "
            "set years <= 5") in msgs


@pytest.mark.parametrize("damage", ["undecodable", "empty", "blank"])
def test_one_bad_file_gives_one_message(case, damage):
    """An undecodable or empty zones.csv used to cascade into 470-490 follow-on reference errors."""
    content = {"undecodable": b"zone,name\nN,\xff\xfe\n", "empty": b"", "blank": b"\n\n"}[damage]
    (case / "zones.csv").write_bytes(content)
    msgs = problems(case)
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("zones.csv")


def test_cell_and_cross_table_errors_in_one_pass(case):
    edit(case / "technologies.csv", "coal,thermal,coal,2.9,1800", "coal,thermal,coal,2.9,lots")
    edit(case / "periods.csv", "2030,5", "2030,9")
    msgs = problems(case)
    assert any("column capex_usd_per_kw: 'lots' is not valid" in m for m in msgs)
    assert any("period 2030 lasts 9 years" in m for m in msgs)


def test_long_cell_is_cut_in_the_message(case):
    edit(case / "zones.csv", "N,", "N" + "x" * 1_000_000 + ",")  # a 1 MB id, listed among the known zones
    edit(case / "technologies.csv", "coal,thermal,coal,2.9,1800", "coal,thermal,coal,2.9," + "9" * 1_000_000 + "x")
    msgs = problems(case)
    assert all(len(m) < 2000 for m in msgs), max(len(m) for m in msgs)
    assert any("column capex_usd_per_kw: '999" in m and "... (1,000,001 characters) is not valid" in m for m in msgs)


def test_duplicate_header_named_as_a_duplicate(case):
    text = (case / "zones.csv").read_text().splitlines()
    (case / "zones.csv").write_text("\n".join([text[0] + ",region"] + [r + ",x" for r in text[1:]]) + "\n")
    msgs = problems(case)
    want = "zones.csv, line 1, column region: column 'region' is named twice in the header"
    assert any(m.startswith(want) for m in msgs)
    assert not any("region.1" in m for m in msgs)


def test_symlink_loop_named_as_such(case):
    (case / "fuels.csv").unlink()
    (case / "fuels.csv").symlink_to(case / "fuels.csv")
    msgs = problems(case)
    assert any(m.startswith("fuels.csv: is a symbolic link loop") for m in msgs), msgs


def test_solver_typo_reported_against_the_toml_before_building(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("planner.pipeline.build_model", lambda d: (_ for _ in ()).throw(AssertionError("built")))
    spec = spec_file(tmp_path, EXAMPLE, extra="[solver]\ntime_limt_s = 10\n")
    assert main(["run", str(spec), "--results", str(tmp_path / "r")]) == 2
    assert f"{spec}, line 4: [solver] HiGHS does not accept time_limt_s = 10 (a typo?)" in capsys.readouterr().err


def test_pyomo_rule_failures_do_not_leak(tmp_path, capfd):
    """A reserve margin no technology can meet is explained once (exit 3), with no Pyomo 'Rule failed' lines."""
    from casekit import hours, write_case

    c = write_case(tmp_path / "c", technologies=[{"technology": "gen", "kind": "thermal", "lifetime_yr": 100}],
                   existing_capacity=[{"zone": "A", "technology": "gen", "build_year": 2000, "capacity_mw": 100}],
                   timesteps=hours([8760]), demand=[{"zone": "A", "timestep": 0, "demand_mw": 50}],
                   reserve_margins=[{"region": "*", "period": 2030, "margin_pu": 0.1}])
    assert main(["run", str(spec_file(tmp_path, c)), "--results", str(tmp_path / "r")]) == 3
    out, err = capfd.readouterr()
    assert "Rule failed" not in out + err and "Constructing component" not in out + err
    assert "reserve_margin[*,2030] cannot hold" in err


def test_infeasibility_grouped_by_family():
    """Many balance rows and one fuel limit: every family is named, the rare one first."""
    from planner.explain import group_by_family

    items = [f"balance[A,2030,{t}]" for t in range(500)] + ["fuel_limit[coal,2030]"] + \
        [f"dispatch_min[A,coal,2030,{t}]" for t in range(500)]
    text = group_by_family(items)
    lines = text.splitlines()
    assert "1001 rows in 3 families" in lines[0]
    assert lines[1].startswith("  - fuel_limit[coal,2030]: fuel_limits.csv max_use_mwh_th")
    assert "(and 499 more balance rows: balance[A,2030,1], balance[A,2030,2], ... 497 more)" in text
    assert len(lines) == 4


def test_rules_are_named_functions():
    """Issue #13: check_case is one named check_* function per rule, each with its docstring."""
    names = [f.__name__ for f, _ in checks.RULES]
    assert len(names) >= 15 and all(n.startswith("check_") for n in names)
    assert all(f.__doc__ for f, _ in checks.RULES)


# ---------- item 7: traps ----------

def test_cohort_retiring_before_the_first_period_warns(case, capsys):
    """A 5-year coal lifetime retires the 1990 cohort (no retirement_year) in 1995: valid, but warned."""
    edit(case / "existing_capacity.csv", "N,coal,1990,3000,2045", "N,coal,1990,3000,")
    edit(case / "technologies.csv", "coal,thermal,coal,2.9,1800,60,4,40,", "coal,thermal,coal,2.9,1800,60,4,5,")
    assert main(["validate", str(case)]) == 0
    err = capsys.readouterr().err
    assert ("warning: existing_capacity.csv, line 3, column retirement_year: 3000 MW of coal in N retires in 1995 "
            "(build_year 1990 + lifetime_yr 5 of 'coal'), before the first period 2030") in err


def test_corridor_capex_without_length(case):
    edit(case / "corridors.csv", "N-S,N,S,2100,0.04,1000,800", "N-S,N,S,2100,0.04,,800")
    msgs = problems(case)
    assert any(m.startswith("corridors.csv, line 2, column length_km: corridor 'N-S' may expand (up to 3000 MW) at "
                            "capex_usd_per_mw_km 800 but has no length") for m in msgs), msgs


def test_max_new_mw_empty_and_inf_mean_no_limit_in_both_tables(case):
    edit(case / "corridors.csv", "N-S,N,S,2100,0.04,1000,800,3000", "N-S,N,S,2100,0.04,1000,800,inf")
    edit(case / "corridors.csv", "W-N,W,N,500,0.05,600,800,0", "W-N,W,N,500,0.05,600,800,")
    edit(case / "build_options.csv", "N,coal,KZ,,,,,", "N,coal,KZ,,,,,inf")
    c = load_case(case)
    assert c["corridors"]["max_new_mw"].isna().all()
    bo = c["build_options"]
    assert bo.loc[(bo.zone == "N") & (bo.technology == "coal"), "max_new_mw"].isna().all()


def test_minus_inf_and_nan_are_still_refused(case):
    edit(case / "corridors.csv", "N-S,N,S,2100,0.04,1000,800,3000", "N-S,N,S,2100,0.04,1000,800,-inf")
    edit(case / "build_options.csv", "N,coal,KZ,,,,,", "N,coal,KZ,,,,,nan")
    msgs = problems(case)
    assert any(m.startswith("corridors.csv, line 2, column max_new_mw: '-inf' is not valid") for m in msgs), msgs
    assert any(m.startswith("build_options.csv, line 2, column max_new_mw: 'nan' is not valid") for m in msgs), msgs


def test_corridor_expansion_without_limit_is_built_without_limit(tmp_path):
    """Two zones, demand 100 MW in B, 10 USD/MWh gas in A only, a corridor of 0 MW that may expand
    with no limit at 1 USD/MW-km x 1 km = 1 USD/MW overnight, 1-year life, rate 0: it is built to 100 MW."""
    from casekit import hours, solve_case, v, write_case

    c = write_case(tmp_path / "c", zones=[{"zone": "A"}, {"zone": "B"}],
                   technologies=[{"technology": "gas", "kind": "thermal", "lifetime_yr": 50, "vom_usd_per_mwh": 10}],
                   existing_capacity=[{"zone": "A", "technology": "gas", "build_year": 2020, "capacity_mw": 200}],
                   corridors=[{"corridor": "AB", "from_zone": "A", "to_zone": "B", "capacity_mw": 0, "length_km": 1,
                               "capex_usd_per_mw_km": 1, "max_new_mw": "inf", "lifetime_yr": 1}],
                   timesteps=hours([1]), demand=[{"zone": "A", "timestep": 0, "demand_mw": 0},
                                                 {"zone": "B", "timestep": 0, "demand_mw": 100}])
    m, d, sol = solve_case(c)
    assert v(m.new_line["AB", 2030]) == pytest.approx(100)


def test_docs_name_the_conventions():
    text = (ROOT / "docs" / "inputs.md").read_text()
    assert "charged on all capacity in service: existing cohorts as well as new builds" in text
    assert "1-hour steps" in text
    assert "annualised" in text and "corridor" in text
    assert "hours_per_year" in text and "inf" in text


def test_validate_writes_nothing(case, tmp_path):
    edit(case / "zones.csv", "N,", "N\x00,")
    before = snapshot(tmp_path)
    assert main(["validate", str(case)]) == 2
    assert snapshot(tmp_path) == before


def test_many_warnings_are_shown_twenty_then_counted(capsys):
    """37 rows retiring before the first period printed 37 warning lines on every run; the terminal now shows
    20 and how many more (run.json keeps them all)."""
    from planner.errors import Problem, show_warnings

    show_warnings([Problem("existing_capacity.csv", f"row {i} retires early", line=i + 2) for i in range(37)])
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 21 and lines[0].startswith("warning: existing_capacity.csv, line 2")
    assert lines[-1] == "warning: ... and 17 more (every one is in run.json of the run's results)"


def test_a_warning_starts_on_a_line_of_its_own_after_the_live_progress_line(tmp_path, monkeypatch):
    """On a terminal the warning was glued to the live line ("...[0:00.0] loadwarning: ..."): the line is ended
    first."""
    import io

    from planner import runner as run_mod
    from planner.errors import Problem
    from planner.progress import Progress
    from planner.spec import load_spec

    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    monkeypatch.setattr("sys.stderr", out)
    progress = Progress(stream=out)
    progress.stage("load")
    import planner.pipeline

    real = planner.pipeline.load_for_run

    def with_a_warning(spec):
        case, agg, h = real(spec)
        case.warnings.append(Problem("existing_capacity.csv", "retires early", line=6))
        return case, agg, h

    monkeypatch.setattr("planner.pipeline.load_for_run", with_a_warning)
    def stop(*args, **kwargs):  # the test ends once the warnings are out
        raise KeyboardInterrupt

    monkeypatch.setattr("planner.pipeline.prepare", stop)
    spec = load_spec(Path(__file__).resolve().parent.parent / "models" / "example.toml")
    with pytest.raises(KeyboardInterrupt):
        run_mod._solve(spec, None, progress)
    text = out.getvalue()
    assert "\r\x1b[Kwarning: existing_capacity.csv, line 6" in text and "loadwarning" not in text
