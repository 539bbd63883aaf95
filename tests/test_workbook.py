"""findings.xlsx and portfolio.xlsx read back with openpyxl, as a consultant's Excel shows them:
the Summary adds up to the headline, every finding has its sheet with all of its evidence,
number formats follow what a column holds, headers are bold, frozen and filtered, links resolve,
and hostile client text stays text."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from opskit.findings import Diagnosis, Status
from opskit.portfolio import build, find_findings, sample_findings
from opskit.portfolio import write_workbook as write_portfolio
from opskit.report import prepare, sheet_rows, sheets, write_artifacts
from opskit.report.workbook import TOTAL_LABEL, finding_sheets, summary_order, write_workbook

USD = '"$"#,##0;-"$"#,##0'
USD_CENTS = '"$"#,##0.00;-"$"#,##0.00'
HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def dtc(tmp_path_factory):
    """The dtc sample's report context and its artifacts, written once."""
    ctx = prepare(SAMPLES / "dtc")
    written = write_artifacts(ctx, tmp_path_factory.mktemp("dtc"))
    return ctx, written, openpyxl.load_workbook(written["xlsx"])


def header(sheet, row=1):
    return [c.value for c in sheet[row]]


def summary_rows(book):
    """The Summary's check rows as dicts (header -> cell), without the totals row."""
    sheet = book["Summary"]
    names = header(sheet)
    rows = []
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value is None:
            break
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


def status_rules(sheet) -> dict[str, tuple[str, str]]:
    """Conditional formats of a sheet: status formula -> (cells, fill colour)."""
    rules = {}
    for area in sheet.conditional_formatting:
        for rule in area.rules:
            rules[rule.formula[0]] = (str(area.sqref), rule.dxf.fill.fgColor.rgb[-6:])
    return rules


def planted_expected() -> dict[str, str]:
    return json.loads((SAMPLES / "dtc" / "planted.json").read_text())["expected"]


def test_summary_totals_row_is_the_headline(dtc):
    """The totals row holds the report's headline low/base/high exactly (findings.json's
    total_impact), and the rows above add up to it."""
    ctx, written, book = dtc
    sheet = book["Summary"]
    names = header(sheet)
    rows = summary_rows(book)
    totals = sheet[len(rows) + 2]
    assert totals[names.index("title")].value == TOTAL_LABEL
    headline = json.loads(written["json"].read_text())["total_impact"]
    assert headline == ctx.diagnosis.total_impact()
    for key in ("low", "base", "high"):
        cell = totals[names.index(f"impact_{key} (USD)")]
        assert (cell.value, cell.number_format, cell.font.b) == (headline[key], USD, True)
        column = [r[f"impact_{key} (USD)"].value or 0.0 for r in rows]
        assert sum(column) == pytest.approx(headline[key], abs=0.01 * len(rows))


def test_summary_is_sorted_by_carried_impact_and_only_findings_carry_dollars(dtc):
    """Rows run biggest carried dollars first; WARN/FAIL rows carry what enters the total
    (0 when counted elsewhere), PASS, NOT_ASSESSABLE and ERROR rows carry nothing."""
    ctx, _, book = dtc
    rows = summary_rows(book)
    assert len(rows) == len(ctx.results) == 42
    assert [r["check"].value for r in rows] == [r.check_id for r in summary_order(ctx)]
    carried = [r["impact_base (USD)"].value for r in rows]
    flagged = [r["status"].value in ("WARN", "FAIL") for r in rows]
    assert all(flagged[:sum(flagged)]) and not any(flagged[sum(flagged):])
    dollars = carried[:sum(flagged)]
    assert dollars == sorted(dollars, reverse=True)
    for row in rows:
        result = ctx.diagnosis[row["check"].value]
        impact = [row[f"impact_{k} (USD)"].value for k in ("low", "base", "high")]
        if result.status.flagged:
            assert impact[1] == round(ctx.diagnosis.carried(result)[1], 2)
        else:
            assert impact == [None, None, None], row["check"].value
    passed = next(r for r in rows if r["check"].value == "inventory.record_accuracy")
    assert (passed["status"].value, passed["impact_base (USD)"].value) == ("PASS", None)
    counted = next(r for r in rows if r["check"].value == "fulfillment.data_defects_drive_delays")
    assert counted["impact_base (USD)"].value == 0
    assert counted["stated_base (USD)"].value == ctx.diagnosis[counted["check"].value
                                                               ].impact.base > 0


