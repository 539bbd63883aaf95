"""Keep README.md's generated sections (data model, checks by hat) in sync with the code.

``python -m opskit.readme`` rewrites the text between the BEGIN/END markers; a test fails
when README.md and the code disagree, so the documentation cannot drift.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def data_model() -> str:
    from opskit.tables import markdown_reference

    return markdown_reference()


def checks_by_hat() -> str:
    """The check list by hat, generated from the registry."""
    from opskit.findings import HATS
    from opskit.registry import all_checks

    lines = []
    specs = all_checks()
    for hat, name in HATS.items():
        lines.append(f"**{name}**\n")
        lines.append("| check | title | headline metric |\n|---|---|---|")
        for spec in (s for s in specs if s.hat == hat):
            lines.append(f"| `{spec.id}` | {spec.title} | {spec.proof_metric} |")
        lines.append("")
    return "\n".join(lines)


def supported_exports() -> str:
    from opskit.sources.adapters import markdown_table

    return markdown_table()


SECTIONS = {"data-model": data_model, "checks": checks_by_hat, "exports": supported_exports}


def render(text: str) -> str:
    """README text with every generated section replaced by its current content."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main() -> None:
    README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
