"""Small measuring helpers shared by the checks: windows, revenue, money, business time.

Checks are pure pandas over validated tables; what more than one check computes (line
revenue, the hourly cost of staff, business hours between two timestamps, a verdict from a
value and two thresholds) is written once here so every check computes it the same way.

What several checks derive from the same large tables (the period's orders and lines, first
shipments, integer codes of the order ids) is also computed once per ``CheckData``
(``memoized``): a full diagnostic at scale reads each large table a handful of times, not
once per check. Ids are strings; joining and grouping on them hashes every string again, so
the hot paths join on integer codes (``key_codes``) that stand for the ids one to one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from opskit.findings import Metric, Status
from opskit.money import money
from opskit.registry import CheckData

T = TypeVar("T")
#: Tables whose order ids ``key_codes`` encodes (order events: only the manual ones).
ORDER_TABLES = ("orders", "order_lines", "shipments")

DAYS_PER_MONTH = 365.25 / 12


def judge(value: float | None, warn: float, fail: float, *,
          higher_is_worse: bool = True) -> Status:
    """PASS / WARN / FAIL from a value: WARN at or past ``warn``, FAIL at or past ``fail``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return Status.PASS
    if higher_is_worse:
        return Status.FAIL if value >= fail else Status.WARN if value >= warn else Status.PASS
    return Status.FAIL if value < fail else Status.WARN if value < warn else Status.PASS


