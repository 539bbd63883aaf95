"""The same battery for every registered check, generated from the registry.

Like scikit-learn's estimator checks: each check gets its own test ids, so a new check is
covered the moment it is registered.
"""

from __future__ import annotations

import pandas as pd
import pytest

from opskit.findings import CHART_KINDS, Status
from opskit.playbooks import all_playbooks
from opskit.registry import CheckData, all_checks, run_check
from opskit.tables import TABLES

SPECS = {spec.id: spec for spec in all_checks()}
IDS = sorted(SPECS)


@pytest.fixture(scope="module")
def tables(sample_engagements):
    """For each canonical table, the frame of the first sample client that has it."""
    found = {}
    for engagement in sample_engagements.values():
        for name, frame in engagement.tables.items():
            found.setdefault(name, frame)
    return found


@pytest.fixture(scope="module")
def period(sample_engagements):
    return sample_engagements["dtc"].period


@pytest.fixture(scope="module")
def assumptions(sample_engagements):
    return sample_engagements["dtc"].assumptions


def test_there_are_42_checks():
    """Every check of the catalog is registered, once."""
    assert len(SPECS) == 42


@pytest.mark.parametrize("check_id", IDS)
def test_runs_on_every_sample(check_id, sample_diagnoses):
    """On every sample client the check returns a result that is not an ERROR."""
    for slug, diagnosis in sample_diagnoses.items():
        result = diagnosis[check_id]
        assert result.status is not Status.ERROR, f"{slug}: {result.error}"


@pytest.mark.parametrize("check_id", IDS)
def test_empty_tables(check_id, tables, period, assumptions):
    """With every table present but empty, the check is NOT_ASSESSABLE, never an error."""
    empty = {name: frame.iloc[0:0] for name, frame in tables.items()}
    result = run_check(SPECS[check_id], CheckData(empty, period, assumptions))
    assert result.status is Status.NOT_ASSESSABLE
    assert result.data_request


@pytest.mark.parametrize("check_id", IDS)
def test_single_row(check_id, tables, period, assumptions):
    """With one row per table the check returns a verdict or NOT_ASSESSABLE, never raises."""
    one = {name: frame.iloc[:1] for name, frame in tables.items()}
    result = run_check(SPECS[check_id], CheckData(one, period, assumptions))
    assert result.status is not Status.ERROR, result.error


@pytest.mark.parametrize("check_id", IDS)
def test_optional_columns_all_null(check_id, tables, period, assumptions):
    """With every optional column null the check still returns a result."""
    nulled = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for column in TABLES[name].optional:
            if column in frame:
                frame[column] = pd.Series(pd.NA, index=frame.index, dtype=frame[column].dtype) \
                    if str(frame[column].dtype) in ("boolean", "str", "string") else None
        nulled[name] = frame
    result = run_check(SPECS[check_id], CheckData(nulled, period, assumptions))
    assert result.status is not Status.ERROR, result.error


@pytest.mark.parametrize("check_id", IDS)
def test_no_data_names_what_to_request(check_id, period, assumptions):
    """With no tables the check is NOT_ASSESSABLE and its request names a needed table."""
    result = run_check(SPECS[check_id], CheckData({}, period, assumptions))
    assert result.status is Status.NOT_ASSESSABLE
    assert result.data_request.startswith("Send ")
    named = SPECS[check_id].needs or TABLES  # a check that can use one of several tables
    assert any(table in result.data_request for table in named)


@pytest.mark.parametrize("check_id", IDS)
def test_result_contract_on_samples(check_id, sample_diagnoses):
    """Metrics present (also on PASS), evidence rows carry ids, low <= base <= high."""
    spec = SPECS[check_id]
    for slug, diagnosis in sample_diagnoses.items():
        result = diagnosis[check_id]
        if result.status is Status.NOT_ASSESSABLE:
            continue
        assert spec.proof_metric in result.metrics, slug
        assert result.impact.ordered, (slug, result.impact)
        assert result.story is not None and result.story.symptom and result.story.cause
        assert result.impact.formula
        if result.evidence is not None and len(result.evidence):
            assert result.evidence_id in result.evidence.columns, slug
            assert result.evidence[result.evidence_id].notna().all(), slug
        if result.status.flagged:
            assert result.evidence is not None and len(result.evidence), slug


#: Most rows a cause chart may carry (it aggregates: weeks, top SKUs, buckets).
CHART_ROWS = 250


def chart_positions(chart) -> int:
    """Distinct places a chart draws a value: (x, series, facet) cells, and for a heatmap
    its (x, y) cells. One position is a single bar (or a single point)."""
    keys = [c for c in (chart.x, chart.series, chart.facet) if c]
    if chart.kind == "heatmap":
        keys = [chart.x, chart.y]
    return len(chart.data[keys].drop_duplicates())


@pytest.mark.parametrize("check_id", IDS)
def test_cause_chart_on_every_sample(check_id, sample_diagnoses):
    """Wherever the check was assessable (PASS, WARN, FAIL) on a sample, it returns a cause
    chart of a known kind with at least 2 rows, at most a few hundred, a note from the data,
    and never a single bar; figures.cause draws it."""
    from opskit.report import figures

    for slug, diagnosis in sample_diagnoses.items():
        result = diagnosis[check_id]
        if result.status not in (Status.PASS, Status.WARN, Status.FAIL):
            assert result.chart is None, slug
            continue
        chart = result.chart
        assert chart is not None, f"{slug}: {check_id} returns no cause chart"
        assert chart.kind in CHART_KINDS, slug
        assert 2 <= len(chart.data) <= CHART_ROWS, (slug, len(chart.data))
        assert chart_positions(chart) >= 2, f"{slug}: a single bar"
        assert chart.note and chart.title, slug
        figure = figures.cause(result)
        assert figure is not None and len(figure.data) >= 1, slug


@pytest.mark.parametrize("check_id", IDS)
def test_declaration(check_id):
    """Docstring starts with the title; params have defaults inside their range; warn/fail."""
    spec = SPECS[check_id]
    assert spec.doc.splitlines()[0].rstrip(".") == spec.title.rstrip(".")
    for section in ("Question", "Metric", "Threshold", "Impact"):
        assert section in spec.doc, section
    assert "warn" in spec.params and "fail" in spec.params
    for name, param in spec.params.items():
        assert param.min <= param.default <= param.max, name
        assert param.help, name
    assert spec.proof_metric


@pytest.mark.parametrize("check_id", IDS)
def test_docstring_states_the_semantics(check_id):
    """The docstring names the check's population, time basis, minimum evidence and base
    (CATALOG.md, "Conventions for every check, amended"), each with words after it."""
    doc = SPECS[check_id].doc
    for label in ("Population:", "Time basis:", "Minimum evidence:", "Base:"):
        assert label in doc, label
        assert doc.split(label, 1)[1].strip()[:3].strip(), label


@pytest.mark.parametrize("check_id", IDS)
def test_has_playbook(check_id):
    """Every check has a playbook whose proof metric is the check's headline metric."""
    book = all_playbooks()[check_id]
    assert check_id in book.checks
    assert book.proof_metric == SPECS[check_id].proof_metric


def test_every_playbook_names_an_existing_check():
    """No playbook points at a check that does not exist."""
    for book in all_playbooks().values():
        assert set(book.checks) <= set(SPECS), book.id


def test_readme_lists_the_checks():
    """README's check list is generated from the registry and in sync with it."""
    from opskit.readme import README, checks_by_hat

    assert checks_by_hat() in README.read_text(encoding="utf-8")
