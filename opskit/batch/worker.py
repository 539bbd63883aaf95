"""One client of a batch, run inside a worker process (a pool process or a Dask worker).

``run_client`` is ``opskit.run.run`` wrapped in what a batch needs around it:

- a hard wall-clock limit: a watchdog thread kills this client's kernel when the client's
  time is up (papermill's ``execution_timeout`` also stops any single cell at the limit);
- retries, up to two, only when the kernel failed to start (it died or stayed silent before
  answering ``kernel_info``: a port taken between choosing it and binding it, a slow start);
- failure isolation: every failure becomes a ``ClientOutcome`` with a reason and a message
  (never an exception crossing the process boundary), and the executed notebook is kept.

The outcome holds only plain values, so it is the same whichever executor carried it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opskit.batch.plan import ClientJob
from opskit.errors import CombinedError, ConfigError, DataError, OpskitError

NOTEBOOK_NAME, KERNEL_LOG = "diagnostic.ipynb", "kernel.log"  # as in opskit.run
MAX_ATTEMPTS = 3  # the first try and two retries, for kernel start failures only
RETRY_PAUSE = 1.0  # seconds before retry n, times n
EVENT_TOPIC = "opskit-batch"

OK = "ok"
PARTIAL = "partial"  # ok: the report was written without the files that could not be used
OPSKIT_BUG = "opskit bug"  # ok, partial: opskit crashed reading a file (a bug of ours)
BAD_DATA = "bad data"
NOTEBOOK_RAISED = "notebook raised"
KERNEL_DIED = "kernel died"
TIMEOUT = "timeout"
NO_KERNEL = "kernel did not start"
CONFIGURATION = "configuration"
ERROR = "error"
WORKER_LOST = "worker lost"

# What jupyter_client says when a kernel never became ready (client.py, _async_wait_for_ready).
KERNEL_START_MESSAGES = ("Kernel died before replying to kernel_info",
                         "Kernel didn't respond in ")
PORT_TAKEN = "Address already in use"  # ipykernel's ZMQError when a port is taken


@dataclass
class ClientOutcome:
    """How one client of a batch ended, and where its files are."""

    slug: str
    client: str
    engagement: str
    status: str  # "ok" or "failed"
    reason: str  # OK, PARTIAL or OPSKIT_BUG when ok; else one of the failure reasons above
    message: str = ""
    attempts: int = 1
    duration_s: float = 0.0
    folder: str | None = None
    notebook: str | None = None
    report: str | None = None
    findings: str | None = None
    workbook: str | None = None
    total_impact: dict[str, float] | None = None
    currency: str = "USD"  # of total_impact: the engagement's currency
    host: str = ""
    pid: int = 0
    failed_attempts: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None  # a traceback, for reason ERROR only

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Failure:
    reason: str
    message: str
    notebook: Path | None
    detail: str | None = None


# -- progress events to the supervisor ---------------------------------------------------
_EVENTS: Any = None


def install_event_queue(queue: Any) -> None:
    """Pool initializer: where this worker process reports 'started' and 'retry' events."""
    global _EVENTS
    _EVENTS = queue


def announce(kind: str, job: ClientJob, attempt: int) -> None:
    """Tell the supervisor that ``job`` started (or restarted); best effort, never raises."""
    event = {"event": kind, "slug": job.slug, "attempt": attempt, "pid": os.getpid(),
             "host": socket.gethostname(), "at": time.time()}
    with contextlib.suppress(Exception):
        if _EVENTS is not None:
            _EVENTS.put(event)
        elif "distributed" in sys.modules:
            from distributed import get_worker

            get_worker().log_event(EVENT_TOPIC, event)


# -- the client --------------------------------------------------------------------------
def run_client(job: ClientJob) -> ClientOutcome:
    """Run one client to a ``ClientOutcome``; see the module docstring. Never raises."""
    started = time.monotonic()
    base = Path(job.out)
    failed: list[dict[str, Any]] = []
    outcome = None
    with _quiet_libraries(), Watchdog(job.timeout, base) as watchdog:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            announce("started" if attempt == 1 else "retry", job, attempt)
            before = _folders(base)
            try:
                outcome = _succeeded(job, _run_once(job))
                break
            except Exception as exc:
                folder = _new_folder(base, before)
                failure = classify(exc, folder, timed_out=watchdog.fired.is_set(),
                                   timeout=job.timeout)
            failed.append({"attempt": attempt, "reason": failure.reason,
                           "message": failure.message,
                           "folder": str(folder) if folder else None})
            if failure.reason == NO_KERNEL and attempt < MAX_ATTEMPTS:
                time.sleep(RETRY_PAUSE * attempt)  # let a taken port or a busy machine settle
                continue
            if failure.reason == NO_KERNEL:
                failure = _Failure(NO_KERNEL, f"{failure.message} (after {attempt} attempts)",
                                   failure.notebook)
            outcome = _failed(job, failure, folder)
            break
    assert outcome is not None
    outcome.attempts = len(failed) + (1 if outcome.ok else 0)
    outcome.failed_attempts = failed
    outcome.duration_s = round(time.monotonic() - started, 2)
    return outcome


def _run_once(job: ClientJob):
    """One attempt: ``opskit.run.run``, the very function behind ``opskit run``; a test's
    notebook (``job.notebook``: one that raises, kills its kernel or blocks) replaces the
    diagnostic one, recorded in no ledger."""
    from opskit.run import DIAGNOSTIC_NOTEBOOK, run

    return run(job.path, audience=job.audience, out=job.out,
               checks=list(job.checks) if job.checks else None,
               thresholds=job.thresholds or None, period_start=job.period_start,
               period_end=job.period_end, progress=False, timeout=job.timeout,
               ledger=job.ledger, record=job.notebook is None,
               notebook=Path(job.notebook) if job.notebook else DIAGNOSTIC_NOTEBOOK)


def _succeeded(job: ClientJob, run_outcome) -> ClientOutcome:
    total, currency = None, "USD"
    if run_outcome.json.exists():
        record = json.loads(run_outcome.json.read_text(encoding="utf-8"))
        total, currency = record.get("total_impact"), record.get("currency") or "USD"
    unusable = run_outcome.unusable
    reason = OPSKIT_BUG if any(u.bug for u in unusable) else PARTIAL if unusable else OK
    message = "; ".join(
        f"without {u.file}: " + (f"opskit crashed reading it ({u.reason}), a bug in opskit"
                                 if u.bug else u.detail) for u in unusable)
    return ClientOutcome(
        slug=job.slug, client=job.client, engagement=job.path, status="ok", reason=reason,
        message=message,
        folder=str(run_outcome.folder), notebook=str(run_outcome.notebook),
        report=str(run_outcome.html),
        findings=str(run_outcome.json) if run_outcome.json.exists() else None,
        workbook=str(run_outcome.xlsx) if run_outcome.xlsx.exists() else None,
        total_impact=total, currency=currency, host=socket.gethostname(), pid=os.getpid())


def _failed(job: ClientJob, failure: _Failure, folder: Path | None) -> ClientOutcome:
    notebook = failure.notebook
    if folder is not None and failure.reason in (TIMEOUT, KERNEL_DIED, NO_KERNEL):
        notebook = keep_notebook(job, folder, failure)
    return ClientOutcome(
        slug=job.slug, client=job.client, engagement=job.path, status="failed",
        reason=failure.reason, message=failure.message,
        folder=str(folder) if folder else None,
        notebook=str(notebook) if notebook else None, detail=failure.detail,
        host=socket.gethostname(), pid=os.getpid())


# -- why it failed -----------------------------------------------------------------------
def classify(exc: BaseException, folder: Path | None, *, timed_out: bool, timeout: int
             ) -> _Failure:
    """The reason and message for an attempt that raised ``exc``."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from opskit.run import NotebookFailed

    notebook = _run_file(folder, NOTEBOOK_NAME) if folder is not None else None
    if notebook is not None and not notebook.exists():
        notebook = None
    cell = _last_cell(notebook)
    where = f" in cell {cell[0]} ({cell[1]!r})" if cell else ""
    if timed_out or isinstance(exc, CellTimeoutError):
        return _Failure(TIMEOUT, f"stopped at the time limit of {timeout} s{where}", notebook)
    if isinstance(exc, NotebookFailed):
        return _Failure(NOTEBOOK_RAISED, f"cell {exc.cell} raised {exc.error}",
                        Path(exc.notebook))
    if is_kernel_start_failure(exc, folder):
        return _Failure(NO_KERNEL, f"the kernel did not start: {exc}", notebook)
    if isinstance(exc, DeadKernelError):
        return _Failure(KERNEL_DIED, f"the kernel process died{where} (killed from outside, "
                        "or out of memory)", notebook)
    if isinstance(exc, DataError) or (isinstance(exc, CombinedError) and all(
            isinstance(e, DataError) for e in exc.errors)):
        return _Failure(BAD_DATA, exc.message, notebook)
    if isinstance(exc, ConfigError | CombinedError):  # engagement.yaml changed mid-batch
        return _Failure(CONFIGURATION, exc.message, notebook)
    if isinstance(exc, OpskitError):
        return _Failure(ERROR, exc.message, notebook)
    return _Failure(ERROR, f"{type(exc).__name__}: {exc}", notebook,
                    detail="".join(traceback.format_exception(exc)))


