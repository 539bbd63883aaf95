"""Helpers shared by the report tests: running reports once, reading every artifact, Chromium."""

from __future__ import annotations

import contextlib
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
            # <wbr> (where a long word may wrap in a table cell) must not hide an email
            texts[str(path)] = re.sub(r"<wbr\s*/?>", "", path.read_text(encoding="utf-8"))
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
LIBRARY = re.compile(r"<script[^>]*>(?:[^<]|<(?!/script>)){100000,}</script>")
"""An embedded library: one script element of 100,000 characters or more (plotly.js)."""


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


ANSWER_WITHIN_S = 300


class Page:
    """Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
    the browser reads commands from fd 3 and writes replies to fd 4, each a JSON message ended
    by a NUL byte), so a test can set the viewport width and the media type, then read layout
    boxes and take screenshots without any extra package."""

    def __init__(self, tmp: Path) -> None:
        import fcntl

        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds() -> None:  # runs in the child, before exec: the pipe ends on fd 3 and 4
            low_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
            low_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(low_r, 3)
            os.dup2(low_w, 4)

        self._proc = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'cdp-profile'}",
             "--remote-debugging-pipe", "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.console: list[str] = []
        self.width = 0
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target,
                                  flatten=True)["sessionId"]
        self.send("Page.enable", session=True)
        self.send("Runtime.enable", session=True)
        self.send("Log.enable", session=True)  # CSP refusals, failed loads

    def _message(self) -> dict:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], ANSWER_WITHIN_S)
            if not ready:  # a hang guard, not a speed requirement
                raise RuntimeError(f"Chromium did not answer within {ANSWER_WITHIN_S} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: bool = False, **params) -> dict:
        """One DevTools command; events that arrive before its reply are kept or dropped."""
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._message()
            self._event(reply)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _event(self, message: dict) -> None:
        if message.get("method") == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", a.get("description", "")))
                                         for a in message["params"]["args"]))
        elif message.get("method") == "Runtime.exceptionThrown":
            self.console.append(str(message["params"]["exceptionDetails"]))
        elif message.get("method") == "Log.entryAdded":
            entry = message["params"]["entry"]
            if entry.get("level") in ("error", "warning"):
                self.console.append(f"{entry.get('source')}: {entry.get('text')}")
        elif message.get("method") == "Page.loadEventFired":
            self._loaded = True

    def open(self, html: Path, width: int, media: str = "screen", height: int = 1400) -> None:
        """Load ``html`` at ``width`` CSS pixels (a phone below 600) in ``media`` (screen or
        print), and wait until every plotly figure has drawn. ``console`` then holds what
        this page logged."""
        self.width = width
        self.console = []
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width,
                  height=height, deviceScaleFactor=1, mobile=width < 600)
        self.send("Emulation.setEmulatedMedia", session=True, media=media)
        self._loaded = False
        self.send("Page.navigate", session=True, url=html.resolve().as_uri())
        while not self._loaded:
            self._event(self._message())
        self.settle()

    def settle(self) -> None:
        """Wait until every plotly figure has drawn and the page's own fitting (the report
        template's ``window.opskitLayout``) is done; then two animation frames. Waits on the
        page's state, not on a clock."""
        self.evaluate("""new Promise(done => { const ready = () => [...document.querySelectorAll(
            '.plotly-graph-div')].every(g => g.querySelector('svg.main-svg'));
            const wait = () => ready() ? Promise.resolve(window.opskitLayout).then(() =>
            requestAnimationFrame(() => requestAnimationFrame(() => done(true))))
            : setTimeout(wait, 50); wait(); })""")

    def print_layout(self) -> None:
        """What the page does when it is printed: its ``beforeprint`` handlers run (playbooks
        unfold, charts narrow to the paper), under print media already emulated."""
        self.evaluate("window.dispatchEvent(new Event('beforeprint')); true")
        self.settle()

    def layout_problems(self) -> list[str]:
        """Every overlap and cut the page shows at its current width and media, in words
        (empty when there is none). See ``LAYOUT_PROBLEMS``."""
        return self.evaluate(f"({LAYOUT_PROBLEMS})({self.width})")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        reply = self.send("Runtime.evaluate", session=True, expression=expression,
                          returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshots(self, stem: Path) -> list[Path]:
        """The whole page as PNGs of one screen each (``stem-00.png``, ``stem-01.png``, ...),
        scrolled to and captured inside the viewport, so taking them resizes nothing. The
        last one ends at the page's end (overlapping the one before), never a sliver of a
        few blank pixels."""
        import base64

        whole = int(self.evaluate("document.documentElement.scrollHeight"))
        width = int(self.evaluate("document.documentElement.clientWidth"))
        screen = int(self.evaluate("window.innerHeight"))
        stem.parent.mkdir(parents=True, exist_ok=True)
        for old in stem.parent.glob(f"{stem.name}-*.png"):
            old.unlink()
        paths = []
        for number, start in enumerate(range(0, whole, screen)):
            top = min(start, max(0, whole - screen))
            self.evaluate(f"window.scrollTo(0, {top}); new Promise(r => requestAnimationFrame("
                          "() => r(true)))")
            shot = self.send("Page.captureScreenshot", session=True, format="png", clip={
                "x": 0, "y": top, "width": width, "height": min(screen, whole - top),
                "scale": 1})
            path = stem.parent / f"{stem.name}-{number:02d}.png"
            path.write_bytes(base64.b64decode(shot["data"]))
            paths.append(path)
        self.evaluate("window.scrollTo(0, 0); true")
        return paths

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        self._proc.wait(timeout=30)
        os.close(self._to_browser)
        os.close(self._from_browser)


LAYOUT_PROBLEMS = r"""(vw => {
  // Boxes of every text a plotly figure draws: its title, axis titles, tick labels, legend
  // entries and annotations. Two may not overlap; each must lie inside its figure and the
  // viewport. The page itself may not be wider than the viewport, no heading, paragraph,
  // list item, table or table cell may reach past it, and no block may hide content behind a
  // scroller or a clip (tables included: they must fit their container).
  // vw is the width the page was opened at: a phone may zoom out to show a page wider than
  // itself, which would widen window.innerWidth and hide the very overflow looked for.
  const TOL = 1, problems = [];
  const box = e => e.getBoundingClientRect();
  const name = e => (e.textContent || '').trim().slice(0, 60).trim();
  // A text's outline as drawn: its own box mapped to the screen (rotated tick labels stay
  // thin slanted quadrilaterals instead of their large upright bounding boxes).
  const outline = e => {
    const b = e.getBBox(), m = e.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
            [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                   m.b * x + m.d * y + m.f]);
  };
  // Convex outlines overlap when no edge normal separates them (by more than TOL px).
  const overlap = (p, q) => [p, q].every(poly => poly.every((pt, k) => {
    const next = poly[(k + 1) % poly.length];
    const ax = [next[1] - pt[1], pt[0] - next[0]];
    const len = Math.hypot(ax[0], ax[1]) || 1;
    const proj = s => s.map(v => (v[0] * ax[0] + v[1] * ax[1]) / len);
    const a = proj(p), c = proj(q);
    return Math.min(Math.max(...a), Math.max(...c))
           - Math.max(Math.min(...a), Math.min(...c)) > TOL;
  }));
  const SELECTORS = ['g[class^="g-"][class$="title"] > text', 'g[class$="tick"] > text',
                     '.legendtext', '.annotation-text'];
  document.querySelectorAll('.js-plotly-plot').forEach((gd, i) => {
    const figure = box(gd);
    const label = `figure ${i + 1} (${name(gd.querySelector('.gtitle') || gd)})`;
    const container = gd.parentElement.getBoundingClientRect();
    if (figure.right > container.right + TOL || figure.left < container.left - TOL)
      problems.push(`${label} is wider than its container (${Math.round(figure.width)} px `
                    + `in ${Math.round(container.width)} px)`);
    const texts = [...gd.querySelectorAll(SELECTORS.join(','))].filter(e => name(e)
      && box(e).width > 0 && getComputedStyle(e).visibility !== 'hidden'
      && getComputedStyle(e).opacity !== '0');
    // The drawing may not spill out of the boxes that hold it (it would cover what follows).
    const drawn = box(gd.querySelector('.main-svg') || gd);
    for (let e = gd; e && e.tagName !== 'MAIN'; e = e.parentElement) {
      const holder = box(e);
      if (drawn.bottom > holder.bottom + TOL || drawn.right > holder.right + TOL) {
        problems.push(`${label} spills out of its ${e.tagName.toLowerCase()}.${e.className} `
                      + `by ${Math.round(drawn.bottom - holder.bottom)} px`);
        break;
      }
    }
    const shapes = texts.map(outline);
    texts.forEach((e, j) => {
      const r = box(e);
      if (r.left < figure.left - TOL || r.right > figure.right + TOL
          || r.top < figure.top - TOL || r.bottom > figure.bottom + TOL)
        problems.push(`${label}: "${name(e)}" is cut by the figure's edge`);
      if (r.left < -TOL || r.right > vw + TOL)
        problems.push(`${label}: "${name(e)}" is outside the viewport`);
      texts.forEach((f, k) => {
        if (k > j && overlap(shapes[j], shapes[k]))
          problems.push(`${label}: "${name(e)}" overlaps "${name(f)}"`);
      });
    });
  });
  const page = document.documentElement.scrollWidth;
  if (page > vw + TOL) problems.push(`the page is ${page} px wide in a ${vw} px viewport`);
  document.querySelectorAll('h1, h2, h3, h4, p, li, table, th, td, summary').forEach(e => {
    const r = box(e);
    if (r.width > 0 && (r.right > vw + TOL || r.left < -TOL))
      problems.push(`${e.tagName.toLowerCase()} "${name(e)}" reaches past the viewport`);
    else if (e.tagName !== 'TABLE' && e.scrollWidth > e.clientWidth + TOL)
      problems.push(`${e.tagName.toLowerCase()} "${name(e)}" runs out of its box`);
  });
  document.querySelectorAll('main *').forEach(e => {
    if (e.closest('.js-plotly-plot') || e.closest('svg')) return;
    const style = getComputedStyle(e);
    if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)
        && e.scrollWidth > e.clientWidth + TOL)
      problems.push(`${e.tagName.toLowerCase()}.${e.className} hides `
                    + `${e.scrollWidth - e.clientWidth} px of "${name(e)}"`);
  });
  document.querySelectorAll('table').forEach(t => {
    const parent = box(t.parentElement);
    if (box(t).right > parent.right + TOL)
      problems.push(`table "${name(t.querySelector('tr') || t)}" is wider than its container`);
  });
  return problems;
})"""
