"""The report's sections as HTML fragments, in reading order.

Every string that can come from client data (client name, evidence cells, file and column
names, failing values) goes through ``html.escape`` (``table_html`` escapes every cell);
the words opskit writes itself are escaped too, so there is one rule and no exceptions.
Playbooks are rendered from markdown with raw HTML refused (``report.markdown``).

The page is navigable: each section has an id the contents link to, each finding's article
has its check id (the top findings and 'counted in' link to it). Tables mark number
columns ``class="num"`` (right-aligned by the template's stylesheet; text stays left).
"""

from __future__ import annotations

import functools
import html
import re

import pandas as pd

from opskit.findings import HATS, Diagnosis, Result, Status, format_value
from opskit.money import money, symbol
from opskit.playbooks import all_playbooks
from opskit.report import figures, markdown
from opskit.report.context import ReportContext, in_currency
from opskit.sources.currency import describe
from opskit.tables import TABLES

EVIDENCE_ROWS_SHOWN = 10
esc = html.escape

EVIDENCE_COLUMNS_SHOWN = 9
"""Evidence columns shown in the report: enough for the ids and the measure, few enough to
read at 1400 px without a scroller. Every column is in evidence/<check>.csv."""


def table_html(frame: pd.DataFrame, rows: int | None = None) -> str:
    """``frame`` as an escaped HTML table: text left-aligned, numbers right-aligned.

    Numeric columns carry ``class="num"`` (the stylesheet right-aligns them and keeps them
    on one line); text cells are plain ``<td>`` and wrap. Whole-number float columns (counts
    stored as floats because of a gap) show without decimals.
    """
    shown = frame if rows is None else frame.head(rows)
    columns = list(shown.columns)
    kinds = [_column_kind(frame.iloc[:, i]) for i in range(len(columns))]
    align = ["" if k in ("text", "date") else ' class="num"' for k in kinds]
    head = "".join(f"<th{a}>{_breakable(c, 0)}</th>"
                   for c, a in zip(columns, align, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{a}>{_cell(v, k)}</td>"
                         for v, k, a in zip(row, kinds, align, strict=True)) + "</tr>\n"
        for row in shown.itertuples(index=False, name=None))
    return (f'<table class="opskit-table"><thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}</tbody></table>")


AMOUNT = r"-?(?:[$€£¥₹]|[A-Z]{3} |kr )?\d[\d,]*(?:\.\d+)?(?: ?(?:%|x))?"
NUMERIC_TEXT = re.compile(rf"{AMOUNT}(?: [+–-] {AMOUNT})*")
"""Text that reads as a number: '$1,200', '€1,200 + $400', '$10 – $30', '4.0%', '0.72x'."""


def _column_kind(column: pd.Series) -> str:
    """'int', 'whole' (a float column holding whole numbers), 'float', 'date', 'numtext'
    (formatted amounts: right-aligned as they are) or 'text'."""
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(
            column.dtype):
        values = column.dropna()
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            return "date" if len(values) and (values == values.dt.normalize()).all() else "text"
        # Read until the first value that is not an amount: a text column of a million ids
        # stops at its first row.
        amounts = False
        for value in values:
            text = str(value)
            if text == "":
                continue
            if not NUMERIC_TEXT.fullmatch(text):
                return "text"
            amounts = True
        return "numtext" if amounts else "text"
    if pd.api.types.is_integer_dtype(column.dtype):
        return "int"
    values = column.dropna()
    return "whole" if len(values) and bool((values == values.round()).all()) else "float"


def _cell(value: object, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    if kind == "float":
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    if kind == "whole":
        return f"{float(value):,.0f}"  # type: ignore[arg-type]
    if kind == "date":
        return _text(pd.Timestamp(value).date())  # type: ignore[arg-type]
    return _breakable(value)


LONG_WORD = 16
BREAK_AFTER = re.compile(r"(?<=[@.,_/:;])")


def _breakable(value: object, longer_than: int = LONG_WORD) -> str:
    """Escaped text whose long words (emails, code lists, snake_case names) may break after
    '@ . , _ / : ;' (a ``<wbr>``), so a table column fits without cutting a word anywhere.
    Column headers break at every such mark (``longer_than=0``)."""
    words = re.split(r"(\s+)", str(value))
    return "".join("<wbr>".join(html.escape(p, quote=False) for p in BREAK_AFTER.split(w))
                   if len(w) > longer_than else html.escape(w, quote=False) for w in words)


def _text(value: object) -> str:
    """Escaped for a text node (quotes need no escaping there)."""
    return html.escape(str(value), quote=False)


def page_title(ctx: ReportContext) -> str:
    """The browser tab and bookmark name: client and period (plain text; the export escapes
    it)."""
    e = ctx.engagement
    return (f"Operations diagnostic: {e.client}, {e.period.start.date()} to "
            f"{e.period.end.date()}")


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
        return (f'<li><a href="#{esc(r.check_id)}"><b>{esc(r.title)}</b></a> — '
                f"{money(base)} a year ({money(low)}–"
                f"{money(high)}). {esc(r.story.symptom if r.story else '')} → "
                f"{esc(r.story.cause if r.story else '')} <span class='opskit-muted'>"
                f"[{esc(r.check_id)}]</span></li>")

    fails = sum(r.status is Status.FAIL for r in flagged)
    share = diagnosis.total_share_of_revenue()
    of_revenue = "" if share is None else (
        f" — {share:.1%} of annual revenue ({money(diagnosis.annual_revenue or 0.0)})")
    return (
        '<section class="opskit-summary" id="summary"><h2>Executive summary</h2>'
        f'<p class="opskit-total">Total annual opportunity: <b>{money(total["base"])}</b> '
        f'(low {money(total["low"])}, high {money(total["high"])}){esc(of_revenue)}</p>'
        f"<p>{len(flagged)} findings ({fails} fail, {len(flagged) - fails} warn). Each "
        "dollar is counted once: where two findings price the same orders or invoices, the "
        "larger carries them; amounts only at risk are not added to the total.</p>"
        f"<h3>Top findings by annual impact</h3><ol>"
        f"{''.join(item(r) for r in counted) or '<li>None.</li>'}</ol></section>")


@in_currency
def contents(ctx: ReportContext) -> str:
    """The table of contents: every section, and under each area its findings (status and
    the dollars each carries into the total), each linked to its section."""
    diagnosis = ctx.diagnosis
    flagged = diagnosis.flagged()

    def entry(anchor: str, text: str, note: str = "", children: str = "") -> str:
        extra = f' <span class="opskit-muted">{esc(note)}</span>' if note else ""
        return f'<li><a href="#{esc(anchor)}">{esc(text)}</a>{extra}{children}</li>'

    def finding_entry(r: Result) -> str:
        carried = diagnosis.carried(r)[1]
        note = f"{r.status}, {money(carried)} a year" if round(carried) else str(r.status)
        return entry(r.check_id, r.title, note)

    areas = []
    for hat, name in HATS.items():
        found = [r for r in flagged if r.hat == hat]
        children = (f"<ol>{''.join(finding_entry(r) for r in found)}</ol>" if found else "")
        areas.append(entry(f"hat-{hat}", name, f"{len(found)} finding"
                           f"{'' if len(found) == 1 else 's'}", children))
    count = {s: sum(r.status is s for r in ctx.results) for s in Status}
    history = ctx.history is not None or ctx.history_error is not None
    items = [entry("summary", "Executive summary"),
             *([entry("since-last", "Since the last diagnostic")] if history else []),
             entry("scorecard", "Scorecard by area"), *areas,
             entry("passes", "Checks that pass", str(count[Status.PASS])),
             entry("data-requests", "Data to request",
                   str(count[Status.NOT_ASSESSABLE] + count[Status.ERROR])),
             entry("data-quality", "Appendix: data quality"),
             entry("assumptions", "Appendix: assumptions")]
    return (f'<nav class="opskit-toc" aria-label="Contents"><h2>Contents</h2><ol>'
            f"{''.join(items)}</ol></nav>")


def scorecard_heading() -> str:
    """The heading the scorecard chart sits under (the contents link to it)."""
    return ('<h2>Scorecard by area</h2><p>How many checks fail, warn, pass or could not be '
            "assessed in each of the six areas.</p>")


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
    stories = getattr(h, "stories", ())
    compared = "" if not stories or stories[0].then is None else (
        f"<p>Compared: {esc(stories[0].then.text())} → {esc(stories[0].now.text())}.</p>")
    rows = "".join(
        f"<tr><td>{esc(titles.get(s.check_id, s.title))}</td><td>{esc(s.change_text)}</td>"
        f"<td>{esc(s.metric_text(ctx.currency))}</td>"
        f"<td>{esc(s.dollars_text(ctx.currency))}</td></tr>" for s in stories)
    story_table = "" if not rows else (
        '<table class="opskit-table opskit-stories"><thead><tr><th>Finding</th>'
        "<th>Change</th><th>Metric then → now</th><th>Dollars then → now</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>")
    return ("<section><h2>Since the last diagnostic</h2>"
            f"<p>{len(h.runs)} diagnostics recorded. Impact recovered: "
            f"<b>{money(h.impact_recovered)} a year</b> (findings resolved or permanently "
            f"solved).</p>{compared}"
            f"<ul><li>New: {items(h.new)}</li><li>Fixed: {items(h.fixed)}</li>"
            f"<li>Regressed: {items(h.regressed)}</li>"
            f"<li>Permanently solved: {items(solved)}</li></ul>{story_table}{hours_line}"
            "</section>")


def finding_link(check_id: str, diagnosis: Diagnosis | None) -> str:
    """A finding named by its title, linked to its section when the report has one (a WARN
    or FAIL result); otherwise its title (or id) as plain text."""
    result = _result(check_id, diagnosis)
    if result is None:
        return esc(check_id)
    if not result.status.flagged:
        return esc(result.title)
    return f'<a href="#{esc(check_id)}">{esc(result.title)}</a>'


def _result(check_id: str, diagnosis: Diagnosis | None) -> Result | None:
    if diagnosis is None:
        return None
    return next((r for r in diagnosis.results if r.check_id == check_id), None)


def overlap_note(result: Result, diagnosis: Diagnosis | None) -> str:
    """What of ``result``'s dollars another finding carries, as HTML ('' when none)."""
    if diagnosis is None or not (result.status.flagged and result.impact.in_total):
        return ""
    given = diagnosis._overlaps().get(result.check_id, {})  # cached: once per report
    if not given:
        return ""
    carried = diagnosis.carried(result)[1]
    if round(carried) == 0:
        where = " and ".join(finding_link(k, diagnosis) for k in given)
        return (f" All of it is counted in {where} (the same records): nothing more enters "
                "the total.")
    parts = "; ".join(f"{money(v)} counted in {finding_link(k, diagnosis)}"
                      for k, v in given.items())
    return (f" Of this, {parts} (the same records); {money(carried)} a year enters the "
            "total.")


CHECK_ID = re.compile(r"\b[a-z]+\.[a-z_]+[a-z]\b")


def counted_in(result: Result, diagnosis: Diagnosis | None) -> str | None:
    """The check whose finding already carries ``result``'s dollars, named in its impact
    note ('counted by fulfillment.late_shipments'); None when the note names none."""
    if result.impact.in_total:
        return None
    known = {r.check_id for r in diagnosis.results} if diagnosis is not None else set()
    for found in CHECK_ID.findall(result.impact.note or ""):
        if found != result.check_id and (found in known or diagnosis is None):
            return found
    return None


def impact_html(result: Result, diagnosis: Diagnosis | None) -> str:
    """The impact paragraph, said once: dollars in the total (and any overlap given up),
    'counted in <finding>' when another finding carries them, or why they are not added."""
    impact = result.impact
    amounts = (f"{money(impact.base)} a year (low {money(impact.low)}, high "
               f"{money(impact.high)})")
    formula = f" {esc(impact.formula)}." if impact.formula else ""
    if impact.in_total:
        return f"<p><b>Impact:</b> {amounts}.{formula}{overlap_note(result, diagnosis)}</p>"
    carrier = counted_in(result, diagnosis)
    priced = bool(impact.base or impact.high)
    if carrier is not None:
        own = (f" This finding's share, {amounts}, is part of that total and is not added "
               "again." if priced else "")
        detail = formula if priced and impact.formula != impact.note else ""
        return (f"<p><b>Impact:</b> counted in {finding_link(carrier, diagnosis)}.{own}"
                f"{detail}</p>")
    why = esc(impact.note or "not priced")
    if not priced:
        return f"<p><b>Impact:</b> not added to the total: {why}.</p>"
    if "not added" in why:  # the note says it already
        return f"<p><b>Impact:</b> {amounts}: {why}.{formula}</p>"
    return f"<p><b>Impact:</b> {amounts}, not added to the total ({why}).{formula}</p>"


def playbook_html(result: Result) -> str:
    """The finding's playbook for the client: who owns it, the effort, its summary and proof
    of success, and the whole playbook folded under it (opened for printing)."""
    book = all_playbooks().get(result.playbook)
    if book is None:
        return ""
    return (f'<div class="opskit-playbook"><p><b>Playbook: {esc(book.title)}</b> (owner '
            f"{esc(book.owner_role)}, effort {esc(book.effort)}). {esc(book.summary)} "
            f"<i>Solved for good when:</i> {esc(book.proof_target)}.</p>"
            f"<details><summary>The playbook, step by step</summary>"
            f'<div class="opskit-playbook-body">{playbook_body_html(book.body)}</div>'
            "</details></div>")


@functools.lru_cache(maxsize=256)
def playbook_body_html(body: str) -> str:
    """A playbook's markdown as HTML. Playbooks are a few fixed files and every report
    renders each of them, so each is rendered once per process (`opskit run`'s kernel
    renders them all while it boots: ``opskit.report.warm_up``)."""
    return markdown.to_html(body)


def evidence_html(result: Result) -> str:
    """The first rows and columns of the evidence; the CSV beside the report has them all."""
    frame = result.evidence
    if frame is None or not len(frame):
        return ""
    rows = min(EVIDENCE_ROWS_SHOWN, len(frame))
    hidden = len(frame.columns) - EVIDENCE_COLUMNS_SHOWN
    more = (f"; {hidden} more column{'s' if hidden > 1 else ''} in the CSV" if hidden > 0
            else "")
    return (f"<p><b>Evidence</b> ({len(frame):,} records, first {rows} shown{more}; all in "
            f"evidence/{esc(result.check_id)}.csv)</p>"
            + table_html(frame.iloc[:, :EVIDENCE_COLUMNS_SHOWN], EVIDENCE_ROWS_SHOWN))


def finding(result: Result, diagnosis: Diagnosis | None = None) -> str:
    """One WARN or FAIL finding: metric vs threshold, chart, story, impact, evidence, playbook.

    With the ``diagnosis`` it belongs to, the dollars another finding already carries are
    named and linked (each record enters the total once). The article's id is the check id,
    the anchor the contents and the top findings link to."""
    metric = result.headline_metric
    unit = metric.unit if metric else ""
    warn, fail = result.thresholds.get("warn"), result.thresholds.get("fail")
    others = ", ".join(f"{esc(k)} {esc(m.display())}" for k, m in result.metrics.items()
                       if k != result.headline)
    assumptions = "".join(f"<li>{esc(k)}: {esc(str(v))}</li>"
                          for k, v in result.impact.assumptions.items())
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
        f"{figures.to_div(chart) if (chart := figures.cause(result)) else ''}"
        f"<p><b>Symptom:</b> {esc(result.story.symptom if result.story else '')}<br>"
        f"<b>Cause:</b> {esc(result.story.cause if result.story else '')}</p>"
        f"{impact_html(result, diagnosis)}"
        f"{'<ul class=opskit-assumptions>' + assumptions + '</ul>' if assumptions else ''}"
        f"{evidence_html(result)}{playbook_html(result)}</article>")


@in_currency
def hat_sections(ctx: ReportContext) -> list[tuple[str, str]]:
    """(hat name, html) for each hat, with every WARN and FAIL finding of that hat."""
    out = []
    for hat, name in HATS.items():
        flagged = [r for r in ctx.diagnosis.flagged() if r.hat == hat]
        body = "".join(finding(r, ctx.diagnosis) for r in flagged) or (
            "<p>No findings in this area.</p>")
        out.append((name, f'<section class="opskit-hat" id="hat-{esc(hat)}"><h2>{esc(name)}'
                          f"</h2>{body}</section>"))
    return out


@in_currency
def passes(ctx: ReportContext) -> str:
    rows = [r for r in ctx.results if r.status is Status.PASS]
    items = "".join(
        f"<tr><td>{esc(HATS[r.hat])}</td><td>{esc(r.title)}</td><td>{esc(r.headline or '')}"
        f'</td><td class="num">{esc(r.headline_metric.display() if r.headline_metric else "")}'
        "</td>"
        f"<td>{esc(r.judgement)}</td></tr>"
        for r in rows)
    return ('<section id="passes"><h2>Checks that pass</h2><p>A check whose evidence is too '
            "thin for a "
            "verdict passes and says so (\"too few to judge\"): it is not an all-clear.</p>"
            '<table class="opskit-table"><thead><tr>'
            "<th>area</th><th>check</th><th>metric</th><th class=\"num\">measured</th><th>note</th>"
            "</tr>"
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
    return ('<section id="data-requests"><h2>Data to request</h2><p>These checks could not '
            "be assessed with the "
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
    return ('<section id="data-quality"><h2>Appendix: data quality</h2>' + unusable_files(ctx)
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
    return ('<section id="assumptions"><h2>Appendix: assumptions</h2>'
            "<p>Money figures use the client's own "
            "data where it has it, and these assumptions otherwise; an assumption set in "
            "engagement.yaml (source) wins over the data. Each finding lists the ones it "
            "used and where they came from.</p>" + table_html(frame) + "</section>")


def unit_in_currency(unit: str) -> str:
    """An assumption's unit with its money in the engagement currency: '$/hour' -> '€/hour'."""
    return str(unit).replace("$", symbol())
