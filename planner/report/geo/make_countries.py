"""Regenerate countries.geojson from Natural Earth's Admin 0 countries in the world-atlas npm package.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python planner/report/geo/make_countries.py package/countries-50m.json planner/report/geo/countries.geojson

The TopoJSON arcs are decoded (delta-encoded, quantized), each shared arc is
simplified once with Douglas-Peucker (so neighbours keep one common border),
rings are assembled, and coordinates are rounded to 0.01 degree. Only the
report reads the result; nothing is fetched when a report is made or viewed.
"""

from __future__ import annotations

import json
import sys

TOLERANCE_DEG = 0.03


def _decode(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    if len(pts) < 3:
        return pts
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (x1, y1), (x2, y2) = pts[a], pts[b]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        best, idx = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dy * (px - x1) - dx * (py - y1)) / norm if norm else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            if d > best:
                best, idx = d, i
        if best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    return [p for p, k in zip(pts, keep) if k]


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    out: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out += pts if not out else pts[1:]
    return [[round(x, 2), round(y, 2)] for x, y in out]


def convert(topo: dict, tol: float = TOLERANCE_DEG) -> dict:
    arcs = [_simplify(a, tol) for a in _decode(topo)]
    features = []
    for g in topo["objects"]["countries"]["geometries"]:
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        coords = []
        for poly in polys:
            rings = [_ring(r, arcs) for r in poly]
            if len(rings[0]) >= 4:
                coords.append([r for r in rings if len(r) >= 4])
        if coords:
            features.append({"type": "Feature", "properties": {"name": g["properties"]["name"]},
                             "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        out = convert(json.load(f))
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"))
