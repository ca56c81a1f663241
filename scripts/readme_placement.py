#!/usr/bin/env python3
"""Regenerate README.md's "Questions this answers" section from a real run of the placement study.

    .venv/bin/python scripts/readme_placement.py [--results DIR] [--print]

Runs ``planner placement models/placement_kz2030.toml --partner TR --programme 0,500,1000,1500,2000 --top 3``,
then writes the section from its summary and tables, with the wall time, the machine and the 1-minute load
average before and after the run. ``--print`` prints the section instead of writing README.md. The figures in the
section come only from the run; the prose around them names no number of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
MODEL, PARTNER, SIZES, TOP = "models/placement_kz2030.toml", "TR", "0,500,1000,1500,2000", "3"
COMMAND = f"planner placement {MODEL} --partner {PARTNER} --programme {SIZES} --top {TOP}"
HEADING = "## Questions this answers\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal"))
        return f"{os.cpu_count()} cores ({cpu}), {mem / 2**20:.0f} GB"
    except (OSError, StopIteration, ValueError):
        return f"{os.cpu_count()} cores ({cpu})"


def load() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def blocks(summary: str) -> dict[str, str]:
    """The summary's paragraphs by their first words."""
    out = {}
    for part in summary.split("\n\n"):
        key = next(k for k in ("placement of", "where", "what it would take", "programme curve", "robustness")
                   if part.startswith(k))
        out[key] = "\n".join("    " + ln for ln in part.splitlines())
    return out


def section(summary: str, folder: Path, seconds: float, loads: tuple[float, float], warned: int) -> str:
    b = blocks(summary)
    said = (f"It prints the case's {warned} warnings once, then progress lines from the start (on stderr),"
            if warned else "It prints progress lines from the start (on stderr; the case has no warnings),")
    head = json.loads((folder / "run.json").read_text())
    t = head["timings_s"]
    pr = pd.read_csv(folder / "programme.csv")
    top = pr[pr["size"] == pr["size"].max()].iloc[0]
    inh, full = top["premium_in_horizon_pv_usd"], top["premium_full_life_pv_usd"]
    ratio = full / inh if inh else float("nan")
    be = pd.read_csv(folder / "break_even.csv")
    first = be[be["tie_group"] == 1]
    k = PARTNER
    return f"""{HEADING}
Where should Türkiye (partner `{k}`) build, what would a 2 GW programme cost, inside the horizon and over
the plants' lives, which capex or cost of capital would bring it to each site, and how firm is the answer?
One command, on the Kazakhstan case in 2030 at three representative days (`models/placement_kz2030.toml`):

    {COMMAND}

It took {seconds:.0f} s of wall time (load and build {t['load_build']:.0f} s, compile {t['compile']:.0f} s,
first solve {t['cold_solve']:.0f} s, {len(t['warm_solves'])} warm re-solves {sum(t['warm_solves']):.0f} s) on
{machine()}, at a 1-minute load average of {loads[0]:.1f} before and {loads[1]:.1f} after; shared machines
vary by a factor of two or more. `scripts/readme_placement.py` reruns it and rewrites this section.
{said} then:

{b['placement of']}

Where {k} builds in the least-cost plan (`where.csv`):

{b['where']}

Which capex or WACC {k} needs at each site it does not take (`break_even.csv`, all {len(be)} options; from the
reduced costs of the build variables, exact while the optimal basis holds; `--confirm` checks each by warm
re-solves). Options that need the same capex cut and the same WACC are equally close to entering and are shown
as one group, not as a ranking (`tie_group`); the closest group here holds {len(first)} options:

{b['what it would take']}

What a programme costs (`programme*.csv`; each size is {k}'s commitment of `partner_commitments.csv`, solved warm
in the same HiGHS instance; `--scheduler local|ADDRESS` runs the points on Dask). The objective pays an
investment's annuities only inside the horizon (docs/model.md, "End effects"), so the premium is shown twice: in
the horizon, as the objective counts it, and over the plants' full lives, with the premium continued for the
years they serve after the horizon. At {top['size']:,.0f} {top['unit']} that is {inh / 1e6:,.1f} against
{full / 1e6:,.1f} M USD of present value, {ratio:.2f} times as much: compare a financing offer with the
full-life figure. It continues the last period's premium per year, running costs included, for as long as the
programme's plants serve after the horizon, as if that period's system ran on unchanged. The marginal is the
commitment's dual, in the horizon. What the programme displaces is the other partners' new MW, net of MW
that merely move between them (`programme_displaced.csv`: `exchange_between_others_mw`, and `by_partner` only
where no such exchange muddles the split); where {k}'s MW could go to other zones at the same cost, the
summary says so (`programme_sites.csv`: `equally_cheap_with`):

{b['programme curve']}

How firm the siting is (`alternatives.csv`; modelling to generate alternatives: every plan within 1 % of the
least cost, {k}'s MW minimised and maximised in total and per zone, and again within 0.01 % to flag ties). Each
bound names the limit that binds it, from the duals of that solve: the cost slack, {k}'s investment envelope, a
potential, a zone cap or a share; a range bound by the envelope is not a statement about cost:

{b['robustness']}

These figures are from the case as it stands in this version (see `inputs/kazakhstan/README.md`).

Commitments can also be inputs: `partner_commitments.csv` (a partner's
minimum programme by a period in MW, USD of capex or MWh/yr, optionally of
one technology or zone) applies when the run specification sets
`scenario.partner_commitments = true`, and `planner sweep` varies any cell,
e.g. `--vary partners.csv:partner=TR:wacc=0.08,0.10,0.12`.

"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", help="results root for the run (default: a temporary folder)")
    ap.add_argument("--print", action="store_true", help="print the section instead of writing README.md")
    args = ap.parse_args()
    root = Path(args.results) if args.results else Path(tempfile.mkdtemp(prefix="readme-placement-"))
    planner = Path(sys.executable).with_name("planner")
    cmd = [str(planner), *COMMAND.split()[1:], "--results", str(root)]
    before, t0 = load(), time.perf_counter()
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds, after = time.perf_counter() - t0, load()
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        print(f"readme_placement: {' '.join(cmd)} exited {run.returncode}; README.md left as it was", file=sys.stderr)
        return run.returncode
    summary = run.stdout.split("\nresults written to")[0].strip("\n")
    warned = sum(line.startswith("warning:") for line in run.stderr.splitlines())
    text = section(summary, root / f"{Path(MODEL).stem}-placement-{PARTNER}", seconds, (before, after), warned)
    if args.print:
        print(text)
        return 0
    readme = ROOT / "README.md"
    old = readme.read_text()
    start = old.index(HEADING)
    end = old.index("\n## ", start + len(HEADING)) + 1
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(old[:start] + text + old[end:])
    tmp.replace(readme)
    print(f"README.md: section regenerated ({seconds:.0f} s, load {before:.1f} -> {after:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
