"""Results on disk: written whole or not at all, and never over anything planner did not write.

Every folder planner writes (a run's results, its report, a comparison, a
study) carries ``run.json`` with the marker ``"written_by": "planner"``, a
``format_version``, its ``kind`` (``run``, ``report``, ``comparison``,
``study``), the sha256 of each of its CSV tables, and a ``manifest``: every
file and folder it wrote, and the planner folders nested in it with their kind
(a run's ``report/``, partner-value's ``with/`` and ``without/``), each of which
records its own files in its own ``run.json``.

A folder is replaced only when all of this holds, else the write is refused
with exit 2 (``ResultsError``) before anything is solved or touched, and the
folder is left exactly as it was:

- it carries the marker (a case folder, a user's folder, a file or a symlink at
  the target is never replaced);
- it is of the kind being written: results by results, a report by a report, a
  comparison by a comparison, a study by a study (``planner compare --out`` onto
  a run's results is refused, saying what the folder holds);
- it holds nothing planner did not write there: a file or folder not in its
  manifest, a folder where planner wrote a file (or the reverse), a symlink, or
  a nested folder that is not the planner folder of the kind recorded. The
  message names the first few such paths ("and N more") and says to move them
  out or write elsewhere. Files planner wrote may be missing or edited; the
  nested ``report/`` that ``planner report`` adds to a run later, and the lock
  and marked temporaries of a killed write of it, count as planner's;
- no file planner wrote there is open in a spreadsheet program: an office lock
  file beside it (Excel's ``~$report.xlsx``, Word's ``~$`` over the first two
  letters of a long name, LibreOffice's ``.~lock.report.xlsx#``) is refused with
  its own message, "report.xlsx is open in a spreadsheet program (lock file
  ~$report.xlsx): close it and run again". Lock files are never deleted: one
  left by a program that crashed is for the user to remove.

The folder metadata an operating system drops into any folder it shows
(``.DS_Store``, ``Thumbs.db``, ``ehthumbs.db``, ``desktop.ini``, any letter
case, and AppleDouble ``._*`` files, known by their magic number; files only) does not block a replace and is
dropped with the old folder: it holds view settings and thumbnails of the files
being replaced, no user's work, and the system writes it again when it next
shows the folder. Carrying it over would keep stale thumbnails and add a copy
step that can fail after the solve, for nothing. Jupyter's
``.ipynb_checkpoints/`` is not such metadata (it holds earlier versions of files
edited in Jupyter, which may be the user's work) and is refused like any folder.

Folders written before manifests existed (no ``manifest`` in run.json) are
judged by what a folder of their kind could hold: the CSVs listed in its
``tables_sha256``; besides them only ``run.json``, and for a run
``summary.txt``, ``solver.log``, ``basis.npz`` (a run's final basis, also in a run whose manifest is damaged),
``inputs/`` (with ``inputs/SOURCES.md``) and a
``report/`` that passes the same test as a report; for a report ``report.html``
and ``report.xlsx``; for a comparison ``compare.html``; for a study
``summary.txt``, ``partner_value.json`` and run folders ``with/`` and
``without/``. Such folders of kind ``results`` (comparisons and studies were not
told apart then) count as a comparison if they hold ``compare.html``, else as a
study. Anything else in them is refused as above.

``planner compare`` also refuses an output folder that is, contains or is
inside one of the folders it compares.

A write holds a lock on its target for its whole length (``claim``), so a
second run of the same name is refused with a clear message instead of racing
the first. Files are written into a temporary sibling folder
(``.<name>.tmp-*``, marked as ours); only when every file is written is it
renamed into place. An earlier folder of the same name is checked again, moved
aside (``.<name>.old-*``) and removed only after the new one is in place. A run
killed part-way leaves only those marked temporary folders, which the next
write of the same name removes (or, if the kill came between the two renames,
puts the earlier result back from).

Result CSVs are written with round-trip float precision, and text cells that a
spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``)
are prefixed with ``'``; readers here strip that prefix again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from planner.core.names import NAME_CHARS
from planner.errors import InputError, Problem, StoredResultsError
from planner.signals import deferred

WRITTEN_BY = "planner"
FORMAT_VERSION = 1
META = "run.json"
_TMP_MARK = ".planner-temporary"  # inside every temporary folder we create, so cleanup never touches others
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.IGNORECASE)


class ResultsError(InputError):
    """The results location cannot be written safely (exit 2, before anything is solved)."""

    heading = "with the results location"


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a plain folder name (None if it is one)."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty folder name"
    if len(name) > 150:
        return f"is {len(name)} characters long; use at most 150"
    bad = sorted({c for c in name if not (c.isalnum() or c in NAME_CHARS)})
    if bad:
        return (f"{name!r} contains {''.join(bad)!r}; a run name is one plain folder name: letters, digits and "
                f"{''.join(sorted(NAME_CHARS))}")
    if not (name[0].isalnum() or name[0] == "_"):
        return f"{name!r} must start with a letter, digit or _ (not {name[0]!r})"
    return None


def read_meta(folder: Path) -> dict | None:
    """run.json of ``folder`` if it is a folder planner wrote (marker present), else None."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        return None
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(meta, dict) and meta.get("written_by") == WRITTEN_BY and isinstance(meta.get("format_version"), int):
        return meta
    return None


