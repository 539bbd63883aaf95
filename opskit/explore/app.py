"""The explorer app: selectors, generated inputs and the result panel, wired together.

One engagement is loaded once; every change (a slider, the period, the segment) re-runs the
selected check only, on frames that are already in memory (``Slicer``), and updates the
result panel in place. Bad input (a warn past its fail, an end before the start, a value the
yaml would refuse) is shown in the panel and leaves the last result standing; it never raises
out of a widget callback, where a consultant would see a traceback in the log.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from opskit.config import CONFIG_NAME
from opskit.engagement import Engagement, Period
from opskit.errors import ConfigError, OpskitError
from opskit.explore.board import StatusBoard
from opskit.explore.exporting import EXPORT_DIR, export_view
from opskit.explore.inputs import ParamRow, clean
from opskit.explore.panel import ResultPanel
from opskit.explore.pinning import pin_thresholds
from opskit.explore.slicing import Segment, Slicer
from opskit.findings import HATS, Result
from opskit.money import using_currency
from opskit.registry import CheckSpec, all_checks, get, run_check

ALL = ("All data", "")  # the no-segment choice: a label and a key no real value has
esc = html.escape


class Explorer(widgets.VBox):
    """The interactive explorer for one engagement (an ipywidgets VBox: display it).

    Attributes the tests and notebooks drive: ``board`` (every check's status; a click on a
    title opens it), ``hat_picker``, ``check_picker``, ``param_inputs`` (name -> input
    widget; ``param_rows`` holds each with its label and formatted value), ``start_picker``,
    ``end_picker``, ``segment_by``, ``segment_value``, ``pin_button``, ``export_button``,
    ``export_folder``; and read: ``result`` (the Result on show), ``message`` (what the last
    action said), ``panel`` (badge, metric, impact, story, figure, evidence widgets).

    With ``board_in_background`` (the explorer notebook) the app is usable as soon as the
    first check is on show: the board's other 41 checks are diagnosed in a thread and fill
    it when done (``wait_for_board``), instead of holding the page for about a second more.
    """

    def __init__(self, engagement: Engagement, check: str | None = None,
                 export_dir: str | Path | None = None, *,
                 board_in_background: bool = False) -> None:
        self.engagement = engagement
        self.slicer = Slicer(engagement)
        self.pinned: dict[str, dict[str, Any]] = {
            k: dict(v or {}) for k, v in engagement.config.thresholds.items()}
        self.specs = {spec.id: spec for spec in all_checks()}
        self.result: Result | None = None
        self._view: tuple[Any, ...] | None = None  # what the result on show was run for
        self.runs = 0
        self._holding = False
        first = get(check) if check else next(iter(self.specs.values()))

        self.hat_picker = widgets.Dropdown(
            options=[(name, hat) for hat, name in HATS.items()], value=first.hat,
            description="Hat")
        self.check_picker = widgets.Dropdown(description="Check",
                                             layout=widgets.Layout(width="560px"))
        period = engagement.period
        self.start_picker = widgets.DatePicker(value=period.start.date(), description="From")
        self.end_picker = widgets.DatePicker(value=period.end.date(), description="To")
        self.segment_by = widgets.Dropdown(description="Segment", options=[ALL])
        self.segment_value = widgets.Dropdown(description="Value", options=[ALL],
                                              disabled=True)
        self._choices: dict[tuple[str, str], list[Any]] = {}
        self.params_box = widgets.VBox()
        self.param_rows: dict[str, ParamRow] = {}
        self.param_inputs: dict[str, widgets.ValueWidget] = {}
        self.pin_button = widgets.Button(description="Pin thresholds", icon="thumb-tack",
                                         tooltip="Write the tuned values into "
                                                 "engagement.yaml under thresholds:")
        self.reset_button = widgets.Button(description="Reset to defaults", icon="undo")
        self.export_button = widgets.Button(description="Export view", icon="download",
                                            tooltip="Chart as HTML, evidence as CSV")
        self.export_folder = widgets.Text(value=str(Path(export_dir) if export_dir else
                                                    engagement.path.resolve() / EXPORT_DIR),
                                          description="Export to",
                                          layout=widgets.Layout(width="560px"))
        self.message = widgets.HTML()
        self.panel = ResultPanel()
        self.board = StatusBoard(on_open=self.open_check)

        title = widgets.HTML(f"<h3>{esc(engagement.client)}: explore the checks</h3>")
        super().__init__([
            title,
            self.board.box,
            widgets.HBox([self.hat_picker, self.check_picker]),
            widgets.HBox([self.start_picker, self.end_picker]),
            widgets.HBox([self.segment_by, self.segment_value]),
            self.params_box,
            widgets.HBox([self.pin_button, self.reset_button, self.export_button]),
            self.export_folder,
            self.message,
            self.panel.box,
        ])

        self.hat_picker.observe(self._on_hat, names="value")
        self.check_picker.observe(self._on_check, names="value")
        for picker in (self.start_picker, self.end_picker, self.segment_value):
            picker.observe(self._on_change, names="value")
        self.segment_by.observe(self._on_segment_by, names="value")
        self.pin_button.on_click(lambda _: self.pin())
        self.reset_button.on_click(lambda _: self.reset())
        self.export_button.on_click(lambda _: self.export())
        with self._hold():
            self._fill_checks(first.hat, first.id)
        self._board_done = threading.Event()
        if board_in_background:
            self.board.heading.value = (f"<b>All checks</b>: diagnosing the "
                                        f"{len(self.specs)} checks…")
            self._select(first.id)
            threading.Thread(target=self._fill_board, name="opskit-board",
                             daemon=True).start()
        else:
            self._fill_board()
            self._select(first.id)

    # -- what the app shows ------------------------------------------------------------
    @property
    def spec(self) -> CheckSpec:
        return self.specs[self.check_picker.value]

    def values(self) -> dict[str, float]:
        """The inputs' values at each parameter's resolution."""
        return {name: clean(self.spec.params[name], box.value)
                for name, box in self.param_inputs.items()}

    def period(self) -> Period:
        """The period chosen; an end before the start is a ConfigError."""
        start, end = self.start_picker.value, self.end_picker.value
        if start is None or end is None:
            raise ConfigError("period", expected="a start and an end date",
                              got="an empty date")
        if end < start:
            raise ConfigError("period", expected="a start on or before the end",
                              got=f"{start} to {end}")
        return Period(pd.Timestamp(start), pd.Timestamp(end))

    def segment(self) -> Segment | None:
        """The segment chosen (None: all data)."""
        dimension = self._dimension()
        if dimension is None or not self.segment_value.value:
            return None
        values = {str(v): v for v in self._choices[dimension]}
        return Segment(dimension[0], dimension[1], values[self.segment_value.value])

    def refresh(self) -> Result | None:
        """Re-run the selected check with the current inputs and update the panel."""
        if self._holding:
            return self.result
        try:
            values = self.values()
            self.spec.resolve(values)
            period = self.period()
        except OpskitError as problem:
            self._say(f"Not updated: {esc(problem.message)}", error=True)
            return self.result
        view = (self.spec.id, tuple(values.items()), period, self.segment())
        if view != self._view:  # e.g. a segment dimension picked, its value still "all"
            # The check's text and the panel show money in the engagement's currency.
            with using_currency(self.engagement.config.currency):
                self.result = run_check(self.spec, self.slicer.data(view[2], view[3]),
                                        values)
                self.runs += 1
                self._view = view
                self.panel.show(self.result)
                self._follow(self.result, whole=self._whole(view))
        self._say("")
        return self.result

    def open_check(self, check_id: str) -> Result | None:
        """Show ``check_id`` (the board's click): its hat, its inputs, its result."""
        spec = self.specs[check_id]
        with self._hold():
            self.hat_picker.value = spec.hat
            self._fill_checks(spec.hat, check_id)
        self._select(check_id)
        return self.result

    # -- actions -------------------------------------------------------------------------
    def pin(self) -> dict[str, float] | None:
        """Pin the tuned values of the selected check into engagement.yaml (validated)."""
        check_id = self.spec.id
        try:
            pinned = pin_thresholds(self.engagement.path, check_id, self.values())
        except OpskitError as problem:
            self._say(f"Not pinned: {esc(problem.message)}", error=True)
            return None
        if pinned:
            self.pinned[check_id] = dict(pinned)
        else:
            self.pinned.pop(check_id, None)
        config = self.engagement.config
        thresholds = {k: dict(v) for k, v in config.thresholds.items()}
        thresholds.pop(check_id, None)
        if pinned:
            thresholds[check_id] = dict(pinned)
        self.engagement.config = replace(config, thresholds=thresholds)
        what = ", ".join(f"{k} = {v:g}" for k, v in pinned.items()) or "nothing (all defaults)"
        self._say(f"Pinned {esc(what)} for {esc(check_id)} in "
                  f"<code>{esc(str(self.engagement.path.resolve() / CONFIG_NAME))}</code>; the "
                  "next <code>opskit run</code> uses them.")
        return pinned

    def reset(self) -> None:
        """Every input back to the check's declared default (nothing is written)."""
        with self._hold():
            for name, box in self.param_inputs.items():
                box.value = self.spec.params[name].default
        self.refresh()

    def export(self) -> dict[str, Path] | None:
        """Write the chart (HTML) and the evidence (CSV) of the result on show."""
        if self.result is None or self._view is None:
            self._say("Nothing to export yet.", error=True)
            return None
        _, _, period, segment = self._view  # what the result on show was run for
        try:
            written = export_view(self.panel.figure, self.result, period, segment,
                                  self.export_folder.value)
        except OpskitError as problem:
            self._say(f"Not exported: {esc(problem.message)}", error=True)
            return None
        files = ", ".join(f"<code>{esc(str(p))}</code>" for p in written.values())
        self._say(f"Exported {files}.")
        return written

    def wait_for_board(self, timeout: float | None = None) -> bool:
        """Block until the board shows every check (True), or ``timeout`` seconds pass."""
        return self._board_done.wait(timeout)

    # -- wiring --------------------------------------------------------------------------
    def _fill_board(self) -> None:
        """The board from every check; then the row of the check on show follows its
        inputs (a check tuned while the board was being filled included)."""
        try:
            self.board.show(self._overview())
            if self.result is not None and self._view is not None and self._whole(
                    self._view):
                self.board.update(self.result)
        except Exception as exc:  # never a silent blank board: say why, keep the app
            self.board.heading.value = (f"<b>All checks</b>: the board could not be "
                                        f"built ({esc(type(exc).__name__)}: {esc(str(exc))})")
        finally:
            self._board_done.set()

    def _whole(self, view: tuple[Any, ...]) -> bool:
        """Whether ``view`` is what the board measures: the whole period, no segment."""
        period, whole = view[2], self.engagement.period
        return view[3] is None and (period.start, period.end) == (whole.start, whole.end)

    def _overview(self) -> list[Result]:
        """Every check on the whole period with the engagement's thresholds: the board."""
        data = self.slicer.data(self.engagement.period, None)
        with using_currency(self.engagement.config.currency):
            return [run_check(spec, data, self.pinned.get(spec.id))
                    for spec in self.specs.values()]

    def _follow(self, result: Result, whole: bool) -> None:
        """Formatted values in the judged metric's unit; the board row when the view is the
        whole period without a segment (what the board measures)."""
        metric = result.headline_metric
        for row in self.param_rows.values():
            row.set_unit(metric.unit if metric else "")
        if whole:
            self.board.update(result)

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Several widget changes, one refresh (at the end, by the caller)."""
        held, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = held

    def _fill_checks(self, hat: str, selected: str | None = None) -> None:
        options = [(f"{s.title} ({s.id})", s.id) for s in self.specs.values() if s.hat == hat]
        self.check_picker.options = options
        self.check_picker.value = selected or options[0][1]

    def _select(self, check_id: str) -> None:
        """Build the inputs and segment choices of ``check_id``, then run it once."""
        spec = self.specs[check_id]
        start = {**{n: p.default for n, p in spec.params.items()},
                 **self.pinned.get(check_id, {})}
        with self._hold():
            for old in self.param_rows.values():
                old.input.close()  # the previous check's inputs: free their comms
                old.close()
            self.param_rows = {name: ParamRow(name, param, start[name])
                               for name, param in spec.params.items()}
            self.param_inputs = {name: row.input for name, row in self.param_rows.items()}
            for box in self.param_inputs.values():
                box.observe(self._on_change, names="value")
            self.params_box.children = list(self.param_rows.values())
            self._fill_segments(spec)
        self.refresh()

    def _fill_segments(self, spec: CheckSpec) -> None:
        """Offer the segments of ``spec``'s tables; keep the chosen one when it is offered."""
        kept_dimension, kept_value = self.segment_by.value, self.segment_value.value
        self._choices = self.slicer.choices(spec)
        keys = [f"{table}.{column}" for table, column in self._choices]
        self.segment_by.options = [ALL] + [(key, key) for key in keys]
        self.segment_by.value = kept_dimension if kept_dimension in keys else ALL[1]
        self.segment_by.disabled = not keys  # this check's tables have nothing to slice by
        self._fill_values(kept_value)

    def _dimension(self) -> tuple[str, str] | None:
        key = self.segment_by.value
        return next((d for d in self._choices if f"{d[0]}.{d[1]}" == key), None)

    def _fill_values(self, keep: str = "") -> None:
        dimension = self._dimension()
        labels = [str(v) for v in self._choices.get(dimension, [])] if dimension else []
        self.segment_value.options = [ALL] + [(label, label) for label in labels]
        self.segment_value.value = keep if keep in labels else ALL[1]
        self.segment_value.disabled = dimension is None

    def _say(self, fragment: str, error: bool = False) -> None:
        """Show ``fragment`` (HTML whose client text the caller escaped) above the panel."""
        colour = "#c0392b" if error else "#2c3e50"
        self.message.value = f'<p style="color:{colour}">{fragment}</p>' if fragment else ""

    def _on_hat(self, change: dict[str, Any]) -> None:
        with self._hold():
            self._fill_checks(change["new"])
        self._select(self.check_picker.value)

    def _on_check(self, change: dict[str, Any]) -> None:
        if not self._holding and change["new"] is not None:
            self._select(change["new"])

    def _on_segment_by(self, change: dict[str, Any]) -> None:
        with self._hold():
            self._fill_values()
        self.refresh()

    def _on_change(self, _change: dict[str, Any]) -> None:
        self.refresh()
