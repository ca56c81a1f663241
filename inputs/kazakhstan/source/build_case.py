"""Build the default Kazakhstan case (inputs/kazakhstan/*.csv) from public reference data.

Run from anywhere:

    python3 inputs/kazakhstan/source/build_case.py [--reference PATH] [--out PATH]

``--reference`` defaults to ``reference/`` beside this script: unchanged copies of the
public raw files the script reads, each folder with its licence and attribution
(reference/README.md). Every table is derived (aggregated, re-keyed, corrected) from them,
plus assumptions written as named constants in the domain modules of ``kzcase/`` (fleet,
demand, profiles, network, partners, system). Each constant says whether it is SOURCED (and
where), DERIVED, or an ASSUMPTION; the same wording is repeated in ../SOURCES.md.

This script only writes: one line per table, each table made by one function of its domain.
Deterministic: fixed seeds, sorted rows, fixed rounding, so two runs give byte-identical CSVs.
Needs numpy, pandas, scipy and pvlib (pvlib only to regenerate the case).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kzcase import demand, fleet, network, partners, profiles, system  # noqa: E402
from kzcase.common import PERIODS, REGIONS, ZONES, write_csv  # noqa: E402

CASE = HERE.parent
DEFAULT_REFERENCE = HERE / "reference"  # vendored copies, see reference/README.md


def availability_table(existing: pd.DataFrame, site_map: dict, peak_av: float) -> tuple[pd.DataFrame, dict, float]:
    """Wind and solar of every zone, the second wind class where a zone has one, small hydro where it
    exists or may be built, the winter of large hydro and of the old thermal fleet."""
    cap = existing.groupby(["technology", "zone"])["capacity_mw"].sum()
    wind, wind_targets, wind_c2, _ = profiles.wind_profiles(cap["wind"].to_dict())
    solar, solar_scale = profiles.solar_profiles(cap["solar"].to_dict())
    small_zones = sorted(set(cap["hydro_small"].index) | {z for (z, g) in site_map if g == "hydro_small"})
    rows = []
    for z in ZONES:
        rows += profiles.profile_rows("wind", {z: wind[z]}) + profiles.profile_rows("solar", {z: solar[z]})
        if z in wind_c2:
            rows += profiles.profile_rows("wind_c2", {z: wind_c2[z]})
    rows += fleet.small_hydro_rows(small_zones) + fleet.winter_availability_rows(existing, peak_av)
    rows += fleet.hydro_winter_rows(existing)
    avail = pd.concat(rows, ignore_index=True).sort_values(["zone", "technology", "timestep"])
    avail["availability_pu"] = avail["availability_pu"].clip(0.0, 1.0) + 0.0  # no -0.0
    return avail, wind_targets, solar_scale


def committed_net_mw(existing: pd.DataFrame, site_map: dict) -> dict[str, float]:
    """By region: MW of the committed projects minus the available MW of existing plants retiring
    before the end of the Ministry's outlook (e.g. Almaty CHP-2's coal units, replaced by its gas CHP)."""
    out = {r: 0.0 for r in REGIONS}
    for (z, _g), site in site_map.items():
        if site.committed:
            out[ZONES[z].region] += float(site.min_new_mw)
    gone = existing[(existing["retirement_year"] > PERIODS[0]) & (existing["retirement_year"] <= demand.OUTLOOK_LAST_YEAR)]
    for z, mw in zip(gone["zone"], gone["capacity_mw"]):
        out[ZONES[z].region] -= float(mw)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument("--out", type=Path, default=CASE)
    a = ap.parse_args(argv)
    ref, out = a.reference.resolve(), a.out
    out.mkdir(parents=True, exist_ok=True)

    plants = fleet.build_plants(ref)
    existing = fleet.existing_table(plants)
    peak_av = fleet.thermal_peak_availability(existing)
    wind_mw = existing[existing["technology"] == "wind"].groupby("zone")["capacity_mw"].sum().to_dict()
    site_map = partners.sites(plants, profiles.wind_class2_zones(wind_mw))
    partner_map = partners.partners(ref)
    energy = demand.reference_energy_mwh(ref)
    new_supply = committed_net_mw(existing, site_map)
    avail, wind_targets, solar_scale = availability_table(existing, site_map, peak_av)

    write_csv(system.zones_table(), out / "zones.csv")
    write_csv(system.periods_table(), out / "periods.csv")
    write_csv(system.settings_table(), out / "settings.csv")
    write_csv(system.fuels_table(), out / "fuels.csv")
    write_csv(system.fuel_limits_table(), out / "fuel_limits.csv")
    write_csv(system.reserve_margins_table(), out / "reserve_margins.csv")
    write_csv(existing, out / "existing_capacity.csv")
    write_csv(fleet.technologies_table(peak_av), out / "technologies.csv")
    write_csv(fleet.hydro_budgets_table(existing), out / "hydro_budgets.csv")
    write_csv(fleet.min_output_table(partners.chp_pairs(site_map, existing)), out / "min_output.csv")
    write_csv(demand.timesteps_table(), out / "timesteps.csv")
    write_csv(demand.demand_table(ref, energy, demand.loss_shares()), out / "demand.csv")
    write_csv(demand.demand_growth_table(energy, new_supply), out / "demand_growth.csv")
    write_csv(avail, out / "availability.csv")
    write_csv(partners.build_options_table(site_map, partner_map), out / "build_options.csv")
    write_csv(partners.build_potentials_table(site_map), out / "build_potentials.csv")
    write_csv(partners.partners_table(partner_map), out / "partners.csv")
    write_csv(partners.partner_envelopes_table(), out / "partner_envelopes.csv")
    write_csv(network.corridors_table(), out / "corridors.csv")
    write_csv(network.interconnectors_table(), out / "interconnectors.csv")
    write_csv(network.trade_prices_table(ref), out / "trade_prices.csv")

    national = demand.national_twh()
    print(f"reference demand {sum(energy.values()) / 1e6:.3f} TWh; national by period (TWh): "
          + ", ".join(f"{p}: {v:.1f}" for p, v in national.items()))
    reg = demand.regional_twh(energy, new_supply)
    print("by region (TWh):", {k: round(v, 1) for k, v in sorted(reg.items())})
    print("committed net MW by region:", {r: round(v) for r, v in new_supply.items()})
    print("partner WACC:", {k: p.wacc for k, p in partner_map.items()})
    print("wind zone CF targets:", {z: round(v, 3) for z, v in wind_targets.items()})
    print(f"solar output scale (POA/1000 x {solar_scale:.3f}, clipped at 1)")
    print(f"winter availability of the old thermal fleet (Dec-Feb): {peak_av}")
    annual = fleet.old_coal_annual_availability(existing)
    print(f"old coal annual availability {annual} -> Mar-Nov {fleet.non_winter_availability(annual, peak_av)}")
    print("each winter's own availability:", {w: fleet.thermal_peak_availability(existing, {w: v}) for w, v in
                                               {**fleet.WINTER_PEAK_SUPPLY_MW, **fleet.WINTER_PEAK_FORECAST_MW}.items()})


if __name__ == "__main__":
    main()
