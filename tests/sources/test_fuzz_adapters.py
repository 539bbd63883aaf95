"""Fuzzing every adapter: shuffled, renamed headers and odd values never escape as a traceback.

For each adapter, hypothesis writes exports shaped like it (its own header names, shuffled,
re-cased, padded, some dropped, plus strangers) with random values, and loads them through an
engagement that maps the file to that adapter, then through `opskit validate`. Only
OpskitError may escape; the CLI answers 0, 1 or 2, and 2 always with an error message.
`make fuzz` runs 1,000 examples per adapter; `make test` a handful.
"""

from __future__ import annotations

import csv
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_loader import only_opskit_errors

from opskit.sources.adapters import ADAPTERS

EXAMPLES = 1000 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 6
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
