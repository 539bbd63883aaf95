"""Export the explorer's current view: the chart as a standalone HTML page, the evidence as CSV.

The HTML embeds plotly.js inline (no CDN), so the file opens offline and can be mailed to a
client as it is. File names say what the view was (check, period, segment), so exporting the
same view twice overwrites it and two different views never collide.
"""

from __future__ import annotations

import re
from pathlib import Path

from opskit.atomic import atomic_path
from opskit.engagement import Period
from opskit.errors import ConfigError
from opskit.explore.slicing import Segment
from opskit.findings import Result
from opskit.textsafe import spreadsheet_frame

EXPORT_DIR = "exports"


def view_name(result: Result, period: Period, segment: Segment | None) -> str:
    """A file stem naming the view: check id, period, segment; safe on every filesystem."""
    parts = [result.check_id, f"{period.start.date()}_{period.end.date()}"]
    if segment is not None:
        parts.append(f"{segment.table}.{segment.column}-{segment.value}")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(parts)).strip("-")


def export_view(figure, result: Result, period: Period, segment: Segment | None,
                folder: str | Path) -> dict[str, Path]:
    """Write ``<view>.html`` (the chart, plotly.js inline) and ``<view>-evidence.csv``.

    The CSV holds every evidence record (the panel shows the first 50); a result without
    evidence (not assessable, or nothing found) writes the chart only. Returns the paths.
    """
    out = Path(folder).expanduser()
    stem = view_name(result, period, segment)
    written: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        chart = out / f"{stem}.html"
        chart.write_text(figure.to_html(full_html=True, include_plotlyjs=True,
                                        config={"displaylogo": False, "responsive": True}),
                         encoding="utf-8")
        written["chart"] = chart
        if result.evidence is not None and len(result.evidence.columns):
            evidence = out / f"{stem}-evidence.csv"
            with atomic_path(evidence) as temporary:
                spreadsheet_frame(result.evidence).to_csv(temporary, index=False,
                                                      lineterminator="\r\n")
            written["evidence"] = evidence
    except OSError as exc:
        raise ConfigError(f"export folder {out}", expected="a folder opskit can write",
                          got=str(exc), hint="choose another folder") from None
    return written
