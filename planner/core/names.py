"""Labels and naming rules shared by results, reports and studies."""

from __future__ import annotations

EXISTING = "(existing)"            # owner of the existing fleet
UNATTRIBUTED = "(unattributed)"    # owner of the build options without a partner
NEW_CORRIDORS = "(new corridors)"  # owner of new corridor capacity (deficit closed)
NAME_CHARS = frozenset("_.,=+#-")  # what a run name may hold besides letters and digits


def owner(partner: object) -> str:
    """The owner label of a build option's partner: the partner (a name read as a number too), or
    ``(unattributed)`` without one (empty, missing)."""
    if isinstance(partner, str):
        return partner or UNATTRIBUTED
    return UNATTRIBUTED if partner is None or (isinstance(partner, float) and partner != partner) else str(partner)
