"""The HTML report opens in a real browser with no network, no JavaScript errors, and every chart drawn.

The map must draw the country outlines (filled SVG paths) and its size legend without any request:
every fetch, XMLHttpRequest and resource the page asks for is recorded and must be none, and
chromium runs with every host name unresolvable.

Needs Debian's chromium; CI installs it with
    apt-get update && apt-get install -y chromium
This test is never skipped: without chromium it fails and says so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planner.report import build_report
from planner.report.figures import expected_charts
from planner.runner import run_spec
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
APT = "apt-get update && apt-get install -y chromium"

# collects errors from the first line of <head> on, then writes them and the count of drawn plots into the DOM
PROBE = r"""<script>
window.__errs = []; window.__requests = [];
window.addEventListener('error', function (e) { window.__errs.push('error: ' + (e.message || e)); });
window.addEventListener('unhandledrejection', function (e) { window.__errs.push('rejection: ' + e.reason); });
var __ce = console.error;
console.error = function () {
  window.__errs.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); __ce.apply(console, arguments);
};
var __fetch = window.fetch;
window.fetch = function (u) { window.__requests.push('fetch ' + u); return __fetch.apply(this, arguments); };
var __open = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (m, u) {
  window.__requests.push('xhr ' + u); return __open.apply(this, arguments);
};
window.addEventListener('load', function () { setTimeout(function () {
  var charts = document.querySelectorAll('div.plotly-graph-div');
  var drawn = 0;
  charts.forEach(function (c) { if (c.querySelector('svg.main-svg')) drawn += 1; });
  var map = document.getElementById('chart-map');
  var texts = map ? Array.prototype.map.call(map.querySelectorAll('text'), function (t) { return t.textContent; }) : [];
  performance.getEntriesByType('resource').forEach(function (r) { window.__requests.push('resource ' + r.name); });
  var out = document.createElement('pre'); out.id = 'probe';
  // every named trace's colour, as plotly drew it from the figure
  var traces = [];
  charts.forEach(function (c) { (c.data || []).forEach(function (t) {
    var col = (t.marker && typeof t.marker.color === 'string') ? t.marker.color : (t.line && t.line.color);
    if (t.name && t.showlegend !== false && col) traces.push([c.id, t.name, col]);
  }); });
  // the category labels of the zone charts: text, rotation and whether they lie inside the chart's svg
  var ticks = [];
  ['chart-deficit', 'chart-partner_capacity'].forEach(function (id) {
    var c = document.getElementById(id);
    if (!c) return;
    var svg = c.querySelector('svg.main-svg').getBoundingClientRect();
    c.querySelectorAll('.yaxislayer-above text').forEach(function (t) {
      var r = t.getBoundingClientRect();
      ticks.push({chart: id, text: t.textContent, rotated: /rotate\((?!0)/.test(t.getAttribute('transform') || ''),
                  inside: r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5 && r.top >= svg.top - 0.5
                          && r.bottom <= svg.bottom + 0.5});
    });
  });
  out.textContent = JSON.stringify({errors: window.__errs, requests: window.__requests, charts: charts.length,
    drawn: drawn,
    ids: Array.prototype.map.call(charts, function (c) { return c.id; }),
    map_fills: map ? map.querySelectorAll('path.js-fill').length : 0, map_texts: texts, traces: traces,
    ticks: ticks});
  document.body.appendChild(out);
}, 1000); });
</script>"""


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.fail(f"chromium is not installed; the browser test needs it: {APT}")
    return exe


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("results")
    run_spec(load_spec(ROOT / "models" / "example.toml"), root)
    return build_report(root / "example") / "report.html"


LONG_NAMES = {"N": "North Kazakhstan (incl. Astana)", "S": "Turkestan and Zhambyl", "W": "West Kazakhstan"}


@pytest.fixture(scope="module")
def tr_results(tmp_path_factory) -> Path:
    """The example with TR at 7.5 % and KZ at 6.3 % (the Kazakhstan case's WACCs), long zone names, TR picked out;
    with a placement study of TR beside the run. Returns the results root."""
    import pandas as pd

    tmp = tmp_path_factory.mktemp("tr")
    case = tmp / "case"
    shutil.copytree(ROOT / "inputs" / "example", case)
    partners = pd.read_csv(case / "partners.csv", keep_default_na=False)
    partners["wacc"] = partners["partner"].map({"TR": 0.075, "KZ": 0.063})
    partners.to_csv(case / "partners.csv", index=False)
    zones = pd.read_csv(case / "zones.csv", keep_default_na=False)
    zones["name"] = zones["zone"].map(LONG_NAMES)
    zones.to_csv(case / "zones.csv", index=False)
    spec = tmp / "example_tr.toml"
    spec.write_text(f'name = "example_tr"\ninputs = "{case.as_posix()}"\n[solver]\nmethod = "ipm"\nthreads = 2\n'
                    '[report]\nhighlight_partners = ["TR"]\n')
    root = tmp / "results"
    run_spec(load_spec(spec), root)
    from planner.studies.placement import placement

    placement(load_spec(spec), "TR", [0, 200], results_root=root)
    build_report(root / "example_tr")  # after the study, so the run's report holds its section too
    return root


@pytest.fixture(scope="module")
def rendered(report_html, tr_results, tmp_path_factory) -> dict[str, tuple[dict, str]]:
    """Both reports and the placement study's own page, opened in chromium once."""
    out = {}
    for key, page in (("example", report_html), ("tr", tr_results / "example_tr" / "report" / "report.html"),
                      ("placement", tr_results / "example_tr-placement-TR" / "report.html")):
        out[key] = render(page, tmp_path_factory.mktemp(f"render-{key}"))
    return out


def test_report_is_self_contained(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", text, re.I), "a script is loaded from elsewhere"
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", text,
                         re.I), "a stylesheet is loaded from elsewhere"
    assert "Plotly.newPlot" in text


def render(report: Path, tmp_path: Path) -> tuple[dict, str]:
    """Open ``report`` in headless chromium with no network; the probe's findings and the rendered DOM."""
    exe = chromium()
    page = tmp_path / "report.html"
    text = report.read_text(encoding="utf-8")
    head = text.index("<head>") + len("<head>")
    page.write_text(text[:head] + PROBE + text[head:], encoding="utf-8")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=15000", "--window-size=1400,1000",
           "--host-resolver-rules=MAP * ~NOTFOUND",
           "--dump-dom", page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    m = re.search(r'<pre id="probe">(.*?)</pre>', res.stdout, re.S)
    assert m, "the probe never ran (page did not load?):\n" + res.stderr[-2000:]
    probe = json.loads(
        m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
    return probe, res.stdout


def check_drawn(probe: dict, dom: str, periods: int) -> None:
    """No error, no request, every registered chart drawn, and the real map with its outline and size legend."""
    assert probe["errors"] == []
    assert probe["requests"] == [], "the report asked for something over the network"
    # every registered chart, per-period ones once per period
    assert sum(i.startswith("chart-") for i in probe["ids"]) == expected_charts(periods)
    assert probe["drawn"] == probe["charts"]  # placement sections' charts included
    assert "chart-map" in probe["ids"]
    # the map: country outlines drawn as filled paths (home country and neighbours), and the size legend
    assert probe["map_fills"] >= 3
    texts = probe["map_texts"]
    assert any("size legend" in t for t in texts), texts
    assert sum(t.endswith(" MW") and t[0].isdigit() for t in texts) >= 2, texts
    assert dom.count('class="main-svg"') >= probe["charts"]


def test_report_renders_in_headless_chromium(rendered):
    for key in ("example", "tr"):
        probe, dom = rendered[key]
        check_drawn(probe, dom, periods=2)  # the example has 2 periods


TECH_CHARTS = ("chart-capacity", "chart-generation", "chart-dispatch-")


def colours(probe: dict) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """technology -> colours drawn in the capacity, generation and dispatch charts; partner -> colours in the
    partner chart and on the map (the map names a partner 'TR — Turkish partners (picked out)')."""
    techs: dict[str, set[str]] = {}
    partners: dict[str, set[str]] = {}
    for div, name, color in probe["traces"]:
        if div.startswith(TECH_CHARTS):
            techs.setdefault(name, set()).add(color.lower())
        elif div == "chart-partner_capacity" or (div == "chart-map" and " — " in name):
            partners.setdefault(name.split(" — ")[0], set()).add(color.lower())
    return techs, partners


def test_one_colour_per_technology_and_partner_the_same_in_two_reports(rendered):
    """In each report every technology and every partner has one colour in every chart (and the map), no two share
    one; the two reports (different WACCs, so different plans) give the names they share the same colours."""
    seen = []
    for key in ("example", "tr"):
        techs, partners = colours(rendered[key][0])
        assert {"coal", "gas_ccgt", "wind"} <= set(techs) and "KZ" in partners, (techs, partners)
        assert key == "tr" or "TR" in partners  # at 7.5 % against 6.3 % TR builds nothing in the example
        for kind in (techs, partners):
            assert all(len(c) == 1 for c in kind.values()), kind
            flat = [next(iter(c)) for c in kind.values()]
            assert len(set(flat)) == len(flat), kind
        seen.append({n: next(iter(c)) for n, c in (techs | partners).items()})
    shared = set(seen[0]) & set(seen[1])
    assert len(shared) >= 6
    assert {n: seen[0][n] for n in shared} == {n: seen[1][n] for n in shared}


def _text(dom: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


def test_wacc_shown_as_percentages_with_their_digits(rendered):
    dom = rendered["tr"][1]
    table = re.search(r'<table class="assumptions">(.*?)</table>', dom, re.S).group(1)
    rows = {re.sub(r"\s+", " ", _text(r)).strip() for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)}
    assert any(r.startswith("cost of capital (WACC) by partner TR 7.5 %") for r in rows), rows
    assert any(r.startswith("cost of capital (WACC) by partner KZ 6.3 %") for r in rows), rows


def test_an_explanation_beside_the_deficit_after_new_builds(rendered):
    dom = rendered["tr"][1]
    answer = re.search(r"<div class=\"answer\">(.*?)</div>", dom, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", answer, re.S)
    assert len(items) == 2  # one per period
    for li in items:
        after = re.search(r"([\d,]+) MW left after new builds", _text(li))
        assert after and float(after.group(1).replace(",", "")) > 0  # the example leaves a deficit after new builds
    # the reason right after the first figure that needs it (planner/explanations.py, as in summary.txt)
    first = re.search(r'left after new builds</span>\.\s*<p class="why">(.*?)</p>', items[0], re.S)
    assert first and "not demand unserved" in first.group(1) and "docs/deficit.md" in first.group(1), items[0]


def test_the_picked_out_partner_comes_first(rendered):
    """A run with report.highlight_partners = ["TR"] opens with TR's MW per zone and period, before the answer
    (the example, where TR builds); where TR builds nothing (at 7.5 % against 6.3 %) the box says so in a sentence."""
    dom = rendered["example"][1]
    body = dom[dom.index("<body"):]
    first = re.search(r"</h1>\s*<div class=\"highlight\" id=\"highlight-TR\">(.*?)</div>", body, re.S)
    assert first, body[:2000]
    assert body.index('id="highlight-TR"') < body.index('class="answer"')
    table = _text(first.group(1))
    assert "TR — Turkish partners: new MW by zone and period" in table
    assert re.search(r"zone 2030 2035 total .*South [\d,.-]+ .*all zones", re.sub(r"\s+", " ", table)), table
    nothing = re.search(r'<div class="highlight" id="highlight-TR">(.*?)</div>', rendered["tr"][1], re.S).group(1)
    assert "TR builds nothing new in this run." in nothing and "<table" not in nothing


def test_zone_labels_are_whole_upright_and_inside_the_chart(rendered):
    """The zone charts show each zone's display name in full, not rotated, inside the drawn chart (the rendered
    DOM's boxes): no 'North Kaz' cut at the edge."""
    ticks = rendered["tr"][0]["ticks"]
    names = {n.split(" (")[0] for n in LONG_NAMES.values()}
    for chart in ("chart-deficit", "chart-partner_capacity"):
        mine = [t for t in ticks if t["chart"] == chart and not re.fullmatch(r"[\d.,]+k?", t["text"])]
        assert mine, ticks
        assert {t["text"] for t in mine} <= names and "North Kazakhstan" in {t["text"] for t in mine}
        assert not [t for t in mine if t["rotated"] or not t["inside"]], mine


def test_placement_writes_a_report_section(rendered, tr_results):
    """The study's own page: no error, every chart drawn (the candidate-site map and the programme curve), the
    answer before the closest sites, rates as percentages; the run's report carries the same section."""
    probe, dom = rendered["placement"]
    assert probe["errors"] == [] and probe["requests"] == []
    assert probe["charts"] >= 2 and probe["drawn"] == probe["charts"], probe
    assert any(i.endswith("-map") for i in probe["ids"]) and any(i.endswith("-programme") for i in probe["ids"])
    text = _text(dom)
    assert text.index("In the least-cost plan TR builds") < text.index("The sites closest to entering")
    assert "7.5 %" in text
    assert any("candidate sites" in name for _, name, _ in probe["traces"]) or "TR builds (area by MW)" in text
    run_dom = rendered["tr"][1]
    assert "Placement study: where TR should build (example_tr-placement-TR)" in _text(run_dom)


def test_compare_html_renders_in_headless_chromium(tmp_path):
    """``planner compare`` of the example against itself at a 3 % discount rate: compare.html opens with no
    error and no request, and every chart in it (at least the three side-by-side ones) is drawn."""
    from test_report import spec_copy

    from planner.cli import main

    root = tmp_path / "results"
    run_spec(load_spec(ROOT / "models" / "example.toml"), root)
    run_spec(load_spec(spec_copy(tmp_path, "example_dr3", "[settings]\ndiscount_rate = 0.03\n")), root)
    assert main(["compare", str(root / "example"), str(root / "example_dr3"), "--out", str(tmp_path / "cmp")]) == 0
    probe, dom = render(tmp_path / "cmp" / "compare.html", tmp_path)
    assert probe["errors"] == []
    assert probe["requests"] == [], "compare.html asked for something over the network"
    assert probe["charts"] >= 3 and probe["drawn"] == probe["charts"], probe
