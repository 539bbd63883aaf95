"""The adapter base: optional columns absent or empty are harmless, bugs are named as bugs,
and a file's head is read once however many steps look at it."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest

from opskit.cli import main
from opskit.errors import OpskitError, UnreadableFileError
from opskit.sources import grid, readers
from opskit.sources.adapters import ADAPTERS, adapt
from opskit.sources.adapters.base import (
    Export,
    as_text,
    duration_minutes,
    flag,
    phone,
    read_export,
    split_part,
    utc_to_local,
    without_offset,
)
from opskit.sources.detect import detect_sniff, sniff

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


TOGGL = ["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date",
         "Start time", "End date", "End time", "Duration", "Tags", "Amount ()"]
CLOCKIFY = ["Project", "Client", "Description", "Task", "User", "Group", "Email", "Tags",
            "Billable", "Start Date", "Start Time", "End Date", "End Time", "Duration (h)",
            "Duration (decimal)", "Billable Rate (USD)", "Billable Amount (USD)"]
HARVEST = ["Date", "Client", "Project", "Project Code", "Task", "Notes", "Hours",
           "Hours Rounded", "Billable?", "Invoiced?", "Approved?", "First Name", "Last Name",
           "Roles", "Employee?", "Billable Rate", "Billable Amount", "Cost Rate", "Cost Amount",
           "Currency", "External Reference URL"]


def test_toggl_projects_without_an_arrow_load(tmp_path):
    """Toggl projects naming one system each (no 'A → B'): system read, no target, no crash."""
    path = write_csv(tmp_path / "toggl.csv", TOGGL, [
        ["Emily Carter", "e@x.example", "C", "Gorgias", "", "Answer tickets", "No",
         "2026-07-01", "09:00:00", "2026-07-01", "13:15:00", "04:15:00", "recurring", ""],
        ["Tom Alvarez", "t@x.example", "C", "Shopify", "", "Fix orders", "No",
         "2026-07-02", "09:00:00", "2026-07-02", "09:45:30", "00:45:30", "", ""],
    ])
    frame = adapt(ADAPTERS["toggl.time_entries"], path, path.name).tables["tasks"].frame
    assert frame["system"].tolist() == ["Gorgias", "Shopify"]
    assert frame["target_system"].isna().tolist() == [True, True]
    assert frame["minutes"].tolist() == [255.0, 45.5]


def test_clockify_projects_without_an_arrow_load(tmp_path):
    """Clockify projects without a separator: each is the system, the target is missing."""
    path = write_csv(tmp_path / "clockify.csv", CLOCKIFY, [
        ["Gorgias", "C", "Answer tickets", "", "Emily Carter", "Support", "e@x.example", "",
         "No", "13/07/2026", "09:00:00", "13/07/2026", "13:15:00", "04:15:00", "4.25", "0", "0"],
    ])
    frame = adapt(ADAPTERS["clockify.time_entries"], path, path.name).tables["tasks"].frame
    assert frame["system"].tolist() == ["Gorgias"]
    assert frame["target_system"].isna().all()
    assert frame["performed_on"].tolist() == ["2026-07-13 00:00:00"]


def test_harvest_projects_without_an_arrow_load(tmp_path):
    """Harvest projects without a separator, decimal commas: loads with the project as system."""
    path = write_csv(tmp_path / "harvest.csv", HARVEST, [
        ["2026-07-01", "Intern", "Xero", "FIN", "Reconciliation", "", "0,25", "0,25", "No",
         "No", "Yes", "Lena", "Vogel", "Finance", "Yes", "0", "0", "50,00", "12,50",
         "Euro - EUR", ""],
    ])
    frame = adapt(ADAPTERS["harvest.time_entries"], path, path.name).tables["tasks"].frame
    assert frame["system"].tolist() == ["Xero"]
    assert frame["target_system"].isna().all()
    assert frame["minutes"].tolist() == [15.0]
    assert frame["person"].tolist() == ["Lena Vogel"]


def shopify_2023(tmp_path: Path, name: str, *, drop: bool = False, empty: bool = False) -> Path:
    rows = list(csv.reader((EXPORTS / "shopify_products_2023.csv").open(encoding="utf-8-sig")))
    at = rows[0].index("Product Category")
    if empty:
        for row in rows[1:]:
            row[at] = ""
    if drop:
        rows = [row[:at] + row[at + 1:] for row in rows]
    return write_csv(tmp_path / name, rows[0], rows[1:])


@pytest.mark.parametrize("drop,empty", [(True, False), (False, True)])
def test_shopify_products_without_product_category(tmp_path, drop, empty):
    """Pre-2023 layout without Product Category, or the column entirely empty: Type still used."""
    path = shopify_2023(tmp_path, "products.csv", drop=drop, empty=empty)
    out = adapt(ADAPTERS["shopify.products"], path, path.name).tables["products"]
    assert out.frame["sku"].tolist()[:2] == ["THR-Q-OAT", "THR-K-OAT"]
    assert out.frame["category"].tolist()[:2] == ["Bedroom", "Bedroom"]
    assert out.frame["category"].isna().tolist() == [False, False, True]  # tea towel: no Type
    assert out.frame["name"].tolist()[2] == "Tea Towel"
    assert out.headers["category"] == "Type"


def test_shopify_products_category_from_the_taxonomy_leaf(tmp_path):
    """With Type empty, the category is the last level of Product Category ('Blankets')."""
    rows = list(csv.reader((EXPORTS / "shopify_products_2023.csv").open(encoding="utf-8-sig")))
    at = rows[0].index("Type")
    for row in rows[1:]:
        row[at] = ""
    path = write_csv(tmp_path / "products.csv", rows[0], rows[1:])
    out = adapt(ADAPTERS["shopify.products"], path, path.name).tables["products"]
    assert out.frame["category"].tolist() == ["Blankets", "Blankets", "Kitchen & Dining"]


def test_product_fields_are_not_carried_into_the_next_product(tmp_path):
    """A product whose first line has no Type does not inherit the previous product's Type."""
    path = write_csv(tmp_path / "products.csv", ["Handle", "Title", "Vendor", "Type",
                                                 "Option1 Name", "Variant SKU", "Variant Price"],
                     [["throw", "Throw", "Fellside", "Bedroom", "Size", "T-Q", "180"],
                      ["throw", "", "", "", "", "T-K", "220"],
                      ["towel", "Towel", "Loom", "", "Title", "TW", "12"],
                      ["mug", "Mug", "", "Kitchen", "Title", "MG", "9"]])
    frame = adapt(ADAPTERS["shopify.products"], path, path.name).tables["products"].frame
    assert frame["category"].tolist()[:2] == ["Bedroom", "Bedroom"]
    assert pd.isna(frame["category"].iloc[2]) and frame["category"].iloc[3] == "Kitchen"
    assert frame["vendor"].tolist()[:3] == ["Fellside", "Fellside", "Loom"]
    assert pd.isna(frame["vendor"].iloc[3])


