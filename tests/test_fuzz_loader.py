"""Fuzzing the loader: whatever bytes a client sends, only OpskitError escapes.

Random bytes, random CSV shapes, shuffled and renamed headers, huge and tiny values and odd
unicode go through Engagement.load and `opskit validate`. The default profile runs a few
dozen examples per target; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs 1,000 each.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from opskit.cli import main
from opskit.engagement import Engagement
from opskit.errors import OpskitError
from opskit.tables import TABLES

NAMES = sorted(TABLES)
ODD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES = st.one_of(
    ODD_TEXT, st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "NaN", "-0", "1e308", "1e-320", "$1,234.56", "(5)", "2026-02-30",
                     "13/45/2026", "yes", "﻿", "\x00", "=cmd|' /C calc'!A0", "‮abc"]),
)


def folder_with(tmp: Path, table: str, name: str, content: bytes) -> Path:
    folder = tmp / "engagement"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text(f"client: Fuzz\nfiles:\n  {table}: data/{name}\n")
    (folder / "data" / name).write_bytes(content)
    return folder


def only_opskit_errors(folder: Path, capsys) -> None:
    """Load ``folder`` and run `opskit validate` on it: a load or a clear error (exit 2 with
    its message), never anything else. Shared with the adapter fuzzer."""
    with contextlib.suppress(OpskitError):  # a clear error is a fine answer
        Engagement.load(folder, strict=False)
    code = main(["validate", str(folder)])
    out = capsys.readouterr()
    assert code in (0, 1, 2)
    assert "Traceback" not in out.out + out.err
    if code == 2:
        assert "error:" in out.err


@given(table=st.sampled_from(NAMES), content=st.binary(max_size=2000),
       suffix=st.sampled_from(["csv", "csv.gz", "xlsx", "parquet", "tsv"]))
def test_random_bytes(tmp_path_factory, capsys, table, content, suffix):
    """Random bytes under any supported extension: a clear error or a load, nothing else."""
    tmp = tmp_path_factory.mktemp("fuzz")
    only_opskit_errors(folder_with(tmp, table, f"{table}.{suffix}", content), capsys)


@st.composite
def csv_files(draw):
    table = draw(st.sampled_from(NAMES))
    columns = [c.name for c in TABLES[table].columns]
    header = draw(st.permutations(columns))
    header = header[: draw(st.integers(1, len(header)))]
    renamed = [draw(st.sampled_from([h, h.upper(), f" {h} ", h.replace("_", " "),
                                     h + "_x", "", f"[/{h}]"])) for h in header]
    rows = draw(st.lists(st.lists(VALUES, min_size=0, max_size=len(header) + 2),
                         max_size=12))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(renamed)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return table, buffer.getvalue().encode(encoding, errors="replace")


@given(case=csv_files())
def test_random_csv_shapes(tmp_path_factory, capsys, case):
    """Shuffled, renamed, ragged headers and rows of odd values: a load or a clear error."""
    table, content = case
    tmp = tmp_path_factory.mktemp("fuzz")
    only_opskit_errors(folder_with(tmp, table, f"{table}.csv", content), capsys)


@given(text=st.text(max_size=400))
def test_random_engagement_yaml(tmp_path_factory, capsys, text):
    """Any engagement.yaml text gives a load or a ConfigError, never a traceback."""
    folder = tmp_path_factory.mktemp("fuzz") / "engagement"
    folder.mkdir()
    (folder / "engagement.yaml").write_text(text, encoding="utf-8")
    only_opskit_errors(folder, capsys)
