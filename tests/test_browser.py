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
from report_helpers import render, require_chromium

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


def test_report_renders_offline_without_console_errors(tmp_path):
    """report.html from file:// logs nothing to the console, draws every plotly figure and
    makes no network request."""
    outcome = run(SAMPLES / "dtc", out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
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
    html = outcome.html.read_text()
    assert PAYLOAD_IMG not in html and PAYLOAD_SCRIPT not in html
    assert "&lt;script&gt;document.body.setAttribute" in html  # shown, escaped
    assert PAYLOAD_BEACON not in html and "exfil.example/beacon.gif" in html
    dom, _, requests = render(outcome.html, tmp_path, screenshot=ARTIFACTS / "report-xss.png")
    assert 'data-pwned="' not in dom
    assert re.search(r"<img[^>]*exfil\.example", dom) is None  # text, not an element
    assert requests == []
    assert "<body" in dom
