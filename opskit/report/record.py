"""findings.json: the versioned record of one diagnostic, read by history and the portfolio.

The schema is ``findings.schema.json`` beside this module (JSON Schema, draft 2020-12); bump
``SCHEMA_VERSION`` whenever a field changes meaning or disappears, and document it there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opskit import __version__
from opskit.playbooks import PLAYBOOK_DIR, all_playbooks
from opskit.report.context import ReportContext, in_currency
from opskit.report.figures import report_figure_count

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("findings.schema.json")
EVIDENCE_ROWS = 20


@in_currency
def build(ctx: ReportContext, evidence_files: dict[str, str] | None = None) -> dict[str, Any]:
    """The findings record as a JSON-ready dict."""
    engagement = ctx.engagement
    books = all_playbooks()
    states = ctx.history.states() if ctx.history is not None else {}
    results = []
    overlaps = ctx.diagnosis._overlaps()  # cached: the sections computed it already
    for result in ctx.results:
        item = result.to_dict(evidence_rows=EVIDENCE_ROWS)
        for metric in item["metrics"].values():  # '$' (an amount) -> 'EUR': the real unit
            metric["unit"] = money_unit(metric["unit"], ctx.currency)
        book = books.get(result.playbook)
        item["playbook"] = {
            "id": result.playbook,
            "path": f"playbooks/{result.playbook}.md",
            "summary": book.summary if book else "",
            "owner_role": book.owner_role if book else "",
        }
        item["evidence_file"] = (evidence_files or {}).get(result.check_id)
        # what of its dollars enters the total (each record once), and who carries the rest
        low, base, high = ctx.diagnosis.carried(result)
        item["impact"]["carried"] = {"low": round(low, 2), "base": round(base, 2),
                                     "high": round(high, 2)}
        item["impact"]["counted_in"] = overlaps.get(result.check_id, {})
        item["state"] = states.get(result.check_id)
        results.append(item)
    return {
        "schema_version": SCHEMA_VERSION,
        "opskit_version": __version__,
        "generated_at": ctx.generated_at,
        "audience": ctx.audience,
        "client": engagement.client,
        "industry": engagement.config.industry,
        "currency": ctx.currency,
        "converted": {t: dict(q.converted) for t, q in engagement.quality.items()
                      if q.converted},
        "period": {"start": str(engagement.period.start.date()),
                   "end": str(engagement.period.end.date()),
                   "days": engagement.period.days},
        "total_impact": ctx.diagnosis.total_impact(),
        "annual_revenue": ctx.diagnosis.annual_revenue,
        "total_share_of_revenue": ctx.diagnosis.total_share_of_revenue(),
        "counts": {str(s): n for s, n in _counts(ctx).items()},
        "figures": report_figure_count(
            ctx.diagnosis, len(ctx.history.runs) if ctx.history is not None else 0),
        "history": (ctx.history.to_dict() if ctx.history is not None
                    else {"error": ctx.history_error} if ctx.history_error else None),
        "data_quality": json.loads(ctx.row_accounting.to_json(orient="records")),
        "unusable_files": ctx.unusable.to_dict(orient="records"),
        "assumptions": {k: {**v, "unit": money_unit(str(v.get("unit", "")), ctx.currency)}
                        for k, v in ctx.diagnosis.assumptions.items()},
        "results": results,
    }


def money_unit(unit: str, currency: str) -> str:
    """A unit as the record writes it: amounts in the engagement's ISO code ('$' -> 'EUR',
    '$/hour' -> 'EUR/hour'), so no reader has to guess which currency '$' meant."""
    return unit.replace("$", currency)


def _counts(ctx: ReportContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in ctx.results:
        counts[str(result.status)] = counts.get(str(result.status), 0) + 1
    return counts


def write(ctx: ReportContext, out_dir: Path, evidence_files: dict[str, str]) -> Path:
    from opskit.atomic import write_text

    return write_text(out_dir / "findings.json",
                      json.dumps(build(ctx, evidence_files), indent=2, default=str))


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(record: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when ``record`` does not follow the schema."""
    import jsonschema

    jsonschema.validate(record, schema())


__all__ = ["PLAYBOOK_DIR", "SCHEMA_VERSION", "build", "schema", "validate", "write"]
