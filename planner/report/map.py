"""The report's map: country outlines, zones at their places, new MW by partner, corridors and interconnectors.

Outlines come from the vendored ``geo/countries.geojson`` (Natural Earth via
world-atlas; see geo/LICENSE.md): nothing is fetched when the report is made
or viewed. The engine knows nothing about any country: the map shows the
country that holds most zones (the "home" country) and every neighbour in
view, and draws interconnectors towards the country named by their market.

Projection: equirectangular, x = lon x cos(mid latitude), y = lat, on plain
axes with equal scale (no plotly geo subplot, which would fetch its own
basemap). Marker area is proportional to MW; the panel on the right is the
size legend. Buttons switch between the whole horizon and each period.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from planner.core.names import EXISTING
from planner.report import style
from planner.report.charts import Context, chart, layout

GEO = Path(__file__).resolve().parent / "geo" / "countries.geojson"
MAX_MARKER_PX = 46  # diameter of the largest build marker


@lru_cache(maxsize=1)
def countries() -> list[tuple[str, list[np.ndarray]]]:
    """[(name, [outer ring as an (n, 2) lon/lat array, ...])]."""
    data = json.loads(GEO.read_text(encoding="utf-8"))
    out = []
    for f in data["features"]:
        rings = [np.asarray(poly[0], dtype=float) for poly in f["geometry"]["coordinates"]]
        out.append((f["properties"]["name"], rings))
    return out


def _inside(ring: np.ndarray, lon: float, lat: float) -> bool:
    """Point in polygon (even-odd rule)."""
    x, y = ring[:, 0], ring[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    cross = (y > lat) != (y2 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x + (lat - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(cross & (lon < xs)) % 2)


def clip(ring: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    """Sutherland-Hodgman: the part of a polygon inside a rectangle (edges along the rectangle where it was cut)."""
    pts = [tuple(p) for p in ring]
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break
        out = []
        for i, cur in enumerate(pts):
            prev = pts[i - 1]
            cin = cur[axis] >= bound if keep_above else cur[axis] <= bound
            pin = prev[axis] >= bound if keep_above else prev[axis] <= bound
            if cin != pin:
                t = (bound - prev[axis]) / (cur[axis] - prev[axis])
                out.append((prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])))
            if cin:
                out.append(cur)
        pts = out
    return np.asarray(pts, dtype=float).reshape(-1, 2)


def label_point(rings: list[np.ndarray], home: list[np.ndarray], box: tuple[float, float, float, float],
                n: int = 36) -> tuple[float, float] | None:
    """Middle of the part of a country in view and outside the home country (on a grid), None if too small to label."""
    x0, x1, y0, y1 = box
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n // 2))
    pts = [(a, b) for a, b in zip(gx.ravel(), gy.ravel())
           if any(_inside(r, a, b) for r in rings) and not any(_inside(r, a, b) for r in home)]
    if len(pts) < 6:
        return None
    arr = np.asarray(pts)
    mid = np.median(arr, axis=0)
    best = arr[np.argmin(((arr - mid) ** 2).sum(axis=1))]  # a grid point of the country nearest its middle
    return float(best[0]), float(best[1])


def home_country(lons: list[float], lats: list[float]) -> str | None:
    best, name = 0, None
    for n, rings in countries():
        k = sum(any(_inside(r, lo, la) for r in rings) for lo, la in zip(lons, lats))
        if k > best:
            best, name = k, n
    return name


def extent(zones: pd.DataFrame, home: str | None) -> tuple[float, float, float, float]:
    """lon_min, lon_max, lat_min, lat_max: the home country and every zone, with a margin."""
    lo = [zones["lon"].min(), zones["lon"].max()]
    la = [zones["lat"].min(), zones["lat"].max()]
    for n, rings in countries():
        if n == home:
            pts = np.vstack(rings)
            lo += [pts[:, 0].min(), pts[:, 0].max()]
            la += [pts[:, 1].min(), pts[:, 1].max()]
    x0, x1, y0, y1 = min(lo), max(lo), min(la), max(la)
    px, py = max(0.06 * (x1 - x0), 1.0), max(0.08 * (y1 - y0), 1.0)
    return x0 - px, x1 + px, y0 - py, y1 + py


def nice_sizes(max_mw: float) -> list[float]:
    """Three round reference sizes for the legend, the largest not above the largest marker."""
    if max_mw <= 0:
        return []
    e = 10 ** math.floor(math.log10(max_mw))
    top = max(m * e for m in (1, 2, 5) if m * e <= max_mw)
    return [top / 4, top / 2, top] if top >= 4 else [top]


def _fmt_mw(v: float) -> str:
    return style.mw(v)


def away_angles(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For each zone, the direction (radians) pointing away from its nearest neighbour (x already scaled)."""
    away = np.full(len(x), math.pi / 2)
    for i in range(len(x)):
        d = (x - x[i]) ** 2 + (y - y[i]) ** 2
        d[i] = np.inf
        if np.isfinite(d).any():
            j = int(np.argmin(d))
            away[i] = math.atan2(y[i] - y[j], x[i] - x[j])
    return away