def worst(*statuses: Status) -> Status:
    """The more severe of several verdicts."""
    order = [Status.FAIL, Status.WARN, Status.PASS]
    return min(statuses, key=order.index)


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 when there is nothing to divide by."""
    return float(numerator) / float(denominator) if denominator else 0.0


def share(value: float, label: str = "") -> Metric:
    return Metric(float(value), "share", label)


def in_period(frame: pd.DataFrame, column: str, data: CheckData) -> pd.DataFrame:
    """Rows whose ``column`` falls inside the engagement period.

    For a table of the engagement itself (the shipments of the period, read by several
    checks) the rows are taken once per data.
    """
    def compute() -> pd.DataFrame:
        return frame[data.period.contains(frame[column])]

    for name, table in data.tables.items():
        if table is frame:
            return memoized(data, f"in_period:{name}.{column}", [frame], compute)
    return compute()


def months(data: CheckData) -> float:
    """Length of the period in months (for 'per month' metrics)."""
    return data.period.days / DAYS_PER_MONTH


def annual(data: CheckData, value: float) -> float:
    """A value measured over the period, scaled to a year (value × 365 / days)."""
    return data.period.annualize(value)


def month_labels(ts: pd.Series) -> pd.Series:
    """``ts.dt.strftime("%Y-%m")``: the same strings, dtype, index and name, formatting each
    distinct month once instead of every timestamp."""
    if not len(ts) or not np.issubdtype(ts.dtype, np.datetime64):
        return ts.dt.strftime("%Y-%m")
    months = ts.to_numpy().astype("datetime64[M]")
    _, first, inverse = np.unique(months, return_index=True, return_inverse=True)
    return ts.iloc[first].dt.strftime("%Y-%m").take(inverse).set_axis(ts.index)


def line_revenue(lines: pd.DataFrame) -> pd.Series:
    """quantity × unit_price − line_discount (a missing discount counts as zero)."""
    revenue = lines["quantity"] * lines["unit_price"]
    if "line_discount" in lines:
        revenue = revenue - lines["line_discount"].fillna(0.0)
    return revenue


# -- computed once per CheckData -----------------------------------------------------------

def memoized(data: CheckData, name: str, depends: Sequence[Any], compute: Callable[[], T]
             ) -> T:
    """``compute()``, computed once per ``data`` and reused while ``depends`` are unchanged.

    ``depends`` are the objects the value is derived from (tables, parameters); an entry is
    reused only when every one of them is the very same object (or an equal number), so a
    table swapped in ``data.tables`` is never answered from an older computation. Frames are
    handed out as shallow copies: with copy-on-write, a caller that edits its copy never
    edits the cached frame.
    """
    depends = tuple(depends)
    hit = data.memo.get(name)
    if hit is None or len(hit[0]) != len(depends) or not all(
            a is b or (isinstance(a, int | float | str) and a == b)
            for a, b in zip(hit[0], depends, strict=True)):
        hit = (depends, compute())
        data.memo[name] = hit
    value = hit[1]
    return value.copy(deep=False) if isinstance(value, pd.DataFrame | pd.Series) else value


def factorize_together(columns: Sequence[pd.Series]
                       ) -> tuple[list[np.ndarray], pa.Array | np.ndarray]:
    """Integer codes of several columns in one shared space, one array per column, and the
    distinct values (value of code i at position i).

    Equal values get equal codes across all the columns, a missing value is -1. Arrow-backed
    string columns are encoded in one pass of pyarrow's hash table (the cost of hashing every
    string once); anything else goes through ``pd.factorize``.
    """
    if not columns:
        return [], np.array([], dtype=object)
    lengths = [len(column) for column in columns]
    codes, uniques = None, None
    if all(isinstance(c.array, pd.arrays.ArrowStringArray) for c in columns):
        chunks = [chunk.cast(pa.large_string()) for c in columns
                  for chunk in c.array.__arrow_array__().chunks if len(chunk)]
        if chunks:
            # one array, so one dictionary: the codes are comparable by construction (per
            # chunk, each chunk's dictionary would have to be checked against the last one)
            encoded = pa.concat_arrays(chunks).dictionary_encode()
            uniques = encoded.dictionary
            codes = pc.fill_null(encoded.indices, -1).to_numpy(
                zero_copy_only=False).astype(np.int64)
    if codes is None:
        codes, uniques = pd.factorize(pd.concat([c.astype(object) for c in columns],
                                                ignore_index=True))
        codes, uniques = codes.astype(np.int64), np.asarray(uniques, dtype=object)
    return np.split(codes, np.cumsum(lengths)[:-1]), uniques


def order_tables(data: CheckData) -> list[Any]:
    """The tables the order-id codes are computed from (what memoized entries depend on)."""
    return [data.get(t) for t in (*ORDER_TABLES, "order_events")]


def manual_event_rows(data: CheckData) -> np.ndarray | None:
    """Positions of the order events marked manual (an empty mark is not manual), or None.

    Few events are manual, so only their order ids are encoded (``key_codes``).
    """
    events = data.get("order_events")
    if events is None or "manual" not in events or "order_id" not in events:
        return None
    def compute() -> np.ndarray:
        rows = np.flatnonzero(events["manual"].eq(True).fillna(False).astype(bool).to_numpy())
        rows.flags.writeable = False
        return rows

    return memoized(data, "manual_event_rows", [events], compute)


def key_codes(data: CheckData) -> dict[str, np.ndarray]:
    """Integer codes of the order ids of each order table, in one shared space.

    Keys are the ``ORDER_TABLES`` that have an order_id column, and "manual_events" for the
    order events at ``manual_event_rows`` (in that order). Two rows of any of them carry
    the same code exactly when they carry the same order id; a missing id is -1. Joining,
    grouping and de-duplicating on the codes gives the same rows as on the strings,
    without hashing the strings again.
    """
    return _order_encoding(data)[0]


def _order_encoding(data: CheckData) -> tuple[dict[str, np.ndarray], pa.Array | np.ndarray]:
    """``key_codes`` and the order id of each code."""
    def encode() -> tuple[dict[str, np.ndarray], pa.Array | np.ndarray]:
        # the columns only when encoding: taking the manual events' ids on every call,
        # memo hit or not, cost 0.17 s of a diagnosis at 6.5M rows
        frames = [data.get(t) for t in ORDER_TABLES]
        columns = {t: f["order_id"] for t, f in zip(ORDER_TABLES, frames, strict=True)
                   if f is not None and "order_id" in f}
        manual = manual_event_rows(data)
        if manual is not None:
            columns["manual_events"] = data["order_events"]["order_id"].take(manual)
        codes, uniques = factorize_together(list(columns.values()))
        for array in codes:
            array.flags.writeable = False
        return dict(zip(columns, codes, strict=True)), uniques

    return memoized(data, "order_codes", order_tables(data), encode)


def sortable_codes(data: CheckData, codes: np.ndarray) -> np.ndarray:
    """Labels for order-id ``codes`` that sort as the ids do (a missing id: NaN).

    Grouping by these labels gives exactly the groups, the group order and the row-to-group
    numbering of grouping by the id strings. That numbering is what pandas picks its
    summation kernel from (a sequential sum when it is sorted, a compensated one
    otherwise), so sums grouped this way match the string grouping to the last bit.
    """
    def compute() -> np.ndarray:
        uniques = _order_encoding(data)[1]
        if isinstance(uniques, pa.Array):
            order = pc.sort_indices(uniques).to_numpy()
        else:
            order = np.argsort(uniques, kind="stable")
        ranks = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: missing id
        ranks[order] = np.arange(len(order))
        ranks.flags.writeable = False
        return ranks

    ranks = memoized(data, "order_ranks", order_tables(data), compute)[codes]
    return ranks if not (ranks < 0).any() else np.where(ranks < 0, np.nan, ranks)


def order_positions(data: CheckData) -> np.ndarray | None:
    """Row position in ``orders`` for every order-id code (-1: no such order), or None.

    None when an order id is missing or repeated in ``orders``, or the tables type their ids
    differently: then a join on the ids can repeat rows (or refuse to join) in ways a
    position lookup does not, and callers use a plain merge.
    """
    def compute() -> np.ndarray | None:
        codes = key_codes(data)
        ids = codes.get("orders")
        dtypes = {data[t]["order_id"].dtype
                  for t in (*ORDER_TABLES, "order_events") if t in codes or (
                      t == "order_events" and "manual_events" in codes)}
        if ids is None or len(dtypes) > 1:
            return None
        size = code_space(codes)
        if (ids < 0).any() or np.bincount(ids, minlength=size).max(initial=0) > 1:
            return None
        positions = np.full(size + 1, -1, dtype=np.int64)  # last slot: code -1
        positions[ids] = np.arange(len(ids))
        positions.flags.writeable = False
        return positions

    return memoized(data, "order_positions", order_tables(data), compute)


def code_space(codes: dict[str, np.ndarray]) -> int:
    """How many distinct codes ``codes`` use (codes run from 0 to this, exclusive)."""
    return max((int(c.max()) + 1 for c in codes.values() if len(c)), default=0)


def code_table(codes: dict[str, np.ndarray], *members: np.ndarray) -> np.ndarray:
    """A boolean lookup over the code space of ``codes``: True at every code in ``members``.

    Index it with codes (``table[codes]``). Its last slot stands for a missing id (-1), so a
    missing id is a member exactly when ``members`` hold one, as ``isin`` treats NaN.
    """
    table = np.zeros(code_space(codes) + 1, dtype=bool)
    for member in members:
        table[member] = True
    return table


def merge_coded(left: pd.DataFrame, left_codes: np.ndarray, right: pd.DataFrame,
                right_codes: np.ndarray, on: str = "order_id", how: str = "inner",
                suffixes: tuple[str, str] = ("_x", "_y")
                ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """``left.merge(right, on=on, how=how, suffixes=suffixes)`` joined on integer codes.

    ``left_codes`` / ``right_codes`` are the codes of ``on`` row by row (``key_codes``):
    the same rows, order and columns as the merge on the ids, without hashing the strings
    again. Also returns the codes of the result's rows (None when the ids are typed
    differently on the two sides and the plain merge ran instead).
    """
    if left[on].dtype != right[on].dtype:
        return left.merge(right, on=on, how=how, suffixes=suffixes), None
    key = "_opskit_code"
    merged = left.assign(**{key: left_codes}).merge(
        right.drop(columns=on).assign(**{key: right_codes}), on=key, how=how,
        suffixes=suffixes)
    codes = merged[key].to_numpy(copy=True)
    codes.flags.writeable = False
    return merged.drop(columns=key), codes


def isin(values: pd.Series, candidates: pd.Series | pd.Index) -> pd.Series:
    """``values.isin(candidates)``, without pandas' per-value loop over string candidates.

    For arrow-backed strings on both sides the membership test runs in pyarrow (a missing
    value is in ``candidates`` when they hold a missing value, as in pandas).
    """
    if not (isinstance(values.array, pd.arrays.ArrowStringArray)
            and isinstance(getattr(candidates, "array", None), pd.arrays.ArrowStringArray)):
        return values.isin(candidates)
    if not len(candidates):
        return pd.Series(False, index=values.index, name=values.name)
    value_set = candidates.array.__arrow_array__().combine_chunks().cast(pa.large_string())
    tested = values.array.__arrow_array__().cast(pa.large_string())
    if len(value_set) > 8 * len(values):
        # many candidates, few values: keep the candidates that are among the values (a
        # probe of a small hash table), so the big side is never hashed into a table
        distinct = pc.unique(tested)
        value_set = pc.unique(value_set.filter(pc.is_in(value_set, value_set=distinct)))
    found = pc.is_in(tested, value_set=value_set)
    return pd.Series(np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool),
                     index=values.index, name=values.name)


# -- population: which orders are live ------------------------------------------------------

#: Order statuses (as parsed: lower case, spaces as '_') that are not live orders, by class.
#: Cancelled, fully refunded, test and draft orders never shipped or never kept their
#: revenue: fulfillment, margin and reconciliation checks leave them out (CATALOG.md,
#: "Population") and say how many they left out. A partial refund stays live.
NOT_LIVE_STATUSES: dict[str, str] = {
    **dict.fromkeys(("cancelled", "canceled", "cancel", "void", "voided", "declined",
                     "failed", "abandoned", "deleted", "rejected", "trash"), "cancelled"),
    **dict.fromkeys(("refunded", "fully_refunded", "refund", "returned", "returned_in_full"),
                    "refunded"),
    **dict.fromkeys(("test", "test_order"), "test"),
    **dict.fromkeys(("draft", "open_draft", "draft_order", "quote"), "draft"),
}


def status_class(status: pd.Series) -> pd.Series:
    """Per order: 'live', or why it is not ('cancelled', 'refunded', 'test', 'draft').

    Statuses are matched after removing a vendor prefix ('wc-cancelled') and the word
    'order' ('Cancelled order'); an unknown or missing status is live.
    """
    codes, classes = _status_classes(status)
    return pd.Series(classes[codes], index=status.index, name=status.name).astype("str")


def _status_classes(status: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``status_class`` as codes, one per row, and the class of each code (the last code,
    -1, is a missing status: live)."""
    # An export holds a handful of distinct statuses over millions of rows: each distinct
    # one is classified once, and the rows take their class by code.
    codes, distinct = pd.factorize(status, use_na_sentinel=True)
    words = (pd.Series(distinct, dtype="object").astype("str").str.lower()
             .str.replace(r"^wc[-_]", "", regex=True)
             .str.replace(r"[\s\-]+", "_", regex=True).str.replace(r"_?order_?", "", regex=True)
             .str.strip("_"))
    classes = np.append(words.map(NOT_LIVE_STATUSES).fillna("live").to_numpy(dtype=object),
                        "live")
    return codes, classes


