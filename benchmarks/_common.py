"""Shared benchmark plumbing: where the scaled samples live, and timing in a clean process.

Benchmarks print ratios against a floor measured in the same run on the same machine, so a
shared, noisy 2-core box still gives comparable figures. They assert nothing about time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def scaled_sample(client: str, scale: int) -> Path:
    """The sample client at ``scale``, generated once into benchmarks/out (git-ignored)."""
    folder = OUT / f"scale{scale}" / client
    if not (folder / "engagement.yaml").exists():
        from opskit.samples import generate

        started = time.perf_counter()
        generate(OUT / f"scale{scale}", scale=scale, clients=[client])
        print(f"generated {client} at scale {scale} in {time.perf_counter() - started:.1f} s",
              flush=True)
    return folder


def in_subprocess(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it must print one JSON object as its last line."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(n: int, code: str) -> list[dict]:
    return [in_subprocess(code) for _ in range(n)]
