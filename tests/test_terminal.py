"""What opskit prints on a narrow terminal: ids, slugs and paths whole, client text inert."""

from __future__ import annotations

import io
import re
from pathlib import Path

from conftest import SAMPLES

from opskit.batch.display import print_summary, summary_table
from opskit.batch.worker import ClientOutcome
from opskit.terminal import make_console, shown


def outcomes(out: Path) -> list[ClientOutcome]:
    """A client that succeeded under a long slug, and one whose notebook raised."""
    long = "cedar-finch-home-and-garden-supply"
    return [
        ClientOutcome(slug=long, client="Cedar", engagement="x", status="ok", reason="ok",
                      duration_s=42, report=str(out / long / "2026-12-07T0612/report.html"),
                      total_impact={"base": 1874586.0}),
        ClientOutcome(slug="broken", client="Broken", engagement="x", status="failed",
                      reason="notebook raised", attempts=2,
                      message="cell 4 raised ValueError: bad data",
                      notebook=str(out / "broken/2026-12-07T0612/diagnostic.ipynb")),
    ]


def test_batch_summary_at_80_columns_keeps_slugs_and_paths_whole(tmp_path):
    """At 80 columns the batch summary is two lines a client: slug whole, then the report
    path (relative to the output folder) or the failure and its notebook, never cut."""
    buffer = io.StringIO()
    console = make_console(file=buffer, width=80)
    print_summary(console, outcomes(tmp_path.resolve()), tmp_path)
    assert buffer.getvalue().splitlines() == [
        "Batch summary",
        "  ✓ ok  cedar-finch-home-and-garden-supply  42 s · 1 try · $1,874,586 a year",
        "      cedar-finch-home-and-garden-supply/2026-12-07T0612/report.html",
        "  ✗ notebook raised  broken  0 s · 2 tries",
        "      cell 4 raised ValueError: bad data — notebook: "
        "broken/2026-12-07T0612/diagnostic.ipynb",
    ]


def test_batch_summary_on_a_wide_terminal_is_the_table(tmp_path):
    """At 100 columns or more the summary is the table, with the same facts."""
    buffer = io.StringIO()
    console = make_console(file=buffer, width=160)
    print_summary(console, outcomes(tmp_path.resolve()), tmp_path)
    text = buffer.getvalue()
    assert "cedar-finch-home-and-garden-supply/2026-12-07T0612/report.html" in text
    assert "│ cedar-finch-home-and-garden-supply │ ok " in text
    assert summary_table(outcomes(tmp_path), tmp_path).title == "Batch summary"


def test_hostile_slug_and_message_in_the_batch_summary_are_text(tmp_path):
    """A slug or failure message with escape sequences, markup or an emoji code prints as
    visible text."""
    bad = ClientOutcome(slug="evil\x1b[2J", client="E", engagement="x", status="failed",
                        reason="error", message="[red]:x: \x1b]0;t\x07")
    buffer = io.StringIO()
    print_summary(make_console(file=buffer, width=80), [bad], tmp_path)
    assert buffer.getvalue().splitlines() == [
        "Batch summary",
        "  ✗ error  evil\\x1b[2J  0 s · 1 try",
        "      [red]:x: \\x1b]0;t\\x07",
    ]


def test_shown_makes_client_text_inert():
    """``shown`` makes control characters visible and markup literal."""
    assert shown("a\x1b[2Jb [bold]c\x07") == "a\\x1b[2Jb \\[bold]c\\x07"
    assert shown(3) == "3"


def test_history_at_80_columns_names_every_finding_whole(tmp_path, capsys):
    """`opskit history` at 80 columns: one diagnostic (singular), every flagged check id
    whole on its finding's story line."""
    from opskit.cli import main
    from opskit.diagnose import diagnose
    from opskit.engagement import Engagement
    from opskit.history import record_and_summarize

    engagement = Engagement.load(SAMPLES / "dtc")
    diagnosis = diagnose(engagement)
    ledger = tmp_path / "ledger.sqlite"
    record_and_summarize(engagement, diagnosis, ledger)
    assert main(["history", str(SAMPLES / "dtc"), "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].strip() == "Cedar & Finch Home: 1 diagnostic"
    flagged = [r.check_id for r in diagnosis.results if r.status.flagged]
    assert len(flagged) >= 10
    assert [c for c in flagged if not re.search(rf"\({re.escape(c)}\)$", out, re.M)] == []
