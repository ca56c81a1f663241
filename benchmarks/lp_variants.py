"""Interior-point iterations of one LP and of variants of it, solved by plain highspy.

    python benchmarks/lp_variants.py write models/kazakhstan.toml /tmp/k2p.mps --periods 2025,2030
    python benchmarks/lp_variants.py write models/kazakhstan_2030.toml /tmp/k2030d12.mps --days 12
    python benchmarks/lp_variants.py solve /tmp/k2030.mps none drop:reserve_margin implied implied2 \\
        rowscale:reserve_margin=0.001 firm decouple_vintages cumulative opt:user_bound_scale=-5 target=1
    python benchmarks/lp_variants.py join /tmp/kblock.mps /tmp/k2025.mps /tmp/k2030.mps

``write`` builds the model as planner does and writes its LP as MPS with the Pyomo names of rows
(``name#index``) and columns. ``solve`` reads it, applies each variant (parts joined by ``+``) and
solves with HiPO (``--method``), crossover off (``--crossover on`` to count it), the objective scaled
as planner scales it; one JSON line per variant with the IPM iterations, the objective and the load
average. ``join`` puts LPs side by side without any coupling (a block-diagonal LP).

Variants (docs/performance.md, "Interior-point iterations", has what they showed):
    none                        the LP as written
    drop:FAMILY                 delete the rows of a constraint family (changes the optimum)
    fix0:FAMILY / noub:FAMILY   columns of a variable family fixed at 0 / without upper bound
    implied, impliedF           every column bound implied by the rows (activity-based propagation),
                                made explicit, times F (valid for F >= 1; the optimum is unchanged)
    rowscale:FAMILY=F           the family's rows multiplied by F
    firm                        the reserve rows as equalities with a firm-capacity column bounded below
    decouple_vintages           a build counts only in the capacity of its own period (changes the optimum)
    cumulative                  exact change of variables new[b,q] = B[b,q] - B[b,q-1], B non-decreasing
    target=T                    objective scaled so its largest cost is about T (planner: 1e4)
    opt:NAME=VALUE              any HiGHS option
"""

from __future__ import annotations

import argparse
import json
import os
import time

import highspy
import numpy as np
import scipy.sparse as sp

INF = highspy.kHighsInf


def matrix(lp) -> sp.csc_matrix:
    a = lp.a_matrix_
    data = (np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_))
    return sp.csc_matrix(data, shape=(lp.num_row_, lp.num_col_))


def set_matrix(lp, A: sp.csc_matrix) -> None:
    A = A.tocsc()
    A.eliminate_zeros()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = A.shape[1], A.shape[0]


def family(names) -> np.ndarray:
    return np.array([n.split("[")[0].split("#")[0] for n in names])


