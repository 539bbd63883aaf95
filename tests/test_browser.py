"""The report in a real browser: headless Chromium, file://, network disabled, and a net log
that shows every request the page made (there must be none).

Skipped with an install hint where Chromium is missing, except in CI (CI=true), where the
missing browser is a failure: .ci/run installs Debian's chromium.
"""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES
from report_helpers import Page, render, require_chromium

from opskit.portfolio import build as build_portfolio
from opskit.portfolio import figure_count, find_findings, run_portfolio, sample_findings
from opskit.report.figures import plotly_js
from opskit.run import run

ARTIFACTS = ROOT / "artifacts"
PAYLOAD_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
PAYLOAD_SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
PAYLOAD_BEACON = "<img src=\"https://exfil.example/beacon.gif\">"


def test_the_request_detector_sees_what_a_page_requests(tmp_path):
    """The net-log detector behind `requests == []` does see a page's requests: a page
    without the report's CSP that loads an image, a script and a fetch is caught three
    times, while Chromium's own background traffic is not counted."""
    page = tmp_path / "probe.html"
    page.write_text('<html><body><img src="http://img.example.invalid/a.png">'
                    '<script src="https://cdn.example.invalid/lib.js"></script><script>'
                    "fetch('https://api.example.invalid/x').catch(() => {})</script>"
                    "</body></html>", encoding="utf-8")
    assert sorted(render(page, tmp_path).requests) == [
        "http://img.example.invalid/a.png", "https://api.example.invalid/x",
        "https://cdn.example.invalid/lib.js"]


def test_csp_blocks_what_the_page_would_request(tmp_path):
    """The same probe under the report's Content-Security-Policy makes no request at all."""
    template = ROOT / "opskit" / "report" / "templates" / "opskit" / "index.html.j2"
    (csp,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]+)"',
                        template.read_text(encoding="utf-8"))
    page = tmp_path / "probe.html"
    page.write_text(f'<html><head><meta http-equiv="Content-Security-Policy" '
                    f'content="{csp}"></head><body>'
                    '<img src="http://img.example.invalid/a.png"><script>'
                    "fetch('https://api.example.invalid/x').catch(() => {})</script>"
                    "</body></html>", encoding="utf-8")
    assert render(page, tmp_path).requests == []


@pytest.fixture(autouse=True)
def need_chromium():
    require_chromium()


@pytest.fixture(scope="module")
def dtc_report(tmp_path_factory):
    """dtc's report from its second run on one ledger, so every kind of figure is in it
    (history included); the first run's report is not used."""
    require_chromium()
    root = tmp_path_factory.mktemp("dtc")
    ledger = root / "ledger.sqlite"
    run(SAMPLES / "dtc", out=root / "first", progress=False, ledger=ledger)
    return run(SAMPLES / "dtc", out=root / "second", progress=False, ledger=ledger)


@pytest.fixture(scope="module")
def portfolio_report(tmp_path_factory):
    """portfolio.html over the four sample clients' findings (client names shown: the
    longest labels)."""
    require_chromium()
    root = tmp_path_factory.mktemp("portfolio")
    return run_portfolio(sample_findings(root / "findings"), out=root / "out")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """One headless Chromium driven over DevTools for the layout tests of this module."""
    require_chromium()
    browser = Page(tmp_path_factory.mktemp("cdp"))
    yield browser
    browser.close()


