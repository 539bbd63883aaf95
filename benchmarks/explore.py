"""Explorer benchmark: time from a parameter change to the updated result panel, every check.

On the dtc sample the explorer is built once (the load is not timed); then, for each of the
checks, one input is moved ``--changes`` times (to a value the check accepts) and each change
is timed from setting the widget's value to the panel showing the new result (widget
callbacks run synchronously, so the setter returning is the panel being updated). Prints the
median and the worst over all changes (targets: median <= 200 ms, worst <= 1 s), the slowest
checks, and the explorer's overhead as a ratio to the floor measured in the same run: the
same check run directly by ``run_check`` on the same data. A benchmark, not a test: it
asserts nothing.

First, the **first load**: what a consultant waits for when Voila or JupyterLab opens the
explorer. notebooks/explore.ipynb is executed in a fresh kernel (as Voila does: start the
kernel, run every cell, the app's widgets exist when the last cell returns), best of
``--loads``, against a floor measured in the same run: a notebook that starts the same kernel
and displays one ipywidgets slider. Target: interactive in <= 5 s on a quiet machine. The
notebook fills the board of every check in the background; when it is full is printed too.

    python benchmarks/explore.py [--changes 5] [--loads 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opskit.explore import explore  # noqa: E402
from opskit.registry import all_checks, run_check  # noqa: E402

SAMPLE = ROOT / "data" / "samples" / "dtc"


def moves(app, count: int) -> tuple[str, list[float]]:
    """An input of the selected check and ``count`` values for it that the check accepts."""
    spec = app.spec
    current = app.values()
    for name, param in spec.params.items():
        step = param.step or 1
        values, value = [], current[name]
        for i in range(count):
            value = value + step if (i % 2 == 0) else value - step
            if value > param.max:
                value -= 2 * step
            values.append(value)
        try:
            for value in values:
                spec.resolve({**current, name: value})
        except Exception:
            continue
        return name, values
    raise RuntimeError(f"no input of {spec.id} can move")


def execute_seconds(notebook, folder: Path) -> list[float]:
    """Seconds from starting a fresh python3 kernel (as Voila does) to the end of each code
    cell of ``notebook`` (an nbformat node). The kernel is the one `opskit run` starts (this
    interpreter, IPC sockets in ``folder``), so no loopback TCP warning is printed."""
    from nbclient import NotebookClient

    from opskit.run import kernel_manager_class

    ends: list[float] = []
    started = time.perf_counter()
    NotebookClient(notebook, kernel_name="python3", timeout=600,
                   kernel_manager_class=kernel_manager_class(folder / "kernel.log",
                                                             folder / "k"),
                   on_cell_executed=lambda **_: ends.append(time.perf_counter() - started),
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return ends


def first_load(loads: int) -> None:
    """Best-of-``loads`` time to an interactive explorer and to its full board, and the
    ratio of the first to the floor."""
    import tempfile

    import nbformat

    explorer = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    # one more cell, timed apart: until the board of every check is filled
    explorer.cells.append(nbformat.v4.new_code_cell("app.wait_for_board()"))
    floor = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets\nipywidgets.IntSlider()")])
    with tempfile.TemporaryDirectory() as folder:
        runs = [execute_seconds(explorer, Path(folder)) for _ in range(loads)]
        base = min(execute_seconds(floor, Path(folder))[-1] for _ in range(loads))
    app = min(ends[-2] for ends in runs)  # the app cell: what Voila waits for
    board = min(ends[-1] for ends in runs)
    print(f"first load of notebooks/explore.ipynb (kernel start to interactive app): best of "
          f"{loads} {app:.1f} s (target <= 5 s); board of every check filled at {board:.1f} s;"
          f" floor (kernel + one slider) {base:.1f} s; ratio {app / base:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    first_load(args.loads)
    started = time.perf_counter()
    app = explore(SAMPLE)
    print(f"explorer built on {SAMPLE.relative_to(ROOT)} in {time.perf_counter() - started:.1f}"
          " s (load, first check, widgets)")
    panel: list[float] = []
    floor: list[float] = []
    per_check: dict[str, float] = {}
    for spec in all_checks():
        app.hat_picker.value = spec.hat
        app.check_picker.value = spec.id
        name, values = moves(app, args.changes)
        timings = []
        for value in values:
            runs = app.runs
            t = time.perf_counter()
            app.param_inputs[name].value = value
            timings.append(time.perf_counter() - t)
            assert app.runs == runs + 1, f"{spec.id}: the change did not update the panel"
            data = app.slicer.data(app.period(), app.segment())
            t = time.perf_counter()
            run_check(spec, data, app.values())
            floor.append(time.perf_counter() - t)
        panel += timings
        per_check[spec.id] = statistics.median(timings)
    median, worst = statistics.median(panel), max(panel)
    overhead = statistics.median(p - f for p, f in zip(panel, floor, strict=True))
    print(f"{len(per_check)} checks x {args.changes} changes = {len(panel)} changes timed")
    print(f"change -> updated panel: median {median * 1000:.0f} ms (target <= 200), "
          f"worst {worst * 1000:.0f} ms (target <= 1000)")
    slowest = sorted(per_check.items(), key=lambda kv: -kv[1])[:5]
    print("slowest checks (median per change): " + ", ".join(
        f"{check} {seconds * 1000:.0f} ms" for check, seconds in slowest))
    print(f"floor (run_check alone): median {statistics.median(floor) * 1000:.0f} ms; "
          f"panel / floor {median / statistics.median(floor):.2f}; explorer overhead median "
          f"{overhead * 1000:.0f} ms a change")


if __name__ == "__main__":
    main()
