"""Load benchmark: the scale-40 eCommerce sample through Engagement.load vs plain pandas.

Prints (a) load time as a ratio to ``pandas.read_csv(engine="pyarrow")`` of the same files
in the same run (target <= 1.5) and (b) peak memory of the load as a ratio to the in-memory
size of the raw frames (target <= 3). Each measurement runs in its own fresh process; the
floor and the load take turns (floor, load, floor, load...) so that both meet the same
machine, and the best of three runs is kept for time. The CPU time of each (all threads)
is printed too: on a machine shared with other work it moves less than the wall clock. A
benchmark, not a test: it asserts nothing.

    python benchmarks/load.py [--scale 40]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import in_subprocess, scaled_sample

FLOOR = """
import json, resource, time
import pandas as pd
from opskit.engagement import Engagement, sources_by_table
from opskit.config import load_config
files = [s.path for specs in sources_by_table(load_config({path!r})).values() for s in specs]
start = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
frames = [pd.read_csv(f, engine="pyarrow") for f in files]
seconds = time.perf_counter() - t
end = resource.getrusage(resource.RUSAGE_SELF)
cpu = end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime
size = sum(int(f.memory_usage(deep=True).sum()) for f in frames)
rows = sum(len(f) for f in frames)
peak = (end.ru_maxrss - start.ru_maxrss) * 1024
print(json.dumps({{"seconds": seconds, "cpu": cpu, "bytes": size, "rows": rows, "peak": peak}}))
"""

OPSKIT = """
import json, resource, time
from opskit.engagement import Engagement
import pandera.pandas, pyarrow.csv  # imports are not part of the load
start = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
engagement = Engagement.load({path!r})
seconds = time.perf_counter() - t
end = resource.getrusage(resource.RUSAGE_SELF)
cpu = end.ru_utime + end.ru_stime - start.ru_utime - start.ru_stime
peak = (end.ru_maxrss - start.ru_maxrss) * 1024
rows = sum(q.rows_read for q in engagement.quality.values())
used = sum(q.rows_used for q in engagement.quality.values())
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak": peak, "rows": rows, "used": used}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = str(scaled_sample("dtc", args.scale))
    floor, ours = [], []
    for _ in range(args.runs):  # in turns, so that both meet the same machine
        floor.append(in_subprocess(FLOOR.format(path=path)))
        ours.append(in_subprocess(OPSKIT.format(path=path)))
    floor_s = min(r["seconds"] for r in floor)
    ours_s = min(r["seconds"] for r in ours)
    floor_cpu = min(r["cpu"] for r in floor)
    ours_cpu = min(r["cpu"] for r in ours)
    raw_bytes = floor[0]["bytes"]
    peak = min(r["peak"] for r in ours)
    print(f"dtc sample at scale {args.scale}: {ours[0]['rows']:,} rows read, "
          f"{ours[0]['used']:,} used; raw frames {raw_bytes / 2**20:,.0f} MiB")
    print(f"pandas.read_csv(engine='pyarrow'): {floor_s:.2f} s (best of {args.runs})")
    print(f"Engagement.load:                  {ours_s:.2f} s (best of {args.runs})")
    print(f"load time ratio   {ours_s / floor_s:.2f}  (target <= 1.5)")
    print(f"CPU time ratio    {ours_cpu / floor_cpu:.2f}  ({ours_cpu:.2f} s against "
          f"{floor_cpu:.2f} s, all threads; for a busy machine, no target)")
    print(f"peak memory ratio {peak / raw_bytes:.2f}  (peak {peak / 2**20:,.0f} MiB over raw "
          f"frames; target <= 3)")
    # Both figures share the machine with whatever else runs: say how busy it was.
    one, five, _ = os.getloadavg()
    print(f"machine load average {one:.1f} (1 min), {five:.1f} (5 min) on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
