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
        raw = frame[COLUMN].astype("string")
    elif linked and LINK_KEY in frame.columns:
        raw = frame[LINK_KEY].astype("string").map(dict(linked)).astype("string")
    else:
        return nothing
    codes = raw.str.strip().str.upper().fillna("")
    codes = codes.where(codes != "", currency)
    live = ~set_aside
    places = decimals(currency)
    amounts = money_columns(spec, frame)
    converted: dict[str, dict[str, float]] = {}
    records: list[pd.DataFrame] = []
    label = headers.get(LINK_KEY, LINK_KEY) if via_order else headers.get(COLUMN, COLUMN)
    of_order = " (the currency of its order)" if via_order else ""
    for code in sorted(set(codes[live & (codes != currency).to_numpy()])):
        mask = live & (codes == code).to_numpy()
        pos = np.flatnonzero(mask)
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
        if code in ISO_4217:
            rule = "no_fx_rate"
            message = (f"expected an amount in {currency} or a rate for {code} under fx: in "
                       f"engagement.yaml, got {code}{of_order}")
        else:
            rule = "unknown_currency"
            close = suggest(code, fuzzy=False)
            message = (f"expected an ISO 4217 currency code ({currency}, or a code with a "
                       f"rate under fx: in engagement.yaml), got {shorten(raw.iloc[pos[0]])}"
                       + (f" (did you mean {close}?)" if close else "") + of_order)
        records.append(pd.DataFrame({
            "table": spec.name, "file": files[pos], "column": label, "row": rows[pos],
            "value": raw.iloc[pos].astype(str).to_numpy(), "rule": rule,
            "action": "set aside", "message": message}))
    foreign: dict[str, str] = {}
    if not via_order:
        if spec.name in LINKED.values():  # orders: what their lines and returns follow
            other = (codes != currency).to_numpy()
            keys = frame[LINK_KEY].astype("string").to_numpy()[other]
            foreign = dict(zip(keys[::-1], codes.to_numpy()[other][::-1], strict=True))
        kept = codes.to_numpy(dtype=object)
        kept[~set_aside] = currency  # converted and kept rows are now in the engagement's
        frame[COLUMN] = pd.Series(kept, index=frame.index).astype(frame[COLUMN].dtype)
    failures = (pd.concat(records, ignore_index=True) if records
                else pd.DataFrame(columns=FAILURE_COLUMNS))
    return Conversion(failures, converted, foreign)


def describe(converted: Mapping[str, Mapping[str, float]], currency: str) -> str:
    """Conversions in words: '3 rows MXN at 0.055 USD each; 1 row EUR at 1.08 USD each'."""
    return "; ".join(
        f"{int(c['rows']):,} row{'' if c['rows'] == 1 else 's'} {code} at {c['rate']:g} "
        f"{currency} each" for code, c in sorted(converted.items()))
