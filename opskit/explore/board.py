"""The explorer's overview: every check at a glance, worst first, one click to open it.

A consultant opening a client wants the board before the details: which of the 42 checks fail,
what each is worth, and then the one to look into. The board runs every check once on the whole
period with the engagement's thresholds, sorts by status (FAIL, WARN, ERROR, not assessable,
PASS) then by the annual impact, and shows one row per check: a coloured badge, the title as a
button that opens the check in the explorer, the impact and the id. When the explorer re-runs a
check on the whole period without a segment, its row follows (its place does not move, so the
board never jumps under the pointer).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

import ipywidgets as widgets

from opskit.findings import Result, Status
from opskit.money import money
from opskit.report.figures import COLOURS

SEVERITY = {Status.FAIL: 0, Status.WARN: 1, Status.ERROR: 2, Status.NOT_ASSESSABLE: 3,
            Status.PASS: 4}
esc = html.escape


def ordered(results: Iterable[Result]) -> list[Result]:
    """Worst status first, then the biggest annual impact, then the title."""
    return sorted(results, key=lambda r: (SEVERITY.get(r.status, 5), -_impact(r), r.title))


def _impact(result: Result) -> float:
    return result.impact.base if result.status in (Status.WARN, Status.FAIL) else 0.0


def badge(result: Result) -> str:
    """The status as a small coloured pill (HTML)."""
    colour = COLOURS.get(str(result.status), "#555")
    label = str(result.status).replace("_", " ")
    return (f'<span style="background:{colour};color:#fff;padding:1px 8px;border-radius:9px;'
            f'font-size:12px;font-weight:600;white-space:nowrap">{esc(label)}</span>')


def impact_text(result: Result) -> str:
    """What the finding is worth a year, as the report says it; blank when not flagged."""
    if result.status not in (Status.WARN, Status.FAIL):
        return ""
    if not result.impact.in_total and not result.impact.base:
        return "<small>no direct cost</small>"
    return f"{esc(money(result.impact.base))} a year"


def counts(results: Iterable[Result]) -> str:
    """'3 fail · 5 warn · 30 pass · 4 not assessable': the board's heading."""
    tally: dict[Status, int] = {}
    for result in results:
        tally[result.status] = tally.get(result.status, 0) + 1
    return " · ".join(f"{tally[s]} {str(s).replace('_', ' ').lower()}"
                      for s in SEVERITY if tally.get(s))


class StatusBoard:
    """One row per check, worst first; ``on_open(check_id)`` runs when a title is clicked."""

    def __init__(self, on_open: Callable[[str], None]) -> None:
        self.on_open = on_open
        self.heading = widgets.HTML()
        self.rows = widgets.VBox(layout=widgets.Layout(max_height="360px", overflow="auto"))
        self.box = widgets.VBox([self.heading, self.rows])
        self.results: dict[str, Result] = {}
        self.badges: dict[str, widgets.HTML] = {}
        self.impacts: dict[str, widgets.HTML] = {}
        self.buttons: dict[str, widgets.Button] = {}

    def order(self) -> list[str]:
        """The check ids as the rows show them, top to bottom."""
        return list(self.buttons)

    def show(self, results: Iterable[Result]) -> None:
        """Rebuild the board from ``results`` (one per check)."""
        results = ordered(results)
        for button in self.buttons.values():
            button.close()
        self.results = {r.check_id: r for r in results}
        self.badges, self.impacts, self.buttons, rows = {}, {}, {}, []
        for result in results:
            self.badges[result.check_id] = widgets.HTML(
                badge(result), layout=widgets.Layout(width="130px"))
            button = widgets.Button(description=result.title, tooltip=result.check_id,
                                    layout=widgets.Layout(width="auto", min_width="360px"))
            button.on_click(lambda _, check_id=result.check_id: self.on_open(check_id))
            self.buttons[result.check_id] = button
            self.impacts[result.check_id] = widgets.HTML(
                impact_text(result), layout=widgets.Layout(width="150px"))
            rows.append(widgets.HBox([self.badges[result.check_id], button,
                                      self.impacts[result.check_id],
                                      widgets.HTML(f"<small><code>{esc(result.check_id)}"
                                                   "</code></small>")]))
        self.rows.children = rows
        self.heading.value = f"<b>All checks</b>: {esc(counts(results))}"

    def update(self, result: Result) -> None:
        """Show ``result``'s new status and impact in its row, where the row is."""
        if result.check_id not in self.badges:
            return
        self.results[result.check_id] = result
        self.badges[result.check_id].value = badge(result)
        self.impacts[result.check_id].value = impact_text(result)
        self.heading.value = f"<b>All checks</b>: {esc(counts(self.results.values()))}"