KINDS = {"run": "a run's results", "report": "a run's report", "comparison": "a comparison of runs",
         "study": "a study's results", "results": "results"}
# planner folders a folder of a kind may hold without its manifest listing them: `planner report` adds report/ to
# a run later (e.g. one written with --no-report)
_ADDED_LATER = {"run": {"report": "report"}}
# folders written before manifests: what a folder of each kind could hold besides the CSVs of its tables_sha256
_LEGACY_FILES = {"run": {"summary.txt", "solver.log", "basis.npz", "inputs/SOURCES.md"},
                 "report": {"report.html", "report.xlsx"},
                 "comparison": {"compare.html"}, "study": {"summary.txt", "partner_value.json"}}
_LEGACY_FOLDERS = {"run": {"inputs"}}
_LEGACY_NESTED = {"run": {"report": "report"}, "study": {"with": "run", "without": "run"}}
_SHOWN = 5  # unexpected paths named in a refusal before "and N more"
# folder metadata the OS writes into any folder it shows (Finder, Explorer), lower case: Windows' names are not
# case-sensitive; AppleDouble companions ``._<name>`` (macOS on a non-Apple volume) are recognised by their
# format's magic number, not by the prefix alone, so a user's ``._notes.txt`` is never taken for one
_OS_METADATA = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini"}
_APPLEDOUBLE_MAGIC = bytes.fromhex("00051607")
_LIBREOFFICE_LOCK = re.compile(r"\.~lock\.(.+)#")


def os_metadata(path: Path) -> bool:
    """The file at ``path`` is one the operating system drops into folders it shows (not the user's work)."""
    name = path.name
    if name.lower() in _OS_METADATA:
        return True
    if not (name.startswith("._") and len(name) > 2):
        return False
    try:
        with open(path, "rb") as f:
            return f.read(4) == _APPLEDOUBLE_MAGIC
    except OSError:
        return False


def _opened(name: str, rel: str, files: set[str]) -> str | None:
    """The file planner wrote (relative path, among ``files``) that an office lock file ``name`` in the folder
    ``rel`` says is open, or None if ``name`` is no such lock file."""
    m = _LIBREOFFICE_LOCK.fullmatch(name)
    rest = m.group(1) if m else name[2:] if name.startswith("~$") and len(name) > 2 else None
    if rest is None:
        return None
    if rel + rest in files:  # Excel and LibreOffice: the whole name
        return rel + rest
    if not m:  # Word, for a long name: ~$ in place of its first two letters
        return next((f for f in sorted(files) if f.startswith(rel) and "/" not in f[len(rel):]
                     and len(f) - len(rel) > 2 and f[len(rel) + 2:] == rest), None)
    return None


