"""Where an adapter's columns are in a file: header matching and header location.

A header entry (``'Start date|Date'``, ``'Debit*'``) names a column the way exports spell it;
a file's header matches it after normalization. Detection and reading use the same functions,
so a file detected as an export is read as that export.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from opskit.errors import UnreadableFileError
from opskit.sources.adapters.records import Adapter
from opskit.sources.readers import normalize_name

REPORT_HEADER_WITHIN = 40  # rows of title block a report's header may sit under


@lru_cache(maxsize=4096)
def _alternatives(entry: str) -> tuple[tuple[str, bool], ...]:
    """'A|B*' -> (('a', False), ('b', True)): normalized names, and whether a prefix."""
    return tuple((normalize_name(a[:-1] if a.endswith("*") else a), a.endswith("*"))
                 for a in entry.split("|"))


def matches(entry: str, key: str) -> bool:
    """Whether normalized header ``key`` is the column ``entry`` names (see Adapter)."""
    for stem, prefix in _alternatives(entry):
        if key == stem or (prefix and key.startswith(stem + "_")):
            return True
    return False


@lru_cache(maxsize=8192)
def _key(label: str) -> str:
    return normalize_name(label)


def find(entry: str, labels: Sequence[str]) -> str | None:
    """The first label of ``labels`` that is column ``entry``."""
    for label in labels:
        if matches(entry, _key(label)):
            return label
    return None


def missing_required(adapter: Adapter, columns: Iterable[str]) -> list[str]:
    """The adapter's required columns (first spelling) that ``columns`` lacks."""
    keys = [normalize_name(c) for c in columns if c]
    return [e.split("|")[0] for e in adapter.required if not any(matches(e, k) for k in keys)]


def unknown_columns(adapter: Adapter, columns: Iterable[str]) -> list[str]:
    """The columns of ``columns`` the adapter does not read."""
    wanted = (*adapter.required, *adapter.optional)
    return [c for c in columns if c and not any(matches(e, normalize_name(c)) for e in wanted)]


def locate_header(adapter: Adapter, rows: list[list[str]]) -> int | None:
    """Index of the header row for ``adapter``'s layout, or None when it is not there."""
    if adapter.layout == "headerless":
        return -1
    if adapter.layout == "header":
        first = next((i for i, row in enumerate(rows) if any(row)), None)
        candidates: Iterable[int] = [] if first is None else [first]
    else:
        candidates = range(min(len(rows), REPORT_HEADER_WITHIN))
    for i in candidates:
        keys = [normalize_name(c) for c in rows[i] if c]
        if keys and all(any(matches(e, k) for k in keys) for e in adapter.required):
            return i
    return None


def title_matches(adapter: Adapter, title_rows: list[list[str]]) -> bool:
    """Whether the title block above the header names one of the adapter's reports."""
    names = {normalize_name(n) for n in adapter.report_names}
    for row in title_rows:
        for cell in row:
            if normalize_name(cell) in names:
                return True
    return False


def require_columns(adapter: Adapter, columns: list[str], display: str) -> None:
    """The export named must have the adapter's required columns; else say which are missing."""
    missing = missing_required(adapter, columns)
    if missing:
        shown = ", ".join(f"'{c}'" for c in columns[:8]) + (" ..." if len(columns) > 8 else "")
        raise UnreadableFileError(
            display, column=missing[0],
            expected=f"{adapter.name} columns " + ", ".join(f"'{m}'" for m in missing),
            got=f"columns {shown}" if columns else "no header",
            hint=f"check that the file is that export ({adapter.menu}), or leave 'adapter' "
                 "out of engagement.yaml to detect its format")


def unique_names(names: list[str]) -> list[str]:
    """Header cells made unique: a second 'Amount' becomes 'Amount (2)'."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name} ({seen[name]})")
        else:
            seen[name] = 1
            out.append(name)
    return out


__all__ = ["find", "locate_header", "matches", "missing_required", "require_columns",
           "title_matches", "unique_names", "unknown_columns"]
