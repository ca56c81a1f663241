"""Helpers for the safety tests: byte snapshots of folders, a tiny solvable case, an unprivileged runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from casekit import hours, write_case

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "inputs" / "example"


def snapshot(path: Path) -> dict[str, bytes | str]:
    """Every file under ``path`` (or the file itself) by relative path -> bytes; folders and links recorded too."""
    path = Path(path)
    if path.is_symlink():
        return {".": f"link -> {os.readlink(path)}"}
    if path.is_file():
        return {".": path.read_bytes()}
    if not path.exists():
        return {}
    out: dict[str, bytes | str] = {".": "folder"}
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path).as_posix()
        if p.is_symlink():
            out[rel] = f"link -> {os.readlink(p)}"
        elif p.is_dir():
            out[rel] = "folder"
        else:
            out[rel] = p.read_bytes()
    return out


def tiny_case(folder: Path, demand_mw: float = 50) -> Path:
    """One zone, one year-long timestep, one 100 MW plant at 10 USD/MWh: solves in a second."""
    return write_case(folder, technologies=[{"technology": "gen", "kind": "thermal", "lifetime_yr": 100,
                                             "vom_usd_per_mwh": 10}],
                      existing_capacity=[{"zone": "A", "technology": "gen", "build_year": 2000, "capacity_mw": 100}],
                      timesteps=hours([8760]), demand=[{"zone": "A", "timestep": 0, "demand_mw": demand_mw}])


def spec_file(folder: Path, case: Path, name: str = "t", extra: str = "", file: str = "m.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / file
    p.write_text(f"name = {json.dumps(name)}\ninputs = {json.dumps(str(case))}\n{extra}")
    return p


def cli(*args: str, cwd: Path | None = None, unprivileged: bool = False, timeout: float = 300,
        **kw) -> subprocess.CompletedProcess:
    """``python -m planner ARGS`` in a subprocess; ``unprivileged`` runs it as user nobody when we are root
    (as root, file permissions are not enforced, so a permission test would prove nothing)."""
    cmd = [sys.executable, "-m", "planner", *args]
    if unprivileged and os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": tempfile.gettempdir()}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def open_tmp(prefix: str) -> Path:
    """A temporary folder every user can enter (pytest's tmp_path is private to root)."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    d.chmod(0o755)
    return d


def copy_example(dst: Path) -> Path:
    shutil.copytree(EXAMPLE, dst)
    return dst


def wait_for_solve(proc: subprocess.Popen, then: str = "stopped") -> None:
    """Read a running ``planner``'s plain progress lines until HiGHS is solving, give it a second, and check that
    it is still running (so a signal sent next lands inside the solve)."""
    import time

    import pytest

    for line in proc.stdout:
        if line.rstrip().endswith("] solve"):
            break
    else:
        pytest.fail(f"the run ended before its solve started: {proc.stderr.read()}")
    time.sleep(1.0)
    assert proc.poll() is None, f"the solve finished before it could be {then}"


EARLIER_META = '{"written_by": "planner", "format_version": 1, "kind": "run", "earlier": true}\n'


def slow_run_over_an_earlier_result(tmp_path: Path) -> Path:
    """A run specification ``tmp_path``/syn.toml whose solve takes ~20 s (dual simplex, no presolve, 8 zones x
    240 h of a synthetic case) and, in ``tmp_path``/res/syn, an earlier result of the same name as planner marks
    one (``EARLIER_META``): what a signal during the solve must leave as it was."""
    from planner.synthetic import write_synthetic_case

    write_synthetic_case(tmp_path / "case", zones=8, hours=240, periods=1)
    spec = tmp_path / "syn.toml"
    spec.write_text('name = "syn"\ninputs = "case"\n[solver]\nmethod = "simplex"\npresolve = "off"\n')
    earlier = tmp_path / "res" / "syn"
    earlier.mkdir(parents=True)
    (earlier / "run.json").write_text(EARLIER_META)
    return spec
