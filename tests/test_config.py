"""engagement.yaml: safe loading, validation, and paths that stay inside the folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opskit.assumptions import resolve
from opskit.config import load_config
from opskit.errors import ConfigError


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text(text, encoding="utf-8")
    return folder


def test_full_config_is_read(tmp_path):
    """Every documented key is read into the config."""
    folder = write(tmp_path / "c", "client: Acme\nindustry: ecommerce\ncurrency: EUR\n"
                   "period: {start: 2026-07-01, end: 2026-09-30}\n"
                   "files:\n  orders: [data/a.csv, {path: data/b.xlsx, sheet: S, system: x}]\n"
                   "thresholds:\n  fulfillment.late_shipments: {warn: 0.05}\n")
    config = load_config(folder)
    assert (config.client, config.currency, str(config.period[1])) == ("Acme", "EUR",
                                                                      "2026-09-30")
    assert [f.display for f in config.files] == ["data/a.csv", "data/b.xlsx"]
    assert config.files[1].sheet == "S" and config.files[1].system == "x"
    assert config.thresholds == {"fulfillment.late_shipments": {"warn": 0.05}}


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    """A data file that is a symlink to another folder is refused, not followed."""
    outside = tmp_path / "other_client.csv"
    outside.write_text("order_id,ordered_at,total\n1,2026-07-01,1\n")
    folder = write(tmp_path / "c", "client: Acme\nfiles:\n  orders: data/orders.csv\n")
    (folder / "data").mkdir()
    os.symlink(outside, folder / "data" / "orders.csv")
    with pytest.raises(ConfigError, match="leads outside"):
        load_config(folder)


def test_missing_folder_and_missing_yaml_are_named(tmp_path):
    """A wrong path or a folder without engagement.yaml says so."""
    with pytest.raises(ConfigError, match="got nothing at that path"):
        load_config(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"engagement\.yaml"):
        load_config(tmp_path / "empty")


def test_assumption_overrides():
    """A number sets the base and scales low/high; a mapping sets all three."""
    assumptions = resolve({"hourly_cost": 120, "close_rate": {"low": 0.1, "base": 0.2,
                                                               "high": 0.3}})
    assert assumptions["hourly_cost"].triple() == (90.0, 120.0, 170.0)
    assert assumptions["close_rate"].triple() == (0.1, 0.2, 0.3)
    with pytest.raises(ConfigError, match="did you mean 'hourly_cost'"):
        resolve({"hourly_costs": 5})


def test_timezone_reaches_every_mapped_file(tmp_path):
    """A valid IANA zone is kept and set on each mapped file, canonical or adapter."""
    folder = write(tmp_path / "c", "client: Acme\ntimezone: ' America/Chicago '\nfiles:\n"
                   "  orders: [data/a.csv, {path: data/b.csv, adapter: shopify.orders}]\n")
    config = load_config(folder)
    assert config.timezone == "America/Chicago"
    assert [f.timezone for f in config.files] == ["America/Chicago", "America/Chicago"]
    assert load_config(write(tmp_path / "u", "client: Acme\ntimezone: UTC\n")).timezone == "UTC"
    assert load_config(write(tmp_path / "n", "client: Acme\n")).timezone is None


@pytest.mark.parametrize("written,close", [
    ("America/Chicgo", "America/Chicago"),
    ("america/new_york", "America/New_York"),
    ("EST", "America/New_York"),
    ("PST", "America/Los_Angeles"),
    ("Europe Berlin", "Europe/Berlin"),
])
def test_unknown_timezone_names_the_key_and_the_closest_zone(tmp_path, written, close):
    """A misspelt zone or an abbreviation is a ConfigError naming the key and a close zone."""
    folder = write(tmp_path / "c", f"client: Acme\ntimezone: {written}\n")
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    message = str(info.value)
    assert "key 'timezone'" in message and f"did you mean '{close}'?" in message
    assert "an IANA time zone name such as America/Chicago" in message


def test_timezone_with_no_close_match_gives_an_example(tmp_path):
    """A value that resembles no zone gets an example of a zone name."""
    with pytest.raises(ConfigError, match="use a zone name such as America/Chicago"):
        load_config(write(tmp_path / "c", "client: Acme\ntimezone: 42\n"))


# ---------------------------------------------------------------------------------------
# Bounded parsing: size, depth, aliases, repeated keys, numbers
# ---------------------------------------------------------------------------------------
def config_error(tmp_path: Path, text: str) -> str:
    """The message load_config gives for ``text`` as engagement.yaml."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path / "c", text))
    return info.value.message


