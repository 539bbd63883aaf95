"""Report benchmark: `opskit run` on the dtc sample against a floor measured in the same run.

The floor is what any notebook-based report pays anyway: plain ``papermill.execute_notebook``
(its own kernel manager, as installed) executing a notebook that has only a parameters cell
(kernel start-up and teardown), plus reading the same input files with ``pandas.read_csv``.
Prints ``opskit run`` / floor (target <= 2.5, goal 1.5), best of ``--runs``. The same bare
notebook through opskit's own ``execute`` (IPC kernel, prompt readiness check and shutdown)
was the floor until those sped up every run, the floor included; it is printed too, with
the run's ratio to it. With ``--scale N`` (``make bench`` uses 40) it also times one run on
the sample at that scale (6.5M rows at 40), where the workbook of million-row evidence
sheets was the wait, against the same floor on the scaled files. A benchmark, not a test:
it asserts nothing.

    python benchmarks/report.py [--runs 3] [--scale 40]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import scaled_sample

from opskit.config import load_config
from opskit.engagement import sources_by_table
from opskit.run import execute, run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "dtc"


def floor_seconds(tmp: Path, sample: Path = SAMPLE, *, stock: bool = True) -> float:
    """Papermill on a parameters-only notebook plus pandas reads of ``sample``'s files; with
    ``stock`` plain papermill, else opskit's ``execute``."""
    import papermill

    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("engagement = None")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3"}
    source = tmp / "floor.ipynb"
    nbformat.write(notebook, source)
    files = [s.path for specs in sources_by_table(load_config(sample)).values() for s in specs]
    started = time.perf_counter()
    if stock:
        papermill.execute_notebook(str(source), str(tmp / "floor-out.ipynb"),
                                   parameters={"engagement": str(sample)},
                                   kernel_name="python3", progress_bar=False)
    else:
        execute({"engagement": str(sample)}, tmp / "floor-out.ipynb", progress=False,
                notebook=source)
    for file in files:
        pd.read_csv(file)
    return time.perf_counter() - started


def run_seconds(tmp: Path, sample: Path = SAMPLE) -> float:
    started = time.perf_counter()
    run(sample, out=tmp / "reports", progress=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=0,
                        help="also time one run on the sample at this scale (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        floors, bare, runs = [], [], []
        for _ in range(args.runs):  # in turns, so that all three meet the same machine
            floors.append(floor_seconds(tmp))
            bare.append(floor_seconds(tmp, stock=False))
            runs.append(run_seconds(tmp))
    floor, former, ours = min(floors), min(bare), min(runs)
    print(f"floor (papermill with a parameters cell + pandas reads): {floor:.2f} s")
    print(f"the same through opskit's execute (the former floor):    {former:.2f} s")
    print(f"opskit run on the dtc sample:                           {ours:.2f} s")
    print(f"ratio {ours / floor:.2f}  (target <= 2.5, goal 1.5); "
          f"{ours / former:.2f} against the former floor")
    if args.scale:
        sample = scaled_sample("dtc", args.scale)
        with tempfile.TemporaryDirectory() as folder:
            tmp = Path(folder)
            floor = floor_seconds(tmp, sample)
            ours = run_seconds(tmp, sample)
        print(f"at scale {args.scale}: floor {floor:.2f} s, opskit run {ours:.2f} s, "
              f"ratio {ours / floor:.2f}  (no target; 58 s before the workbook's rows were "
              f"serialized apart)")


if __name__ == "__main__":
    main()
