"""What the consultant sees while a batch runs, and the summary when it ends.

A live rich progress bar (done, failed, running, ETA) on a terminal; one line per finished
client in any case, so a log file or CI output tells the same story.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opskit.batch.worker import ClientOutcome
from opskit.money import money as format_money
from opskit.terminal import plural, shown


def eta_seconds(elapsed: float, finished: int, total: int) -> float | None:
    """Seconds left at the pace so far (None before the first client finishes)."""
    if finished <= 0:
        return None
    return elapsed / finished * (total - finished)


def clock(seconds: float | None) -> str:
    """'1:05' for 65 seconds, '1:01:05' past an hour, '-' when unknown."""
    if seconds is None:
        return "-"
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class BatchDisplay:
    """The live progress of a batch: counts of done, failed and running clients, and ETA."""

    def __init__(self, console: Console, total: int, description: str) -> None:
        self.console = console
        self.total = total
        self.ok = 0
        self.failed = 0
        self.running: set[str] = set()
        self.started = time.monotonic()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}"), console=console, transient=False)
        self.task = self.progress.add_task(description, total=total, counts=self._counts(),
                                           eta="-")

    def __enter__(self) -> BatchDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.refresh()
        self.progress.stop()

    def event(self, event: dict[str, Any]) -> None:
        """A worker's 'started' or 'retry' event."""
        self.running.add(event["slug"])
        if event.get("event") == "retry":
            self.progress.console.print(
                f"  [yellow]↻[/yellow] {shown(event['slug'])}: the kernel did not start; "
                f"attempt {event.get('attempt')}", highlight=False)
        self.refresh()

    def done(self, outcome: ClientOutcome) -> None:
        self.running.discard(outcome.slug)
        if outcome.ok:
            self.ok += 1
            line = f"  [green]✓[/green] {shown(outcome.slug)}  {outcome.duration_s:.0f} s"
            if outcome.message:  # a partial run: the files it was written without
                line += f"  [yellow]{shown(outcome.reason)}:[/yellow] {shown(outcome.message)}"
        else:
            self.failed += 1
            line = (f"  [red]✗[/red] {shown(outcome.slug)}  {shown(outcome.reason)}: "
                    f"{shown(outcome.message)}")
        self.progress.console.print(line, highlight=False, soft_wrap=True)
        self.refresh()

    def refresh(self) -> None:
        finished = self.ok + self.failed
        eta = eta_seconds(time.monotonic() - self.started, finished, self.total)
        self.progress.update(self.task, completed=finished, counts=self._counts(),
                             eta=clock(eta) if finished < self.total else "0:00")

    def _counts(self) -> str:
        return (f"[green]{self.ok} done[/green] · [red]{self.failed} failed[/red] · "
                f"{len(self.running)} running")


def summary_table(outcomes: Sequence[ClientOutcome], out: Path) -> Table:
    """One row per client: result, reason, time, attempts, opportunity, where to look.

    Client slugs stay whole (their column is as wide as the longest); the last column wraps
    between words, so a report path is never cut inside a folder name (a path longer than
    the column overflows whole onto its own line)."""
    table = Table(title="Batch summary", title_justify="left")
    table.add_column("client", no_wrap=True,
                     min_width=min(max((len(o.slug) for o in outcomes), default=6), 30))
    for column, justify in (("result", "left"), ("time", "right"), ("tries", "right"),
                            ("opportunity / year", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("report, or why it failed", overflow="ignore")
    for o in outcomes:
        money = (shown(format_money(o.total_impact["base"], code=o.currency))
                 if o.ok and o.total_impact else "")
        where = (_relative(o.report, out) + (f" ({o.reason}: {o.message})" if o.message
                                             else "")) if o.ok else (
            f"{o.message}" + (f" — notebook: {_relative(o.notebook, out)}" if o.notebook
                              else ""))
        result = "[green]ok[/green]" if o.ok else f"[red]{shown(o.reason)}[/red]"
        table.add_row(shown(o.slug), result, f"{o.duration_s:.0f} s", str(o.attempts),
                      money, shown(where or ""))
    return table


WIDE = 100
"""Below this many columns the summary is a list (see ``print_summary``)."""


def print_summary(console: Console, outcomes: Sequence[ClientOutcome], out: Path) -> None:
    """The batch summary: ``summary_table`` on a wide console; on a narrow one (80 columns)
    two lines a client, the slug whole then where to look, printed so the terminal wraps a
    long path itself rather than rich cutting it inside a folder name."""
    if console.width >= WIDE:
        console.print(summary_table(outcomes, out))
        return
    console.print("[bold]Batch summary[/bold]", highlight=False)
    for o in outcomes:
        mark = "[green]✓ ok[/green]" if o.ok else f"[red]✗ {shown(o.reason)}[/red]"
        money = (f" · {shown(format_money(o.total_impact['base'], code=o.currency))} a year"
                 if o.ok and o.total_impact else "")
        console.print(f"  {mark}  [bold]{shown(o.slug)}[/bold]  {o.duration_s:.0f} s · "
                      f"{plural(o.attempts, 'try', 'tries')}{money}", highlight=False,
                      soft_wrap=True)
        if o.ok:
            where = _relative(o.report, out) + (f" ({o.reason}: {o.message})" if o.message
                                                else "")
        else:
            where = o.message + (f" — notebook: {_relative(o.notebook, out)}" if o.notebook
                                 else "")
        if where:
            console.print(f"      {shown(where)}", highlight=False, soft_wrap=True)


def _relative(path: str | None, base: Path) -> str:
    if not path:
        return ""
    try:
        return str(Path(path).relative_to(base.resolve()))
    except ValueError:
        return path
