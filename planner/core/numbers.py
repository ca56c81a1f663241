"""Numbers of stored tables."""

from __future__ import annotations

import pandas as pd

NOISE = 1e-7  # |x| below this is solver noise, written as 0


def clean(df: pd.DataFrame) -> pd.DataFrame:
    """Stable numbers: tiny solver noise to 0 (in place, and returned), so regenerated tables are identical
    and readable."""
    num = df.select_dtypes("number").columns
    df[num] = df[num].mask(df[num].abs() < NOISE, 0.0)
    return df