def kind_of(meta: dict, folder: Path) -> str:
    """The kind of a planner folder; one written before comparisons and studies were told apart (kind "results",
    no manifest) is a comparison if it holds compare.html, else a study."""
    kind = meta.get("kind")
    if kind in (None, "results") and not isinstance(meta.get("manifest"), dict):
        return "comparison" if (Path(folder) / "compare.html").is_file() else "study"
    return str(kind)


def _describe(kind: str) -> str:
    return KINDS.get(kind, f"a planner folder of kind {kind!r}")


def _elsewhere(kind: str) -> str:
    """How a write of ``kind`` goes elsewhere, for a refusal."""
    return {"run": "give the run another name or --results", "comparison": "choose another --out",
            "study": "choose another --results", "report": "report that run's results instead"}.get(
                kind, "choose another name or location")


def manifest(folder: Path) -> dict:
    """Every file and folder under ``folder`` (relative, sorted), and the planner folders nested in it by kind.

    A nested planner folder (one with its own run.json marker) is recorded by its kind only: its files are in
    its own manifest. Symbolic links are left out (planner writes none), so a later write refuses them.
    """
    files: list[str] = []
    folders: list[str] = []
    nested: dict[str, str] = {}

    def walk(d: Path, rel: str) -> None:
        for e in sorted(os.scandir(d), key=lambda e: e.name):
            r = rel + e.name
            if e.is_symlink():
                continue
            if e.is_dir():
                sub = read_meta(Path(e.path))
                if sub is not None:
                    nested[r] = kind_of(sub, Path(e.path))
                else:
                    folders.append(r)
                    walk(Path(e.path), r + "/")
            elif e.is_file() and r != _TMP_MARK:
                files.append(r)

    walk(Path(folder), "")
    return {"files": sorted({*files, META}), "folders": folders, "nested": nested}


def _expected(meta: dict, kind: str) -> tuple[set[str], set[str], dict[str, str]]:
    """(files, folders, nested planner folders by kind) a planner folder may hold, from its manifest or, for a
    folder written before manifests (or with a damaged one), from what a folder of its kind could hold."""
    m = meta.get("manifest")
    files = m.get("files") if isinstance(m, dict) else None
    folders = m.get("folders") if isinstance(m, dict) else None
    nested = m.get("nested") if isinstance(m, dict) else None
    if (isinstance(files, list) and isinstance(folders, list) and isinstance(nested, dict)
            and all(isinstance(x, str) for x in [*files, *folders, *nested, *nested.values()])):
        have, dirs, subs = set(files), set(folders), dict(nested)
    else:
        sums = meta.get("tables_sha256")
        have = {k for k in sums if isinstance(k, str)} if isinstance(sums, dict) else set()
        have |= {META} | _LEGACY_FILES.get(kind, set())
        dirs = set(_LEGACY_FOLDERS.get(kind, set()))
        dirs |= {Path(f).parent.as_posix() for f in have if "/" in f}
        subs = dict(_LEGACY_NESTED.get(kind, {}))
    return have, dirs, {**_ADDED_LATER.get(kind, {}), **subs}


def _our_temporary(entry: os.DirEntry, rel: str, nested: dict[str, str]) -> bool:
    """A lock, probe or marked temporary folder that a write of one of the nested planner folders left."""
    parent, _, name = rel.rpartition("/")
    for n in nested:
        up, _, base = n.rpartition("/")
        if up != parent:
            continue
        if entry.is_file() and name == f".{base}.lock":
            try:
                return Path(entry.path).read_text().strip().isdigit() or entry.stat().st_size == 0
            except (OSError, UnicodeDecodeError):
                return False
        if entry.is_file() and name.startswith(f".{base}.probe-"):
            return True
        if name.startswith((f".{base}.tmp-", f".{base}.old-")) and _ours(Path(entry.path)):
            return True
    return False


