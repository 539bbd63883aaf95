"""Execute the diagnostic notebook for one client: validate, execute, export, publish.

The recipe, step by step (as papermill's own ``execute_notebook`` reads):

1. ``load_config``: a bad engagement.yaml fails here, before any kernel.
2. ``WorkFolder``: a private folder beside the reports (0700) in which the whole report is
   built.
3. ``execute``: the kernel is launched first, over Jupyter's ``ipc`` transport (Unix
   sockets in the private folder, not a TCP port other local users can reach), importing
   the report's modules as it boots. Meanwhile this process loads the engagement
   (``Engagement.load_partial``: a file that cannot be used, or that opskit crashed
   reading, is left out and listed in ``Engagement.unusable``, which the outcome carries
   and the caller turns into its exit code, ``opskit.unusable.exit_code``; an engagement
   none of whose files can be used stops the kernel and is raised as bad input, leaving
   nothing), prepares the report context (``report.prepare``: the diagnosis, the
   audience; the very function the explorer and `opskit diagnose` call) and the history
   preview, and hands them to the kernel without a file (``handoff``; the kernel reads
   them ahead, as soon as they are announced). papermill then runs
   notebooks/diagnostic.ipynb in this very interpreter (whatever ``python3`` kernelspec the
   user has installed), saving the executed notebook when execution ends
   (``opskit.engine``); the notebook shows and explains the handed results and writes
   findings.json and evidence/. Meanwhile a fork of this process writes findings.xlsx from
   the very context it handed over (the workbook is the longest artifact; the kernel is a
   process of its own, so both cores work). A failing cell still leaves the executed
   notebook, with the failing cell marked, and raises ``NotebookFailed``.
4. ``export.to_html``: report.html without code cells, plotly.js once, no network, exported
   in a thread as the last cell (the evidence files) starts, by an exporter made while the
   notebook ran.
5. publish: the private folder is renamed to ``reports/<timestamp>/`` in one step, holding
   the deliverables (report.html, findings.xlsx, findings.json, evidence/) and, in ``run/``,
   the executed notebook and kernel.log. Only then is the run recorded in the ledger as a
   completed diagnostic. A run that fails publishes ``run/`` alone (the notebook with the
   failing cell marked, and kernel.log) and is recorded as failed; a run that is killed
   leaves nothing (see ``opskit.workfolder``).

``OPSKIT_FAULT_STAGE`` is a test hook (``opskit.faults``): the fault tests kill the process
at each of these stages to show that nothing half-written or client-derived is left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opskit import faults, handoff
from opskit._startup import skip_slow_optional_imports
from opskit.atomic import WriteFailed, leftovers
from opskit.config import load_config
from opskit.diagnose import resolve_overrides
from opskit.engagement import DATA_DIR, Engagement
from opskit.errors import ConfigError, OpskitError
from opskit.unusable import Unusable
from opskit.workfolder import WorkFolder, sweep

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTIC_NOTEBOOK = ROOT / "notebooks" / "diagnostic.ipynb"
RUN_DIR = "run"
"""The report folder's subfolder for what is not a deliverable: the executed notebook and
the kernel's log."""
NOTEBOOK_NAME, KERNEL_LOG = "diagnostic.ipynb", "kernel.log"
MAX_SOCKET_PATH = 100
"""A Unix socket path must fit in 108 bytes (``sun_path``); beyond this the kernel falls
back to loopback TCP (still signed with its key) rather than fail."""


class _NotLoaded(Exception):
    """The engagement could not be loaded while the kernel started: ``error`` is raised as a
    load before any kernel raises it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class NotebookFailed(OpskitError):
    """A notebook cell raised: names the cell, the error and the executed notebook's path."""

    exit_code = 1

    def __init__(self, cell: int | None, source: str, error: str, notebook: Path) -> None:
        self.cell, self.source, self.error, self.notebook = cell, source, error, notebook
        first_line = source.strip().splitlines()[0] if source.strip() else ""
        super().__init__(
            f"The diagnostic notebook failed in cell {cell} ({first_line!r})",
            got=error,
            hint=f"the executed notebook with the failing cell marked is {notebook}")


