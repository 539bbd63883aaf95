"""The opskit error tree and its one message shape.

Every problem a consultant can fix (a broken export, a bad setting) is an ``OpskitError``
whose message reads the same way everywhere::

    orders.csv, column 'Created at', rows 14, 88, 213: expected a date, got 'yesterday'.
    Hint: export dates as YYYY-MM-DD.

Row numbers are line numbers in the file as a spreadsheet shows them: the header is row 1,
the first data row is row 2. The CLI prints the message and exits with code 2; it never shows
a traceback for an ``OpskitError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MAX_ROWS_SHOWN = 5


def format_rows(rows: Sequence[int], limit: int = MAX_ROWS_SHOWN) -> str:
    """Render row numbers as 'row 7' or 'rows 14, 88, 213 and 12 more'."""
    rows = list(rows)
    if not rows:
        return ""
    head = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {head}{more}"


def shorten(value: object, limit: int = 60) -> str:
    """Quote a found value for a message, cut so one huge cell cannot flood the terminal."""
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 4] + "...'"


class OpskitError(Exception):
    """Base of every error opskit raises on purpose; the CLI turns it into exit code 2."""

    exit_code = 2

    def __init__(
        self,
        what: str,
        *,
        expected: str | None = None,
        got: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.expected = expected
        self.got = got
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.what
        if self.expected is not None:
            text += f": expected {self.expected}"
            if self.got is not None:
                text += f", got {self.got}"
        elif self.got is not None:
            text += f": got {self.got}"
        text += "."
        if self.hint:
            text += f" Hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.message


class DataError(OpskitError):
    """A client file that cannot be used as it is: names file, column, rows, expected, got."""

    def __init__(
        self,
        file: str,
        *,
        column: str | None = None,
        rows: Iterable[int] = (),
        expected: str | None = None,
        got: str | None = None,
        hint: str | None = None,
        table: str | None = None,
    ) -> None:
        self.file = file
        self.column = column
        self.rows = list(rows)
        self.table = table
        where = [file]
        if column is not None:
            where.append(f"column '{column}'")
        if self.rows:
            where.append(format_rows(self.rows))
        super().__init__(", ".join(where), expected=expected, got=got, hint=hint)


class UnreadableFileError(DataError):
    """The file cannot be parsed into a table at all (empty, binary, corrupt, wrong format)."""


class TableError(DataError):
    """The file was read but the table is not usable (a required column missing, no rows)."""


class ConfigError(OpskitError):
    """engagement.yaml, a manifest or a parameter is wrong."""


class ParameterError(ConfigError):
    """A check parameter is outside its declared range, of the wrong type, or unknown.

    Its message is one sentence in scikit-learn's shape, e.g. "The 'sla_hours' parameter of
    fulfillment.late_shipments must be a number in [1, 720]. Got -3."
    """

    def __init__(self, sentence: str, *, check_id: str | None = None,
                 parameter: str | None = None, value: object = None) -> None:
        self.check_id, self.parameter, self.value = check_id, parameter, value
        Exception.__init__(self, sentence)
        self.what, self.expected, self.got, self.hint = sentence, None, None, None

    @property
    def message(self) -> str:
        return self.what


class UnknownCheckError(ConfigError):
    """A check id that is not registered; the message lists the closest ids."""


class MissingExtraError(OpskitError):
    """An optional dependency is needed: the message carries the install command."""


class CombinedError(OpskitError):
    """Several problems found at once, so the consultant fixes them in one pass."""

    def __init__(self, errors: Sequence[OpskitError], summary: str) -> None:
        self.errors = list(errors)
        self.summary = summary
        Exception.__init__(self, self.message)
        self.what, self.expected, self.got, self.hint = summary, None, None, None

    @property
    def message(self) -> str:
        lines = [f"{self.summary} ({len(self.errors)} problems):"]
        lines += [f"  - {e.message}" for e in self.errors]
        return "\n".join(lines)

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return 2
