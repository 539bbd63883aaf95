"""Fuzzing every adapter: odd files and ordinary ones never escape as a traceback.

Two strategies per adapter. The first writes exports shaped like it (its own header names,
shuffled, re-cased, padded, some dropped, plus strangers) with random values, and loads them
through an engagement and `opskit validate`: the CLI answers 0, 1 or 2, and 2 always with an
error message. The second writes exports as clients really export them (every required
column, each optional column present, entirely empty or absent; one row or a few; draft
orders, empty SKUs, money in another currency, long HTML; title blocks and preambles) and
runs them through ``adapt`` and the loader: read, or refused with an OpskitError. Anything
else is a bug in opskit. `make fuzz` runs 1,000 examples per adapter of each; `make test` a
handful; FUZZ_EXAMPLES=n sets both counts for a run of your own.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import math
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_loader import only_opskit_errors

from opskit.sources.adapters import ADAPTERS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (
    1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 6))
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "$1,234.56", "(12.00)", "1.234,56", "2026-07-01 10:00:00 -0400",
                     "07/01/2026", "Total for Sales", "ANSWERED", "NO ANSWER", "yes", "N/A",
                     "0011U00000AbCdEFGH", "=1+1", "\u202e", "\x00"]),
)


@st.composite
def exports(draw, adapter_id: str):
    adapter = ADAPTERS[adapter_id]
    names = [e.split("|")[0].rstrip("*") for e in (*adapter.required, *adapter.optional)]
    names = names or list(adapter.columns)
    header = draw(st.permutations(names))
    keep = draw(st.integers(max(1, len(header) - 3), len(header)))
    header = [draw(st.sampled_from([h, h.upper(), f" {h} ", h.replace(" ", "_")]))
              for h in header[:keep]]
    # Strangers, console markup included (a header is printed by `opskit validate`).
    header += draw(st.lists(st.sampled_from(["Notes", "Extra", "", "[/red]", "[bold]x"]),
                            max_size=2))
    rows = draw(st.lists(st.lists(VALUES, min_size=0, max_size=len(header) + 1), max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if adapter.layout != "headerless" and draw(st.booleans()):
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "cp1252"])),
                                    errors="replace")


@pytest.mark.parametrize("adapter_id", sorted(ADAPTERS))
def test_adapter_fuzz(adapter_id, tmp_path_factory, capsys):
    """Random exports shaped like this adapter's: a load or a clear error, nothing else."""
    adapter = ADAPTERS[adapter_id]

    @settings(max_examples=EXAMPLES)
    @given(content=exports(adapter_id))
    def check(content):
        folder = tmp_path_factory.mktemp("fuzz")
        (folder / "data").mkdir()
        (folder / "data" / "export.csv").write_bytes(content)
        (folder / "engagement.yaml").write_text(
            f"client: Fuzz\nfiles:\n  {adapter.feeds[0]}: {{path: data/export.csv, "
            f"adapter: {adapter_id}}}\n")
        only_opskit_errors(folder, capsys)

    check()


# ---------------------------------------------------------------------------------------
# Exports as clients really export them: every required column there, each optional column
# present, entirely empty or absent (layout generations), one row or a few, values of the
# kind each column holds (dates in several layouts, money in another currency, empty SKUs,
# draft orders, long HTML text), wrapped in the adapter's layout (title block, preamble, no
# header). Each goes through adapt and then the loader (parse and validate) of every table
# it feeds: the file is read, or refused with an OpskitError; nothing else escapes.
# ---------------------------------------------------------------------------------------
# `make fuzz`: 1,000 per adapter; `make test`: 3 (each runs adapt and the loader, no CLI).
REAL_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (
    1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 3))

DATES = ["2026-07-01", "2026-07-01 10:00:00 -0400", "07/01/2026", "13/07/2026",
         "2026-07-01T10:00:00Z", "2026-07-01T10:00:00.000+0000", "Jul 1, 2026", "1 Jul 2026",
         "01.07.2026", "2026-07-01 10:00:00 UTC", "10:00:00", "9:05 AM", "7/1/2026 9:05 PM",
         "Never", "", "2026-02-30"]
PLAIN_MONEY = ["12.00", "1,234.56", "$1,234.56", "(12.00)", "-5", "0", "0.00", "", "12.345678",
               "USD 40.00", "N/A"]
FOREIGN_MONEY = {"EUR": ["1.234,56", "€12,00", "12,00 €", "-3,50", "0,00", ""],
                 "MXN": ["MXN 1,200.00", "$1,200.00", "1200", "(15.00)", ""],
                 "INR": ["₹1,00,000.00", "1,00,000", "250.5", ""]}