def test_report_renders_offline_without_console_errors(dtc_report, tmp_path):
    """report.html from file:// logs nothing to the console, draws every plotly figure and
    makes no network request."""
    outcome = dtc_report
    expected = json.loads(outcome.json.read_text())["figures"]
    dom, console, requests = render(outcome.html, tmp_path,
                                    screenshot=ARTIFACTS / "report-dtc.png")
    assert console == []
    assert requests == []
    drawn = re.findall(r'<div[^>]+class="[^"]*\bjs-plotly-plot\b', dom)
    assert len(drawn) == expected
    assert (ARTIFACTS / "report-dtc.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def hostile_engagement(tmp_path_factory):
    """The dtc sample with script payloads in product and customer names, memos, a SKU and a
    date."""
    folder = tmp_path_factory.mktemp("hostile") / "dtc"
    shutil.copytree(SAMPLES / "dtc", folder)
    data = folder / "data"

    def edit(name, change):
        path = next(data.glob(f"{name}.csv*"))
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        change(frame)
        frame.to_csv(path, index=False)

    def products(frame):
        frame.loc[:4, "name"] = PAYLOAD_IMG

    def customers(frame):
        frame.loc[:40, "name"] = PAYLOAD_SCRIPT

    def ledger(frame):
        frame.loc[:, "memo"] = PAYLOAD_IMG

    def lines(frame):
        frame.loc[frame.index[-25:], "sku"] = PAYLOAD_SCRIPT

    def orders(frame):
        frame.loc[frame.index[-1], "ordered_at"] = PAYLOAD_IMG
        frame.loc[frame.index[-2], "ordered_at"] = PAYLOAD_BEACON

    for name, change in (("products", products), ("customers", customers),
                         ("gl_entries", ledger), ("order_lines", lines), ("orders", orders)):
        edit(name, change)
    return folder


def test_script_payloads_render_as_text(hostile_engagement, tmp_path):
    """Payloads in client data appear as text; the flag they would set stays unset."""
    outcome = run(hostile_engagement, out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
    # <wbr> marks where a long word may wrap in a table cell; the text is the same without
    html = re.sub(r"<wbr\s*/?>", "", outcome.html.read_text())
    assert PAYLOAD_IMG not in html and PAYLOAD_SCRIPT not in html
    assert "&lt;script&gt;document.body.setAttribute" in html  # shown, escaped
    assert PAYLOAD_BEACON not in html and "exfil.example/beacon.gif" in html
    dom, _, requests = render(outcome.html, tmp_path, screenshot=ARTIFACTS / "report-xss.png")
    assert 'data-pwned="' not in dom
    assert re.search(r"<img[^>]*exfil\.example", dom) is None  # text, not an element
    assert requests == []
    assert "<body" in dom


# -- layout: nothing overlaps, nothing is cut, at 1400 px, at 390 px and on paper ----------
# (width in CSS px, media). Print is laid out at 720 px, the text width of Letter paper with
# the template's half-inch page margins, after the page's own beforeprint handlers ran.
LAYOUTS = {"1400": (1400, "screen"), "390": (390, "screen"), "print": (720, "print")}


def open_layout(page: Page, html, layout: str) -> None:
    width, media = LAYOUTS[layout]
    page.open(html, width, media)
    if media == "print":
        page.print_layout()


def drawn_figures(page: Page) -> int:
    return page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length "
                         "&& document.querySelectorAll('.js-plotly-plot').length")


def test_layout_detector_sees_overlaps_cuts_and_hidden_content(page, tmp_path):
    """The detector behind `layout_problems() == []` does see what it looks for: on a probe
    page at 390 px, two labels on one spot, a title wider than its figure, a figure wider
    than its column, a table behind a scroller and a page wider than the phone."""
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<html><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{plotly_js()}</head><body style='margin:0'><main>"
        "<div id='figure' style='width:420px;height:220px'></div>"
        "<div class='scroller' style='width:200px;overflow-x:auto'><table><tr>"
        f"<td>{'x' * 80}</td></tr></table></div><p style='width:900px'>wide</p></main>"
        "<script>Plotly.newPlot('figure', [{x: ['a', 'b'], y: [1, 2], type: 'bar'}], "
        "{title: {text: 'A title much too long for a figure only four hundred pixels wide, "
        "cut'}, width: 420, height: 220, showlegend: false, annotations: ["
        "{x: 'a', y: 2, text: 'warn 1', showarrow: false}, "
        "{x: 'a', y: 2, text: 'fail 1', showarrow: false}]})</script></body></html>",
        encoding="utf-8")
    page.open(probe, 390)
    problems = page.layout_problems()
    title = "A title much too long for a figure only four hundred pixels"
    label = f"figure 1 ({title})"
    assert f'{label}: "warn 1" overlaps "fail 1"' in problems
    assert f'{label}: "{title}" is cut by the figure\'s edge' in problems
    assert f'{label}: "{title}" is outside the viewport' in problems
    assert any(p.startswith(f"{label} is wider than its container (420 px in 390 px)")
               for p in problems)
    assert any(p.startswith("div.scroller hides ") and p.endswith(f'of "{"x" * 60}"')
               for p in problems)
    assert "the page is 900 px wide in a 390 px viewport" in problems
    assert 'p "wide" reaches past the viewport' in problems


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_report_layout_nothing_overlaps_or_is_cut(dtc_report, page, layout):
    """dtc's report.html at 1400 px, at 390 px and printed: every figure drawn, no chart
    title, axis label, tick label, legend entry or annotation overlapping another or cut,
    no figure spilling over the text after it, no heading, paragraph or table cell past the
    viewport, no table wider than its column or behind a scroller. The page is kept as
    screenshots in artifacts/ (report-dtc-<layout>-NN.png)."""
    expected = json.loads(dtc_report.json.read_text())["figures"]
    open_layout(page, dtc_report.html, layout)
    assert drawn_figures(page) == expected
    assert page.layout_problems() == []
    assert page.console == []
    shots = page.screenshots(ARTIFACTS / f"report-dtc-{layout}")
    assert shots and all(p.stat().st_size > 1_000 for p in shots)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_portfolio_layout_nothing_overlaps_or_is_cut(portfolio_report, page, layout):
    """portfolio.html at 1400 px, at 390 px and printed: the same checks as the report's
    (its heat map has 42 rows of long check titles and the clients' full names)."""
    expected = figure_count(build_portfolio(find_findings(portfolio_report.folder.parent
                                                          / "findings")))
    open_layout(page, portfolio_report.html, layout)
    assert drawn_figures(page) == expected == 3
    assert page.layout_problems() == []
    assert page.console == []
    shots = page.screenshots(ARTIFACTS / f"portfolio-{layout}")
    assert shots and all(p.stat().st_size > 1_000 for p in shots)


