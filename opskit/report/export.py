"""Export an executed diagnostic notebook to the self-contained report.html.

No code cells, no prompts, plotly.js embedded once in the page head (the template puts it
there from the resources, so the executed notebook stays small), and a
template without the CDN scripts of the stock one, so the page opens offline and a
Content-Security-Policy can forbid every network request.
"""

from __future__ import annotations

from pathlib import Path

from opskit.report.page import title_of

TEMPLATES = Path(__file__).with_name("templates")


def to_html(notebook_path: Path, html_path: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.metadata["title"] = title_of(notebook)  # <title>: client and period
    exporter = HTMLExporter(template_name="opskit", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_markdown=True,
                            exclude_input_prompt=True,
                            exclude_output_prompt=True)
    from opskit.report.figures import plotly_js

    body, _ = exporter.from_notebook_node(notebook, resources={"plotly_js": plotly_js()})
    html_path.write_text(body, encoding="utf-8")
    return html_path
