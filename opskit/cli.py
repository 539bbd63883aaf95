"""The `opskit` command: parses arguments and calls the same functions a notebook calls.

Every ``OpskitError`` becomes its one-paragraph message on stderr and exit code 2; nothing a
consultant can fix ever shows a traceback. One file that cannot be used does not stop
``diagnose``, ``run`` or ``batch``: it is named, the rest is diagnosed, and the exit code says
the run was partial (4), or 3 when the file could not be used because of a bug in opskit.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table as RichTable

from opskit.errors import OpskitError, UnreadableFileError
from opskit.terminal import make_console, plural, shown

if TYPE_CHECKING:
    from opskit.findings import Diagnosis
    from opskit.unusable import Unusable

app = typer.Typer(
    name="opskit",
    help="Operational diagnostics for fractional operations consultants.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich help prints a type such as <bool> beside every flag (--raw,
    # --open, --help), which takes no value; and its boxes cut option text at 80 columns.
    rich_markup_mode=None,
)
console = make_console()
err_console = make_console(stderr=True)
WIDE = 100
"""Below this many columns, findings and checks print as a list, not a table: a table's
columns would cut check ids, the ids ``opskit playbook`` takes."""


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="The engagement folder (holds engagement.yaml).")],
) -> None:
    """Load an engagement, print its tables and row accounting.

    Exit codes: 0 every mapped table is usable; 1 a required table or column is broken;
    2 unreadable input (a file or engagement.yaml that cannot be read); 3 opskit crashed
    reading a file (a bug in opskit).
    """
    from opskit.diagnose import resolve_overrides
    from opskit.engagement import Engagement
    from opskit.sources.currency import describe
    from opskit.sources.load import failure_errors

    engagement = Engagement.load(path, strict=False)
    resolve_overrides(engagement, None)  # a bad threshold is a config error (exit 2)
    console.print(f"[bold]{shown(engagement.client)}[/bold]  {shown(engagement.path)}",
                  highlight=False, soft_wrap=True)
    console.print(f"Period: {engagement.period}"
                  + ("  (derived: trailing 90 days of data)" if engagement.period.derived
                     else ""))
    names = list(engagement.quality)
    files = [", ".join(q.files) for q in engagement.quality.values()]
    # Table names and file names stay whole: their columns are as wide as the longest word
    # (the reasons wrap between words instead). Below WIDE columns the files go under the
    # table's name, in a lighter box, so the counts and reasons still fit.
    wide = console.width >= WIDE
    table = (RichTable(title="Tables and row accounting", show_lines=False) if wide else
             RichTable(title="Tables and row accounting", box=box.SIMPLE_HEAD))
    widest = max(map(_longest_word, names + files), default=5)
    if wide:
        table.add_column("table", no_wrap=True, min_width=max(map(len, names), default=5))
        table.add_column("files", min_width=min(max(map(_longest_word, files), default=5),
                                                console.width // 3))
    else:
        table.add_column("table: files", min_width=min(widest, console.width // 2))
    for column in ("read", "used", "set aside"):
        table.add_column(column, justify="right")
    table.add_column("reasons", min_width=12)
    for (name, q), file_names in zip(engagement.quality.items(), files, strict=True):
        reasons = "; ".join(f"{k} ({v})" for k, v in q.set_aside_by_reason.items())
        where = [name, shown(file_names)] if wide else [f"{name}\n[dim]{shown(file_names)}[/dim]"]
        table.add_row(*where, f"{q.rows_read:,}", f"{q.rows_used:,}",
                      f"{q.rows_set_aside:,}", shown(reasons))
    console.print(table)
    for loaded in engagement.loaded.values():
        for problem in failure_errors(loaded):
            console.print(f"  [yellow]![/yellow] {shown(problem.message)}", highlight=False,
                          soft_wrap=True)
        if loaded.quality.converted:  # rows in another currency, at the fx: rates
            console.print(f"  {loaded.name}: converted to {engagement.config.currency}: "
                          f"{describe(loaded.quality.converted, engagement.config.currency)}",
                          highlight=False)
        if loaded.quality.ignored_columns:
            console.print(f"  [dim]{loaded.name}: columns not used: "
                          f"{shown(', '.join(loaded.quality.ignored_columns))}[/dim]",
                          highlight=False)
        for note in loaded.quality.notes:  # e.g. timestamps kept in UTC (no timezone:)
            console.print(f"  [dim]{loaded.name}: {shown(note)}[/dim]", highlight=False)
    for record in engagement.unusable:
        if not record.bug:
            err_console.print(f"[red]error:[/red] {shown(record.reason)}", highlight=False,
                              soft_wrap=True)
    if any(record.bug for record in engagement.unusable):
        raise typer.Exit(_crashed_on_files(engagement.unusable))
    if any(isinstance(p, UnreadableFileError) for p in engagement.problems):
        raise typer.Exit(2)
    if engagement.problems:
        raise typer.Exit(1)
    console.print("[green]All mapped tables are usable.[/green]")


@app.command()
def samples(
    out: Annotated[Path, typer.Argument(
        metavar="OUT", help="Folder to write the sample engagements into.")],
    scale: Annotated[int, typer.Option(min=1, max=1000,
                                       help="Volume multiplier (40 gives ~1M order lines).")] = 1,
    client: Annotated[list[str] | None, typer.Option(
        help="Only this sample client (repeatable).")] = None,
    raw: Annotated[bool, typer.Option(
        "--raw", help="Write the dtc brand as the raw exports of its systems instead.")
    ] = False,
) -> None:
    """Write the sample clients (with their planted problems) into OUT."""
    from opskit import samples as sample_clients

    if raw:
        from opskit.samples.raw import generate_raw

        folders = [generate_raw(out, scale=scale)]
    else:
        folders = sample_clients.generate(out, scale=scale, clients=client or None)
    for folder in folders:
        console.print(f"wrote {folder}", markup=False, highlight=False, soft_wrap=True)


@app.command("run")
def run_command(
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="The engagement folder (holds engagement.yaml).")],
    audience: Annotated[str, typer.Option(
        help="consultant (shows contact details) or client (redacts emails and phones).")
    ] = "consultant",
    out: Annotated[Path | None, typer.Option(
        help="Folder for the reports (default: PATH/reports). opskit writes nothing "
             "outside it: the run's history goes to OUT/.opskit/ledger.sqlite.")] = None,
    ledger: Annotated[Path | None, typer.Option(
        help="Ledger file recording the run (default: .opskit/ledger.sqlite beside the "
             "engagement, or in OUT).")] = None,
    open_report: Annotated[bool, typer.Option(
        "--open", help="Open report.html in the browser when done.")] = False,
) -> None:
    """Run the full diagnostic: report.html, findings.xlsx, findings.json, evidence/.

    A file that cannot be used is left out and named (in the report's data section and
    here); the rest is diagnosed. Exit codes: 0 every file used; 4 the report was written
    without the files named; 3 opskit crashed reading a file (a bug in opskit; the report
    was written without it); 2 engagement.yaml or an option is wrong.
    """
    from opskit.run import run

    if audience not in ("consultant", "client"):
        raise typer.BadParameter("must be 'consultant' or 'client'", param_hint="--audience")
    outcome = run(path, audience=audience, out=out, ledger=ledger,
                  progress=sys.stderr.isatty())
    # Paths are printed whole (never wrapped at the terminal's width) so they can be copied.
    console.print(f"Report: {outcome.html}\nWorkbook: {outcome.xlsx}\nFindings: {outcome.json}"
                  f"\nExecuted notebook and kernel log: {outcome.notebook.parent}",
                  markup=False, highlight=False, soft_wrap=True)
    if open_report:
        import webbrowser

        webbrowser.open(outcome.html.resolve().as_uri())
    code = report_unusable(outcome.unusable, "The report was written")
    if code:
        raise typer.Exit(code)


@app.command("diagnose")
def diagnose_command(
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="The engagement folder (holds engagement.yaml).")],
    check: Annotated[list[str] | None, typer.Option(
        "--check", help="Only this check id (repeatable).")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the findings as JSON to this file.")] = None,
) -> None:
    """Run the checks on an engagement and print the findings by hat, in its currency.

    Exit codes as for ``opskit run``: 0 every file used; 4 diagnosed without the files
    named; 3 opskit crashed reading a file (a bug in opskit); 2 bad input.
    """
    from opskit.diagnose import diagnose
    from opskit.engagement import Engagement
    from opskit.money import money, using_currency

    engagement = Engagement.load_partial(path)
    diagnosis = diagnose(engagement, checks=check or None)
    total = diagnosis.total_impact()
    console.print(f"[bold]{shown(engagement.client)}[/bold]  period {engagement.period}",
                  highlight=False)
    with using_currency(diagnosis.currency):
        console.print(f"Total annual opportunity: [bold]{escape(money(total['base']))}[/bold] "
                      f"(low {escape(money(total['low']))}, high "
                      f"{escape(money(total['high']))}) in {diagnosis.currency}",
                      highlight=False)
        _print_hats(diagnosis)
    if json_out is not None:
        json_out.write_text(diagnosis.to_json(), encoding="utf-8")
        console.print(f"findings written to {json_out}", markup=False, highlight=False,
                      soft_wrap=True)
    code = report_unusable(engagement.unusable, "The findings above were made")
    if code:
        raise typer.Exit(code)


def _print_hats(diagnosis: Diagnosis) -> None:
    """One table per hat: status, check, measured value, base impact in the current currency.

    On a terminal narrower than ``WIDE`` each check is two lines instead (status and id, then
    measured and impact, indented), so the id is always whole.
    """
    from opskit.findings import HATS, Status
    from opskit.money import money

    colours = {Status.FAIL: "red", Status.WARN: "yellow", Status.PASS: "green",
               Status.NOT_ASSESSABLE: "dim", Status.ERROR: "magenta"}
    wide = console.width >= WIDE
    for hat, name in HATS.items():
        results = [r for r in diagnosis.results if r.hat == hat]
        if not results:
            continue
        if wide:
            table = RichTable(title=name, title_justify="left")
            table.add_column("status", no_wrap=True)
            table.add_column("check", no_wrap=True,
                             min_width=max(len(r.check_id) for r in results))
            table.add_column("measured")
            table.add_column("impact / year (base)")
        else:
            table = RichTable(title=name, title_justify="left", box=box.SIMPLE_HEAD,
                              show_lines=True)
            table.add_column("status", no_wrap=True)
            table.add_column("check · measured · impact / year (base)")
        for r in results:
            metric = r.headline_metric
            measured = f"{r.headline} {metric.display()}" if metric else (
                r.data_request or "")
            amount = money(r.impact.base) if r.status.flagged else ""
            if r.status.flagged and not r.impact.in_total:
                amount += " (not added)"
            status = f"[{colours[r.status]}]{r.status}[/]"
            if wide:
                table.add_row(status, r.check_id, shown(measured), shown(amount))
            else:
                detail = " · ".join(part for part in (measured, amount) if part)
                table.add_row(status, f"[bold]{r.check_id}[/bold]\n{shown(detail)}")
        console.print(table)


def report_unusable(records: Sequence[Unusable], done: str) -> int:
    """Name on stderr each file a run left out, with why; the run's exit code (0, 4 or 3).

    ``done`` says what was produced anyway ("The report was written").
    """
    from opskit.unusable import exit_code

    files = [r for r in records if not r.bug]
    for record in files:
        tables = f" ({', '.join(record.tables)})" if record.tables else ""
        detail = record.detail.rstrip()
        detail += "" if detail.endswith((".", "!", "?")) else "."
        err_console.print(f"[yellow]not used:[/yellow] {shown(record.file)}{shown(tables)}: "
                          f"{shown(detail)}", highlight=False, soft_wrap=True)
    if files:
        names = ", ".join(r.file for r in files)
        err_console.print(f"{done} without {shown(names)}: fix or re-export "
                          f"{'it' if len(files) == 1 else 'them'} and run again.",
                          highlight=False, soft_wrap=True)
    if any(r.bug for r in records):
        return _crashed_on_files(records)
    return exit_code(records)


def _crashed_on_files(records: Sequence[Unusable]) -> int:
    """opskit's crash(es) while reading files, in cli.main's internal-error paragraph (with
    the traceback under OPSKIT_DEBUG=1): exit 3."""
    import os

    from opskit.unusable import INTERNAL_ERROR, bug_paragraph

    if os.environ.get("OPSKIT_DEBUG"):
        for record in records:
            if record.bug:
                err_console.print(record.traceback, markup=False, highlight=False,
                                  soft_wrap=True)
    err_console.print(f"[red]internal error:[/red] {shown(bug_paragraph(records))}",
                      highlight=False, soft_wrap=True)
    return INTERNAL_ERROR


@app.command("checks")
def list_checks() -> None:
    """List the checks by hat, with the tables and columns each needs."""
    from opskit.findings import HATS
    from opskit.registry import all_checks

    specs = all_checks()
    wide = console.width >= WIDE
    for hat, name in HATS.items():
        ours = [s for s in specs if s.hat == hat]
        if wide:  # ids whole: their column is as wide as the longest id
            table = RichTable(title=f"{name}", title_justify="left", show_lines=False)
            table.add_column("check", no_wrap=True,
                             min_width=max((len(s.id) for s in ours), default=5))
            table.add_column("title")
            table.add_column("needs")
        else:  # narrow: the id on its own line, title and needs below it
            table = RichTable(title=f"{name}", title_justify="left", box=box.SIMPLE_HEAD,
                              show_lines=True)
            table.add_column("check · title · needs")
        for spec in ours:
            needs = "; ".join(f"{t}({', '.join(c)})" for t, c in spec.needs.items())
            if wide:
                table.add_row(spec.id, escape(spec.title), escape(needs))
            else:
                table.add_row(f"[bold]{spec.id}[/bold]\n{escape(spec.title)}\n"
                              f"[dim]needs {escape(needs)}[/dim]")
        console.print(table)
    console.print(f"{plural(len(specs), 'check')}. `opskit playbook ID` prints the playbook "
                  "of one.", highlight=False)


@app.command()
def playbook(
    check_id: Annotated[str, typer.Argument(
        metavar="CHECK_ID", help="A check id, e.g. fulfillment.late_shipments")],
) -> None:
    """Print the playbook that removes a finding for good."""
    from opskit.playbooks import for_check

    console.print(for_check(check_id).text, markup=False, highlight=False)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="A client export file (CSV, XLSX, ...).")],
) -> None:
    """Detect an export's format: confidence, column mapping, rows, assessable checks."""
    from opskit.sources.inspect import inspect_command

    raise typer.Exit(inspect_command(file, console))


