"""Input limits: refuse files that would exhaust the laptop before reading them.

Client files come from anywhere; a consultant's laptop holds several clients. A file that is
too big, has too many rows, hides a 10 MB cell, or is a zip bomb dressed as a workbook is
refused early, with a message naming the limit and how to raise it (``limits:`` in
engagement.yaml). The limits in force are set for the duration of one engagement load.
"""

from __future__ import annotations

import contextvars
import struct
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from opskit.errors import ConfigError, UnreadableFileError

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Ceilings on one input file; each can be raised under ``limits:`` in engagement.yaml."""

    # bytes on disk; uncompressed for .gz (counted as produced) and .xlsx; decoded for
    # Parquet; in memory for a workbook sheet's grid (opskit.sources.extent)
    max_file_mb: float = 2048
    max_rows: int = 20_000_000  # data rows in one file
    max_field_kb: float = 1024  # one cell
    max_xlsx_ratio: float = 200  # uncompressed / compressed size of a workbook

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> Limits:
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"engagement.yaml, limits: unknown keys {unknown}",
                              expected="only " + ", ".join(sorted(known)))
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"engagement.yaml, limits.{name}",
                                  expected="a positive number", got=repr(value))
        return cls(**values)

    def refuse(self, display: str, what: str, got: str, key: str, value: float) -> None:
        raised = value * 4  # written as YAML reads a number: no thousands comma, no 8e+07
        plain = str(int(raised)) if float(raised).is_integer() else repr(float(raised))
        shown = f"{int(value):,}" if float(value).is_integer() else f"{value:,g}"  # not 2e+07
        raise UnreadableFileError(
            display, expected=f"{what} within the {key} limit ({shown})", got=got,
            hint=f"if the file is genuine, raise it in engagement.yaml: limits: {{{key}: "
                 f"{plain}}}")

    def check_size(self, path: Path, display: str) -> None:
        """File size on disk, and the uncompressed size a gzip trailer announces."""
        size = path.stat().st_size
        if size > self.max_file_mb * MB:
            self.refuse(display, "a file size", f"{size / MB:,.0f} MB", "max_file_mb",
                        self.max_file_mb)
        if path.name.lower().endswith(".gz") and size >= 18:
            with open(path, "rb") as fh:
                fh.seek(-4, 2)
                (isize,) = struct.unpack("<I", fh.read(4))  # uncompressed size mod 2**32
            if isize > self.max_file_mb * MB:
                self.refuse(display, "an uncompressed size", f"{isize / MB:,.0f} MB",
                            "max_file_mb", self.max_file_mb)

    def check_rows_estimate(self, path: Path, sample: bytes, display: str) -> None:
        """Refuse before parsing when the sample's line length says the file is too long."""
        lines = sample.count(b"\n")
        if lines < 2 or len(sample) < 4096 or path.name.lower().endswith(".gz"):
            return  # too little to judge; a .gz file's size was checked from its trailer
        estimate = path.stat().st_size / (len(sample) / lines)
        if estimate > self.max_rows * 1.5:
            self.refuse(display, "a number of rows", f"about {estimate:,.0f}", "max_rows",
                        self.max_rows)

    def check_rows(self, rows: int, display: str) -> None:
        if rows > self.max_rows:
            self.refuse(display, "a number of rows", f"{rows:,}", "max_rows", self.max_rows)

    def check_field(self, longest: int, display: str, column: str | None = None) -> None:
        if longest > self.max_field_kb * 1024:
            where = f"{display}, column '{column}'" if column else display
            self.refuse(where, "every cell", f"a cell of {longest / 1024:,.0f} KB",
                        "max_field_kb", self.max_field_kb)

    def check_workbook(self, path: Path, archive: zipfile.ZipFile, display: str) -> None:
        """Refuse a workbook whose parts would inflate beyond the limits (a zip bomb)."""
        packed = max(path.stat().st_size, 1)
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > self.max_file_mb * MB:
            self.refuse(display, "an uncompressed workbook size", f"{unpacked / MB:,.0f} MB",
                        "max_file_mb", self.max_file_mb)
        if unpacked / packed > self.max_xlsx_ratio:
            self.refuse(display, "a compression ratio", f"{unpacked / packed:,.0f}x",
                        "max_xlsx_ratio", self.max_xlsx_ratio)


# Limits is a frozen dataclass, so a shared default instance is safe.
_ACTIVE: contextvars.ContextVar[Limits] = contextvars.ContextVar(
    "opskit_limits", default=Limits())  # noqa: B039


def active() -> Limits:
    """The limits in force for the file being read."""
    return _ACTIVE.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Apply ``limits`` to every file read inside the block."""
    token = _ACTIVE.set(limits)
    try:
        yield limits
    finally:
        _ACTIVE.reset(token)
