"""Recognise an export by its content: header signature and layout, with a confidence.

A file's name says little (Shopify calls its export ``orders_export_1.csv``; consultants
rename files), so opskit looks inside: the first rows of the file are read as text cells, and
every adapter checks whether its header is there (on the first line, under a report's title
block, after a preamble, or, for headerless files, whether the rows have its shape). The
canonical tables are detectors too: a file whose header is mostly one table's columns is that
table. A file nobody claims raises ``UnknownFormatError`` with the closest formats and the
columns that differ, so the consultant sees at once which export was meant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from opskit.config import FileSpec
from opskit.errors import ConfigError, OpskitError, UnreadableFileError
from opskit.sources.adapters import ADAPTERS, Adapter
from opskit.sources.adapters import get as get_adapter
from opskit.sources.adapters.base import SNIFF_ROWS
from opskit.sources.adapters.headers import locate_header, matches, title_matches
from opskit.sources.grid import read_grid
from opskit.sources.readers import (
    XLSX_SUFFIXES,
    check_xlsx,
    normalize_name,
    require_regular,
    suffix_of,
)
from opskit.tables import TABLES

CANONICAL_SHARE = 0.75  # share of a file's columns that must be one table's columns
CLAIM_FLOOR = 0.6


@dataclass
class Sniff:
    """The first rows of a file as text cells (or why they could not be read)."""

    path: Path
    display: str
    rows: list[list[str]] = field(default_factory=list)
    error: str | None = None
    problem: OpskitError | None = None  # the error behind ``error``, to raise as it is

    @property
    def header(self) -> list[str]:
        """The first non-empty row: the header of a file that has one on top."""
        return next((r for r in self.rows if any(r)), [])


@dataclass(frozen=True)
class Detection:
    """An adapter (or a canonical table) claiming a file, with how sure it is."""

    adapter: Adapter | None
    table: str | None
    confidence: float
    header_row: int
    matched: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.adapter.id if self.adapter else f"canonical.{self.table}"

    @property
    def name(self) -> str:
        return self.adapter.name if self.adapter else f"canonical {self.table} table"

    @property
    def tables(self) -> tuple[str, ...]:
        return self.adapter.feeds if self.adapter else (self.table or "",)


class UnknownFormatError(UnreadableFileError):
    """A file no adapter recognises; ``closest`` holds the nearest formats."""

    def __init__(self, display: str, columns: list[str], closest: list[Detection]) -> None:
        self.closest = closest
        shown = ", ".join(f"'{c}'" for c in columns[:10]) + (" ..." if len(columns) > 10 else "")
        hints = []
        for near in closest:
            parts = []
            if near.missing:
                parts.append("missing " + ", ".join(f"'{c}'" for c in near.missing[:5]))
            elif near.adapter is not None and near.adapter.layout == "report":
                parts.append(f"no '{near.adapter.report_names[0]}' title above the header")
            if near.unexpected:
                parts.append("not in that export " + ", ".join(
                    f"'{c}'" for c in near.unexpected[:5]))
            hints.append(f"{near.name} ({near.id}, {near.confidence:.0%} of its columns): "
                         + "; ".join(parts))
        super().__init__(display, expected="an export opskit knows (see 'Supported exports' "
                                           "in README.md) or a canonical table",
                         got=f"columns {shown}" if columns else "no header row",
                         hint="closest: " + " | ".join(hints) if hints else None)


# ---------------------------------------------------------------------------------------
def sniff(path: Path, display: str | None = None, sheet: str | int | None = None) -> Sniff:
    """The first rows of ``path`` as text; an unreadable file is not an exception here (its
    reason is in ``error``), but a bug in reading is: it propagates, named as a bug."""
    display = display or path.name
    try:
        require_regular(path, display)  # a FIFO would block the first open forever
        if suffix_of(path) in XLSX_SUFFIXES:
            check_xlsx(path, display, sheet)  # openpyxl pads rows to the sheet's extent
        rows, _ = read_grid(path, display, sheet=sheet, limit=SNIFF_ROWS)
    except OpskitError as exc:  # unreadable bytes: detection just does not claim the file
        return Sniff(path, display, error=exc.message, problem=exc)
    return Sniff(path, display, rows)


def claim(adapter: Adapter, found: Sniff) -> Detection | None:
    """Whether ``adapter`` recognises the sniffed file, and how sure it is."""
    if not found.rows:
        return None
    if adapter.layout == "headerless":
        share = adapter.probe(found.rows) if adapter.probe else 0.0
        if share < 0.8:
            return None
        return Detection(adapter, None, round(0.5 + 0.5 * share, 3), -1)
    row = locate_header(adapter, found.rows)
    if row is None:
        return None
    keys = [normalize_name(c) for c in found.rows[row] if c]
    if any(any(matches(e, k) for k in keys) for e in adapter.excludes):
        return None
    if adapter.layout == "report" and not title_matches(adapter, found.rows[:row]):
        return None
    matched_optional = [e for e in adapter.optional if any(matches(e, k) for k in keys)]
    known = [k for k in keys if any(matches(e, k) for e in (*adapter.required,
                                                            *adapter.optional))]
    optional_share = len(matched_optional) / len(adapter.optional) if adapter.optional else 1.0
    known_share = len(known) / len(keys) if keys else 0.0
    confidence = CLAIM_FLOOR + 0.3 * optional_share + 0.1 * known_share
    return Detection(adapter, None, round(confidence, 3), row,
                     matched=tuple(e.split("|")[0] for e in (*adapter.required,
                                                             *matched_optional)))


def claim_canonical(table: str, found: Sniff) -> Detection | None:
    """Whether the file is canonical table ``table``: its required columns, and mostly its."""
    header = [c for c in found.header if c]
    keys = [normalize_name(c) for c in header]
    spec = TABLES[table]
    if not keys or any(r not in keys for r in spec.required):
        return None
    share = sum(1 for k in keys if k in spec.by_name) / len(keys)
    if share < CANONICAL_SHARE:
        return None
    return Detection(None, table, round(0.5 + 0.5 * share, 3), 0,
                     matched=tuple(k for k in keys if k in spec.by_name))


def detect_sniff(found: Sniff) -> list[Detection]:
    """Every claim on the sniffed file, most confident first."""
    claims = [c for a in ADAPTERS.values() if (c := claim(a, found)) is not None]
    claims += [c for t in TABLES if (c := claim_canonical(t, found)) is not None]
    return sorted(claims, key=lambda d: (-d.confidence, len(d.tables), d.id))


def detect(path: Path, display: str | None = None, sheet: str | int | None = None
           ) -> list[Detection]:
    """Every adapter or canonical table that claims ``path``, most confident first."""
    return detect_sniff(sniff(path, display, sheet))


def identify(path: Path, display: str | None = None, sheet: str | int | None = None
             ) -> Detection:
    """The format of ``path``; ``UnknownFormatError`` (with the closest ones) when unknown."""
    found = sniff(path, display, sheet)
    if found.error is not None:
        raise UnreadableFileError(found.display, expected="a readable export", got=found.error)
    claims = detect_sniff(found)
    if claims:
        return claims[0]
    raise UnknownFormatError(found.display, [c for c in found.header if c], closest(found))


def closest(found: Sniff, n: int = 3) -> list[Detection]:
    """The ``n`` adapters whose columns come nearest the file's, with what differs."""
    scored = []
    for adapter in ADAPTERS.values():
        if adapter.layout == "headerless":
            share = adapter.probe(found.rows) if adapter.probe else 0.0
            scored.append(Detection(adapter, None, round(share, 3), -1))
            continue
        best = None
        wanted = (*adapter.required, *adapter.optional)
        for i, row in enumerate(found.rows[:40]):
            keys = [normalize_name(c) for c in row if c]
            if not keys:
                continue
            required = [e for e in adapter.required if any(matches(e, k) for k in keys)]
            optional = [e for e in adapter.optional if any(matches(e, k) for k in keys)]
            share = (0.7 * len(required) / max(len(adapter.required), 1)
                     + 0.3 * len(optional) / max(len(adapter.optional), 1))
            if best is None or share > best[0]:
                missing = tuple(e.split("|")[0] for e in adapter.required
                                if not any(matches(e, k) for k in keys))
                extra = tuple(c for c in row if c and not any(
                    matches(e, normalize_name(c)) for e in wanted))
                best = (share, i, missing, extra)
        if best is not None:
            scored.append(Detection(adapter, None, round(best[0], 3), best[1],
                                    missing=best[2], unexpected=best[3]))
    scored.sort(key=lambda d: (-d.confidence, len(d.missing), d.id))
    return scored[:n]


