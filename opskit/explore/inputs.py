"""Input widgets generated from a check's declared parameters.

Each ``Param`` declares its default, valid range, step and help text; the explorer builds
one input from it: a slider when the range is a few hundred steps wide, a bounded number box
when a slider would be too coarse to hit a value (e.g. 2 to 100,000 customers).

Each input sits in a row (``ParamRow``): the help text's first clause as a label that wraps
instead of being cut, the input, and its value as the result panel writes it (``4.0%`` for a
share threshold, ``$6.50`` for money, ``3 days``), never the slider's raw ``0.040``. The full
help text and the range are the tooltip.
"""

from __future__ import annotations

import html
import math
from decimal import Decimal

import ipywidgets as widgets

from opskit.money import money
from opskit.registry import Param

MAX_SLIDER_STEPS = 1000
LABEL_CHARS = 160
LABEL_WIDTH = "330px"
THRESHOLDS = ("warn", "fail")


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
    common = dict(description="", tooltip=tooltip(name, param),
                  layout=widgets.Layout(width="320px"))
    if steps <= MAX_SLIDER_STEPS:
        # the row shows the value as the panel writes it (ParamRow), not the raw readout
        if integral:
            return widgets.IntSlider(value=int(value), min=int(param.min), max=int(param.max),
                                     step=int(step), continuous_update=False, readout=False,
                                     **common)
        return widgets.FloatSlider(value=float(value), min=float(param.min),
                                   max=float(param.max), step=float(step), readout=False,
                                   continuous_update=False, **common)
    if integral:
        return widgets.BoundedIntText(value=int(value), min=int(param.min), max=int(param.max),
                                      step=int(step), **common)
    return widgets.BoundedFloatText(value=float(value), min=float(param.min),
                                    max=float(param.max), step=float(step), **common)


def readout(value: float, unit: str, integral: bool = False) -> str:
    """A parameter's value as the result panel writes it: '4.0%', '$6.50', '3 days'."""
    if unit == "share":
        percent = value * 100
        return f"{percent:.1f}%" if round(percent, 1) == round(percent, 6) else f"{percent:g}%"
    if unit == "$":
        return money(value, digits=0 if abs(value) >= 100 else 2)
    if unit == "ratio":
        return f"{value:g}×"
    number = f"{value:,.0f}" if integral or float(value).is_integer() else f"{value:,g}"
    return f"{number} {unit}".strip()


class ParamRow(widgets.HBox):
    """Label (wrapping, never cut), input and formatted value of one parameter.

    ``unit`` is the parameter's own unit; the warn and fail thresholds take the unit of the
    metric they judge, which the explorer learns from the first result (``set_unit``).
    """

    def __init__(self, name: str, param: Param, value: float) -> None:
        self.name, self.param = name, param
        self.input = param_input(name, param, value)
        self.unit = param.unit
        self.label = widgets.HTML(
            f'<span title="{html.escape(tooltip(name, param))}" style="line-height:1.25">'
            f"{html.escape(short_label(param.help or name))}</span>",
            layout=widgets.Layout(width=LABEL_WIDTH))
        self.value_label = widgets.HTML(layout=widgets.Layout(width="120px"))
        self.input.observe(lambda _: self._show(), names="value")
        self._show()
        super().__init__([self.label, self.input, self.value_label],
                         layout=widgets.Layout(align_items="center"))

    def set_unit(self, unit: str) -> None:
        """Show the value in ``unit`` (the judged metric's unit, for warn and fail)."""
        if self.name in THRESHOLDS and unit != self.unit:
            self.unit = unit
            self._show()

    def _show(self) -> None:
        self.value_label.value = f"<b>{html.escape(self.text())}</b>"

    def text(self) -> str:
        """The value on show, formatted."""
        return readout(self.input.value, self.unit, is_integral(self.param))