def live_order_rows(data: CheckData) -> np.ndarray:
    """Per row of ``orders``: True when the order is live (see ``status_class``)."""
    def compute() -> np.ndarray:
        orders = data["orders"]
        if "status" not in orders or not orders["status"].notna().any():
            live = np.ones(len(orders), dtype=bool)
        else:
            codes, classes = _status_classes(orders["status"])
            live = (classes == "live")[codes]
        live.flags.writeable = False
        return live

    return memoized(data, "live_order_rows", [data.get("orders")], compute)


def _period_live_rows(data: CheckData) -> np.ndarray:
    """Per row of ``orders``: placed inside the period and live."""
    def compute() -> np.ndarray:
        rows = _placed_in_period(data) & live_order_rows(data)
        rows.flags.writeable = False
        return rows

    return memoized(data, "period_live_rows", [data.get("orders")], compute)


def _placed_in_period(data: CheckData) -> np.ndarray:
    """Per row of ``orders``: placed inside the period."""
    def compute() -> np.ndarray:
        rows = data.period.contains(data["orders"]["ordered_at"]).to_numpy(dtype=bool)
        rows.flags.writeable = False
        return rows

    return memoized(data, "placed_in_period", [data.get("orders")], compute)


def excluded_orders(data: CheckData) -> dict[str, int]:
    """Orders of the period left out of the live population, by class ({'cancelled': 14})."""
    def compute() -> dict[str, int]:
        orders = data["orders"]
        if "status" not in orders:
            return {}
        inside = _placed_in_period(data)
        codes, classes = _status_classes(orders.loc[inside, "status"])
        codes = codes[(classes != "live")[codes]]  # the few rows left out, as before
        counts = pd.Series(classes[codes], dtype="str").value_counts()
        return {str(k): int(v) for k, v in counts.items()}

    return memoized(data, "excluded_orders", [data.get("orders")], compute)


def population_words(data: CheckData) -> str:
    """The exclusions in words for a finding ('14 cancelled and 3 test orders left out'),
    or '' when every order of the period is live."""
    excluded = excluded_orders(data)
    if not excluded:
        return ""
    parts = [f"{n:,} {kind}" for kind, n in sorted(excluded.items())]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{text} order{'s' if sum(excluded.values()) > 1 else ''} left out (not live)"


def period_orders(data: CheckData) -> pd.DataFrame:
    """Live orders placed inside the period (cancelled, refunded, test, draft left out)."""
    return memoized(data, "period_orders", [data.get("orders")],
                    lambda: data["orders"][_period_live_rows(data)])


def period_order_codes(data: CheckData) -> np.ndarray:
    """The order-id codes of ``period_orders(data)``, row by row."""
    def compute() -> np.ndarray:
        inside = _period_live_rows(data)
        codes = key_codes(data)["orders"][inside]
        codes.flags.writeable = False
        return codes

    return memoized(data, "period_order_codes", order_tables(data), compute)


def period_order_mask(data: CheckData) -> np.ndarray | None:
    """Per order-id code: True when that order is live and was placed in the period (None:
    see ``order_positions``). The last slot stands for a missing id and is False."""
    def compute() -> np.ndarray | None:
        positions = order_positions(data)
        if positions is None:
            return None
        inside = _period_live_rows(data)
        mask = np.zeros(len(positions), dtype=bool)
        mask[key_codes(data)["orders"][inside]] = True
        mask.flags.writeable = False
        return mask

    return memoized(data, "period_order_mask", order_tables(data), compute)


