"""README's 'Supported exports' table is generated from the adapter registry and kept in sync."""

from __future__ import annotations

from pathlib import Path

from opskit.sources.adapters import ADAPTERS, markdown_table

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def test_readme_lists_every_supported_export():
    """The table between the exports markers is exactly the registry's, before the data model."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN exports -->\n")[1].split("\n<!-- END exports -->")[0]
    assert section == markdown_table()
    assert len(section.splitlines()) == len(ADAPTERS) + 2
    assert text.index("## Supported exports") < text.index("## Data model")
