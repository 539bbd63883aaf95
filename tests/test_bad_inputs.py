"""The bad-input corpus: every broken file or config loads correctly or fails clearly.

Each folder under tests/data/bad is an engagement with one problem. For each, the expected
outcome is pinned: either the rows read / used / set aside per table, or the error class and
the words its message must contain (file, column, rows). `opskit validate` must answer each
with the documented exit code and a message, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.cli import main
from opskit.engagement import Engagement
from opskit.errors import ConfigError, TableError, UnreadableFileError

BAD = Path(__file__).parent / "data" / "bad"

# case -> (exit code of `opskit validate`, expectation)
# expectation: {"rows": {table: (read, used, set_aside)}} for inputs that load,
#              {"error": class, "mentions": [...]} for inputs that cannot be used.
CASES = {
    "empty_file": (2, {"error": UnreadableFileError, "mentions": ["data/orders.csv", "empty"]}),
    "header_only": (1, {"error": TableError, "mentions": ["data/orders.csv", "header row"]}),
    "semicolon_delimiter": (0, {"rows": {"orders": (3, 3, 0)}}),
    "tab_delimited": (0, {"rows": {"orders": (2, 2, 0)}}),
    "utf8_bom": (0, {"rows": {"orders": (2, 2, 0)}}),
    "cp1252_names": (0, {"rows": {"customers": (2, 2, 0)}}),
    "utf16_bom": (0, {"rows": {"customers": (1, 1, 0)}}),
    "mixed_date_formats": (0, {"rows": {"orders": (5, 5, 0)}}),
    "unreadable_dates": (0, {"rows": {"orders": (4, 2, 2)},
                             "mentions": ["data/orders.csv", "column 'ordered_at'", "rows 3, 5",
                                          "'yesterday'"]}),
    "money_strings": (0, {"rows": {"gl_entries": (4, 4, 0)}}),
    "negative_quantities": (0, {"rows": {"order_lines": (4, 2, 2)},
                                "mentions": ["column 'quantity'", "rows 3, 5", ">= 0"]}),
    "duplicate_ids": (0, {"rows": {"orders": (5, 3, 2)},
                          "mentions": ["column 'order_id'", "rows 4, 5", "unique"]}),
    "missing_required_column": (1, {"error": TableError,
                                    "mentions": ["data/orders.csv", "column 'ordered_at'",
                                                 "'created'"]}),
    "extra_columns": (0, {"rows": {"orders": (2, 2, 0)}}),
    "unknown_yaml_key": (2, {"error": ConfigError,
                             "mentions": ["clinet_name", "periodd", "did you mean 'period'",
                                          "client, industry"]}),
    "python_tag_yaml": (2, {"error": ConfigError, "mentions": ["line 1", "python/object",
                                                               "not allowed"]}),
    "yaml_syntax_error": (2, {"error": ConfigError, "mentions": ["engagement.yaml", "line"]}),
    "yaml_not_mapping": (2, {"error": ConfigError, "mentions": ["mapping", "list"]}),
    "missing_client": (2, {"error": ConfigError, "mentions": ["'client'"]}),
    "unknown_table": (2, {"error": ConfigError, "mentions": ["'order'", "did you mean 'orders'"]}),
    "path_escapes_folder": (2, {"error": ConfigError, "mentions": ["outside", "../../secrets"]}),
    "absolute_path": (2, {"error": ConfigError, "mentions": ["/etc/passwd", "absolute"]}),
    "missing_file": (2, {"error": UnreadableFileError, "mentions": ["data/nothere.csv"]}),
    "unreadable_xlsx": (2, {"error": UnreadableFileError, "mentions": ["data/orders.xlsx",
                                                                       "workbook"]}),
    "binary_garbage": (2, {"error": UnreadableFileError, "mentions": ["data/orders.csv",
                                                                      "binary"]}),
    "xlsx_named_csv": (2, {"error": UnreadableFileError, "mentions": ["data/orders.csv",
                                                                      "zip archive"]}),
    "ragged_rows": (0, {"rows": {"orders": (3, 2, 1)},
                        "mentions": ["data/orders.csv", "row 3", "3 fields", "got 5"]}),
    "invalid_enum": (0, {"rows": {"calls": (4, 2, 2)},
                         "mentions": ["column 'outcome'", "row 4", "'maybe'",
                                      "column 'direction'", "row 5"]}),
    "bool_words": (0, {"rows": {"accounts": (3, 3, 0)}}),
    "bad_period": (2, {"error": ConfigError, "mentions": ["period", "2026-09-30"]}),
    "assumption_out_of_range": (2, {"error": ConfigError, "mentions": ["hourly_cost", "-5"]}),
    "all_rows_unusable": (1, {"error": TableError, "mentions": ["data/orders.csv",
                                                                "all set aside"]}),
    "quoted_newlines": (0, {"rows": {"gl_entries": (2, 2, 0)}}),
    "optional_value_unreadable": (0, {"rows": {"orders": (2, 2, 0)},
                                      "mentions": ["column 'paid_at'", "row 2", "'whenever'"]}),
    "required_value_missing": (0, {"rows": {"orders": (3, 1, 2)},
                                   "mentions": ["column 'order_id'", "row 3", "empty cell"]}),
    "gzip_corrupt": (2, {"error": UnreadableFileError, "mentions": ["data/orders.csv.gz"]}),
    "unsupported_extension": (2, {"error": UnreadableFileError, "mentions": ["'.json'"]}),
    "threshold_out_of_range": (2, {"error": None, "mentions": [
        "The 'sla_business_days' parameter of fulfillment.late_shipments must be a number in "
        "[0, 30]. Got -3."]}),
    "unknown_check_threshold": (2, {"error": None, "mentions": [
        "did you mean fulfillment.late_shipments"]}),
    "yaml_billion_laughs": (2, {"error": ConfigError, "mentions": [
        "engagement.yaml, line 7", "at most 100,000 values once aliases", "got more than"]}),
    "yaml_deep_nesting": (2, {"error": ConfigError, "mentions": [
        "engagement.yaml, line 2", "nested at most 64 levels deep"]}),
    "yaml_duplicate_key": (2, {"error": ConfigError, "mentions": [
        "line 5: the key 'currency' is given on lines 2 and 5", "each key once"]}),
    "limits_not_finite": (2, {"error": ConfigError, "mentions": [
        "'limits.max_field_kb': expected a positive number, at most 1,048,576, got inf",
        "'limits.max_file_mb': expected a positive number, at most 1,048,576, got nan"]}),
    "threshold_400_digits": (2, {"error": ConfigError, "mentions": [
        "'thresholds.fulfillment.late_shipments.sla_business_days': expected a number in "
        "[0, 30], got a number of 400 digits"]}),
    "valid_xlsx": (0, {"rows": {"orders": (1, 1, 0)}}),
    "valid_parquet": (0, {"rows": {"orders": (2, 1, 1)}}),
}


def test_corpus_is_complete():
    """Every folder of the corpus has a pinned expectation, and there are at least 25."""
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert folders == set(CASES)
    assert len(folders) >= 25


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_exit_code_and_message(case, capsys):
    """`opskit validate` answers with the documented exit code and a message, no traceback."""
    code, expect = CASES[case]
    assert main(["validate", str(BAD / case)]) == code
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    flat = " ".join(text.split())
    for words in expect.get("mentions", []):
        assert " ".join(words.split()) in flat, f"{words!r} not in output of {case}"


@pytest.mark.parametrize("case", sorted(c for c, (_, e) in CASES.items() if "rows" in e))
def test_loads_with_row_accounting(case):
    """Inputs that can be used load, and rows read = rows used + rows set aside."""
    _, expect = CASES[case]
    engagement = Engagement.load(BAD / case)
    for table, (read, used, aside) in expect["rows"].items():
        q = engagement.quality[table]
        assert (q.rows_read, q.rows_used, q.rows_set_aside) == (read, used, aside)
        assert q.rows_read == q.rows_used + q.rows_set_aside
        assert len(engagement.tables[table]) == used


@pytest.mark.parametrize("case", sorted(c for c, (_, e) in CASES.items() if e.get("error")))
def test_unusable_input_raises_named_error(case):
    """Inputs that cannot be used raise the documented error naming file, column and rows."""
    _, expect = CASES[case]
    with pytest.raises(expect["error"]) as info:
        Engagement.load(BAD / case)
    message = " ".join(info.value.message.split())
    for words in expect["mentions"]:
        assert " ".join(words.split()) in message


def test_decoded_text_survives_encodings():
    """cp1252 and UTF-16 names are decoded to the right characters, not mojibake."""
    names = Engagement.load(BAD / "cp1252_names").tables["customers"]["name"].tolist()
    assert names == ["Jürgen Müller", "Café Señor – Ltd"]
    assert Engagement.load(BAD / "utf16_bom").tables["customers"]["name"].tolist() == [
        "Zoë Ångström"]


def test_money_strings_are_coerced():
    """'$1,234.56', '(1,234.56)', '1,000.00-' and '-12.5' read as signed amounts."""
    amounts = Engagement.load(BAD / "money_strings").tables["gl_entries"]["amount"].tolist()
    assert amounts == [1234.56, -1234.56, -1000.0, -12.5]


def test_mixed_date_formats_are_read():
    """ISO, US and day-month-name dates in one column all parse to the right day."""
    dates = Engagement.load(BAD / "mixed_date_formats").tables["orders"]["ordered_at"]
    assert [str(d) for d in dates] == [
        "2026-07-01 00:00:00", "2026-07-02 00:00:00", "2026-07-03 00:00:00",
        "2026-07-04 13:45:00", "2026-07-05 09:30:00"]


def test_unreadable_optional_value_is_cleared_not_dropped():
    """A bad value in an optional column clears that value and keeps the row, counted."""
    engagement = Engagement.load(BAD / "optional_value_unreadable")
    orders = engagement.tables["orders"]
    assert orders["paid_at"].isna().tolist() == [True, False]
    assert engagement.quality["orders"].values_cleared == {"paid_at": 1}


def test_extra_columns_are_listed_as_ignored():
    """Columns the data model does not know are reported, not silently kept or lost."""
    engagement = Engagement.load(BAD / "extra_columns")
    assert engagement.quality["orders"].ignored_columns == ["Notes", "Internal Flag"]
    assert list(engagement.tables["orders"].columns) == ["order_id", "ordered_at", "total"]


def test_bool_words_are_read():
    """Yes/No, Y/N, TRUE/false and 1/0 read as booleans."""
    accounts = Engagement.load(BAD / "bool_words").tables["accounts"]
    assert accounts["is_admin"].tolist() == [True, False, True]
    assert accounts["mfa_enabled"].tolist() == [False, True, False]