def test_summary_formats_each_value_in_its_unit(dtc):
    """value/warn/fail cells follow the headline metric's unit: share as percent, ratio as
    '2.50x', points with their unit; money columns in dollars; counts with separators."""
    _, _, book = dtc
    rows = {r["check"].value: r for r in summary_rows(book)}
    late = rows["fulfillment.late_shipments"]
    assert [late[k].number_format for k in ("value", "warn", "fail")] == ["0.0%"] * 3
    assert (late["warn"].value, late["fail"].value) == (0.04, 0.08)
    assert rows["fulfillment.data_defects_drive_delays"]["value"].number_format == '0.00"x"'
    assert rows["margin.books_vs_computed_cogs"]["value"].number_format == \
        '#,##0.0" points"'
    assert rows["security.shared_logins"]["value"].number_format == "#,##0"
    assert late["stated_base (USD)"].number_format == USD
    assert late["evidence_rows"].number_format == "#,##0"
    assert late["playbook"].value == "Orders ship later than promised"


def test_playbooks_are_named_by_title(dtc):
    """No Summary cell shows a repository path for a playbook."""
    _, _, book = dtc
    texts = [str(c.value) for row in book["Summary"].iter_rows() for c in row if c.value]
    assert not [t for t in texts if "playbooks/" in t or t.endswith(".md")]


def test_one_sheet_per_finding_with_all_its_evidence(dtc):
    """Every WARN/FAIL finding has its own sheet (safe name <= 31 characters) holding every
    evidence row in an Excel table; planted FAILs of the dtc sample are among them."""
    ctx, _, book = dtc
    names = finding_sheets(ctx)
    flagged = [r for r in ctx.results if r.status.flagged]
    assert book.sheetnames == ["Summary", *names.values(), "Data quality", "Assumptions"]
    assert len(names) == len(flagged)
    expected_fail = [c for c, s in planted_expected().items() if s == "FAIL"]
    assert expected_fail and set(expected_fail) <= set(names)
    assert names["fulfillment.data_defects_drive_delays"] == "data_defects_drive_delays"
    for check_id, name in names.items():
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
        result = ctx.diagnosis[check_id]
        sheet = book[name]
        rows = 0 if result.evidence is None else len(result.evidence)
        if not rows:
            assert sheet.tables == {}
            continue
        (table,) = sheet.tables.values()
        assert table.ref == f"A5:{openpyxl.utils.get_column_letter(len(result.evidence.columns))}" \
                            f"{5 + rows}"
        assert header(sheet, 5) == [str(c) for c in result.evidence.columns]
        assert all(c.font.b for c in sheet[5])
        assert sheet.freeze_panes == "A6"
        assert sheet.max_row == 5 + rows


def test_evidence_number_formats_follow_the_column(dtc):
    """Dates as dates, shares as percents, money in dollars (cents where amounts have them),
    whole numbers with thousands separators, text left General."""
    ctx, _, book = dtc
    names = finding_sheets(ctx)

    def formats(check_id):
        sheet = book[names[check_id]]
        return dict(zip(header(sheet, 5), (c.number_format for c in sheet[6]), strict=True))

    late = formats("fulfillment.late_shipments")
    assert (late["order_id"], late["ordered_at"], late["days_late"]) == (
        "General", "yyyy-mm-dd hh:mm", "#,##0.00")
    stock = formats("inventory.stockouts")
    assert (stock["days_out"], stock["stockout_share"], stock["lost_revenue"]) == (
        "#,##0", "0.0%", USD_CENTS)
    ops = formats("efficiency.ops_headcount_vs_growth")
    assert ops["started_on"] == "yyyy-mm-dd"
    dead = formats("inventory.dead_stock")
    assert (dead["unit_cost"], dead["last_sale_at"]) == (USD_CENTS, "yyyy-mm-dd hh:mm")
    sheet = book[names["inventory.stockouts"]]
    first = ctx.diagnosis["inventory.stockouts"].evidence.iloc[0]
    assert [c.value for c in sheet[6]][:3] == [first["sku"], first["days_out"],
                                              first["days_observed"]]


