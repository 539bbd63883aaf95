"""The report's sections as HTML fragments, in reading order.

Every string that can come from client data (client name, evidence cells, file and column
names, failing values) goes through ``html.escape`` or ``DataFrame.to_html(escape=True)``;
the words opskit writes itself are escaped too, so there is one rule and no exceptions.
"""

from __future__ import annotations

import html

import pandas as pd

from opskit.findings import HATS, Diagnosis, Result, Status, format_value
from opskit.money import money, symbol
from opskit.playbooks import all_playbooks
from opskit.report import figures
from opskit.report.context import ReportContext, in_currency
from opskit.sources.currency import describe
from opskit.tables import TABLES

EVIDENCE_ROWS_SHOWN = 10
esc = html.escape


def table_html(frame: pd.DataFrame, rows: int | None = None) -> str:
    shown = frame if rows is None else frame.head(rows)
    return shown.to_html(index=False, escape=True, na_rep="", border=0,
                         classes="opskit-table", float_format=lambda v: f"{v:,.2f}")


@in_currency
def title_block(ctx: ReportContext) -> str:
    e = ctx.engagement
    used = sum(q.rows_used for q in e.quality.values())
    read = sum(q.rows_read for q in e.quality.values())
    assessable = sum(r.status is not Status.NOT_ASSESSABLE for r in ctx.results)
    files = len(ctx.unusable)
    left_out = "" if not files else (
        f" {files} file{' was' if files == 1 else 's were'} left out because "
        f"{'it' if files == 1 else 'they'} could not be used: "
        f"{esc(', '.join(ctx.unusable['file']))} (see the data quality appendix).")
    audience = ("Client copy: emails and phone numbers are redacted." if ctx.audience == "client"
                else "Consultant copy: contains customer contact details; do not forward.")
    return (
        f'<header class="opskit-title"><h1>Operations diagnostic: {esc(e.client)}</h1>'
        f"<p>Period {esc(str(e.period.start.date()))} to {esc(str(e.period.end.date()))} "
        f"({e.period.days} days){' · ' + esc(e.config.industry) if e.config.industry else ''}"
        f"</p><p>Data coverage: {len(e.tables)} of {len(TABLES)} tables, {used:,} of {read:,} "
        "rows used; "
        f"{assessable} of {len(ctx.results)} checks assessable.{left_out}</p>"
        f"<p>{esc(currency_note(ctx))}</p>"
        f'<p class="opskit-muted">{esc(audience)} Generated {esc(ctx.generated_at)}.</p>'
        "</header>")


def currency_note(ctx: ReportContext) -> str:
    """Which currency the money is in, and what was converted into it to get there."""
    code = ctx.currency
    converted = {t: q.converted for t, q in ctx.engagement.quality.items() if q.converted}
    note = f"Money is in {code} ({symbol(code)}), the engagement currency."
    if converted:
        note += " Converted at the rates under fx: in engagement.yaml: " + "; ".join(
            f"{t}: {describe(c, code)}" for t, c in converted.items()) + "."
    return note


def conversions_frame(ctx: ReportContext) -> pd.DataFrame:
    """One row per table and foreign currency converted: the rate used and the rows."""
    return pd.DataFrame(
        [{"table": table, "currency": code, f"rate (in {ctx.currency})": c["rate"],
          "rows converted": int(c["rows"])}
         for table, q in ctx.engagement.quality.items()
         for code, c in sorted(q.converted.items())],
        columns=["table", "currency", f"rate (in {ctx.currency})", "rows converted"])


@in_currency
def executive_summary(ctx: ReportContext, top: int = 5) -> str:
    diagnosis = ctx.diagnosis
    total = diagnosis.total_impact()
    flagged = diagnosis.flagged()
    counted = sorted((r for r in flagged if r.impact.in_total),
                     key=lambda r: -diagnosis.carried(r)[1])[:top]

    def item(r: Result) -> str:
        low, base, high = diagnosis.carried(r)
        return (f"<li><b>{esc(r.title)}</b> — {money(base)} a year ({money(low)}–"
                f"{money(high)}). {esc(r.story.symptom if r.story else '')} → "
                f"{esc(r.story.cause if r.story else '')} <span class='opskit-muted'>"
                f"[{esc(r.check_id)}]</span></li>")

    fails = sum(r.status is Status.FAIL for r in flagged)
    share = diagnosis.total_share_of_revenue()
    of_revenue = "" if share is None else (
        f" — {share:.1%} of annual revenue ({money(diagnosis.annual_revenue or 0.0)})")
    return (
        '<section class="opskit-summary"><h2>Executive summary</h2>'
        f'<p class="opskit-total">Total annual opportunity: <b>{money(total["base"])}</b> '
        f'(low {money(total["low"])}, high {money(total["high"])}){esc(of_revenue)}</p>'
        f"<p>{len(flagged)} findings ({fails} fail, {len(flagged) - fails} warn). Each "
        "dollar is counted once: where two findings price the same orders or invoices, the "
        "larger carries them; amounts only at risk are not added to the total.</p>"
        f"<h3>Top findings by annual impact</h3><ol>"
        f"{''.join(item(r) for r in counted) or '<li>None.</li>'}</ol></section>")


