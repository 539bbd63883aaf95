"""The validated engagement `opskit run` hands to its kernel: used only when it checks out."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from conftest import SAMPLES

from opskit import handoff
from opskit.engagement import Engagement
from opskit.report import prepare


@pytest.fixture
def handed(tmp_path, sample_engagements):
    return handoff.write(sample_engagements["control"], tmp_path)


def test_round_trip_is_the_same_engagement(handed, sample_engagements):
    """What the kernel reads back has the same client, period and tables, row for row; the
    file is readable by this user only."""
    original = sample_engagements["control"]
    back = handoff.read(handed)
    assert (back.client, back.period, list(back.tables)) == (
        original.client, original.period, list(original.tables))
    for name, frame in original.tables.items():
        assert back.tables[name].equals(frame)
    mode = stat.S_IMODE((Path(handed["path"])).stat().st_mode)
    assert mode == 0o600


def test_a_file_that_does_not_check_out_is_never_unpickled(handed, tmp_path):
    """A changed byte, another digest, a missing file or no handoff at all: None, and the
    kernel loads the folder instead."""
    path = Path(handed["path"])
    data = bytearray(path.read_bytes())
    data[-2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert handoff.read(handed) is None
    assert handoff.read({**handed, "sha256": "0" * 64}) is None
    assert handoff.read({"path": str(tmp_path / "gone"), "sha256": handed["sha256"]}) is None
    assert handoff.read(None) is None and handoff.read({"path": "x"}) is None


def test_prepare_uses_the_handoff_instead_of_reading_the_folder(handed, monkeypatch):
    """With a handoff for the same folder, prepare does not load the engagement again."""
    def no_second_load(*args, **kwargs):
        raise AssertionError("the engagement was read twice")

    monkeypatch.setattr(Engagement, "load", no_second_load)
    ctx = prepare(SAMPLES / "control", validated=handed)
    assert ctx.diagnosis.client == "Juniper Lane Goods"


def test_a_handoff_for_another_folder_is_ignored(handed, monkeypatch):
    """A handoff whose engagement is not the folder asked for is not used."""
    loaded = []
    real_load = Engagement.load

    def counting_load(path, *args, **kwargs):
        loaded.append(path)
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(Engagement, "load", counting_load)
    ctx = prepare(SAMPLES / "services", validated=handed)
    assert ctx.diagnosis.client == "Brightline Home Services" and len(loaded) == 1


def test_remove_deletes_the_file(handed):
    handoff.remove(handed)
    assert not Path(handed["path"]).exists()
    handoff.remove(handed)  # twice is fine
    handoff.remove(None)