def test_headers_are_bold_frozen_filtered_and_widths_fitted(dtc):
    """Summary: bold header frozen at A2, an Excel table over header and rows (its own
    filter), widths within the cap and wider for long text than for a status."""
    _, _, book = dtc
    sheet = book["Summary"]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.b for c in sheet[1])
    (table,) = sheet.tables.values()
    assert (table.name, table.ref, table.autoFilter.ref) == ("Findings", "A1:U43", "A1:U43")
    names = header(sheet)
    widths = {n: sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for i, n in enumerate(names)}
    assert all(sheets.WIDTH_MIN <= w <= sheets.WIDTH_MAX for w in widths.values())
    assert widths["cause"] == sheets.WIDTH_MAX  # long sentences: capped
    assert widths["status"] == len("NOT_ASSESSABLE") + 2
    assert widths["title"] > widths["status"]
    for name in ("Data quality", "Assumptions"):
        assert book[name].freeze_panes == "A2" and book[name].tables
    assert status_rules(sheet) == {f'"{s}"': ("C2:C43", sheets.STATUS_FILLS[s])
                                   for s in Status}


def test_links_resolve_both_ways(dtc):
    """Each finding's Summary cell links to its sheet; each sheet links back to Summary."""
    ctx, _, book = dtc
    names = finding_sheets(ctx)
    links = {r["check"].value: r["check"].hyperlink for r in summary_rows(book)}
    for check_id, name in names.items():
        assert links[check_id].location == f"'{name}'!A1"
        back = book[name]["A1"]
        assert (back.value, back.hyperlink.location) == ("← back to Summary", "'Summary'!A1")
    assert all(links[c] is None for c in links if c not in names)


def test_hostile_client_text_stays_text(dtc, tmp_path):
    """A NUL, a vertical tab and a formula in evidence and in a column name are written as
    inert text: the workbook opens, the formula is quoted, control characters replaced."""
    ctx, _, _ = dtc
    result = ctx.diagnosis["sales.crm_duplicates"]
    evidence = result.evidence.copy()
    evidence.loc[evidence.index[0], "name"] = "Ann\x00Lee\x0b"
    evidence.loc[evidence.index[1], "name"] = HOSTILE
    evidence = evidence.rename(columns={"company": "=SUM(1)"})
    results = [replace(r, evidence=evidence) if r is result else r for r in ctx.results]
    diagnosis = Diagnosis(ctx.diagnosis.client, ctx.diagnosis.period, results,
                          ctx.diagnosis.params, ctx.diagnosis.assumptions,
                          ctx.diagnosis.annual_revenue, ctx.diagnosis.currency)
    hostile = replace(ctx, diagnosis=diagnosis)
    book = openpyxl.load_workbook(write_artifacts(hostile, tmp_path)["xlsx"])
    sheet = book[finding_sheets(hostile)["sales.crm_duplicates"]]
    names = header(sheet, 5)
    column = names.index("name")
    assert sheet.cell(row=6, column=column + 1).value == "Ann\ufffdLee\ufffd"
    cell = sheet.cell(row=7, column=column + 1)
    assert (cell.value, cell.data_type) == ("'" + HOSTILE, "s")
    assert "'=SUM(1)" in names
    assert sheet.max_row == 5 + len(evidence)


