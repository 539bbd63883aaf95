"""The consoles opskit prints to, and client text made safe to print on them.

A client's name, a file name or a cell quoted in an error message is client data: it can hold
escape sequences (``\\e]0;title\\a`` retitles the window, ``\\e[2J`` clears it), rich markup
(``[red]``) or emoji codes (``:x:``). Every console opskit creates comes from ``make_console``,
which turns emoji codes off and shows any control character that reaches it as a visible
escape (even in text a caller forgot to pass through ``shown``); ``shown`` is what a caller
wraps client text in before putting it inside markup.

Wide things that must stay whole at 80 columns (check ids, paths) are printed with
``soft_wrap=True`` or given ``no_wrap`` columns: rich's ``fold`` cuts mid-word.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from opskit.textsafe import terminal_text


class SafeConsole(Console):
    """A rich ``Console`` that never passes a control character of printed text to the
    terminal: every string it renders (plain, markup, table cells and titles) goes through
    ``terminal_text`` first. Styling is unaffected: rich adds its own escapes afterwards."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(terminal_text(text), **kwargs)


def make_console(*, stderr: bool = False, **kwargs: Any) -> Console:
    """A console for opskit's output: emoji codes off, control characters shown as text."""
    return SafeConsole(stderr=stderr, emoji=False, **kwargs)


def shown(text: object) -> str:
    """``text`` (client data) ready to put inside rich markup: control characters as visible
    escapes, markup brackets escaped."""
    return escape(terminal_text(str(text)))


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """'1 finding', '2 findings', '0 findings' (``plural_form`` for irregular nouns)."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count:,} {word}"
