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
import difflib
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

#: Active ISO 4217 alphabetic codes (the standard's list, funds and metals included; XTS and
#: XXX, the test and "no currency" codes, left out). engagement.yaml is validated against it.
_ISO_4217_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG
XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
"""
ISO_4217: frozenset[str] = frozenset(_ISO_4217_CODES.split())

#: Minor-unit decimals of the codes not in CURRENCIES whose minor unit is not 2.
_OTHER_DECIMALS = {"BIF": 0, "DJF": 0, "GNF": 0, "ISK": 0, "KMF": 0, "PYG": 0, "RWF": 0,
                   "UGX": 0, "UYI": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0, "BHD": 3,
                   "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}

#: What people write instead of the code: symbols and names -> the code they usually mean.
_ALIASES = {"$": "USD", "US$": "USD", "DOLLAR": "USD", "DOLLARS": "USD", "€": "EUR",
            "EURO": "EUR", "EUROS": "EUR", "£": "GBP", "POUND": "GBP", "POUNDS": "GBP",
            "¥": "JPY", "YEN": "JPY", "₹": "INR", "RUPEE": "INR", "RUPEES": "INR",
            "RMB": "CNY", "YUAN": "CNY", "NIS": "ILS",
            "R$": "BRL", "REAL": "BRL", "REAIS": "BRL", "FRANC": "CHF", "FRANCS": "CHF"}


def is_code(value: object) -> bool:
    """True when ``value`` is an ISO 4217 code as written (upper case, three letters)."""
    return isinstance(value, str) and value in ISO_4217


def suggest(value: object, fuzzy: bool = True) -> str | None:
    """The code someone probably meant by ``value`` ('eur', '€', 'Euros', 'EUD'), or None.

    ``fuzzy`` adds the closest code by spelling (for a typo in engagement.yaml); a data cell
    is only matched on codes, symbols and names ('Pesos' must not suggest 'SOS').
    """
    text = str(value).strip().upper()
    if text in ISO_4217:
        return text
    if text in _ALIASES:
        return _ALIASES[text]
    for code, (mark, _) in CURRENCIES.items():
        if text == mark.upper():
            return code
    if not fuzzy:
        return None
    close = difflib.get_close_matches(text, sorted(ISO_4217), n=1, cutoff=0.6)
    return close[0] if close else None


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
    return CURRENCIES.get(code, (code, _OTHER_DECIMALS.get(code, 2)))[1]


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
