"""The inter-zonal losses the case's corridors carry in the base year, by zone: source/corridor_losses.csv.

    python3 inputs/kazakhstan/source/corridor_losses.py [--model models/kazakhstan_2023.toml] [--out FILE]

Why (SOURCES.md demand.csv): the published consumption (115.07 TWh in 2023) is read as holding every
grid loss, the inter-zonal ones included, since production plus net imports already equals it
(112.82 + 2.0 = 114.82, 0.2 % from it). The case's corridors lose energy of their own on top, so the
same losses would be counted twice. The consistent treatment keeps the corridors' losses (a long line
still costs energy at the margin) and takes the same energy out of the demand of the zones where it is
lost: each corridor's annual loss, half to each end zone (ASSUMPTION: no source splits a line's length
between oblasts; the midpoint is the neutral rule).

This script solves the calibration model of the base year, whose trade is the observed one, and writes
per zone: the loss (MWh), the zone's modelled demand (MWh) and their ratio, ``loss_share``.
build_case.py reads that ratio and scales the zone's demand by (1 - loss_share) in every period
(ASSUMPTION: the base year's flow pattern, the North feeding the South at the interface limit, holds;
the planning runs' own losses are reported against it in the case README). The losses depend on the
demand they are taken from, so the pair is a fixed point: build, solve, write, build again, until the
file does not change (two rounds reach it to 0.01 TWh). Nothing here is tuned to a published figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = HERE / "corridor_losses.csv"


def zone_losses(tables: dict[str, pd.DataFrame], period: int) -> pd.DataFrame:
    """zone, loss_mwh, demand_mwh, loss_share: each corridor's annual loss split half to each end zone."""
    fl = tables["flows"]
    fl = fl[fl["period"] == period]
    pr = tables["prices"]
    pr = pr[pr["period"] == period]
    weight = pr.groupby("timestep")["weight"].first()
    cor = tables["corridors"].drop_duplicates("corridor").set_index("corridor")
    loss = (fl["loss_mw"] * fl["timestep"].map(weight)).groupby(fl["corridor"]).sum()
    by_zone: dict[str, float] = {}
    for c, mwh in loss.items():
        for z in (cor.at[c, "from_zone"], cor.at[c, "to_zone"]):
            by_zone[z] = by_zone.get(z, 0.0) + 0.5 * float(mwh)
    demand = (pr["demand_mw"] * pr["weight"]).groupby(pr["zone"]).sum()
    rows = [dict(zone=z, loss_mwh=round(by_zone.get(z, 0.0)), demand_mwh=round(float(d)),
                 loss_share=round(by_zone.get(z, 0.0) / float(d), 5)) for z, d in sorted(demand.items())]
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "kazakhstan_2023.toml")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from planner.runner import run_spec
    from planner.spec import load_spec

    spec = load_spec(a.model)
    with tempfile.TemporaryDirectory() as tmp:
        out = run_spec(spec, Path(tmp))
    period = min(spec.periods)
    table = zone_losses(out.tables, period)
    table.to_csv(a.out, index=False, lineterminator="\n")
    print(f"{period}: inter-zonal losses {table['loss_mwh'].sum() / 1e6:.3f} TWh of "
          f"{table['demand_mwh'].sum() / 1e6:.3f} TWh demand")


if __name__ == "__main__":
    main()
