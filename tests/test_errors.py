"""The one error-message shape: what, expected, got, hint."""

from opskit.errors import CombinedError, ConfigError, DataError, ParameterError, format_rows


def test_data_error_names_file_column_rows():
    """A DataError reads 'file, column, rows: expected ..., got .... Hint: ...'."""
    error = DataError("orders.csv", column="Created at", rows=[14, 88, 213],
                      expected="a date", got="'yesterday'", hint="export ISO dates")
    assert error.message == ("orders.csv, column 'Created at', rows 14, 88, 213: expected a "
                             "date, got 'yesterday'. Hint: export ISO dates")


def test_many_rows_are_summarized():
    """Long row lists show the first five and how many more."""
    assert format_rows(list(range(2, 12))) == "rows 2, 3, 4, 5, 6 and 5 more"
    assert format_rows([7]) == "row 7"


def test_parameter_error_is_one_sentence():
    """Parameter errors keep the scikit-learn sentence verbatim."""
    sentence = ("The 'sla_hours' parameter of fulfillment.late_shipments must be a number in "
                "[1, 720]. Got -3.")
    assert ParameterError(sentence).message == sentence


def test_combined_error_lists_every_problem():
    """Several problems are reported together, one per line."""
    error = CombinedError([ConfigError("a", got="1"), ConfigError("b", got="2")], "Two issues")
    assert error.message == "Two issues (2 problems):\n  - a: got 1.\n  - b: got 2."
    assert error.exit_code == 2
