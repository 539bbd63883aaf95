"""Deterministic sample clients with planted problems and their ground truth.

``generate(out)`` writes one engagement folder per client (engagement.yaml, planted.json and
data/<table>.csv or .csv.gz). The committed samples under data/samples are
``generate(Path("data/samples"))``; the tests regenerate them and compare checksums, so the
same seed and scale always give byte-identical files.

Four clients: ``dtc`` (DTC home goods, fulfillment/inventory/margin/marketing problems),
``distributor`` (B2B, cash/AR/AP/invoicing/stock records), ``services`` (calls, leads,
pipeline, one-person knowledge) and ``control`` (clean: every check should pass). Every
check of the catalog is planted at least once; see ``CHECK_IDS`` and each client's
planted.json.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from opskit.samples.clients import CLIENT_SPECS
from opskit.samples.truth import CHECK_IDS

CLIENTS: tuple[str, ...] = ("dtc", "distributor", "services", "control")
DEFAULT_SEED = 20261121

__all__ = ["CHECK_IDS", "CLIENTS", "DEFAULT_SEED", "generate"]


def generate(out: Path, *, scale: int = 1, clients: Iterable[str] | None = None,
             seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample engagements under ``out`` and return their folders.

    Parameters
    ----------
    out : Path
        Folder that receives one sub-folder per client (``out/<slug>``).
    scale : int
        Multiplies order, customer, call and lead volume (master data and the organisation
        stay fixed, so absolute metrics such as hours a month do not move). ``scale=40``
        gives the dtc client more than a million order lines, generated month by month.
    clients : iterable of str, optional
        Slugs to generate (default: all of ``CLIENTS``).
    seed : int
        Base seed; each client adds its own offset.
    """
    if scale < 1 or int(scale) != scale:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    wanted = list(CLIENTS if clients is None else clients)
    unknown = [c for c in wanted if c not in CLIENT_SPECS]
    if unknown:
        raise ValueError(f"unknown sample clients {unknown}; known: {', '.join(CLIENTS)}")
    out = Path(out)
    folders = []
    for slug in CLIENTS:
        if slug not in wanted:
            continue
        root = out / slug
        CLIENT_SPECS[slug].build(root, seed, int(scale))
        folders.append(root)
    return folders
