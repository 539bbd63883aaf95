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