def label_sides(x: np.ndarray, y: np.ndarray) -> list[str]:
    """A text position for each zone's label, a quarter turn from the direction away from its nearest neighbour:
    clear of the partners' markers (which fan out away from the neighbour, ``marker_offsets``) and of the
    neighbour's label, which turns the other way (Turkestan and Zhambyl in the Kazakhstan case)."""
    sides = ["middle right", "top right", "top center", "top left", "middle left", "bottom left", "bottom center",
             "bottom right"]
    return [sides[int(round((a + math.pi / 2) / (math.pi / 4))) % 8] for a in away_angles(x, y)]


def marker_offsets(x: np.ndarray, y: np.ndarray, n: int, radius: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Offsets (dx, dy) per zone for each of ``n`` partners: a fan of 90 degrees on the side of the zone away from
    its nearest neighbour, so neighbouring zones' markers point apart."""
    if n <= 1:
        return [(np.zeros(len(x)), np.zeros(len(x)))] * max(n, 1)
    away = away_angles(x, y)
    spread = np.radians(np.linspace(-45, 45, n))
    return [(radius * np.cos(away + a), radius * np.sin(away + a)) for a in spread]


def outline_traces(home: str | None, box: tuple[float, float, float, float], k: float) -> list:
    """Country outlines in view (the home country light, neighbours grey, one trace each) and neighbours' names."""
    import plotly.graph_objects as go

    x0, x1, y0, y1 = box
    out, labels = [], []
    pad = (x1 - x0) * 0.02
    home_rings = dict(countries()).get(home, [])
    for name, rings in countries():
        keep = [clip(r, x0 - pad, x1 + pad, y0 - pad, y1 + pad) for r in rings]
        keep = [r for r in keep if len(r) >= 3]
        if not keep:
            continue
        xs, ys = [], []
        for r in keep:
            xs += list(r[:, 0] * k) + [float(r[0, 0] * k), None]
            ys += list(r[:, 1]) + [r[0, 1], None]
        is_home = name == home
        out.append(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor="#f3efe4" if is_home else "#e6e6e6",
                              line=dict(color="#8c8c8c" if is_home else "#b5b5b5", width=1.2 if is_home else 0.7),
                              hoverinfo="skip", showlegend=False, name=name))
        if not is_home:
            at = label_point(keep, home_rings, box)
            if at:
                labels.append((name, *at))
    if labels:
        out.append(go.Scatter(x=[lb[1] * k for lb in labels], y=[lb[2] for lb in labels], mode="text",
                              text=[lb[0].upper() for lb in labels],
                              textfont=dict(size=11, color="#999"), hoverinfo="skip", showlegend=False))
    return out


@chart("map", "Map: where new capacity is built, by partner",
       caption="New MW built by each partner in each zone (marker area proportional to MW; the panel on the right is "
               "the size legend; picked-out partners have a black ring and their MW under the zone's name). Corridor "
               "width grows with capacity, the label is its use (energy sent / capacity x hours), black where new "
               "capacity was built. "
               "Dashed lines: interconnectors to neighbouring markets (import MW). Buttons: the whole horizon or "
               "one period. Outlines: Natural Earth (public domain).")
def fig_map(c: Context):
    """The steps: the zones' frame, the canvas with the outlines, the interconnectors (every view), each view's
    corridors, build markers and zone labels, the size legend, then the view buttons and the layout."""
    frame = zone_frame(c.run)
    if frame is None:
        return None
    cv = Canvas.new()
    for trace in outline_traces(frame.home, frame.box, frame.k):
        cv.add(trace)
    interconnector_traces(cv, frame, c.run.inputs)
    v = build_views(c.run, c.rt)
    cap_max = max(float(v.corridors["capacity_mw"].max()) if len(v.corridors) else 1.0, 1.0)
    for view, (built, p_cor) in v.per_view.items():
        corridor_traces(cv, frame, v.corridors, view, p_cor, cap_max)
        g = built.groupby(["zone", "partner"])["new_mw"].sum()
        build_markers(cv, frame, g, v, view, c.highlight)
        zone_labels(cv, frame, g, view, c.highlight)
    size_legend(cv, v.max_mw, v.sizeref)
    return finish(cv, frame)


