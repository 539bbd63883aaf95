"""Where the clients of a batch run: a local process pool, or a Dask cluster.

Both executors run the same function (``worker.run_client``) on the same ``ClientJob`` and
hand back the same ``ClientOutcome``, so a batch's results do not depend on the executor.
Both give the supervisor ``concurrent.futures`` futures and the workers' progress events
(which client started where), so the supervisor has one loop for both.

The pool uses the 'spawn' start method: a forked copy of a process that holds ZeroMQ
sockets, threads and kernel managers is not safe, and jupyter kernels and fork do not mix.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import queue
import shutil
import uuid
from pathlib import Path
from typing import Any, Protocol

from opskit.batch.plan import ClientJob, dask_missing
from opskit.batch.worker import EVENT_TOPIC, install_event_queue, run_client
from opskit.errors import OpskitError


class Executor(Protocol):
    description: str

    def submit(self, job: ClientJob) -> cf.Future: ...

    def events(self) -> list[dict[str, Any]]: ...

    def abandon(self, future: cf.Future, pid: int | None) -> None: ...

    def close(self, *, kill: bool = False) -> None: ...


def open_executor(scheduler: str | None, workers: int, scratch: Path | None = None
                  ) -> Executor:
    """The process pool (no scheduler), a LocalCluster ('local'), or a cluster's address.

    ``scratch`` is where a LocalCluster's workers keep their files (inside the batch's output
    folder, removed on close) instead of the system's temporary folder.
    """
    if scheduler is None:
        return LocalExecutor(workers)
    problem = dask_missing()
    if problem is not None:
        raise problem
    return DaskExecutor(scheduler, workers, scratch)


class LocalExecutor:
    """A ``ProcessPoolExecutor`` of ``workers`` spawned processes."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._events = context.Queue()
        self._pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                            initializer=install_event_queue,
                                            initargs=(self._events,))
        self._abandoned: set[int] = set()
        self._workers: set[int] = set()
        self.description = f"local process pool ({workers} workers)"

    def submit(self, job: ClientJob) -> cf.Future:
        return self._pool.submit(run_client, job)

    def events(self) -> list[dict[str, Any]]:
        found = _drain(self._events)
        self._workers.update(event["pid"] for event in found)
        return found

    def abandon(self, future: cf.Future, pid: int | None) -> None:
        """A client past its hard limit whose worker does not answer: the worker is killed
        when the batch ends (killing it now would break the pool under the other clients)."""
        future.cancel()
        if pid is not None:
            self._abandoned.add(pid)

    def close(self, *, kill: bool = False) -> None:
        """Wait for the workers to exit; with ``kill`` (an interrupted batch) kill them and
        their kernels first. Workers of abandoned clients are always killed."""
        victims = self._workers | self._abandoned if kill else self._abandoned
        if victims:
            _kill_trees(victims)
        self._pool.shutdown(wait=not victims, cancel_futures=True)
        self._events.close()
        self._events.join_thread()


class DaskExecutor:
    """A Dask distributed client: a fresh LocalCluster on 127.0.0.1, or an existing cluster.

    Workers of an existing cluster need opskit installed and must see the engagement and
    output folders at the same paths (a shared file system).
    """

    def __init__(self, scheduler: str, workers: int, scratch: Path | None = None) -> None:
        from distributed import Client, LocalCluster

        self._cluster = None
        self._scratch = scratch
        self._config: Any = None
        if scheduler == "local":
            if scratch is not None:
                # The scheduler's own files (a purge lock) go there too, for this batch only:
                # the setting is undone on close.
                import dask

                self._config = dask.config.set({"temporary-directory": str(scratch)})
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, host="127.0.0.1",
                                         dashboard_address=None,
                                         silence_logs=logging.ERROR,
                                         local_directory=str(scratch) if scratch else None)
            self._client = Client(self._cluster)
            self.description = f"Dask LocalCluster on 127.0.0.1 ({workers} workers)"
        else:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise OpskitError(f"Dask scheduler {scheduler}", expected="a running "
                                  "scheduler that answers", got=str(exc).splitlines()[0],
                                  hint="start one with `dask scheduler`, or use "
                                       "--scheduler local") from None
            self.description = f"Dask cluster at {scheduler}"
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._client.subscribe_topic(EVENT_TOPIC, lambda event: self._events.put(event[1]))
        self._dask_futures: dict[cf.Future, Any] = {}

    def submit(self, job: ClientJob) -> cf.Future:
        dask_future = self._client.submit(run_client, job, pure=False,
                                          key=f"opskit-{job.slug}-{uuid.uuid4().hex[:8]}")
        future: cf.Future = cf.Future()
        future.set_running_or_notify_cancel()

        def settle(done: Any) -> None:
            try:
                future.set_result(done.result())
            except BaseException as exc:  # a lost worker, a cancelled task
                with contextlib.suppress(cf.InvalidStateError):
                    future.set_exception(exc)

        dask_future.add_done_callback(settle)
        self._dask_futures[future] = dask_future
        return future

    def events(self) -> list[dict[str, Any]]:
        return _drain(self._events)

    def abandon(self, future: cf.Future, pid: int | None) -> None:
        dask_future = self._dask_futures.get(future)
        if dask_future is not None:
            dask_future.cancel()

    def close(self, *, kill: bool = False) -> None:
        """Disconnect; a LocalCluster is shut down with its workers (their kernels follow
        them: a kernel exits when its parent process goes away)."""
        for dask_future in self._dask_futures.values() if kill else ():
            dask_future.cancel()
        with contextlib.suppress(Exception):
            self._client.unsubscribe_topic(EVENT_TOPIC)
        try:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            if self._config is not None:
                self._config.__exit__(None, None, None)
            if self._cluster is not None and self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)


def _drain(events: Any) -> list[dict[str, Any]]:
    found = []
    while True:
        try:
            found.append(events.get_nowait())
        except queue.Empty:
            return found


def _kill_trees(pids: set[int]) -> None:
    import psutil

    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for proc in [*root.children(recursive=True), root]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    proc.kill()
