"""Judge the checks on generated engagements: false alarms on healthy ones, recall and metric
error on planted ones. Shared by tests/test_conventions.py and benchmarks/false_alarms.py.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opskit.conventions.styles import Convention

TOLERANCE = 0.005  # a planted share must read within half a point of its planted value


@dataclass(frozen=True)
class Outcome:
    """One check on one generated engagement, against what it should have said."""

    check_id: str
    status: str
    metric: str | None = None
    value: float | None = None
    expected_status: str | None = None  # None on a healthy engagement: must not be flagged
    expected_value: float | None = None

    @property
    def false_alarm(self) -> bool:
        return self.expected_status is None and self.status in ("WARN", "FAIL")

    @property
    def found(self) -> bool:
        return self.expected_status is not None and self.status in ("WARN", "FAIL")

    @property
    def error(self) -> float | None:
        if self.expected_value is None or self.value is None:
            return None
        return abs(self.value - self.expected_value)

    @property
    def correct(self) -> bool:
        """Planted: the expected status and the value within tolerance (exact for counts)."""
        if self.expected_status is None:
            return not self.false_alarm
        tolerance = TOLERANCE if self.expected_value is not None and abs(
            self.expected_value) <= 1 else 0.0
        return (self.status == self.expected_status and self.error is not None
                and self.error <= tolerance + 1e-9)


def run(seed: int, convention: Convention, planted: bool = False,
        folder: Path | None = None) -> list[Outcome]:
    """Generate one engagement, load it, run every check in-process, score each result."""
    import opskit
    from opskit.conventions import generate

    with tempfile.TemporaryDirectory() as tmp:
        where = generate(Path(folder or tmp) / f"{convention.name}-{seed}", seed, convention,
                         planted)
        truth = json.loads((where / "planted.json").read_text())["expected"]
        diagnosis = opskit.diagnose(opskit.Engagement.load(where))
    outcomes = []
    for result in diagnosis.results:
        expected = truth.get(result.check_id)
        if planted and expected is None:
            continue  # a planted company judges only its planted checks
        metric = expected["metric"] if expected else result.headline
        measured = result.metrics.get(metric) if metric else None
        outcomes.append(Outcome(
            result.check_id, str(result.status), metric,
            None if measured is None or measured.value is None else float(measured.value),
            expected["status"] if expected else None,
            expected["value"] if expected else None))
    return outcomes
