"""Write sample tables chunk by chunk, byte-for-byte reproducibly.

High-volume tables are appended one chunk (a month of orders) at a time, so memory stays at a
few chunks whatever the scale. A table that ends up with more than ``GZIP_ROWS`` rows is
written as ``.csv.gz`` (gzip with mtime=0 and no file name in the header, so the bytes do not
depend on when or where it was generated); smaller tables stay plain ``.csv`` so a consultant
can open them. Until a table passes the threshold its rows are held in a small buffer.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

GZIP_ROWS = 5_000
GZIP_LEVEL = 6
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_csv_text(df: pd.DataFrame) -> str:
    """CSV rows (no header): money as %.2f, timestamps as YYYY-MM-DD HH:MM:SS, nulls empty."""
    return df.to_csv(index=False, header=False, lineterminator="\n", float_format="%.2f",
                     date_format=TIMESTAMP_FORMAT, na_rep="")


class TableWriter:
    """One canonical table being written to ``data_dir``; ``close()`` returns its path."""

    def __init__(self, data_dir: Path, table: str, columns: Sequence[str], *,
                 bom: bool = False) -> None:
        self.data_dir = data_dir
        self.table = table
        self.columns = list(columns)
        self.bom = bom
        self.rows = 0
        self._pending: list[str] = []
        self._raw: IO[bytes] | None = None
        self._gz: gzip.GzipFile | None = None
        self.path: Path | None = None

    def _header(self) -> str:
        return ("\ufeff" if self.bom else "") + ",".join(self.columns) + "\n"

    def write(self, df: pd.DataFrame) -> None:
        """Append the rows of ``df`` (its columns must be exactly this table's columns)."""
        if list(df.columns) != self.columns:
            raise ValueError(f"{self.table}: columns {list(df.columns)} != {self.columns}")
        if not len(df):
            return
        text = to_csv_text(df)
        self.rows += len(df)
        if self._gz is not None:
            self._gz.write(text.encode("utf-8"))
            return
        self._pending.append(text)
        if self.rows > GZIP_ROWS:
            path = self.data_dir / f"{self.table}.csv.gz"
            self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
            self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0,
                                     compresslevel=GZIP_LEVEL)
            self._gz.write(self._header().encode("utf-8"))
            for chunk in self._pending:
                self._gz.write(chunk.encode("utf-8"))
            self._pending = []
            self.path = path

    def close(self) -> Path:
        """Finish the file and return its path."""
        if self._gz is not None:
            self._gz.close()
            assert self._raw is not None
            self._raw.close()
            self._gz = None
            assert self.path is not None
            return self.path
        if self.path is None:
            path = self.data_dir / f"{self.table}.csv"
            with open(path, "wb") as fh:
                fh.write((self._header() + "".join(self._pending)).encode("utf-8"))
            self._pending = []
            self.path = path
        return self.path


class EngagementWriter:
    """The engagement folder of one client: its tables, engagement.yaml and planted.json."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data_dir = root / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for old in sorted(self.data_dir.glob("*.csv*")):
            old.unlink()
        self.writers: dict[str, TableWriter] = {}
        self.files: dict[str, str] = {}

    def table(self, name: str, columns: Sequence[str], *, bom: bool = False) -> TableWriter:
        """Open the writer of table ``name`` (each table is written once)."""
        if name in self.writers:
            raise ValueError(f"table {name} opened twice")
        writer = TableWriter(self.data_dir, name, columns, bom=bom)
        self.writers[name] = writer
        return writer

    def write_table(self, name: str, df: pd.DataFrame, *, bom: bool = False) -> None:
        """Write a small table in one go."""
        writer = self.table(name, list(df.columns), bom=bom)
        writer.write(df)
        self.close(name)

    def close(self, name: str) -> None:
        path = self.writers[name].close()
        self.files[name] = f"data/{path.name}"

    def row_counts(self) -> dict[str, int]:
        return {name: w.rows for name, w in self.writers.items()}

    def finish(self, *, client: str, industry: str, assumptions: dict[str, Any],
               planted: dict[str, Any], table_order: Sequence[str]) -> None:
        """Close every table and write engagement.yaml and planted.json."""
        for name in list(self.writers):
            if name not in self.files:
                self.close(name)
        (self.root / "engagement.yaml").write_text(
            engagement_yaml(client, industry, assumptions,
                            {t: self.files[t] for t in table_order if t in self.files}),
            encoding="utf-8")
        (self.root / "planted.json").write_text(json.dumps(planted, indent=2) + "\n",
                                                encoding="utf-8")


def engagement_yaml(client: str, industry: str, assumptions: dict[str, Any],
                    files: dict[str, str]) -> str:
    """engagement.yaml text with a fixed key order and layout (reproducible bytes)."""
    lines = [
        f"client: {json.dumps(client)}",
        f"industry: {industry}",
        "currency: USD",
        "period:",
        "  start: 2026-07-01",
        "  end: 2026-09-30",
    ]
    if assumptions:
        lines.append("assumptions:")
        lines += [f"  {k}: {v}" for k, v in assumptions.items()]
    else:
        lines.append("assumptions: {}")
    lines.append("files:")
    lines += [f"  {table}: {path}" for table, path in files.items()]
    lines.append("thresholds: {}")
    return "\n".join(lines) + "\n"
