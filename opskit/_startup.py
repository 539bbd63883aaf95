"""Process start-up trims that opskit applies before anything imports jsonschema.

plotly's FigureWidget, papermill and nbconvert all import nbformat, which imports jsonschema;
jsonschema then imports ``rfc3987_syntax`` when it is installed (JupyterLab's jupyter-events
asks for it) only to register the ``iri`` / ``iri-reference`` string formats, and that module
compiles some 40 lark grammars at import: 0.7 s on a quiet machine, 2-7 s on a busy one, on
the critical path of every report kernel, every explorer and every CLI run. No schema opskit
or Jupyter validates in these processes uses those formats, so the module is marked absent
(``sys.modules[name] = None`` makes its import raise ImportError, which jsonschema expects
and handles). A process that already imported either module is left alone.
"""

from __future__ import annotations

import sys

SKIPPED_IMPORTS = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Mark the optional modules above absent, unless jsonschema or they are loaded."""
    if "jsonschema" in sys.modules:
        return
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)


skip_slow_optional_imports()