@dataclass(frozen=True)
class RunOutcome:
    """Where one run wrote its artifacts."""

    folder: Path
    notebook: Path
    html: Path
    json: Path
    xlsx: Path
    unusable: tuple[Unusable, ...] = ()
    """The files left out of this run (named in the report's data section)."""


def kernel_manager_class(log: Path | None = None, ipython_dir: Path | None = None, *,
                         pass_fds: tuple[int, ...] = (),
                         started: Callable[[int], None] | None = None,
                         preload: tuple[str, ...] = ()):
    """A kernel manager that always starts this interpreter's ipykernel.

    A user's own ``python3`` kernelspec may point at another Python without opskit; the
    report must run in the environment that is running opskit. The kernel's own stderr
    (start-up chatter, or the reason it died) goes to ``log`` instead of the terminal.

    Client data stays in the run's folder: IPython's SQLite history (which would keep every
    cell, client paths included, in ``~/.ipython``) is off; its profile folder, the kernel's
    connection file, its IPC sockets and its temporary files are in ``ipython_dir`` (a
    private folder removed after the run) instead of the home and the system's temporary
    folder. The kernel listens on Unix sockets there (Jupyter's ``ipc`` transport), which
    only this user can open, rather than on a loopback TCP port any local user can reach.

    ``pass_fds`` are inherited by the kernel (the hand-off); ``started`` is told the
    kernel's pid as soon as it exists (so a guardian can kill it if this process dies);
    ``preload`` are statements the kernel runs while it starts (while `opskit run`
    loads and diagnoses), before the first cell needs what they import or warm.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreterKernelManager(AsyncKernelManager):
        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            self.client_factory = _prompt_kernel_client_class()
            if ipython_dir is not None and not self.connection_file:
                # The connection file (sockets and the signing key) in the private folder
                # too, not in the system's temporary folder.
                ipython_dir.mkdir(parents=True, exist_ok=True)
                self.connection_file = str(ipython_dir / f"kernel-{uuid.uuid4().hex}.json")
                sockets = ipython_dir / "k"
                if len(f"{sockets}-65535".encode()) <= MAX_SOCKET_PATH:
                    self.transport = "ipc"
                    self.ip = str(sockets)

        @property
        def kernel_spec(self) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}", "--HistoryManager.enabled=False",
                                    *(f"--IPKernelApp.exec_lines={line}"
                                      for line in preload)],
                              display_name=f"opskit ({sys.executable})", language="python",
                              resource_dir=str(ROOT))

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            # Called once every output is in. Asked to leave, ipykernel 7 sometimes stays
            # for all of jupyter_client's 2.5 s grace before its SIGTERM (one bare notebook
            # in three, measured); the kernel holds nothing to save, so it is stopped at
            # once.
            await self._async_shutdown_kernel(now=True, restart=restart)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # A killed kernel is gone within milliseconds; jupyter_client's 0.1 s poll made
            # every run wait a tenth of a second for its end.
            await super()._async_wait(pollinterval=min(pollinterval, 0.005))

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if log is not None:
                kw["stderr"] = open(log, "ab")  # noqa: SIM115 - owned by the kernel process
            if ipython_dir is not None:
                # Temporary files too: openpyxl writes every sheet (evidence included) to a
                # temporary file before zipping the workbook.
                kw["env"] = {**(kw.get("env") or os.environ), "IPYTHONDIR": str(ipython_dir),
                             "TMPDIR": str(ipython_dir), "TEMP": str(ipython_dir),
                             "TMP": str(ipython_dir)}
            if pass_fds:
                kw["pass_fds"] = tuple(pass_fds)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            process = getattr(self.provisioner, "process", None)
            if started is not None and process is not None:
                started(process.pid)
            faults.point("kernel")

    return ThisInterpreterKernelManager


@functools.cache
def _prompt_kernel_client_class() -> type:
    """The kernel client of ``kernel_manager_class`` (built once, on first use: jupyter_client
    is imported lazily)."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class PromptKernelClient(AsyncKernelClient):
        """jupyter_client's client, but ready as soon as the kernel is: its readiness check
        ends by draining IOPub until nothing arrives for 0.2 s, a fixed 0.2 s on every
        run. Status messages arrive within milliseconds over the Unix sockets, so each
        IOPub wait of that check lasts 20 ms here (a kernel whose IOPub is not connected
        yet is asked again, as jupyter_client does)."""

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            channel = self.iopub_channel
            get_msg = channel.get_msg

            async def briefly(*args: Any, timeout: float | None = None, **kw: Any) -> Any:
                return await get_msg(*args, timeout=None if timeout is None
                                     else min(timeout, 0.02), **kw)

            channel.get_msg = briefly
            try:
                await super()._async_wait_for_ready(timeout)
            finally:
                del channel.get_msg  # the class's own method again

    return PromptKernelClient


