"""findings.xlsx and evidence/*.csv: the workbook a consultant forwards, and the full records.

findings.xlsx opens on a Summary sheet: one row per check, sorted by what each finding carries
into the total (``Diagnosis.carried``), then a totals row equal to the report's headline
(``Diagnosis.total_impact``); PASS, NOT_ASSESSABLE and ERROR rows carry no dollars. Each WARN
or FAIL finding has its own sheet with all of its evidence rows, linked from its Summary row and
back; Data quality and Assumptions close the book. An xlsx sheet holds at most 1,048,576 rows:
evidence longer than a sheet (possible under the input limit of 20 million rows) is cut there,
and the sheet and its Summary row say how many rows are shown of how many; the complete
evidence of every finding is in ``evidence/<check id>.csv``. Formats, widths, frozen and
filtered headers and text safety come from ``opskit.report.sheets``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from opskit.atomic import atomic_path
from opskit.findings import HATS, STATUS_ORDER, Result
from opskit.money import excel_format, money
from opskit.playbooks import all_playbooks
from opskit.report import sheets
from opskit.report.context import ReportContext, in_currency
from opskit.report.sections import conversions_frame, currency_note, unit_in_currency
from opskit.textsafe import spreadsheet_frame

WORKBOOK_NAME = "findings.xlsx"
SUMMARY = "Summary"
APPENDICES = ("Data quality", "Assumptions")
TOTAL_LABEL = "Total annual opportunity (the report's headline)"
EVIDENCE_TOP = 5
"""Sheet rows above an evidence grid's first record: link back, title, measure, blank, header."""


def write_evidence(ctx: ReportContext, out_dir: Path) -> dict[str, str]:
    """Full evidence of every result that has some, as CSV; returns check id -> relative path."""
    folder = out_dir / "evidence"
    files = {}
    for result in ctx.results:
        if result.evidence is None or not len(result.evidence):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        name = f"evidence/{result.check_id}.csv"
        # Opened in Excel by the client: a cell or header that would start a formula is
        # written as text; CRLF rows (RFC 4180), so a cell holding a lone CR is quoted and
        # stays one cell; the file appears whole or not at all.
        with atomic_path(out_dir / name) as temporary:
            spreadsheet_frame(result.evidence).to_csv(temporary, index=False,
                                                      lineterminator="\r\n")
        files[result.check_id] = name
    return files


def evidence_rows_fit() -> int:
    """How many evidence rows a finding's sheet holds (the sheet limit less the rows above)."""
    return sheets.SHEET_ROWS - EVIDENCE_TOP


def summary_order(ctx: ReportContext) -> list[Result]:
    """Results as the Summary lists them: by dollars carried into the total, biggest first;
    then findings that carry none (FAIL before WARN), then PASS, NOT_ASSESSABLE, ERROR."""
    diagnosis = ctx.diagnosis
    return sorted(ctx.results, key=lambda r: (
        not r.status.flagged, -round(diagnosis.carried(r)[1], 2), STATUS_ORDER[r.status],
        -r.impact.base, r.check_id))


def finding_sheets(ctx: ReportContext) -> dict[str, str]:
    """check id -> the sheet of each WARN or FAIL finding (safe, unique names <= 31 chars)."""
    taken = [SUMMARY, *APPENDICES]
    names = {}
    for result in summary_order(ctx):
        if result.status.flagged:
            short = result.check_id.split(".", 1)[-1]  # 'fulfillment.data_defects_drive_delays'
            wanted = result.check_id if len(result.check_id) <= sheets.SHEET_NAME_CHARS else short
            name = sheets.sheet_name(wanted, taken)
            taken.append(name)
            names[result.check_id] = name
    return names


def _playbook_title(result: Result) -> str:
    book = all_playbooks().get(result.playbook)
    return book.title if book else result.playbook


def _note(ctx: ReportContext, result: Result) -> str:
    """Why a finding's dollars are not (all) in the total, in words."""
    if not result.status.flagged:
        return ""
    titles = {r.check_id: r.title for r in ctx.results}
    given = (ctx.diagnosis._overlaps().get(result.check_id, {})  # cached: once per workbook
             if result.impact.in_total else {})
    if given:
        return "; ".join(f"{money(v)} counted in {titles.get(k, k)}" for k, v in given.items())
    if not result.impact.in_total:
        return result.impact.note or result.impact.formula
    return ""


