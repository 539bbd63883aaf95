"""False alarms, recall and metric error of every check on independently generated companies.

Engagements come from ``opskit.conventions`` (written apart from ``opskit.samples``): healthy
companies under every convention (clock style, ids, statuses, stock layout, invoicing, ledger
names) for ``--seeds`` seeds, and planted companies for ``--planted-seeds`` seeds. Prints the
false-alarm rate (WARN/FAIL per check-run on healthy companies) per check with the
conventions that trigger it, then per planted check: recall, status agreement and the
largest metric error. Asserts nothing: it measures.

    python benchmarks/false_alarms.py [--seeds 50] [--planted-seeds 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opskit.conventions import CONVENTIONS
from opskit.conventions.evaluate import TOLERANCE, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--planted-seeds", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    runs: dict[str, int] = defaultdict(int)
    alarms: dict[str, int] = defaultdict(int)
    triggers: dict[str, set[str]] = defaultdict(set)
    for conv in CONVENTIONS:
        for seed in range(args.seeds):
            for o in run(seed, conv):
                runs[o.check_id] += 1
                if o.false_alarm:
                    alarms[o.check_id] += 1
                    triggers[o.check_id].add(conv.name)
        print(f"healthy {conv.name}: {args.seeds} seeds done "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    total_runs, total_alarms = sum(runs.values()), sum(alarms.values())
    print(f"\nfalse alarms on healthy companies: {total_alarms} of {total_runs} check-runs "
          f"= {total_alarms / max(total_runs, 1):.2%} "
          f"({args.seeds} seeds x {len(CONVENTIONS)} conventions)")
    print(f"{'check':44} {'runs':>5} {'alarms':>6} {'rate':>7}  conventions")
    for check_id in sorted(runs, key=lambda c: (-alarms[c], c)):
        print(f"{check_id:44} {runs[check_id]:5d} {alarms[check_id]:6d} "
              f"{alarms[check_id] / runs[check_id]:7.1%}  "
              + ", ".join(sorted(triggers[check_id])))
    found: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    planted_runs: dict[str, int] = defaultdict(int)
    worst: dict[str, float] = defaultdict(float)
    misses: dict[str, set[str]] = defaultdict(set)
    for conv in CONVENTIONS:
        for seed in range(args.planted_seeds):
            for o in run(1000 + seed, conv, planted=True):
                planted_runs[o.check_id] += 1
                found[o.check_id] += o.found
                right[o.check_id] += o.correct
                worst[o.check_id] = max(worst[o.check_id],
                                        o.error if o.error is not None else float("inf"))
                if not o.correct:
                    misses[o.check_id].add(conv.name)
    print(f"\nplanted problems ({args.planted_seeds} seeds x {len(CONVENTIONS)} conventions; "
          f"correct = expected status and metric within {TOLERANCE * 100:.1f} points)")
    print(f"{'check':44} {'recall':>7} {'correct':>8} {'max error':>10}  wrong under")
    for check_id in sorted(planted_runs):
        n = planted_runs[check_id]
        print(f"{check_id:44} {found[check_id] / n:7.0%} {right[check_id] / n:8.0%} "
              f"{worst[check_id]:10.4f}  " + ", ".join(sorted(misses[check_id])))
    recall = sum(found.values()) / max(sum(planted_runs.values()), 1)
    print(f"\nrecall {recall:.0%}; false-alarm rate {total_alarms / max(total_runs, 1):.2%}; "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
