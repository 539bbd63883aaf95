"""Hand the engagement `opskit run` already validated to the notebook kernel it starts.

`opskit run` loads and validates the engagement before any kernel starts, so that bad data
fails fast with its clear error; the notebook then needs the very same tables. Reading and
parsing the exports a second time in the kernel was the largest avoidable cost of a run
(about as long as the diagnosis itself). Instead, the validated engagement is pickled once
into an anonymous in-memory file (``memfd_create``; an unlinked temporary file where that
does not exist) whose descriptor the kernel inherits. The data never has a name on disk, so
no way the run ends (a crash, ``kill -9``, a power cut) can leave the client's data behind:
the file vanishes with the last process holding it.

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
    """An open anonymous file holding the pickled engagement, and the notebook parameter
    (``{"fd", "size", "sha256"}``) that finds it again in the kernel."""

    fd: int
    parameter: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        """Release the descriptor (the data disappears once the kernel has let go too)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def write(engagement: Engagement) -> Handoff | None:
    """``engagement`` in an anonymous file; None when it cannot be pickled (the kernel then
    loads the folder)."""
    try:
        data = pickle.dumps(engagement, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    fd = _anonymous_file()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return Handoff(fd, {"fd": fd, "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()})


def _anonymous_file() -> int:
    """A read-write descriptor on a file with no name (never visible in any folder)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("opskit-handoff")
    with tempfile.TemporaryFile() as handle:  # unlinked at once on POSIX
        return os.dup(handle.fileno())


def read(validated: Any) -> Engagement | None:
    """The engagement handed over by ``write``, or None when there is none to trust."""
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
    engagement = pickle.loads(data)  # our own bytes: their digest was checked above
    return engagement if isinstance(engagement, Engagement) else None
