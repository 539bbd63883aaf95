"""Shared fixtures: the committed sample engagements, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SAMPLE_CLIENTS = ("dtc", "distributor", "services", "control")


@pytest.fixture(scope="session")
def sample_engagements():
    """Every sample client, loaded once: slug -> Engagement."""
    from opskit.engagement import Engagement

    return {slug: Engagement.load(SAMPLES / slug) for slug in SAMPLE_CLIENTS}


@pytest.fixture(scope="session")
def sample_diagnoses(sample_engagements):
    """The full diagnostic of every sample client, run once: slug -> Diagnosis."""
    from opskit.diagnose import diagnose

    return {slug: diagnose(engagement) for slug, engagement in sample_engagements.items()}