def period_lines(data: CheckData) -> pd.DataFrame:
    """Order lines of the live orders placed inside the period, with their line revenue."""
    def compute() -> pd.DataFrame:
        mask = period_order_mask(data)
        codes = key_codes(data).get("order_lines")
        if mask is None or codes is None:
            orders = period_orders(data)[["order_id"]]
            lines = data["order_lines"].merge(orders, on="order_id", how="inner")
        else:
            lines = data["order_lines"][mask[codes]].reset_index(drop=True)
            lines.attrs = {}  # as a merge leaves them
        return lines.assign(revenue=line_revenue(lines))

    return memoized(data, "period_lines", order_tables(data), compute)


def period_line_codes(data: CheckData) -> np.ndarray | None:
    """The order-id codes of ``period_lines(data)``, row by row (None when it merged)."""
    def compute() -> np.ndarray | None:
        mask = period_order_mask(data)
        codes = key_codes(data).get("order_lines")
        if mask is None or codes is None:
            return None
        inside = codes[mask[codes]]
        inside.flags.writeable = False
        return inside

    return memoized(data, "period_line_codes", order_tables(data), compute)


def period_lines_dated(data: CheckData) -> pd.DataFrame | None:
    """``period_lines(data)`` with the ``ordered_at`` of each line's order, or None.

    The frame ``period_lines(data).merge(period_orders(data)[["order_id", "ordered_at"]],
    on="order_id", how="left")`` gives when order ids are unique; None when they are not
    (or the lines carry their own ordered_at), and the caller merges as it needs.
    """
    def compute() -> pd.DataFrame | None:
        lines, codes = period_lines(data), period_line_codes(data)
        if codes is None or "ordered_at" in lines:
            return None
        at = data["orders"]["ordered_at"].to_numpy()[order_positions(data)[codes]]
        return lines.assign(ordered_at=at)

    dated = memoized(data, "period_lines_dated", order_tables(data), compute)
    return None if dated is None else dated.copy(deep=False)


def first_shipment_rows(data: CheckData) -> np.ndarray:
    """Positions in ``shipments`` of each order's first shipment, earliest shipped first.

    The same rows, in the same order, as ``sort_values("shipped_at")`` followed by
    ``drop_duplicates("order_id")``: the sort is the very same call on the same values.
    """
    def compute() -> np.ndarray:
        shipments = data["shipments"]
        order = shipments["shipped_at"].reset_index(drop=True).sort_values().index.to_numpy()
        codes = key_codes(data)["shipments"][order]
        rows = order[~pd.Series(codes).duplicated().to_numpy()]
        rows.flags.writeable = False
        return rows

    return memoized(data, "first_shipment_rows", order_tables(data), compute)


def first_shipments(data: CheckData) -> pd.DataFrame:
    """One row per shipped order: its first shipment (later parcels are splits or reships)."""
    def compute() -> pd.DataFrame:
        shipments = data["shipments"]
        if "order_id" not in shipments:
            return shipments.sort_values("shipped_at").drop_duplicates("order_id",
                                                                       keep="first")
        return shipments.take(first_shipment_rows(data))

    return memoized(data, "first_shipments", order_tables(data), compute)


def join_orders(data: CheckData, frame: pd.DataFrame, codes: np.ndarray | None,
                columns: Sequence[str], placed: np.ndarray | None = None
                ) -> pd.DataFrame | None:
    """Rows of ``frame`` whose order is one of the ``placed`` rows of ``orders`` (default:
    the orders of the period), with that order's ``columns`` appended.

    ``codes`` are the order-id codes of ``frame``'s rows (``key_codes``). The rows, order
    and columns of ``frame.merge(orders[placed][["order_id", *columns]], on="order_id",
    how="inner")``, joined through the codes. None when that equivalence is not guaranteed
    (no codes, see ``order_positions``, or a column name both frames have); the caller then
    merges.
    """
    positions = order_positions(data)
    if positions is None or codes is None or set(columns) & set(frame.columns):
        return None
    if placed is None:
        inside = period_order_mask(data)[codes]
    else:
        inside = code_table(key_codes(data), key_codes(data)["orders"][placed])[codes]
    rows = positions[codes[inside]]
    orders = data["orders"]
    joined = frame[inside].reset_index(drop=True)
    joined = joined.assign(**{c: orders[c].to_numpy()[rows] for c in columns})
    joined.attrs = {}  # as a merge leaves them
    return joined


def distinct_joined(keys: pd.Series, values: pd.Series, sep: str = "; ") -> pd.Series:
    """Per key, its distinct non-missing values sorted and joined by ``sep`` ('' if none).

    The same strings as ``groupby(keys).agg(lambda v: sep.join(sorted(v.dropna().unique())))``
    in the same (sorted-key) order, without a Python call per group: values are ranked once,
    and groups holding the same set of values share one joined string.
    """
    groups, uniques = pd.factorize(keys, sort=True)
    codes, vocabulary = pd.factorize(values)
    present = (groups >= 0) & (codes >= 0)
    words = list(vocabulary)
    order = sorted(range(len(words)), key=words.__getitem__)
    rank = np.empty(len(words), dtype=np.int64)
    rank[order] = np.arange(len(words))
    ordered_words = [words[i] for i in order]
    width = max(len(words), 1)
    pairs = np.unique(groups[present].astype(np.int64) * width + rank[codes[present]])
    pair_group, pair_rank = pairs // width, pairs % width
    if len(words) <= 62:
        # one bit per value: groups with the same bits get the same string
        bits = np.zeros(len(uniques), dtype=np.int64)
        np.bitwise_or.at(bits, pair_group, np.left_shift(1, pair_rank))
        combos, inverse = np.unique(bits, return_inverse=True)
        texts = [sep.join(w for r, w in enumerate(ordered_words) if int(combo) >> r & 1)
                 for combo in combos]
        joined = np.array(texts, dtype=object)[inverse] if len(texts) else np.array(
            [], dtype=object)
    else:
        joined = np.full(len(uniques), "", dtype=object)
        starts = np.flatnonzero(np.r_[True, pair_group[1:] != pair_group[:-1]]) if len(
            pairs) else np.array([], dtype=np.int64)
        for start, end in zip(starts, [*starts[1:], len(pairs)], strict=True):
            joined[pair_group[start]] = sep.join(ordered_words[r] for r in pair_rank[start:end])
    return pd.Series(joined, index=pd.Index(uniques, name=keys.name), name=values.name,
                     dtype="str")


