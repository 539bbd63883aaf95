"""Export an executed diagnostic notebook to the self-contained report.html.

No code cells, no prompts, plotly.js embedded once in the page head (the template puts it
there from the resources, so the executed notebook stays small), and a
template without the CDN scripts of the stock one, so the page opens offline and a
Content-Security-Policy can forbid every network request. The page is written under a
temporary name and renamed when complete (``opskit.atomic``): never a 0-byte or truncated
report.html, and a full disk names the file.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from opskit.report.page import title_of

TEMPLATES = Path(__file__).with_name("templates")
_EXPORTING = threading.Lock()  # one exporter per process, used by one thread at a time


@functools.cache
def _exporter() -> Any:
    """The HTML exporter, its templates compiled (a tenth of a second of Jinja each time an
    exporter is made), kept for every export of the process."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="opskit", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_markdown=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.template  # noqa: B018 - compiles the templates now, not at the first export
    return exporter


def warm_up() -> None:
    """Make the exporter and compile its templates (`opskit run` does it in a thread while
    the notebook runs, so the page's export is only the rendering)."""
    with _EXPORTING:
        _exporter()


def to_html(notebook: Path | Any, html_path: Path) -> Path:
    """Export ``notebook`` (a path, or a notebook already read) to ``html_path``
    (atomically); ``html_path``."""
    import nbformat

    if isinstance(notebook, str | Path):
        notebook = nbformat.read(notebook, as_version=4)
    notebook.metadata["title"] = title_of(notebook)  # <title>: client and period
    from opskit.report.figures import plotly_js

    with _EXPORTING:
        body, _ = _exporter().from_notebook_node(notebook,
                                                 resources={"plotly_js": plotly_js()})
    from opskit import faults
    from opskit.atomic import atomic_path

    with atomic_path(html_path) as part, part.open("w", encoding="utf-8") as handle:
        half = len(body) // 2
        handle.write(body[:half])
        handle.flush()
        faults.point("html")  # the test hook: killed with half a page written
        handle.write(body[half:])
    return html_path
