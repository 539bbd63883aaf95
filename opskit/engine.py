"""The papermill engine opskit executes its notebooks with: papermill's own nbclient engine,
saving the executed notebook once, when execution ends, instead of around every cell.

Papermill writes the whole notebook (JSON-encoded in pure Python, schema-validated) as each
cell starts and again as it ends: 34 writes for the diagnostic's 17 cells, growing to 400 KB
once the figures are in, all between one cell and the next, on the run's critical path.
Nobody reads those intermediate files: the notebook sits in the run's private work folder
until the run publishes it, and papermill's final save runs whatever ends the execution (a
failing cell, a kernel that dies, a timeout), so the notebook that is kept shows every cell
up to the failure exactly as before. ``before_last_cell`` gets a copy of the notebook, taken
in memory, as its last cell starts (the page is exported from it while that cell runs).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "opskit"


class _SavedAtTheEnd(NotebookExecutionManager):
    """Papermill's execution state, written to the output path only when execution ends."""

    def __init__(self, *args: Any, before_last_cell: Callable[[Any], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_last_cell = before_last_cell

    def save(self, **kwargs: Any) -> None:
        """Not around each cell (see the module docstring): ``notebook_complete`` writes."""

    def cell_start(self, cell: Any, cell_index: int | None = None, **kwargs: Any) -> None:
        super().cell_start(cell, cell_index, **kwargs)
        if self.before_last_cell is not None and cell_index == len(self.nb.cells) - 1:
            self.before_last_cell(copy.deepcopy(self.nb))

    def notebook_complete(self, **kwargs: Any) -> None:
        super().notebook_complete(**kwargs)
        NotebookExecutionManager.save(self)


class SaveAtTheEndEngine(NBClientEngine):
    """``NBClientEngine`` with ``_SavedAtTheEnd`` for its execution state; it also takes
    ``before_last_cell`` (see the module docstring)."""

    @classmethod
    def execute_notebook(cls, nb: Any, kernel_name: str, output_path: str | None = None,
                         progress_bar: bool = True, log_output: bool = False,
                         autosave_cell_every: int = 30,
                         before_last_cell: Callable[[Any], None] | None = None,
                         **kwargs: Any) -> Any:
        # papermill's Engine.execute_notebook, with this execution manager
        nb_man = _SavedAtTheEnd(nb, output_path=output_path, progress_bar=progress_bar,
                                log_output=log_output, autosave_cell_every=autosave_cell_every,
                                before_last_cell=before_last_cell)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


def register() -> str:
    """Make the engine known to papermill (idempotent); its name, for ``engine_name``."""
    papermill_engines.register(ENGINE_NAME, SaveAtTheEndEngine)
    return ENGINE_NAME