@app.command()
def batch(
    target: Annotated[Path, typer.Argument(metavar="TARGET",
        help="A folder of engagements (each with engagement.yaml) or a manifest .yaml.")],
    workers: Annotated[int, typer.Option(min=1, help="Clients run in parallel.")] = 2,
    timeout: Annotated[int, typer.Option(min=1, help="Seconds allowed per client.")] = 900,
    audience: Annotated[str, typer.Option(help="consultant or client.")] = "consultant",
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address, or 'local' for a LocalCluster (needs opskit[dask]).")
    ] = None,
    out: Annotated[Path | None, typer.Option(
        help="Folder for the batch's reports (default: TARGET/reports). opskit writes "
             "nothing outside it: the history goes to OUT/.opskit/ledger.sqlite.")] = None,
    ledger: Annotated[Path | None, typer.Option(
        help="Ledger file recording the runs (default: .opskit/ledger.sqlite beside the "
             "engagements, or in OUT).")] = None,
) -> None:
    """Run the diagnostic for every client at once; exit 0 only when all succeeded."""
    from opskit.batch import batch_command

    raise typer.Exit(batch_command(target, workers=workers, timeout=timeout,
                                   audience=audience, scheduler=scheduler, out=out,
                                   ledger=ledger, console=console))


@app.command()
def portfolio(
    folder: Annotated[Path, typer.Argument(
        metavar="FOLDER", help="A batch output folder (holds findings.json files).")],
    anonymous: Annotated[bool, typer.Option(
        "--anonymous", help="Label clients Client A, B, ... for sharing.")] = False,
    out: Annotated[Path | None, typer.Option(help="Folder for portfolio.html/.xlsx.")] = None,
) -> None:
    """Roll findings up across clients: portfolio.html and portfolio.xlsx."""
    from opskit.portfolio import portfolio_command

    raise typer.Exit(portfolio_command(folder, anonymous=anonymous, out=out, console=console))