@in_currency
def since_last(ctx: ReportContext) -> str:
    """'Since the last diagnostic': or why the history is missing."""
    if ctx.history is None:
        return ("<section><h2>Since the last diagnostic</h2><p>The history of this client is "
                f"not available: {esc(ctx.history_error or '')}</p></section>")
    h = ctx.history
    if len(h.runs) < 2:
        return ("<section><h2>Since the last diagnostic</h2><p>This is the first recorded "
                "diagnostic of this client: the next one will show what was fixed, what came "
                "back, and the money and manual work recovered.</p></section>")
    titles = {r.check_id: r.title for r in ctx.results}

    def items(ids: list[str]) -> str:
        return ", ".join(f"{esc(titles.get(i, i))}" for i in ids) or "none"

    hours = h.hours_eliminated
    hours_line = "" if hours is None else (
        f"<p>Manual work eliminated since the first diagnostic: <b>{hours:,.1f} hours a "
        f"month</b> ({h.hours_first:,.1f} then, {h.hours_now:,.1f} now)"
        + (f"; automated: {esc(', '.join(h.automations_removed))}" if h.automations_removed
           else "") + ".</p>")
    solved = h.findings[h.findings["state"] == "permanently_solved"]["check_id"].tolist()
    return ("<section><h2>Since the last diagnostic</h2>"
            f"<p>{len(h.runs)} diagnostics recorded. Impact recovered: "
            f"<b>{money(h.impact_recovered)} a year</b> (findings resolved or permanently "
            "solved).</p>"
            f"<ul><li>New: {items(h.new)}</li><li>Fixed: {items(h.fixed)}</li>"
            f"<li>Regressed: {items(h.regressed)}</li>"
            f"<li>Permanently solved: {items(solved)}</li></ul>{hours_line}</section>")


def overlap_note(result: Result, diagnosis: Diagnosis | None) -> str:
    """What of ``result``'s dollars another finding carries, in words ('' when none)."""
    if diagnosis is None or not (result.status.flagged and result.impact.in_total):
        return ""
    given = diagnosis._overlaps().get(result.check_id, {})  # cached: once per report
    if not given:
        return ""
    carried = diagnosis.carried(result)[1]
    parts = "; ".join(f"{money(v)} counted in {k}" for k, v in given.items())
    return (f" Of this, {parts} (the same records); {money(carried)} a year enters the "
            "total.")


def finding(result: Result, diagnosis: Diagnosis | None = None) -> str:
    """One WARN or FAIL finding: metric vs threshold, chart, story, impact, evidence, playbook.

    With the ``diagnosis`` it belongs to, the dollars another finding already carries are
    named (each record enters the total once)."""
    metric = result.headline_metric
    unit = metric.unit if metric else ""
    warn, fail = result.thresholds.get("warn"), result.thresholds.get("fail")
    others = ", ".join(f"{esc(k)} {esc(m.display())}" for k, m in result.metrics.items()
                       if k != result.headline)
    assumptions = "".join(f"<li>{esc(k)}: {esc(str(v))}</li>"
                          for k, v in result.impact.assumptions.items())
    book = all_playbooks().get(result.playbook)
    evidence = ""
    if result.evidence is not None and len(result.evidence):
        evidence = (f"<p><b>Evidence</b> ({len(result.evidence):,} records, first "
                    f"{min(EVIDENCE_ROWS_SHOWN, len(result.evidence))} shown; all in "
                    f"evidence/{esc(result.check_id)}.csv)</p>"
                    + table_html(result.evidence, EVIDENCE_ROWS_SHOWN))
    impact_note = esc(overlap_note(result, diagnosis)) if result.impact.in_total else (
        f" <i>Not added to the total: {esc(result.impact.note or 'counted elsewhere')}.</i>")
    judged = (f"<p class='opskit-muted'><b>How it was judged:</b> {esc(result.judgement)}.</p>"
              if result.judgement else "")
    return (
        f'<article class="opskit-finding status-{esc(str(result.status)).lower()}" '
        f'id="{esc(result.check_id)}"><h3><span class="badge">{esc(str(result.status))}</span> '
        f"{esc(result.title)} <small>{esc(result.check_id)}</small></h3>"
        f"<p><b>Measured:</b> {esc(result.headline or '')} = "
        f"{esc(metric.display() if metric else 'n/a')} against warn "
        f"{esc(format_value(warn, unit))} / fail {esc(format_value(fail, unit))}"
        f"{'; ' + others if others else ''}.</p>{judged}"
        f"{figures.to_div(figures.finding(result))}"
        f"<p><b>Symptom:</b> {esc(result.story.symptom if result.story else '')}<br>"
        f"<b>Cause:</b> {esc(result.story.cause if result.story else '')}</p>"
        f"<p><b>Impact:</b> {money(result.impact.base)} a year (low "
        f"{money(result.impact.low)}, high {money(result.impact.high)}). "
        f"{esc(result.impact.formula)}.{impact_note}</p>"
        f"{'<ul class=opskit-assumptions>' + assumptions + '</ul>' if assumptions else ''}"
        f"{evidence}"
        f"<p><b>Playbook</b> ({esc(book.owner_role if book else '')}, effort "
        f"{esc(book.effort if book else '')}): {esc(book.summary if book else '')} "
        f"<code>playbooks/{esc(result.playbook)}.md</code></p></article>")