def output_folder(out: str | Path, engagements: Iterable[Path] = ()) -> Path:
    """``out`` resolved and created, or a ConfigError saying why it cannot hold reports.

    A file in the way or a folder that cannot be created is named with the system's reason.
    A folder inside an engagement's ``data/`` is refused: reports would sit among the
    client's exports, which stay exactly as the client sent them.
    """
    base = Path(out).expanduser().resolve()
    for engagement in engagements:
        data = (Path(engagement) / DATA_DIR).resolve()
        if base.is_relative_to(data):
            raise ConfigError(f"--out {out}", expected="a folder outside the engagement's "
                              "data/ folder", got=f"a folder inside {data}",
                              hint="omit --out to write into the engagement's reports/, "
                                   "or choose a folder elsewhere")
    if base.exists() and not base.is_dir():
        raise ConfigError(f"--out {out}", expected="a folder", got="a file",
                          hint="choose a folder name, or move the file aside")
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out {out}", expected="a folder opskit can create and write in",
                          got=exc.strerror or type(exc).__name__,
                          hint="choose another folder with --out") from None
    return base


def execute(parameters: Mapping[str, Any], output: Path, *, progress: bool = True,
            timeout: int | None = None, notebook: Path = DIAGNOSTIC_NOTEBOOK,
            private: Path | None = None, pass_fds: tuple[int, ...] = (),
            started: Callable[[int], None] | None = None,
            while_kernel_starts: Callable[[], Mapping[str, Any]] | None = None,
            before_last_cell: Callable[[Any], None] | None = None,
            preload: tuple[str, ...] = ()) -> None:
    """Run ``notebook`` with ``parameters`` into ``output``; NotebookFailed if a cell raises.

    The kernel's log is ``kernel.log`` beside ``output``; its profile, connection file and
    sockets are in a folder of their own inside ``private`` (default: ``output``'s folder),
    removed when the kernel is done.

    With ``while_kernel_starts`` the kernel is launched first (running the ``preload``
    statements and importing the report's modules as it starts) and that function runs
    while it boots; the parameters it returns join ``parameters``. ``before_last_cell``
    receives the executed notebook as it stands when the last cell starts (every output but
    that cell's), so the page can be exported while the last cell writes the evidence files.
    """
    skip_slow_optional_imports()  # before papermill imports jsonschema (see opskit._startup)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from opskit import engine

    output = Path(output).resolve()
    # A folder of its own (never an existing one, which would be reused and then deleted).
    ipython_dir = (Path(tempfile.mkdtemp(prefix=".k", dir=private)) if private is not None
                   else Path(tempfile.mkdtemp(prefix=".ipython-", dir=output.parent)))
    manager = kernel_manager_class(
        output.with_name(KERNEL_LOG), ipython_dir, pass_fds=pass_fds, started=started,
        preload=(*preload, "import opskit.report", "opskit.report.warm_up()")
        if while_kernel_starts is not None else ())
    extra: dict[str, Any] = {}
    km = None
    try:
        if while_kernel_starts is not None:
            from jupyter_core.utils import run_sync

            km = manager(kernel_name="python3")
            run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
            parameters = {**parameters, **while_kernel_starts()}
            extra["km"] = km
        papermill.execute_notebook(
            str(notebook), str(output), parameters=dict(parameters), kernel_name="python3",
            # No cwd=: papermill would chdir the whole process, which races when runs share
            # a process (threads); every path handed to the notebook is absolute instead.
            progress_bar=progress, execution_timeout=timeout,
            # Saved when execution ends, however it ends, so a kernel that dies or a cell
            # that times out still leaves the executed notebook up to that point (not
            # around every cell: opskit.engine).
            engine_name=engine.register(), request_save_on_cell_execute=True,
            before_last_cell=before_last_cell, kernel_manager_class=manager,
            log_output=False, **extra)
    except PapermillExecutionError as exc:
        raise NotebookFailed(exc.cell_index, exc.source, f"{exc.ename}: {exc.evalue}",
                             output) from None
    finally:
        if km is not None:  # started here, so shut down here (papermill leaves it running)
            from jupyter_core.utils import run_sync

            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
        shutil.rmtree(ipython_dir, ignore_errors=True)