def test_repeated_key_names_both_lines(tmp_path):
    """A key given twice is an error naming the key and both lines, at any depth."""
    assert config_error(tmp_path, "client: A\nnotes: x\nclient: B\n") == (
        "engagement.yaml, line 3: the key 'client' is given on lines 1 and 3: expected each "
        "key once in a mapping, got a repeated key. Hint: keep one of them; YAML would "
        "silently use the last")
    message = config_error(tmp_path, "client: A\nlimits:\n  max_rows: 5\n  max_rows: 6\n")
    assert message.startswith("engagement.yaml, line 4: the key 'max_rows' is given on "
                              "lines 3 and 4")


def test_repeated_key_on_one_line(tmp_path):
    """A key repeated inside one flow mapping is named with its single line."""
    assert config_error(tmp_path, "client: A\nfx: {EUR: 1.1, EUR: 1.2}\n").startswith(
        "engagement.yaml, line 2: the key 'EUR' is given twice on line 2")


def test_merge_keys_and_small_aliases_still_load(tmp_path):
    """An alias used a few times and a '<<' merge (whose keys override) are plain YAML and
    load as before."""
    folder = write(tmp_path / "c", "client: A\nassumptions: &base {hourly_cost: 80}\n"
                   "thresholds:\n  fulfillment.late_shipments: &t {warn: 0.05}\n"
                   "  fulfillment.backorders: {<<: *t, warn: 0.1}\n")
    config = load_config(folder)
    assert config.assumptions == {"hourly_cost": 80}
    assert config.thresholds["fulfillment.backorders"] == {"warn": 0.1}


def test_alias_expansion_beyond_the_budget_is_refused(tmp_path):
    """Aliases that expand past 100,000 values are refused while parsing, with the line
    where the budget ran out (five levels of 10: 111,111 values by line 7)."""
    lines = ["client: A", "notes: x", "a0: &a0 [" + ", ".join(["x"] * 10) + "]"]
    for level in range(1, 5):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    message = config_error(tmp_path, "\n".join(lines) + "\n")
    assert message.startswith("engagement.yaml, line 7: expected at most 100,000 values once "
                              "aliases (*name) are expanded")


def test_nesting_beyond_the_depth_limit_is_refused(tmp_path):
    """65 nested lists are refused (64 is the limit); 3,000 are too, never a RecursionError."""
    assert config_error(tmp_path, "client: A\nnotes: " + "[" * 65 + "]" * 65 + "\n") == (
        "engagement.yaml, line 2: expected values nested at most 64 levels deep, got deeper "
        "nesting. Hint: engagement.yaml needs a few levels; remove the nesting")
    assert "nested at most 64" in config_error(tmp_path, "client: A\nnotes: " + "[" * 3000)


def test_oversized_yaml_is_refused(tmp_path):
    """An engagement.yaml over 1 MB is refused before it is parsed."""
    message = config_error(tmp_path, "client: A\nnotes: '" + "x" * (1 << 20) + "'\n")
    assert message == ("engagement.yaml: expected a settings file of at most 1,024 KB, got a "
                       "larger file. Hint: engagement.yaml holds settings, not data")


