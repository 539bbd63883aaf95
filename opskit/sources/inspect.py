"""`opskit inspect FILE`: what opskit makes of one export before it goes into an engagement.

It answers the questions a consultant has when a client sends a file: which export is it (and
how sure is opskit), which of its columns become which canonical columns, how many rows are
used and why the others are set aside (and which lines are report structure, not data), and
which checks this file makes assessable. A file of a format opskit does not know exits with
code 2 and the closest formats, with the columns that differ.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from opskit.config import FileSpec
from opskit.errors import DataError, UnreadableFileError
from opskit.sources.adapters import Adapted, adapt
from opskit.sources.adapters.headers import matches, title_matches
from opskit.sources.detect import (
    Detection,
    Sniff,
    UnknownFormatError,
    closest,
    detect_sniff,
    sniff,
)
from opskit.sources.load import LoadedTable, load_table
from opskit.sources.readers import (
    PARQUET_SUFFIXES,
    XLSX_SUFFIXES,
    head_of,
    normalize_name,
    require_regular,
    suffix_of,
)
from opskit.tables import TABLES


def inspect_command(file: Path, console: Console) -> int:
    """Print the detected format, column mapping, row accounting and assessable checks.

    Returns the exit code: 0 when the format is known, 2 when it is not (the closest formats
    are printed). Other unreadable input raises an ``OpskitError`` (the CLI prints it, code 2).
    """
    file = Path(file)
    display = file.name
    # a FIFO or a device is named, never opened
    require_regular(file, display, missing_hint=f"check the path: {file} does not exist")
    found = sniff(file, display)  # the file's head, read once for every question below
    if found.problem is not None:
        raise found.problem  # the reader's own words (a limit, a damaged file), not wrapped
    if found.error is not None:  # the reader's own error names the file and why, once
        from opskit.sources.detect import SNIFF_ROWS
        from opskit.sources.grid import read_grid

        read_grid(file, display, limit=SNIFF_ROWS)
        raise UnreadableFileError(display, expected="a readable export", got=found.error)
    claims = detect_sniff(found)
    if not claims:
        print_unknown(UnknownFormatError(display, [c for c in found.header if c],
                                         closest(found)), console)
        return 2
    best = claims[0]
    system = best.adapter.system if best.adapter else "canonical (no source system)"
    console.print(f"[bold]{escape(display)}[/bold]: {best.name} ([cyan]{best.id}[/cyan]), "
                  f"confidence {best.confidence:.0%}", highlight=False)
    console.print(f"  system: {escape(system)}", highlight=False)
    console.print(f"  layout: {escape(describe_layout(best, found))}", highlight=False)
    console.print(f"  read as: {escape(describe_bytes(file, display))}", highlight=False)
    others = [d for d in claims[1:] if d.id != best.id]
    if others:
        console.print("  also plausible: " + ", ".join(
            f"{d.id} ({d.confidence:.0%})" for d in others), highlight=False)
    adapted = None
    if best.adapter is not None:
        header = found.rows[best.header_row] if best.header_row >= 0 else []
        absent = [e.split("|")[0] for e in best.adapter.optional
                  if not any(matches(e, normalize_name(c)) for c in header if c)]
        if absent and best.adapter.layout != "headerless":
            console.print("  optional columns not in this file: " + escape(", ".join(absent)),
                          highlight=False)
        console.print(f"  produced by: {best.adapter.menu}", highlight=False)
        console.print(f"  quirks handled: {best.adapter.quirks}", highlight=False)
        adapted = adapt(best.adapter, file, display)
        print_lines(adapted, console)
    loaded, problems = load_tables(file, display, best)
    for table in best.tables:
        print_mapping(table, mapping_of(table, best, adapted, file, display), console)
    print_rows(loaded, problems, console)
    if adapted is not None:
        for note in adapted.notes:
            console.print(f"  [dim]note: {escape(note)}[/dim]", highlight=False)
    print_checks(loaded, console)
    # A file that cannot be read at all (over a limit, damaged) is not ready for an
    # engagement: exit 2, as validate would; a table missing a column stays informational.
    return 2 if any(isinstance(p, UnreadableFileError) for p in problems.values()) else 0


def describe_layout(best: Detection, found: Sniff) -> str:
    """Where the data sits in the file, as the detection found it."""
    line = best.header_row + 1
    if best.adapter is None:
        return f"canonical {best.table} table, header row on line {line}"
    adapter = best.adapter
    if adapter.layout == "headerless":
        return (f"no header row: {len(adapter.columns)} fixed columns, "
                + ", ".join(adapter.columns[:5]) + ", ...")
    if adapter.layout == "report":
        title = next((n for n in adapter.report_names
                      if title_matches(replace(adapter, report_names=(n,)),
                                       found.rows[:best.header_row])), adapter.report_names[0])
        return f"report '{title}': header on line {line}, under a title block"
    if adapter.layout == "preamble" and best.header_row > 0:
        lines = sum(1 for row in found.rows[:best.header_row] if any(row))
        return f"header on line {line}, after {lines} preamble line{'s' * (lines != 1)}"
    return f"header row on line {line}"


DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def describe_bytes(file: Path, display: str) -> str:
    """How the file's bytes were read: a CSV's encoding and delimiter, or its format."""
    suffix = suffix_of(file)
    if suffix in XLSX_SUFFIXES:
        return "Excel workbook, first sheet"
    if suffix in PARQUET_SUFFIXES:
        return "Parquet file"
    head = head_of(file, display)
    compressed = ", gzip-compressed" if suffix.endswith(".gz") else ""
    return (f"{head.encoding.upper()} text, {DELIMITER_NAMES[head.delimiter]}-separated"
            f"{compressed}")


def load_tables(file: Path, display: str, best: Detection
                ) -> tuple[dict[str, LoadedTable], dict[str, DataError]]:
    """Each table the file feeds, loaded the way an engagement would load it."""
    loaded: dict[str, LoadedTable] = {}
    problems: dict[str, DataError] = {}
    for table in best.tables:
        spec = FileSpec(table, file.resolve(), display,
                        adapter=best.adapter.id if best.adapter else None)
        try:
            loaded[table] = load_table(table, [spec])
        except DataError as exc:
            problems[table] = exc
    return loaded, problems


def mapping_of(table: str, best: Detection, adapted: Adapted | None, file: Path,
               display: str) -> dict[str, str]:
    """canonical column -> source column(s) it is read from."""
    if adapted is not None:
        out = adapted.tables.get(table)
        return dict(out.headers) if out is not None else {}
    header = sniff(file, display).header
    spec = TABLES[table]
    mapping: dict[str, str] = {}
    for original in header:
        name = normalize_name(original)
        if name in spec.by_name and name not in mapping:
            mapping[name] = original
    return mapping


def print_unknown(exc: UnknownFormatError, console: Console) -> None:
    console.print(f"[red]unknown format:[/red] {escape(str(exc.file))}: {escape(str(exc.got))}",
                  highlight=False)
    table = RichTable(title="Closest formats", title_justify="left")
    table.add_column("format", overflow="fold")
    # the id is what a consultant copies into engagement.yaml: whole at any width
    table.add_column("id", no_wrap=True, min_width=max((len(n.id) for n in exc.closest),
                                                       default=2))
    for column in ("match", "missing columns", "columns not in that export"):
        table.add_column(column, overflow="fold")
    for near in exc.closest:
        table.add_row(near.name, near.id, f"{near.confidence:.0%}",
                      escape(", ".join(near.missing[:8]) or "-"),
                      escape(", ".join(near.unexpected[:8]) or "-"))
    console.print(table)
    if exc.closest:
        near = exc.closest[0]
        differs = [f"missing required column{'s' * (len(near.missing) != 1)} "
                   + ", ".join(f"'{c}'" for c in near.missing)] if near.missing else []
        if near.unexpected:
            differs.append("columns that export does not have: "
                           + ", ".join(f"'{c}'" for c in near.unexpected[:8]))
        console.print(f"Closest known layout: {escape(near.name)} ({near.id}), "
                      f"{near.confidence:.0%} of its columns; "
                      + escape("; ".join(differs) or "same columns, another layout"),
                      highlight=False)
    console.print("See 'Supported exports' in README.md for the exports opskit reads and the "
                  "menu path that produces each.", highlight=False)


def print_lines(adapted: Adapted, console: Console) -> None:
    parts = ", ".join(f"{k} {v:,}" for k, v in adapted.structure.items())
    console.print(f"  lines: {adapted.lines:,} = {adapted.data_rows:,} data rows + "
                  f"{adapted.structure_rows:,} structure rows ({parts})", highlight=False)


def print_mapping(table: str, mapping: dict[str, str], console: Console) -> None:
    view = RichTable(title=f"Column mapping: {table}", title_justify="left")
    view.add_column("canonical column")
    view.add_column("required")
    view.add_column("source", overflow="fold")
    for column in TABLES[table].columns:
        source = mapping.get(column.name)
        view.add_row(column.name, "yes" if column.required else "",
                     escape(source) if source else "[dim]- (not in this export)[/dim]")
    console.print(view)


def print_rows(loaded: dict[str, LoadedTable], problems: dict[str, DataError],
               console: Console) -> None:
    view = RichTable(title="Rows read = used + set aside", title_justify="left")
    for column in ("table", "read", "used", "set aside", "reasons"):
        view.add_column(column, justify="right" if column in ("read", "used", "set aside")
                        else "left", overflow="fold")
    for name, item in loaded.items():
        q = item.quality
        reasons = "; ".join(f"{k} ({v})" for k, v in q.set_aside_by_reason.items())
        if q.values_cleared:
            reasons += ("; " if reasons else "") + "values cleared: " + ", ".join(
                f"{k} ({v})" for k, v in q.values_cleared.items())
        view.add_row(name, f"{q.rows_read:,}", f"{q.rows_used:,}", f"{q.rows_set_aside:,}",
                     escape(reasons or "-"))
    for name, problem in problems.items():
        view.add_row(name, "-", "0", "-", f"[red]not usable:[/red] {escape(problem.message)}")
    console.print(view)


def print_checks(loaded: dict[str, LoadedTable], console: Console) -> None:
    """Checks this file makes assessable alone, and those that also need other tables."""
    from opskit.registry import all_checks

    available = {name: set(item.frame.columns) for name, item in loaded.items()
                 if len(item.frame)}
    alone, partly = [], []
    for spec in all_checks():
        needs = dict(spec.needs)
        touched = [t for t in needs if t in available]
        if not touched:
            continue
        columns_ok = all(set(needs[t]) <= available[t] for t in touched)
        missing = [t for t in needs if t not in available]
        if columns_ok and not missing:
            alone.append(spec.id)
        elif columns_ok:
            partly.append(f"{spec.id} (also needs {', '.join(missing)})")
    console.print(f"Checks assessable with this file: {', '.join(alone) or 'none alone'}",
                  highlight=False)
    if partly:
        console.print("With other files too: " + "; ".join(partly), highlight=False)


__all__ = ["inspect_command"]
