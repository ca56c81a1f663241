"""A cache of loaded, aggregated cases: skip reading and clustering an hourly year that has not changed.

Loading the Kazakhstan case (780,000 profile rows, every cell checked) and
clustering its 8,760 hours into representative days with tsam take longer than
solving a one-period model. Their result depends only on

- the bytes of the case's CSV files (``pipeline.inputs_hash``),
- what the run specification asks of them: periods, scenario, time aggregation,
- the code that reads and aggregates them: every ``planner/**/*.py`` file and the
  versions of tsam, pandas and numpy,

so the result is stored under a key made of all of these. A run whose key is
stored takes its case from the cache; any change to any of them is a new key.

Where: ``$PLANNER_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/planner`` or
``~/.cache/planner`` (outside the repository; nothing to ignore). ``PLANNER_CACHE=off``
turns the cache off.

Safe against corruption: an entry is written to a temporary file and renamed into
place (never seen half-written), and holds the SHA-256 of its body, checked on
every read. An entry that does not parse or check (truncated, corrupted, foreign) is ignored with a
warning and written again. Two processes filling the same entry at once each write their own temporary file
and rename it into place: the entry is one of the two, whole. The format is JSON (tables column by column with
their dtypes and index), not pickle: reading an entry never runs code.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import pandas as pd

FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    if os.environ.get("PLANNER_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    if os.environ.get("PLANNER_CACHE_DIR"):
        return Path(os.environ["PLANNER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "planner"


def code_version() -> str:
    """Hash of the package's source and of the libraries whose output is cached."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    for dist in ("tsam", "pandas", "numpy"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    return h.hexdigest()


def key(inputs_sha256: str, request: dict) -> str:
    """Key of one loaded case: the inputs' hash, what was asked of them, and the code version."""
    text = json.dumps(
        {"format": FORMAT, "inputs": inputs_sha256, "request": request, "code": code_version()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _frame_to_json(df: pd.DataFrame) -> dict:
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": [str(t) for t in df.dtypes],
        "data": [df[c].tolist() for c in df.columns],
        "index": df.index.tolist(),
        "index_dtype": str(df.index.dtype),
        "index_name": df.index.name,
    }


def _frame_from_json(d: dict) -> pd.DataFrame:
    index = pd.Index(d["index"], dtype=d["index_dtype"], name=d["index_name"])
    if isinstance(index, pd.Index) and len(index) and index.equals(pd.RangeIndex(index[0], index[0] + len(index))):
        index = pd.RangeIndex(index[0], index[0] + len(index), name=d["index_name"])
    cols = {c: pd.Series(v, index=index, dtype=t) for c, t, v in zip(d["columns"], d["dtypes"], d["data"])}
    return pd.DataFrame(cols, index=index, columns=d["columns"])


def load(k: str, make_case):
    """(case, extra) stored under key ``k``, or None. ``make_case(path, tables, settings, rest)`` rebuilds
    the Case object from its stored parts.

    An entry that is there but truncated, corrupted (its body does not match the SHA-256 in its header) or
    foreign (another key, format or program) is ignored with one warning on stderr; the caller loads the case
    again and ``store`` writes the entry anew."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / "cases" / f"{k}.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _damaged(path, f"cannot be read ({exc.strerror or exc})")
    head, newline, body = raw.partition(b"\n")
    try:
        header = json.loads(head)
    except ValueError:
        return _damaged(path, "has no header a planner cache entry starts with (foreign or damaged)")
    if not newline or not isinstance(header, dict):
        return _damaged(path, "is truncated or foreign (no header line)")
    if header.get("format") != FORMAT or header.get("key") != k:
        return _damaged(path, f"is foreign (format {header.get('format')!r}, key {str(header.get('key'))[:12]!r} "
                        "instead of this entry's)")
    if header.get("sha256") != hashlib.sha256(body).hexdigest():
        return _damaged(path, "is truncated or corrupted (its body does not match the SHA-256 in its header)")
    try:
        payload = json.loads(body)
        tables = {name: _frame_from_json(d) for name, d in payload["tables"].items()}
        return make_case(payload["path"], tables, payload["settings"], payload["rest"]), payload["extra"]
    except (ValueError, KeyError, TypeError) as exc:  # checksum right, content not: written by another version
        return _damaged(path, f"cannot be read back ({type(exc).__name__}: {exc})")


def _damaged(path: Path, why: str) -> None:
    print(f"warning: cache entry {path} {why}; it is ignored, the case is loaded again and the entry rewritten",
          file=sys.stderr)
    return None


def store(k: str, case, extra: dict) -> Path | None:
    """Write ``case`` (a planner.load.Case) and ``extra`` under key ``k``, atomically; None if the cache is off
    or cannot be written (a cache never stops a run)."""
    folder = cache_dir()
    if folder is None:
        return None
    rest = {}
    for f in fields(case):
        if f.name in ("path", "tables", "settings"):
            continue
        value = getattr(case, f.name)
        rest[f.name] = [asdict(v) for v in value] if isinstance(value, list) else value
    payload = {
        "path": str(case.path),
        "settings": case.settings,
        "rest": rest,
        "extra": extra,
        "tables": {name: _frame_to_json(df) for name, df in case.tables.items()},
    }
    body = json.dumps(payload, default=_plain).encode()
    header = json.dumps({"format": FORMAT, "key": k, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    target = folder / "cases" / f"{k}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{k[:12]}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header + b"\n" + body)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return target


def _plain(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, Path):
        return str(x)
    raise TypeError(f"{type(x).__name__} cannot be cached")
