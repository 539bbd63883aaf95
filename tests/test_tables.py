"""The canonical tables: schemas, documentation, and the accounting identity on any valid rows."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opskit.config import FileSpec
from opskit.sources.load import load_table
from opskit.sources.parse import NULL_TOKENS
from opskit.tables import TABLES, Column, markdown_reference, schema

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.@",
               min_size=1, max_size=12).map(str.strip).filter(
    lambda s: s and s.lower() not in NULL_TOKENS and not s.startswith(("-", "(")))


def value_strategy(column: Column) -> st.SearchStrategy[str]:
    """Text as an export would write a valid value of ``column``."""
    if column.kind == "datetime":
        # Local time, a UTC offset, Z, or a date alone: every style loads.
        return st.tuples(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 12, 31)),
                         st.sampled_from(["", "-04:00", "+0530", "Z", " UTC", "date"])).map(
            lambda p: p[0].strftime("%Y-%m-%d") if p[1] == "date"
            else p[0].strftime("%Y-%m-%dT%H:%M:%S") + p[1])
    if column.kind in ("money", "number"):
        low = 0 if column.non_negative else -1e7
        return st.floats(low, 1e7, allow_nan=False).map(lambda v: f"{v:.2f}")
    if column.kind == "bool":
        return st.sampled_from(["true", "false", "yes", "no", "1", "0"])
    if column.kind == "enum":
        return st.sampled_from(column.values)
    return WORD


@st.composite
def table_rows(draw, name: str):
    """Rows of valid values for table ``name``; keys unique, optional cells sometimes empty."""
    spec = TABLES[name]
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        row = {}
        for col in spec.columns:
            if col.name in spec.key and col.kind in ("id", "text"):
                row[col.name] = f"{col.name[:3]}-{i}"  # unique key values
            elif not col.required and draw(st.booleans()):
                row[col.name] = ""
            else:
                row[col.name] = draw(value_strategy(col))
        if spec.key and any(spec.by_name[k].kind == "datetime" for k in spec.key):
            row[spec.key[0]] = (dt.datetime(2020, 1, 1) + dt.timedelta(days=i)).strftime(
                "%Y-%m-%d")
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", sorted(TABLES))
def test_valid_rows_load_and_account(name, tmp_path_factory):
    """Rows generated from each schema load without error; read = used + set aside = n."""

    @settings(max_examples=15, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rows=table_rows(name))
    def check(rows):
        folder: Path = tmp_path_factory.mktemp(name)
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        loaded = load_table(name, [FileSpec(name, path, path.name)])
        q = loaded.quality
        assert q.rows_read == len(rows)
        assert q.rows_read == q.rows_used + q.rows_set_aside
        assert q.rows_set_aside == 0, loaded.failures.to_dict("records")

    check()


def test_every_table_documents_every_column():
    """Each column carries a sentence of documentation and a kind the parser knows."""
    for spec in TABLES.values():
        assert spec.doc
        assert spec.required, f"{spec.name} has no required column"
        for col in spec.columns:
            assert col.doc.endswith((".", ")")), (spec.name, col.name)
            assert col.kind in ("id", "text", "datetime", "money", "number", "bool", "enum")


def test_design_tables_are_all_there():
    """The 24 canonical tables of DESIGN.md and deal_events exist with their required columns."""
    assert len(TABLES) == 25
    assert TABLES["orders"].required == ["order_id", "ordered_at", "total"]
    assert TABLES["calls"].by_name["outcome"].values == ("answered", "missed", "voicemail",
                                                         "abandoned")
    assert TABLES["gl_entries"].required == ["posted_at", "account", "amount"]


def test_schema_flags_negative_enum_and_duplicates():
    """The pandera schema reports negatives, values outside the enum, and repeated keys."""
    import pandas as pd
    import pandera.pandas as pa

    frame = pd.DataFrame({
        "call_id": ["a", "b", "a"], "started_at": pd.to_datetime(["2026-01-01"] * 3),
        "direction": ["inbound", "sideways", "inbound"], "outcome": ["missed"] * 3,
        "duration_s": [1.0, -1.0, 2.0]})
    with pytest.raises(pa.errors.SchemaErrors) as info:
        schema("calls", ("call_id",)).validate(frame, lazy=True)
    cases = info.value.failure_cases
    assert sorted(cases["index"].tolist()) == [1, 1, 2]


def test_readme_carries_the_data_model():
    """README's data-model section is generated from tables.py (kept in sync by this test)."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_reference() in readme


def test_deadline_columns_are_marked_end_of_day():
    """Deadlines and leaving dates, and only they, read a bare date as the end of the day."""
    marked = sorted(f"{t.name}.{c.name}" for t in TABLES.values() for c in t.columns
                    if c.end_of_day)
    assert marked == ["bills.due_at", "deals.close_date", "invoices.due_at",
                      "orders.promised_delivery_by", "orders.promised_ship_by",
                      "people.ended_on"]
    assert all(TABLES[t].by_name[c].kind == "datetime" for t, c in (m.split(".") for m in marked))
    assert ("| ended_on |  | a date or date-time (YYYY-MM-DD or YYYY-MM-DD HH:MM) from 1900 to "
            "2199 | Leaving date; empty while employed. A date alone means the end of that "
            "day. |") in markdown_reference()


def test_bare_deadline_date_loads_as_the_end_of_the_day(tmp_path):
    """A CSV with plain-date ship-by dates: 23:59:59.999999 of that day; times are kept."""
    import pandas as pd

    path = tmp_path / "orders.csv"
    path.write_text("order_id,ordered_at,total,promised_ship_by,paid_at\n"
                    "1,2025-04-01 09:00,10,2025-04-02,2025-04-02\n"
                    "2,2025-04-01 09:00,10,2025-04-02 15:00,2025-04-02 15:00\n",
                    encoding="utf-8")
    frame = load_table("orders", [FileSpec("orders", path, path.name)]).frame
    assert frame["promised_ship_by"].tolist() == [pd.Timestamp("2025-04-02 23:59:59.999999"),
                                                  pd.Timestamp("2025-04-02 15:00")]
    assert frame["paid_at"].tolist() == [pd.Timestamp("2025-04-02"),
                                         pd.Timestamp("2025-04-02 15:00")]
    assert str(frame["promised_ship_by"].dtype) == "datetime64[us]"
