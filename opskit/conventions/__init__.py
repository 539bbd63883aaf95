"""An independent generator of engagements written under other people's conventions.

``opskit.samples`` builds our own four sample clients; the checks grew up on its habits. This
package is written apart from it (it shares only the canonical table and column names of
``opskit.tables``) and builds small companies that write their exports the ways real clients
do: naive local time, UTC offsets or ``Z``, date-only deadlines; ``#1001``, ``SO-000123`` or
UUID order ids; their own channel and status spellings; stock spread over locations that do
not all carry every SKU; invoices only for wholesale orders; shipping income and contra
revenue accounts; optional columns present or not.

A *healthy* company is healthy per CATALOG.md's thresholds with margin; a *planted* one
carries problems at exact rates, with the expected status and metric written to
``planted.json`` beside ``engagement.yaml``::

    from opskit.conventions import generate, CONVENTIONS
    folder = generate(tmp / "acme", seed=3, convention=CONVENTIONS[1], planted=True)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from opskit.conventions import plants
from opskit.conventions.company import World, build
from opskit.conventions.styles import CONVENTIONS, TIMESTAMP_STYLES, Convention, convention
from opskit.conventions.writer import order_id, write


def make_world(seed: int, conv: Convention, planted: bool = False) -> World:
    """The company for ``seed`` (healthy, or with every problem of plants.RATES planted)."""
    world = build(seed, conv)
    if planted:
        plants.plant_all(world, np.random.default_rng(seed + 104729))
    return world


def generate(folder: str | Path, seed: int, convention: Convention,
             planted: bool = False) -> Path:
    """Write one engagement folder (engagement.yaml, data/*.csv, planted.json)."""
    return write(make_world(seed, convention, planted), Path(folder))


__all__ = ["CONVENTIONS", "TIMESTAMP_STYLES", "Convention", "World", "convention", "generate",
           "make_world", "order_id", "write"]
