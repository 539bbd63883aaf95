"""Client-audience redaction: emails and phone numbers never reach a client's copy.

A consultant's report shows who to call back; the client's copy of the same report goes to
people who should not see customer contact details. Redaction works on every string that
ends up in a table, a chart, a file name or a message, by pattern, so it also catches an email
typed into a memo field.

Phone numbers are found by Google's libphonenumber (the ``phonenumbers`` package), not by a
hand regex: it knows every country's number lengths, extensions (``x12``, ``ext. 5``),
brackets and separators, and leaves dates and timestamps alone. It reads national numbers
(no ``+``) as numbers of the engagement's country, the ``region`` (see ``region_for``); a
``+`` number is found whatever the region. A number counts when its length is possible for
its country ("possible", not "valid": the 555 numbers of examples and test data are not
assigned, yet are phone numbers to a reader), and a local-only length (a US 7-digit number)
does not count, so short ids, amounts and counts are kept.

Ids are kept too: a number glued to letters (``ORD-5553436367``, ``CF100001``) is part of an
id, not a phone number; a 13-digit id (Shopify's customer ids) is too long to be a phone
number in any region with 10-digit numbers. In an id column (``order_id``, ``po_id``,
``sku``, ``reference``: see ``is_id_column``) a cell that is a bare run of digits is an id
unless it is a valid phone number (an SAP purchase order ``4500012345`` is kept; a real
number used as a customer id is not). Elsewhere a bare run of exactly a possible length (a
10-digit number in the US) cannot be told from a phone number typed without separators, and
is redacted: showing it would risk a leak.

Text is matched after Unicode dashes, spaces and fullwidth digits are folded to ASCII
(``555‑343‑6367`` with non-breaking hyphens is a phone number), one character for one, so
what is masked is exactly the original span.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher, ValidationResult

EMAIL_MASK = "[email redacted]"
PHONE_MASK = "[phone redacted]"
DEFAULT_REGION = "US"
"""The country whose national numbers are read when the engagement says nothing closer."""

REGION_BY_CURRENCY = {
    "USD": "US", "CAD": "CA", "GBP": "GB", "AUD": "AU", "NZD": "NZ", "INR": "IN",
    "MXN": "MX", "JPY": "JP", "CHF": "CH", "SEK": "SE", "NOK": "NO", "DKK": "DK",
    "PLN": "PL", "BRL": "BR", "ZAR": "ZA", "SGD": "SG", "HKD": "HK", "CNY": "CN",
    "KRW": "KR", "ILS": "IL", "AED": "AE", "CZK": "CZ", "HUF": "HU", "TRY": "TR",
}
"""A currency used by one country names the country. The euro (and any currency not listed)
does not: those engagements read national numbers as ``DEFAULT_REGION``'s."""

# Email: a local part of letters (any script), digits and the usual specials; a domain of
# dot-separated labels ending in a letters-only top-level label (IDN labels included). The
# parts are bounded by RFC 5321's lengths, so a huge cell is scanned in linear time.
EMAIL = re.compile(r"[\w.%+'!#$&*/=?^`{|}~-]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.){1,8}"
                   r"[^\W\d_]{2,63}")

# Cheap test before the matcher: some 7 digits within phone punctuation.
_MAYBE_PHONE = re.compile(r"\d(?:[\s().\-/x+]*\d){6}")
# What sits right before a number that belongs to an id or an amount: a letter or digit, an
# id prefix of capitals joined by a separator (``ORD-``, ``SO_``; not ``Mobile-``), ``#``,
# the integer part of a decimal, or a currency sign.
_GLUED_BEFORE = re.compile(r"(?:[^\W_]|(?<![^\W_])[A-Z0-9]+[-_]|\d[.,]|[#$€£¥])$")
_GLUED_AFTER = re.compile(r"^(?:[^\W\d_]|[-_/.,]?\d)")
_DECIMAL = re.compile(r"\d+[.,]\d+")