def is_kernel_start_failure(exc: BaseException, folder: Path | None) -> bool:
    """True when the kernel never became ready, which a retry may cure.

    jupyter_client raises RuntimeError("Kernel died before replying to kernel_info") or
    RuntimeError("Kernel didn't respond in N seconds") while waiting for the first reply.
    nbclient's DeadKernelError comes later, once cells run; it counts as a start failure
    only when the kernel's own log shows it could not bind its ports (a port taken between
    being chosen and being bound) or when the kept notebook shows no cell ever finished.
    """
    from nbclient.exceptions import DeadKernelError

    if isinstance(exc, DeadKernelError):
        if folder is None:
            return False
        if PORT_TAKEN in _read(_run_file(folder, KERNEL_LOG)):
            return True
        notebook = _run_file(folder, NOTEBOOK_NAME)
        return notebook.exists() and not _any_cell_completed(notebook)
    return isinstance(exc, RuntimeError | TimeoutError) and str(exc).startswith(
        KERNEL_START_MESSAGES)


def _any_cell_completed(notebook: Path) -> bool:
    """True when a cell ran to its end: papermill stamps each cell it starts, in order, so
    every started cell but the last one finished."""
    return len(_started_cells(notebook)) >= 2


def _last_cell(notebook: Path | None) -> tuple[int, str] | None:
    """(index, first line) of the cell that was running when the kernel stopped."""
    started = _started_cells(notebook) if notebook is not None else []
    if not started:
        return None
    index, cell = started[-1]
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = source.strip().splitlines()[0] if source.strip() else ""
    return index, first[:60]


