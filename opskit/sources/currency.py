"""Rows in another currency: converted at the consultant's rate, or set aside with the reason.

A Salesforce org that sells in MXN, COP, PEN and USD exports every amount in its own row's
currency (``CurrencyIsoCode``); summing them as one number is meaningless. This step runs
once per table, after validation, on the tables that carry a ``currency`` column: a row in the
engagement's currency (or with an empty cell, which means the engagement's currency) is kept
as it is; a row in another currency is converted, every money column of the row, with the
rate given under ``fx:`` in engagement.yaml; any other row is set aside with its reason
(``no_fx_rate``, ``unknown_currency``), so rows read = rows used + rows set aside still holds
and nothing is summed silently. The conversions are recorded in the table's quality (rows and
rate per currency), which the report's data-quality section prints.

Order lines and returns carry no currency of their own: their amounts are in their order's
currency, so the orders load first and each line or return follows its order (converted at
the same rate, or set aside for the same reason). Shipments are left as they are: a label's
cost is in the carrier account's currency, which the order does not tell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opskit.errors import shorten
from opskit.money import ISO_4217, decimals, suggest
from opskit.sources.parse import STR_DTYPE, arrow_strings
from opskit.tables import Table

COLUMN = "currency"
FAILURE_COLUMNS = ["table", "file", "column", "row", "value", "rule", "action", "message"]
#: Tables without a currency column whose amounts are in the currency of their order.
LINKED = {"order_lines": "orders", "returns": "orders"}
LINK_KEY = "order_id"


def load_order(tables: Iterable[str]) -> list[str]:
    """The order to load tables in: a parent (orders) before the tables that follow it."""
    names = list(tables)
    parents = set(LINKED.values())
    return [t for t in names if t in parents] + [t for t in names if t not in parents]


def linked_codes(table: str, loaded: Mapping[str, Any]) -> Mapping[str, str] | None:
    """For order_lines and returns: order_id -> the order's currency, where it is not the
    engagement's (None when the table follows no loaded parent)."""
    parent = loaded.get(LINKED.get(table, ""))
    return getattr(parent, "currencies", None) if parent is not None else None


@dataclass(frozen=True)
class Conversion:
    """What the currency step did to one table."""

    failures: pd.DataFrame  # rows set aside: file, column, row, value, rule, message
    converted: dict[str, dict[str, float]]  # code -> {"rate": rate, "rows": n}
    foreign: dict[str, str]  # orders only: order_id -> its currency, where not the engagement's


def money_columns(spec: Table, frame: pd.DataFrame) -> list[str]:
    """The table's columns of kind money that the frame holds: what a rate converts."""
    return [c.name for c in spec.columns if c.kind == "money" and c.name in frame.columns]


def convert_currencies(spec: Table, frame: pd.DataFrame, set_aside: np.ndarray,
                       files: np.ndarray, rows: np.ndarray, headers: Mapping[str, str],
                       currency: str, fx: Mapping[str, float],
                       linked: Mapping[str, str] | None = None) -> Conversion:
    """Convert or set aside the rows of ``frame`` whose currency is not ``currency``.

    A row's currency is its ``currency`` cell or, for a table without one (order lines,
    returns), its order's currency from ``linked`` (order_id -> code). ``frame`` and
    ``set_aside`` are changed in place (amounts converted, the currency cell set to the
    engagement's code; rows without a rate marked set aside), as the loader's validation step
    does.
    """
    nothing = Conversion(pd.DataFrame(columns=FAILURE_COLUMNS), {}, {})
    if not len(frame):
        return nothing
    via_order = COLUMN not in frame.columns
    if not via_order:
        codes = _Codes(frame[COLUMN], None, currency)
    elif linked and LINK_KEY in frame.columns:
        codes = _Codes(frame[LINK_KEY], dict(linked), currency)
    else:
        return nothing
    live = ~set_aside
    places = decimals(currency)
    amounts = money_columns(spec, frame)
    converted: dict[str, dict[str, float]] = {}
    records: list[pd.DataFrame] = []
    label = headers.get(LINK_KEY, LINK_KEY) if via_order else headers.get(COLUMN, COLUMN)
    of_order = " (the currency of its order)" if via_order else ""
    # Only the rows in another currency are looked at one by one: usually none or a few.
    other = np.flatnonzero(codes.other)
    other_codes = codes.at(other)
    other_live = live[other]
    for code in sorted(set(other_codes[other_live])):
        pos = other[other_live & (other_codes == code)]
        if code in fx:
            rate = float(fx[code])
            for column in amounts:
                values = pd.to_numeric(frame[column], errors="coerce").to_numpy(
                    dtype=float, copy=True)
                values[pos] = np.round(values[pos] * rate, places)
                frame[column] = values
            converted[code] = {"rate": rate, "rows": len(pos)}
            continue
        set_aside[pos] = True
        raw = codes.raw_at(pos)
        if code in ISO_4217:
            rule = "no_fx_rate"
            message = (f"expected an amount in {currency} or a rate for {code} under fx: in "
                       f"engagement.yaml, got {code}{of_order}")
        else:
            rule = "unknown_currency"
            close = suggest(code, fuzzy=False)
            message = (f"expected an ISO 4217 currency code ({currency}, or a code with a "
                       f"rate under fx: in engagement.yaml), got {shorten(raw.iloc[0])}"
                       + (f" (did you mean {close}?)" if close else "") + of_order)
        records.append(pd.DataFrame({
            "table": spec.name, "file": files[pos], "column": label, "row": rows[pos],
            "value": raw.astype(str).to_numpy(), "rule": rule,
            "action": "set aside", "message": message}))
    foreign: dict[str, str] = {}
    if not via_order:
        if spec.name in LINKED.values():  # orders: what their lines and returns follow
            keys = frame[LINK_KEY].iloc[other].astype("string").to_numpy()
            foreign = dict(zip(keys[::-1], other_codes[::-1], strict=True))
        # Converted and kept rows are now in the engagement's currency.
        frame[COLUMN] = codes.column(set_aside, frame[COLUMN].dtype)
    failures = (pd.concat(records, ignore_index=True) if records
                else pd.DataFrame(columns=FAILURE_COLUMNS))
    return Conversion(failures, converted, foreign)


