"""Checks in two processes (opskit.check_lanes): the same diagnosis as in one, whatever the
helpers do, and no helper left behind."""

from __future__ import annotations

import os
import time

import pytest

import opskit.check_lanes as lanes
from opskit.diagnose import check_data, diagnose
from opskit.registry import all_checks, get, run_check

#: The costly intermediates the order checks share: a check of the lane that runs apart
#: from the start must compute none of them (it would compute them a second time).
SHARED_INTERMEDIATES = ("order_codes", "period_orders", "live_order_rows", "gross_margin")


def fingerprint(diagnosis) -> list:
    """Everything a diagnosis says, evidence and chart rows included, comparable with ==."""
    def frame(value):
        return None if value is None else (value.to_csv(), value.dtypes.astype(str).tolist())

    return [diagnosis.to_json(evidence_rows=None)] + [
        (r.check_id, frame(r.evidence), None if r.chart is None else frame(r.chart.data))
        for r in diagnosis.results]


@pytest.fixture
def helpers(monkeypatch):
    """The pids of the helpers forked during a test; each must be reaped by its end."""
    forked, real = [], os.fork

    def fork():
        pid = real()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    yield forked
    for pid in forked:
        with pytest.raises(ChildProcessError):  # reaped already: no zombie, none running
            os.waitpid(pid, os.WNOHANG)


@pytest.fixture
def eager(monkeypatch):
    """The second helper forks right after the first order check, as when the first helper
    is done by then (on a busy machine it may not be: then the fork comes later or never)."""
    monkeypatch.setattr(lanes._Helper, "done", lambda self: True)


@pytest.fixture(scope="module")
def serial(sample_engagements):
    return {slug: fingerprint(diagnose(e, processes=1)) for slug, e in sample_engagements.items()}


@pytest.mark.parametrize("slug", ["dtc", "distributor", "services", "control"])
def test_two_processes_diagnose_exactly_as_one(sample_engagements, serial, helpers, eager,
                                               slug):
    """Every result, metric, evidence row and chart row is the same forked or not."""
    assert fingerprint(diagnose(sample_engagements[slug], processes=2)) == serial[slug]
    assert len(helpers) == 2


def in_helper(check_id: str, act):
    """A run_check that does ``act()`` when ``check_id`` runs in a helper process."""
    parent, real = os.getpid(), run_check

    def patched(spec, data, overrides=None):
        if spec.id == check_id and os.getpid() != parent:
            act()
        return real(spec, data, overrides)

    return patched


@pytest.mark.parametrize("check_id", ["sales.crm_duplicates", "margin.missing_cogs"])
def test_a_helper_that_dies_costs_only_time(sample_engagements, serial, helpers, eager,
                                            monkeypatch, check_id):
    """A helper killed mid-run (first lane, or the shared queue): its checks run here."""
    monkeypatch.setattr(lanes, "run_check", in_helper(check_id, lambda: os._exit(9)))
    for _ in range(3):  # the queue may hand margin.missing_cogs to either process
        assert fingerprint(diagnose(sample_engagements["dtc"], processes=2)) == serial["dtc"]


def test_a_helper_that_hangs_is_killed_and_its_checks_run_here(sample_engagements, serial,
                                                               helpers, monkeypatch):
    """A helper silent past its deadline is killed; the diagnosis is still whole."""
    monkeypatch.setattr(lanes, "DEADLINE_FACTOR", 0.0)
    monkeypatch.setattr(lanes, "DEADLINE_SLACK", 2.0)
    monkeypatch.setattr(lanes, "run_check",
                        in_helper("sales.crm_duplicates", lambda: time.sleep(3600)))
    assert fingerprint(diagnose(sample_engagements["dtc"], processes=2)) == serial["dtc"]
    assert len(helpers) == 1  # the stuck helper never freed its core for a second one


