"""Command line: ``planner run|validate|docs|report|compare|partner-value|time-error|calibrate|sweep``.

Exit codes: 0 success, 2 invalid input (file, line, column named), 3 a solve
that did not reach a proven optimum. No traceback for either.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.errors import InputError, SolveError

DEFAULT_MODEL = Path("models/kazakhstan.toml")


def _summary(out) -> str:
    from planner.summary import summarise
    return summarise(out.tables, out.meta)


def cmd_run(args) -> int:
    from planner.progress import Progress
    from planner.run import run_spec
    from planner.spec import load_spec

    spec = load_spec(args.model or DEFAULT_MODEL)
    out = run_spec(spec, Path(args.results), progress=Progress(enabled=not args.quiet))
    print(_summary(out))
    print(f"\nresults written to {out.folder}")
    if not args.no_report:
        from planner.report import build_report

        print(f"report written to {build_report(out.folder)} (report.html, report.xlsx, one CSV per table)")
    return 0


def cmd_validate(args) -> int:
    from planner.load import load_case

    case = load_case(args.case)
    n = {k: len(v) for k, v in case.tables.items() if len(v)}
    print(f"{args.case}: valid ({', '.join(f'{k} {v}' for k, v in n.items())} rows)")
    return 0


def cmd_time_error(args) -> int:
    from planner.spec import load_spec
    from planner.time_error import measure

    df = measure(load_spec(args.model), args.days, Path(args.results), args.reference_days)
    with_pct = df.assign(objective_error_pct=df["objective_error_pct"].map("{:+.3f}".format))
    print(with_pct.to_string(index=False))
    return 0


def cmd_calibrate(args) -> int:
    from planner.calibrate import calibrate, render
    from planner.spec import load_spec

    table, balance = calibrate(load_spec(args.model), Path(args.results))
    print(render(table, balance))
    missed = int((~table["within"]).sum())
    if missed:
        print(f"\n{missed} calibration check(s) outside tolerance", file=sys.stderr)
        return 1
    return 0


def cmd_sweep(args) -> int:
    from planner.spec import load_spec
    from planner.sweep import parse_vary, run_sweep

    table = run_sweep(load_spec(args.model), parse_vary(args.vary), Path(args.results), args.scheduler)
    print(table.to_string(index=False))
    return 0


def cmd_docs(args) -> int:
    from planner.docs import write_inputs_doc

    path = write_inputs_doc(Path(args.out))
    print(f"wrote {path}")
    return 0


def cmd_report(args) -> int:
    from planner.report import build_report

    folder = build_report(Path(args.results_dir))
    print(f"report written to {folder} (report.html, report.xlsx, one CSV per table)")
    return 0


def cmd_compare(args) -> int:
    from planner.report.compare import run_compare

    return run_compare([Path(r) for r in args.runs], Path(args.out) if args.out else None)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planner", description="Least-cost capacity-expansion planning (Pyomo + HiGHS).")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="solve a model and write results/<name>/")
    r.add_argument("model", nargs="?", help=f"run specification (TOML); default {DEFAULT_MODEL}")
    r.add_argument("--results", default="results", help="folder that receives results/<name>/ (default: results)")
    r.add_argument("--no-report", action="store_true", help="skip the report (regenerate later with `planner report`)")
    r.add_argument("--quiet", action="store_true", help="no progress line while the run works")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("validate", help="check a case folder and report every problem")
    v.add_argument("case")
    v.set_defaults(func=cmd_validate)
    te = sub.add_parser("time-error", help="measure the error of representative days against full resolution")
    te.add_argument("model")
    te.add_argument("--days", type=int, nargs="+", default=[4, 8, 16], help="numbers of representative days to try")
    te.add_argument("--reference-days", type=int, help="reference: this many representative days instead of the full year")
    te.add_argument("--results", default="results")
    te.set_defaults(func=cmd_time_error)
    cb = sub.add_parser("calibrate", help="solve a calibration model and check it against published figures")
    cb.add_argument("model")
    cb.add_argument("--results", default="results")
    cb.set_defaults(func=cmd_calibrate)
    sw = sub.add_parser("sweep", help="solve every combination of --vary values, here or on a Dask cluster")
    sw.add_argument("model")
    sw.add_argument("--vary", action="append", required=True, metavar="SECTION.KEY=V1,V2",
                    help="e.g. settings.discount_rate=0.06,0.1 or scenario.demand_multiplier=0.9,1.1 (repeatable)")
    sw.add_argument("--scheduler", help="dask.distributed scheduler address, or 'local' for a LocalCluster here")
    sw.add_argument("--results", default="results")
    sw.set_defaults(func=cmd_sweep)
    dc = sub.add_parser("docs", help="write the input reference generated from the schema")
    dc.add_argument("--out", default="docs/inputs.md")
    dc.set_defaults(func=cmd_docs)
    from planner.partner_value import add_subcommand as add_partner_value
    add_partner_value(sub)
    rp = sub.add_parser("report", help="regenerate RESULTS_DIR/report/ (HTML, Excel, CSV) from stored results, no solve")
    rp.add_argument("results_dir", help="a run's results folder, e.g. results/example")
    rp.set_defaults(func=cmd_report)
    cp = sub.add_parser("compare", help="compare the headline figures, capacity and generation of two or more runs")
    cp.add_argument("runs", nargs="+", metavar="RUN", help="results folders; the first is the reference")
    cp.add_argument("--out", help="output folder (default: results/compare-<names>/)")
    cp.set_defaults(func=cmd_compare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        return exc.exit_code
    except SolveError as exc:
        print(f"error: {exc.report()}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
