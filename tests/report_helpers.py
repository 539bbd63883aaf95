"""Helpers shared by the report tests: running reports once, reading every artifact, Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps",
    # No network at all: every host resolves nowhere and any proxy use fails.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> None:
    """Skip with the install hint where Chromium is missing; in CI (CI=true) that is a
    failure, since .ci/run installs Debian's chromium."""
    if chromium() is None:
        if in_ci():
            pytest.fail("Chromium is required in CI: .ci/run installs it (apt-get install "
                        "chromium)")
        pytest.skip("Chromium not installed; install it with `apt-get install chromium` to "
                    "run the browser tests")


class Rendered(NamedTuple):
    """What headless Chromium saw of a page."""

    dom: str  # the DOM after scripts ran
    console: list[str]  # console lines (errors, CSP refusals, ...)
    requests: list[str]  # URLs the page itself asked the network for


def render(html: Path, tmp: Path, screenshot: Path | None = None) -> Rendered:
    """Open ``html`` from file:// in headless Chromium with the network disabled and a net log.

    The net log records every request that reached Chromium's network stack, whether or not
    it could have succeeded; a request blocked by the page's Content-Security-Policy never
    gets there. See ``page_requests`` for telling the page's requests from the browser's.
    """
    binary = chromium()
    profile = tmp / "chromium-profile"
    netlog = tmp / "chromium-netlog.json"
    args = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
            "--v=0", "--virtual-time-budget=20000", "--window-size=1200,3000"]
    done = subprocess.run([*args, f"--log-net-log={netlog}", "--dump-dom",
                           html.resolve().as_uri()], capture_output=True, text=True,
                          timeout=180)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*args, f"--screenshot={screenshot}", html.resolve().as_uri()],
                       capture_output=True, text=True, timeout=180)
    return Rendered(done.stdout, console, page_requests(netlog))


def page_requests(netlog: Path) -> list[str]:
    """The URLs a page requested, from Chromium's net log.

    Chromium's own background traffic (component updates, account checks) starts with no
    initiating origin ("not an origin"); a request a page makes carries the page's origin
    ("null" for a file:// page). Every URL_REQUEST_START_JOB of the second kind counts.
    """
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [event["params"]["url"] for event in log["events"]
            if event["type"] == start_job and "url" in event.get("params", {})
            and event["params"].get("initiator") != "not an origin"]


def artifact_texts(folder: Path) -> dict[str, str]:
    """The text of every file a run wrote (HTML, JSON, CSV, the notebook, the kernel log, and
    every cell of the workbook)."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".json", ".csv", ".ipynb", ".log"):
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str)
            texts[str(path)] = "\n".join(
                " ".join(frame.astype(str).fillna("").to_numpy().ravel())
                + " " + " ".join(map(str, frame.columns)) for frame in sheets.values())
    return texts


def contact_values(engagement) -> tuple[set[str], set[str]]:
    """Every email and phone number in the engagement's input tables."""
    emails, phones = set(), set()
    email = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    for frame in engagement.tables.values():
        for column in frame.columns:
            if not (pd.api.types.is_string_dtype(frame[column].dtype)):
                continue
            values = frame[column].dropna().astype(str)
            if column in ("phone", "from_number", "to_number"):
                phones |= set(values)
            found = values.str.findall(email).explode().dropna()
            emails |= set(found)
    return emails, phones


EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
DIGIT_RUN = re.compile(r"[\d\s().+-]{10,}")
LIBRARY = re.compile(r"<script[^>]*>.{100000,}?</script>", re.S)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def contact_leaks(texts: dict[str, str], emails: set[str], phones: set[str]
                  ) -> list[tuple[str, str]]:
    """(file, value) for every input email or phone number found in an artifact.

    Emails are found by pattern and compared exactly; phone numbers by their last ten digits
    inside any run of digits and phone separators, so a reformatted number is still caught.
    """
    cores = {digits(p)[-10:] for p in phones if len(digits(p)) >= 10}
    found = []
    for path, text in texts.items():
        text = LIBRARY.sub("", text)  # plotly.js itself holds no client data
        found += [(path, e) for e in set(EMAIL.findall(text)) & emails]
        for run in DIGIT_RUN.findall(text):
            d = digits(run)
            found += [(path, d[i:i + 10]) for i in range(len(d) - 9) if d[i:i + 10] in cores]
    return found


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