def test_evidence_beyond_a_sheet_is_cut_and_said(dtc, tmp_path, monkeypatch):
    """When a finding has more evidence rows than a sheet holds (xlsx: 1,048,576 rows; here
    the limit is lowered to 20), the sheet holds the first rows that fit and says how many of
    how many, pointing to the CSV; the Summary counts both."""
    ctx, _, _ = dtc
    monkeypatch.setattr(sheets, "SHEET_ROWS", 20)
    book = openpyxl.load_workbook(write_artifacts(ctx, tmp_path)["xlsx"])
    sheet = book[finding_sheets(ctx)["fulfillment.late_shipments"]]
    total = len(ctx.diagnosis["fulfillment.late_shipments"].evidence)
    assert sheet.max_row == 20
    assert f"The first 15 of {total:,} records (an xlsx sheet holds 20 rows); all " \
           f"{total:,} are in evidence/fulfillment.late_shipments.csv." in sheet["A3"].value
    row = next(r for r in summary_rows(book) if r["check"].value == "fulfillment.late_shipments")
    assert (row["evidence_rows"].value, row["evidence_shown"].value) == (total, 15)


def test_sheet_names_are_safe_and_unique():
    """Forbidden characters replaced, 31 characters at most, clashes (ignoring case) numbered,
    no apostrophe at either end."""
    taken = ["Summary"]
    assert sheets.sheet_name("a/b\\c[d]:e*f?g", taken) == "a_b_c_d__e_f_g"
    assert sheets.sheet_name("summary", taken) == "summary (2)"
    long = "x" * 40
    assert sheets.sheet_name(long, []) == "x" * 31
    assert sheets.sheet_name(long, ["x" * 31]) == "x" * 27 + " (2)"
    assert sheets.sheet_name("'quoted'", []) == "quoted"
    assert sheets.sheet_name("\x00", []) == "_"


@pytest.fixture(scope="module")
def samples_portfolio(tmp_path_factory):
    """portfolio.xlsx of the four sample clients' findings, read back."""
    root = tmp_path_factory.mktemp("portfolio")
    records = find_findings(sample_findings(root / "findings"))
    portfolio = build(records)
    return portfolio, openpyxl.load_workbook(write_portfolio(portfolio, root / "out"))


def test_portfolio_heat_map_is_coloured_by_status(samples_portfolio):
    """The heat map has one conditional rule per status in the report's colours over the
    client columns, a bold frozen header and an Excel table."""
    portfolio, book = samples_portfolio
    sheet = book["Heat map"]
    assert header(sheet) == ["check", "title", *portfolio.labels]
    assert sheet.freeze_panes == "A2" and all(c.font.b for c in sheet[1])
    (table,) = sheet.tables.values()
    assert table.ref == "A1:F43"
    assert status_rules(sheet) == {'"FAIL"': ("C2:F43", "c0392b"), '"WARN"': ("C2:F43", "e67e22"),
                     '"PASS"': ("C2:F43", "27ae60"), '"NOT_ASSESSABLE"': ("C2:F43", "95a5a6"),
                     '"ERROR"': ("C2:F43", "8e44ad")}
    statuses = {c.value for row in sheet.iter_rows(min_row=2, min_col=3) for c in row}
    assert statuses <= set(Status)


