"""Checks benchmark: the full ``diagnose`` against reading the same data, and its scaling.

Prints (a) suite time / load time on the scale-40 eCommerce sample (target <= 1.0: analysing
costs no more than reading) and (b) suite time at scale 40 / suite time at scale 4 (target
<= 12 for 10x the data: near-linear). Each figure is the best of ``--runs`` in one process
per scale. ``diagnose`` forks helpers for a large engagement (opskit.check_lanes, the
scale-40 sample); the time of all checks in one process is printed beside it. A benchmark,
not a test: it asserts nothing.

    python benchmarks/checks.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import in_subprocess, scaled_sample

MEASURE = """
import json, time
from opskit.engagement import Engagement
from opskit.diagnose import diagnose
from opskit.registry import all_checks
all_checks()
loads, suites, serial, slowest = [], [], [], {{}}
for _ in range({runs}):
    t = time.perf_counter()
    engagement = Engagement.load({path!r})
    loads.append(time.perf_counter() - t)
    t = time.perf_counter()
    diagnosis = diagnose(engagement)
    suites.append(time.perf_counter() - t)
for _ in range({runs}):  # the same checks, all in this process (no helper forked)
    t = time.perf_counter()
    diagnose(engagement, processes=1)
    serial.append(time.perf_counter() - t)
from opskit.diagnose import check_data
from opskit.registry import run_check
data = check_data(engagement)
for spec in all_checks():
    t = time.perf_counter(); run_check(spec, data); slowest[spec.id] = time.perf_counter() - t
rows = sum(len(f) for f in engagement.tables.values())
print(json.dumps({{"load": min(loads), "suite": min(suites), "serial": min(serial),
                   "rows": rows,
                   "slowest": sorted(slowest.items(), key=lambda kv: -kv[1])[:5]}}))
"""


def measure(scale: int, runs: int) -> dict:
    path = str(scaled_sample("dtc", scale))
    return in_subprocess(MEASURE.format(path=path, runs=runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    small = measure(4, args.runs)
    large = measure(40, args.runs)
    print(f"scale 4:  {small['rows']:,} rows; load {small['load']:.2f} s, "
          f"diagnose {small['suite']:.2f} s")
    print(f"scale 40: {large['rows']:,} rows; load {large['load']:.2f} s, "
          f"diagnose {large['suite']:.2f} s (all checks in one process: "
          f"{large['serial']:.2f} s)")
    print("slowest checks at scale 40: " + ", ".join(
        f"{name} {seconds:.2f} s" for name, seconds in large["slowest"]))
    print(f"suite / load at scale 40   {large['suite'] / large['load']:.2f}  (target <= 1.0; "
          "0.78 when issue 17 was filed, against a load of 5.48 s)")
    print(f"scale 40 / scale 4         {large['suite'] / small['suite']:.2f}  "
          "(target <= 12)")


if __name__ == "__main__":
    main()
