"""The validated engagement `opskit run` hands to its kernel: used only when it checks out."""

from __future__ import annotations

import contextlib
import json
import os

import pytest
from conftest import SAMPLES

from opskit import handoff
from opskit.engagement import Engagement
from opskit.report import prepare


@pytest.fixture
def handed(sample_engagements):
    handed = handoff.write(sample_engagements["control"])
    yield handed
    handed.close()


def test_round_trip_is_the_same_engagement(handed, sample_engagements):
    """What the kernel reads back has the same client, period and tables, row for row."""
    original = sample_engagements["control"]
    back = handoff.read(handed.parameter)
    assert (back.client, back.period, list(back.tables)) == (
        original.client, original.period, list(original.tables))
    for name, frame in original.tables.items():
        assert back.tables[name].equals(frame)


def test_the_handoff_has_no_name_on_disk(handed):
    """The client's data is in a file without a name: the descriptor points at no path in
    any folder (a memfd or an unlinked file), so no way a run ends can leave it behind."""
    target = os.readlink(f"/proc/self/fd/{handed.fd}")
    assert target.startswith("/memfd:opskit-handoff") or target.endswith("(deleted)")
    assert os.fstat(handed.fd).st_nlink == 0
    assert set(handed.parameter) == {"fd", "size", "sha256"}
    assert handed.parameter["size"] == os.fstat(handed.fd).st_size


def test_bytes_that_do_not_check_out_are_never_unpickled(handed):
    """A changed byte, another digest, a closed or wrong descriptor, or no handoff at all:
    None, and the kernel loads the folder instead."""
    assert handoff.read({**handed.parameter, "sha256": "0" * 64}) is None
    other = os.open(os.devnull, os.O_RDONLY)
    try:
        assert handoff.read({**handed.parameter, "fd": other}) is None
    finally:
        os.close(other)
    last = handed.parameter["size"] - 2
    byte = os.pread(handed.fd, 1, last)
    os.pwrite(handed.fd, bytes([byte[0] ^ 0xFF]), last)
    assert handoff.read(handed.parameter) is None
    parameter = dict(handed.parameter)
    handed.close()
    assert handoff.read(parameter) is None
    assert handoff.read(None) is None and handoff.read({"fd": 3}) is None
    assert handoff.read({"fd": "x", "size": 1, "sha256": ""}) is None


def test_prepare_uses_the_handoff_instead_of_reading_the_folder(handed, monkeypatch):
    """With a handoff for the same folder, prepare does not load the engagement again."""
    def no_second_load(*args, **kwargs):
        raise AssertionError("the engagement was read twice")

    monkeypatch.setattr(Engagement, "load", no_second_load)
    ctx = prepare(SAMPLES / "control", validated=handed.parameter)
    assert ctx.diagnosis.client == "Juniper Lane Goods"


def test_a_handoff_for_another_folder_is_ignored(handed, monkeypatch):
    """A handoff whose engagement is not the folder asked for is not used."""
    loaded = []
    real_load = Engagement.load

    def counting_load(path, *args, **kwargs):
        loaded.append(path)
        return real_load(path, *args, **kwargs)

    monkeypatch.setattr(Engagement, "load", counting_load)
    ctx = prepare(SAMPLES / "services", validated=handed.parameter)
    assert ctx.diagnosis.client == "Brightline Home Services" and len(loaded) == 1


def test_close_releases_the_descriptor(handed):
    """close() releases the descriptor, and twice is fine."""
    fd = handed.fd
    handed.close()
    with pytest.raises(OSError):
        os.fstat(fd)
    handed.close()
    assert handed.fd == -1


def test_the_prepared_context_is_used_only_for_its_own_request(sample_engagements):
    """`opskit run` hands the context it prepared with the request it answers, without the
    tables' rows: the notebook gets it back for exactly that request, and None for any other
    (it then prepares its own from the folder); a hand-off without a context gives None
    too."""
    engagement = sample_engagements["control"]
    request = {"engagement": str(engagement.path.resolve()), "period_start": None,
               "period_end": None, "audience": "client", "checks": None, "thresholds": {}}
    ctx = prepare(engagement, audience="client")
    handed = handoff.write(engagement, ctx, request)
    try:
        back = handoff.context(handed.parameter, request)
        assert (back.audience, back.diagnosis.total_impact()) == (
            "client", ctx.diagnosis.total_impact())
        assert handoff.context(handed.parameter, {**request, "audience": "consultant"}) is None
        assert handoff.context(handed.parameter, {**request, "checks": ["sales.missed_calls"]}
                               ) is None
        # the rows stay behind: the context's engagement has every table's columns and
        # accounting, none of its rows, and a notebook asking for another request loads the
        # folder itself (read gives no engagement)
        assert handoff.read(handed.parameter) is None
        slim = back.engagement
        assert (slim.client, slim.period, slim.quality.keys()) == (
            engagement.client, engagement.period, engagement.quality.keys())
        for name, frame in engagement.tables.items():
            assert len(slim.tables[name]) == 0 and len(frame) > 0
            assert slim.tables[name].dtypes.equals(frame.dtypes)
            assert slim.loaded[name].frame is slim.tables[name]
        assert slim.row_accounting().equals(engagement.row_accounting())
        assert all(len(f) == 0 and slim.loaded[n].failures is f
                   for n, f in slim.failures.items())
        assert handed.parameter["size"] < sum(
            f.memory_usage(deep=True).sum() for f in engagement.tables.values()) / 4
    finally:
        handed.close()
    bare = handoff.write(engagement)
    try:
        assert handoff.context(bare.parameter, request) is None
    finally:
        bare.close()


