"""Judging a share counted over a whole population, not estimated from a sample.

An access review lists every account, a process inventory every critical process, a
spreadsheet inventory every critical sheet. A share counted over such a list (accounts
without MFA, admins of a system, fragile sheets) is a census: another month would not draw
another sample of the same accounts, so there is no sampling noise for a Wilson bound to
allow for (``judge_rate`` is for rates of a process, e.g. orders shipped late). What can
mislead is a list too short for a share to mean anything: one fragile sheet of three is 33%.
So a census share has a minimum evidence (a count of records listed) and, above it, is
judged as it is; below it the verdict is PASS and says "too few to judge".
"""

from __future__ import annotations

from opskit.checks._common import judge, ratio
from opskit.findings import Status


def judge_census(found: int, population: int, warn: float, fail: float, *,
                 min_evidence: int, noun: str = "records") -> tuple[Status, str]:
    """Verdict on ``found ÷ population`` for a complete list, and why.

    Fewer than ``min_evidence`` records listed is a PASS that says "too few to judge" when
    the share would have raised an alarm (nothing to say otherwise); from the minimum on,
    the share decides with the usual thresholds.
    """
    status = judge(ratio(found, population), warn, fail)
    if population < min_evidence:
        why = (f"too few to judge: {population:,} {noun} (at least {min_evidence:,} needed)"
               if status.flagged else "")
        return Status.PASS, why
    return status, ""
