"""Input widgets generated from a check's declared parameters.

Each ``Param`` declares its default, valid range, step and help text; the explorer builds
one input from it: a slider when the range is a few hundred steps wide, a bounded number box
when a slider would be too coarse to hit a value (e.g. 2 to 100,000 customers). The help
text is the label, cut to fit, with the full text and the range as the tooltip.
"""

from __future__ import annotations

import math
from decimal import Decimal

import ipywidgets as widgets

from opskit.registry import Param

MAX_SLIDER_STEPS = 1000
LABEL_CHARS = 48
LABEL_WIDTH = "330px"


def is_integral(param: Param) -> bool:
    """True when default, range and step are all whole numbers: an integer input."""
    numbers = [param.default, param.min, param.max, param.step or 1]
    return all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)


def decimals(param: Param) -> int:
    """Decimal places of the parameter's step (its resolution); 6 when it declares none."""
    if param.step is None:
        return 6
    exponent = Decimal(str(param.step)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def clean(param: Param, value: float) -> float | int:
    """An input's value at the parameter's resolution: no 0.15000000000000002 in a yaml."""
    if is_integral(param):
        return round(value)
    return round(float(value), decimals(param))


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """The help text's first clause, cut at a word boundary to ``limit`` characters."""
    first = text.split(" (")[0].rstrip(".").strip() or text
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def tooltip(name: str, param: Param) -> str:
    """Full help text, parameter name, range and default: what the label leaves out."""
    unit = f" {param.unit}" if param.unit else ""
    return (f"{name}: {param.help} Range {param.min:g} to {param.max:g}{unit}, "
            f"default {param.default:g}.")


def param_input(name: str, param: Param, value: float) -> widgets.ValueWidget:
    """The input for one parameter, set to ``value`` (clamped to the declared range)."""
    integral = is_integral(param)
    step = param.step or (1 if integral else 10 ** -decimals(param))
    steps = (param.max - param.min) / step if step else math.inf
    value = min(max(value, param.min), param.max)
    common = dict(description=short_label(param.help or name), tooltip=tooltip(name, param),
                  style={"description_width": LABEL_WIDTH},
                  layout=widgets.Layout(width="680px"))
    if steps <= MAX_SLIDER_STEPS:
        if integral:
            return widgets.IntSlider(value=int(value), min=int(param.min), max=int(param.max),
                                     step=int(step), continuous_update=False, **common)
        return widgets.FloatSlider(value=float(value), min=float(param.min),
                                   max=float(param.max), step=float(step),
                                   readout_format=f".{decimals(param)}f",
                                   continuous_update=False, **common)
    if integral:
        return widgets.BoundedIntText(value=int(value), min=int(param.min), max=int(param.max),
                                      step=int(step), **common)
    return widgets.BoundedFloatText(value=float(value), min=float(param.min),
                                    max=float(param.max), step=float(step), **common)