def test_report_is_navigable(dtc_report, page):
    """The page title names the client and period; every in-page link reaches its target;
    the contents link every finding once, the top findings link the five biggest by what
    they carry into the total, and playbooks unfold under their findings."""
    data = json.loads(dtc_report.json.read_text())
    page.open(dtc_report.html, 1400)
    assert page.evaluate("document.title") == (
        "Operations diagnostic: Cedar & Finch Home, 2026-07-01 to 2026-09-30")
    assert page.evaluate("""[...document.querySelectorAll('a[href^="#"]')].filter(a =>
        !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
        .map(a => a.getAttribute('href'))""") == []
    flagged = [r for r in data["results"] if r["status"] in ("WARN", "FAIL")]
    in_contents = page.evaluate("""[...document.querySelectorAll('.opskit-toc ol ol a')]
        .map(a => a.getAttribute('href').slice(1))""")
    assert sorted(in_contents) == sorted(r["check_id"] for r in flagged)
    top = sorted((r for r in flagged if r["impact"]["in_total"]),
                 key=lambda r: -r["impact"]["carried"]["base"])[:5]
    assert page.evaluate("""[...document.querySelectorAll('.opskit-summary ol a')]
        .map(a => a.getAttribute('href').slice(1))""") == [r["check_id"] for r in top]
    assert page.evaluate("document.querySelectorAll('article details').length") == len(flagged)
    assert page.evaluate("[...document.querySelectorAll('article details')].every(d => "
                         "!d.open)")
    page.print_layout()
    assert page.evaluate("[...document.querySelectorAll('article details')].every(d => "
                         "d.open && d.querySelector('h4'))")
