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

`opskit run` also hands over the report context it prepared (the diagnosis, run while the
kernel starts, and the history), with the request it answers (engagement, period, audience,
checks, thresholds): the notebook uses it (``context``) only for that very request, and
otherwise prepares its own from the engagement.

The kernel trusts the bytes only if their SHA-256 matches the digest handed to it as a
notebook parameter, so a descriptor that means something else (a notebook re-run by hand,
where that number is some other file) is never unpickled: the kernel then loads the
engagement from its folder as it would without a handoff.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
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

    def fill(self, payload: Any) -> bool:
        """Pickle ``payload`` into the file; False when it cannot be pickled (the kernel then
        loads the folder)."""
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
        return True

    def close(self) -> None:
        """Release the descriptor (the data disappears once the kernel has let go too)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def reserve() -> Handoff:
    """An empty hand-off file, to be inherited by a kernel and filled later."""
    return Handoff(_anonymous_file())


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
    """What is handed over: the engagement, and the context prepared for ``request``."""
    return {"engagement": engagement, "context": context, "request": request}


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
    if not isinstance(handed, dict) or not isinstance(handed.get("engagement"), Engagement):
        return None
    return handed


def read(validated: Any) -> Engagement | None:
    """The engagement handed over by ``write``, or None when there is none to trust."""
    handed = _payload(validated)
    return handed["engagement"] if handed is not None else None


def context(validated: Any, request: dict[str, Any]) -> Any:
    """The report context `opskit run` prepared, when it was prepared for exactly
    ``request`` (the notebook's own parameters); else None, and the notebook prepares it."""
    handed = _payload(validated)
    if handed is None or handed.get("context") is None or handed.get("request") != request:
        return None
    return handed["context"]
