"""Files a non-strict load could not use, and what a run says about them.

One bad export must not sink a whole engagement. ``Engagement.load(strict=False)`` leaves out
the tables whose files cannot be used and keeps one ``Unusable`` per file: the file, the tables
it would have fed, and why. The why is either the file's own problem (the OpskitError message:
the consultant fixes or re-exports the file) or a crash of opskit while reading it (a bug of
ours, never blamed on the client's file). The same record feeds the checks that needed those
tables (NOT_ASSESSABLE with the reason), the report's data section, what ``opskit diagnose``
and ``opskit run`` print, and their exit code.

Everything here is plain values (no exception objects), so the record survives the handoff to
the notebook kernel and the trip back from a batch worker unchanged.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from opskit.errors import DataError, OpskitError

PARTIAL = 4
"""Exit code: the report (or the findings) was produced, but some files could not be used."""
INTERNAL_ERROR = 3
"""Exit code: a bug in opskit (here: a crash while reading one file; the rest was diagnosed)."""

BUG_HINT = ("This is a bug in opskit, not a problem with your data. Run again with "
            "OPSKIT_DEBUG=1 to see where it happened, and report it (see SECURITY.md; leave "
            "client data out of the report).")


@dataclass(frozen=True)
class Unusable:
    """One file a run could not use: which file, the tables it would feed, and why."""

    file: str
    """The file as the engagement names it (``data/tasks.csv``); several, comma-separated,
    when a crash cannot be pinned on one file of a multi-file table."""
    tables: tuple[str, ...]
    """The tables it would have fed; empty for a file whose format no adapter knows."""
    reason: str
    """The OpskitError's message, or ``"ZeroDivisionError: ..."`` when opskit crashed."""
    bug: bool = False
    traceback: str = ""
    """The crash's traceback (bugs only), printed with OPSKIT_DEBUG=1."""

    @property
    def detail(self) -> str:
        """The reason without the file name it starts with (the sentences name it first)."""
        text = self.reason
        if not self.bug and text.startswith(self.file):
            rest = text[len(self.file):].lstrip(",: ")
            if rest and not rest.startswith("."):
                return rest
        return text

    @property
    def cause(self) -> str:
        """'bug in opskit' or 'the file': whose problem it is, in two words for a table."""
        return "bug in opskit" if self.bug else "the file"

    def sentence(self) -> str:
        """What a check that needed this file says instead of a data request."""
        if self.bug:
            return (f"{self.file} could not be used: opskit crashed while reading it "
                    f"({self.reason}). This is a bug in opskit, not a problem with the file: "
                    "report it (see SECURITY.md) and run again once it is fixed.")
        detail = self.detail.rstrip()
        end = "" if detail.endswith((".", "!", "?")) else "."
        return f"{self.file} could not be used: {detail}{end} Fix or re-export it and run again."

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "tables": list(self.tables), "reason": self.reason,
                "cause": self.cause}


def from_error(error: OpskitError, table: str | None, files: Sequence[str]) -> Unusable:
    """The record of a table (or an unmapped file) whose file refused to load."""
    named = getattr(error, "file", None) if isinstance(error, DataError) else None
    file = named if named else ", ".join(files)
    return Unusable(file, (table,) if table else (), error.message)


def from_crash(exc: BaseException, table: str | None, files: Sequence[str]) -> Unusable:
    """The record of a table (or an unmapped file) whose loading crashed: a bug of ours."""
    said = str(exc)
    return Unusable(", ".join(files), (table,) if table else (),
                    f"{type(exc).__name__}: {said}" if said else type(exc).__name__, bug=True,
                    traceback="".join(traceback.format_exception(exc)))


def merge(records: Iterable[Unusable]) -> list[Unusable]:
    """One record per file and reason: an export feeding three tables is listed once."""
    merged: dict[tuple[str, str, bool], Unusable] = {}
    for record in records:
        key = (record.file, record.reason, record.bug)
        known = merged.get(key)
        if known is None:
            merged[key] = record
        else:
            tables = known.tables + tuple(t for t in record.tables if t not in known.tables)
            merged[key] = Unusable(known.file, tables, known.reason, known.bug,
                                   known.traceback)
    return list(merged.values())


def by_table(records: Iterable[Unusable]) -> dict[str, Unusable]:
    """Table -> the record that kept it out (what the checks that need it report)."""
    return {table: record for record in records for table in record.tables}


def exit_code(records: Sequence[Unusable]) -> int:
    """0 when every file was used, 3 when opskit crashed on one, else 4."""
    if any(r.bug for r in records):
        return INTERNAL_ERROR
    return PARTIAL if records else 0


def bug_paragraph(records: Sequence[Unusable]) -> str:
    """The one paragraph naming opskit's crash(es) while reading files, as cli.main does."""
    crashed = [r for r in records if r.bug]
    names = "; ".join(f"{r.file}: {r.reason}" for r in crashed)
    return (f"opskit crashed while reading {names}\nThe rest was diagnosed without "
            f"{'that file' if len(crashed) == 1 else 'those files'}. " + BUG_HINT)


__all__ = ["INTERNAL_ERROR", "PARTIAL", "Unusable", "bug_paragraph", "by_table",
           "exit_code", "from_crash", "from_error", "merge"]