@app.command()
def history(
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="The engagement folder.")],
    ledger: Annotated[Path | None, typer.Option(
        help="Ledger file (default: .opskit/ledger.sqlite beside the engagement; a run "
             "with --out OUT recorded into OUT/.opskit/ledger.sqlite).")] = None,
) -> None:
    """Print a client's timeline: runs, findings fixed, regressions, impact recovered."""
    from opskit.history import history_command

    raise typer.Exit(history_command(path, ledger=ledger, console=console))


INTERNAL_ERROR = 3  # the same code as opskit.unusable.INTERNAL_ERROR


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning every OpskitError into its message and exit code 2.

    Anything else is a bug in opskit, not a problem with the consultant's data: it is named
    as such in one paragraph (exit 3), and OPSKIT_DEBUG=1 shows the traceback.
    """
    import os

    try:
        code = app(args=argv, standalone_mode=False)
    except OpskitError as exc:
        err_console.print(f"[red]error:[/red] {shown(exc.message)}", highlight=False,
                          soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except Exception as exc:
        # Usage errors (missing argument, option out of range) come from the click that
        # typer bundles; they know how to show themselves and their exit code (2).
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None),
                                                                int):
            exc.show()
            return exc.exit_code
        known = _environment_failure(exc)
        if known is not None:
            err_console.print(f"[red]error:[/red] {shown(known[1])}", highlight=False,
                              soft_wrap=True)
            return known[0]
        if os.environ.get("OPSKIT_DEBUG"):
            raise
        err_console.print(
            f"[red]internal error:[/red] {shown(type(exc).__name__)}: {shown(exc)}\n"
            "This is a bug in opskit, not a problem with your data. Run again with "
            "OPSKIT_DEBUG=1 to see where it happened, and report it (see SECURITY.md; leave "
            "client data out of the report).", highlight=False, soft_wrap=True)
        return INTERNAL_ERROR
    return code if isinstance(code, int) else 0


def _longest_word(text: str) -> int:
    """Length of the longest space-separated word of ``text`` (a file name, say)."""
    return max((len(word) for word in text.split()), default=0)


def _environment_failure(exc: Exception) -> tuple[int, str] | None:
    """(exit code, message) for failures that come from the machine, not from opskit:
    a kernel killed from outside or out of memory, a cell past its time limit, a file that
    cannot be read or written (permissions, a full disk)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, DeadKernelError):
        return 1, ("the notebook kernel died (killed from outside, or out of memory); the "
                   "executed notebook up to that point is kept in the report folder's run/")
    if isinstance(exc, CellTimeoutError):
        return 1, ("a notebook cell ran past its time limit; the executed notebook up to "
                   "that point is kept in the report folder's run/")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, (f"{where}{exc.strerror or exc}. Hint: check the path, its permissions and "
                   "the free disk space")
    return None


def run() -> None:
    """Console-script entry point (``opskit``)."""
    sys.exit(main())