def join_first_shipments(data: CheckData, left: pd.DataFrame, left_codes: np.ndarray,
                         columns: Sequence[str] | None = None,
                         suffixes: tuple[str, str] = ("_x", "_y")
                         ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """``left.merge(first_shipments(data)[["order_id", *columns]], on="order_id",
    how="inner", suffixes=suffixes)`` and the order-id codes of its rows.

    ``left_codes`` are the codes of ``left``'s rows. Each order has at most one first
    shipment, so the join keeps ``left``'s rows that have one, in order, next to it: only
    those shipments are taken, not the first shipment of every order.
    """
    shipments = data["shipments"]
    columns = [c for c in shipments.columns if c != "order_id"] if columns is None else list(
        columns)
    if set(columns) & set(left.columns) or left["order_id"].dtype != shipments[
            "order_id"].dtype:
        return merge_coded(left, left_codes, first_shipments(data)[["order_id", *columns]],
                           key_codes(data)["shipments"][first_shipment_rows(data)],
                           suffixes=suffixes)
    rows = first_shipment_by_code(data)[left_codes]
    shipped = rows >= 0
    joined = pd.concat([left[shipped].reset_index(drop=True),
                        shipments[columns].take(rows[shipped]).reset_index(drop=True)],
                       axis=1)
    joined.attrs = {}  # as a merge leaves them
    codes = left_codes[shipped]
    codes.flags.writeable = False
    return joined, codes


def first_shipment_by_code(data: CheckData) -> np.ndarray:
    """Per order-id code, the position in ``shipments`` of its first shipment (-1: none).

    The last slot stands for a missing order id (the first shipment without one).
    """
    def compute() -> np.ndarray:
        codes, rows = key_codes(data), first_shipment_rows(data)
        first = np.full(code_space(codes) + 1, -1, dtype=np.int64)
        first[codes["shipments"][rows]] = rows
        first.flags.writeable = False
        return first

    return memoized(data, "first_shipment_by_code", order_tables(data), compute)


def period_shipped(data: CheckData) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Orders of the period joined to their first shipment, and the rows' order-id codes.

    ``period_orders(data).merge(first_shipments(data), on="order_id", how="inner",
    suffixes=("", "_shipment"))``; the codes are None when the plain merge had to run.
    """
    def compute() -> tuple[pd.DataFrame, np.ndarray | None]:
        codes = key_codes(data)
        if "orders" not in codes or "shipments" not in codes:
            return period_orders(data).merge(first_shipments(data), on="order_id",
                                              how="inner", suffixes=("", "_shipment")), None
        return join_first_shipments(data, period_orders(data), period_order_codes(data),
                                    suffixes=("", "_shipment"))

    shipped, codes = memoized(data, "period_shipped", order_tables(data), compute)
    return shipped.copy(deep=False), codes


def spread(base: float, low_ratio: float, high_ratio: float) -> tuple[float, float, float]:
    """(low, base, high) as ratios of a base value."""
    return (base * low_ratio, base, base * high_ratio)


def hourly_cost(data: CheckData) -> tuple[tuple[float, float, float], str]:
    """Hourly cost of staff (low, base, high) and where it came from.

    An hourly_cost set in engagement.yaml wins; then the client's own roster (median
    people.hourly_cost, low/high at the default ratios); then the default 45 / 60 / 85.
    """
    assumption = data.assumptions.get("hourly_cost")
    low, base, high = assumption.triple() if assumption else (45.0, 60.0, 85.0)
    if explicit_assumption(data, "hourly_cost") is not None:
        return (low, base, high), (f"hourly cost {money(low)} / {money(base)} / "
                                   f"{money(high)} (engagement.yaml)")
    people = data.get("people")
    if people is not None and "hourly_cost" in people and people["hourly_cost"].notna().any():
        median = float(people["hourly_cost"].median())
        return (median * low / base, median, median * high / base), (
            f"median hourly cost of the roster {money(median)}")
    return (low, base, high), (f"hourly cost {money(low)} / {money(base)} / {money(high)} "
                               "(default)")


def average_order_value(data: CheckData) -> float:
    """Average live order total in the period; an average_order_value set in
    engagement.yaml wins; the assumption's default when there are no orders."""
    return memoized(data, "average_order_value", [data.get("orders"), data.assumptions],
                    lambda: _average_order_value(data))


def _average_order_value(data: CheckData) -> float:
    explicit = explicit_assumption(data, "average_order_value")
    if explicit is not None:
        return float(explicit.base)
    if data.has("orders", "total"):
        orders = period_orders(data)
        if len(orders):
            return float(orders["total"].mean())
    assumption = data.assumptions.get("average_order_value")
    return float(assumption.base) if assumption else 100.0


def gross_margin(data: CheckData) -> float:
    """Gross margin net of discounts of the period's costed lines, or the assumption.

    (revenue − discounts − COGS) ÷ (revenue − discounts) over lines whose product has a
    cost: line revenue already nets line discounts; an order-level discount not carried on
    the lines (orders.discount_total beyond the lines' own) is spread over the order's
    lines by revenue. Lines without a cost are left out (at zero cost they would inflate
    the margin, the very problem margin.missing_cogs reports). A gross_margin set in
    engagement.yaml wins over the data.
    """
    return memoized(data, "gross_margin", [data.get("orders"), data.get("order_lines"),
                                           data.get("products"), data.assumptions],
                    lambda: _gross_margin(data))


def _gross_margin(data: CheckData) -> float:
    explicit = explicit_assumption(data, "gross_margin")
    if explicit is not None:
        return float(explicit.base)
    if data.has("orders") and data.has("order_lines") and data.has("products", "unit_cost"):
        lines = net_line_revenue(data)
        costs = data["products"].drop_duplicates("sku")[["sku", "unit_cost"]]
        lines = lines.merge(costs, on="sku", how="inner")
        lines = lines[lines["unit_cost"] > 0.01]
        revenue = float(lines["net_revenue"].sum())
        if revenue > 0:
            cogs = float((lines["quantity"] * lines["unit_cost"]).sum())
            return min(max(1 - cogs / revenue, 0.0), 1.0)
    assumption = data.assumptions.get("gross_margin")
    return float(assumption.base) if assumption else 0.40


