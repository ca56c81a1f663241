"""A re-run starts from the basis stored with the run it replaces (planner/basis.py): the same optimum.

The hand case (as tests/test_fam_capacity.py's): one zone, one period of 1 year, r = 0, lifetimes of 1 year, so
a new MW costs its capex * 1000 USD a year. One timestep of 1000 h, demand 100 MW, VOLL 1000 USD/MWh (unserved
energy would cost 1e6 USD per MW of demand, so 100 MW are built). vom 0 everywhere.
    gas  capex 100 USD/kW (1e5 USD/MW-yr), max_new_mw 60
    oil  capex 200 USD/kW (2e5)
  cold:   gas 60 (capped) + oil 40        objective = 60 * 1e5 + 40 * 2e5 = 1.4e7
  oil's capex edited to 50 USD/kW (5e4 USD/MW-yr), now the cheaper:
          oil 100, gas 0                  objective = 100 * 5e4 = 5e6
The edit moves the optimum to another basis (gas leaves it), so the warm re-solve has pivots to make.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from casekit import copy_example, demand, hours, tech, write_case
from pytest import approx

from planner import basis
from planner.cli import main

REL = 1e-9
COLD = 60 * 1e5 + 40 * 2e5
EDITED = 100 * 5e4


def hand_case(folder: Path, oil_capex: float = 200, extra_tech: bool = False) -> Path:
    techs = [tech("gas", lifetime_yr=1, capex_usd_per_kw=100), tech("oil", lifetime_yr=1, capex_usd_per_kw=oil_capex)]
    options = [{"zone": "A", "technology": "gas", "max_new_mw": 60}, {"zone": "A", "technology": "oil"}]
    if extra_tech:  # one more build option: another column, another LP shape
        techs.append(tech("nuc", lifetime_yr=1, capex_usd_per_kw=500))
        options.append({"zone": "A", "technology": "nuc"})
    return write_case(folder, technologies=techs, build_options=options, timesteps=hours([1000]),
                      demand=demand({"A": [100]}))


def spec_file(tmp_path: Path, case: Path, name: str = "t") -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(f'name = "{name}"\ninputs = "{case}"\n')
    return p


def run(spec: Path, results: Path, *extra: str) -> dict:
    assert main(["run", str(spec), "--results", str(results), "--no-report", "--quiet", *extra]) == 0
    return json.loads((results / spec.stem / "run.json").read_text())


def set_cell(path: Path, key: str, column: str, value: str) -> None:
    """One cell of a CSV edited, as a user edits it: the row whose first column is ``key``."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    first = next(iter(rows[0]))
    (row,) = [r for r in rows if r[first] == key]
    row[column] = value
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def from_basis(results: Path, name: str = "t") -> bool:
    """HiGHS's log of the run says it started from the basis it was given (and so skipped presolve)."""
    return "Solving LP with useful basis" in (results / name / "solver.log").read_text()


def warnings(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("warning:")]


