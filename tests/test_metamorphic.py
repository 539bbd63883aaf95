"""Findings do not depend on how the same business writes its data.

One healthy-with-problems company (planted, so that evidence lists are not empty) is written
once as the reference, then again with one change that must not move any finding: offsets or
``Z`` instead of local times, other order ids, shuffled rows, a table split over two files,
cancelled orders added with their voids, a location that never stocks anything. Status,
every metric value and the evidence ids must be the same (ids compared after renaming back).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import opskit
from opskit.conventions import convention, make_world, order_id, write
from opskit.conventions.variants import add_cancelled_orders, add_never_stocked_location

SEED = 21
BASE = convention("chicago_naive")


def findings(world, folder, rename: dict[str, str] | None = None) -> dict[str, tuple]:
    """check id -> (status, metrics, evidence ids) of the world written into ``folder``."""
    diagnosis = opskit.diagnose(opskit.Engagement.load(write(world, folder)))
    rename = rename or {}
    return {r.check_id: (str(r.status),
                         {k: m.value for k, m in r.metrics.items()},
                         sorted(rename.get(i, i) for i in r.evidence_ids()))
            for r in diagnosis.results}


def same(a: dict[str, tuple], b: dict[str, tuple]) -> list[str]:
    """The checks whose status, metrics or evidence ids differ."""
    differ = []
    for check_id, (status, metrics, ids) in a.items():
        other_status, other_metrics, other_ids = b[check_id]
        close = metrics.keys() == other_metrics.keys() and all(
            (x is None and y is None) or (x is not None and y is not None and math.isclose(
                x, y, rel_tol=1e-9, abs_tol=1e-9))
            for x, y in ((metrics[k], other_metrics[k]) for k in metrics))
        if status != other_status or not close or ids != other_ids:
            differ.append(check_id)
    return differ


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference findings: the planted company written naive, local, #1001 ids."""
    return findings(make_world(SEED, BASE, planted=True), tmp_path_factory.mktemp("ref"))


@pytest.mark.parametrize("change", [
    {"timestamps": "offset"}, {"timestamps": "zulu"}, {"shuffle": True},
    {"split": ("orders", "order_lines", "shipments", "calls", "inventory_levels",
               "accounts")},
], ids=["offsets", "zulu", "shuffled", "split"])
def test_writing_changes_move_no_finding(reference, tmp_path, change):
    """Offsets, Z, shuffled rows or split files leave every finding as it was."""
    world = make_world(SEED, BASE.but(**change), planted=True)
    assert same(reference, findings(world, tmp_path)) == []


def test_renamed_order_ids_move_no_finding(reference, tmp_path):
    """UUID order ids instead of #1001: same findings, evidence ids renamed back."""
    world = make_world(SEED, BASE.but(order_ids="uuid"), planted=True)
    numbers = world.tables["orders"]["_n"].tolist()
    back = {order_id(n, "uuid", SEED): order_id(n, "hash", SEED) for n in numbers}
    assert same(reference, findings(world, tmp_path, back)) == []


def test_cancelled_orders_with_their_voids_move_no_finding(reference, tmp_path):
    """40 orders voided before payment (never shipped, invoiced or booked) change nothing."""
    world = make_world(SEED, BASE, planted=True)
    added = add_cancelled_orders(world, 40, np.random.default_rng(5))
    assert len(added) == 40
    assert same(reference, findings(world, tmp_path)) == []


def test_never_stocked_location_moves_no_finding(reference, tmp_path):
    """A location listing every SKU at zero every day (it never stocks them) changes nothing."""
    world = make_world(SEED, BASE, planted=True)
    add_never_stocked_location(world)
    assert same(reference, findings(world, tmp_path)) == []
