"""The checks of one diagnosis in two processes: a large engagement uses both cores.

Why: at millions of rows the 42 checks take seconds of one core while the other one idles.
The order checks share costly intermediates (the order-id codes, the period's orders,
their first shipments, the gross margin: ``memoized`` in checks/_common.py); the others
(customers, calls, accounts, tasks, shipments alone...) share nothing with them. So:

1. a first helper, forked at once, runs the checks that share nothing with the order
   checks;
2. meanwhile this process runs the first order check, which computes the shared
   intermediates, then takes the other order checks one at a time from a queue, slowest
   first;
3. as soon as the first helper is done (a core is free), a second helper is forked: it
   inherits every intermediate computed so far and takes from the same queue, so the two
   end close together and nothing is computed twice or fights for a core.

A forked helper sees the loaded tables without copying them and sends its results back
pickled, their large buffers through an anonymous in-memory file. Each check runs exactly
as it does in one process, on the same tables, so the results are the same.

Everything runs in this process when forking would not pay: a small engagement (below
``FORK_MIN_ROWS`` the forks, the pickled evidence and the intermediates computed twice
cost more than they save), one usable core, a system without ``os.fork`` and
``memfd_create`` (anything but Linux), or ``processes=1``. A helper that fails in any way
(killed, crashed outside a check, silent past its deadline, an unreadable reply) costs
only time: the checks it leaves without a result run here.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import mmap
import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opskit.findings import Result
from opskit.registry import CheckData, CheckSpec, run_check

#: Rows (all tables together) from which a diagnosis forks helpers for its checks.
FORK_MIN_ROWS = 1_000_000

#: Tables whose checks share the order intermediates (``memoized`` in checks/_common.py).
SHARED_ORDER_TABLES = frozenset({"orders", "order_lines"})

#: Checks that need no order table but price what they find with the order figures (the
#: gross margin, the average order value, the period's orders): they share them too.
PRICED_FROM_ORDERS = frozenset({"sales.missed_calls", "inventory.record_accuracy",
                                "marketing.attribution_coverage"})

#: The order checks that took longest at 6.5M rows (benchmarks/checks.py), slowest first:
#: the shared queue hands them out first, so the two processes end close together instead
#: of one waiting for the other's last long check. Only the order of work depends on it.
SLOWEST_FIRST = ("marketing.cac_payback", "sales.missed_calls",
                 "fulfillment.shipping_cost_recovery", "margin.negative_margin_orders",
                 "inventory.dead_stock", "marketing.discount_leakage",
                 "efficiency.manual_touches", "marketing.delivery_promise_gap",
                 "inventory.stockouts", "margin.stale_unit_cost", "margin.missing_cogs",
                 "fulfillment.order_to_ship_time", "fulfillment.data_defects_drive_delays",
                 "marketing.attribution_coverage", "integration.orphan_skus")

#: The first byte of a helper's reply, written as soon as its checks are done.
CHECKS_DONE = b"."

#: Where each large buffer of a helper's results starts in its shared file (Arrow's own
#: alignment, enough for any numpy dtype).
BUFFER_ALIGNMENT = 64

#: A helper may take this many times as long as this process has waited for it, plus
#: ``DEADLINE_SLACK`` seconds, before it is presumed stuck (killed, its checks run here).
DEADLINE_FACTOR = 10.0
DEADLINE_SLACK = 60.0


def run_checks(specs: Sequence[CheckSpec], data: CheckData,
               overrides: Mapping[str, Mapping[str, Any]],
               processes: int | None = None) -> list[Result]:
    """``run_check`` of every spec, in the order of ``specs``; in two processes (see the
    module's docstring) when ``processes`` (default: as the machine and the data size
    suggest) allows it."""
    alone, ordered = split_lanes(specs)
    first, rest = ordered[:1], slowest_first(ordered[1:])
    if not first or not (alone or len(rest) > 1) or not _fork_pays(data, processes):
        return [run_check(spec, data, overrides.get(spec.id)) for spec in specs]
    results: dict[str, Result] = {}
    helpers: list[_Helper] = []
    try:
        if alone:
            helpers.append(_Helper.start(alone, data, overrides))
        queue = _Queue(len(rest))
        try:
            shared: _Helper | None = None
            mine = itertools.chain(first, (rest[index] for index in queue.claims()))
            for done_here, spec in enumerate(mine, start=1):
                results[spec.id] = run_check(spec, data, overrides.get(spec.id))
                waiting = len(rest) - (done_here - len(first))  # nobody else takes yet
                if shared is None and waiting > 1 and all(h.done() for h in helpers):
                    # a core is free: the second helper inherits every intermediate
                    # computed here so far
                    shared = _Helper.start(rest, data, overrides, queue, close_in_child=[
                        d for helper in helpers for d in helper.descriptors])
                    helpers.append(shared)
        finally:
            queue.close()
        for helper in helpers:
            results.update(helper.finish())
    except BaseException:
        for helper in helpers:
            helper.stop()
        raise
    return [results[spec.id] if spec.id in results else
            run_check(spec, data, overrides.get(spec.id)) for spec in specs]


def split_lanes(specs: Sequence[CheckSpec]) -> tuple[list[CheckSpec], list[CheckSpec]]:
    """(checks that share nothing with the order checks, the order checks), in order."""
    def shares(spec: CheckSpec) -> bool:
        return bool(SHARED_ORDER_TABLES & set(spec.needs)) or spec.id in PRICED_FROM_ORDERS

    return ([spec for spec in specs if not shares(spec)],
            [spec for spec in specs if shares(spec)])


def slowest_first(specs: Sequence[CheckSpec]) -> list[CheckSpec]:
    """``specs`` with those of ``SLOWEST_FIRST`` first, in its order; the others after."""
    rank = {check_id: i for i, check_id in enumerate(SLOWEST_FIRST)}
    return sorted(specs, key=lambda spec: rank.get(spec.id, len(rank)))


def _fork_pays(data: CheckData, processes: int | None) -> bool:
    if not (hasattr(os, "fork") and hasattr(os, "memfd_create")):  # Linux only
        return False
    if processes is not None:
        return processes > 1
    if len(os.sched_getaffinity(0)) < 2:
        return False
    return sum(len(frame) for frame in data.tables.values()) >= FORK_MIN_ROWS


class _Queue:
    """Positions 0..n-1 that several processes take one at a time: a pipe filled before the
    fork with one two-byte record each (a read of two bytes from a pipe is atomic), so
    every position goes to exactly one reader."""

    def __init__(self, size: int) -> None:
        read, write = os.pipe()
        try:
            os.write(write, b"".join(i.to_bytes(2, "little") for i in range(size)))
        finally:
            os.close(write)
        self.read = read

    def claims(self) -> Iterator[int]:
        """The next free positions, until none is left."""
        while record := os.read(self.read, 2):
            yield int.from_bytes(record, "little")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.read)


class _Helper:
    """A forked process running checks, the pipe it replies on and the shared memory file
    its results' data travel in (see ``_pack``)."""

    def __init__(self, pid: int, pipe: int, shared: int, names: set[str]) -> None:
        self.pid, self.pipe, self.shared, self.names = pid, pipe, shared, names
        self.started = time.monotonic()
        self.status = 0

    def done(self) -> bool:
        """Whether the helper has finished its checks (it said so first thing: its results
        may still be on their way) or ended."""
        return not self.pid or bool(select.select([self.pipe], [], [], 0)[0])

    @property
    def descriptors(self) -> tuple[int, int]:
        """What a helper forked later must close: this one's pipe and memory file."""
        return self.pipe, self.shared

    @classmethod
    def start(cls, specs: list[CheckSpec], data: CheckData,
              overrides: Mapping[str, Mapping[str, Any]], queue: _Queue | None = None,
              close_in_child: Sequence[int] = ()) -> _Helper:
        """Fork a helper running ``specs`` (with a ``queue``: the positions it takes)."""
        read, write = os.pipe()
        shared = _shared_file()
        _release_free_memory()
        with warnings.catch_warnings():
            # Python 3.12+ warns on any fork of a process with threads (a kernel's, the
            # export's warm-up): the helper touches no lock those threads use, and a helper
            # stuck all the same is killed at its deadline
            warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                    DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the helper: run, reply, leave without the parent's exit handlers
            os.close(read)
            for descriptor in close_in_child:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
            _run_and_exit(specs, data, overrides, queue, write, shared)
        os.close(write)
        return cls(pid, read, shared, {spec.id for spec in specs})

    def finish(self) -> dict[str, Result]:
        """The helper's results by check id; none when it failed in any way."""
        deadline = time.monotonic() + DEADLINE_FACTOR * (
            time.monotonic() - self.started) + DEADLINE_SLACK
        chunks: list[bytes] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.pipe], [], [], left)[0]:
                    self.stop()  # presumed stuck
                    return {}
                chunk = os.read(self.pipe, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            self._reap()
        try:
            reply = b"".join(chunks)
            if self.status != 0 or not reply.startswith(CHECKS_DONE):
                return {}
            results = _unpack(reply[len(CHECKS_DONE):], self.shared)
        except Exception:
            return {}
        finally:
            self._close_shared()
        return {r.check_id: r for r in results
                if isinstance(r, Result) and r.check_id in self.names}

    def stop(self) -> None:
        """Kill the helper (this process is failing or gave up on it) and reap it."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        self._reap()
        self._close_shared()

    def _close_shared(self) -> None:
        if self.shared >= 0:
            os.close(self.shared)
            self.shared = -1

    def _reap(self) -> None:
        if self.pid:
            with contextlib.suppress(OSError):
                os.close(self.pipe)
            with contextlib.suppress(ChildProcessError):
                self.status = os.waitpid(self.pid, 0)[1]
            self.pid = 0


def _run_and_exit(specs: list[CheckSpec], data: CheckData,
                  overrides: Mapping[str, Mapping[str, Any]], queue: _Queue | None,
                  pipe: int, shared: int) -> None:
    """The helper's whole life: its checks, the results packed on ``pipe`` and in
    ``shared``, ``_exit``."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # interrupted with its parent: just end
        # nothing to say: a kernel's output streams belong to threads the fork left behind
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (gone with the helper)
        chosen = specs if queue is None else (specs[i] for i in queue.claims())
        results = [run_check(spec, data, overrides.get(spec.id)) for spec in chosen]
        os.write(pipe, CHECKS_DONE)  # the core is free: the parent may fork the next helper
        view = memoryview(_pack(results, shared))
        while view:
            view = view[os.write(pipe, view):]
        code = 0
    finally:
        os._exit(code)


def _release_free_memory() -> None:
    """Give the memory the allocators keep free back to the system before a fork.

    After a fork every page the two processes share is copied when either writes to it
    first, and the allocators hand out their kept free pages first: returned, those pages
    come back fresh instead of copied (about 50 ms of a diagnosis at 6.5M rows).
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # glibc's; musl has none
        ctypes.CDLL(None).malloc_trim(0)


def _shared_file() -> int:
    """An anonymous file in memory: client evidence never lands on a disk."""
    return os.memfd_create("opskit-check-results", os.MFD_CLOEXEC)


def _pack(results: list[Result], shared: int) -> bytes:
    """``results`` pickled with their large buffers (evidence columns: tens of MB at
    millions of rows) written into ``shared``, each aligned for Arrow and numpy; returns
    the small rest, which says where each buffer lies. The parent maps the file instead of
    copying the data through a pipe and again out of a pickle."""
    buffers: list[pickle.PickleBuffer] = []
    inline = pickle.dumps(results, protocol=5, buffer_callback=buffers.append)
    layout, end = [], 0
    for buffer in buffers:
        view = buffer.raw()
        start = -(-end // BUFFER_ALIGNMENT) * BUFFER_ALIGNMENT
        layout.append((start, view.nbytes))
        end = start + view.nbytes
        while view:
            view = view[os.pwrite(shared, view, start):]
            start = end - len(view)
    return pickle.dumps((inline, layout), protocol=5)


def _unpack(packed: bytes, shared: int) -> list[Result]:
    """The results ``_pack`` sent, their buffers mapped from ``shared`` (privately: the
    evidence stays writable, as a result made here is)."""
    inline, layout = pickle.loads(packed)
    if not layout:
        return pickle.loads(inline)
    size = max(start + length for start, length in layout)
    mapped = memoryview(mmap.mmap(shared, size, flags=mmap.MAP_PRIVATE,
                                  prot=mmap.PROT_READ | mmap.PROT_WRITE))
    return pickle.loads(inline, buffers=[mapped[start:start + length]
                                         for start, length in layout])
