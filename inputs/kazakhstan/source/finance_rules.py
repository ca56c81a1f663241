"""The partner finance rule as a sensitivity: where Türkiye builds under each rule (the case README's table).

    python3 inputs/kazakhstan/source/finance_rules.py [--model models/kazakhstan.toml] --results DIR [--out FILE.csv]

The case gives a partner max(host, home) as its WACC (kzcase.partners, SOURCES.md partners.csv). This
script solves the model once per rule, each a set of ``[[cells]]`` edits of partners.csv's ``wacc`` (the
case itself is not changed), and prints, per rule and period, what TR builds and where. The rates come
from IRENA (2023b) via GNESTE, the same rows the case reads (kzcase.partners.country_cost_of_capital):

    max_host_home   wacc_k = max(host, home_k)                       the case's rule
    host_for_all    wacc_k = host                                    every partner at the Kazakh market rate
    home_for_all    wacc_k = home_k (host where a partner has none)  each at its own market's rate
    country_risk    wacc_k = home_k + (host - benchmark)             home rate plus Kazakhstan's premium over
                                                                     a mature market (IRENA's USA solar row, 4.3 %)

Damodaran's country risk premiums are not in the reference data; the premium here is IRENA's own
Kazakhstan-minus-USA spread (6.3 - 4.3 = 2.0 points). A group of home countries (GULF) takes the highest
of them, as in the case's rule.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE))

from kzcase import partners as kp  # noqa: E402
from sensitivity import print_and_write  # noqa: E402

BENCHMARK_COUNTRY = "United States of America"  # IRENA 2023b, the mature market of the country-risk rule


def solar_cost_of_capital(ref: Path, country: str) -> float:
    """IRENA (2023b) solar row of ``country``: the host's rate rests on its solar row alone (no wind row for
    Kazakhstan), so the premium is taken solar to solar (the USA's wind row, 3.0 %, is not used)."""
    g = pd.read_csv(ref / "gneste" / "GNESTE_Solar_Power.csv")
    g = g[(g["Variable"] == "Cost of Capital") & (g["Source"] == kp.WACC_SOURCE) & (g["Country"] == country)]
    values = {float(v) for c in g.columns if c.isdigit() for v in g[c] if pd.notna(v)}
    if len(values) != 1:
        raise ValueError(f"GNESTE {kp.WACC_SOURCE} solar: expected one cost of capital for {country}, found {values}")
    return values.pop()


def rates(ref: Path = HERE / "reference") -> dict[str, dict[str, float]]:
    """rule -> partner -> WACC (fraction)."""
    homes = {c for _, _, h in kp.PARTNER_HOME.values() for c in h}
    coc = kp.country_cost_of_capital(ref, {kp.WACC_HOST_COUNTRY} | homes)
    host, bench = coc[kp.WACC_HOST_COUNTRY], solar_cost_of_capital(ref, BENCHMARK_COUNTRY)
    home = {k: max((coc[c] for c in h), default=host) for k, (_, _, h) in kp.PARTNER_HOME.items()}
    return {
        "max_host_home": {k: max(host, v) for k, v in home.items()},
        "host_for_all": {k: host for k in home},
        "home_for_all": dict(home),
        "country_risk": {k: (host if k == "KZ" or not kp.PARTNER_HOME[k][2] else v + host - bench)
                         for k, v in home.items()},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "kazakhstan.toml")
    ap.add_argument("--results", type=Path, required=True)
    ap.add_argument("--rules", nargs="*", default=None)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from planner.cells import from_dict
    from planner.runner import run_spec
    from planner.spec import load_spec

    base = load_spec(a.model)
    rows = []
    for rule, wacc in rates().items():
        if a.rules and rule not in a.rules:
            continue
        spec = copy.deepcopy(base)
        spec.name = f"{base.name}-{rule}"
        spec.cells = list(spec.cells) + [from_dict({"table": "partners", "where": {"partner": k}, "column": "wacc",
                                                    "value": round(v, 4)}, str(a.model)) for k, v in wacc.items()]
        out = run_spec(spec, a.results)
        nb = out.tables["new_capacity"]
        for p in sorted(nb["period"].unique()):
            tr = nb[(nb["partner"] == "TR") & (nb["period"] == p) & (nb["new_mw"] >= 0.5)]
            rows.append({"rule": rule, "period": int(p), "objective_usd": out.meta["objective_usd"],
                         "tr_wacc": wacc["TR"], "tr_new_mw": round(float(tr["new_mw"].sum()), 1),
                         "tr_builds": "; ".join(f"{z} {g} {mw:,.0f}" for z, g, mw in
                                                zip(tr["zone"], tr["technology"], tr["new_mw"])) or "-"})
        print(rule, {k: round(v, 4) for k, v in wacc.items()}, flush=True)
    print_and_write(pd.DataFrame(rows), a.out)


if __name__ == "__main__":
    main()
