"""Ground truth: the check ids, the planted problems and planted.json.

Each planted problem names the check that must fire, the status it must reach, an interval
for each headline metric (computed on generated data with the definitions of the metrics
contract, and verified independently by tests/test_samples.py), and ids of offending records
that the check's evidence must contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The 42 checks of the catalog (shared/CATALOG.md), in catalog order.
CHECK_IDS: tuple[str, ...] = (
    "fulfillment.late_shipments",
    "fulfillment.data_defects_drive_delays",
    "fulfillment.order_to_ship_time",
    "fulfillment.address_exceptions",
    "fulfillment.shipping_cost_recovery",
    "fulfillment.fulfillment_errors",
    "inventory.record_accuracy",
    "inventory.negative_on_hand",
    "inventory.stockouts",
    "inventory.dead_stock",
    "margin.missing_cogs",
    "margin.stale_unit_cost",
    "margin.negative_margin_orders",
    "margin.books_vs_computed_cogs",
    "cash.dso_vs_terms",
    "cash.ar_over_90",
    "cash.duplicate_bills",
    "cash.close_lag",
    "cash.manual_journals",
    "sales.missed_calls",
    "sales.speed_to_lead",
    "sales.stale_pipeline",
    "sales.crm_duplicates",
    "marketing.discount_leakage",
    "marketing.attribution_coverage",
    "marketing.cac_payback",
    "marketing.delivery_promise_gap",
    "integration.orders_vs_invoices",
    "integration.orphan_skus",
    "integration.manual_rekeying",
    "integration.revenue_reconciliation",
    "knowledge.single_points_of_failure",
    "knowledge.vacation_test",
    "knowledge.spreadsheet_dependency",
    "efficiency.automation_candidates",
    "efficiency.ops_headcount_vs_growth",
    "efficiency.manual_touches",
    "security.departed_staff_access",
    "security.mfa_gaps",
    "security.admin_sprawl",
    "security.shared_logins",
    "security.dormant_paid_seats",
)

PERIOD = {"start": "2026-07-01", "end": "2026-09-30"}


@dataclass(frozen=True)
class Planted:
    """One planted problem and what a correct check must report about it."""

    check: str
    status: str
    metrics: dict[str, tuple[float, float]]
    subject_column: str
    subjects: list[str]
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": self.status,
            "metrics": {k: [_num(lo), _num(hi)] for k, (lo, hi) in self.metrics.items()},
            "subject_column": self.subject_column,
            "subjects": [str(s) for s in self.subjects][:20],
            "description": self.description,
        }


def _num(x: float) -> float | int:
    if float(x).is_integer() and abs(x) >= 1:
        return int(x)
    return float(f"{x:.6g}")


@dataclass
class Collector:
    """Offending ids gathered while chunks are generated (bounded: at most a few dozen)."""

    limit: int = 20
    firsts: dict[str, list[str]] = field(default_factory=dict)
    tops: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    sums: dict[str, dict[str, float]] = field(default_factory=dict)

    def first(self, key: str, ids: np.ndarray) -> None:
        """Keep the first ``limit`` distinct ids in the order they occur."""
        bucket = self.firsts.setdefault(key, [])
        for value in ids:
            if len(bucket) >= self.limit:
                break
            if value is not None and str(value) not in bucket:
                bucket.append(str(value))

    def top(self, key: str, ids: np.ndarray, values: np.ndarray) -> None:
        """Keep the ``limit`` ids with the largest values (ties broken by id)."""
        bucket = self.tops.setdefault(key, [])
        bucket.extend((float(v), str(i)) for i, v in zip(ids, values, strict=True))
        bucket.sort(key=lambda t: (-t[0], t[1]))
        del bucket[self.limit:]

    def add_sum(self, key: str, ids: np.ndarray, values: np.ndarray) -> None:
        """Accumulate a value per id (few distinct ids: SKUs, months)."""
        bucket = self.sums.setdefault(key, {})
        for i, v in zip(ids, values, strict=True):
            bucket[str(i)] = bucket.get(str(i), 0.0) + float(v)

    def get(self, key: str) -> list[str]:
        if key in self.firsts:
            return list(self.firsts[key])
        if key in self.tops:
            return [i for _, i in self.tops[key]]
        if key in self.sums:
            items = sorted(self.sums[key].items(), key=lambda t: (-t[1], t[0]))
            return [i for i, _ in items][: self.limit]
        return []


def planted_json(*, slug: str, name: str, seed: int, scale: int, planted: list[Planted],
                 expected: dict[str, str | None], set_aside: dict[str, int]) -> dict[str, Any]:
    """The planted.json document of one client."""
    missing = [c for c in CHECK_IDS if c not in expected]
    extra = [c for c in expected if c not in CHECK_IDS]
    if missing or extra:
        raise ValueError(f"{slug}: expected is missing {missing} / has unknown {extra}")
    for p in planted:
        if expected[p.check] != p.status:
            raise ValueError(f"{slug}: {p.check} planted {p.status}, expected "
                             f"{expected[p.check]}")
    return {
        "client": slug,
        "name": name,
        "seed": seed,
        "scale": scale,
        "period": dict(PERIOD),
        "planted": [p.to_dict() for p in planted],
        "set_aside": dict(set_aside),
        "expected": {c: expected[c] for c in CHECK_IDS},
    }