def test_portfolio_formats_money_and_metrics(samples_portfolio):
    """Clients' opportunities in dollars and equal to the portfolio's; findings' metric
    values in their unit; counts with separators."""
    portfolio, book = samples_portfolio
    sheet = book["Clients"]
    names = header(sheet)
    base = names.index("opportunity_base")
    cells = [row[base] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == portfolio.clients["opportunity_base"].tolist()
    assert {c.number_format for c in cells} == {USD}
    assert sheet.cell(row=2, column=names.index("FAIL") + 1).number_format == "#,##0"
    findings = book["Findings"]
    names = header(findings)
    frame = portfolio.results
    for i, row in enumerate(findings.iter_rows(min_row=2)):
        unit, value = frame["unit"].iloc[i], frame["value"].iloc[i]
        cell = row[names.index("value")]
        if unit == "share" and pd.notna(value):
            assert cell.number_format == "0.0%"
        assert row[names.index("base")].number_format == USD


def test_portfolio_client_named_like_a_formula_stays_text(tmp_path):
    """A client named '=HYPERLINK(...)' or with a NUL is quoted text in every header and cell
    of portfolio.xlsx."""
    def record(client, base):
        return {"client": client, "currency": "USD", "industry": "x",
                "period": {"start": "2026-07-01", "end": "2026-09-30"},
                "total_impact": {"low": base, "base": base, "high": base}, "counts": {},
                "results": [{"check_id": "fulfillment.late", "title": "Late", "hat":
                             "fulfillment", "status": "FAIL", "headline": "rate",
                             "metrics": {"rate": {"value": 0.3, "unit": "share"}},
                             "thresholds": {"warn": 0.1, "fail": 0.2},
                             "impact": {"low": base, "base": base, "high": base,
                                        "in_total": True}}]}
    portfolio = build([(tmp_path / "a.json", record(HOSTILE, 200.0)),
                       (tmp_path / "b.json", record("Nul\x00Co", 100.0))])
    book = openpyxl.load_workbook(write_portfolio(portfolio, tmp_path / "out"))
    assert header(book["Heat map"]) == ["check", "title", "'" + HOSTILE, "Nul\ufffdCo"]
    assert book["Clients"]["A2"].value == "'" + HOSTILE
    formulas = [c.coordinate for s in book for row in s.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []


def test_headers_are_safe_table_column_names():
    """Headers become text an Excel table accepts: whitespace folded before the formula check
    (so '  =x' is quoted), empty names numbered, repeats (ignoring case) numbered, 255
    characters at most."""
    frame = pd.DataFrame([[1, 2, 3, 4, 5]], columns=["  =x", "", "Name", "name", "y" * 300])
    assert sheets.Grid.of(frame).header == ["'=x", "column 2", "Name", "name (2)", "y" * 255]


def test_workbook_is_written_whole_or_not_at_all(dtc, tmp_path, monkeypatch):
    """findings.xlsx goes through opskit.atomic: its sheets stream into hidden .part files
    beside it (never the system's temporary folder), none is left after the write, and a disk
    error names the file, leaves the previous workbook as it was and nothing half-written."""
    from openpyxl.workbook.workbook import Workbook

    from opskit.atomic import WriteFailed, leftovers
    from opskit.report.workbook import write_workbook

    ctx, _, _ = dtc
    path = write_workbook(ctx, tmp_path)
    before = path.read_bytes()
    assert leftovers(tmp_path) == []

    spooled = []

    def full_disk(self, filename):
        spooled.extend(Path(ws._writer.out).parent for ws in self.worksheets)
        with open(filename, "wb") as handle:
            handle.write(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full_disk)
    with pytest.raises(WriteFailed) as failure:
        write_workbook(ctx, tmp_path)
    assert str(path) in str(failure.value) and "No space left" in str(failure.value)
    assert path.read_bytes() == before and leftovers(tmp_path) == []
    assert spooled == [tmp_path] * (len(finding_sheets(ctx)) + 3)


def _members(path: Path) -> dict[str, bytes]:
    """An xlsx's parts, but the one stamped with the time it was written."""
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_evidence_rows_written_apart_are_the_bytes_openpyxl_writes(dtc, tmp_path, monkeypatch):
    """Evidence rows serialized by sheet_rows (an order of magnitude faster than a cell
    object per value) make the very workbook openpyxl makes: every part identical."""
    ctx, _, _ = dtc
    fast = write_workbook(ctx, tmp_path / "fast")
    written_apart = []
    original = sheet_rows.rows_xml

    def spy(*args, **kwargs):
        written_apart.append(original(*args, **kwargs) is not None)
        return None  # every grid through openpyxl

    monkeypatch.setattr(sheet_rows, "rows_xml", spy)
    slow = write_workbook(ctx, tmp_path / "slow")
    flagged = [r for r in ctx.results if r.status.flagged]
    assert written_apart == [True] * len(flagged) and len(flagged) == 21
    assert _members(fast) == _members(slow)


def _one_grid_sheet(tmp_path: Path, frame: pd.DataFrame, *, last: bool,
                    formats: dict[str, str] | None = None) -> dict[str, bytes]:
    book = openpyxl.Workbook(write_only=True)
    spool = sheets.Spool(tmp_path / "grid.xlsx")
    writer = sheets.SheetWriter(book, "Grid", spool)
    grid = sheets.Grid.of(frame, formats=formats or {"when": sheets.FORMAT_DATETIME,
                                                     "day": sheets.FORMAT_DATE,
                                                     "amount": '"$"#,##0.00'})
    writer.layout([10.0] * len(grid.header), freeze_below=1)
    writer.grid(grid, "Rows", last=last)
    path = tmp_path / f"grid-{last}.xlsx"
    book.save(path)
    spool.clear()
    return _members(path)


def _spied(monkeypatch) -> list[bool]:
    """Whether each grid's rows were written apart, as they are written."""
    seen: list[bool] = []
    original = sheet_rows.rows_xml

    def spy(*args, **kwargs):
        data = original(*args, **kwargs)
        seen.append(data is not None)
        return data

    monkeypatch.setattr(sheet_rows, "rows_xml", spy)
    return seen


def test_rows_written_apart_escape_and_type_as_openpyxl(tmp_path, monkeypatch):
    """Text lxml escapes (& < > and a carriage return, non-ASCII as references, a leading
    space preserved, an empty string), booleans, integers, floats, datetimes and dates under
    their formats, and empty cells: the same sheet XML both ways."""
    frame = pd.DataFrame({
        "text": ["a&b<c>d\"e'f", " lead", "é ü 中 😀", "x\ry\nz\tw", "", None],
        "flag": [True, False, None, True, True, False],
        "count": [1, 2, 3, 12345678901234567, 0, -4],
        "amount": [1.5, 2.0000000000000004, None, -3.25, 1e-7, 12.0],
        "when": pd.to_datetime(["2026-03-01 12:30", None, "1900-01-15 00:00",
                                "2026-12-31 23:59:59", "2026-01-01 00:00", "2026-06-30 06:00"],
                               format="mixed"),
        "day": [dt.date(2026, 3, 1), None, dt.date(2026, 1, 2), dt.date(1999, 12, 31),
                dt.date(2026, 2, 28), dt.date(2026, 7, 4)],
    })
    frame["flag"] = frame["flag"].astype(object)
    seen = _spied(monkeypatch)
    apart = _one_grid_sheet(tmp_path, frame, last=True)
    assert seen == [True]
    assert apart == _one_grid_sheet(tmp_path, frame, last=False)
    apart = apart["xl/worksheets/sheet1.xml"]
    assert b"a&amp;b&lt;c&gt;d" in apart and b"&#233; &#252; &#20013; &#128512;" in apart
    assert b'<t xml:space="preserve"> lead</t>' in apart and b"x&#13;y" in apart
    book = openpyxl.load_workbook(tmp_path / "grid-True.xlsx")
    values = [[c.value for c in row] for row in book["Grid"].iter_rows(min_row=2, max_row=3)]
    assert values[0] == ["a&b<c>d\"e'f", True, 1, 1.5, dt.datetime(2026, 3, 1, 12, 30),
                         dt.datetime(2026, 3, 1)]
    assert values[1] == [" lead", False, 2, 2, None, None]


def test_rows_openpyxl_types_itself_stay_with_openpyxl(tmp_path, monkeypatch):
    """A value sheet_rows would not write as openpyxl does (a date in a column without a date
    format, which openpyxl gives a format of its own) sends the grid through openpyxl: the
    same bytes again."""
    from opskit.report.sheet_rows import rows_xml

    assert rows_xml([[dt.date(2026, 1, 1)]], [None], [False], 2) is None
    assert rows_xml([["=SUM(A1)"]], [None], [False], 2) is None
    assert rows_xml([["#N/A"]], [None], [False], 2) is None
    assert rows_xml([[dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]], [3], [True], 2) is None
    frame = pd.DataFrame({"text": ["a", "b"], "other": [dt.date(2026, 1, 1), "x"]})
    seen = _spied(monkeypatch)
    assert _one_grid_sheet(tmp_path, frame, last=True) == _one_grid_sheet(
        tmp_path, frame, last=False)
    assert seen == [False]


def test_no_row_after_the_last_grid(tmp_path):
    """Rows written apart leave openpyxl's row count behind: a row after them is refused."""
    book = openpyxl.Workbook(write_only=True)
    spool = sheets.Spool(tmp_path / "grid.xlsx")
    writer = sheets.SheetWriter(book, "Grid", spool)
    writer.layout([10.0], freeze_below=1)
    writer.grid(sheets.Grid.of(pd.DataFrame({"a": ["x", "y"]})), "Rows", last=True)
    with pytest.raises(RuntimeError, match="a row after the grid marked last"):
        writer.line("more")
    spool.clear()


def test_cell_values_a_column_at_a_time_are_cell_value_of_each(dtc):
    """``cell_values`` converts by dtype what ``cell_value`` converts cell by cell: the same
    values of the same types, on every evidence column of the sample and on the edges
    (NaN and infinities, NaT, time zones, missing and over-long Arrow text, nullable
    booleans, mixed objects)."""
    ctx, _, _ = dtc
    long_text = "x" * (sheets.CELL_CHARS + 5)
    edges = pd.DataFrame({
        "float": [1.5, float("nan"), float("inf"), -float("inf")],
        "int": [1, 2, -3, 12345678901234567],
        "bool": [True, False, True, False],
        "when": pd.to_datetime(["2026-01-01 10:00", None, "2026-02-01 00:00", "2026-03-01 00:00"]),
        "zoned": pd.to_datetime(["2026-01-01 10:00", None, "2026-02-01 00:00", "2026-03-01 00:00"]
                                ).tz_localize("America/New_York"),
        "text": pd.Series(["a", None, long_text, ""], dtype="str"),
        "nullable": pd.array([True, None, False, True], dtype="boolean"),
        "mixed": ["a", 1, dt.date(2026, 1, 1), None],
    })
    frames = [edges] + [r.evidence for r in ctx.results if r.evidence is not None]
    checked = 0
    for frame in frames:
        for position in range(frame.shape[1]):
            column = frame.iloc[:, position]
            fast = sheets.cell_values(column)
            slow = [sheets.cell_value(v) for v in column.tolist()]
            assert [type(v) for v in fast] == [type(v) for v in slow], column.name
            assert fast == slow, column.name
            checked += 1
    assert checked > 200
    assert sheets.cell_values(edges["float"]) == [1.5, None, None, None]
    assert sheets.cell_values(edges["zoned"])[0] == dt.datetime(2026, 1, 1, 10, 0)
    assert sheets.cell_values(edges["text"])[2] == "x" * (sheets.CELL_CHARS - 1) + "…"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12),
                          st.sampled_from(["", " ", "a&b", "<x>", "\r\n", "é", "\u3000x",
                                           "x\x85", "=", "=x", "#N/A", "😀 ", "a\x1fb"])),
                min_size=1, max_size=30))
