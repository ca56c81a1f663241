"""Firm capacity against a planning reserve margin, and corridor capacity in service.

Index letters as in the engine: z zone, g technology, i interconnector, l corridor, R region, p period.

    firm        = sum_g credit_g x MW_g                                        (MW)
    firm_imports[R] = sum_{i in R} credit_i x import_mw_i                      (MW)
    required[R,p]   = (1 + margin[R,p]) x peak[R,p]                            (MW)
    margin[R,p]     = the region's own, else the system's (*), else 0
    line_cap_existing[l,p] = capacity_mw_l x s(available_from_l, never, p)     (MW)

A corridor counts for a region's firm capacity when exactly one of its ends is in the region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from planner.core.economics import NEVER_RETIRES, share_in_service


def margins_by_region(reserve_margins: pd.DataFrame) -> dict[tuple[str, int], float]:
    """{(region, period): margin_pu} of the reserve_margins table."""
    return {(str(r), int(p)): float(m) for r, p, m in
            zip(reserve_margins["region"], reserve_margins["period"], reserve_margins["margin_pu"])}


def margin_pu(margins: Mapping[tuple[str, int], float], region: str | None, period: int) -> float:
    """The reserve margin that applies to ``region`` in ``period``: its own, else the system's (``*``), else 0."""
    return margins.get((region, period), margins.get(("*", period), 0.0))


def margin_source(margins: Mapping[tuple[str, int], float], region: str | None, period: int) -> str:
    """Which row ``margin_pu`` read: ``region``, ``*``, or "" when no margin applies."""
    return next((r for r in (region, "*") if r and (r, period) in margins), "")


def region_zones(zone_region: Mapping[str, str], region: str) -> set[str]:
    """Zones of ``region`` ({zone: region}); ``*`` is the whole system."""
    return set(zone_region) if region == "*" else {z for z, r in zone_region.items() if r == region}


def required_mw(peak_mw, margin: float):
    """Firm capacity a region needs (MW) = (1 + margin) x its peak demand."""
    return (1.0 + margin) * peak_mw


def firm_mw(credit: Mapping[str, float], mw: Iterable[tuple[str, object]]):
    """Firm capacity (MW) = sum credit_g x MW over (technology, MW) pairs (MW may be an LP expression)."""
    return sum(credit[g] * x for g, x in mw)


def firm_imports_mw(interconnectors: pd.DataFrame, zones: set[str]) -> float:
    """Firm import capacity into ``zones`` (MW) = sum_i credit_i x import_mw_i of the interconnectors there."""
    i = interconnectors[interconnectors["zone"].isin(zones)]
    return sum((float(c * x) for c, x in zip(i["capacity_credit_pu"], i["import_mw"])), 0.0)


def crosses(from_zone: str, to_zone: str, zones: set[str]) -> bool:
    """Whether a corridor links ``zones`` with the outside (exactly one end inside)."""
    return (from_zone in zones) != (to_zone in zones)


def corridor_existing_mw(capacity_mw: float, available_from: int, period: int, years: int) -> float:
    """Existing capacity of a corridor in service in a period (MW): capacity_mw for the share of the
    period from ``available_from`` on (existing corridors never retire within a horizon)."""
    return float(capacity_mw) * share_in_service(int(available_from), NEVER_RETIRES, period, years)