COUNTS = ["1", "0", "2", "-2", "1:30:00", "4:15", "00:45:30", "1,5", "2.25", "", "not stocked",
          "12"]
STATUSES = ["draft", "open", "paid", "pending", "refunded", "partially_refunded", "voided",
            "fulfilled", "unfulfilled", "cancelled", "ANSWERED", "NO ANSWER", "BUSY", "FAILED",
            "Inbound", "Outbound", "internal", "true", "false", "TRUE", "FALSE", "Yes", "No",
            "Closed Won", "Closed Lost", "Prospecting", "active", "archived", "ACTIVE",
            "SUSPENDED", "DEPROVISIONED", "completed", "failed", "Succeeded", "Missed",
            "Invoice", "Bill", "Payment", "Journal Entry", "ACCREC", "ACCPAY", "Order",
            "Refund", "Adjustment", "Full-time", "Hourly", "Salary", "Sales", ""]
TEXTS = st.one_of(
    st.sampled_from(["Gorgias", "Square POS → Shopify", "Shopify > QuickBooks Online", "Xero",
                     "Home & Garden > Linens & Bedding > Blankets", "Wool Throw - Queen / Oat",
                     "customer service, recurring", "rekeying", "utm_source: google\n"
                     "utm_campaign: summer", "name:Mug|quantity:2|total:9.00|sku:",
                     "id:1|code:SAVE10|amount:5.00", "Cedar & Finch", "Emily Carter",
                     "=HYPERLINK(\"x\")", "Ünïcödé Straße", "", " ", "Default Title"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.builds(lambda words, n: "<p>" + " <b>".join(words) * n + "</p>",
              st.lists(st.sampled_from(["Soft", "wool", "&amp;", "<br>", "linen,", "\"quoted\"",
                                        "line\nbreak", "100%"]), min_size=1, max_size=8),
              st.integers(1, 200)),
)
IDS = ["#1001", "#1002", "#D1", "#D2", "1001", "0066U00000AbCdEFGH", "INV-0001", "ch_3Nx",
       "throw", "towel", "", "101", "+1 (555) 418-2115", "anonymous", "SKU-1", " sku-1 "]
EMAILS = ["a@x.example", "B@X.EXAMPLE", "", "not-an-email", "ops@cedarfinch.example"]
CURRENCIES = ["USD", "EUR", "MXN", "INR", "Euro - EUR", "usd", ""]


def kind_of(column: str) -> str:
    """What a column holds, from its name: how a real export would fill it."""
    name = column.lower()
    if "sku" in name:
        return "sku"
    if "currency" in name:
        return "currency"
    if any(w in name for w in ("email", "username", "login", "principal")):
        return "email"
    if any(w in name for w in ("quantity", "qty", "on hand", "available", "committed",
                               "incoming", "duration", "hours", "billsec", "fte",
                               "probability")):
        return "count"
    if any(w in name for w in ("price", "amount", "total", "cost", "tax", "debit", "credit",
                               "balance", "fee", "rate", "shipping", "discount", "gross",
                               "revenue", "sales", "credits", "rebates", "paid", "gst",
                               "due") ) and "date" not in name:
        return "money"
    if any(w in name for w in ("date", "created", "_at", " at", "time", "last login",
                               "sign in", "started", "activated", "changed", "updated",
                               "start", "answer", "end")):
        return "date"
    if any(w in name for w in ("status", "stage", "disposition", "result", "direction",
                               "type", "captured", "isclosed", "iswon", "isconverted",
                               "isdeleted", "blocked", "voided", "billable", "published",
                               "enrolled", "enforced", "employee?", "approved", "invoiced",
                               "action", "categories")):
        return "status"
    if any(w in name for w in ("id", "num", "#", "name", "handle", "sid", "code", "src",
                               "dst", "from", "to", "digits", "number", "extension")):
        return "id"
    return "text"


def cell(draw, kind: str, currency: str | None) -> str:
    if kind == "money":
        pool = FOREIGN_MONEY.get(currency or "", PLAIN_MONEY)
        return draw(st.sampled_from(pool))
    if kind == "currency":
        return currency if currency is not None else draw(st.sampled_from(CURRENCIES))
    if kind == "sku":
        return draw(st.sampled_from(["", "", "THR-Q-OAT", "NAP-SAGE", "0042", "sku with space"]))
    pools = {"date": DATES, "count": COUNTS, "status": STATUSES, "id": IDS, "email": EMAILS}
    if kind in pools:
        return draw(st.sampled_from(pools[kind]))
    return draw(TEXTS)


@st.composite
def real_exports(draw, adapter_id: str) -> bytes:
    adapter = ADAPTERS[adapter_id]
    columns: list[tuple[str, str]] = []  # (header, mode: full / empty)
    for entry in adapter.required:
        spelling = draw(st.sampled_from(entry.split("|"))).rstrip("*")
        columns.append((spelling + (" (USD)" if entry.endswith("*") else ""), "full"))
    for entry in adapter.optional:
        mode = draw(st.sampled_from(["full", "empty", "absent"]))
        if mode != "absent":
            spelling = draw(st.sampled_from(entry.split("|"))).rstrip("*")
            columns.append((spelling + (" (USD)" if entry.endswith("*") else ""), mode))
    if adapter.layout == "headerless":
        columns = [(name, "full") for name in adapter.columns]
    elif draw(st.booleans()):
        columns = draw(st.permutations(columns))
    # One currency for every money value of the file (another currency than the dollar
    # included), or a mix.
    currency = draw(st.sampled_from([None, "USD", "EUR", "MXN", "INR"]))
    n_rows = draw(st.sampled_from([1, 1, 2, 3, 6]))
    draft_only = draw(st.booleans())
    rows = []
    for _ in range(n_rows):
        row = []
        for header, mode in columns:
            kind = kind_of(header)
            value = "" if mode == "empty" else cell(draw, kind, currency)
            if draft_only and header in ("Name", "Financial Status") and value:
                value = "#D1" if header == "Name" else "pending"
            row.append(value)
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    if adapter.layout == "report":
        writer.writerows([["Cedar & Finch"], [adapter.report_names[0]],
                          ["July 1 - July 31, 2026"], []])
    elif adapter.layout == "preamble":
        writer.writerows([["Includes Amazon Marketplace and FBA transactions"],
                          ["All amounts in USD, unless specified"]])
    if adapter.layout != "headerless":
        writer.writerow([header for header, _ in columns])
    writer.writerows(rows)
    if adapter.layout == "report" and draw(st.booleans()):
        writer.writerows([[], ["Total", "", "", "", "", "1,234.56"],
                          ["Cash Basis Wednesday, August 5, 2026 10:00 AM GMT-04:00"]])
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "xlsx"]))
    if encoding == "xlsx" and adapter.layout != "headerless":
        return workbook(list(csv.reader(io.StringIO(text, newline=""))))
    return text.encode("utf-8" if encoding == "xlsx" else encoding, errors="replace")


