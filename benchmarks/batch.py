"""Batch benchmark: 12 engagements on 2 workers against a serial loop of plain papermill.

Both sides get their own fresh copies of the four samples (three of each, so each side's
ledger sees the same history) and execute the same notebook, notebooks/diagnostic.ipynb,
with the same parameters. The floor is a plain ``papermill.execute_notebook`` per client,
one after the other; the batch is ``opskit batch`` (validation, a spawned pool of 2 workers,
per-client limits, report.html export, batch.json) over the same number of clients.
Prints the throughput ratio (serial seconds / batch seconds; target >= 1.6 on 2 cores, goal
1.9), best of ``--runs`` (the sides alternate), with the CPU seconds each side used and the
load average, because other work on a shared machine takes cores from the parallel side
first. A benchmark, not a test: it asserts nothing.

    python benchmarks/batch.py [--copies 3] [--workers 2] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import papermill
from rich.console import Console

from opskit.batch import run_batch
from opskit.run import DIAGNOSTIC_NOTEBOOK

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
CLIENTS = ("control", "distributor", "dtc", "services")


def engagements(folder: Path, copies: int) -> list[Path]:
    """``copies`` copies of each sample client under ``folder``, each under a client name of
    its own (a batch runs each client name once: the ledger follows a client by name)."""
    made = []
    for n in range(1, copies + 1):
        for client in CLIENTS:
            target = folder / f"{client}-{n}"
            shutil.copytree(SAMPLES / client, target,
                            ignore=shutil.ignore_patterns("reports", ".opskit"))
            config = target / "engagement.yaml"
            name, *rest = config.read_text(encoding="utf-8").splitlines()
            config.write_text("\n".join([f"{name[:-1]} {n}\"", *rest]) + "\n",
                              encoding="utf-8")
            made.append(target)
    return made


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for (kernels, workers)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def serial_seconds(folders: list[Path], out: Path) -> float:
    """Plain papermill, one client after the other: the floor a batch must beat."""
    started = time.perf_counter()
    for folder in folders:
        report = out / folder.name
        report.mkdir(parents=True)
        papermill.execute_notebook(
            str(DIAGNOSTIC_NOTEBOOK), str(report / "diagnostic.ipynb"),
            parameters={"engagement": str(folder), "output_dir": str(report)},
            kernel_name="python3", progress_bar=False, cwd=str(DIAGNOSTIC_NOTEBOOK.parent))
    return time.perf_counter() - started


def batch_seconds(folder: Path, out: Path, workers: int) -> tuple[float, int]:
    started = time.perf_counter()
    result = run_batch(folder, workers=workers, timeout=900, out=out,
                       console=Console(stderr=True))
    seconds = time.perf_counter() - started
    for failed in result.failed:
        print(f"  failed: {failed.slug}: {failed.reason}: {failed.message}")
    return seconds, len(result.outcomes) - len(result.failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3, help="copies of each sample")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    n = len(CLIENTS) * args.copies
    print(f"{n} engagements, {args.workers} workers, {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f} at the start", flush=True)
    serial_runs, batch_runs = [], []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="opskit-bench-") as folder:
            tmp = Path(folder)
            serial_set = engagements(tmp / "serial", args.copies)
            engagements(tmp / "batch", args.copies)
            cpu = cpu_seconds()
            serial = serial_seconds(serial_set, tmp / "serial-out")
            serial_cpu, cpu = cpu_seconds() - cpu, cpu_seconds()
            print(f"run {run}: serial papermill {serial:6.1f} s ({serial_cpu:.0f} CPU s)",
                  flush=True)
            batch, ok = batch_seconds(tmp / "batch", tmp / "batch-out", args.workers)
            batch_cpu = cpu_seconds() - cpu
            print(f"run {run}: opskit batch     {batch:6.1f} s ({batch_cpu:.0f} CPU s, {ok} of "
                  f"{n} succeeded)", flush=True)
            serial_runs.append(serial)
            batch_runs.append(batch)
    serial, batch = min(serial_runs), min(batch_runs)
    print(f"serial papermill:        {serial:6.1f} s  ({serial / n:.1f} s a client)")
    print(f"opskit batch, {args.workers} workers: {batch:6.1f} s  ({batch / n:.1f} s a client)")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(f"throughput ratio {serial / batch:.2f}  (target >= 1.6 on 2 cores, goal 1.9)")


if __name__ == "__main__":
    main()
