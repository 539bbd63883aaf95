"""The page a notebook becomes: fragments shown in order, and the title of the browser tab.

A notebook's outputs cannot set the notebook's metadata, and nbconvert takes the page's
``<title>`` from the metadata (else the word "Notebook"). So the cell that shows a report's
title block also leaves the page title in its output's metadata, and the export reads it
back (``title_of``) before rendering. The same works for the report and the portfolio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

METADATA_KEY = "opskit"
DEFAULT_TITLE = "opskit report"


def show(fragment: str, title: str | None = None) -> None:
    """Display an HTML fragment; with ``title``, also name the page that holds it."""
    from IPython.display import HTML, display

    metadata = {METADATA_KEY: {"page_title": title}} if title else None
    display(HTML(fragment), metadata=metadata)


def title_of(notebook: Mapping[str, Any]) -> str:
    """The page title an executed notebook's outputs carry (the first one), else a plain
    default that never reads "Notebook"."""
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(METADATA_KEY, {})
            if isinstance(meta, Mapping) and meta.get("page_title"):
                return str(meta["page_title"])
    return DEFAULT_TITLE