def test_any_text_column_is_written_as_openpyxl_writes_it(tmp_path_factory, values):
    """Text columns serialized in Arrow (escaping, xml:space, empty strings, missing
    values, non-ASCII references) are the bytes openpyxl writes, for any text; a value
    openpyxl types itself (a formula, an error code, a control character) sends the column
    to openpyxl, which writes it as before."""
    tmp_path = tmp_path_factory.mktemp("text")
    frame = pd.DataFrame({"text": pd.Series(values, dtype=object), "n": range(len(values))})
    assert _one_grid_sheet(tmp_path, frame, last=True) == _one_grid_sheet(
        tmp_path, frame, last=False)


def test_arrow_whitespace_and_control_characters_are_pythons_and_openpyxls():
    """The Arrow path relies on Arrow's trimmed whitespace being exactly ``str.isspace``
    (lxml's xml:space rule) and on its RE2 class being openpyxl's illegal characters: both
    are checked here for every code point."""
    import sys

    import pyarrow as pa
    import pyarrow.compute as pc
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    codes = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    for text in (pa.array(["x" + chr(c) for c in codes]), pa.array([chr(c) + "x" for c in codes])):
        trimmed = pc.not_equal(pc.binary_length(pc.utf8_trim_whitespace(text)),
                               pc.binary_length(text)).to_numpy(zero_copy_only=False)
        assert trimmed.tolist() == [chr(c).isspace() for c in codes]
    probes = [chr(c) for c in range(0x80)] + ["\ufffd", "\ufffe", "\uffff", "\U0010ffff"]
    arrow = pc.match_substring_regex(pa.array(probes),
                                     sheet_rows._ILLEGAL_OR_NOT_XML).to_pylist()
    assert arrow == [bool(ILLEGAL_CHARACTERS_RE.search(p) or sheet_rows._NOT_XML.search(p))
                     for p in probes]
    assert arrow[-4:] == [False, True, True, False]
    for outside_xml in ("a\ud800b", "a\ufffeb", "a\uffffb"):
        assert sheet_rows.rows_xml([[outside_xml]], [None], [False], 2) is None
        assert sheet_rows.rows_xml([[outside_xml, 1]], [None], [False], 2) is None