def unexpected(folder: Path, meta: dict | None = None) -> list[str]:
    """What ``folder``, a folder planner wrote, holds that planner did not write there: relative paths, folders
    with a trailing ``/`` (their contents not listed). OS folder metadata is left out; office lock files are in.
    See the module docstring for the rule."""
    return _survey(Path(folder), meta)[0]


def open_files(folder: Path, meta: dict | None = None) -> list[tuple[str, str]]:
    """(file, lock file) for each file planner wrote under ``folder`` that an office program has open, by the
    lock file it keeps beside it; relative paths."""
    return _survey(Path(folder), meta)[1]


def _survey(folder: Path, meta: dict | None) -> tuple[list[str], list[tuple[str, str]]]:
    """(``unexpected``, ``open_files``) of ``folder`` in one walk."""
    meta = meta if meta is not None else read_meta(folder)
    if meta is None:
        return ["."], []
    kind = kind_of(meta, folder)
    files, folders, nested = _expected(meta, kind)
    out: list[str] = []
    locks: list[tuple[str, str]] = []

    def walk(d: Path, rel: str) -> None:
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError:
            out.append(rel or ".")  # cannot be listed: cannot be shown to hold only planner's files
            return
        for e in entries:
            r = rel + e.name
            if e.is_symlink():
                out.append(r)
            elif e.is_dir():
                if r in nested:
                    sub = read_meta(Path(e.path))
                    if sub is not None and kind_of(sub, Path(e.path)) == nested[r]:
                        more, opened = _survey(Path(e.path), sub)
                        out.extend(f"{r}/{x}" for x in more)
                        locks.extend((f"{r}/{f}", f"{r}/{lock}") for f, lock in opened)
                    else:
                        out.append(r + "/")
                elif r in folders:
                    walk(Path(e.path), r + "/")
                elif not _our_temporary(e, r, nested):
                    out.append(r + "/")
            elif e.is_file():
                if r in files or r == _TMP_MARK or _our_temporary(e, r, nested) or os_metadata(Path(e.path)):
                    continue
                out.append(r)  # a lock file too: not planner's, and the refusal must not let it be deleted
                opened = _opened(e.name, rel, files)
                if opened is not None:
                    locks.append((opened, r))
            else:
                out.append(r)

    walk(folder, "")
    return out, locks


