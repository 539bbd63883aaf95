"""Client-audience redaction: emails and phone numbers never reach a client's copy.

A consultant's report shows who to call back; the client's copy of the same report goes to
people who should not see customer contact details. Redaction works on every string that
ends up in a table, a chart, a file name or a message, by pattern, so it also catches an email
typed into a memo field.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A run of digits with the separators phone numbers use; kept as a phone only when it has
# 10 to 15 digits and is not a date (see _mask_phone).
PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w.])")
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}[./-]\d{2}[./-]\d{4}")
EMAIL_MASK = "[email redacted]"
PHONE_MASK = "[phone redacted]"


def _mask_phone(match: re.Match) -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if not 10 <= digits <= 15 or DATE_LIKE.search(found):
        return found
    return PHONE_MASK


def redact_text(text: str) -> str:
    """``text`` with every email and phone number replaced by a mask."""
    return PHONE.sub(_mask_phone, EMAIL.sub(EMAIL_MASK, text))


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (and column names) are redacted."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            text = series.astype("str")
            redacted = text.str.replace(EMAIL, EMAIL_MASK, regex=True).str.replace(
                PHONE, _mask_phone, regex=True)
            out[column] = redacted.where(series.notna(), None)
    out.columns = [redact_text(str(c)) for c in out.columns]
    return out


def redact_value(value: Any) -> Any:
    """Redact any JSON-like value: strings, lists, dicts, frames."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, pd.DataFrame):
        return redact_frame(value)
    if isinstance(value, dict):
        return {redact_value(k): redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v) for v in value)
    return value