def test_a_reserved_handoff_is_filled_after_the_kernel_inherits_it(sample_engagements):
    """The file exists (empty) before the kernel starts and is filled while it boots: the
    same descriptor then reads back the engagement."""
    handed = handoff.reserve()
    try:
        assert handed.parameter == {} and os.fstat(handed.fd).st_size == 0
        assert handed.fill(handoff.payload(sample_engagements["services"]))
        assert handoff.read(handed.parameter).client == "Brightline Home Services"
        assert handed.fill(handoff.payload(sample_engagements["control"]))  # refilled whole
        assert handoff.read(handed.parameter).client == "Juniper Lane Goods"
    finally:
        handed.close()


def test_the_kernel_reads_the_announced_handoff_before_the_notebook_asks(
        sample_engagements, monkeypatch):
    """The kernel's thread (``prefetch``) unpickles the payload as soon as its parameter is
    announced on the pipe; the hand-off cell gets that very payload when given the same
    parameter, once. A later read, or a parameter other than the one announced (a refill),
    reads the file: the same trust rule as without a prefetch."""
    monkeypatch.setattr(handoff, "_prefetched", [])
    engagement = sample_engagements["control"]
    request = {"engagement": str(engagement.path.resolve()), "period_start": None,
               "period_end": None, "audience": "client", "checks": None, "thresholds": {}}
    handed = handoff.reserve()
    try:
        handoff.prefetch(handed.announce_fd)
        handed.announce_fd = -1  # the prefetch owns the read end now (as the kernel does)
        ahead = handoff._prefetched[0]
        assert not ahead.done.is_set()  # nothing announced yet: the thread waits
        assert handed.fill(handoff.payload(engagement, prepare(engagement, audience="client"),
                                           request))
        assert ahead.done.wait(timeout=60) and ahead.parameter == handed.parameter
        prefetched = ahead.payload["context"]
        assert handoff.context(handed.parameter, request) is prefetched
        assert ahead.payload is None and ahead.parameter is None  # handed out once
        again = handoff.context(handed.parameter, request)  # read from the file
        assert again is not prefetched and again.audience == "client"
        assert handed.fill(handoff.payload(sample_engagements["services"]))  # not announced
        assert handoff.read(handed.parameter).client == "Brightline Home Services"
    finally:
        handed.close()


def test_an_announcement_that_does_not_check_out_is_not_used(sample_engagements,
                                                             monkeypatch):
    """Announced bytes whose digest is wrong are never unpickled by the prefetch, and the
    hand-off cell, reading the file itself, refuses them too."""
    monkeypatch.setattr(handoff, "_prefetched", [])
    read_end, write_end = os.pipe()
    handed = handoff.write(sample_engagements["control"])
    try:
        handoff.prefetch(read_end)
        forged = {**handed.parameter, "sha256": "0" * 64}
        os.write(write_end, (json.dumps(forged) + "\n").encode())
        os.close(write_end)
        assert handoff._prefetched[0].done.wait(timeout=60)
        assert handoff._prefetched[0].parameter is None
        assert handoff.read(forged) is None
        assert handoff.read(handed.parameter).client == "Juniper Lane Goods"
    finally:
        handed.close()


def test_a_context_that_cannot_be_pickled_is_prepared_by_the_kernel(tmp_path, monkeypatch):
    """When the prepared context cannot be handed over, the kernel prepares the report
    itself and writes findings.xlsx again, over the one the forked writer already finished:
    the run completes with one whole workbook and no temporary file left."""
    import openpyxl

    from opskit.run import run

    original = handoff.Handoff.fill
    tried = []

    def refuse_contexts(self, payload):
        tried.append(payload.get("context") is not None)
        return False if payload.get("context") is not None else original(self, payload)

    monkeypatch.setattr(handoff.Handoff, "fill", refuse_contexts)
    outcome = run(SAMPLES / "dtc", out=tmp_path / "reports", progress=False, record=False)
    assert tried == [True, False]
    book = openpyxl.load_workbook(outcome.xlsx, read_only=True)
    assert book.sheetnames[0] == "Summary" and len(book.sheetnames) == 24
    assert sorted(p.name for p in outcome.folder.iterdir()) == [
        "evidence", "findings.json", "findings.xlsx", "report.html", "run"]


def test_the_forked_workbook_writer_holds_none_of_the_handoffs_descriptors(monkeypatch,
                                                                         tmp_path):
    """The workbook's writer is a fork of the run, made before the hand-off is filled: it
    closes the hand-off's file and both ends of its pipe first, so only the run and its
    kernel ever hold them (compared by what each descriptor points at, not its number,
    which the child may reuse)."""
    import pickle

    from opskit import run as run_module

    def targets() -> set[str]:
        found = set()
        for name in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):  # the listing's own descriptor, closed now
                found.add(os.readlink(f"/proc/self/fd/{name}"))
        return found

    def report_descriptors(context, folder, pipe):
        os.write(pipe, pickle.dumps(targets()))
        os._exit(0)

    monkeypatch.setattr(run_module, "_write_workbook_and_exit", report_descriptors)
    handed = handoff.reserve()
    try:
        ours = {os.readlink(f"/proc/self/fd/{d}") for d in handed.descriptors()}
        assert len(ours) == 2  # the anonymous file, and the pipe both ends belong to
        assert any("opskit-handoff" in t or "(deleted)" in t for t in ours)
        writer = run_module._WorkbookApart(lambda pid: None, lambda pid: None)
        writer.start(None, tmp_path, close_in_child=handed.descriptors())
        writer.join()
        assert not pickle.loads(writer._report) & ours
    finally:
        handed.close()
    assert handed.descriptors() == ()