def export_of(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Export:
    path = write_csv(tmp_path / "toggl.csv", header, rows)
    return read_export(ADAPTERS["toggl.time_entries"], path, path.name)


def test_every_column_an_adapter_reads_is_text(tmp_path):
    """Present, entirely empty, or absent: get and pick give text on which .str works."""
    header = [*TOGGL[:12]]
    export = export_of(tmp_path, header, [["A", "a@x", "", "P", "", "D", "", "2026-07-01",
                                           "09:00", "", "", "1:00"]])
    for series in (export.get("User"), export.get("Client"), export.get("Tags"),
                   export.pick("Amount*", "Nothing")[1]):
        assert isinstance(series.dtype, pd.StringDtype)
        assert len(series.str.lower().str.strip()) == 1
    assert export.get("User").tolist() == ["A"]
    assert export.get("Client").isna().tolist() == [True]
    label, tags = export.pick("Tags")
    assert label is None and tags.isna().tolist() == [True]


def test_split_part_is_text_even_when_no_value_has_the_part():
    """'Gorgias' has no part 1; a column of such values still answers .str."""
    text = pd.Series(["Square POS → Shopify", "Gorgias", None, "  "], dtype="str")
    assert split_part(text, " *→ *", 0, n=1, regex=True).tolist()[:2] == ["Square POS",
                                                                          "Gorgias"]
    assert split_part(text, " *→ *", 1, n=1, regex=True).tolist()[0] == "Shopify"
    none = split_part(pd.Series(["Gorgias", "Xero"], dtype="str"), "→", 1)
    assert none.isna().tolist() == [True, True]
    assert none.str.upper().isna().all()
    leaf = split_part(pd.Series(["A > B > C", "D", None], dtype="str"), ">", -1)
    assert leaf.tolist()[:2] == ["C", "D"] and pd.isna(leaf.iloc[2])
    middle = split_part(pd.Series(["A > B > C", "D"], dtype="str"), ">", -2)
    assert middle.tolist()[0] == "B" and pd.isna(middle.iloc[1])
    assert len(split_part(pd.Series([], dtype="str"), ">", 1)) == 0


def test_helpers_accept_all_missing_columns_of_any_dtype():
    """An all-missing object column (no .str of its own) goes through every text helper."""
    empty = pd.Series([None, None], dtype=object)
    assert isinstance(as_text(empty).dtype, pd.StringDtype)
    assert without_offset(empty).isna().all()
    assert utc_to_local(empty, "America/New_York").isna().all()
    assert duration_minutes(empty).isna().all()
    assert phone(empty).isna().all()
    assert flag(empty, ["yes"]).isna().all()
    assert phone(pd.Series(["+1 (555) 418-2115"], dtype=object)).tolist() == ["+15554182115"]


def crashing(adapter_id: str):
    """The adapter with a convert that has a bug (a KeyError inside opskit)."""
    def convert(export):
        raise KeyError("a column opskit forgot")
    return dataclasses.replace(ADAPTERS[adapter_id], convert=convert)


def test_a_crash_in_an_adapter_is_not_blamed_on_the_file(tmp_path):
    """A bug in convert propagates as itself, not as an UnreadableFileError about the export."""
    path = EXPORTS / "toggl_detailed.csv"
    with pytest.raises(KeyError, match="a column opskit forgot"):
        adapt(crashing("toggl.time_entries"), path, path.name)


def test_an_adapter_crash_exits_3_named_as_a_bug(tmp_path, monkeypatch, capsys):
    """`opskit inspect` on a file whose adapter crashes: exit 3, the bug named, no export blame."""
    path = tmp_path / "toggl_detailed.csv"
    path.write_bytes((EXPORTS / "toggl_detailed.csv").read_bytes())
    monkeypatch.setitem(ADAPTERS, "toggl.time_entries", crashing("toggl.time_entries"))
    monkeypatch.delenv("OPSKIT_DEBUG", raising=False)
    assert main(["inspect", str(path)]) == 3
    err = capsys.readouterr().err
    assert "OPSKIT_DEBUG=1" in err
    assert "export the file again" not in err and "Traceback" not in err


def test_a_refusal_stays_an_error_about_the_file(tmp_path, capsys):
    """A file without the adapter's required columns is still the client's file: exit 2."""
    path = write_csv(tmp_path / "toggl.csv", ["User", "Email"], [["A", "a@x"]])
    with pytest.raises(UnreadableFileError) as caught:
        adapt(ADAPTERS["toggl.time_entries"], path, path.name)
    assert caught.value.column == "Project"
    assert isinstance(caught.value, OpskitError)


def test_a_files_head_is_read_once(tmp_path, monkeypatch):
    """Detection, the grid and the adapter share one read of a report's bytes."""
    path = tmp_path / "qbo_general_ledger.csv"
    path.write_bytes((EXPORTS / "qbo_general_ledger.csv").read_bytes())
    calls: list[int] = []
    real = readers.read_head

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(readers, "read_head", counting)
    monkeypatch.setattr(grid, "read_head", counting)
    found = sniff(path)
    best = detect_sniff(found)[0]
    adapted = adapt(best.adapter, path, path.name)
    sniff(path)
    assert best.id == "quickbooks.general_ledger"
    assert adapted.tables["gl_entries"].rows_read == 8
    assert len(calls) == 1


def test_one_delimiter_rule_for_every_reader(tmp_path):
    """A semicolon file with decimal commas: the header decides, for grid and CSV reader alike."""
    path = tmp_path / "semi.csv"
    path.write_text("a;b;c\nx;1,5,6;2,5\n", encoding="utf-8")
    rows, _ = grid.read_grid(path, path.name)
    assert rows == [["a", "b", "c"], ["x", "1,5,6", "2,5"]]
    assert readers.read_file(path, text_columns={"a", "b", "c"}).frame["b"].tolist() == ["1,5,6"]
    title = tmp_path / "title.csv"
    title.write_text("Report\n\nDate\tAmount\n2026-07-01\t5\n", encoding="utf-8")
    assert grid.read_grid(title, title.name)[0][2] == ["Date", "Amount"]
    comma_title = tmp_path / "comma_title.csv"
    comma_title.write_text("Cedar & Finch, Inc.\nDate\tAmount\n2026-07-01\t5\n2026-07-02\t6\n",
                           encoding="utf-8")
    assert grid.read_grid(comma_title, comma_title.name)[0][1:] == [
        ["Date", "Amount"], ["2026-07-01", "5"], ["2026-07-02", "6"]]
