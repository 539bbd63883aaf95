"""The report in a real browser: headless Chromium, file://, network disabled.

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
from report_helpers import chromium, in_ci, render

from opskit.run import run

ARTIFACTS = ROOT / "artifacts"
PAYLOAD_IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
PAYLOAD_SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"


@pytest.fixture(autouse=True)
def need_chromium():
    if chromium() is None:
        if in_ci():
            pytest.fail("Chromium is required in CI: .ci/run installs it (apt-get install "
                        "chromium)")
        pytest.skip("Chromium not installed; install it with `apt-get install chromium` to "
                    "run the browser tests")


def test_report_renders_offline_without_console_errors(tmp_path):
    """report.html from file:// logs nothing to the console and draws every plotly figure."""
    outcome = run(SAMPLES / "dtc", out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
    expected = json.loads(outcome.json.read_text())["figures"]
    dom, console = render(outcome.html, tmp_path, screenshot=ARTIFACTS / "report-dtc.png")
    assert console == []
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
    dom, _ = render(outcome.html, tmp_path, screenshot=ARTIFACTS / "report-xss.png")
    assert 'data-pwned="' not in dom
    assert "<body" in dom
