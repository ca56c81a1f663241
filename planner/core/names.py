"""Labels and naming rules shared by results, reports and studies."""

from __future__ import annotations

EXISTING = "(existing)"            # owner of the existing fleet
UNATTRIBUTED = "(unattributed)"    # owner of the build options without a partner
NEW_CORRIDORS = "(new corridors)"  # owner of new corridor capacity (deficit closed)
NAME_CHARS = frozenset("_.,=+#-")  # what a run name may hold besides letters and digits


def owner(partner: object) -> str:
    """The owner label of a build option's partner: the partner, or ``(unattributed)`` without one."""
    return str(partner) if isinstance(partner, str) and partner else UNATTRIBUTED