def implied_bounds(lp, rounds: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds implied by the rows: for a <= row, x_j <= (U - min activity of the other terms) / a_j."""
    A = matrix(lp).tocsr()
    rows = np.repeat(np.arange(A.shape[0]), np.diff(A.indptr))
    cols, a = A.indices, A.data
    lb, ub = np.asarray(lp.col_lower_).copy(), np.asarray(lp.col_upper_).copy()
    for _ in range(rounds):
        for sense, R in ((1.0, np.asarray(lp.row_upper_)), (-1.0, -np.asarray(lp.row_lower_))):
            aa = a * sense
            contrib = aa * np.where(aa > 0, lb[cols], ub[cols])
            inf = ~np.isfinite(contrib)
            contrib[inf] = 0.0
            minact = np.bincount(rows, contrib, A.shape[0])
            ninf = np.bincount(rows, inf, A.shape[0])
            rest = np.where(inf, np.where(ninf[rows] == 1, minact[rows], np.nan),
                            np.where(ninf[rows] == 0, minact[rows] - contrib, np.nan))
            ok = np.isfinite(R)[rows] & np.isfinite(rest)
            new = (R[rows] - rest) / aa
            up = np.full(len(ub), np.inf)
            np.minimum.at(up, cols[ok & (aa > 0)], new[ok & (aa > 0)])
            lo = np.full(len(lb), -np.inf)
            np.maximum.at(lo, cols[ok & (aa < 0)], new[ok & (aa < 0)])
            ub, lb = np.minimum(ub, up), np.maximum(lb, lo)
    return lb, ub


def period_of(name: str) -> int:
    return int(name.split("#")[0].rstrip("]").rsplit(",", 1)[1])


BUILDS = ("new_cap[", "new_energy[", "new_line[")


def apply(h: highspy.Highs, variant: str) -> None:
    lp = h.getLp()
    for part in variant.split("+"):
        cols, rows = family(lp.col_names_), family(lp.row_names_)
        if part == "none" or part.startswith(("opt:", "target=")):
            continue
        if part.startswith("drop:"):
            idx = np.flatnonzero(rows == part[5:]).astype(np.int32)
            h.passModel(lp)
            h.deleteRows(len(idx), idx)
        elif part.startswith(("fix0:", "noub:")):
            up = np.asarray(lp.col_upper_).copy()
            up[cols == part[5:]] = 0.0 if part.startswith("fix0:") else INF
            lp.col_upper_ = up
            h.passModel(lp)
        elif part.startswith("implied"):
            factor = float(part[7:] or 1)
            _, ub = implied_bounds(lp)
            up = np.asarray(lp.col_upper_).copy()
            sel = np.isfinite(ub) & ~np.isfinite(up)
            up[sel] = factor * ub[sel]
            lp.col_upper_ = up
            h.passModel(lp)
        elif part.startswith("rowscale:"):
            name, f = part[9:].split("=")
            d = np.where(rows == name, float(f), 1.0)
            set_matrix(lp, sp.diags(d) @ matrix(lp))
            lp.row_lower_, lp.row_upper_ = d * np.asarray(lp.row_lower_), d * np.asarray(lp.row_upper_)
            h.passModel(lp)
        elif part == "firm":
            h.passModel(lp)
            for i in np.flatnonzero(rows == "reserve_margin"):
                h.addCol(0.0, float(lp.row_lower_[i]), INF, 1, np.array([i], dtype=np.int32), np.array([-1.0]))
                h.changeRowBounds(int(i), 0.0, 0.0)
        elif part == "decouple_vintages":
            A = matrix(lp).tocoo()
            defs = ("capacity_def[", "energy_def[")
            rp = np.array([period_of(r) if r.startswith(defs) else -1 for r in lp.row_names_])
            cp = np.array([period_of(c) if c.startswith(BUILDS) else -1 for c in lp.col_names_])
            keep = ~((rp[A.row] >= 0) & (cp[A.col] >= 0) & (rp[A.row] != cp[A.col]))
            set_matrix(lp, sp.csc_matrix((A.data[keep], (A.row[keep], A.col[keep])), shape=A.shape))
            h.passModel(lp)
        elif part == "cumulative":
            n = lp.num_col_
            groups: dict = {}
            for j, c in enumerate(lp.col_names_):
                if c.startswith(BUILDS):
                    groups.setdefault(c.rstrip("]").rsplit(",", 1)[0], []).append((period_of(c), j))
            ti, tj, tv, mono = list(range(n)), list(range(n)), [1.0] * n, []
            for members in groups.values():
                members.sort()
                for (_, j0), (_, j1) in zip(members, members[1:]):
                    ti.append(j1)
                    tj.append(j0)
                    tv.append(-1.0)
                    mono.append((j0, j1))
            T = sp.csc_matrix((tv, (ti, tj)), shape=(n, n))  # new = T @ B
            set_matrix(lp, matrix(lp) @ T)
            lp.col_cost_ = T.T @ np.asarray(lp.col_cost_)
            h.passModel(lp)
            for j0, j1 in mono:  # B[b,q] - B[b,q-1] >= 0
                h.addRow(0.0, INF, 2, np.array([j0, j1], dtype=np.int32), np.array([-1.0, 1.0]))
        else:
            raise SystemExit(f"unknown variant {part!r}")
        lp = h.getLp()


def solve(mps: str, variant: str, method: str, crossover: str, time_limit: float) -> dict:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    apply(h, variant)
    target = float(next((p[7:] for p in variant.split("+") if p.startswith("target=")), 1e4))
    top = float(np.abs(np.asarray(h.getLp().col_cost_)).max())
    scale = -int(np.ceil(np.log2(top / target))) if top > target else 0
    for k, v in (("solver", method), ("threads", 2), ("user_objective_scale", scale), ("run_crossover", crossover),
                 ("time_limit", time_limit)):
        h.setOptionValue(k, v)
    for p in variant.split("+"):
        if p.startswith("opt:"):
            k, v = p[4:].split("=")
            for cast in (int, float, str):
                try:
                    v = cast(v)
                    break
                except ValueError:
                    pass
            if h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
                raise SystemExit(f"HiGHS does not accept {p}")
    t0 = time.perf_counter()
    h.run()
    info = h.getInfo()
    return {"lp": os.path.basename(mps), "variant": variant, "method": method, "crossover": crossover,
            "status": h.modelStatusToString(h.getModelStatus()), "objective": info.objective_function_value,
            "ipm": info.ipm_iteration_count, "crossover_it": info.crossover_iteration_count,
            "columns": h.getNumCol(), "rows": h.getNumRow(), "seconds": round(time.perf_counter() - t0, 1),
            "load_average": round(os.getloadavg()[0], 2)}


def write(spec_path: str, out: str, periods: str | None, days: int | None) -> dict:
    from planner.model.build import build_model
    from planner.model.data import prepare
    from planner.pipeline import load_for_run
    from planner.solve import compile_lp
    from planner.spec import load_spec

    spec = load_spec(spec_path)
    if periods:
        spec.periods = [int(p) for p in periods.split(",")]
    if days:
        spec.time = {**spec.time, "representative_days": days}
    case, _, _ = load_for_run(spec)
    comp = compile_lp(build_model(prepare(case, spec.periods)))
    lp = comp.lp
    lp.col_names_ = [v.name for v in comp.columns]
    lp.row_names_ = [f"{c.name}#{i}" for i, c in enumerate(comp.rows)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.writeModel(out)
    return {"lp": out, "columns": lp.num_col_, "rows": lp.num_row_, "nonzeros": len(lp.a_matrix_.value_),
            "objective_constant": comp.offset}


def join(out: str, files: list[str]) -> dict:
    lps = []
    for f in files:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.readModel(f)
        lps.append(h.getLp())
    lp = highspy.HighsLp()
    A = sp.block_diag([matrix(x) for x in lps], format="csc")
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    for attr in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        setattr(lp, attr, np.concatenate([np.asarray(getattr(x, attr)) for x in lps]))
    lp.col_names_ = [f"{c}@{k}" for k, x in enumerate(lps) for c in x.col_names_]  # names stay unique
    lp.row_names_ = [f"{r}@{k}" for k, x in enumerate(lps) for r in x.row_names_]
    set_matrix(lp, A)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    h.writeModel(out)
    return {"lp": out, "columns": lp.num_col_, "rows": lp.num_row_, "nonzeros": int(A.nnz)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("model")
    w.add_argument("out")
    w.add_argument("--periods")
    w.add_argument("--days", type=int)
    s = sub.add_parser("solve")
    s.add_argument("mps")
    s.add_argument("variants", nargs="+")
    s.add_argument("--method", default="hipo")
    s.add_argument("--crossover", default="off")
    s.add_argument("--time-limit", type=float, default=900.0)
    j = sub.add_parser("join")
    j.add_argument("out")
    j.add_argument("mps", nargs="+")
    args = ap.parse_args()
    if args.cmd == "write":
        print(json.dumps(write(args.model, args.out, args.periods, args.days)))
    elif args.cmd == "join":
        print(json.dumps(join(args.out, args.mps)))
    else:
        for v in args.variants:
            print(json.dumps(solve(args.mps, v, args.method, args.crossover, args.time_limit)), flush=True)


if __name__ == "__main__":
    main()
