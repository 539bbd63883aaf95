"""The `opskit` command: parses arguments and calls the same functions a notebook calls.

Every ``OpskitError`` becomes its one-paragraph message on stderr and exit code 2; nothing a
consultant can fix ever shows a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from opskit.errors import OpskitError, UnreadableFileError

app = typer.Typer(
    name="opskit",
    help="Operational diagnostics for fractional operations consultants.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="The engagement folder (holds engagement.yaml).")],
) -> None:
    """Load an engagement, print its tables and row accounting.

    Exit codes: 0 every mapped table is usable; 1 a required table or column is broken;
    2 unreadable input (a file or engagement.yaml that cannot be read).
    """
    from opskit.engagement import Engagement
    from opskit.sources.load import failure_errors

    engagement = Engagement.load(path, strict=False)
    console.print(f"[bold]{engagement.client}[/bold]  {engagement.path}")
    console.print(f"Period: {engagement.period}"
                  + ("  (derived: trailing 90 days of data)" if engagement.period.derived
                     else ""))
    table = RichTable(title="Tables and row accounting", show_lines=False)
    for column in ("table", "files", "read", "used", "set aside", "reasons"):
        table.add_column(column, justify="right" if column in ("read", "used", "set aside")
                         else "left", overflow="fold")
    for name, q in engagement.quality.items():
        reasons = "; ".join(f"{k} ({v})" for k, v in q.set_aside_by_reason.items())
        table.add_row(name, ", ".join(q.files), f"{q.rows_read:,}", f"{q.rows_used:,}",
                      f"{q.rows_set_aside:,}", reasons)
    console.print(table)
    for loaded in engagement.loaded.values():
        for problem in failure_errors(loaded):
            console.print(f"  [yellow]![/yellow] {problem.message}", highlight=False)
        if loaded.quality.ignored_columns:
            console.print(f"  [dim]{loaded.name}: columns not used: "
                          f"{', '.join(loaded.quality.ignored_columns)}[/dim]", highlight=False)
    for problem in engagement.problems:
        err_console.print(f"[red]error:[/red] {problem.message}", highlight=False)
    if any(isinstance(p, UnreadableFileError) for p in engagement.problems):
        raise typer.Exit(2)
    if engagement.problems:
        raise typer.Exit(1)
    console.print("[green]All mapped tables are usable.[/green]")


@app.command()
def samples(
    out: Annotated[Path, typer.Argument(help="Folder to write the sample engagements into.")],
    scale: Annotated[int, typer.Option(min=1, max=1000,
                                       help="Volume multiplier (40 gives ~1M order lines).")] = 1,
    client: Annotated[list[str] | None, typer.Option(
        help="Only this sample client (repeatable).")] = None,
) -> None:
    """Write the sample clients (with their planted problems) into OUT."""
    from opskit import samples as sample_clients

    folders = sample_clients.generate(out, scale=scale, clients=client or None)
    for folder in folders:
        console.print(f"wrote {folder}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every OpskitError into its message and exit code 2."""
    try:
        app(args=argv, standalone_mode=False)
    except OpskitError as exc:
        err_console.print(f"[red]error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script entry point (``opskit``)."""
    sys.exit(main())
