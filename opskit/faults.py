"""A test hook: kill `opskit run` at a named stage, to prove a killed run leaves nothing behind.

``OPSKIT_FAULT_STAGE=<stage>`` makes the process SIGKILL itself when it reaches that stage
(``STAGES``). SIGKILL cannot be caught, so what the fault
tests (tests/test_faults.py) then find on disk is exactly what a power cut, the OOM killer
or ``kill -9`` would leave. ``OPSKIT_FAULT_SIGNAL=TERM`` sends SIGTERM instead (what a
service manager or ``kill`` sends: the run ends through its ``finally`` blocks). Unset
(always, outside those tests) it does nothing.
"""

from __future__ import annotations

import os
import signal

ENV = "OPSKIT_FAULT_STAGE"
SIGNAL_ENV = "OPSKIT_FAULT_SIGNAL"
STAGES = ("load", "kernel", "handoff", "html", "workbook", "ledger")


def point(stage: str) -> None:
    """Die here, at once and uncatchably, when ``OPSKIT_FAULT_STAGE`` names ``stage``."""
    if os.environ.get(ENV) == stage:
        name = os.environ.get(SIGNAL_ENV, "KILL")
        os.kill(os.getpid(), signal.SIGTERM if name == "TERM" else signal.SIGKILL)