@in_currency
def hat_sections(ctx: ReportContext) -> list[tuple[str, str]]:
    """(hat name, html) for each hat, with every WARN and FAIL finding of that hat."""
    out = []
    for hat, name in HATS.items():
        flagged = [r for r in ctx.diagnosis.flagged() if r.hat == hat]
        body = "".join(finding(r, ctx.diagnosis) for r in flagged) or (
            "<p>No findings in this area.</p>")
        out.append((name, f'<section class="opskit-hat"><h2>{esc(name)}</h2>{body}</section>'))
    return out


@in_currency
def passes(ctx: ReportContext) -> str:
    rows = [r for r in ctx.results if r.status is Status.PASS]
    items = "".join(
        f"<tr><td>{esc(HATS[r.hat])}</td><td>{esc(r.title)}</td><td>{esc(r.headline or '')}"
        f"</td><td>{esc(r.headline_metric.display() if r.headline_metric else '')}</td>"
        f"<td>{esc(r.judgement)}</td></tr>"
        for r in rows)
    return ('<section><h2>Checks that pass</h2><p>A check whose evidence is too thin for a '
            "verdict passes and says so (\"too few to judge\"): it is not an all-clear.</p>"
            '<table class="opskit-table"><thead><tr>'
            "<th>area</th><th>check</th><th>metric</th><th>measured</th><th>note</th></tr>"
            "</thead>"
            f"<tbody>{items}</tbody></table></section>")


@in_currency
def data_requests(ctx: ReportContext) -> str:
    rows = [r for r in ctx.results if r.status is Status.NOT_ASSESSABLE]
    errors = [r for r in ctx.results if r.status is Status.ERROR]
    items = "".join(f"<li><b>{esc(r.title)}</b>: {esc(r.data_request or '')}</li>" for r in rows)
    broken = "".join(
        f"<li><b>{esc(r.check_id)}</b>: {esc((r.error or '').strip().splitlines()[-1])}</li>"
        for r in errors)
    return ('<section><h2>Data to request</h2><p>These checks could not be assessed with the '
            "data provided. The list can be sent to the client as it is.</p>"
            f"<ol>{items or '<li>Nothing: every check was assessable.</li>'}</ol>"
            + (f"<h3>Checks that failed to run</h3><ul>{broken}</ul>" if broken else "")
            + "</section>")


@in_currency
def data_quality(ctx: ReportContext) -> str:
    accounting = ctx.row_accounting
    failures = ctx.failures
    sample = ""
    if len(failures):
        sample = ("<h3>Rows set aside and values cleared (first 50)</h3>"
                  + table_html(failures[["table", "file", "column", "row", "value", "action",
                                         "message"]], 50))
    conversions = conversions_frame(ctx)
    converted = ""
    if len(conversions):
        converted = (f"<h3>Amounts converted to {esc(ctx.currency)}</h3><p>Rows in another "
                     "currency, converted (every amount of the row) at the rate given under "
                     "fx: in engagement.yaml. Rows in a currency without a rate are set aside "
                     "above, never added in.</p>"
                     + conversions.to_html(index=False, escape=True, border=0,
                                           classes="opskit-table",
                                           float_format=lambda v: f"{v:g}"))
    return ('<section><h2>Appendix: data quality</h2>' + unusable_files(ctx)
            + "<p>For every table, rows read = rows used + rows set aside. Nothing is dropped "
            "silently. "
            f"{esc(currency_note(ctx))}</p>"
            + table_html(accounting) + converted + sample + "</section>")


def unusable_files(ctx: ReportContext) -> str:
    """The files this run left out, each with why: the rest of the report is without them."""
    if not len(ctx.unusable):
        return ""
    return ('<div class="opskit-unusable"><h3>Files that could not be used</h3><p>This '
            "diagnostic was run without these files. The checks that need them are not "
            "assessed (see Data to request); every other check ran on the rest.</p>"
            + table_html(ctx.unusable) + "</div>")


@in_currency
def assumptions(ctx: ReportContext) -> str:
    frame = pd.DataFrame([{"assumption": k, "low": v["low"], "base": v["base"],
                           "high": v["high"], "unit": unit_in_currency(v["unit"]),
                           "source": v.get("source", "default"), "meaning": v["doc"]}
                          for k, v in ctx.diagnosis.assumptions.items()])
    return ("<section><h2>Appendix: assumptions</h2><p>Money figures use the client's own "
            "data where it has it, and these assumptions otherwise; an assumption set in "
            "engagement.yaml (source) wins over the data. Each finding lists the ones it "
            "used and where they came from.</p>" + table_html(frame) + "</section>")


def unit_in_currency(unit: str) -> str:
    """An assumption's unit with its money in the engagement currency: '$/hour' -> '€/hour'."""
    return str(unit).replace("$", symbol())
