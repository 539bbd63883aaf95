"""Parameters reach the notebook as data, concurrent runs never share a report folder, the
client's copy shows no contact details (yet every id), and no cell a client opens in a
spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import re
import shutil
import threading
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import SAMPLE_CLIENTS, SAMPLES
from report_helpers import LIBRARY, artifact_texts

from opskit.report.redact import is_id_column, redact_frame, redact_text, region_for
from opskit.run import run


def test_code_in_paths_and_names_is_never_executed(tmp_path):
    """An engagement whose folder and client name hold quotes, newlines and code runs
    normally; the code it carries is never executed."""
    marker = tmp_path / "PWNED"
    payload = f"x\"; open({str(marker)!r}, 'w') #\n__import__('os').system('touch {marker}')"
    folder = tmp_path / ("eng'\"" + payload.replace("/", "_"))
    shutil.copytree(SAMPLES / "control", folder)
    config_path = folder / "engagement.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["client"] = payload
    config_path.write_text(yaml.safe_dump(config))
    outcome = run(folder, out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
    assert outcome.html.is_file()
    assert not marker.exists()
    assert "open(" in outcome.html.read_text()  # the name is shown, as text


def test_two_runs_of_one_client_at_once(tmp_path):
    """Two concurrent runs of the same client write to different folders and both finish."""
    outcomes = []

    def one() -> None:
        outcomes.append(run(SAMPLES / "control", out=tmp_path / "reports", progress=False,
                            ledger=tmp_path / "ledger.sqlite"))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2
    assert outcomes[0].folder != outcomes[1].folder
    for outcome in outcomes:
        assert outcome.html.is_file() and outcome.json.is_file()


PHONE_CASES = [
    ("call 555-343-6367x12 today", "call [phone redacted] today"),
    ("(555) 343-6367.", "[phone redacted]."),
    ("555/343/6367", "[phone redacted]"),
    ("555\u2011343\u20116367", "[phone redacted]"),  # non-breaking hyphens
    ("555\u2013343\u2014 6367", "[phone redacted]"),  # en and em dash
    ("555\u00a0343\u00a06367", "[phone redacted]"),  # no-break spaces
    ("\uff15\uff15\uff15-343-6367", "[phone redacted]"),  # fullwidth digits
    ("555.434.5678", "[phone redacted]"),
    ("+1 555 700 0115", "[phone redacted]"),
    ("+15559748430", "[phone redacted]"),
    ("1-800-555-0199 ext. 5", "[phone redacted]"),
    ("person phone:5559222327", "person phone:[phone redacted]"),
    ("Mobile-555-343-6367", "Mobile-[phone redacted]"),
    ("+44 20 7946 0958 (London)", "[phone redacted] (London)"),
]


@pytest.mark.parametrize(("text", "expected"), PHONE_CASES)
def test_phone_numbers_written_every_way_are_redacted(text, expected):
    """Extensions, brackets, slashes, Unicode dashes and spaces, fullwidth digits and
    international numbers are all masked, and only the number is."""
    assert redact_text(text) == expected


KEPT = ["7401000000037", "6802000511155", "01JK00008603", "CF100001", "CFTEST3", "SO-306793",
        "HS-R1720", "QB-3354", "INV-20740", "BILL-7001", "JE003738", "SHP520205", "CA1003653",
        "CF-DEC-1220-V6", "ORD-5553436367", "#5553436367", "1001234", "2026-07-01 10:00:00",
        "2026-07-01 to 2026-09-30", "12/31/2026", "1,234,567,890", "$1234567890",
        "0.1234567890", "1234567890.5", "late_rate 11.4%", "23,416 rows"]


@pytest.mark.parametrize("text", KEPT)
def test_ids_dates_and_amounts_are_not_phone_numbers(text):
    """Ids (13-digit customer ids, letter-prefixed order, invoice and entry ids), dates,
    timestamps and amounts are kept as they are."""
    assert redact_text(text) == text


def test_emails_with_any_letters_are_redacted():
    """Emails with non-ASCII letters in the local part or domain are masked whole."""
    assert redact_text("write to jos\u00e9.n\u00fa\u00f1ez@ex\u00e4mple.com.") == (
        "write to [email redacted].")
    assert redact_text("Name <jo.o'neil+x@mail.example.co.uk>") == "Name <[email redacted]>"
    assert redact_text("email:adam@example.net|x") == "email:[email redacted]|x"


def test_the_phone_region_follows_the_engagement_currency():
    """A national number is read as one of the engagement's country (from its currency;
    US when the currency names no single country)."""
    assert [region_for(c) for c in ("USD", "gbp", "EUR", None)] == ["US", "GB", "US", "US"]
    assert redact_text("020 7946 0958", "GB") == "[phone redacted]"
    assert redact_text("020 7946 0958", "US") == "020 7946 0958"


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_every_id_of_every_sample_survives_redaction(slug, sample_engagements):
    """Redaction leaves every id column of every sample table exactly as it was (dtc's
    13-digit customer ids used to come out as '[phone redacted]')."""
    checked = 0
    for name, frame in sample_engagements[slug].tables.items():
        ids = [c for c in frame.columns if c.endswith("_id") or c in ("sku", "reference")]
        ids = [c for c in ids if frame[c].dtype == object
               or pd.api.types.is_string_dtype(frame[c].dtype)]
        if not ids:
            continue
        redacted = redact_frame(frame[ids])
        for column in ids:
            present = frame[column].notna()
            assert redacted[column].notna().tolist() == present.tolist()
            assert redacted[column][present].tolist() == frame[column][present].tolist(), (
                f"{slug}.{name}.{column}")
            checked += 1
    assert checked >= 5


def test_bare_numbers_in_id_columns_are_ids_unless_valid_phone_numbers():
    """In an id column a bare 10-digit number (an SAP purchase order, an order number) is kept
    unless it is a valid phone number; the same number in free text is masked, and a number
    written as a phone number is masked everywhere."""
    frame = pd.DataFrame({
        "po_id": ["4500012345", "1000123456", "2125550123", "555-343-6367", "PO-1"],
        "memo": ["4500012345", "1000123456", "2125550123", "555-343-6367", None]})
    redacted = redact_frame(frame)
    assert redacted["po_id"].tolist() == ["4500012345", "1000123456", "[phone redacted]",
                                          "[phone redacted]", "PO-1"]
    assert redacted["memo"].tolist() == ["[phone redacted]"] * 4 + [None]
    assert [is_id_column(c) for c in ("order_id", "customerId", "sku", "Order ref", "paid",
                                      "phone_id", "from_number", "person_key")] == [
        True, True, True, True, False, False, False, False]


PLANTED = {  # customer_id of a duplicate record in the control sample -> (email, phone, name)
    "6802000399452": ("jos\u00e9.n\u00fa\u00f1ez@ex\u00e4mple.com", "555-343-6367x12", None),
    "6802000457764": ("jos\u00e9.n\u00fa\u00f1ez@ex\u00e4mple.com", "(555) 343-6367.", None),
    "6802000002738": (None, "555/343/6367", None),
    "6802000102453": (None, "555\u2011343\u20116367", None),
    "6802000145114": (None, None, '=HYPERLINK("http://x","y")'),
    "6802000270618": (None, None, "@SUM(1)"),
}


def _unescaped(text: str) -> str:
    """``text`` with JSON's \\uXXXX escapes decoded (findings.json may escape non-ASCII)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_client_copy_leaks_no_planted_contact_detail_and_keeps_ids(tmp_path):
    """The client copy of an engagement whose duplicate customers carry phones written every
    way and a Unicode email shows none of them in html, json, xlsx, evidence CSV or the
    notebook; their customer ids are all there, and their formula names are text."""
    folder = tmp_path / "planted"
    shutil.copytree(SAMPLES / "control", folder, ignore=shutil.ignore_patterns("reports"))
    path = folder / "data" / "customers.csv.gz"
    customers = pd.read_csv(path, dtype=str, keep_default_na=False)
    for customer_id, (email, phone, name) in PLANTED.items():
        row = customers["customer_id"] == customer_id
        assert row.sum() == 1
        for column, value in (("email", email), ("phone", phone), ("name", name)):
            if value is not None:
                customers.loc[row, column] = value
    customers.to_csv(path, index=False)
    outcome = run(folder, audience="client", out=tmp_path / "reports", progress=False,
                  ledger=tmp_path / "ledger.sqlite")
    texts = {p: _unescaped(LIBRARY.sub("", t)) for p, t in artifact_texts(outcome.folder).items()}
    assert {p.rsplit(".", 1)[-1] for p in texts} >= {"html", "json", "xlsx", "csv", "ipynb"}
    for where, text in texts.items():
        for secret in ("n\u00fa\u00f1ez", "ex\u00e4mple", "343-6367", "343/6367",
                       "343\u20116367", "5553436367"):
            assert secret not in text, (where, secret)
    with (outcome.folder / "evidence" / "sales.crm_duplicates.csv").open(
            encoding="utf-8", newline="") as handle:
        rows = {r["customer_id"]: r for r in csv.DictReader(handle)}
    assert set(PLANTED) <= set(rows)
    assert [rows[c]["email"] for c in list(PLANTED)[:2]] == ["[email redacted]"] * 2
    assert [rows[c]["phone"] for c in list(PLANTED)[:4]] == [
        "[phone redacted]", "[phone redacted].", "[phone redacted]", "[phone redacted]"]
    assert rows["6802000399452"]["person_key"] == "email:[email redacted]"
    assert rows["6802000145114"]["name"] == "\'=HYPERLINK(\"http://x\",\"y\")"
    assert rows["6802000270618"]["name"] == "\'@SUM(1)"