class InterruptedQueue(lanes._Queue):
    """A queue whose first claim in the process that made it is a Ctrl-C."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.maker = os.getpid()

    def claims(self):
        if os.getpid() == self.maker:
            raise KeyboardInterrupt
        yield from super().claims()


def test_an_interrupted_diagnosis_leaves_no_helper(sample_engagements, helpers, eager,
                                                   monkeypatch):
    """Ctrl-C while both helpers run kills and reaps them, then propagates."""
    monkeypatch.setattr(lanes, "_Queue", InterruptedQueue)
    with pytest.raises(KeyboardInterrupt):
        diagnose(sample_engagements["dtc"], processes=2)
    assert len(helpers) == 2


def test_the_first_lane_shares_nothing_with_the_order_checks(sample_engagements):
    """Each check forked from the start computes none of the order intermediates, so it is
    right to run it apart (PRICED_FROM_ORDERS names those that price with them)."""
    alone, ordered = lanes.split_lanes(all_checks())
    assert len(alone) + len(ordered) == len(all_checks())
    assert {"sales.crm_duplicates", "fulfillment.fulfillment_errors"} <= {s.id for s in alone}
    for spec in alone:
        data = check_data(sample_engagements["dtc"])
        run_check(spec, data)
        assert not set(SHARED_INTERMEDIATES) & set(data.memo), spec.id
    for check_id in lanes.PRICED_FROM_ORDERS:
        data = check_data(sample_engagements["dtc"])
        run_check(get(check_id), data)
        assert set(SHARED_INTERMEDIATES) & set(data.memo), check_id


def test_small_engagements_and_one_process_never_fork(sample_engagements, monkeypatch):
    """Below FORK_MIN_ROWS (every sample) or with processes=1 the checks run here."""
    def refuse():
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", refuse)
    engagement = sample_engagements["dtc"]
    assert sum(len(t) for t in engagement.tables.values()) < lanes.FORK_MIN_ROWS
    assert diagnose(engagement).results
    monkeypatch.setattr(lanes, "FORK_MIN_ROWS", 0)
    assert diagnose(engagement, processes=1).results
    with pytest.raises(AssertionError, match="forked"):
        diagnose(engagement)


def test_results_come_back_in_catalog_order(sample_engagements):
    """The diagnosis lists its checks in catalog order, whichever process ran them."""
    ids = [r.check_id for r in diagnose(sample_engagements["dtc"], processes=2).results]
    assert ids == [s.id for s in all_checks()]


def test_results_from_a_helper_are_ordinary_writable_frames(sample_engagements):
    """Evidence a helper sent (mapped from its shared memory file) can be edited like
    evidence made here: numbers and text alike, and the edit stays in this process."""
    first = diagnose(sample_engagements["dtc"], processes=2)["sales.crm_duplicates"].evidence
    second = diagnose(sample_engagements["dtc"], processes=2)["sales.crm_duplicates"].evidence
    first.loc[0, "records_for_person"] = -1
    first.loc[0, "customer_id"] = "edited"
    first.iloc[1, first.columns.get_loc("records_for_person")] = -2
    assert first.loc[0, "customer_id"] == "edited" and first["records_for_person"].iloc[1] == -2
    assert second.loc[0, "customer_id"] != "edited" and second["records_for_person"].min() > 1


@pytest.mark.parametrize("checks", [
    ["sales.crm_duplicates", "security.mfa_gaps"],  # no order check: all in one process
    ["margin.missing_cogs", "margin.stale_unit_cost", "marketing.cac_payback"],  # no other
    ["fulfillment.late_shipments", "sales.crm_duplicates"],  # one of each
    ["inventory.dead_stock"],  # one check: nothing to share
])
def test_any_selection_of_checks_diagnoses_as_in_one_process(sample_engagements, helpers,
                                                             eager, checks):
    """A diagnosis of some checks only (``--check``) is the same forked or not."""
    engagement = sample_engagements["dtc"]
    assert fingerprint(diagnose(engagement, checks, processes=2)) == fingerprint(
        diagnose(engagement, checks, processes=1))


@pytest.mark.parametrize("index", [1, 3])
def test_two_processes_diagnose_other_conventions_exactly_as_one(tmp_path, helpers, eager,
                                                                 index):
    """On an engagement from the independent conventions generator (other time zones, date
    styles and order-id styles, with planted problems), forked or not, the same diagnosis."""
    from opskit.conventions import CONVENTIONS, generate
    from opskit.engagement import Engagement

    convention = CONVENTIONS[index]
    engagement = Engagement.load(generate(tmp_path / convention.name, 40 + index, convention,
                                          True))
    assert fingerprint(diagnose(engagement, processes=2)) == fingerprint(
        diagnose(engagement, processes=1))
    assert len(helpers) == 2