def run(path: str | Path, *, audience: str = "consultant", out: str | Path | None = None,
        checks: list[str] | None = None,
        thresholds: Mapping[str, Mapping[str, Any]] | None = None,
        period_start: str | None = None, period_end: str | None = None,
        progress: bool = True, timeout: int | None = None, record: bool = True,
        ledger: str | Path | None = None, notebook: Path = DIAGNOSTIC_NOTEBOOK
        ) -> RunOutcome:
    """Produce the four artifacts of one client's diagnostic; see the module docstring.

    With ``record`` (the default) the run is recorded in the engagement ledger, once its
    report folder is complete, and the report shows what changed since the last diagnostic.
    The ledger is ``ledger`` when given; else, when ``out`` is chosen,
    ``<out>/.opskit/ledger.sqlite``, so a run with ``out`` writes nothing outside it; else
    the workspace's ``.opskit/ledger.sqlite`` beside the engagement. ``notebook`` replaces
    the diagnostic notebook (tests: one that raises, kills its kernel or blocks).
    """
    from opskit import history
    from opskit.history import Lifecycle, ledger_in

    out = Path(out).expanduser() if out is not None else None
    ledger = Path(ledger).expanduser() if ledger is not None else None
    root = load_config(Path(path)).root  # engagement.yaml's problems: before any kernel
    made = _missing_folders(out or root / "reports")
    base = output_folder(out or root / "reports", [root] if out else ())
    if ledger is None:
        ledger = ledger_in(out) if out is not None else history.default_ledger(root)
    ledger = Path(ledger).resolve()
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    sweep(base)
    loaded: list[Engagement] = []
    with _raised_as_before_any_kernel(made, loaded), _signals_end_the_run(), \
            WorkFolder(base) as work, \
            contextlib.closing(handoff.reserve()) as handed:  # filled while the kernel starts
        pending = work.path / history.PENDING_NAME
        folder = work.path
        stage = "notebook"
        request = {"engagement": str(root.resolve()),
                   "period_start": period_start, "period_end": period_end,
                   "audience": audience, "checks": checks,
                   "thresholds": dict(thresholds or {})}
        in_kernel = {"history": record, "ledger": str(ledger),
                     "pending": str(pending) if record else None}  # as without a hand-off

        def diagnose_while_kernel_starts() -> dict[str, Any]:
            """The engagement, its diagnosis and the history preview, here while the kernel
            boots; handed over (what the kernel would otherwise compute itself)."""
            try:
                engagement = Engagement.load_partial(path)
                resolve_overrides(engagement, thresholds)
                Lifecycle.from_config(engagement.config.lifecycle)
            except Exception as exc:
                raise _NotLoaded(exc) from None
            loaded.append(engagement)
            faults.point("load")
            context = _prepared(engagement, request, record, ledger, pending)
            if context is not None:
                context.workbook_apart = True
                # The longest artifact starts first, before the hand-off is pickled (a
                # quarter of a second at 6.5M rows).
                workbook.start(context, work.path, close_in_child=handed.descriptors())
                if handed.fill(handoff.payload(engagement, context, request)):
                    faults.point("handoff")
                    return {**in_kernel, "validated": handed.parameter}
                # Not picklable: the kernel prepares everything itself and writes the
                # workbook again (atomically, over this one, once this one is done).
                workbook.join()
            filled = handed.fill(handoff.payload(engagement))
            faults.point("handoff")
            return {**in_kernel, "validated": handed.parameter if filled else None}

        page = _EarlyExport(work.path / "report.html")

        def handed_over_then_warm() -> dict[str, Any]:
            parameters = diagnose_while_kernel_starts()
            page.warm()  # the CLI waits on the kernel from here
            return parameters
        workbook = _WorkbookApart(work.watch, work.unwatch)
        try:
            executed = work.path / RUN_DIR / NOTEBOOK_NAME
            executed.parent.mkdir()
            kernels: list[int] = []

            def started(pid: int) -> None:
                kernels.append(pid)
                work.watch(pid)

            try:
                execute({**request, "output_dir": str(work.path)}, executed,
                        progress=progress, timeout=timeout, notebook=notebook,
                        private=work.path, pass_fds=(handed.fd, handed.announce_fd),
                        started=started, while_kernel_starts=handed_over_then_warm,
                        before_last_cell=page.start,
                        preload=("import opskit.handoff",
                                 f"opskit.handoff.prefetch({handed.announce_fd})"))
            except BaseException:
                workbook.stop()  # the run fails: the workbook would be thrown away
                raise
            finally:
                handed.close()
                for pid in kernels:
                    _stop_kernel(pid)
                    work.unwatch(pid)
                page.join()
                workbook.join()
            stage = "workbook"
            workbook.finish()
            faults.point("workbook")
            stage = "html"
            page.finish(executed)
            stage = "publish"
            record_file = _take(pending)
            folder = publish(work, base, stamp)
        except BaseException as exc:
            if not isinstance(exc, Exception):
                raise  # Ctrl-C, SIGTERM: the work folder goes, nothing is recorded
            if isinstance(exc, _NotLoaded):
                raise  # nothing to diagnose: nothing is published or recorded (below)
            private = work.path
            folder = _publish_failed(work, base, stamp, exc)
            failure = _moved(exc, private, folder)
            if record:
                _record_failure(ledger, loaded[0] if loaded else path, stage, failure)
            raise failure from None
        faults.point("ledger")
        if record_file is not None:
            history.commit_pending(record_file, ledger)
    return RunOutcome(folder, folder / RUN_DIR / NOTEBOOK_NAME, folder / "report.html",
                      folder / "findings.json", folder / "findings.xlsx",
                      tuple(loaded[0].unusable))