def test_styles_are_numbered_as_openpyxl_numbers_them(tmp_path):
    """A formatted column whose first values are empty gets its style when its first value
    is written, row by row, as openpyxl numbers them; a column with no value adds no style,
    and 'General' is no style: styles.xml is the same both ways."""
    frame = pd.DataFrame({"late": [None, 1.5, 2.5], "when": pd.to_datetime(
        ["2026-01-01", "2026-01-02", None]), "never": [None, None, None],
        "plain": [1.0, 2.0, 3.0], "text": ["a", "b", "c"]})
    formats = {"late": sheets.FORMAT_NUMBER, "when": sheets.FORMAT_DATETIME,
               "never": sheets.FORMAT_PERCENT, "plain": "General"}
    apart = _one_grid_sheet(tmp_path, frame, last=True, formats=formats)
    assert apart == _one_grid_sheet(tmp_path, frame, last=False, formats=formats)
    sheet = apart["xl/worksheets/sheet1.xml"]
    # 'when' is written first (row 2), then 'late' (row 3); 'plain' carries no s=""
    assert b'<c r="B2" s="2" t="n">' in sheet and b'<c r="A3" s="3" t="n">' in sheet
    assert b'<c r="D2" t="n">' in sheet


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(), st.booleans(),
                          st.integers(min_value=-10**15, max_value=10**15),
                          st.floats(allow_nan=False, allow_infinity=False, width=64),
                          st.dates(), st.datetimes()), max_size=20),
       st.sampled_from([None, sheets.FORMAT_DATE, sheets.FORMAT_DATETIME,
                        sheets.FORMAT_PERCENT, sheets.FORMAT_INTEGER, sheets.FORMAT_NUMBER,
                        sheets.FORMAT_RATIO, '"$"#,##0.00']))
