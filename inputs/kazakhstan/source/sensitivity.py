"""Where Türkiye builds, and how much: the case README's sensitivity table, from `planner sweep` results.

    planner sweep models/kazakhstan_2030.toml --results results/sens-wacc \\
        --vary partners.csv:partner=TR:wacc=0.07,0.085,0.1,0.12
    planner sweep models/kazakhstan_2030.toml --results results/sens-capex \\
        --vary technologies.csv:technology=gas_ccgt:capex_usd_per_kw=1005,1395,1490
    python3 inputs/kazakhstan/source/sensitivity.py results/sens-wacc results/sens-capex [--out FILE.csv]

The sweeps solve the variants (each a cell edit of the case, checked against the schema); this
script only reads what they wrote: each sweep's ``sweep.csv`` (one row per variant, with the
varied cell) and each variant's ``new_capacity.csv``. One row per variant: the varied cell, the
objective, TR's new capacity by zone x technology, every partner's gas builds, the solve time.
CCGT capex: low 1,005 (DNV 2023 Russia & FSU via GNESTE), base 1,395, high 1,490 $/kW (the
Turkestan CCGT's range; kzcase.fleet.CCGT_CAPEX_SENSITIVITY). No CCGT option carries a capex of
its own, so every partner's CCGT follows the technology's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def variant_row(row: pd.Series) -> dict:
    nb = pd.read_csv(Path(row["results"]) / "new_capacity.csv")
    gas = nb[nb["technology"].str.startswith("gas_")]
    tr = nb[nb["partner"] == "TR"].groupby(["zone", "technology"])["new_mw"].sum()
    varied = {"varied": "; ".join(f"{c} = {row[c]}" for c in row.index if ".csv:" in c and pd.notna(row[c]))}
    return {**varied, "objective_usd": row["objective_usd"],
            "tr_new_mw": round(float(tr.sum()), 1),
            "tr_builds": "; ".join(f"{z} {g} {mw:,.0f}" for (z, g), mw in tr.items() if mw >= 0.5) or "-",
            "gas_by_partner_mw": "; ".join(f"{k} {mw:,.0f}" for k, mw in gas.groupby("partner")["new_mw"].sum().items()
                                          if mw >= 0.5) or "-",
            "solve_s": round(float(row["solve_s"]), 1)}


def print_and_write(table: pd.DataFrame, out: Path | None) -> None:
    """Print the table; write it as CSV too when ``out`` is given."""
    print(table.to_string(index=False))
    if out:
        table.to_csv(out, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweeps", nargs="+", type=Path, help="--results folders of `planner sweep` runs")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    rows = []
    for folder in a.sweeps:
        for f in sorted(folder.glob("*-sweep/sweep.csv")):
            rows += [variant_row(r) for _, r in pd.read_csv(f).iterrows()]
    print_and_write(pd.DataFrame(rows), a.out)


if __name__ == "__main__":
    main()
