"""The loader's fast paths give what the general paths give: Arrow text, direct date casts,
validation of the suspect rows only, the currency step in Arrow, and reading ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opskit.engagement import Engagement
from opskit.errors import UnreadableFileError
from opskit.sources import load as load_module
from opskit.sources.currency import _Codes
from opskit.sources.load import _may_repeat, _suspects, _unique_by_order
from opskit.sources.parse import _text, to_local
from opskit.tables import TABLES

RAW = [" a ", "NULL", " nA ", None, "x", "--", " ", "Nan", "none ", "\u00a0b\u00a0", "NoNe",
       "n/A", "-", "nan-x", "ñ"]
TEXT = ["a", None, None, None, "x", None, None, None, None, "b", None, None, None, "nan-x",
        "ñ"]


def strings(values: list, dtype: str = "str") -> pd.Series:
    return pd.Series(values, dtype=dtype, index=range(10, 10 + len(values)))


def as_list(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def test_arrow_text_trims_and_clears_null_tokens_in_any_case():
    """Text read by Arrow: trimmed (no-break spaces too), tokens in any case cleared."""
    out = _text(strings(RAW))
    assert as_list(out) == TEXT
    assert str(out.dtype) == "str"
    assert list(out.index) == list(range(10, 25))


def test_arrow_text_equals_the_general_path():
    """The same values held as Python objects take the general path and read the same."""
    assert as_list(_text(strings(RAW, dtype="object"))) == TEXT


def test_long_values_skip_the_token_lookup_and_stay():
    """A column of ids longer than any null token is only trimmed."""
    assert as_list(_text(strings([" CF100001", "CF100002 ", "CF1000000"]))) == [
        "CF100001", "CF100002", "CF1000000"]


def test_iso_dates_cast_directly_equal_the_trimmed_reading():
    """An ISO column is cast as written; blanks, tokens and padding take the trimming path
    and give the same times; a deadline's date alone is the end of its day."""
    direct = to_local(strings(["2026-07-01 10:00:00", "2026-07-02", None]), end_of_day=True)
    padded = to_local(strings([" 2026-07-01 10:00:00", "2026-07-02 ", "null"]),
                      end_of_day=True)
    expected = [pd.Timestamp("2026-07-01 10:00:00"),
                pd.Timestamp("2026-07-02 23:59:59.999999"), None]
    assert as_list(direct.values) == expected
    assert as_list(padded.values) == expected
    assert direct.values.dtype == padded.values.dtype == np.dtype("datetime64[us]")
    assert direct.bad.tolist() == padded.bad.tolist() == [False, False, False]


def test_suspects_cover_every_rule_and_nothing_else():
    """Missing required value, negative amount, value outside the enum, repeated key: those
    rows (both rows of the repeat) and no other."""
    frame = pd.DataFrame({
        "invoice_id": pd.Series(["I1", "I2", None, "I4", "I2", "I6"], dtype="str"),
        "issued_at": pd.to_datetime(["2026-07-01"] * 6).astype("datetime64[us]"),
        "amount": [1.0, 2.0, 3.0, -4.0, 5.0, 6.0],
    })
    suspects = _suspects(TABLES["invoices"], frame, ("invoice_id",))
    assert suspects.tolist() == [False, True, True, True, True, False]
    gl = pd.DataFrame({"posted_at": pd.to_datetime(["2026-07-01"] * 3).astype("datetime64[us]"),
                       "account": pd.Series(["4000", "5000", "6000"], dtype="str"),
                       "amount": [-1.0, 2.0, 3.0],
                       "account_type": pd.Series(["revenue", "bogus", None], dtype="str")})
    assert _suspects(TABLES["gl_entries"], gl, ()).tolist() == [False, True, False]


def test_validation_of_suspects_sets_aside_what_a_full_validation_does(tmp_path):
    """Far-apart repeats and a late negative amount: the first occurrence is kept, the
    repeats and the negative row are set aside with their row numbers."""
    lines = ["invoice_id,issued_at,amount"]
    lines += [f"I{i},2026-07-01,{10 + i}" for i in range(1, 201)]
    lines += ["I7,2026-07-02,5", "I300,2026-07-02,-1", "I150,2026-07-03,1"]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "invoices.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "engagement.yaml").write_text("client: A\n")
    engagement = Engagement.load(tmp_path)
    quality = engagement.quality["invoices"]
    assert (quality.rows_read, quality.rows_used, quality.rows_set_aside) == (203, 200, 3)
    assert quality.set_aside_by_reason == {"amount: non_negative": 1,
                                           "invoice_id: duplicate": 2}
    failures = engagement.failures["invoices"].sort_values("row")
    assert failures["row"].tolist() == [202, 203, 204]
    assert failures["rule"].tolist() == ["duplicate", "non_negative", "duplicate"]
    assert engagement.tables["invoices"]["invoice_id"].tolist()[-1] == "I200"


def test_numbered_ids_are_unique_by_their_order():
    """CF999999 then CF1000000 is increasing; a run appended out of order is unique when none
    of its ids is in the long run; a repeat across runs or a missing id is not shown."""
    import pyarrow as pa

    def ids(*values):
        return pa.chunked_array([list(values)], type=pa.large_string())

    numbered = [f"CF{i}" for i in range(999_990, 1_000_030)]
    assert _unique_by_order(ids("CF999998", "CF999999", "CF1000000"))
    assert _unique_by_order(ids(*numbered, "CFTEST1", "CFTEST2"))
    assert not _unique_by_order(ids(*numbered, "CFTEST1", "CF999995"))
    assert not _unique_by_order(ids(*numbered, "CFTEST1", "CFTEST1"))
    assert not _unique_by_order(ids("CF1", None, "CF3"))
    assert not _unique_by_order(ids("CF3", "CF2", "CF1", "CF0"))  # mostly out of order