@pytest.mark.parametrize(("text", "expected"), [
    ("limits: {max_field_kb: .inf}",
     "'limits.max_field_kb': expected a positive number, at most 1,048,576, got inf"),
    ("limits: {max_file_mb: .nan}",
     "'limits.max_file_mb': expected a positive number, at most 1,048,576, got nan"),
    ("limits: {max_rows: 0}",
     "'limits.max_rows': expected a positive number, at most 10,000,000,000, got 0"),
    ("limits: {max_rows: " + "9" * 400 + "}",
     "'limits.max_rows': expected a positive number, at most 10,000,000,000, got a number "
     "of 400 digits"),
    ("assumptions: {hourly_cost: -.inf}",
     "'assumptions.hourly_cost': expected a finite number in [-1e+15, 1e+15], got -inf"),
    ("lifecycle: {runs: " + "1" * 30 + "}",
     "'lifecycle.runs': expected a finite number in [-1e+15, 1e+15], got a number of 30 "
     "digits"),
    ("thresholds:\n  fulfillment.late_shipments: {sla_business_days: .nan}",
     "'thresholds.fulfillment.late_shipments.sla_business_days': expected a number in "
     "[0, 30], got nan"),
])
def test_numbers_are_finite_and_in_range(tmp_path, text, expected):
    """.inf, .nan and huge integers are ConfigErrors naming the key, the range and what was
    written (a digit count, not 400 digits)."""
    message = config_error(tmp_path, f"client: A\n{text}\n")
    assert message.startswith("engagement.yaml: " + expected)


def test_fx_names_every_unusable_rate_at_once(tmp_path):
    """A 400-digit and an infinite fx rate are both named in one ConfigError (the fx check
    bounds its own rates), each value quoted short."""
    message = config_error(tmp_path, "client: A\nfx: {EUR: " + "1" * 400 + ", JPY: .inf}\n")
    assert message.startswith(
        "engagement.yaml, key 'fx': EUR: the rate must be a positive number, got 1111")
    assert "; JPY: the rate must be a positive number, got inf:" in message
    assert len(message) < 400


def test_integer_too_long_to_parse_names_its_line(tmp_path):
    """An integer of 5,000 digits (past Python's own conversion limit) is refused while
    parsing, with its line and a short prefix."""
    message = config_error(tmp_path, "client: A\nnotes: " + "7" * 5000 + "\n")
    assert message.startswith("engagement.yaml, line 2: expected a number of at most 1000 "
                              "digits, got a number of 5000 digits ('77777")
    assert len(message) < 250
    hexadecimal = config_error(tmp_path, "client: A\nlimits: {max_rows: 0x" + "f" * 4000 + "}\n")
    assert hexadecimal.startswith("engagement.yaml, line 2: expected a number of at most 1000 "
                                  "digits, got a number of 4000 digits")


def test_non_number_limit_is_quoted_short(tmp_path):
    """A limit set to a long list is named with a short prefix of it, not its whole repr."""
    message = config_error(tmp_path, "client: A\nlimits:\n  max_rows: [" +
                           ", ".join(["12345"] * 5000) + "]\n")
    assert message.startswith("engagement.yaml, limits.max_rows: expected a positive number, "
                              "got [12345, 12345")
    assert len(message) < 200


def test_registry_compares_huge_numbers_exactly():
    """A check parameter given a 400-digit integer or inf is a ParameterError with the range,
    not an OverflowError."""
    from opskit.errors import ParameterError
    from opskit.registry import get, load_all

    load_all()
    spec = get("fulfillment.late_shipments")
    for value in (10 ** 400, float("inf")):
        with pytest.raises(ParameterError, match=r"must be a number in \[0, 30\]"):
            spec.resolve({"sla_business_days": value})


def test_numbers_in_text_settings_stay_text(tmp_path):
    """A numeric client name of 20 digits is text, not a number to bound: it loads."""
    config = load_config(write(tmp_path / "c", "client: 12345678901234567890\n"))
    assert config.client == "12345678901234567890"
