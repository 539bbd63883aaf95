"""Hand the engagement `opskit run` already validated to the notebook kernel it starts.

`opskit run` loads and validates the engagement before any kernel starts, so that bad data
fails fast with its clear error; the notebook then needs the very same tables. Reading and
parsing the exports a second time in the kernel was the largest avoidable cost of a run
(about as long as the diagnosis itself). Instead, the validated engagement is written once
to a file inside the report folder, readable only by this user, and the kernel reads it back
in milliseconds.

The file is trusted only if its SHA-256 matches the digest handed to the kernel as a notebook
parameter, so a file swapped or damaged on disk is never unpickled: the kernel then loads the
engagement from its folder as it would without a handoff. `opskit run` removes the file when
the kernel is done. A notebook opened by hand (no handoff) always loads from the folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from opskit.engagement import Engagement

FILE_NAME = ".engagement.pickle"


def write(engagement: Engagement, folder: Path) -> dict[str, str] | None:
    """Write ``engagement`` into ``folder``; the notebook parameter that finds it again
    (``{"path", "sha256"}``), or None when it cannot be written (the kernel then loads)."""
    try:
        data = pickle.dumps(engagement, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return None
    path = Path(folder) / FILE_NAME
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return {"path": str(path), "sha256": hashlib.sha256(data).hexdigest()}


def read(validated: Any) -> Engagement | None:
    """The engagement handed over by ``write``, or None when there is none to trust."""
    if not isinstance(validated, dict) or not {"path", "sha256"} <= validated.keys():
        return None
    try:
        data = Path(validated["path"]).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != validated["sha256"]:
        return None
    engagement = pickle.loads(data)  # our own file: its digest was checked above
    return engagement if isinstance(engagement, Engagement) else None


def remove(validated: dict[str, str] | None) -> None:
    """Delete the handoff file (client data at rest only for the duration of the run)."""
    if validated is not None:
        Path(validated["path"]).unlink(missing_ok=True)