@dataclass
class Frame:
    """The zones on the map: their table, the view box (lon, lat) and x = lon x ``k``, with the positions drawn."""

    zones: pd.DataFrame  # indexed by zone
    names: dict[str, str]  # display names
    home: str | None
    box: tuple[float, float, float, float]  # x0, x1 (lon), y0, y1 (lat)
    k: float  # cos(mid latitude)
    zx: np.ndarray
    zy: np.ndarray
    zpos: dict[str, int]
    sides: list[str]

    def x(self, lon) -> np.ndarray:
        return np.asarray(lon, dtype=float) * self.k


def zone_frame(run) -> Frame | None:
    """The frame of ``run``'s zones, or None when the input snapshot lacks them or a zone has no lat/lon."""
    if "zones" not in run.inputs:
        return None
    zones = run.inputs["zones"].set_index("zone")
    if zones["lat"].isna().any() or zones["lon"].isna().any():
        return None
    home = home_country(zones["lon"].tolist(), zones["lat"].tolist())
    x0, x1, y0, y1 = extent(zones, home)
    k = math.cos(math.radians((y0 + y1) / 2))
    zx, zy = np.asarray(zones["lon"], dtype=float) * k, zones["lat"].to_numpy(float)
    return Frame(zones, style.zone_names(run.inputs["zones"], zones.index), home, (x0, x1, y0, y1), k, zx, zy,
                 {z: i for i, z in enumerate(zones.index)}, label_sides(zx, zy))


@dataclass
class Canvas:
    """The figure (the map left, the size legend right) and which traces each view shows (the rest: every view)."""

    fig: object
    views: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def new(cls) -> Canvas:
        from plotly.subplots import make_subplots

        return cls(make_subplots(rows=1, cols=2, column_widths=[0.9, 0.1], horizontal_spacing=0.005))

    def add(self, trace, col: int = 1, view: str | None = None) -> None:
        self.fig.add_trace(trace, row=1, col=col)
        if view is not None:
            self.views.setdefault(view, []).append(len(self.fig.data) - 1)


def interconnector_traces(cv: Canvas, f: Frame, inputs: dict[str, pd.DataFrame]) -> None:
    """A dashed line from each zone with an interconnector to a little past the nearest border point of its
    market's country, its import MW beside the end, on the side the line leans to."""
    import plotly.graph_objects as go

    if "interconnectors" not in inputs or not len(inputs["interconnectors"]):
        return
    shapes, k, zones = dict(countries()), f.k, f.zones
    for r in inputs["interconnectors"].itertuples():
        if r.zone not in zones.index:
            continue
        a = zones.loc[r.zone]
        target = shapes.get(str(r.market))
        if target is None:
            continue
        pts = np.vstack(target)
        d = (pts[:, 0] - a.lon) ** 2 * k * k + (pts[:, 1] - a.lat) ** 2
        bx, by = pts[int(np.argmin(d))]
        # a little past the border, into the neighbour
        vx, vy = (bx - a.lon), (by - a.lat)
        n = max(math.hypot(vx * k, vy), 1e-6)
        ex, ey = bx + 0.9 * vx / n, by + 0.9 * vy / n
        cv.add(go.Scatter(x=f.x([a.lon, ex]), y=[a.lat, ey], mode="lines",
                          line=dict(color=style.INTERCONNECTOR_COLOR, width=1.6, dash="dash"),
                          hoverinfo="text",
                          hovertext=f"{r.interconnector}: {f.names.get(r.zone, r.zone)} - {r.market}, import "
                                    f"{style.mw(r.import_mw)}, export {style.mw(r.export_mw)}", showlegend=False))
        # the figure beside the line's end, on the side the line leans to: neighbouring lines' figures apart
        side = "middle right" if vx >= 0 else "middle left"
        cv.add(go.Scatter(x=f.x([ex]), y=[ey], mode="text", text=[style.num(r.import_mw)], textposition=side,
                          textfont=dict(size=9, color=style.INTERCONNECTOR_COLOR), hoverinfo="skip", showlegend=False))
    cv.add(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=style.INTERCONNECTOR_COLOR, width=1.6,
                                                                  dash="dash"), name="interconnector (import MW)"))