# ---------------------------------------------------------------------------------------
# engagement integration (used by opskit.engagement.sources_by_table)
# ---------------------------------------------------------------------------------------
def canonical_fit(found: Sniff, table: str) -> bool:
    """Whether the file's header has every required column of ``table`` (read as before)."""
    keys = {normalize_name(c) for c in found.header if c}
    return all(r in keys for r in TABLES[table].required)


def resolve_mapped(spec: FileSpec, timezone: str | None) -> FileSpec:
    """A file mapped in engagement.yaml: its adapter if named, detected if not canonical.

    A file whose header has its table's required columns is read as a canonical table,
    exactly as before adapters existed; one that does not and that an adapter feeding the
    table recognises is read through it; anything else is left to the canonical reader,
    whose error names the missing column.
    """
    if spec.adapter is not None:
        adapter = get_adapter(spec.adapter)
        if spec.table not in adapter.feeds:
            raise ConfigError(f"engagement.yaml, files, '{spec.table}': adapter "
                              f"'{adapter.id}'", expected="an adapter that feeds "
                              f"{spec.table}", got=f"one that feeds {', '.join(adapter.feeds)}")
        return dataclasses.replace(spec, timezone=timezone)
    found = sniff(spec.path, spec.display, spec.sheet)
    if found.error is not None or not found.rows or canonical_fit(found, spec.table):
        return spec
    for detection in detect_sniff(found):
        if detection.adapter is not None and spec.table in detection.adapter.feeds:
            return dataclasses.replace(spec, adapter=detection.adapter.id, timezone=timezone)
    return spec


