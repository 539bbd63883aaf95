"""The independent conventions generator, and the checks judged on what it writes.

Healthy companies must raise no WARN/FAIL under any convention; planted ones must be found,
with the planted status and each metric within half a point of its planted rate, under every
timestamp style (CATALOG.md, "Conventions for every check, amended"). A few seeds run here;
benchmarks/false_alarms.py runs fifty per convention.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from opskit.conventions import CONVENTIONS, TIMESTAMP_STYLES, convention, generate, make_world
from opskit.conventions.evaluate import run
from opskit.conventions.writer import deadline_text, moment_text, order_id

IDS = [c.name for c in CONVENTIONS]
SEEDS = [(11 + i, c) for i, c in enumerate(CONVENTIONS)]  # a different seed per convention


def test_every_timestamp_style_has_a_convention():
    """The named conventions cover naive, offset, Z and date-only-deadline styles."""
    assert sorted({c.style for c in CONVENTIONS}) == sorted(TIMESTAMP_STYLES)


def test_moment_text_writes_each_clock_style():
    """A local 09:30 in Chicago is written naive, with -05:00 (summer), or as 14:30Z."""
    at = pd.Series(pd.to_datetime(["2026-04-02 09:30:00", None]))
    assert moment_text(at, "naive", "America/Chicago").tolist() == ["2026-04-02 09:30:00", ""]
    assert moment_text(at, "offset", "America/Chicago").tolist() == [
        "2026-04-02T09:30:00-05:00", ""]
    assert moment_text(at, "zulu", "America/Chicago").tolist() == ["2026-04-02T14:30:00Z", ""]
    assert moment_text(at, "offset", "Asia/Kolkata").tolist()[0] == "2026-04-02T09:30:00+05:30"


def test_deadline_text_is_a_date_or_that_day_at_six_pm():
    """A due day is a plain date under date-only deadlines, else 18:00 local that day."""
    due = pd.Series(pd.to_datetime(["2026-04-03"]))
    assert deadline_text(due, convention("newyork_dates")).tolist() == ["2026-04-03"]
    assert deadline_text(due, convention("berlin_offset")).tolist() == [
        "2026-04-03T18:00:00+02:00"]


def test_order_id_styles():
    """Order 123 reads #1123, SO-000123, or a version-4 UUID fixed by the seed."""
    assert order_id(123, "hash", 0) == "#1123"
    assert order_id(123, "so", 0) == "SO-000123"
    assert order_id(123, "uuid", 4) == order_id(123, "uuid", 4) != order_id(123, "uuid", 5)
    assert order_id(123, "uuid", 4)[14] == "4"


def test_generate_is_deterministic_and_writes_the_truth(tmp_path):
    """Same seed, same bytes; planted.json holds each planted check's status and value."""
    conv = convention("kolkata_zulu")
    a = generate(tmp_path / "a", 3, conv, planted=True)
    b = generate(tmp_path / "b", 3, conv, planted=True)
    for name in ("orders", "shipments", "inventory_levels", "accounts"):
        assert (a / "data" / f"{name}.csv").read_bytes() == (b / "data" / f"{name}.csv"
                                                             ).read_bytes()
    truth = json.loads((a / "planted.json").read_text())
    assert truth["variant"] == "planted" and truth["style"] == "zulu"
    assert truth["expected"]["security.departed_staff_access"] == {
        "metric": "departed_enabled", "status": "WARN", "value": 6.0}
    assert truth["expected"]["sales.missed_calls"]["status"] == "FAIL"
    assert abs(truth["expected"]["fulfillment.late_shipments"]["value"] - 0.12) < 0.001
    assert abs(truth["expected"]["inventory.stockouts"]["value"] - 0.15) < 0.0005
    config = yaml.safe_load((a / "engagement.yaml").read_text())
    assert config["timezone"] == "Asia/Kolkata"
    assert config["files"]["orders"] == "data/orders.csv"
    orders = pd.read_csv(a / "data" / "orders.csv", dtype=str)
    assert orders["ordered_at"].str.endswith("Z").all()
    assert set(orders["status"]) == {"complete", "Cancelled", "Refunded", "test", "draft"}
    assert "campaign" not in orders  # lean exports leave optional columns out


def test_split_tables_are_listed_as_two_files(tmp_path):
    """A split table is written as two files that engagement.yaml lists, rows complete."""
    conv = convention("chicago_naive").but(split=("orders",))
    folder = generate(tmp_path / "s", 1, conv)
    files = yaml.safe_load((folder / "engagement.yaml").read_text())["files"]["orders"]
    assert files == ["data/orders_a.csv", "data/orders_b.csv"]
    rows = sum(len(pd.read_csv(folder / f)) for f in files)
    assert rows == len(make_world(1, conv).tables["orders"])


def test_healthy_world_is_healthy_by_construction():
    """The healthy company's own rates sit well inside CATALOG's thresholds."""
    world = make_world(0, convention("berlin_offset"))
    ship = world.tables["shipments"]
    assert abs(ship["_late"].mean() - 0.01) < 0.001
    calls = world.tables["calls"]
    inbound = calls[calls["direction"] == "inbound"]
    assert (inbound["outcome"] != "answered").mean() < 0.06
    assert world.tables["products"]["unit_cost"].notna().all()
    assert world.stocking["Hub East"] == world.fast_skus


@pytest.mark.parametrize(("seed", "conv"), SEEDS, ids=IDS)
def test_healthy_companies_raise_no_alarm(seed, conv):
    """A healthy company written under any convention gets no WARN or FAIL."""
    alarms = [(o.check_id, o.status, o.metric, o.value) for o in run(seed, conv)
              if o.false_alarm]
    assert alarms == []


@pytest.mark.parametrize(("seed", "conv"), SEEDS, ids=IDS)
def test_planted_problems_are_found_and_measured(seed, conv):
    """Every planted problem is flagged with its status and its planted rate (±0.5 point)."""
    outcomes = run(seed + 20, conv, planted=True)
    assert len(outcomes) == 18
    wrong = [(o.check_id, o.status, o.expected_status, o.value, o.expected_value)
             for o in outcomes if not o.correct]
    assert wrong == []