def net_line_revenue(data: CheckData) -> pd.DataFrame:
    """``period_lines`` with ``net_revenue``: line revenue less its share of the order-level
    discount the lines do not already carry (orders.discount_total − Σ line_discount)."""
    def compute() -> pd.DataFrame:
        lines = period_lines(data)
        orders = period_orders(data)
        if "discount_total" not in orders or not orders["discount_total"].notna().any():
            return lines.assign(net_revenue=lines["revenue"])
        carried = (lines["line_discount"].fillna(0.0) if "line_discount" in lines
                   else pd.Series(0.0, index=lines.index))
        codes = period_line_codes(data)
        if codes is None:
            share = _discount_share_by_id(lines, carried, orders)
        else:
            share = _discount_share_by_code(data, lines, carried, codes)
        return lines.assign(net_revenue=lines["revenue"] * (1 - np.minimum(share, 1.0)))

    return memoized(data, "net_line_revenue", order_tables(data), compute)


def _discount_share_by_id(lines: pd.DataFrame, carried: pd.Series, orders: pd.DataFrame
                          ) -> np.ndarray:
    """Per line: the share of its revenue its order's residual discount takes (by id)."""
    per_order = pd.DataFrame({"order_id": lines["order_id"], "revenue": lines["revenue"],
                              "carried": carried}).groupby("order_id", sort=False).sum()
    discount = orders.set_index("order_id")["discount_total"].fillna(0.0)
    discount = discount[~discount.index.duplicated()]
    residual = (discount.reindex(per_order.index).fillna(0.0) - per_order["carried"]).clip(
        lower=0.0)
    rate = (residual / per_order["revenue"].where(per_order["revenue"] > 0)).fillna(0.0)
    return lines["order_id"].map(rate).fillna(0.0).to_numpy()


def _discount_share_by_code(data: CheckData, lines: pd.DataFrame, carried: pd.Series,
                            codes: np.ndarray) -> np.ndarray:
    """``_discount_share_by_id`` through the order-id ``codes`` of the period's lines.

    Grouping by the codes without sorting numbers the orders as grouping by the ids does
    (first appearance), so the sums are the very same; each line's order is a period order
    (``period_lines``), found by position instead of by id.
    """
    per_order = pd.DataFrame({"revenue": lines["revenue"].to_numpy(),
                              "carried": carried.to_numpy()}).groupby(codes, sort=False).sum()
    positions = order_positions(data)[per_order.index.to_numpy()]
    discount = data["orders"]["discount_total"].to_numpy(dtype="float64", na_value=np.nan)
    residual = (pd.Series(discount[positions], index=per_order.index).fillna(0.0)
                - per_order["carried"]).clip(lower=0.0)
    rate = (residual / per_order["revenue"].where(per_order["revenue"] > 0)).fillna(0.0)
    by_code = np.zeros(code_space(key_codes(data)) + 1)
    by_code[rate.index.to_numpy()] = rate.to_numpy()
    return by_code[codes]


def business_hours(start: pd.Series, end: pd.Series) -> pd.Series:
    """Hours from ``start`` to ``end`` not counting Saturdays and Sundays (vectorized)."""
    start_day = start.dt.normalize()
    end_day = end.dt.normalize()
    valid = start.notna() & end.notna()
    d0 = start_day[valid].to_numpy().astype("datetime64[D]")
    d1 = end_day[valid].to_numpy().astype("datetime64[D]")
    whole_days = np.busday_count(d0, d1)
    start_is_busday = np.is_busday(d0)
    end_is_busday = np.is_busday(d1)
    start_hours = ((start[valid] - start_day[valid]).dt.total_seconds() / 3600).to_numpy()
    end_hours = ((end[valid] - end_day[valid]).dt.total_seconds() / 3600).to_numpy()
    hours = whole_days * 24.0 - np.where(start_is_busday, start_hours, 0.0) + np.where(
        end_is_busday, end_hours, 0.0)
    out = pd.Series(np.nan, index=start.index)
    out[valid] = hours
    return out


def add_business_days(ts: pd.Series, days: int) -> pd.Series:
    """``ts`` moved forward by whole business days, keeping the time of day."""
    day = ts.dt.normalize()
    valid = ts.notna()
    moved = np.busday_offset(day[valid].to_numpy().astype("datetime64[D]"), days, roll="forward")
    out = pd.Series(pd.NaT, index=ts.index, dtype="datetime64[us]")
    out[valid] = pd.to_datetime(moved) + (ts[valid] - day[valid]).to_numpy()
    return out


def is_true(frame: pd.DataFrame, column: str) -> pd.Series:
    """True where ``column`` is true; a missing value or an absent column counts as not true."""
    if column not in frame:
        return pd.Series(False, index=frame.index)
    return frame[column].eq(True).fillna(False).astype(bool)


def name_key(values: pd.Series) -> pd.Series:
    """Case- and space-insensitive form of names, logins and emails, for matching."""
    return values.astype("str").str.strip().str.casefold()


def has_values(frame: pd.DataFrame | None, column: str) -> bool:
    """True when ``frame`` has ``column`` with at least one value (an export that carries it)."""
    return frame is not None and column in frame and bool(frame[column].notna().any())


def present_columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """The ``columns`` that ``frame`` has, in order (optional columns shown when exported)."""
    return [c for c in columns if c in frame]


def period_words(data: CheckData) -> str:
    """The period in words for a data request: '2026-07-01 to 2026-09-30'."""
    return f"{data.period.start.date()} to {data.period.end.date()}"


# -- judging with the sampling noise in view -----------------------------------------------

#: z for the two-sided 95% interval every check judges with.
Z95 = 1.959963984540054


