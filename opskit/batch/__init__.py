"""Many clients at once: ``opskit batch DIR_OR_MANIFEST``.

The recipe:

1. ``plan.plan``: find the engagements (or read the manifest) and validate every setting;
   all configuration problems are raised together, before any kernel starts.
2. ``executors.open_executor``: a spawned process pool, or a Dask cluster.
3. ``supervise.supervise``: every client is one ``opskit.run.run`` in a worker
   (``worker.run_client``), writing to ``<out>/<client slug>/<timestamp>/``; failures are
   isolated per client; the display shows done, failed, running and the ETA.
4. ``write_record``: ``<out>/batch.json``, then the summary table. Exit 0 only when every
   client succeeded with all its files; 1 when a client failed; else 4 when a client's
   report was written without some files (3 when that was opskit crashing on a file).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from opskit.batch.plan import ClientJob, default_out, plan
from opskit.batch.worker import OK, OPSKIT_BUG, ClientOutcome
from opskit.history import ledger_in
from opskit.unusable import INTERNAL_ERROR
from opskit.unusable import PARTIAL as PARTIAL_EXIT

RECORD_NAME = "batch.json"


@dataclass(frozen=True)
class BatchResult:
    """The outcomes of a batch, in the order the clients were listed, and its record."""

    outcomes: list[ClientOutcome]
    out: Path
    record: Path
    executor: str

    @property
    def failed(self) -> list[ClientOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def partial(self) -> list[ClientOutcome]:
        """Clients whose report was written without some of their files."""
        return [o for o in self.outcomes if o.ok and o.reason != OK]

    @property
    def exit_code(self) -> int:
        """1 when a client failed; else as ``opskit run``: 3 when opskit crashed reading a
        client's file, 4 when a report was written without some files, 0 when all is well."""
        if self.failed:
            return 1
        if any(o.reason == OPSKIT_BUG for o in self.outcomes):
            return INTERNAL_ERROR
        return PARTIAL_EXIT if self.partial else 0


def run_batch(target: str | Path, *, workers: int = 2, timeout: int = 900,
              audience: str = "consultant", scheduler: str | None = None,
              out: str | Path | None = None, ledger: str | Path | None = None,
              console: Any = None,
              _notebooks: Mapping[str | Path, str | Path] | None = None) -> BatchResult:
    """Run every client of ``target`` (a folder of engagements or a manifest).

    Each client writes to its own ``<out>/<slug>/<timestamp>/``. Runs are recorded in
    ``ledger``; else, when ``out`` is chosen, in ``<out>/.opskit/ledger.sqlite``; else in
    the workspace ledger beside each engagement.

    ``_notebooks`` (engagement folder -> notebook) is for tests only: it swaps a client's
    diagnostic notebook for one that raises, kills its kernel or hangs.
    """
    from opskit.batch.display import BatchDisplay
    from opskit.batch.executors import open_executor
    from opskit.batch.supervise import supervise
    from opskit.run import output_folder
    from opskit.terminal import make_console, plural

    target = Path(target).expanduser()
    out = Path(out).expanduser() if out is not None else None
    ledger = Path(ledger).expanduser() if ledger is not None else None
    out_dir = out if out is not None else default_out(target)
    notebooks = {Path(k): Path(v) for k, v in (_notebooks or {}).items()}
    jobs = plan(target, out=out_dir, workers=workers, timeout=timeout, audience=audience,
                scheduler=scheduler, notebooks=notebooks)
    if ledger is not None or out is not None:
        # A chosen output folder holds everything the batch writes, the shared ledger too.
        shared = str(Path(ledger).resolve() if ledger is not None else ledger_in(out_dir))
        jobs = [replace(job, ledger=shared) for job in jobs]
    console = console or make_console(stderr=True)
    out_dir = output_folder(out_dir, [Path(job.path) for job in jobs])
    started = dt.datetime.now()
    executor = open_executor(scheduler, min(workers, len(jobs)), scratch=out_dir / ".dask")
    interrupted = True
    try:
        with BatchDisplay(console, len(jobs), plural(len(jobs), "client")) as display:
            outcomes = supervise(jobs, executor, on_event=display.event,
                                 on_done=display.done)
        interrupted = False
    finally:
        executor.close(kill=interrupted)
    record = write_record(out_dir / RECORD_NAME, target=target, out=out_dir, jobs=jobs,
                          outcomes=outcomes, executor=executor.description, workers=workers,
                          started=started)
    return BatchResult(outcomes, out_dir, record, executor.description)


def write_record(path: Path, *, target: Path, out: Path, jobs: list[ClientJob],
                 outcomes: list[ClientOutcome], executor: str, workers: int,
                 started: dt.datetime) -> Path:
    """batch.json: the batch's settings and one entry per client (what ``portfolio`` and a
    consultant's scripts read to know which clients made it)."""
    from opskit import __version__

    finished = dt.datetime.now()
    settings = {job.slug: job for job in jobs}
    clients = []
    for outcome in outcomes:
        job = settings[outcome.slug]
        clients.append({**outcome.to_dict(), "audience": job.audience,
                        "timeout": job.timeout, "checks": list(job.checks or []) or None,
                        "thresholds": dict(job.thresholds) or None,
                        "period": {"start": job.period_start, "end": job.period_end}})
    record = {
        "opskit_version": __version__,
        "target": str(target.resolve()),
        "out": str(out.resolve()),
        "executor": executor,
        "workers": workers,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round((finished - started).total_seconds(), 2),
        "succeeded": sum(o.ok for o in outcomes),
        "failed": sum(not o.ok for o in outcomes),
        "clients": clients,
    }
    path.write_text(json.dumps(record, indent=2, default=str), encoding="utf-8")
    return path


def batch_command(target: Path, *, workers: int, timeout: int, audience: str,
                  scheduler: str | None, out: Path | None, console,
                  ledger: Path | None = None) -> int:
    """``opskit batch``: run, print the summary table, return ``BatchResult.exit_code``
    (configuration problems raise, and the CLI exits 2)."""
    from opskit.batch.display import print_summary
    from opskit.terminal import shown

    result = run_batch(target, workers=workers, timeout=timeout, audience=audience,
                       scheduler=scheduler, out=out, ledger=ledger, console=console)
    print_summary(console, result.outcomes, result.out)
    ok = len(result.outcomes) - len(result.failed)
    console.print(f"{ok} of {len(result.outcomes)} clients succeeded on "
                  f"{result.executor}. Record: {shown(result.record)}", highlight=False,
                  soft_wrap=True)
    if result.failed:
        console.print("Failed clients keep their executed notebook; batch.json says why.",
                      highlight=False)
    if result.partial:
        n = len(result.partial)
        console.print(f"{n} report{'s were' if n > 1 else ' was'} written without files that "
                      "could not be used (named above; the reports' data sections say why).",
                      highlight=False)
    if any(o.reason == OPSKIT_BUG for o in result.outcomes):
        from opskit.unusable import BUG_HINT

        console.print(f"opskit crashed while reading a client's file. {BUG_HINT}",
                      highlight=False)
    return result.exit_code


__all__ = ["BatchResult", "ClientJob", "ClientOutcome", "batch_command", "run_batch",
           "write_record"]
