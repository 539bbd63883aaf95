"""Playbook markdown as HTML inside the report.

Playbooks are ours, but the renderer still refuses raw HTML (it is shown as text), so a
playbook can never carry a script into a client's report. Headings are moved down a level
or more so a playbook's '## Automate' sits under the finding's own heading, not beside it.
markdown-it-py is a well-kept CommonMark parser (rich depends on it, so it is always here).
"""

from __future__ import annotations

from functools import cache

HEADING_FLOOR = 4  # a finding is an <h3>: the playbook's top headings become <h4>


@cache
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def to_html(text: str, top_level: int = HEADING_FLOOR) -> str:
    """``text`` (CommonMark with tables) as HTML, its shallowest heading at ``<h{top_level}>``
    and raw HTML escaped."""
    md = _parser()
    tokens = md.parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = top_level - min(levels) if levels else 0
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return md.renderer.render(tokens, md.options, {})
