"""Execute the diagnostic notebook for one client: validate, execute, export.

The recipe, step by step (as papermill's own ``execute_notebook`` reads):

1. ``Engagement.load_partial``: a bad engagement.yaml, or an engagement none of whose files
   can be used, fails here, before any kernel; a file that cannot be used (or that opskit
   crashed reading) is left out and listed in ``Engagement.unusable``, and the rest is
   diagnosed. The outcome carries that list, which
   the caller turns into its exit code (``opskit.unusable.exit_code``).
2. ``report_folder``: a new ``reports/<timestamp>/`` that no other run shares; the validated
   engagement is handed to the kernel there (``handoff``), so it is not read twice.
3. ``execute``: papermill runs notebooks/diagnostic.ipynb in this very interpreter (whatever
   ``python3`` kernelspec the user has installed), writing findings.json, findings.xlsx and
   evidence/ from inside the notebook. A failing cell still leaves the executed notebook,
   with the failing cell marked, and raises ``NotebookFailed``.
4. ``export.to_html``: report.html without code cells, plotly.js once, no network.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opskit import handoff
from opskit.diagnose import resolve_overrides
from opskit.engagement import DATA_DIR, Engagement
from opskit.errors import ConfigError, OpskitError
from opskit.unusable import Unusable

ROOT = Path(__file__).resolve().parent.parent
DIAGNOSTIC_NOTEBOOK = ROOT / "notebooks" / "diagnostic.ipynb"


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


def kernel_manager_class(log: Path | None = None, ipython_dir: Path | None = None):
    """A kernel manager that always starts this interpreter's ipykernel.

    A user's own ``python3`` kernelspec may point at another Python without opskit; the
    report must run in the environment that is running opskit. The kernel's own stderr
    (start-up chatter, or the reason it died) goes to ``log`` instead of the terminal.

    Client data stays in the report folder: IPython's SQLite history (which would keep every
    cell, client paths included, in ``~/.ipython``) is off; its profile folder, the kernel's
    connection file and the kernel's temporary files are in ``ipython_dir`` (inside the
    report folder, removed after the run) instead of the home and the system's temporary
    folder.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreterKernelManager(AsyncKernelManager):
        def __init__(self, **kw: Any) -> None:
            super().__init__(**kw)
            if ipython_dir is not None and not self.connection_file:
                # The connection file (ports and the signing key) in the report folder too,
                # not in the system's temporary folder.
                ipython_dir.mkdir(parents=True, exist_ok=True)
                self.connection_file = str(ipython_dir / f"kernel-{uuid.uuid4().hex}.json")

        @property
        def kernel_spec(self) -> KernelSpec:
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}", "--HistoryManager.enabled=False"],
                              display_name=f"opskit ({sys.executable})", language="python",
                              resource_dir=str(ROOT))

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            if log is not None:
                kw["stderr"] = open(log, "ab")  # noqa: SIM115 - owned by the kernel process
            if ipython_dir is not None:
                # Temporary files too: openpyxl writes every sheet (evidence included) to a
                # temporary file before zipping the workbook.
                kw["env"] = {**(kw.get("env") or os.environ), "IPYTHONDIR": str(ipython_dir),
                             "TMPDIR": str(ipython_dir), "TEMP": str(ipython_dir),
                             "TMP": str(ipython_dir)}
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return ThisInterpreterKernelManager


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


def report_folder(base: Path, engagements: Iterable[Path] = ()) -> Path:
    """A fresh ``<base>/<timestamp>`` folder (``base`` checked by ``output_folder``);
    concurrent runs get distinct folders."""
    base = output_folder(base, engagements)
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    for n in range(1, 1000):
        folder = base / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise ConfigError(f"{base}", expected="a folder opskit can write in",
                              got=exc.strerror or type(exc).__name__,
                              hint="choose another folder with --out") from None
    raise OpskitError(f"{base}", expected="a free report folder name", got="1000 taken")


def execute(parameters: Mapping[str, Any], output: Path, *, progress: bool = True,
            timeout: int | None = None, notebook: Path = DIAGNOSTIC_NOTEBOOK) -> None:
    """Run ``notebook`` with ``parameters`` into ``output``; NotebookFailed if a cell raises."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output = Path(output).resolve()
    # A folder of its own (never an existing one, which would be reused and then deleted):
    # the kernel's IPython profile and connection file, removed when the kernel is done.
    ipython_dir = Path(tempfile.mkdtemp(prefix=".ipython-", dir=output.parent))
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=dict(parameters), kernel_name="python3",
            # No cwd=: papermill would chdir the whole process, which races when runs share
            # a process (threads); every path handed to the notebook is absolute instead.
            progress_bar=progress, execution_timeout=timeout,
            # Saved after every cell, so a kernel that dies or a cell that times out still
            # leaves the executed notebook up to that point.
            request_save_on_cell_execute=True,
            kernel_manager_class=kernel_manager_class(output.with_name("kernel.log"),
                                                      ipython_dir),
            log_output=False)
    except PapermillExecutionError as exc:
        raise NotebookFailed(exc.cell_index, exc.source, f"{exc.ename}: {exc.evalue}",
                             output) from None
    finally:
        shutil.rmtree(ipython_dir, ignore_errors=True)


def run(path: str | Path, *, audience: str = "consultant", out: str | Path | None = None,
        checks: list[str] | None = None,
        thresholds: Mapping[str, Mapping[str, Any]] | None = None,
        period_start: str | None = None, period_end: str | None = None,
        progress: bool = True, timeout: int | None = None, record: bool = True,
        ledger: str | Path | None = None) -> RunOutcome:
    """Produce the four artifacts of one client's diagnostic; see the module docstring.

    With ``record`` (the default) the run is recorded in the engagement ledger and the report
    shows what changed since the last diagnostic. The ledger is ``ledger`` when given; else,
    when ``out`` is chosen, ``<out>/.opskit/ledger.sqlite``, so a run with ``out`` writes
    nothing outside it; else the workspace's ``.opskit/ledger.sqlite`` beside the engagement.
    """
    from opskit.history import Lifecycle, ledger_in

    out = Path(out).expanduser() if out is not None else None
    ledger = Path(ledger).expanduser() if ledger is not None else None
    engagement = Engagement.load_partial(path)
    resolve_overrides(engagement, thresholds)
    Lifecycle.from_config(engagement.config.lifecycle)
    folder = report_folder(out or engagement.path / "reports",
                           [engagement.path] if out else ())
    if ledger is None and out is not None:
        ledger = ledger_in(out)
    notebook = folder / "diagnostic.ipynb"
    validated = handoff.write(engagement, folder)
    try:
        execute({"engagement": str(engagement.path.resolve()), "period_start": period_start,
                 "period_end": period_end, "audience": audience, "checks": checks,
                 "thresholds": dict(thresholds or {}), "output_dir": str(folder.resolve()),
                 "history": record, "ledger": str(Path(ledger).resolve()) if ledger else None,
                 "validated": validated},
                notebook, progress=progress, timeout=timeout)
    finally:
        handoff.remove(validated)
    from opskit.report.export import to_html

    html = to_html(notebook, folder / "report.html")
    return RunOutcome(folder, notebook, html, folder / "findings.json",
                      folder / "findings.xlsx", tuple(engagement.unusable))
