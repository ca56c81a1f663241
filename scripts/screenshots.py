#!/usr/bin/env python3
"""Screenshots of the reports for docs/reports.md, made with headless chromium (Debian's ``chromium``).

    .venv/bin/python scripts/screenshots.py                  # the default model and the README's placement study
    .venv/bin/python scripts/screenshots.py --quick          # the example case for both (seconds)
    .venv/bin/python scripts/screenshots.py --results DIR    # runs into DIR (default: a temporary folder)

It runs the model (``planner run``) and the placement study (``planner placement``),
then opens each report with no network and photographs parts of it: the top of
the report (the picked-out partner, the answer), the deficit chart, the map,
and the placement study's own section. Each part is photographed alone: the
page copy keeps only the elements named, so the picture starts with them.
Writes docs/img/*.png; docs/reports.md shows them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"

# keeps only the elements matching SELECTORS (and what they need), then lets the charts resize to the page
KEEP = """<script>
window.addEventListener('DOMContentLoaded', function () {
  var keep = document.querySelectorAll(%s);
  var wanted = new Set();
  keep.forEach(function (el) { for (var e = el; e && e !== document.body; e = e.parentElement) wanted.add(e); });
  Array.prototype.slice.call(document.body.querySelectorAll('*')).forEach(function (el) {
    if (wanted.has(el)) return;
    for (var e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (Array.prototype.indexOf.call(keep, e) >= 0) return;
    }
    var inside = false;
    keep.forEach(function (k) { if (el.contains(k)) inside = true; });
    if (!inside) el.style.display = 'none';
  });
});
</script>"""

SHOTS = [  # (report, name, CSS selectors, window height)
    ("run", "report-top", "h1, .highlight, .answer", 900),
    ("run", "report-deficit", "#chart-deficit", 820),
    ("run", "report-map", "#chart-map", 820),
    ("run", "report-partner-capacity", "#chart-partner_capacity", 560),
    ("placement", "placement-section", "section.placement", 2600),
]


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("chromium is not installed: apt-get update && apt-get install -y chromium")
    return exe


def shoot(html: Path, selectors: str, out: Path, height: int, work: Path) -> None:
    text = html.read_text(encoding="utf-8")
    head = text.index("<head>") + len("<head>")
    page = work / f"{out.stem}.html"
    sel = "'" + selectors.replace("'", "\\'") + "'"
    page.write_text(text[:head] + KEEP % sel + text[head:], encoding="utf-8")
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           f"--user-data-dir={work / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--virtual-time-budget=15000", f"--window-size=1400,{height}", f"--screenshot={out}", page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if res.returncode != 0 or not out.is_file():
        sys.exit(f"chromium failed on {html}:\n{res.stderr[-2000:]}")
    print(f"wrote {out.relative_to(ROOT)}")


def planner(*args: str) -> None:
    cmd = [sys.executable, "-m", "planner", *args]
    print("$ planner " + " ".join(args), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def study_section(folder: Path) -> None:
    """The placement study's report.html made anew from its stored tables (zones from the case it names)."""
    import json

    import pandas as pd

    from planner.report.placement import write_section

    head = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    tables = {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}
    zones = Path(head["inputs"]) / "zones.csv"
    write_section(folder, tables, head, pd.read_csv(zones) if zones.is_file() else None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="the example case for the report and the placement study")
    p.add_argument("--results", help="folder for the runs (default: a temporary folder, removed afterwards)")
    a = p.parse_args(argv)
    model = "models/example.toml" if a.quick else "models/kazakhstan.toml"
    study = ["models/example.toml", "--programme", "0,200,400"] if a.quick else \
        ["models/placement_kz2030.toml", "--programme", "0,1000,2000", "--top", "3"]
    with tempfile.TemporaryDirectory(prefix="planner-shots-") as tmp:
        root = Path(a.results) if a.results else Path(tmp) / "results"
        name = "example" if a.quick else "kazakhstan"
        sname = "example" if a.quick else "placement_kz2030"
        if (root / name / "run.json").is_file():  # results kept from an earlier call: the report made anew
            planner("report", str(root / name))
        else:
            planner("run", model, "--results", str(root), "--quiet")
        if (root / f"{sname}-placement-TR" / "run.json").is_file():
            study_section(root / f"{sname}-placement-TR")
        else:
            planner("placement", *study[:1], "--partner", "TR", *study[1:], "--results", str(root))
        IMG.mkdir(parents=True, exist_ok=True)
        pages = {"run": root / name / "report" / "report.html",
                 "placement": root / f"{sname}-placement-TR" / "report.html"}
        for which, out, selectors, height in SHOTS:
            shoot(pages[which], selectors, IMG / f"{out}.png", height, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