def _started_cells(notebook: Path) -> list[tuple[int, dict[str, Any]]]:
    return [(i, c) for i, c in enumerate(_cells(notebook)) if c.get("cell_type") == "code"
            and c.get("metadata", {}).get("papermill", {}).get("start_time")]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cells(notebook: Path) -> list[dict[str, Any]]:
    try:
        return json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []


def keep_notebook(job: ClientJob, folder: Path, failure: _Failure) -> Path | None:
    """The failed run's notebook, with why it stopped in a first cell.

    papermill saves a notebook whose cell raised, marking the cell; a kernel that died or
    was stopped leaves no traceback, and ``opskit.run.execute`` saves the executed notebook
    only when the run ends, so none may exist. Then the notebook is written as it was run,
    parameters included, so the consultant can open it and run it again to see the failure.
    """
    import nbformat

    path = _run_file(folder, NOTEBOOK_NAME)
    note = ""
    try:
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            _prepare_notebook(job, folder, path)
            note = (" The outputs of the cells that ran were not saved; this is the notebook "
                    "as it was run, with its parameters: run it again to see the failure.")
        nb = nbformat.read(path, as_version=4)
        cell = nbformat.v4.new_markdown_cell(
            f"**opskit batch: this run did not finish ({failure.reason}).** "
            f"{failure.message[:1].upper()}{failure.message[1:]}.{note}")
        cell.metadata["tags"] = ["opskit-batch-failure"]
        nb.cells.insert(0, cell)
        nbformat.write(nb, path)
    except Exception:  # a notebook that cannot be written must not hide the failure itself
        return path if path.exists() else None
    return path


def _prepare_notebook(job: ClientJob, folder: Path, path: Path) -> None:
    import papermill

    from opskit.run import DIAGNOSTIC_NOTEBOOK

    template = Path(job.notebook) if job.notebook else DIAGNOSTIC_NOTEBOOK
    papermill.execute_notebook(
        str(template), str(path), prepare_only=True, kernel_name="python3",
        progress_bar=False, log_output=False,
        parameters={"engagement": job.path, "period_start": job.period_start,
                    "period_end": job.period_end, "audience": job.audience,
                    "checks": list(job.checks) if job.checks else None,
                    "thresholds": dict(job.thresholds), "output_dir": str(folder)})


# -- the hard time limit -----------------------------------------------------------------
class Watchdog:
    """Kills this client's kernel when ``seconds`` have passed, and keeps it dead.

    The client's kernel is the child process of this worker whose stderr is a kernel.log
    under the client's own report folder (``opskit.run`` sends it there), so clients that
    share a worker process (a Dask worker with several threads) are never confused.
    """

    def __init__(self, seconds: float, base: Path) -> None:
        self.seconds = seconds
        self.prefix = str(base.resolve()) + os.sep
        self.fired = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True,
                                        name=f"opskit-watchdog-{base.name}")

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        if self._done.wait(self.seconds):
            return
        self.fired.set()
        while True:
            kill_kernels(self.prefix)
            if self._done.wait(0.5):
                return


def kill_kernels(prefix: str) -> int:
    """Kill (with their children) the child processes writing under ``prefix``; how many."""
    import psutil

    killed = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            if not any(f.path.startswith(prefix) for f in proc.open_files()):
                continue
            for victim in [*proc.children(recursive=True), proc]:
                victim.kill()
            killed += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return killed


# -- small helpers -----------------------------------------------------------------------
def _run_file(folder: Path, name: str) -> Path:
    """``name`` (the executed notebook, kernel.log) in a report folder's ``run/``."""
    from opskit.run import RUN_DIR

    return folder / RUN_DIR / name


def _folders(base: Path) -> set[Path]:
    """The report folders in ``base`` (not the hidden ledger and work folders)."""
    return ({p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")}
            if base.is_dir() else set())


def _new_folder(base: Path, before: set[Path]) -> Path | None:
    """The report folder this attempt created (only this client writes under ``base``)."""
    new = sorted(_folders(base) - before)
    return new[-1] if new else None


@contextlib.contextmanager
def _quiet_libraries() -> Iterator[None]:
    """papermill and nbclient log a dead kernel or a timeout on stderr; the outcome says it,
    so the batch's progress display stays readable."""
    loggers = [logging.getLogger(name) for name in ("papermill", "traitlets", "nbclient")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
