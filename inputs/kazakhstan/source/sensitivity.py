"""Where Türkiye builds, and how much, as its WACC and the CCGT capex vary (the case README's table).

    python3 inputs/kazakhstan/source/sensitivity.py [--spec models/kazakhstan_2030.toml] [--out FILE.csv]

Each variant is a temporary copy of the case with one cell changed - TR's ``wacc`` in partners.csv
(7 to 12 %, every other partner at its base rate) or the gas_ccgt ``capex_usd_per_kw`` in
technologies.csv (low / base / high of kzcase.fleet.CCGT_CAPEX_SENSITIVITY; every partner's CCGT
follows it, since no CCGT option carries a capex of its own) - solved one after the other with the
spec's time resolution. The default spec is the single period 2030 (about 20 s a solve on an idle
two-core machine), not the four-period default model. Prints and writes one row per variant: the
objective, TR's new capacity by zone x technology, and GULF's and KZ's gas builds beside it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kzcase.fleet import CCGT_CAPEX_SENSITIVITY  # noqa: E402

CASE = HERE.parent
REPO = CASE.parent.parent
TR_WACCS = (0.07, 0.075, 0.08, 0.09, 0.10, 0.11, 0.12)


def variants() -> list[tuple[str, str, str, str, float]]:
    """(label, table, key column, key, value): TR's WACC at base capex, then CCGT capex at base WACC."""
    out = [(f"TR wacc {w:.3f}", "partners", "partner", "TR", w) for w in TR_WACCS]
    out += [(f"CCGT capex {k} {v}", "technologies", "technology", "gas_ccgt", float(v))
            for k, v in CCGT_CAPEX_SENSITIVITY.items() if k != "base"]
    return out


def solve_variant(spec_path: Path, table: str, key_col: str, key: str, value: float) -> dict:
    from planner.run import run_spec
    from planner.spec import load_spec

    column = {"partners": "wacc", "technologies": "capex_usd_per_kw"}[table]
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case"
        shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("source", "*.md"))
        df = pd.read_csv(case / f"{table}.csv", keep_default_na=False)
        hit = df[key_col] == key
        if hit.sum() != 1:
            raise ValueError(f"{table}.csv has {hit.sum()} rows with {key_col} = {key}")
        df.loc[hit, column] = value
        df.to_csv(case / f"{table}.csv", index=False, lineterminator="\n")
        spec = load_spec(spec_path)
        spec.inputs = case
        t0 = time.perf_counter()
        out = run_spec(spec, None)
        wall = time.perf_counter() - t0
    nb = out.tables["new_capacity"]
    gas = nb[nb["technology"].str.startswith("gas_")]
    tr = nb[nb["partner"] == "TR"].groupby(["zone", "technology"])["new_mw"].sum()
    return {"objective_usd": out.meta["objective_usd"], "solve_wall_s": round(wall, 1),
            "tr_new_mw": round(float(nb.loc[nb["partner"] == "TR", "new_mw"].sum()), 1),
            "tr_builds": "; ".join(f"{z} {g} {mw:,.0f}" for (z, g), mw in tr.items() if mw >= 0.5) or "-",
            "gas_by_partner_mw": "; ".join(f"{k} {mw:,.0f}" for k, mw in gas.groupby("partner")["new_mw"].sum().items()
                                          if mw >= 0.5) or "-"}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", type=Path, default=REPO / "models" / "kazakhstan_2030.toml")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    rows = []
    for label, table, key_col, key, value in variants():
        r = {"variant": label, **solve_variant(a.spec.resolve(), table, key_col, key, value)}
        print(r, flush=True)
        rows.append(r)
    if a.out:
        pd.DataFrame(rows).to_csv(a.out, index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
