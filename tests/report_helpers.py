"""Helpers shared by the report tests: running reports once, reading every artifact, Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps",
    # No network at all: every host resolves nowhere and any proxy use fails.
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(html: Path, tmp: Path, screenshot: Path | None = None) -> tuple[str, list[str]]:
    """Open ``html`` from file:// in headless Chromium: (DOM after scripts ran, console lines)."""
    binary = chromium()
    profile = tmp / "chromium-profile"
    args = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr",
            "--v=0", "--virtual-time-budget=20000", "--window-size=1200,3000"]
    done = subprocess.run([*args, "--dump-dom", html.resolve().as_uri()], capture_output=True,
                          text=True, timeout=180)
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([*args, f"--screenshot={screenshot}", html.resolve().as_uri()],
                       capture_output=True, text=True, timeout=180)
    return done.stdout, console


def artifact_texts(folder: Path) -> dict[str, str]:
    """The text of every file a run wrote (HTML, JSON, CSV, and every cell of the workbook)."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".json", ".csv", ".ipynb"):
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
