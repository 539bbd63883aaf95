"""Engagement-wide money assumptions, with documented defaults and valid ranges.

Every dollar figure in a report rests on a few numbers the consultant may not know for this
client yet (what an hour of staff time costs, the share of inbound calls that are buyers...).
They live here, once, with a default for low / base / high, so that each report can print
exactly which assumptions drove which number. ``engagement.yaml`` may override them under
``assumptions:``; a single number sets the base and scales low and high by the same ratios,
a mapping ``{low, base, high}`` sets all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from opskit.errors import ConfigError


@dataclass(frozen=True)
class Assumption:
    """A money assumption: its low / base / high defaults, valid range and meaning."""

    name: str
    low: float
    base: float
    high: float
    min: float
    max: float
    unit: str
    doc: str
    explicit: bool = False
    """True when engagement.yaml sets it: it then wins over values derived from the data."""

    def triple(self) -> tuple[float, float, float]:
        return (self.low, self.base, self.high)


ASSUMPTIONS: dict[str, Assumption] = {a.name: a for a in (
    Assumption("hourly_cost", 45, 60, 85, 5, 1000, "$/hour",
               "Loaded cost of an hour of staff time; people.hourly_cost is used when the "
               "roster has it."),
    Assumption("gross_margin", 0.30, 0.40, 0.50, 0.0, 1.0, "share",
               "Gross margin used where product costs are missing."),
    Assumption("average_order_value", 80, 100, 120, 1, 1_000_000, "$",
               "Average order value, used only when the client has no orders table."),
    Assumption("average_deal_value", 3000, 5000, 8000, 1, 10_000_000, "$",
               "Average won deal value, used when the CRM has no won deals."),
    Assumption("close_rate", 0.15, 0.25, 0.35, 0.0, 1.0, "share",
               "Share of qualified sales conversations that become customers."),
    Assumption("sales_call_share", 0.20, 0.30, 0.40, 0.0, 1.0, "share",
               "Share of inbound callers who are prospective buyers."),
    Assumption("cost_of_capital", 0.06, 0.10, 0.15, 0.0, 1.0, "share/year",
               "Annual cost of the cash tied up in receivables or stock."),
    Assumption("carrying_cost", 0.15, 0.20, 0.30, 0.0, 1.0, "share/year",
               "Annual cost of holding inventory (storage, capital, shrink, obsolescence)."),
    Assumption("seat_cost", 10, 20, 40, 0, 10_000, "$/month",
               "Monthly cost of a software seat when systems.seat_cost is missing."),
)}


def resolve(overrides: Mapping[str, object] | None, source: str = "engagement.yaml"
            ) -> dict[str, Assumption]:
    """Defaults with the engagement's overrides applied and validated."""
    result = dict(ASSUMPTIONS)
    for name, value in (overrides or {}).items():
        if name not in ASSUMPTIONS:
            from difflib import get_close_matches

            close = get_close_matches(str(name), ASSUMPTIONS, n=1)
            raise ConfigError(
                f"{source}, assumptions: unknown assumption '{name}'",
                expected="one of " + ", ".join(ASSUMPTIONS),
                got=f"'{name}'",
                hint=f"did you mean '{close[0]}'?" if close else None,
            )
        default = ASSUMPTIONS[name]
        result[name] = _override(default, value, source)
    return result


def _override(default: Assumption, value: object, source: str) -> Assumption:
    def number(v: object, part: str) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ConfigError(
                f"{source}, assumptions: the '{default.name}' assumption{part} must be a "
                f"number in [{default.min:g}, {default.max:g}]",
                got=repr(v))
        if not default.min <= float(v) <= default.max:
            raise ConfigError(
                f"The '{default.name}' assumption{part} must be a number in "
                f"[{default.min:g}, {default.max:g}]", got=f"{v!r}",
                hint=f"set it under assumptions: in {source}")
        return float(v)

    if isinstance(value, Mapping):
        unknown = set(value) - {"low", "base", "high"}
        if unknown:
            raise ConfigError(f"{source}, assumptions: '{default.name}' has unknown keys "
                              f"{sorted(unknown)}", expected="low, base, high")
        low = number(value.get("low", default.low), " (low)")
        base = number(value.get("base", default.base), " (base)")
        high = number(value.get("high", default.high), " (high)")
        if not low <= base <= high:
            raise ConfigError(f"{source}, assumptions: '{default.name}' must have low <= "
                              f"base <= high", got=f"{low:g} / {base:g} / {high:g}")
    else:
        base = number(value, "")
        ratio = base / default.base if default.base else 1.0
        low, high = default.low * ratio, default.high * ratio
        low, high = max(default.min, min(low, base)), min(default.max, max(high, base))
    return Assumption(default.name, low, base, high, default.min, default.max, default.unit,
                      default.doc, explicit=True)
