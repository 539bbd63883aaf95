"""Repository rules: notebooks carry no outputs, client data never enters git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def notebook_outputs(path: Path) -> list[int]:
    """Indexes of code cells that carry outputs or an execution count."""
    notebook = nbformat.read(path, as_version=4)
    return [i for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))]


def tracked(pattern: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [ROOT / p for p in out]


def test_committed_notebooks_have_no_outputs():
    """Every committed notebook is stripped of outputs (they may contain client data)."""
    for path in tracked("*.ipynb"):
        assert notebook_outputs(path) == [], f"{path} carries outputs; clear them"


def test_output_detector_sees_outputs(tmp_path):
    """The detector used above does flag a notebook with an output."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), cell]
    nbformat.write(notebook, tmp_path / "n.ipynb")
    assert notebook_outputs(tmp_path / "n.ipynb") == [1]


def test_client_data_is_ignored():
    """Engagements, reports and ledgers outside data/samples are ignored by git."""
    paths = ["data/acme/engagement.yaml", "engagements/acme/data/orders.csv",
             "data/samples/dtc/reports/2026-11-21T1030/report.html", "reports/x.html",
             "data/samples/dtc/exports/late.html", "data/samples/.opskit/ledger.sqlite",
             ".opskit/ledger.sqlite"]
    result = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.stdout.split() == paths
    kept = subprocess.run(["git", "check-ignore", "data/samples/dtc/engagement.yaml"],
                          cwd=ROOT, capture_output=True, text=True)
    assert kept.returncode == 1  # not ignored
