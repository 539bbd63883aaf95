"""Playbooks: one markdown file per check under playbooks/, with YAML front matter.

A finding names its playbook; the report prints the playbook's summary and path, and
``opskit playbook ID`` prints the whole text for the consultant to hand to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from opskit.errors import UnknownCheckError

PLAYBOOK_DIR = Path(__file__).resolve().parent.parent / "playbooks"
FRONT_MATTER_KEYS = ("id", "title", "checks", "owner_role", "effort", "proof_metric",
                     "proof_target", "summary")


@dataclass(frozen=True)
class Playbook:
    """A playbook's front matter and its markdown body."""

    id: str
    title: str
    checks: tuple[str, ...]
    owner_role: str
    effort: str
    proof_metric: str
    proof_target: str
    summary: str
    body: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def parse(path: Path) -> Playbook:
    """Read one playbook file: front matter between '---' lines, then the body."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    # libyaml's safe loader where present (the same objects, several times faster).
    meta = yaml.load(front, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Playbook(id=meta["id"], title=meta["title"], checks=tuple(meta["checks"]),
                    owner_role=meta["owner_role"], effort=meta["effort"],
                    proof_metric=meta["proof_metric"], proof_target=meta["proof_target"],
                    summary=meta["summary"], body=body.strip(), path=path)


@cache
def all_playbooks() -> dict[str, Playbook]:
    """Every playbook by id."""
    return {p.id: p for p in map(parse, sorted(PLAYBOOK_DIR.glob("*.md")))}


def for_check(check_id: str) -> Playbook:
    """The playbook covering ``check_id``; an unknown id lists the closest ones."""
    books = all_playbooks()
    if check_id in books:
        return books[check_id]
    for book in books.values():
        if check_id in book.checks:
            return book
    from difflib import get_close_matches

    close = get_close_matches(check_id, books, n=3, cutoff=0.4)
    raise UnknownCheckError(f"No playbook for '{check_id}'",
                            expected="a check id (opskit checks lists them)",
                            got=f"'{check_id}'",
                            hint=f"did you mean {', '.join(close)}?" if close else None)