def _prepared(engagement: Engagement, request: Mapping[str, Any], record: bool, ledger: Path,
              pending: Path) -> Any:
    """The report context the notebook would prepare for ``request`` (diagnosis, audience,
    and with ``record`` the history preview, its record left at ``pending``), or None when
    preparing it raises: the kernel then prepares it and fails as it always did (a failing
    cell, the notebook kept)."""
    from opskit.report import prepare, record_history

    try:
        context = prepare(engagement, period_start=request["period_start"],
                          period_end=request["period_end"], audience=request["audience"],
                          checks=request["checks"], thresholds=request["thresholds"])
        record_history(context, record, str(ledger), str(pending) if record else None)
    except Exception:
        pending.unlink(missing_ok=True)
        return None
    return context


class _EarlyExport:
    """report.html exported in a thread from the notebook as its last cell starts (every
    output is there by then; the last cell writes the evidence files and shows nothing), so
    the export overlaps the end of the notebook; ``finish`` waits for it, or exports from
    the finished notebook when it did not start."""

    def __init__(self, html: Path) -> None:
        self.html = html
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def warm(self) -> None:
        """Make the exporter and read plotly.js in a thread while the notebook runs, so the
        export is only the page's rendering (an error shows in the export itself)."""
        def warm_up() -> None:
            from opskit.report import export, figures

            with contextlib.suppress(Exception):
                export.warm_up()
                figures.plotly_js()

        threading.Thread(target=warm_up, name="opskit-html-warm", daemon=True).start()

    def start(self, notebook: Any) -> None:
        self._thread = threading.Thread(target=self._export, args=(notebook,),
                                        name="opskit-html", daemon=True)
        self._thread.start()

    def _export(self, notebook: Any) -> None:
        from opskit.report.export import to_html

        try:
            to_html(notebook, self.html)
        except BaseException as exc:  # handed to the run's thread by finish()
            self._error = exc

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def finish(self, executed: Path) -> None:
        """report.html in place, or the export's error raised."""
        self.join()
        if self._error is not None:
            raise self._error
        if self._thread is None:
            from opskit.report.export import to_html

            to_html(executed, self.html)