FORMULAS = ["=cmd|'/c calc'!A1", '=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(1)",
            "\t=1+1", "\r=1+1", "plain", "a=b"]


def test_evidence_csv_cells_and_headers_never_start_a_formula(tmp_path):
    """write_evidence writes every text cell and header that a spreadsheet would run with a
    leading apostrophe (numbers and other text untouched), through a temporary file."""
    from opskit.report.workbook import write_evidence

    evidence = pd.DataFrame({"=1+1": FORMULAS, "amount": [-2.5] * len(FORMULAS)})
    ctx = SimpleNamespace(results=[SimpleNamespace(check_id="x.hostile", evidence=evidence)])
    assert write_evidence(ctx, tmp_path) == {"x.hostile": "evidence/x.hostile.csv"}
    with (tmp_path / "evidence" / "x.hostile.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["'=1+1", "amount"]
    assert [r[0] for r in rows[1:]] == [
        "'=cmd|'/c calc'!A1", "'=HYPERLINK(\"http://x\",\"y\")", "'+1+1", "'-2+3",
        "'@SUM(1)", "'\t=1+1", "'\r=1+1", "plain", "a=b"]
    assert {r[1] for r in rows[1:]} == {"-2.5"}
    assert sorted(p.name for p in (tmp_path / "evidence").iterdir()) == ["x.hostile.csv"]


def test_explorer_export_csv_is_formula_safe(tmp_path):
    """The explorer's evidence export neutralises formulas the same way."""
    import plotly.graph_objects as go

    from opskit.engagement import Period
    from opskit.explore.exporting import export_view

    evidence = pd.DataFrame({"@who": FORMULAS})
    result = SimpleNamespace(check_id="x.hostile", evidence=evidence)
    period = Period(pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-30"))
    written = export_view(go.Figure(), result, period, None, tmp_path)
    with written["evidence"].open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["'@who"]
    assert rows[1:3] == [["'=cmd|'/c calc'!A1"], ["'=HYPERLINK(\"http://x\",\"y\")"]]
    assert rows[-2:] == [["plain"], ["a=b"]]


def test_redaction_of_a_huge_cell_stays_linear():
    """A 65 KB cell of 5,000 phone numbers and a 100 KB would-be email are redacted whole
    (every number masked; the email scan bounded by RFC 5321's lengths, no blow-up)."""
    assert redact_text("555-343-6367 " * 5000) == "[phone redacted] " * 5000
    huge = "a" * 50_000 + "@" + "b" * 50_000
    assert redact_text(huge) == huge  # no dot in the domain: not an email
    assert redact_text("a" * 70 + "@example.com") == "a" * 6 + "[email redacted]"


def test_formula_and_control_text_found_in_arrow_as_cell_by_cell():
    """spreadsheet_frame finds the cells to clean in Arrow for Arrow-backed text: the same
    result as the cell-by-cell rule for every formula trigger (ASCII and fullwidth), tab
    and carriage return, control characters (xlsx only), missing and empty cells."""
    from opskit.textsafe import FORMULA_TRIGGERS, spreadsheet_frame, spreadsheet_text, xlsx_text

    values = [f"{t}x" for t in FORMULA_TRIGGERS] + [
        "ok", "a\x00b", "x\x0by", "tab\tinside", None, "", "é=", " =x", "-", "a\uffffb",
        "\ufffe"]
    for xlsx, clean in ((False, spreadsheet_text), (True, xlsx_text)):
        expected = [clean(v) for v in values]
        for dtype in ("str", "string[pyarrow]", object):
            frame = pd.DataFrame({"name": pd.Series(values, dtype=dtype)})
            got = spreadsheet_frame(frame, xlsx=xlsx)["name"].tolist()
            assert [None if pd.isna(v) else v for v in got] == expected, (dtype, xlsx)
    assert xlsx_text("a\x00b") == "a\ufffdb" and spreadsheet_text("\uff1dx") == "'\uff1dx"
    assert xlsx_text("a\uffffb\ud800") == "a\ufffdb\ufffd"  # no XML 1.0 character either


def test_text_is_made_safe_in_frames_whose_index_repeats_labels():
    """An evidence frame may repeat index labels (rows of a concat, a join): its formula
    and control text is cleaned cell by cell in place, every row kept in order, index and
    other columns untouched, the same as for a frame with a plain index."""
    from opskit.textsafe import spreadsheet_frame, xlsx_text

    values = ["=1+1", "ok", "+1 555 0100", None, "a\x00b", "@x"]
    for index in ([0, 1, 0, 1, 0, 1], ["x", "y", "x", "x", "z", "x"], [7] * 6):
        for dtype in ("str", object):
            frame = pd.DataFrame({"phone": pd.Series(values, dtype=dtype),
                                  "n": range(6)}).set_axis(index)
            safe = spreadsheet_frame(frame, xlsx=True)
            assert [None if pd.isna(v) else v for v in safe["phone"]] == [
                xlsx_text(v) for v in values]
            assert list(safe.index) == index and safe["n"].tolist() == list(range(6))
