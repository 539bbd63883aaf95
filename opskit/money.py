"""Money in the engagement's currency: one formatter for checks, reports, workbook and CLI.

A report for a client who books in euros must never print "$". The engagement's currency
(``currency:`` in engagement.yaml, default USD) is set once per diagnostic run with
``using_currency``; every piece of text that shows an amount calls ``money`` (or reads
``symbol``/``decimals``), so the same code prints "$1,234", "€1,234", "₹1,234" or "¥1,234".
An unknown code prints as the code itself ("CHF 1,234"): never a wrong symbol.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

DEFAULT_CURRENCY = "USD"

#: ISO 4217 code -> (symbol, minor-unit decimals). Codes absent here print as "CODE 1,234".
CURRENCIES: dict[str, tuple[str, int]] = {
    "USD": ("$", 2), "EUR": ("€", 2), "GBP": ("£", 2), "JPY": ("¥", 0), "CNY": ("CN¥", 2),
    "INR": ("₹", 2), "CAD": ("CA$", 2), "AUD": ("A$", 2), "NZD": ("NZ$", 2),
    "MXN": ("MX$", 2), "BRL": ("R$", 2), "KRW": ("₩", 0), "ILS": ("₪", 2), "PHP": ("₱", 2),
    "VND": ("₫", 0), "NGN": ("₦", 2), "TRY": ("₺", 2), "PLN": ("zł", 2), "THB": ("฿", 2),
    "HKD": ("HK$", 2), "SGD": ("S$", 2), "ZAR": ("R", 2), "CHF": ("CHF", 2),
    "SEK": ("SEK", 2), "NOK": ("NOK", 2), "DKK": ("DKK", 2), "COP": ("COP", 2),
    "PEN": ("S/", 2), "CLP": ("CLP", 0), "ARS": ("ARS", 2), "AED": ("AED", 2),
}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("opskit_currency",
                                                               default=DEFAULT_CURRENCY)


def current() -> str:
    """The ISO code of the money being shown (the engagement's currency during a run)."""
    return _current.get()


@contextlib.contextmanager
def using_currency(code: str | None) -> Iterator[str]:
    """Show money in ``code`` inside the block (None: the default, USD)."""
    token = _current.set((code or DEFAULT_CURRENCY).upper())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def symbol(code: str | None = None) -> str:
    """The symbol of ``code`` (default: the current currency); the code itself if unknown."""
    code = (code or current()).upper()
    return CURRENCIES.get(code, (code, 2))[0]


def decimals(code: str | None = None) -> int:
    """Minor-unit decimals of ``code`` (0 for JPY, KRW...), for cents and number formats."""
    code = (code or current()).upper()
    return CURRENCIES.get(code, (code, 2))[1]


def money(value: float, digits: int = 0, code: str | None = None) -> str:
    """``value`` as text in the current currency: money(1234.5) -> '$1,235', '-€12.50'.

    ``digits`` is capped by the currency's minor unit (a yen amount never shows cents).
    """
    code = (code or current()).upper()
    sign = "-" if value < 0 else ""
    places = min(digits, decimals(code))
    mark = symbol(code)
    spacer = " " if mark.isalpha() else ""
    return f"{sign}{mark}{spacer}{abs(value):,.{places}f}"


def excel_format(code: str | None = None) -> str:
    """An Excel number format for whole amounts in ``code``: '"€"#,##0;-"€"#,##0'."""
    mark = symbol(code)
    spacer = " " if mark.isalpha() else ""
    return f'"{mark}{spacer}"#,##0;-"{mark}{spacer}"#,##0'