def test_cold_run_stores_its_basis_with_the_shape_hash(tmp_path):
    """basis.npz is in the results, listed in the manifest, its sha256 and the LP's shape hash in run.json; it is
    HiGHS's optimal basis of the hand case: 2 columns of new capacity and the rest, one status per column and row,
    as many basic variables as rows."""
    spec = spec_file(tmp_path, hand_case(tmp_path / "c"))
    meta = run(spec, tmp_path / "r")
    assert meta["objective_usd"] == approx(COLD, rel=REL)
    assert meta["warm_start"] == {"used": False, "why": "no earlier run to start from"}
    rec = meta["basis"]
    path = tmp_path / "r" / "t" / "basis.npz"
    assert rec["file"] == "basis.npz" and "basis.npz" in meta["manifest"]["files"]
    import hashlib
    assert rec["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    with np.load(path, allow_pickle=False) as z:
        cols, rows = z["col_status"], z["row_status"]
        assert str(z["shape_sha256"]) == rec["shape_sha256"]
    assert (len(cols), len(rows)) == (rec["columns"], rec["rows"]) == (meta["size"]["columns"], meta["size"]["rows"])
    assert np.count_nonzero(cols == 1) + np.count_nonzero(rows == 1) == len(rows)


def test_warm_rerun_after_one_cell_cost_edit_is_the_cold_optimum(tmp_path):
    """Edit oil's capex 200 -> 50 USD/kW and run again into the same results: simplex from the stored basis, no
    interior point, and the hand-derived optimum 5e6 (module docstring), equal to a cold run to 1e-9."""
    case = hand_case(tmp_path / "c")
    spec = spec_file(tmp_path, case)
    run(spec, tmp_path / "r")
    set_cell(case / "technologies.csv", "oil", "capex_usd_per_kw", "50")
    warm = run(spec, tmp_path / "r")
    cold = run(spec, tmp_path / "cold", "--cold")
    assert warm["warm_start"]["used"] is True
    assert warm["warm_start"]["from"] == str(tmp_path / "r" / "t")
    assert "costs" in warm["warm_start"]["changed"] and "column bounds" not in warm["warm_start"]["changed"]
    assert warm["iterations"]["ipm"] == 0 and warm["iterations"]["simplex"] > 0 and from_basis(tmp_path / "r")
    assert cold["warm_start"]["used"] is False and not from_basis(tmp_path / "cold")
    assert warm["objective_usd"] == approx(EDITED, rel=REL)
    assert abs(warm["objective_usd"] - cold["objective_usd"]) <= REL * abs(cold["objective_usd"])
    assert warm["basis"]["shape_sha256"] == cold["basis"]["shape_sha256"]


def test_example_case_warm_rerun_equals_cold(tmp_path):
    """The example case (two periods, three zones): wind's capex edited in one cell; the warm re-run's optimum is
    the cold one's to 1e-9 relative (both are HiGHS optima of the same LP; none is derived by hand here, the hand
    case above pins the arithmetic)."""
    case = copy_example(tmp_path)
    spec = spec_file(tmp_path, case, "ex")
    first = run(spec, tmp_path / "r")
    set_cell(case / "technologies.csv", "wind", "capex_usd_per_kw", "1400")
    warm = run(spec, tmp_path / "r")
    cold = run(spec, tmp_path / "cold", "--cold")
    assert warm["warm_start"]["used"] is True and warm["iterations"]["ipm"] == 0 and from_basis(tmp_path / "r", "ex")
    assert cold["objective_usd"] != approx(first["objective_usd"], rel=1e-6)  # the edit moved the optimum
    assert abs(warm["objective_usd"] - cold["objective_usd"]) <= REL * abs(cold["objective_usd"])


def test_unchanged_rerun_takes_no_pivot(tmp_path):
    """The same LP again: the stored basis is optimal as it is (0 simplex iterations), nothing changed."""
    spec = spec_file(tmp_path, hand_case(tmp_path / "c"))
    run(spec, tmp_path / "r")
    again = run(spec, tmp_path / "r")
    assert again["warm_start"]["used"] is True and again["warm_start"]["changed"] == []
    assert again["iterations"] == {"simplex": 0, "ipm": 0, "crossover": 0}
    assert again["objective_usd"] == approx(COLD, rel=REL)


def test_shape_change_falls_back_cold_with_one_warning(tmp_path, capsys):
    """A build option added (one more column): the stored basis is of another shape, so one warning and a cold
    solve. The new option (nuc, 5e5 USD/MW-yr) is dearer than both, so the optimum is the cold 1.4e7 still."""
    spec = spec_file(tmp_path, hand_case(tmp_path / "c"))
    run(spec, tmp_path / "r")
    capsys.readouterr()
    hand_case(tmp_path / "c", extra_tech=True)
    meta = run(spec, tmp_path / "r")
    err = capsys.readouterr().err
    assert len(warnings(err)) == 1, err
    assert "not used as a warm start" in err and "shape has changed" in err and "solving cold" in err
    assert "Traceback" not in err
    assert meta["warm_start"]["used"] is False and "shape" in meta["warm_start"]["why"]
    assert not from_basis(tmp_path / "r")
    assert meta["objective_usd"] == approx(COLD, rel=REL)


def _tamper_flip(folder: Path) -> None:
    """Another status in the stored file (its sha256 in run.json no longer matches)."""
    p = folder / "basis.npz"
    with np.load(p, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["col_status"] = (arrays["col_status"] + 1) % 2
    np.savez(p, **arrays)


def _foreign_recorded(folder: Path, body: bytes) -> None:
    """A file that is not a basis, with run.json's sha256 made to match it (so that only parsing can tell)."""
    import hashlib
    (folder / "basis.npz").write_bytes(body)
    meta = json.loads((folder / "run.json").read_text())
    meta["basis"]["sha256"] = hashlib.sha256(body).hexdigest()
    (folder / "run.json").write_text(json.dumps(meta))


def _wrong_count_recorded(folder: Path) -> None:
    """A well-formed file of the right shape hash whose statuses cannot be a basis (every column basic)."""
    import io
    p = folder / "basis.npz"
    with np.load(p, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["col_status"] = np.ones_like(arrays["col_status"])
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _foreign_recorded(folder, buf.getvalue())


@pytest.mark.parametrize(("tamper", "said"), [
    (_tamper_flip, "does not match the sha256"),
    (lambda f: _foreign_recorded(f, b"PK\x03\x04 not a zip at all"), "not a basis file"),
    (lambda f: _foreign_recorded(f, b""), "not a basis file"),
    (_wrong_count_recorded, "basic variables"),
    (lambda f: (f / "basis.npz").unlink(), "cannot be read"),
])
def test_tampered_basis_falls_back_cold(tmp_path, capsys, tamper, said):
    """A basis file changed, foreign, not a basis, or gone: one warning naming it, a cold solve, the right optimum
    (the edited hand case, 5e6), never a traceback."""
    case = hand_case(tmp_path / "c")
    spec = spec_file(tmp_path, case)
    run(spec, tmp_path / "r")
    tamper(tmp_path / "r" / "t")
    set_cell(case / "technologies.csv", "oil", "capex_usd_per_kw", "50")
    capsys.readouterr()
    meta = run(spec, tmp_path / "r")
    err = capsys.readouterr().err
    assert len(warnings(err)) == 1, err
    assert "basis.npz: not used as a warm start" in err and said in err and "Traceback" not in err
    assert meta["warm_start"]["used"] is False and not from_basis(tmp_path / "r")
    assert meta["objective_usd"] == approx(EDITED, rel=REL)


def test_interrupted_write_never_leaves_a_half_basis(tmp_path, monkeypatch, capsys):
    """Ctrl-C after half of the new basis file is written: the earlier results, their basis.npz byte for byte,
    stay; no temporary folder is left; the next run starts warm from the earlier basis."""
    case = hand_case(tmp_path / "c")
    spec = spec_file(tmp_path, case)
    run(spec, tmp_path / "r")
    before = (tmp_path / "r" / "t" / "basis.npz").read_bytes()
    real = basis.write_basis

    def half(path, stored):
        real(path, stored)
        body = path.read_bytes()
        path.write_bytes(body[: len(body) // 2])
        raise KeyboardInterrupt
    set_cell(case / "technologies.csv", "oil", "capex_usd_per_kw", "50")
    monkeypatch.setattr(basis, "write_basis", half)
    assert main(["run", str(spec), "--results", str(tmp_path / "r"), "--no-report", "--quiet"]) == 130
    assert (tmp_path / "r" / "t" / "basis.npz").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["t"]
    monkeypatch.setattr(basis, "write_basis", real)
    capsys.readouterr()
    meta = run(spec, tmp_path / "r")
    assert warnings(capsys.readouterr().err) == []
    assert meta["warm_start"]["used"] is True and from_basis(tmp_path / "r")
    assert meta["objective_usd"] == approx(EDITED, rel=REL)


def test_warm_start_from_another_run_and_cold(tmp_path, capsys):
    """--warm-start RESULTS_DIR starts from another run's basis (a variant from its base run); --cold never starts
    from one; a folder that is not a run's results is refused with exit 2 before anything is solved or written."""
    base_case = hand_case(tmp_path / "base")
    run(spec_file(tmp_path, base_case, "base"), tmp_path / "r")
    variant = spec_file(tmp_path, hand_case(tmp_path / "variant", oil_capex=50), "variant")
    meta = run(variant, tmp_path / "r", "--warm-start", str(tmp_path / "r" / "base"))
    assert meta["warm_start"]["used"] is True and meta["warm_start"]["from"] == str(tmp_path / "r" / "base")
    assert meta["objective_usd"] == approx(EDITED, rel=REL)
    cold = run(variant, tmp_path / "r", "--cold")
    assert cold["warm_start"] == {"used": False, "why": "a cold solve was asked for (--cold)"}
    assert cold["objective_usd"] == approx(EDITED, rel=REL)
    capsys.readouterr()
    code = main(["run", str(variant), "--results", str(tmp_path / "other"), "--quiet", "--no-report",
                 "--warm-start", str(base_case)])
    err = capsys.readouterr().err
    assert code == 2 and "is not a run's results folder" in err and str(base_case) in err
    assert "Traceback" not in err and not (tmp_path / "other" / "variant").exists()


def test_no_basis_without_crossover(tmp_path, capsys):
    """The interior point method without crossover ends on no basis: none is stored, and the next run solves cold
    without a warning (the results it replaces simply have none)."""
    case = hand_case(tmp_path / "c")
    spec = tmp_path / "t.toml"
    spec.write_text(f'name = "t"\ninputs = "{case}"\n[solver]\nmethod = "ipx"\ncrossover = "off"\n')
    meta = run(spec, tmp_path / "r")
    assert meta["basis"] is None and not (tmp_path / "r" / "t" / "basis.npz").exists()
    capsys.readouterr()
    again = run(spec, tmp_path / "r")
    assert warnings(capsys.readouterr().err) == []
    assert again["warm_start"]["used"] is False and "stored no basis" in again["warm_start"]["why"]
    assert again["objective_usd"] == approx(COLD, rel=1e-6)


def test_a_study_starts_its_own_solver_from_a_stored_basis(tmp_path):
    """basis.solve takes any Solver of the pipeline's model, not only planner run's: the edited hand case (oil capex
    50 USD/kW -> 100 MW of oil, 5e6 USD) built by pipeline.build and solved from the run's stored basis gives the
    same optimum as the warm re-run, and says it started from the basis."""
    from planner.pipeline import build, solver_options
    from planner.progress import Progress
    from planner.solve import Solver
    from planner.spec import load_spec, validate_spec

    case = hand_case(tmp_path / "c")
    spec = spec_file(tmp_path, case)
    assert run(spec, tmp_path / "r")["objective_usd"] == approx(COLD, rel=REL)
    set_cell(case / "technologies.csv", "oil", "capex_usd_per_kw", "50")
    s = validate_spec(load_spec(spec))
    b = build(s)
    source = basis.source(tmp_path / "r" / "t", None)
    sol, started, final, _ = basis.solve(Solver(b.model, solver_options(s)), source, Progress(enabled=False))
    assert started["used"] is True and started["changed"] == ["costs"] and final is not None
    assert sol.objective == approx(EDITED, rel=REL)
    assert "Solving LP with useful basis" in sol.log
