"""The supervisor's loop: submit every client, collect outcomes as they come, keep time.

A worker enforces its client's time limit itself (``worker.Watchdog``). The supervisor is the
backstop for a worker that stops answering altogether: a client still unfinished ``grace``
seconds after its limit is recorded as a timeout and its worker abandoned (killed when the
batch ends), so one stuck worker can never hold the batch forever.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from opskit.batch.executors import Executor
from opskit.batch.plan import ClientJob
from opskit.batch.worker import TIMEOUT, WORKER_LOST, ClientOutcome
from opskit.errors import OpskitError

GRACE = 60.0  # seconds a worker gets, past its client's limit, to report back


def supervise(jobs: Sequence[ClientJob], executor: Executor, *,
              on_event: Callable[[dict[str, Any]], None] = lambda event: None,
              on_done: Callable[[ClientOutcome], None] = lambda outcome: None,
              grace: float = GRACE, poll: float = 0.25) -> list[ClientOutcome]:
    """Run ``jobs`` on ``executor``; one outcome per job, in the order of ``jobs``.

    The biggest engagements are submitted first (longest-processing-time-first), so the
    batch does not end with one worker busy on a big client while the others sit idle.
    """
    futures = {executor.submit(job): job for job in sorted(jobs, key=data_size,
                                                           reverse=True)}
    pending = set(futures)
    started: dict[str, tuple[float, int | None]] = {}
    outcomes: dict[str, ClientOutcome] = {}
    while pending:
        done, pending = cf.wait(pending, timeout=poll, return_when=cf.FIRST_COMPLETED)
        for event in executor.events():
            if event.get("event") == "started":
                started.setdefault(event["slug"], (time.monotonic(), event.get("pid")))
            if event.get("slug") not in outcomes:
                on_event(event)
        for future in done:
            job = futures[future]
            outcomes[job.slug] = collect(future, job)
            on_done(outcomes[job.slug])
        now = time.monotonic()
        for future in list(pending):
            job = futures[future]
            begun = started.get(job.slug)
            if begun is None or now - begun[0] <= job.timeout + grace:
                continue
            pending.discard(future)
            executor.abandon(future, begun[1])
            outcomes[job.slug] = lost(job, TIMEOUT, f"stopped at the time limit of "
                                      f"{job.timeout} s: the worker did not report back "
                                      f"within {grace:g} s after it and was stopped",
                                      duration=now - begun[0])
            on_done(outcomes[job.slug])
    return [outcomes[job.slug] for job in jobs]


def data_size(job: ClientJob) -> int:
    """Bytes of the engagement's data files: a cheap, good enough guess of its run time."""
    from opskit.config import load_config

    try:
        return sum(spec.path.stat().st_size for spec in load_config(Path(job.path)).files
                   if spec.path.exists())
    except (OSError, OpskitError):
        return 0


def collect(future: cf.Future, job: ClientJob) -> ClientOutcome:
    """The outcome a worker returned, or WORKER_LOST when the worker itself went away."""
    try:
        return future.result()
    except BaseException as exc:  # BrokenProcessPool, a Dask KilledWorker, a cancellation
        return lost(job, WORKER_LOST, f"the worker process running this client was lost "
                    f"({type(exc).__name__}: {exc})".replace(": )", ")"))


def lost(job: ClientJob, reason: str, message: str, duration: float = 0.0) -> ClientOutcome:
    """An outcome the supervisor writes itself, for a client whose worker did not answer."""
    return ClientOutcome(slug=job.slug, client=job.client, engagement=job.path,
                         status="failed", reason=reason, message=message,
                         duration_s=round(duration, 2))
