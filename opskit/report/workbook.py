"""findings.xlsx and evidence/*.csv: the workbook consultants live in, and the full records.

The workbook has a Summary sheet (one row per check) and one sheet per hat with each flagged
finding's evidence, capped at ``EVIDENCE_CAP`` rows so the file stays small however big the
client; the complete evidence of every finding is in ``evidence/<check id>.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from opskit.findings import HATS
from opskit.money import excel_format, money
from opskit.report.context import ReportContext, in_currency
from opskit.report.sections import conversions_frame, currency_note, unit_in_currency

EVIDENCE_CAP = 200
SHEET_NAMES = {"fulfillment": "Fulfillment", "finance": "Finance", "sales": "Sales",
               "systems": "Systems", "knowledge": "Knowledge", "security": "Security"}


def write_evidence(ctx: ReportContext, out_dir: Path) -> dict[str, str]:
    """Full evidence of every result that has some, as CSV; returns check id -> relative path."""
    folder = out_dir / "evidence"
    files = {}
    for result in ctx.results:
        if result.evidence is None or not len(result.evidence):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        name = f"evidence/{result.check_id}.csv"
        result.evidence.to_csv(out_dir / name, index=False)
        files[result.check_id] = name
    return files


@in_currency
def summary_frame(ctx: ReportContext) -> pd.DataFrame:
    rows = []
    for r in ctx.results:
        metric = r.headline_metric
        rows.append({
            "hat": HATS[r.hat], "check": r.check_id, "title": r.title, "status": str(r.status),
            "metric": r.headline, "value": metric.value if metric else None,
            "measured": metric.display() if metric else "",
            "warn": r.thresholds.get("warn"), "fail": r.thresholds.get("fail"),
            f"impact_low ({ctx.currency})": r.impact.low,
            f"impact_base ({ctx.currency})": r.impact.base,
            f"impact_high ({ctx.currency})": r.impact.high, "in_total": r.impact.in_total,
            "impact_formula": r.impact.formula,
            "symptom": r.story.symptom if r.story else "",
            "cause": r.story.cause if r.story else "",
            "playbook": f"playbooks/{r.playbook}.md", "data_request": r.data_request or "",
            "evidence_rows": 0 if r.evidence is None else len(r.evidence),
        })
    return pd.DataFrame(rows)


@in_currency
def write_workbook(ctx: ReportContext, out_dir: Path, path: Path | None = None) -> Path:
    """Write findings.xlsx: Summary, one sheet per hat, Data quality, Assumptions."""
    path = path or out_dir / "findings.xlsx"  # path: the caller's temporary name (atomic)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        summary = summary_frame(ctx)
        summary.to_excel(writer, sheet_name="Summary", index=False)
        _money_format(writer.sheets["Summary"], summary,
                      [c for c in summary.columns if c.startswith("impact_") and "(" in c])
        amounts = [i for i, r in enumerate(ctx.results)
                   if r.headline_metric is not None and r.headline_metric.unit == "$"]
        _money_format(writer.sheets["Summary"], summary, ["value", "warn", "fail"], amounts)
        for hat, sheet in SHEET_NAMES.items():
            row = 0
            flagged = [r for r in ctx.results if r.hat == hat and r.status.flagged]
            header = pd.DataFrame({"finding": [f"{HATS[hat]}: {len(flagged)} findings"]})
            header.to_excel(writer, sheet_name=sheet, index=False, startrow=row)
            row += 3
            for r in flagged:
                metric = r.headline_metric
                title = (f"[{r.status}] {r.check_id}: {r.title} — "
                         f"{r.headline} {metric.display() if metric else ''}; "
                         f"{money(r.impact.base)} a year")
                pd.DataFrame({title: []}).to_excel(writer, sheet_name=sheet, index=False,
                                                   startrow=row)
                row += 1
                evidence = r.evidence if r.evidence is not None else pd.DataFrame()
                shown = _excel_safe(evidence.head(EVIDENCE_CAP))
                shown.to_excel(writer, sheet_name=sheet, index=False, startrow=row)
                row += len(shown) + 2
                if len(evidence) > EVIDENCE_CAP:
                    note = pd.DataFrame({f"... {len(evidence) - EVIDENCE_CAP:,} more rows in "
                                         f"evidence/{r.check_id}.csv": []})
                    note.to_excel(writer, sheet_name=sheet, index=False, startrow=row - 1)
                    row += 1
        _excel_safe(ctx.row_accounting).to_excel(writer, sheet_name="Data quality",
                                                 index=False)
        sheet = writer.sheets["Data quality"]
        below = len(ctx.row_accounting) + 3
        sheet.cell(row=below, column=1, value=currency_note(ctx))
        conversions = conversions_frame(ctx)
        if len(conversions):
            conversions.to_excel(writer, sheet_name="Data quality", index=False,
                                 startrow=below)
        assumptions = pd.DataFrame([{"assumption": k, **v}
                                    for k, v in ctx.diagnosis.assumptions.items()])
        if "unit" in assumptions.columns:
            assumptions["unit"] = assumptions["unit"].map(unit_in_currency)
        assumptions.to_excel(writer, sheet_name="Assumptions", index=False)
    return path


def _money_format(sheet, frame: pd.DataFrame, columns: list[str],
                  rows: list[int] | None = None) -> None:
    """Show ``columns`` of a written frame (its ``rows``, default all) in the engagement
    currency ('€1,234')."""
    fmt = excel_format()
    for column in columns:
        col = frame.columns.get_loc(column) + 1
        for row in range(len(frame)) if rows is None else rows:
            sheet.cell(row=row + 2, column=col).number_format = fmt


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Strings that Excel would run as formulas ('=', '+', '-', '@' first) are quoted."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column].dtype) or out[column].dtype == object:
            text = out[column]
            risky = text.astype("str").str.match(r"^[=+\-@]").fillna(False) & text.notna()
            if risky.any():
                out[column] = text.where(~risky, "'" + text.astype("str"))
    return out