def wilson_interval(hits: float, trials: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``hits / trials`` (0, 1 with no trials).

    Wilson rather than the normal approximation because it stays inside [0, 1] and is
    honest for the small counts and rare events a client's data often holds.
    """
    if trials <= 0:
        return (0.0, 1.0)
    p = hits / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


def lift_interval(hits_a: float, n_a: float, hits_b: float, n_b: float, z: float = Z95
                  ) -> tuple[float, float, float]:
    """Risk ratio (hits_a/n_a) / (hits_b/n_b) with its 95% interval (Katz log method).

    A zero count gets half a record (Haldane's correction) so the ratio stays finite.
    Returns (lift, low, high).
    """
    if n_a <= 0 or n_b <= 0:
        return (float("nan"), 0.0, float("inf"))
    a, b = (hits_a, hits_b) if hits_a and hits_b else (hits_a + 0.5, hits_b + 0.5)
    na, nb = (n_a, n_b) if hits_a and hits_b else (n_a + 0.5, n_b + 0.5)
    lift = (a / na) / (b / nb)
    spread = z * np.sqrt(max(1 / a - 1 / na + 1 / b - 1 / nb, 0.0))
    return (float(lift), float(lift * np.exp(-spread)), float(lift * np.exp(spread)))


def judge_rate(hits: float, trials: float, warn: float, fail: float, *, min_evidence: int,
               noun: str = "records", higher_is_worse: bool = True) -> tuple[Status, str]:
    """Verdict on a rate ``hits / trials`` with the sampling noise in view, and why.

    CATALOG.md, "Evidence": WARN or FAIL only when the 95% Wilson bound on the side of
    the doubt crosses the threshold (the lower bound for a rate where higher is worse, the
    upper bound otherwise). Fewer than ``min_evidence`` trials, or a point value past a
    threshold whose bound does not cross it, is a PASS that says "too few to judge".
    """
    rate = ratio(hits, trials)
    if trials < min_evidence:
        past = judge(rate, warn, fail, higher_is_worse=higher_is_worse).flagged
        why = (f"too few to judge: {trials:,.0f} {noun} (at least {min_evidence:,} needed)"
               if past else "")
        return Status.PASS, why
    low, high = wilson_interval(hits, trials)
    bound = low if higher_is_worse else high
    status = judge(bound, warn, fail, higher_is_worse=higher_is_worse)
    point = judge(rate, warn, fail, higher_is_worse=higher_is_worse)
    if status is point:
        return status, ""
    limit = warn if status is Status.PASS else fail
    return status, (f"{'too few to judge' if status is Status.PASS else 'judged on the bound'}"
                    f": {_count(hits)} of {_count(trials)} {noun} ({rate:.1%}); the 95% "
                    f"interval {low:.1%} to {high:.1%} does not rule out {limit:.1%}")


def _count(value: float) -> str:
    """A count in words: whole as '1,234', an effective (weighted) count as '4.7'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def judge_lift(hits_a: float, n_a: float, hits_b: float, n_b: float, warn: float,
               fail: float, *, min_evidence: int, noun: str = "records"
               ) -> tuple[Status, str]:
    """Verdict on a lift (rate of group a ÷ rate of group b) judged on its lower 95% bound.

    ``min_evidence`` is the least number of hits in group a (e.g. late orders that carry a
    defect) a lift may rest on: a ratio built from four orders is noise, not a cause.
    """
    lift, low, high = lift_interval(hits_a, n_a, hits_b, n_b)
    point = judge(lift, warn, fail)
    if hits_a < min_evidence:
        why = (f"too few to judge: {hits_a:,.0f} {noun} (at least {min_evidence:,} needed)"
               if point.flagged else "")
        return Status.PASS, why
    status = judge(low, warn, fail)
    if status is point:
        return status, ""
    limit = warn if status is Status.PASS else fail
    return status, (f"{'too few to judge' if status is Status.PASS else 'judged on the bound'}"
                    f": lift {lift:.2f}x, 95% interval {low:.2f}x to {high:.2f}x, which does "
                    f"not rule out {limit:.2f}x")


# -- money: one base per wording --------------------------------------------------------------

def explicit_assumption(data: CheckData, name: str) -> Any | None:
    """The assumption ``name`` when engagement.yaml sets it (it then wins over data), else None.

    CATALOG.md, "Money": explicit assumptions win over values derived from the data, and
    the finding says which one it used.
    """
    assumption = data.assumptions.get(name)
    return assumption if getattr(assumption, "explicit", False) else None


def period_revenue(data: CheckData) -> float:
    """Revenue of the period: live orders' totals net of tax and shipping charged (the
    invoices issued in the period for a business without orders); 0.0 without either."""
    def compute() -> float:
        if not data.has("orders", "total"):
            if data.has("invoices", "issued_at", "amount"):
                return float(in_period(data["invoices"], "issued_at", data)["amount"].sum())
            return 0.0
        orders = period_orders(data)
        revenue = orders["total"].fillna(0.0)
        for part in ("tax", "shipping_charged"):
            if part in orders:
                revenue = revenue - orders[part].fillna(0.0)
        return float(revenue.sum())

    return memoized(data, "period_revenue", [data.get("orders"), data.get("invoices")],
                    compute)


def annual_revenue(data: CheckData) -> float:
    """``period_revenue`` a year: the base of every 'share of revenue' wording."""
    return annual(data, period_revenue(data))


def contribution(data: CheckData, value: float) -> float:
    """What a lost sale of ``value`` costs: value × gross margin net of discounts."""
    return value * gross_margin(data)


def quantile_interval(values: pd.Series, q: float, z: float = Z95) -> tuple[float, float]:
    """A distribution-free 95% interval of the ``q`` quantile of ``values``.

    The ranks n·q ∓ z·√(n·q·(1−q)) of the sorted values (binomial order statistics): no
    assumption about the shape of waiting times, which are rarely normal. (nan, nan) when
    there are no values.
    """
    ordered = np.sort(pd.Series(values).dropna().to_numpy(dtype=float))
    n = len(ordered)
    if not n:
        return (float("nan"), float("nan"))
    spread = z * np.sqrt(n * q * (1 - q))
    low = int(np.clip(np.floor(n * q - spread), 0, n - 1))
    high = int(np.clip(np.ceil(n * q + spread), 0, n - 1))
    return (float(ordered[low]), float(ordered[high]))


def judge_weighted_share(weights: pd.Series, flagged: pd.Series, warn: float, fail: float, *,
                         min_evidence: int, noun: str = "records",
                         higher_is_worse: bool = True) -> tuple[Status, str]:
    """Verdict on a value-weighted share (Σ weight × flag ÷ Σ weight), with the noise.

    ``flagged`` is True/False per record, or the flagged fraction of each record (a
    discount as a share of its order). A share of dollars rests on fewer records than it
    has dollars: three big deals are three records, not three million. The share is judged
    as a rate over the Kish effective number of records, (Σw)² ÷ Σw², so a share carried by
    a handful of large records needs a larger margin over the threshold than one spread
    over many.
    """
    w = pd.Series(weights, dtype="float64").fillna(0.0).clip(lower=0.0)
    flags = pd.Series(flagged).reindex(w.index).astype("float64").fillna(0.0).clip(0.0, 1.0)
    total = float(w.sum())
    hits = float((w * flags).sum())
    if len(w) < min_evidence or total <= 0:
        rate = ratio(hits, total)
        past = judge(rate, warn, fail, higher_is_worse=higher_is_worse).flagged
        why = (f"too few to judge: {len(w):,} {noun} (at least {min_evidence:,} needed)"
               if past else "")
        return Status.PASS, why
    effective = total * total / float((w * w).sum())
    return judge_rate(hits / total * effective, effective, warn, fail,
                      min_evidence=0, noun=f"{noun} (effective count)",
                      higher_is_worse=higher_is_worse)


# -- evidence for checks whose metric is not a rate (checks1) --------------------------------

def min_evidence_param(default: int, noun: str) -> Any:
    """The ``min_evidence`` Param of a check: the least number of ``noun`` a verdict may
    rest on (CATALOG.md, "Evidence"). Fewer is a PASS that says "too few to judge"."""
    from opskit.registry import Param

    return Param(default, 1, 100_000, 1, f"Least number of {noun} a WARN or FAIL may rest "
                 "on; fewer is a PASS that says 'too few to judge'.", unit=noun)


def judge_count(value: float | None, warn: float, fail: float, count: float, *,
                min_evidence: int, noun: str = "records", higher_is_worse: bool = True
                ) -> tuple[Status, str]:
    """Verdict on a value no Wilson interval applies to (a percentile, a dollar-weighted
    share, hours a month), and why: judged on the point value once it rests on at least
    ``min_evidence`` ``noun``; fewer is a PASS that says "too few to judge"."""
    status = judge(value, warn, fail, higher_is_worse=higher_is_worse)
    if count >= min_evidence:
        return status, ""
    why = (f"too few to judge: {count:,.0f} {noun} (at least {min_evidence:,} needed)"
           if status.flagged else "")
    return Status.PASS, why


def with_population(impact: Any, data: CheckData) -> Any:
    """``impact`` with the orders left out of the population in its assumptions (printed
    next to the numbers in the report), unchanged when every order of the period is live."""
    from dataclasses import replace

    words = population_words(data)
    if not words:
        return impact
    return replace(impact, assumptions={**impact.assumptions, "population": words})


def average_order_value_words(data: CheckData) -> str:
    """``average_order_value`` in words, with where it came from."""
    if explicit_assumption(data, "average_order_value") is not None:
        source = "engagement.yaml"
    elif data.has("orders", "total") and len(period_orders(data)):
        source = "live orders of the period"
    else:
        source = "default assumption"
    return f"{money(average_order_value(data), 2)} ({source})"


def gross_margin_words(data: CheckData) -> str:
    """``gross_margin`` in words, with where it came from."""
    if explicit_assumption(data, "gross_margin") is not None:
        source = "engagement.yaml"
    elif (data.has("orders") and data.has("order_lines") and data.has("products", "unit_cost")
          and has_values(data["products"], "unit_cost")):
        source = "net of discounts, costed lines of the period"
    else:
        source = "default assumption"
    return f"{gross_margin(data):.1%} ({source})"


def judge_census(found: int, population: int, warn: float, fail: float, *,
                 min_evidence: int, noun: str = "records") -> tuple[Status, str]:
    """Verdict on ``found ÷ population`` counted over a complete list, and why.

    An access review lists every account, a process inventory every critical process, an
    ageing report every invoice open at a date: a share counted over such a list (a stock,
    not a flow) is a census, not an estimate from a sample, so there is
    no sampling noise for a Wilson bound to allow for (``judge_rate`` is for the rates of a
    process, such as orders shipped late). What can mislead is a list too short for a share
    to mean anything (one fragile sheet of three is 33%): below ``min_evidence`` records it
    is a PASS that says "too few to judge"; from the minimum on the share decides as is.
    """
    return judge_count(ratio(found, population), warn, fail, population,
                       min_evidence=min_evidence, noun=noun)


def judge_by_subject(frame: pd.DataFrame, flagged: pd.Series, subject: str, warn: float,
                     fail: float, *, min_evidence: int, noun: str = "order lines",
                     subjects: str = "SKUs sold") -> tuple[Status, str]:
    """Verdict on a revenue share whose flag belongs to a ``subject`` (a SKU without a cost,
    a stale cost, a SKU unknown to the master), with the noise in view.

    Every line of a SKU shares its SKU's flag, so the evidence is the SKUs sold weighted by
    their revenue, not the lines: the share is judged over the SKUs' effective count
    (``judge_weighted_share``), and a share carried by one big-ticket SKU sold once is too
    few to judge. At least ``min_evidence`` ``noun`` are needed at all.
    """
    flags = pd.Series(flagged, index=frame.index).fillna(False).astype(bool)
    revenue = frame["revenue"].clip(lower=0.0)
    if len(frame) < min_evidence:
        rate = ratio(float(revenue[flags].sum()), float(revenue.sum()))
        why = (f"too few to judge: {len(frame):,} {noun} (at least {min_evidence:,} needed)"
               if judge(rate, warn, fail).flagged else "")
        return Status.PASS, why
    per_subject = pd.DataFrame({"key": frame[subject].astype("str"), "revenue": revenue,
                                "flagged": flags}).groupby("key", sort=False).agg(
        revenue=("revenue", "sum"), flagged=("flagged", "max"))
    return judge_weighted_share(per_subject["revenue"], per_subject["flagged"], warn, fail,
                                min_evidence=0, noun=subjects)