_FOLD = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
_FOLD.update({ord(c): " " for c in "\u00a0\u2007\u202f\u2009\u200a\u3000"})
_FOLD.update({0xFF10 + i: str(i) for i in range(10)})
_FOLD.update({0xFF08: "(", 0xFF09: ")", 0xFF0B: "+", 0xFF0E: ".", 0xFF0F: "/", 0xFF20: "@"})


_ID_NAME = re.compile(r"(?:^|[\W_])(?:id|sku|ref|reference)$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](?:Id|ID)$")  # customerId, orderID
_BARE_DIGITS = re.compile(r"\d+")


def is_id_column(name: object) -> bool:
    """Whether a column named ``name`` holds ids (``order_id``, ``customerId``, ``sku``,
    ``reference``), whose bare numbers are kept unless they are valid phone numbers."""
    text = str(name)
    return (bool(_ID_NAME.search(text) or _CAMEL_ID.search(text))
            and "phone" not in text.lower())


def region_for(currency: str | None) -> str:
    """The phone region of an engagement booked in ``currency`` (``DEFAULT_REGION`` when the
    currency does not name one country)."""
    return REGION_BY_CURRENCY.get((currency or "").upper(), DEFAULT_REGION)


def _fold(text: str) -> str:
    """``text`` with Unicode dashes, spaces, digits and phone punctuation as ASCII, one
    character for one (so spans found in the result are spans of ``text``)."""
    return text.translate(_FOLD)


def _phone_spans(text: str, region: str, ids: bool = False) -> list[tuple[int, int]]:
    """(start, end) of every phone number in ``text`` (already folded); ``ids``: ``text`` is
    an id cell, where a bare run of digits counts only when it is a valid number."""
    spans = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        reason = phonenumbers.is_possible_number_with_reason(match.number)
        if reason != ValidationResult.IS_POSSIBLE:
            continue
        if (ids and _BARE_DIGITS.fullmatch(match.raw_string)
                and not phonenumbers.is_valid_number(match.number)):
            continue
        before = text[max(0, match.start - 32):match.start]  # a window: linear in the text
        if (_GLUED_BEFORE.search(before) or _GLUED_AFTER.search(text[match.end:match.end + 2])
                or _DECIMAL.fullmatch(match.raw_string)):
            continue
        spans.append((match.start, match.end))
    return spans


def redact_text(text: str, region: str = DEFAULT_REGION, *, ids: bool = False) -> str:
    """``text`` with every email and phone number replaced by a mask (``ids``: ``text`` is a
    cell of an id column, see ``is_id_column``)."""
    folded = _fold(text)
    if "@" in folded:
        parts, last = [], 0
        for match in EMAIL.finditer(folded):
            parts += [text[last:match.start()], EMAIL_MASK]
            last = match.end()
        text = "".join(parts) + text[last:]
        folded = _fold(text)
    if not _MAYBE_PHONE.search(folded):
        return text
    parts, last = [], 0
    for start, end in _phone_spans(folded, region, ids):
        parts += [text[last:start], PHONE_MASK]
        last = end
    return "".join(parts) + text[last:]


def redact_frame(frame: pd.DataFrame, region: str = DEFAULT_REGION) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (and column names) are redacted; each distinct
    value is matched once."""
    out = frame.copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            present = series.notna()
            text = series[present].astype("str")
            unique = pd.unique(text)
            ids = is_id_column(out.columns[position])
            redacted = dict(zip(unique, (redact_text(v, region, ids=ids) for v in unique),
                                strict=True))
            column = series.astype("object").copy()
            column[present] = text.map(redacted)
            out.isetitem(position, column.where(present, None))
    out.columns = [redact_text(str(c), region) for c in out.columns]
    return out


def redact_value(value: Any, region: str = DEFAULT_REGION) -> Any:
    """Redact any JSON-like value: strings, lists, dicts, frames."""
    if isinstance(value, str):
        return redact_text(value, region)
    if isinstance(value, pd.DataFrame):
        return redact_frame(value, region)
    if isinstance(value, dict):
        return {redact_value(k, region): redact_value(v, region) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, region) for v in value)
    return value