def test_may_repeat_finds_a_repeat_after_an_unordered_stretch():
    """A key repeated out of order is found; one unique part of a two-column key clears it."""
    ids = pd.Series(["B", "A", "C", "A"], dtype="str")
    assert _may_repeat(pd.DataFrame({"id": ids}), ("id",))
    pair = pd.DataFrame({"sku": pd.Series(["A", "A", "B"], dtype="str"),
                         "system": pd.Series(["x", "y", "x"], dtype="str")})
    assert not _may_repeat(pair, ("sku", "system"))
    pair.loc[2, ["sku", "system"]] = ["A", "x"]
    assert _may_repeat(pair, ("sku", "system"))


def test_currency_codes_in_arrow_equal_the_pandas_path():
    """Padded, lower-case and empty cells: the same codes, rows and final column both ways."""
    cells = [" usd", "mxn ", "", None, "Eur", "USD"]
    arrow = _Codes(strings(cells), None, "USD")
    plain = _Codes(strings(cells, dtype="object"), None, "USD")
    assert arrow.arrow is not None and plain.arrow is None
    assert arrow.other.tolist() == plain.other.tolist() == [False, True, False, False, True,
                                                             False]
    every = np.arange(len(cells))
    assert arrow.at(every).tolist() == plain.at(every).tolist() == [
        "USD", "MXN", "USD", "USD", "EUR", "USD"]
    aside = np.array([False, True, False, False, False, False])
    column = arrow.column(aside, strings(cells).dtype)
    assert column.tolist() == ["USD", "MXN", "USD", "USD", "USD", "USD"]
    assert list(column.index) == list(range(10, 16))


def test_currency_of_the_order_looked_up_in_arrow():
    """Order lines take their order's code; an order not listed is in the engagement's."""
    lines = strings(["1", "2", None, "3", "2"])
    codes = _Codes(lines, {"2": "MXN", "3": "eur"}, "USD")
    assert codes.arrow is not None
    assert codes.at(np.arange(5)).tolist() == ["USD", "MXN", "USD", "EUR", "MXN"]
    assert codes.raw_at(np.array([3])).tolist() == ["eur"]


def engagement_of(folder: Path, files: dict[str, str], extra: str = "") -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text("client: Ahead\n" + extra)
    for name, text in files.items():
        (folder / "data" / name).write_text(text)
    return folder


ORDERS = "order_id,ordered_at,total\n1,2026-07-01,10\n2,2026-07-02,20\n"
LINES = "order_id,sku,quantity,unit_price\n1,A,1,10\n2,B,2,10\n"
PRODUCTS = "sku,name\nA,Apple\nB,Banana\n"


def test_each_file_is_read_once_in_load_order(tmp_path, monkeypatch):
    """Reading ahead reads every file once, orders first, and loads what a plain read does."""
    folder = engagement_of(tmp_path, {"orders.csv": ORDERS, "order_lines.csv": LINES,
                                      "products.csv": PRODUCTS})
    seen = []
    real = load_module.read_file

    def spy(path, **kwargs):
        seen.append(Path(path).name)
        return real(path, **kwargs)

    monkeypatch.setattr(load_module, "read_file", spy)
    engagement = Engagement.load(folder)
    assert seen == ["orders.csv", "order_lines.csv", "products.csv"]
    assert {t: q.rows_used for t, q in engagement.quality.items()} == {
        "order_lines": 2, "orders": 2, "products": 2}
    assert engagement.tables["order_lines"]["quantity"].tolist() == [1.0, 2.0]


def test_a_file_read_ahead_keeps_its_limits_and_its_error(tmp_path):
    """A file read in the second thread is held to engagement.yaml's limits, and its problem
    is raised as the file's own, naming it."""
    rows = "".join(f"{i},A,1,10\n" for i in range(50))
    folder = engagement_of(tmp_path, {"orders.csv": ORDERS,
                                      "order_lines.csv": LINES.splitlines()[0] + "\n" + rows},
                           extra="limits: {max_rows: 10}\n")
    with pytest.raises(UnreadableFileError) as info:
        Engagement.load(folder)
    assert info.value.file == "data/order_lines.csv"
    assert "max_rows" in info.value.message
    partial = Engagement.load(folder, strict=False)
    assert list(partial.tables) == ["orders"]
    assert [u.file for u in partial.unusable] == ["data/order_lines.csv"]


def test_a_missing_id_among_suspects_sets_aside_that_row_only(tmp_path):
    """Suspect rows far apart, one of them with no id: only that row is missing its id (pandera
    reads the suspects numbered 0..n-1, not with the table's gaps)."""
    lines = ["invoice_id,issued_at,amount"]
    lines += [f"I{i},2026-07-01,{i}" for i in range(1, 121)]
    lines[40] = ",2026-07-01,40"
    lines[90] = "I90,2026-07-01,-90"
    lines.append("I5,2026-07-02,5")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "invoices.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "engagement.yaml").write_text("client: A\n")
    engagement = Engagement.load(tmp_path)
    failures = engagement.failures["invoices"].sort_values("row")
    assert failures[["row", "column", "rule"]].values.tolist() == [
        [41, "invoice_id", "not_nullable"], [91, "amount", "non_negative"],
        [122, "invoice_id", "duplicate"]]
    assert engagement.quality["invoices"].rows_used == 118
