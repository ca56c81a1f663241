"""The Kazakhstan case is what its generator makes from the public reference data, byte for byte.

The reference data are the unchanged copies vendored in inputs/kazakhstan/source/reference/, so a
clone regenerates its case on its own (no ../shared beside it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "inputs" / "kazakhstan"
REFERENCE = CASE / "source" / "reference"


def test_case_regenerates_identically(tmp_path):
    assert REFERENCE.is_dir(), f"the vendored reference data are missing: {REFERENCE}"
    out = tmp_path / "kz"
    subprocess.run([sys.executable, str(CASE / "source" / "build_case.py"), "--reference", str(REFERENCE), "--out", str(out)],
                   check=True, capture_output=True, text=True)
    made = sorted(p.name for p in out.glob("*.csv"))
    committed = sorted(p.name for p in CASE.glob("*.csv"))
    assert made == committed
    differ = [n for n in made if (out / n).read_bytes() != (CASE / n).read_bytes()]
    assert differ == [], f"regenerated tables differ from the committed ones: {differ}"
