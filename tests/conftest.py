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


def _hypothesis_profiles() -> None:
    """'default' keeps `make test` fast; 'fuzz' (HYPOTHESIS_PROFILE=fuzz, `make fuzz`) runs
    at least 1,000 examples per fuzz target."""
    import os

    from hypothesis import HealthCheck, settings

    common = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                        HealthCheck.too_slow])
    settings.register_profile("default", max_examples=40, **common)
    settings.register_profile("fuzz", max_examples=1000, **common)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


_hypothesis_profiles()