def _listing(paths: list[str]) -> str:
    more = len(paths) - _SHOWN
    return ", ".join(paths[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _open_listing(locks: list[tuple[str, str]]) -> str:
    """"f (lock file l) is open in a spreadsheet program: close it", for one or several."""
    shown = [f"{f} (lock file {lock})" for f, lock in locks[:_SHOWN]]
    more = len(locks) - _SHOWN
    if len(locks) == 1:
        f, lock = locks[0]
        return f"{f} is open in a spreadsheet program (lock file {lock}): close it"
    listed = ", ".join(shown) + f" and {more} more" if more > 0 else ", ".join(shown[:-1]) + f" and {shown[-1]}"
    return f"{listed} are open in a spreadsheet program: close them"


def _why_not_replaceable(target: Path, kind: str = "results", elsewhere: str | None = None) -> str | None:
    if not (target.exists() or target.is_symlink()):
        return None
    if target.is_symlink():
        return "is a symbolic link; planner replaces only results folders it wrote itself"
    if not target.is_dir():
        return "is a file, not a results folder; planner replaces only results folders it wrote itself"
    meta = read_meta(target)
    if meta is None:
        return (f"exists and is not a results folder written by planner (no {META} with \"written_by\": \"planner\"); "
                f"it is left untouched: {elsewhere or 'choose another name or location'}, or remove it yourself")
    have = kind_of(meta, target)
    if have != kind:
        return (f"holds {_describe(have)} (kind {have!r} in its {META}), and planner replaces a folder only with a "
                f"write of the same kind, not with {_describe(kind)}; it is left untouched: "
                f"{elsewhere or _elsewhere(kind)}, "
                "or move it away yourself")
    extra, locks = _survey(target, meta)
    locks.sort()
    if locks:
        lock_files = {lock for _, lock in locks}
        rest = [p for p in extra if p not in lock_files]
        also = f"; it also holds what planner did not write there, to move out of it: {_listing(rest)}" if rest else ""
        one = len(locks) == 1
        return (f"{_open_listing(locks)} and run again (if no program has {'it' if one else 'them'} open, "
                f"{'the lock file was' if one else 'those lock files were'} left by one that crashed: delete "
                f"{'it' if one else 'them'}){also}; the folder is left untouched")
    if extra:
        how = "" if kind == "report" else f", or {elsewhere or _elsewhere(kind)}"
        return (f"holds what planner did not write there: {_listing(extra)}; the folder is left untouched: move "
                f"{'that' if len(extra) == 1 else 'those'} out of it{how}, then run again")
    return None


def check_target(target: Path, created: list[Path] | None = None, kind: str = "results",
                 elsewhere: str | None = None) -> Path:
    """Refuse (``ResultsError``) a target that is not ours to replace or whose parent cannot be written.

    ``elsewhere`` is the advice a refusal gives for writing elsewhere, when the usual one for ``kind`` does not
    fit (a sweep's variant cannot be given another name).

    Creates the parent folder if needed (listing the folders it made in
    ``created``) and proves it writable with a temporary file, so a bad
    location fails before a long solve, not after it.
    """
    target = Path(os.path.abspath(target))
    where = str(target)
    if target.name in ("", ".", ".."):
        raise ResultsError([Problem(where, "is not a folder that results can be written to")])
    why = _why_not_replaceable(target, kind, elsewhere)
    if why:
        raise ResultsError([Problem(where, why)])
    parent = target.parent
    for up in [parent, *parent.parents]:
        if up.exists() or up.is_symlink():
            if not up.is_dir():
                raise ResultsError([Problem(str(up), "is a file, not a folder; results need a folder here")])
            break
    missing = [p for p in [parent, *parent.parents] if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        if created is not None:
            created += missing
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.probe-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ResultsError([Problem(str(parent), f"cannot be written ({exc.strerror or exc}); "
                                    "choose a results location you can write to")]) from None
    return target


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` (flock on ``.<name>.lock``; released by the OS if we die).

    Taking and dropping the lock are not cut in two by Ctrl-C, SIGTERM or SIGHUP (``signals.deferred``), so an
    interrupted run never leaves its lock file behind."""
    path = _lock_path(target)
    fd = None
    try:
        with deferred():
            fd = _take_lock(path, target)
        yield
    finally:
        with deferred():
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.unlink(path)  # while still holding the lock, so no one else holds this file
                os.close(fd)


def _take_lock(path: Path, target: Path) -> int:
    """The descriptor of ``path``, flocked, with our pid written in it; ``ResultsError`` if another process holds
    it or it cannot be made (a folder in its place, a location that cannot be written)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            what = ("is a folder where planner keeps the lock of these results; remove it (planner never makes "
                    "one there)" if path.is_dir() else f"cannot be made ({errno_text(exc)})")
            raise ResultsError([Problem(str(path), what)]) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            try:
                holder = path.read_text().strip() or "?"
            except OSError:
                holder = "?"
            raise ResultsError([Problem(str(target), f"another planner process (pid {holder}) is writing these results "
                                        "now; wait for it to finish or give this run another name")]) from None
        # the file may have been removed (and re-created) by the holder we waited on: lock the file that is there
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)
        raise
    return fd


def errno_text(exc: OSError) -> str:
    """``ENOSPC, No space left on device`` for an OSError: the errno's name and what it means."""
    name = errno.errorcode.get(exc.errno, str(exc.errno)) if exc.errno is not None else type(exc).__name__
    return f"{name}, {exc.strerror or exc}"


class WriteError(ResultsError, OSError):
    """A results folder could not be written (a full disk, a read-only file system): nothing of the write was kept
    and the earlier results are as they were. Exit 2, one line. Also an ``OSError``, which it is."""

    def report(self) -> str:
        return f"error: {self.problems[0]}"


def _ours(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / _TMP_MARK).is_file()


def clean_stale(target: Path) -> list[Path]:
    """Remove temporary folders a killed write of ``target`` left (call with the lock held).

    Only folders named ``.<name>.tmp-*`` / ``.<name>.old-*`` that carry our
    marker file are touched. If the kill came after the earlier result was moved
    aside and before the new one was moved in, the earlier result is put back.
    """
    parent = target.parent
    removed = []
    for old in sorted(parent.glob(f".{glob_escape(target.name)}.old-*")):
        if _ours(old) and not target.exists() and read_meta(old / target.name) is not None:
            os.replace(old / target.name, target)
    for pattern in (".{}.tmp-*", ".{}.old-*"):
        for p in sorted(parent.glob(pattern.format(glob_escape(target.name)))):
            if _ours(p):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _mkdtemp(target: Path, kind: str) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-", dir=target.parent))
    try:
        (tmp / _TMP_MARK).write_text(f"temporary folder of a planner write to {target.name}; pid {os.getpid()}\n")
    except BaseException:  # a full disk: the folder is not yet marked as ours, so nothing else would remove it
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def checksums(folder: Path) -> dict[str, str]:
    """sha256 of every CSV under ``folder``, by relative path; subfolders with their own run.json are skipped."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*.csv")):
        rel = p.relative_to(folder)
        if any((folder / Path(*rel.parts[:i]) / META).is_file() for i in range(1, len(rel.parts))):
            continue
        out[rel.as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def seal(folder: Path, kind: str, meta: dict | None = None) -> dict:
    """Add the planner marker, ``kind``, the tables' checksums and the manifest to ``folder``/run.json (created if
    absent); with ``meta``, to ``meta`` instead of what run.json holds (a writer that keeps its run.json in memory
    until the seal writes it once).

    Subfolders with a run.json of their own (a study's runs, e.g. partner-value's
    with/ and without/) are sealed too, as runs, so each can be reported alone.
    """
    for sub in sorted(Path(folder).glob("*/" + META)):
        if read_meta(sub.parent) is None:
            seal(sub.parent, "run")
    path = Path(folder) / META
    if meta is not None:
        meta = dict(meta)
    else:
        meta = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    meta.update({"written_by": WRITTEN_BY, "format_version": FORMAT_VERSION, "kind": kind,
                 "tables_sha256": checksums(folder), "manifest": manifest(folder)})
    path.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return meta


class Claim:
    """A results target locked for one write; made by ``claim``."""

    def __init__(self, target: Path, kind: str = "results"):
        self.target = target
        self.kind = kind

    def write(self, fill: Callable[[Path], dict | None]) -> Path:
        """Call ``fill(tmpdir)`` to write every file, seal it, then move it to the target in one rename. A ``fill``
        that returns its run.json's contents (a dict) leaves run.json to the seal, which writes it once.

        A file that cannot be written (``OSError``: a full disk, a read-only file system) raises ``WriteError``
        naming it and its errno; the temporary folder goes and the earlier results stay as they were. The renames
        that swap the new folder in, and the cleanup after a failure, are not cut in two by a signal."""
        target, kind = self.target, self.kind
        why = _why_not_replaceable(target, kind)  # again: something may have appeared there during a long solve
        if why:
            raise ResultsError([Problem(str(target), why)])
        tmp = old = None
        moved = False
        try:
            tmp = _mkdtemp(target, "tmp")
            meta = fill(tmp)
            seal(tmp, kind, meta if isinstance(meta, dict) else None)
            with deferred():
                if target.exists():
                    old = _mkdtemp(target, "old")
                    os.replace(target, old / target.name)
                os.replace(tmp, target)
                moved = True
                WRITTEN.append(target)
                (target / _TMP_MARK).unlink()
        except BaseException as exc:
            with deferred():
                if not moved:
                    if old is not None and not target.exists() and (old / target.name).exists():
                        os.replace(old / target.name, target)  # put the earlier result back
                    if tmp is not None:
                        shutil.rmtree(tmp, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        (target / _TMP_MARK).unlink()
                if old is not None:
                    shutil.rmtree(old, ignore_errors=True)
            if isinstance(exc, OSError) and not moved:
                raise _write_error(exc, target, tmp) from None
            raise
        if old is not None:
            with deferred():
                shutil.rmtree(old, ignore_errors=True)
        return target


def _write_error(exc: OSError, target: Path, tmp: Path | None) -> WriteError:
    """``exc`` as a ``WriteError`` naming the file (as it would have been named in ``target``) and the errno."""
    where = Path(exc.filename) if isinstance(exc.filename, (str, os.PathLike)) else target
    if tmp is not None:
        with contextlib.suppress(ValueError):
            where = target / Path(os.path.abspath(where)).relative_to(os.path.abspath(tmp))
    return WriteError([Problem(str(where), f"cannot be written ({errno_text(exc)}); nothing of this write was kept "
                               f"and the earlier contents of {target} are as they were: free space or make the "
                               "location writable, then run again")])


# every folder this process has written and moved into place, in order: an interrupt's message says what is on disk
WRITTEN: list[Path] = []


@contextlib.contextmanager
def claim(target: Path, kind: str = "results") -> Iterator[Claim]:
    """Check and lock ``target`` for a write of ``kind`` now (before a solve), clean what a killed write left;
    write later."""
    created: list[Path] = []
    target = check_target(target, created, kind)
    try:
        with _locked(target):
            clean_stale(target)
            yield Claim(target, kind)
    finally:
        for d in created:  # deepest first: folders made for a write that did not happen go again
            try:
                d.rmdir()
            except OSError:
                break


def write_results(target: Path, fill: Callable[[Path], None], kind: str = "results") -> Path:
    """Check, lock and write ``target`` (a folder of ``kind``) in one go: ``fill(tmpdir)`` writes every file."""
    with claim(target, kind) as slot:
        return slot.write(fill)


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s.dtype)


def _formula_like(s: pd.Series) -> pd.Series:
    """Text a spreadsheet would run as a formula, behind any number of ' (so the prefix round-trips)."""
    bare = s.map(lambda v: v if isinstance(v, str) else "").str.lstrip("'")
    return bare.str.startswith(_FORMULA) & ~bare.str.match(_NUMBER)


def _neutral(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would read as a formula get a leading ' (numbers, even negative, are kept)."""
    text = [c for c in df.columns if _is_text(df[c])]
    if not text:
        return df
    df = df.copy()
    for c in text:
        bad = _formula_like(df[c])
        if bad.any():
            df.loc[bad, c] = "'" + df.loc[bad, c]
    return df


def _repr(x: float) -> str:
    return repr(float(x))  # the shortest text that reads back as the same float


def write_csv(df: pd.DataFrame, path: Path, float_format: str | None = None) -> None:
    """One result table: floats at round-trip precision (unless ``float_format``), formula-like text neutralised."""
    _neutral(df).to_csv(path, index=False, float_format=float_format or _repr)


def read_csv(path: Path) -> pd.DataFrame:
    """A table written by ``write_csv``; ids such as "NA" or "None" stay text, only empty cells are missing."""
    df = pd.read_csv(path, keep_default_na=False, na_values=[""], float_precision="round_trip")
    for c in df.columns:
        if _is_text(df[c]):
            text = df[c].map(lambda v: v if isinstance(v, str) else "")
            quoted = text.str.startswith("'") & _formula_like(text)
            if quoted.any():
                df.loc[quoted, c] = text[quoted].str[1:]
    return df


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], meta: dict | None = None) -> None:
    """Each table as ``<name>.csv`` in ``folder``, and ``meta`` as its run.json unless it is None."""
    for name, df in tables.items():
        write_csv(df, folder / f"{name}.csv")
    if meta is not None:
        (folder / META).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")


def write_input_snapshot(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Copy the input tables a run solved with (after scenario and time aggregation) into ``folder``.

    Reports need them (zone coordinates, capacity credits, costs per technology)
    and must not read the case folder, which may have changed since. Hourly
    profiles (keyed by timestep and something else) are left out to keep results
    small; the timesteps table itself is kept.
    """
    from planner.schema import TABLE

    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        key = TABLE[name].key if name in TABLE else []
        if "timestep" in key and len(key) > 1:
            continue
        write_csv(df, folder / f"{name}.csv")


def read_input_snapshot(folder: Path) -> dict[str, pd.DataFrame]:
    """The input tables stored beside a run's results ({} for results written before snapshots existed)."""
    snap = Path(folder) / "inputs"
    return {p.stem: _read_table(p, Path(folder)) for p in sorted(snap.glob("*.csv"))}


def _read_table(path: Path, folder: Path) -> pd.DataFrame:
    try:
        return read_csv(path)
    except pd.errors.EmptyDataError:
        raise StoredResultsError([
            Problem(str(path), "is empty; the results are damaged: run `planner run` again")]) from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise StoredResultsError([Problem(str(path), f"cannot be read ({exc}); the results are damaged: "
                                  "run `planner run` again")]) from None


def verify(folder: Path) -> dict:
    """run.json of a folder planner wrote, after checking every table against its recorded sha256.

    ``InputError`` (exit 2) names the folder when it is not planner's, run.json
    when it cannot be read, and each table that is missing or was changed.
    """
    folder = Path(folder)
    meta_path = folder / META
    if not meta_path.is_file():
        raise StoredResultsError([Problem(str(folder), f"is not a results folder (no {META})")])
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise StoredResultsError([Problem(str(meta_path), f"cannot be read as JSON ({exc}); the results are damaged: "
                                  "run `planner run` again")]) from None
    if not isinstance(meta, dict) or meta.get("written_by") != WRITTEN_BY:
        raise StoredResultsError([
            Problem(str(meta_path), "was not written by planner (no \"written_by\": \"planner\"); "
                    "re-run `planner run` to write results this version can read")])
    if meta.get("format_version") != FORMAT_VERSION:
        raise StoredResultsError([
            Problem(str(meta_path), f"has format_version {meta.get('format_version')!r}; this planner "
                    f"reads format {FORMAT_VERSION}: re-run `planner run`")])
    sums = meta.get("tables_sha256")
    if not isinstance(sums, dict):
        raise StoredResultsError([Problem(str(meta_path), "has no tables_sha256; the results cannot be checked: "
                                  "re-run `planner run`")])
    problems = []
    for rel, want in sums.items():
        p = folder / rel
        try:
            got = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError as exc:
            problems.append(Problem(str(p), f"is listed in {META} but cannot be read ({exc.strerror or exc}); "
                                    "the results are damaged: run `planner run` again"))
            continue
        if got != want:
            problems.append(Problem(str(p), f"does not match the sha256 recorded in {META} (changed or damaged "
                                    "since it was written); run `planner run` again rather than report from it"))
    if problems:
        raise StoredResultsError(problems)
    return meta


def read_results(folder: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    """Stored tables and run.json of a results folder, checksums verified, for reports and comparisons."""
    folder = Path(folder)
    meta = verify(folder)
    tables = {p.stem: _read_table(p, folder) for p in sorted(folder.glob("*.csv"))}
    return tables, meta