def test_column_widths_measure_every_value_as_before(values, fmt):
    """The widths' fast path (a printable string is as long as its one line) gives what
    measuring each value by its longest line gives, for any mix of values and formats."""
    assert sheets._longest_shown(values, fmt) == max(
        (sheets._shown_length(v, fmt) for v in values), default=0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(), st.datetimes()), min_size=1, max_size=30),
       st.sampled_from(["windows", "mac"]))
def test_date_cells_are_the_serials_openpyxl_computes(values, epoch_name):
    """A column of dates and datetimes is converted to Excel serials in numpy: the very
    floats openpyxl's ``to_excel`` gives value by value, on either epoch, any date."""
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, to_excel

    epoch = WINDOWS_EPOCH if epoch_name == "windows" else MAC_EPOCH
    expected = [None if v is None else to_excel(v, epoch) for v in values]
    assert sheet_rows._date_serials(values, epoch) == expected


def test_numpy_scalars_without_a_python_twin_become_the_nearest_cell():
    """A numpy scalar whose ``item()`` is itself (extended precision) is stored as the
    nearest Python number, or as its text when it has none (a complex), never recursing:
    missing and infinite values stay empty as for any float."""
    import numpy as np

    assert sheets.cell_value(np.longdouble("1.5")) == 1.5
    assert type(sheets.cell_value(np.longdouble("1.5"))) is float
    assert sheets.cell_value(np.longdouble("nan")) is None
    assert sheets.cell_value(np.longdouble("-inf")) is None
    assert sheets.cell_value(np.clongdouble(1 + 2j)) == "(1+2j)"
    assert sheets.cell_value(np.int64(3)) == 3 and sheets.cell_value(np.float32(2.5)) == 2.5
