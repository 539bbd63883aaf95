"""Hand the engagement `opskit run` already validated to the notebook kernel it starts.

`opskit run` loads and validates the engagement while its kernel starts (engagement.yaml
before it), so that bad data fails fast with its clear error; the notebook then needs the
very same tables. Reading and
parsing the exports a second time in the kernel was the largest avoidable cost of a run
(about as long as the diagnosis itself). Instead, the validated engagement is pickled once
into an anonymous in-memory file (``memfd_create``; an unlinked temporary file where that
does not exist) whose descriptor the kernel inherits. The data never has a name on disk, so
no way the run ends (a crash, ``kill -9``, a power cut) can leave the client's data behind:
the file vanishes with the last process holding it.

When it could prepare the report context (the diagnosis, run while the kernel starts, and
the history), `opskit run` hands over that instead, with the request it answers
(engagement, period, audience, checks, thresholds), its engagement without the tables' rows
(``payload``): the notebook uses it (``context``) only for that very request, and
otherwise prepares its own from the engagement's folder.

The kernel trusts the bytes only if their SHA-256 matches the digest handed to it as a
notebook parameter, so a descriptor that means something else (a notebook re-run by hand,
where that number is some other file) is never unpickled: the kernel then loads the
engagement from its folder as it would without a handoff.

The kernel also inherits the read end of a pipe on which `opskit run` announces the
parameter as soon as the file is filled (``prefetch``): a thread of the kernel unpickles the
payload while papermill connects and runs the first cells, and the notebook's hand-off cell
takes it when the parameter it is given is the very one announced (else it reads the file
itself, as before).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pickle
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from opskit.engagement import Engagement


@dataclass
class Handoff:
    """An open anonymous file for the pickled hand-off, and the notebook parameter
    (``{"fd", "size", "sha256"}``) that finds it again in the kernel (empty until filled).

    The file exists before the kernel starts (the kernel inherits its descriptor at launch)
    and is filled while the kernel boots."""

    fd: int
    parameter: dict[str, Any] = field(default_factory=dict)
    announce_fd: int = -1  # the pipe's read end, for the kernel (``prefetch``)
    _announce_to: int = -1  # its write end: the parameter, once, on the first fill

    def fill(self, payload: Any) -> bool:
        """Pickle ``payload`` into the file and announce its parameter on the pipe (on the
        first fill only); False when it cannot be pickled (the kernel then loads the
        folder)."""
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False
        os.ftruncate(self.fd, 0)
        view, offset = memoryview(data), 0
        while offset < len(data):
            offset += os.pwrite(self.fd, view[offset:], offset)
        self.parameter = {"fd": self.fd, "size": len(data),
                          "sha256": hashlib.sha256(data).hexdigest()}
        if self._announce_to >= 0:
            # a line far below the pipe's buffer: written at once, read or not; an error
            # means the kernel is gone, which the run learns from papermill
            with contextlib.suppress(OSError):
                os.write(self._announce_to, json.dumps(self.parameter).encode() + b"\n")
            os.close(self._announce_to)
            self._announce_to = -1
        return True

    def descriptors(self) -> tuple[int, ...]:
        """The descriptors still open (the file, the pipe's two ends)."""
        return tuple(d for d in (self.fd, self.announce_fd, self._announce_to) if d >= 0)

    def close(self) -> None:
        """Release the descriptors (the data disappears once the kernel has let go too)."""
        for name in ("fd", "announce_fd", "_announce_to"):
            if getattr(self, name) >= 0:
                os.close(getattr(self, name))
                setattr(self, name, -1)


def reserve() -> Handoff:
    """An empty hand-off file, to be inherited by a kernel and filled later, with the pipe
    that announces it to the kernel."""
    read_end, write_end = os.pipe()
    try:
        return Handoff(_anonymous_file(), announce_fd=read_end, _announce_to=write_end)
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise


PREFETCH_WAIT = 120.0  # seconds: far beyond unpickling the largest hand-off


class _Prefetch:
    """The payload announced on the pipe, unpickled in a thread of the kernel (one per
    kernel: ``opskit run`` starts it while the kernel boots)."""

    def __init__(self, announce_fd: int) -> None:
        self.done = threading.Event()
        self.parameter: dict[str, Any] | None = None
        self.payload: dict[str, Any] | None = None
        self._thread = threading.Thread(target=self._read, args=(announce_fd,),
                                        name="opskit-handoff", daemon=True)
        self._thread.start()

    def _read(self, announce_fd: int) -> None:
        try:
            with os.fdopen(announce_fd, "rb") as pipe:
                line = pipe.readline()
            parameter = json.loads(line) if line else None
            if isinstance(parameter, dict):
                self.payload = _read_payload(parameter)
                self.parameter = parameter if self.payload is not None else None
        except Exception:  # the hand-off cell reads the file itself instead
            self.payload = self.parameter = None
        finally:
            self.done.set()

    def take(self, validated: dict[str, Any]) -> dict[str, Any] | None:
        """The prefetched payload when ``validated`` is the parameter announced (once: a
        second call reads the file again); else None (the cell reads the file itself).

        The announcement is written before the notebook is given the parameter, so the wait
        is for the unpickling; it is bounded all the same, a cell never hangs on it."""
        if not self.done.wait(timeout=PREFETCH_WAIT):
            return None
        if self.parameter is None or self.parameter != validated:
            return None
        payload, self.payload, self.parameter = self.payload, None, None
        return payload


_prefetched: list[_Prefetch] = []


def prefetch(announce_fd: int) -> None:
    """Start reading the payload `opskit run` will announce on ``announce_fd`` (a kernel
    preload statement of `opskit run`)."""
    _prefetched.append(_Prefetch(announce_fd))


def write(engagement: Engagement, context: Any = None, request: dict[str, Any] | None = None
          ) -> Handoff | None:
    """``engagement`` (and the ``context`` prepared for ``request``) in an anonymous file;
    None when it cannot be pickled (the kernel then loads the folder)."""
    handed = reserve()
    if handed.fill(payload(engagement, context, request)):
        return handed
    handed.close()
    return None


def payload(engagement: Engagement, context: Any = None,
            request: dict[str, Any] | None = None) -> dict[str, Any]:
    """What is handed over: the engagement, or the context prepared for ``request``.

    A prepared report never reads a table's rows again (the diagnosis is done), so its
    engagement goes without them (``Engagement.without_rows``), and the rows are not
    handed at all: a notebook asking for another request loads the folder itself. That
    keeps the hand-off (pickled by `opskit run`, unpickled by its kernel) to the results and
    their evidence, a tenth of the bytes on the sample and far less at scale.
    """
    if context is None:
        return {"engagement": engagement, "context": None, "request": request}
    slim = dataclasses.replace(context, engagement=engagement.without_rows())
    return {"engagement": None, "context": slim, "request": request}


def _anonymous_file() -> int:
    """A read-write descriptor on a file with no name (never visible in any folder)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("opskit-handoff")
    with tempfile.TemporaryFile() as handle:  # unlinked at once on POSIX
        return os.dup(handle.fileno())


def _payload(validated: Any) -> dict[str, Any] | None:
    """The payload handed over by ``write``, or None when there is none to trust."""
    if not isinstance(validated, dict) or not {"fd", "size", "sha256"} <= validated.keys():
        return None
    if _prefetched and (handed := _prefetched[0].take(validated)) is not None:
        return handed
    return _read_payload(validated)


def _read_payload(validated: dict[str, Any]) -> dict[str, Any] | None:
    """The payload in the file ``validated`` names, if its digest matches."""
    try:
        fd, size = int(validated["fd"]), int(validated["size"])
        chunks, offset = [], 0
        while offset < size:
            chunk = os.pread(fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
    except (OSError, TypeError, ValueError, OverflowError):
        return None
    data = b"".join(chunks)
    if hashlib.sha256(data).hexdigest() != validated["sha256"]:
        return None
    handed = pickle.loads(data)  # our own bytes: their digest was checked above
    if not isinstance(handed, dict) or not (
            isinstance(handed.get("engagement"), Engagement)
            or handed.get("context") is not None):
        return None
    return handed


def read(validated: Any) -> Engagement | None:
    """The engagement handed over by ``write``, or None when there is none to trust (or
    only a prepared context was handed: see ``payload``)."""
    handed = _payload(validated)
    return handed["engagement"] if handed is not None else None


def context(validated: Any, request: dict[str, Any]) -> Any:
    """The report context `opskit run` prepared, when it was prepared for exactly
    ``request`` (the notebook's own parameters); else None, and the notebook prepares it."""
    handed = _payload(validated)
    if handed is None or handed.get("context") is None or handed.get("request") != request:
        return None
    return handed["context"]