@in_currency
def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    """The Summary sheet's rows, in ``summary_order``. The impact columns are what each
    finding carries into the total, so they add up to the headline; ``stated_base`` is the
    finding's own estimate before overlaps. Rows that are not findings carry no dollars."""
    cur = ctx.currency
    fit = evidence_rows_fit()
    rows = []
    for r in summary_order(ctx):
        metric = r.headline_metric
        low, base, high = ctx.diagnosis.carried(r)
        flagged = r.status.flagged
        evidence = 0 if r.evidence is None else len(r.evidence)
        rows.append({
            "check": r.check_id, "title": r.title, "status": str(r.status),
            "hat": HATS.get(r.hat, r.hat),
            "metric": r.headline or "", "measured": metric.display() if metric else "",
            "value": metric.value if metric else None,
            "warn": r.thresholds.get("warn"), "fail": r.thresholds.get("fail"),
            f"impact_low ({cur})": round(low, 2) if flagged else None,
            f"impact_base ({cur})": round(base, 2) if flagged else None,
            f"impact_high ({cur})": round(high, 2) if flagged else None,
            f"stated_base ({cur})": r.impact.base if flagged else None,
            "not in the total": _note(ctx, r),
            "impact_formula": r.impact.formula if flagged else "",
            "symptom": r.story.symptom if r.story else "",
            "cause": r.story.cause if r.story else "",
            "playbook": _playbook_title(r), "data_request": r.data_request or "",
            "evidence_rows": evidence,
            "evidence_shown": min(evidence, fit) if flagged else 0,
        })
    return pd.DataFrame(rows)


@in_currency
def write_workbook(ctx: ReportContext, out_dir: Path) -> Path:
    """Write findings.xlsx atomically (see ``opskit.atomic``): Summary, one sheet per
    finding, Data quality, Assumptions."""
    path = Path(out_dir) / WORKBOOK_NAME
    spool = sheets.Spool(path)
    try:
        with atomic_path(path) as temporary:  # an OSError on the way names findings.xlsx
            book = Workbook(write_only=True)
            names = finding_sheets(ctx)
            _summary_sheet(book, ctx, names, spool)
            by_id = {r.check_id: r for r in ctx.results}
            for number, (check_id, name) in enumerate(names.items(), start=1):
                _finding_sheet(book, ctx, by_id[check_id], name, f"Evidence{number}", spool)
            _quality_sheet(book, ctx, spool)
            _assumptions_sheet(book, ctx, spool)
            book.save(temporary)
    finally:
        spool.clear()
    return path


def _summary_sheet(book: Workbook, ctx: ReportContext, names: dict[str, str],
                   spool: sheets.Spool) -> None:
    frame = summary_frame(ctx)
    cur = ctx.currency
    money_columns = [c for c in frame.columns if c.endswith(f"({cur})")]
    formats = {c: excel_format() for c in money_columns}
    formats.update({"value": None, "warn": None, "fail": None,
                    "evidence_rows": sheets.FORMAT_INTEGER,
                    "evidence_shown": sheets.FORMAT_INTEGER})
    grid = sheets.Grid.of(frame, formats=formats, currency=cur)
    units = [r.headline_metric.unit if r.headline_metric else None for r in summary_order(ctx)]
    columns = list(frame.columns)
    metric_columns = [columns.index(c) for c in ("value", "warn", "fail")]
    check_column = columns.index("check")
    decorate: dict[int, dict[int, dict]] = {}
    for row, (check_id, unit) in enumerate(zip(frame["check"], units, strict=True)):
        fmt = sheets.unit_format(unit)
        cells: dict[int, dict] = {i: {"number_format": fmt} for i in metric_columns if fmt}
        if check_id in names:
            cells[check_column] = {"link": sheets.sheet_link(names[check_id])}
        decorate[row] = cells
    writer = sheets.SheetWriter(book, SUMMARY, spool)
    widths = sheets.fit_widths(grid.header, grid.columns, grid.formats)
    writer.layout(widths, freeze_below=1)
    writer.grid(grid, "Findings", decorate)
    status = get_column_letter(columns.index("status") + 1)
    sheets.colour_statuses(writer.sheet, f"{status}2:{status}{len(frame) + 1}")
    total = ctx.diagnosis.total_impact()
    totals = [None] * len(columns)
    totals[columns.index("title")] = writer.cell(TOTAL_LABEL, font=sheets.BOLD)
    for key in ("low", "base", "high"):
        totals[columns.index(f"impact_{key} ({cur})")] = writer.cell(
            total[key], font=sheets.BOLD, number_format=excel_format())
    writer.row += 1
    writer.sheet.append(totals)
    share = ctx.diagnosis.total_share_of_revenue()
    if share is not None:
        writer.line(None, writer.cell(f"{share:.1%} of annual revenue "
                                      f"({money(ctx.diagnosis.annual_revenue or 0)})"))