def adapter_feeds(adapter_id: str | None) -> tuple[str, ...]:
    """The tables an adapter feeds (none for a canonical file)."""
    return get_adapter(adapter_id).feeds if adapter_id else ()


def specs_for_unmapped(path: Path, display: str, stem_table: str | None,
                       timezone: str | None) -> list[FileSpec]:
    """FileSpecs for a file of data/ that engagement.yaml does not map.

    A file named after a table with that table's header keeps the name-based pickup; any
    other file is detected by content and feeds every table its format feeds. A file no
    format claims raises ``UnknownFormatError``.
    """
    found = sniff(path, display)
    if stem_table is not None and (found.error is not None or not found.rows
                                   or canonical_fit(found, stem_table)):
        return [FileSpec(stem_table, path, display)]
    if found.error is not None:
        raise UnreadableFileError(display, expected="a readable export", got=found.error)
    claims = detect_sniff(found)
    if not claims:
        if stem_table is not None:
            return [FileSpec(stem_table, path, display)]  # the canonical reader says why
        raise UnknownFormatError(display, [c for c in found.header if c], closest(found))
    best = claims[0]
    if best.adapter is None:
        return [FileSpec(best.table or "", path, display)]
    return [FileSpec(table, path, display, adapter=best.adapter.id, timezone=timezone)
            for table in best.adapter.feeds]


__all__ = ["Detection", "Sniff", "UnknownFormatError", "adapter_feeds", "claim",
           "claim_canonical", "closest", "detect", "identify", "resolve_mapped", "sniff",
           "specs_for_unmapped"]
