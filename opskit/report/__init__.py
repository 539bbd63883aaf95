"""The report: what the diagnostic notebook calls, section by section.

The notebook stays thin (parameters, then these calls); the sections are HTML built by
``sections`` from the results, the figures by ``figures``, the files by ``workbook`` and
``record``. Nothing here recomputes a metric.
"""

from __future__ import annotations

from pathlib import Path

from opskit.report import figures, record, sections, workbook
from opskit.report.context import ReportContext, in_currency, prepare
from opskit.report.page import show as _show


def warm_up() -> None:
    """What a fresh kernel's cells would pay on the way: plotly's figure validators (built
    on first use), the playbooks (read and rendered once), and the modules the hand-off and
    the last cell import (the history a handed context carries, pandas' CSV writer).
    `opskit run`'s kernel calls it while it boots, before the engagement is handed over."""
    import pandas.io.formats.csvs  # noqa: F401 - imported by the first to_csv

    import opskit.history  # noqa: F401 - unpickling a handed context imports it
    from opskit.playbooks import all_playbooks

    for book in all_playbooks().values():
        sections.playbook_body_html(book.body)
    figures.warm_up()


@in_currency
def show_title(ctx: ReportContext) -> None:
    """Title block, which also names the page (client and period). plotly.js is not in the
    notebook: the export embeds it once in the page, which keeps the executed notebook small
    enough to save after every cell."""
    _show(sections.title_block(ctx), title=sections.page_title(ctx))


@in_currency
def show_contents(ctx: ReportContext) -> None:
    """The table of contents, linked to every section and finding. Shown after
    ``record_history`` so it knows whether the history section is there."""
    _show(sections.contents(ctx))


@in_currency
def show_executive_summary(ctx: ReportContext) -> None:
    _show(sections.executive_summary(ctx))
    if ctx.diagnosis.flagged():
        _show(figures.to_div(figures.opportunity(ctx.diagnosis)))


@in_currency
def record_history(ctx: ReportContext, enabled: bool, ledger: str | None = None,
                   pending: str | None = None) -> None:
    """Record this run in the engagement ledger and keep what changed since the last one.

    With ``pending`` (`opskit run`) the record is left there, to be committed only once the
    run's report is complete. A ledger that cannot be used never stops the report: the
    history section then says why.
    """
    if not enabled or ctx.history is not None or ctx.history_error is not None:
        return  # off, or done already (by `opskit run` before handing the context over)
    from opskit.errors import OpskitError
    from opskit.history import record_and_summarize

    try:
        ctx.history = record_and_summarize(ctx.engagement, ctx.diagnosis, ledger, pending)
    except OpskitError as exc:
        ctx.history_error = exc.message


@in_currency
def show_history(ctx: ReportContext) -> None:
    """'Since the last diagnostic': new, fixed, regressed, impact recovered, hours eliminated."""
    if ctx.history is None and ctx.history_error is None:
        return
    chart = ""
    if ctx.history is not None and len(ctx.history.runs) > 1:
        chart = figures.to_div(figures.history(ctx.history.runs))
    _show(f'<div id="since-last">{sections.since_last(ctx)}{chart}</div>')


@in_currency
def show_scorecard(ctx: ReportContext) -> None:
    _show(f'<section id="scorecard">{sections.scorecard_heading()}'
          f"{figures.to_div(figures.scorecard(ctx.diagnosis))}</section>")


@in_currency
def show_hat_sections(ctx: ReportContext) -> None:
    for _, fragment in sections.hat_sections(ctx):
        _show(fragment)


@in_currency
def show_passes(ctx: ReportContext) -> None:
    _show(sections.passes(ctx))


@in_currency
def show_data_requests(ctx: ReportContext) -> None:
    _show(sections.data_requests(ctx))


@in_currency
def show_data_quality(ctx: ReportContext) -> None:
    _show(sections.data_quality(ctx))


@in_currency
def show_assumptions(ctx: ReportContext) -> None:
    _show(sections.assumptions(ctx))


@in_currency
def write_artifacts(ctx: ReportContext, output_dir: str | Path | None) -> dict[str, Path]:
    """findings.json, findings.xlsx and evidence/*.csv into ``output_dir`` (None: nothing).

    Each file is written under a temporary name and renamed when complete
    (``opskit.atomic``): never a half-written workbook, a write error names the file. A
    context with ``workbook_apart`` (`opskit run`) leaves findings.xlsx to the run, which
    writes it from the same context while the notebook's cells run."""
    if output_dir is None:
        return {}
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    evidence = workbook.write_evidence(ctx, out)
    json_path = record.write(ctx, out, evidence)
    xlsx = out / workbook.WORKBOOK_NAME
    if not ctx.workbook_apart:
        workbook.write_workbook(ctx, out)  # atomic itself (it spools beside the file)
    return {"json": json_path, "xlsx": xlsx}


__all__ = [
    "ReportContext",
    "prepare",
    "record_history",
    "show_assumptions",
    "show_contents",
    "show_data_quality",
    "show_data_requests",
    "show_executive_summary",
    "show_hat_sections",
    "show_history",
    "show_passes",
    "show_scorecard",
    "show_title",
    "write_artifacts",
]