def _finding_sheet(book: Workbook, ctx: ReportContext, result: Result, name: str,
                   table: str, spool: sheets.Spool) -> None:
    evidence = result.evidence if result.evidence is not None else pd.DataFrame()
    fit = evidence_rows_fit()
    grid = sheets.Grid.of(evidence, currency=ctx.currency, max_rows=fit)
    writer = sheets.SheetWriter(book, name, spool)
    widths = sheets.fit_widths(grid.header, grid.columns, grid.formats)
    writer.layout(widths or [sheets.WIDTH_MAX], freeze_below=EVIDENCE_TOP if len(
        grid.header) else None)
    writer.line(writer.cell("← back to Summary", link=sheets.sheet_link(SUMMARY)))
    writer.line(f"[{result.status}] {result.title} ({result.check_id})", font=sheets.TITLE)
    metric = result.headline_metric
    carried = ctx.diagnosis.carried(result)[1]
    measured = f"{result.headline}: {metric.display()}. " if metric else ""
    total = len(evidence)
    if not total:
        rows = "No record-level evidence for this finding."
    elif total > fit:
        rows = (f"The first {fit:,} of {total:,} records (an xlsx sheet holds "
                f"{sheets.SHEET_ROWS:,} rows); all {total:,} are in "
                f"evidence/{result.check_id}.csv.")
    else:
        rows = f"{total:,} record{'s' if total != 1 else ''}."
    writer.line(f"{measured}{money(carried)} a year in the total. {rows} "
                f"Playbook: {_playbook_title(result)}.")
    writer.blank()
    if len(grid.header):
        writer.grid(grid, table, last=True)


def _quality_sheet(book: Workbook, ctx: ReportContext, spool: sheets.Spool) -> None:
    accounting = sheets.Grid.of(ctx.row_accounting, currency=ctx.currency)
    conversions = conversions_frame(ctx)
    extra = sheets.Grid.of(conversions, currency=ctx.currency) if len(conversions) else None
    writer = sheets.SheetWriter(book, APPENDICES[0], spool)
    widths = sheets.fit_widths(accounting.header, accounting.columns, accounting.formats)
    writer.layout(widths, freeze_below=1)
    writer.grid(accounting, "RowAccounting")
    writer.blank()
    writer.line(currency_note(ctx))
    if extra is not None:
        writer.grid(extra, "Conversions")


def _assumptions_sheet(book: Workbook, ctx: ReportContext, spool: sheets.Spool) -> None:
    assumptions = pd.DataFrame([{"assumption": k, **v}
                                for k, v in ctx.diagnosis.assumptions.items()])
    if "unit" in assumptions.columns:
        assumptions["unit"] = assumptions["unit"].map(unit_in_currency)
    amounts = [c for c in ("value", "low", "base", "high") if c in assumptions.columns]
    grid = sheets.Grid.of(assumptions, formats=dict.fromkeys(amounts), currency=ctx.currency)
    decorate: dict[int, dict[int, dict]] = {}
    positions = [list(assumptions.columns).index(c) for c in amounts]
    for row, values in enumerate(ctx.diagnosis.assumptions.values()):
        fmt = sheets.unit_format(_assumption_unit(str(values.get("unit") or "")))
        decorate[row] = {i: {"number_format": fmt} for i in positions if fmt}
    writer = sheets.SheetWriter(book, APPENDICES[1], spool)
    writer.layout(sheets.fit_widths(grid.header, grid.columns, grid.formats), freeze_below=1)
    writer.grid(grid, "AssumptionsTable", decorate)


def _assumption_unit(unit: str) -> str | None:
    """The metric unit of an assumption's unit ('share', '$', '$/hour' is money)."""
    if unit == "share":
        return "share"
    if unit.startswith("$"):
        return "$"
    return None