class _Codes:
    """Each row's currency code, upper-cased, an empty cell read as the engagement's.

    ``source`` is the currency column, or the order_id column with ``lookup`` (order_id ->
    its order's code). Worked out in Arrow on the text columns the loader produces, where
    a million rows take a few passes and no Python object per row; in pandas otherwise.
    """

    def __init__(self, source: pd.Series, lookup: dict[str, str] | None, currency: str
                 ) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.source, self.lookup, self.currency = source, lookup, currency
        strings = arrow_strings(source)
        if lookup is not None and not all(
                isinstance(k, str) and isinstance(v, str) for k, v in lookup.items()):
            strings = None  # a missing order_id among the keys: as pandas maps it
        self.arrow = None
        if strings is not None:
            if lookup is not None:
                found = pc.index_in(strings, value_set=pa.array(list(lookup), type=strings.type))
                strings = pc.take(pa.array(list(lookup.values()), type=strings.type), found)
            codes = pc.fill_null(pc.utf8_upper(pc.utf8_trim_whitespace(strings)), "")
            self.arrow = pc.if_else(pc.equal(codes, ""), pa.scalar(currency, codes.type), codes)
            self.other = np.asarray(pc.not_equal(self.arrow, currency).to_numpy(
                zero_copy_only=False), dtype=bool)
        else:
            codes = self.raw_at(slice(None)).str.strip().str.upper().fillna("")
            self.series = codes.where(codes != "", currency)
            self.other = (self.series != currency).to_numpy()

    def raw_at(self, pos) -> pd.Series:
        """The cells (or their order's code) at positions ``pos`` as they were written."""
        raw = self.source.iloc[pos].astype("string")
        return raw if self.lookup is None else raw.map(self.lookup).astype("string")

    def at(self, pos: np.ndarray) -> np.ndarray:
        """The codes at positions ``pos``, as Python strings."""
        if self.arrow is None:
            return self.series.to_numpy()[pos]
        return np.array(self.arrow.take(pos).to_pylist(), dtype=object)

    def column(self, set_aside: np.ndarray, dtype) -> pd.Series:
        """The currency column once converted: the engagement's code on every row kept, the
        row's own code on a row set aside."""
        if self.arrow is not None and isinstance(dtype, pd.StringDtype) and dtype == STR_DTYPE:
            import pyarrow as pa
            import pyarrow.compute as pc

            kept = pc.if_else(pa.array(set_aside), self.arrow,
                              pa.scalar(self.currency, self.arrow.type))
            return pd.Series(pd.arrays.ArrowStringArray(kept, dtype=dtype),
                             index=self.source.index, copy=False)
        codes = self.at(np.arange(len(self.source)))
        codes[~set_aside] = self.currency
        return pd.Series(codes, index=self.source.index).astype(dtype)


def describe(converted: Mapping[str, Mapping[str, float]], currency: str) -> str:
    """Conversions in words: '3 rows MXN at 0.055 USD each; 1 row EUR at 1.08 USD each'."""
    return "; ".join(
        f"{int(c['rows']):,} row{'' if c['rows'] == 1 else 's'} {code} at {c['rate']:g} "
        f"{currency} each" for code, c in sorted(converted.items()))