@dataclass
class Views:
    """The views (the whole horizon, then each period): the builds each shows and the period of its corridors,
    the partners with their colours and names, and the marker scale shared by every view and the size legend."""

    per_view: dict[str, tuple[pd.DataFrame, int]]
    partners: list[str]
    colors: dict[str, str]
    names: dict[str, str]
    corridors: pd.DataFrame  # the report's corridor_use
    max_mw: float
    sizeref: float


def build_views(run, rt: dict[str, pd.DataFrame]) -> Views:
    periods = run.periods
    cap = rt["capacity"]
    new = cap[(cap["partner"] != EXISTING) & (cap["new_mw"] > 1e-3)]
    partners = sorted(new["partner"].unique())
    names = run.inputs["partners"].set_index("partner")["name"].to_dict() if "partners" in run.inputs else {}
    per_view = {"all periods": (new, periods[-1])} | {str(p): (new[new["period"] == p], p) for p in periods}
    max_mw = max([float(v.groupby(["zone", "partner"])["new_mw"].sum().max()) for v,
                  _ in per_view.values() if len(v)] + [1.0])
    return Views(per_view, partners, style.partner_colors(partners), names, rt["corridor_use"], max_mw,
                 2.0 * max_mw / MAX_MARKER_PX ** 2)


def corridor_traces(cv: Canvas, f: Frame, cu: pd.DataFrame, view: str, p_cor: int, cap_max: float) -> None:
    """Each corridor of period ``p_cor`` as a line, its width growing with capacity (black where capacity was
    built), and its use at its midpoint."""
    import plotly.graph_objects as go

    zones = f.zones
    for r in cu[cu["period"] == p_cor].itertuples():
        if r.from_zone not in zones.index or r.to_zone not in zones.index:
            continue
        a, b = zones.loc[r.from_zone], zones.loc[r.to_zone]
        width = 1.5 + 7 * min(r.capacity_mw / cap_max, 1.0)
        text = (f"{r.corridor} ({p_cor}): {style.mw(r.capacity_mw)}, use {style.pct(r.utilisation_pu)}"
                + (f", +{style.mw(r.new_built_mw)} new" if r.new_built_mw > 0 else ""))
        new_line = r.new_built_mw > 0
        cv.add(go.Scatter(x=f.x([a.lon, b.lon]), y=[a.lat, b.lat], mode="lines", hoverinfo="text", hovertext=text,
                          line=dict(width=width, color=style.NEW_CORRIDOR_COLOR if new_line else style.CORRIDOR_COLOR,
                                    dash="solid"), opacity=0.8 if new_line else 0.9, showlegend=False), view=view)
    sub = cu[(cu["period"] == p_cor) & cu["from_zone"].isin(zones.index) & cu["to_zone"].isin(zones.index)]
    if len(sub):
        mx = (f.x(zones.loc[sub["from_zone"], "lon"].to_numpy()) + f.x(zones.loc[sub["to_zone"], "lon"].to_numpy())) / 2
        my = (zones.loc[sub["from_zone"], "lat"].to_numpy() + zones.loc[sub["to_zone"], "lat"].to_numpy()) / 2
        cv.add(go.Scatter(x=mx, y=my, mode="text", text=[style.pct(round(u, 2)) for u in sub["utilisation_pu"]],
                          textfont=dict(size=9, color="#345"), hoverinfo="skip", showlegend=False), view=view)


def build_markers(cv: Canvas, f: Frame, g: pd.Series, v: Views, view: str, highlight) -> None:
    """Per partner, a marker of area proportional to its new MW (``g``, by zone and partner) beside each zone;
    the picked-out partners ringed in black."""
    import plotly.graph_objects as go

    offsets = dict(zip(v.partners, marker_offsets(f.zx, f.zy, len(v.partners), 0.7)))
    for kp in v.partners:
        s = g[g.index.get_level_values("partner") == kp]
        s = s[s > 1e-3]
        zs = list(s.index.get_level_values("zone"))
        at = [f.zpos[z] for z in zs]
        dx, dy = offsets[kp]
        strong = kp in highlight
        cv.add(go.Scatter(
            x=f.zx[at] + dx[at], y=f.zy[at] + dy[at], mode="markers",
            marker=dict(size=s.to_numpy(), sizemode="area", sizeref=v.sizeref, sizemin=3, color=v.colors[kp],
                        opacity=0.85, line=dict(color="#000" if strong else "#fff", width=2.5 if strong else 0.8)),
            name=style.partner_label(kp, v.names.get(kp, "")) + (" (picked out)" if strong else ""),
            legendgroup=kp,
            showlegend=view == "all periods", hoverinfo="text",
            hovertext=[f"{f.names.get(z, z)}: {style.mw(x)} new by {kp} ({view})" for z, x in zip(zs, s)]),
            view=view)