class WorkbookWriterCrashed(RuntimeError):
    """The process writing findings.xlsx beside the kernel raised or died: a bug of ours
    (exit 3), with the child's traceback."""


class _WorkbookApart:
    """findings.xlsx written by a forked copy of this process, from the very context handed
    to the kernel, while the kernel boots and runs the notebook's cells. The workbook is the
    longest artifact to write; in a process of its own (not a thread, which would take the
    interpreter lock from papermill and the HTML export) it uses the core the kernel leaves
    free. The notebook's ``write_artifacts`` leaves the workbook to it
    (``ReportContext.workbook_apart``).

    The child leads its own process group and is watched by the work folder's guardian like
    the kernel, so it dies with the run; it reports a failure through a pipe (a write error
    as the path and the system's reason, anything else as its traceback) and always ends
    with ``os._exit`` (no ``atexit``, no buffered output of the parent flushed twice)."""

    def __init__(self, watch: Callable[[int], None], unwatch: Callable[[int], None]) -> None:
        self._watch, self._unwatch = watch, unwatch
        self._pid: int | None = None
        self._pipe = -1
        self._report = b""
        self._status = 0

    def start(self, context: Any, folder: Path, close_in_child: tuple[int, ...] = ()) -> None:
        """Fork the writer; the child first closes ``close_in_child`` (the hand-off's
        descriptors: only the run and its kernel hold those)."""
        # What the child imports first, imported here: another thread of this process (a
        # second run, the export's warm-up) may hold an import lock at the fork.
        import openpyxl.packaging.extended  # noqa: F401

        import opskit.report.sheet_rows  # noqa: F401

        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: write, report, leave
            os.close(read)
            for descriptor in close_in_child:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
            _write_workbook_and_exit(context, folder, write)
        os.close(write)
        with contextlib.suppress(OSError):  # the child does it too; whichever runs first
            os.setpgid(pid, pid)
        self._pid, self._pipe = pid, read
        self._watch(pid)

    def join(self) -> None:
        """Wait for the child (its report read first, so a long traceback never blocks it)."""
        if self._pid is None:
            return
        chunks = []
        while chunk := os.read(self._pipe, 65536):
            chunks.append(chunk)
        os.close(self._pipe)
        _, self._status = os.waitpid(self._pid, 0)
        self._unwatch(self._pid)
        self._pid, self._report = None, b"".join(chunks)

    def stop(self) -> None:
        """Kill the child (the run failed or was interrupted) and reap it."""
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pid, signal.SIGKILL)
            self.join()

    def finish(self) -> None:
        """Raise what went wrong in the child: WriteFailed naming the file, or a crash."""
        self.join()
        if not self._report and self._status == 0:
            return
        report = pickle.loads(self._report) if self._report else {}
        if report.get("kind") == "write":
            raise WriteFailed(Path(report["path"]), OSError(0, report["got"]))
        if report.get("kind") == "crash":
            raise WorkbookWriterCrashed(f"writing findings.xlsx failed:\n{report['trace']}")
        raise WorkbookWriterCrashed(f"the process writing findings.xlsx ended with status "
                                    f"{self._status} and said nothing")


def _write_workbook_and_exit(context: Any, folder: Path, pipe: int) -> None:
    """The forked child's whole life: findings.xlsx, a report of any failure, ``_exit``."""
    code = 0
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        from opskit.report.workbook import write_workbook

        write_workbook(context, folder)
    except WriteFailed as exc:
        code = _tell(pipe, {"kind": "write", "path": str(exc.path), "got": exc.got})
    except BaseException:
        import traceback

        code = _tell(pipe, {"kind": "crash", "trace": traceback.format_exc()})
    finally:
        os._exit(code)


def _tell(pipe: int, report: dict[str, str]) -> int:
    """Write ``report`` to the parent; the child's exit code (1: something to report)."""
    data = pickle.dumps(report)
    with contextlib.suppress(OSError):
        view = memoryview(data)
        while view:
            view = view[os.write(pipe, view):]
    return 1


