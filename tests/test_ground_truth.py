"""Ground truth: every planted problem is found, and the clean control stays clean.

planted.json in each sample folder records what the generator planted: the check, the
expected status, the range the metric must fall in, and ids the evidence must contain.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SAMPLE_CLIENTS, SAMPLES


def planted(slug: str) -> dict:
    return json.loads((SAMPLES / slug / "planted.json").read_text(encoding="utf-8"))


PLANTED = [(slug, entry) for slug in SAMPLE_CLIENTS for entry in planted(slug)["planted"]]


@pytest.mark.parametrize("slug,entry", PLANTED,
                         ids=[f"{s}:{e['check']}" for s, e in PLANTED])
def test_planted_problem_is_found(slug, entry, sample_diagnoses):
    """The planted check has the expected status, its metric in range, its subjects flagged."""
    result = sample_diagnoses[slug][entry["check"]]
    assert str(result.status) == entry["status"], result.one_line()
    for name, (low, high) in entry["metrics"].items():
        value = result.metrics[name].value
        assert low <= value <= high, f"{name}={value} not in [{low}, {high}]"
    if entry.get("subjects"):
        assert result.evidence is not None
        column = entry.get("subject_column") or result.evidence_id
        found = set(result.evidence[column].astype(str))
        missing = sorted(set(map(str, entry["subjects"])) - found)
        assert not missing, f"subjects not in evidence: {missing[:5]}"


def test_control_has_no_findings(sample_diagnoses):
    """The clean control company has no WARN or FAIL at all."""
    flagged = [r.check_id for r in sample_diagnoses["control"].results if r.status.flagged]
    assert flagged == []


@pytest.mark.parametrize("slug", SAMPLE_CLIENTS)
def test_expected_statuses(slug, sample_diagnoses):
    """Every status pinned in planted.json's 'expected' map is what the check reports."""
    expected = {k: v for k, v in planted(slug)["expected"].items() if v is not None}
    actual = {k: str(sample_diagnoses[slug][k].status) for k in expected}
    wrong = {k: (expected[k], actual[k]) for k in expected if expected[k] != actual[k]}
    assert wrong == {}


def test_print_confusion_table(sample_diagnoses, capsys):
    """Prints the check x client table of statuses (expected/actual) for the record."""
    rows = {}
    for slug in SAMPLE_CLIENTS:
        expected = planted(slug)["expected"]
        for result in sample_diagnoses[slug].results:
            want = expected.get(result.check_id)
            cell = str(result.status) if want in (None, str(result.status)) else (
                f"{result.status}≠{want}")
            rows.setdefault(result.check_id, {})[slug] = cell
    table = pd.DataFrame(rows).T[list(SAMPLE_CLIENTS)]
    with capsys.disabled():
        print("\nStatus by check and client (≠ marks a mismatch with planted.json):")
        print(table.to_string())
    assert len(table) == 42
    recall = sum(1 for slug, e in PLANTED
                 if str(sample_diagnoses[slug][e["check"]].status) == e["status"])
    assert recall == len(PLANTED)