def zone_labels(cv: Canvas, f: Frame, g: pd.Series, view: str, highlight) -> None:
    """Zone labels on top, with the picked-out partners' MW of the view under the name."""
    import plotly.graph_objects as go

    picked = g[g.index.get_level_values("partner").isin(highlight)]
    text = []
    for z in f.zones.index:
        extra = [f"{k} {style.mw(v)}" for (zz, k), v in picked.items() if zz == z and v > 0.5]
        text.append(f"{f.names[z]}" + "".join(f"<br><b>{e}</b>" for e in extra))
    cv.add(go.Scatter(x=f.zx, y=f.zy, mode="markers+text", text=text, textposition=f.sides, cliponaxis=False,
                      textfont=dict(size=10, color="#222"), marker=dict(size=6, color="#222"), hoverinfo="text",
                      hovertext=[f"{f.names[z]} ({z}): {f.zones.at[z, 'name']}" for z in f.zones.index],
                      showlegend=False),
           view=view)


def size_legend(cv: Canvas, max_mw: float, sizeref: float) -> None:
    """The panel on the right: reference circles with the markers' ``sizeref``."""
    import plotly.graph_objects as go

    ref = nice_sizes(max_mw)
    ly = np.linspace(0.8, 0.3, len(ref)) if len(ref) > 1 else np.array([0.55])
    cv.add(go.Scatter(x=[0.35] * len(ref), y=ly, mode="markers+text", text=[_fmt_mw(v) for v in ref],
                      textposition="middle right",
                      marker=dict(size=ref, sizemode="area", sizeref=sizeref, color="rgba(0,0,0,0)",
                                  line=dict(color="#555", width=1.2)),
                      textfont=dict(size=11), hoverinfo="skip", showlegend=False, cliponaxis=False,
                      name="size legend"),
           col=2)
    fig = cv.fig
    fig.add_annotation(text="<b>size legend</b><br>new MW", xref="x2", yref="y2", x=0.35, y=0.97, showarrow=False,
                       font=dict(size=11), xanchor="left")
    fig.update_xaxes(visible=False, range=[0, 1.6], row=1, col=2)
    fig.update_yaxes(visible=False, range=[0, 1.05], row=1, col=2)


def finish(cv: Canvas, f: Frame):
    """The axes at equal scale, the first view shown, a button per view, the water behind, the layout."""
    import plotly.graph_objects as go

    fig, views = cv.fig, cv.views
    x0, x1, y0, y1 = f.box
    k = f.k
    fig.update_xaxes(range=[x0 * k, x1 * k], visible=False, row=1, col=1)
    fig.update_yaxes(range=[y0, y1], visible=False, scaleanchor="x", scaleratio=1, row=1, col=1)
    order = list(views)
    default = order[0]
    for view, idx in views.items():
        for i in idx:
            fig.data[i].visible = view == default

    def visible(view):
        v = [True] * len(fig.data)
        for other, idx in views.items():
            for i in idx:
                v[i] = other == view
        return v

    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=style.NEW_CORRIDOR_COLOR, width=4),
                             name="corridor with new capacity"), row=1, col=1)
    buttons = [dict(label=("new MW over the horizon" if v == "all periods" else f"built in {v}"), method="update",
                    args=[{"visible": visible(v)}]) for v in order]
    fig = layout(fig, f"Where new capacity is built, by partner{' — ' + f.home if f.home else ''}", height=800)
    fig.add_shape(type="rect", xref="x", yref="y", x0=x0 * k, x1=x1 * k, y0=y0, y1=y1, layer="below",
                  line=dict(width=0),
                  fillcolor="#dcebf5")  # water where no country is drawn (e.g. the Caspian)
    fig.update_layout(margin=dict(l=10, r=10, t=110, b=10), title=dict(y=0.985, yanchor="top"),
                      legend=dict(orientation="h", y=-0.02, yanchor="top", x=0, font=dict(size=11)),
                      updatemenus=[dict(type="buttons", direction="right", buttons=buttons, x=0, y=1.01, xanchor="left",
                                        yanchor="bottom", showactive=True, font=dict(size=11))])
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(showgrid=False)
    return fig
