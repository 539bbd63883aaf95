"""Artifacts that exist whole or not at all.

A run can be killed, or the disk can fill, at any moment. Every artifact is written to a
temporary name in the folder it belongs to (``.<name>.<random>.part``) and renamed into place
only once complete, so a reader never finds a 0-byte report.html or a workbook that is a
broken zip. A write that fails names the file it was writing; the temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opskit.errors import OpskitError

PART_SUFFIX = ".part"


class WriteFailed(OpskitError):
    """An artifact could not be written (disk full, permissions, a vanished folder)."""

    exit_code = 1

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        reason = error.strerror or str(error)
        super().__init__(f"Could not write {path}", got=reason,
                         hint="free space or fix the permissions of that folder, then run again;"
                              " nothing half-written was left behind")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without an error the
    temporary file replaces ``path`` in one rename, otherwise it is deleted. An ``OSError``
    while writing becomes ``WriteFailed`` naming ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX,
                                    dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise WriteFailed(path, error) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see ``atomic_path``)."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding=encoding)
    return Path(path)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``atomic_path``)."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def leftovers(folder: str | Path) -> list[Path]:
    """Temporary files a killed writer left in ``folder`` (and below): a rerun removes them."""
    return sorted(Path(folder).rglob(f".*{PART_SUFFIX}"))