def workbook(rows: list[list[str]]) -> bytes:
    """The rows as an Excel export holds them: numbers as numbers, the rest as text."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        cells: list[object] = []
        for value in row:
            try:
                number = float(value) if value.strip() else None
            except ValueError:
                number = None
            if number is not None and math.isfinite(number):
                cells.append(number)
            else:
                cells.append(ILLEGAL_IN_XLSX.sub("", value) or None)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses to write these


def reads_or_refuses(path, adapter_id: str) -> None:
    """The file through its adapter and the loader of every table it feeds: a reading or an
    OpskitError, nothing else (any other exception fails the test with its traceback)."""
    from opskit.config import FileSpec
    from opskit.errors import OpskitError
    from opskit.sources.adapters import adapt
    from opskit.sources.load import load_table

    adapter = ADAPTERS[adapter_id]
    try:
        adapted = adapt(adapter, path, path.name)
    except OpskitError:
        return
    assert adapted.lines >= adapted.data_rows
    for table in adapter.feeds:
        with contextlib.suppress(OpskitError):
            load_table(table, [FileSpec(table, path, path.name, adapter=adapter_id)])


@pytest.mark.parametrize("adapter_id", sorted(ADAPTERS))
def test_real_exports_read_or_refused(adapter_id, tmp_path):
    """Exports shaped as clients export them: optional columns absent or empty, one row,
    draft orders, empty SKUs, another currency, long HTML: read, or refused as an OpskitError."""
    counter = itertools.count()

    @settings(max_examples=REAL_EXAMPLES)
    @given(content=real_exports(adapter_id))
    def check(content):
        suffix = ".xlsx" if content.startswith(b"PK") else ".csv"
        path = tmp_path / f"export_{next(counter)}{suffix}"
        path.write_bytes(content)
        reads_or_refuses(path, adapter_id)

    check()