def publish(work: WorkFolder, base: Path, stamp: str) -> Path:
    """Rename the finished work folder to a free ``<base>/<stamp>[-n]`` (never replacing
    another run's folder); the report folder."""
    for n in range(1, 1000):
        folder = base / (stamp if n == 1 else f"{stamp}-{n}")
        if folder.exists():
            continue
        try:
            work.publish(folder)
            return folder
        except OSError as exc:  # taken in between (ENOTEMPTY/EEXIST): the next name
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise WriteFailed(folder, exc) from None
    raise OpskitError(f"{base}", expected="a free report folder name", got="1000 taken")


def _publish_failed(work: WorkFolder, base: Path, stamp: str, exc: Exception) -> Path:
    """A failed run's folder: ``run/`` only (the executed notebook with the failing cell
    marked, and kernel.log), never a partial deliverable; the work folder when even that
    cannot be published (it is then removed)."""
    from opskit.history import PENDING_NAME

    for name in ("report.html", "findings.json", "findings.xlsx", "evidence", PENDING_NAME):
        target = work.path / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
    for leftover in leftovers(work.path):
        leftover.unlink(missing_ok=True)
    for private in work.path.glob(".k*"):
        shutil.rmtree(private, ignore_errors=True)
    if not (work.path / RUN_DIR / NOTEBOOK_NAME).exists() and not (
            work.path / RUN_DIR / KERNEL_LOG).exists():
        return work.path
    try:
        return publish(work, base, stamp)
    except OpskitError:
        return work.path


def _moved(exc: Exception, work: Path, folder: Path) -> Exception:
    """``exc`` with the paths it names moved from the work folder to the report folder."""
    if isinstance(exc, NotebookFailed) and folder != work:
        notebook = folder / Path(exc.notebook).relative_to(work)
        # a file the notebook could not write is named where it belonged
        return NotebookFailed(exc.cell, exc.source, exc.error.replace(str(work), str(folder)),
                              notebook)
    if isinstance(exc, WriteFailed) and Path(exc.path).is_relative_to(work) and folder != work:
        return WriteFailed(folder / Path(exc.path).relative_to(work),
                           OSError(0, exc.got or "write failed"))
    return exc


def _stop_kernel(pid: int) -> None:
    """Kill the kernel ``pid`` (our child, leader of its process group) if it is still
    running after papermill is done with it (an interrupted start); a kernel already shut
    down and reaped is left alone, so a reused pid is never touched."""
    try:
        alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return  # reaped by jupyter_client: gone
    if alive:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _take(pending: Path) -> dict[str, Any] | None:
    """The run record the notebook left for the ledger (removed from the work folder)."""
    from opskit.history import read_pending

    try:
        return read_pending(pending)
    finally:
        pending.unlink(missing_ok=True)


def _record_failure(ledger: Path, engagement: Engagement | str | Path, stage: str,
                    exc: Exception) -> None:
    """Record a failed run apart from the diagnostics; a ledger that cannot be used does not
    hide the failure itself. A run that failed before its engagement loaded (the kernel did
    not start) loads it here, for its client and period."""
    from opskit.history import LedgerError, record_failure

    if not isinstance(engagement, Engagement):
        try:
            engagement = Engagement.load_partial(engagement)
        except Exception:
            return  # nothing to name the failure by; the error itself is still raised
    with contextlib.suppress(LedgerError, OSError):
        record_failure(ledger, engagement, stage, exc)


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    folder = Path(folder).expanduser().resolve()  # as output_folder resolves it
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


@contextlib.contextmanager
def _raised_as_before_any_kernel(made: list[Path], loaded: list[Engagement]
                                 ) -> Iterator[None]:
    """An engagement with nothing to diagnose (it loads while the kernel starts) raises its
    problems as a load before any kernel did: the kernel is stopped, the work folder goes,
    and so do the (empty) folders made for its reports; nothing is recorded. A run stopped
    (Ctrl-C, SIGTERM) before its engagement loaded leaves no such folder either."""
    try:
        yield
    except BaseException as exc:
        if isinstance(exc, _NotLoaded) or not loaded:
            for folder in made:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only an empty one: nothing published is touched
        if isinstance(exc, _NotLoaded):
            raise exc.error from None
        raise


@contextlib.contextmanager
def _signals_end_the_run() -> Iterator[None]:
    """SIGTERM ends the run as Ctrl-C does (``finally`` blocks run, the work folder goes);
    only the main thread can set handlers, so runs in a batch worker's threads keep theirs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
