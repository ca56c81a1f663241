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
from planner.run import run_spec
from planner.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
APT = "apt-get update && apt-get install -y chromium"

# collects errors from the first line of <head> on, then writes them and the count of drawn plots into the DOM
PROBE = """<script>
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
  out.textContent = JSON.stringify({errors: window.__errs, requests: window.__requests, charts: charts.length,
    drawn: drawn,
    ids: Array.prototype.map.call(charts, function (c) { return c.id; }),
    map_fills: map ? map.querySelectorAll('path.js-fill').length : 0, map_texts: texts});
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
    assert probe["charts"] == expected_charts(periods)
    assert probe["drawn"] == probe["charts"]
    assert "chart-map" in probe["ids"]
    # the map: country outlines drawn as filled paths (home country and neighbours), and the size legend
    assert probe["map_fills"] >= 3
    texts = probe["map_texts"]
    assert any("size legend" in t for t in texts), texts
    assert sum(t.endswith(" MW") and t[0].isdigit() for t in texts) >= 2, texts
    assert dom.count('class="main-svg"') >= probe["charts"]


def test_report_renders_in_headless_chromium(report_html, tmp_path):
    probe, dom = render(report_html, tmp_path)
    check_drawn(probe, dom, periods=2)  # the example has 2 periods


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
