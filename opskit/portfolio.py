"""The portfolio: every client's latest findings, rolled up across the firm.

``opskit portfolio DIR`` reads ``DIR/**/findings.json`` (the latest record per client), runs
notebooks/portfolio.ipynb through papermill, and exports portfolio.html (the report's own
offline template: no code, plotly.js once, a CSP that forbids network requests) and
portfolio.xlsx. It answers four questions:

- which patterns recur across clients (a check-by-client heat map of statuses);
- the annual opportunity per client and overall (per currency: clients who book in different
  currencies are never added together, since no rate between them is known here);
- where each client's key metrics sit in the portfolio (percentile ranks, 100 = worst);
- the most common causes behind the flagged checks, with their playbooks.

``--anonymous`` labels clients "Client A", "Client B", ... (A has the largest opportunity)
and keeps every client name, and every path that could carry one, out of every artifact.

As with the diagnostic, the notebook is thin: parameters, then the ``show_*`` calls below.
Nothing here recomputes a check: every number comes from the findings records.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from opskit.errors import ConfigError, DataError
from opskit.findings import HATS, format_value
from opskit.money import money, symbol, using_currency

ROOT = Path(__file__).resolve().parent.parent
PORTFOLIO_NOTEBOOK = ROOT / "notebooks" / "portfolio.ipynb"
SAMPLES = ROOT / "data" / "samples"
RECORD_NAME = "findings.json"
SCHEMA_VERSION = 1
FLAGGED = ("WARN", "FAIL")
MEASURED = ("PASS", "WARN", "FAIL")
HEAT_ORDER = ("PASS", "NOT_ASSESSABLE", "WARN", "FAIL", "ERROR")  # heat map codes 0..4
KEY_METRICS = 12
TOP_ROWS = 15
esc = html.escape


# -- reading the records -----------------------------------------------------------------
def find_findings(folder: str | Path) -> list[tuple[Path, dict[str, Any]]]:
    """``(path, record)`` of the latest findings.json per client under ``folder``.

    "Latest" is the record's ``generated_at`` (then its path): a batch re-run next month
    leaves both runs on disk, and the portfolio shows the newest.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}", expected="a folder holding findings.json files (a "
                          "batch's output)", got="nothing at that path" if not folder.exists()
                          else "a file", hint="run `opskit batch` first, then point "
                          "`opskit portfolio` at its --out folder")
    latest: dict[str, tuple[tuple[str, str], Path, dict[str, Any]]] = {}
    for path in sorted(folder.rglob(RECORD_NAME)):
        record = read_record(path)
        key = (str(record.get("generated_at", "")), str(path))
        client = record["client"]
        if client not in latest or key > latest[client][0]:
            latest[client] = (key, path, record)
    if not latest:
        raise ConfigError(f"{folder}", expected=f"{RECORD_NAME} files in its subfolders",
                          got="none", hint="run `opskit batch` (or `opskit run`) first")
    return [(path, record) for _, path, record in latest.values()]


def read_record(path: Path) -> dict[str, Any]:
    """One findings.json, checked to be an opskit findings record this version reads."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(str(path), expected="an opskit findings.json", got=str(exc),
                        hint="re-run the client's diagnostic to rewrite it") from None
    if (not isinstance(record, dict) or record.get("schema_version") != SCHEMA_VERSION
            or not isinstance(record.get("client"), str)
            or not isinstance(record.get("results"), list)):
        got = (f"schema_version {record.get('schema_version')!r}" if isinstance(record, dict)
               else f"a {type(record).__name__}")
        raise DataError(str(path), expected=f"an opskit findings record (schema_version "
                        f"{SCHEMA_VERSION}, client, results)", got=got,
                        hint="re-run the client's diagnostic with this opskit version")
    return record


# -- the model ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Portfolio:
    """The rolled-up findings: one row per client, and one per client and check.

    Client names appear only as ``label``; with ``anonymous`` the labels are Client A, B, ...
    and no real name is kept anywhere in this object.
    """

    clients: pd.DataFrame
    results: pd.DataFrame
    anonymous: bool
    source: str | None
    generated_at: str

    @property
    def labels(self) -> list[str]:
        return self.clients["client"].tolist()

    @property
    def currencies(self) -> list[str]:
        """The engagement currencies of the clients, sorted (one for most firms)."""
        return sorted(set(self.clients["currency"]))

    def _by_currency(self, frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        """``counted`` of ``frame`` summed per ``keys``: ``opportunity_base`` when the whole
        portfolio is in one currency (NaN otherwise: amounts in different currencies do not
        add up), and ``opportunity_by_currency`` ({code: sum}) always."""
        sums = frame.groupby([*keys, "currency"], sort=False)["counted"].sum()
        per: dict[tuple, dict[str, float]] = {}
        for index, value in sums.items():
            *key, code = index
            per.setdefault(tuple(key), {})[str(code)] = float(value)
        out = pd.DataFrame({"_key": list(per), "opportunity_by_currency": list(per.values())})
        single = len(self.currencies) <= 1
        out["opportunity_base"] = [sum(v.values()) if single else float("nan")
                                   for v in out["opportunity_by_currency"]]
        return out

    def totals(self) -> dict[str, dict[str, float]]:
        """Opportunity summed per currency (a portfolio in one currency has one entry)."""
        out = {}
        for currency, group in self.clients.groupby("currency", sort=True):
            out[str(currency)] = {k: float(group[f"opportunity_{k}"].sum())
                                  for k in ("low", "base", "high")}
        return out

    def patterns(self) -> pd.DataFrame:
        """Per check: how many clients it flags, fails, could assess, and the money."""
        r = self.results.assign(
            flagged=self.results["status"].isin(FLAGGED),
            failed=self.results["status"].eq("FAIL"),
            assessed=self.results["status"].isin(MEASURED))
        r["counted"] = r["base"].where(r["flagged"] & r["in_total"], 0.0)
        keys = ["check_id", "title", "hat"]
        table = r.groupby(keys, sort=False).agg(
            clients_flagged=("flagged", "sum"), clients_failed=("failed", "sum"),
            clients_assessed=("assessed", "sum"),
        ).reset_index()
        table = self._join_money(table, r, keys)
        table["hat"] = table["hat"].map(HATS)
        return table.sort_values(["clients_flagged", "opportunity_base", "check_id"],
                                 ascending=[False, False, True], kind="stable",
                                 ignore_index=True)

    def _join_money(self, table: pd.DataFrame, frame: pd.DataFrame,
                    keys: list[str]) -> pd.DataFrame:
        """``table`` (one row per ``keys``) with its opportunity columns from ``frame``."""
        sums = self._by_currency(frame, keys)
        index = dict(zip(sums["_key"], range(len(sums)), strict=True))
        at = [index.get(tuple(row)) for row in table[keys].itertuples(index=False)]
        table["opportunity_base"] = [0.0 if i is None else sums["opportunity_base"].iloc[i]
                                     for i in at]
        table["opportunity_by_currency"] = [
            {} if i is None else sums["opportunity_by_currency"].iloc[i] for i in at]
        return table

    def heat(self) -> pd.DataFrame:
        """Status by check (rows, most recurring first) and client (columns)."""
        order = self.patterns()["check_id"].tolist()
        grid = self.results.pivot(index="check_id", columns="client", values="status")
        return grid.reindex(index=order, columns=self.labels).fillna("NOT_ASSESSABLE")

    def metrics(self) -> pd.DataFrame:
        """Each client's headline metric per check against the portfolio's percentiles.

        ``percentile`` is the client's percentile rank in the worse direction (0 best,
        100 worst; ties share the midpoint); p25, median and p75 are of the values.
        """
        measured = self.results[self.results["status"].isin(MEASURED)
                                & self.results["value"].notna()]
        # An amount in euros is not comparable with one in dollars: a money metric is ranked
        # only among clients of one currency.
        mixed = measured.groupby("check_id")["currency"].transform("nunique") > 1
        measured = measured[~(mixed & measured["unit"].eq("$"))]
        rows = []
        for check_id, group in measured.groupby("check_id", sort=False):
            values = group["value"].astype(float)
            flag = group["higher_is_worse"].iloc[0]
            worse_up = True if flag is None or pd.isna(flag) else bool(flag)
            signed = values if worse_up else -values
            p25, p50, p75 = values.quantile([0.25, 0.5, 0.75]).tolist()
            for (_, row), mine in zip(group.iterrows(), signed, strict=True):
                below = float((signed < mine).sum())
                equal = float((signed == mine).sum())
                rows.append({
                    "check_id": check_id, "title": row["title"], "metric": row["headline"],
                    "unit": row["unit"], "client": row["client"], "status": row["status"],
                    "value": float(row["value"]), "clients": len(values),
                    "percentile": round(100.0 * (below + 0.5 * equal) / len(values), 1),
                    "p25": p25, "median": p50, "p75": p75,
                    "worse_when": "higher" if worse_up else "lower",
                    "currency": row["currency"]})
        return pd.DataFrame(rows, columns=[
            "check_id", "title", "metric", "unit", "client", "status", "value", "clients",
            "percentile", "p25", "median", "p75", "worse_when", "currency"])

    def key_metrics(self, top: int = KEY_METRICS) -> list[str]:
        """The checks charted against percentiles: measured for at least two clients, the
        most often flagged (then the most money) first."""
        metrics = self.metrics()
        comparable = set(metrics.loc[metrics["clients"] >= 2, "check_id"])
        ranked = [c for c in self.patterns()["check_id"] if c in comparable]
        return ranked[:top]

    def causes(self) -> pd.DataFrame:
        """The causes behind flagged checks, the most widespread (then costly) first."""
        flagged = self.results[self.results["status"].isin(FLAGGED)
                               & self.results["cause"].ne("")]
        flagged = flagged.assign(counted=flagged["base"].where(flagged["in_total"], 0.0))
        keys = ["cause", "symptom", "check_id", "title", "playbook"]
        table = flagged.groupby(keys, sort=False).agg(
            clients=("client", "count"), which=("client", lambda s: ", ".join(s)),
        ).reset_index()
        table = self._join_money(table, flagged, keys)
        return table.sort_values(["clients", "opportunity_base", "check_id"],
                                 ascending=[False, False, True], kind="stable",
                                 ignore_index=True)


def prepare(findings_dir: str | Path | None, *, anonymous: bool = False) -> Portfolio:
    """Read the records under ``findings_dir`` (None: the four sample clients, diagnosed
    now; see ``sample_findings``) and build the portfolio."""
    folder = Path(findings_dir) if findings_dir is not None else sample_findings()
    return build(find_findings(folder), anonymous=anonymous,
                 source=None if anonymous or findings_dir is None else str(folder))


def build(records: list[tuple[Path, dict[str, Any]]], *, anonymous: bool = False,
          source: str | None = None) -> Portfolio:
    """The portfolio of ``records`` (one per client)."""
    ordered = sorted(records, key=lambda pr: (-_total(pr[1])["base"], pr[1]["client"]))
    names = {record["client"]: (anonymous_label(n) if anonymous else record["client"])
             for n, (_, record) in enumerate(ordered)}
    clients = pd.DataFrame([_client_row(names[r["client"]], r) for _, r in ordered])
    results = pd.DataFrame([_result_row(names[r["client"]], item,
                                        r.get("currency") or "USD")
                            for _, r in ordered for item in r["results"]],
                           columns=RESULT_COLUMNS)
    if anonymous:
        clients, results = _scrub(clients, names), _scrub(results, names)
    return Portfolio(clients, results, anonymous, source,
                     dt.datetime.now().isoformat(timespec="seconds"))


def anonymous_label(n: int) -> str:
    """Client A, ..., Client Z, Client AA, Client AB, ... for n = 0, 1, ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = string.ascii_uppercase[rest] + letters
    return f"Client {letters}"


RESULT_COLUMNS = ["client", "check_id", "title", "hat", "status", "headline", "value", "unit",
                  "low", "base", "high", "in_total", "symptom", "cause", "playbook",
                  "higher_is_worse", "state", "currency"]


def _total(record: dict[str, Any]) -> dict[str, float]:
    total = record.get("total_impact") or {}
    return {k: float(total.get(k) or 0.0) for k in ("low", "base", "high")}


def _client_row(label: str, record: dict[str, Any]) -> dict[str, Any]:
    counts = record.get("counts") or {}
    period = record.get("period") or {}
    history = record.get("history") if isinstance(record.get("history"), dict) else {}
    total = _total(record)
    return {
        "client": label, "industry": record.get("industry") or "",
        "currency": record.get("currency") or "USD",
        "period": f"{period.get('start', '?')} to {period.get('end', '?')}",
        **{status: int(counts.get(status, 0)) for status in
           ("FAIL", "WARN", "PASS", "NOT_ASSESSABLE", "ERROR")},
        "opportunity_low": total["low"], "opportunity_base": total["base"],
        "opportunity_high": total["high"],
        "runs": history.get("runs"), "impact_recovered": history.get("impact_recovered"),
        "hours_eliminated": history.get("hours_eliminated"),
    }


def _result_row(label: str, item: dict[str, Any], currency: str = "USD") -> dict[str, Any]:
    metric = (item.get("metrics") or {}).get(item.get("headline") or "") or {}
    impact = item.get("impact") or {}
    story = item.get("story") or {}
    thresholds = item.get("thresholds") or {}
    warn, fail = thresholds.get("warn"), thresholds.get("fail")
    playbook = item.get("playbook")
    return {
        "client": label, "check_id": item["check_id"], "title": item.get("title", ""),
        "hat": item.get("hat", ""), "status": item.get("status", "ERROR"),
        "headline": item.get("headline") or "", "value": metric.get("value"),
        "unit": "$" if metric.get("unit") in ("$", currency) else metric.get("unit", ""),
        "low": float(impact.get("low") or 0.0),
        "base": float(impact.get("base") or 0.0), "high": float(impact.get("high") or 0.0),
        "in_total": bool(impact.get("in_total", True)),
        "symptom": story.get("symptom", ""), "cause": story.get("cause", ""),
        "playbook": playbook.get("id", "") if isinstance(playbook, dict) else playbook or "",
        "higher_is_worse": (warn <= fail) if warn is not None and fail is not None else None,
        "state": item.get("state"), "currency": currency,
    }


def _scrub(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Every real client name in any text cell replaced by its label (a story or a title
    that quotes the client must not undo the anonymity). Whole words only, so a short
    name ('Go') does not eat into other words ('Goods')."""
    patterns = [(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), label)
                for name, label in names.items()]

    def scrub(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for pattern, label in patterns:
            value = pattern.sub(label, value)
        return value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(scrub)
    return out


# -- the notebook's default: the sample clients ------------------------------------------
def sample_findings(dest: str | Path | None = None) -> Path:
    """findings.json of every sample client in data/samples, written under ``dest`` (a new
    temporary folder by default): what the portfolio notebook reads when no folder is given,
    so it runs (and passes nbval) from a fresh clone. The records are built by the report's
    own ``prepare`` and ``record.write``, without kernels and without touching any ledger."""
    from opskit.report import prepare as prepare_report
    from opskit.report import record

    folder = Path(dest) if dest is not None else Path(tempfile.mkdtemp(prefix="opskit-"))
    for engagement in sorted(p.parent for p in SAMPLES.glob("*/engagement.yaml")):
        out = folder / engagement.name
        out.mkdir(parents=True, exist_ok=True)
        record.write(prepare_report(engagement), out, {})
    return folder


# -- figures -----------------------------------------------------------------------------
def _go():
    import plotly.graph_objects as go  # lazy: importing opskit must not import plotly

    return go


def opportunity_figure(portfolio: Portfolio):
    """Annual opportunity per client (base), stacked by hat."""
    go = _go()
    r = portfolio.results
    counted = r[r["status"].isin(FLAGGED) & r["in_total"]]
    by_hat = counted.pivot_table(index="client", columns="hat", values="base", aggfunc="sum",
                                 fill_value=0.0).reindex(portfolio.labels, fill_value=0.0)
    codes = dict(zip(portfolio.clients["client"], portfolio.clients["currency"], strict=True))
    single = len(portfolio.currencies) <= 1
    mark = symbol(portfolio.currencies[0]) if single and portfolio.currencies else ""
    fig = go.Figure()
    for hat, name in HATS.items():
        if hat not in by_hat.columns or not by_hat[hat].any():
            continue
        fig.add_bar(y=[esc(c) for c in by_hat.index], x=by_hat[hat].tolist(),
                    orientation="h", name=esc(name),
                    customdata=[esc(money(v, code=codes.get(c)))
                                for c, v in zip(by_hat.index, by_hat[hat], strict=True)],
                    hovertemplate="%{y}: %{customdata} a year in " + esc(name)
                    + "<extra></extra>")
    title = "Annual opportunity by client (base), by area" + (
        "" if single else ": each client in its own currency, "
        + ", ".join(portfolio.currencies) + ", not comparable bar to bar")
    fig.update_layout(barmode="stack", title=esc(title),
                      height=140 + 40 * len(portfolio.labels),
                      xaxis_tickprefix=mark + (" " if mark.isalpha() else ""),
                      margin=dict(l=10, r=10, t=50, b=30), legend_orientation="h",
                      yaxis=dict(autorange="reversed"))
    return fig


def heatmap_figure(portfolio: Portfolio):
    """Which checks flag which clients: the recurring patterns read as red rows."""
    from opskit.report.figures import COLOURS

    go = _go()
    heat = portfolio.heat()
    titles = dict(zip(portfolio.results["check_id"], portfolio.results["title"], strict=False))
    codes = heat.apply(lambda column: column.map(HEAT_ORDER.index))
    steps = len(HEAT_ORDER)
    scale = []
    for n, status in enumerate(HEAT_ORDER):
        scale += [[n / steps, COLOURS[status]], [(n + 1) / steps, COLOURS[status]]]
    fig = go.Figure(go.Heatmap(
        z=codes.to_numpy().tolist(), x=[esc(c) for c in heat.columns],
        y=[esc(titles.get(c, c)) for c in heat.index],
        text=heat.replace("NOT_ASSESSABLE", "not assessable").to_numpy().tolist(),
        zmin=-0.5, zmax=steps - 0.5, colorscale=scale, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    # client names sit above the grid, under the title: the title pushes the margin so that
    # names turned upright on a phone never climb into it
    fig.update_layout(title=dict(text="Check by client: red rows are patterns that recur",
                                 yref="container", y=1, yanchor="top", automargin=True,
                                 pad=dict(t=10, b=6)),
                      height=140 + 22 * len(heat.index), margin=dict(l=10, r=10, t=50, b=30),
                      xaxis=dict(side="top", automargin=True),
                      yaxis=dict(autorange="reversed", automargin=True))
    return fig


def metrics_figure(portfolio: Portfolio):
    """Each client's key metrics as percentile ranks in the portfolio (100 = worst)."""
    go = _go()
    metrics = portfolio.metrics()
    keys = portfolio.key_metrics()
    shown = metrics[metrics["check_id"].isin(keys)]
    rows = {c: f"{t} ({m})" for c, t, m in zip(shown["check_id"], shown["title"],
                                               shown["metric"], strict=True)}
    fig = go.Figure()
    for client in portfolio.labels:
        mine = shown[shown["client"] == client]
        if mine.empty:
            continue
        fig.add_scatter(
            x=mine["percentile"].tolist(), y=[esc(rows[c]) for c in mine["check_id"]],
            mode="markers", name=esc(client), marker=dict(size=11),
            customdata=[_value(v, u, c) for v, u, c in zip(
                mine["value"], mine["unit"], mine["currency"], strict=True)],
            hovertemplate=esc(client) + "<br>%{y}<br>%{customdata}: percentile %{x}"
            "<extra></extra>")
    for line in (25, 50, 75):
        fig.add_vline(x=line, line_dash="dot", line_color="#bbb")
    fig.update_layout(title="Key metrics against the portfolio (percentile rank, 100 = worst)",
                      height=140 + 34 * len(keys), margin=dict(l=10, r=10, t=50, b=30),
                      xaxis=dict(range=[-2, 102], title="percentile in the portfolio"),
                      yaxis=dict(autorange="reversed", categoryorder="array",
                                 categoryarray=[esc(rows[c]) for c in keys]),
                      legend_orientation="h")
    return fig


def figure_count(portfolio: Portfolio) -> int:
    """How many figures portfolio.html draws (the browser test counts them)."""
    return 2 + (1 if portfolio.key_metrics() else 0)


# -- sections (HTML) ---------------------------------------------------------------------
def title_block(portfolio: Portfolio) -> str:
    c = portfolio.clients
    periods = sorted(set(c["period"]))
    note = ("Anonymous copy: clients are labelled Client A, B, ... in order of opportunity; "
            "no client name appears in it." if portfolio.anonymous
            else "Consultant copy: names every client; do not share outside the firm.")
    source = (f"Findings read from {esc(portfolio.source)}. " if portfolio.source else "")
    span = periods[0] if len(periods) == 1 else f"{len(periods)} different periods"
    return (f'<header class="opskit-title"><h1>Portfolio: {len(c)} clients</h1>'
            f"<p>Period {esc(span)}; the latest diagnostic of each client.</p>"
            f'<p class="opskit-muted">{esc(note)} {source}Generated '
            f"{esc(portfolio.generated_at)}.</p></header>")


def summary_section(portfolio: Portfolio) -> str:
    totals = "".join(
        f'<p class="opskit-total">Total annual opportunity: <b>{_money(t["base"], cur)}</b> '
        f'(low {_money(t["low"], cur)}, high {_money(t["high"], cur)})</p>'
        for cur, t in portfolio.totals().items())
    c = portfolio.clients
    table = pd.DataFrame({
        "client": c["client"], "industry": c["industry"], "period": c["period"],
        "fail": c["FAIL"], "warn": c["WARN"], "not assessable": c["NOT_ASSESSABLE"],
        "opportunity / year": [_money(v, cur) for v, cur in zip(c["opportunity_base"],
                                                                  c["currency"], strict=True)],
        "low – high": [f"{_money(lo, cur)} – {_money(hi, cur)}" for lo, hi, cur in zip(
            c["opportunity_low"], c["opportunity_high"], c["currency"], strict=True)]})
    if c["impact_recovered"].notna().any():
        table["recovered since first run"] = [
            _money(v, cur) if pd.notna(v) else "" for v, cur in
            zip(c["impact_recovered"], c["currency"], strict=True)]
    several = portfolio.currencies
    note = ("" if len(several) <= 1 else
            f"<p>The clients book in {len(several)} currencies ({esc(', '.join(several))}): "
            "each total is the sum of the clients in that currency; the totals are not "
            "added together, since no exchange rate between clients is applied.</p>")
    return ('<section><h2>Opportunity per client</h2>' + totals + note
            + "<p>Amounts a check shares with another, or that are only at risk, are not "
            "added (as in each client's report).</p>" + _table(table) + "</section>")


def patterns_section(portfolio: Portfolio) -> str:
    p = portfolio.patterns()
    recurring = p[p["clients_flagged"] > 0].head(TOP_ROWS)
    n = len(portfolio.labels)
    table = pd.DataFrame({
        "check": recurring["title"], "area": recurring["hat"],
        "clients flagged": [f"{k} of {n}" for k in recurring["clients_flagged"]],
        "of them failing": recurring["clients_failed"],
        "opportunity / year": [_amounts(v) for v in recurring["opportunity_by_currency"]],
        "id": recurring["check_id"]})
    body = _table(table) if len(table) else "<p>No check flags any client.</p>"
    return ("<section><h2>Patterns that recur</h2><p>Checks by the number of clients they "
            "flag (warn or fail). A pattern that recurs is a playbook worth productising. "
            "In the heat map below: red fail, orange warn, green pass, grey not assessable, "
            "purple the check could not run.</p>" + body + "</section>")


def metrics_section(portfolio: Portfolio, figure: str = "") -> str:
    """The chart of every client's standing, then one row per key metric: the portfolio's
    quartiles and its best and worst client."""
    metrics = portfolio.metrics()
    rows = []
    for check_id in portfolio.key_metrics():
        m = metrics[metrics["check_id"] == check_id].sort_values("percentile", kind="stable")
        first, unit = m.iloc[0], m["unit"].iloc[0]
        last = m.iloc[-1]
        rows.append({
            "check": first["title"], "metric": first["metric"], "clients": len(m),
            "p25 / median / p75": " / ".join(_value(first[k], unit, first["currency"])
                                             for k in ("p25", "median", "p75")),
            "worst": f"{last['client']} ({_value(last['value'], unit, last['currency'])})",
            "best": f"{first['client']} ({_value(first['value'], unit, first['currency'])})",
            "worse when": first["worse_when"]})
    body = (figure + _table(pd.DataFrame(rows)) if rows else
            "<p>No metric is measured for two clients or more yet.</p>")
    return ("<section><h2>Key metrics against the portfolio</h2><p>Each client's headline "
            "metric of the most recurring checks, as a percentile rank among the clients "
            "measured (0 = best, 100 = worst, ties share the midpoint). Every metric of every "
            "client, with its percentile, is in portfolio.xlsx (sheet Metrics).</p>"
            + body + "</section>")


def _playbook_title(playbook_id: str) -> str:
    """The playbook as a client reads it: its title (its id when it has no file)."""
    from opskit.playbooks import all_playbooks

    book = all_playbooks().get(playbook_id)
    return book.title if book else playbook_id


def causes_section(portfolio: Portfolio) -> str:
    causes = portfolio.causes().head(TOP_ROWS)
    table = pd.DataFrame({
        "cause": causes["cause"], "what the client sees": causes["symptom"],
        "clients": causes["clients"], "which": causes["which"],
        "opportunity / year": [_amounts(v) for v in causes["opportunity_by_currency"]],
        "playbook": [_playbook_title(p) for p in causes["playbook"]]})
    body = _table(table) if len(table) else "<p>No flagged check, so no cause to show.</p>"
    return ("<section><h2>The most common causes</h2><p>The measured cause behind each "
            "flagged check, by the number of clients it explains.</p>" + body + "</section>")


def _money(value: float, currency: str = "USD") -> str:
    return money(value, code=currency)


def _amounts(by_currency: dict[str, float]) -> str:
    """Sums in several currencies side by side ('€1,200 + $400'), never added together."""
    shown = [_money(v, c) for c, v in sorted(by_currency.items()) if v]
    return " + ".join(shown) if shown else _money(0.0, next(iter(sorted(by_currency)), "USD"))


def _value(value: float, unit: str, currency: str) -> str:
    """A metric value as text, money in the client's own currency."""
    with using_currency(currency):
        return format_value(value, unit)


def _table(frame: pd.DataFrame) -> str:
    from opskit.report.sections import table_html

    return table_html(frame)


# -- what the notebook calls -------------------------------------------------------------
def _show(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


def _div(fig) -> str:
    from opskit.report.figures import to_div

    return to_div(fig)


def show_title(portfolio: Portfolio) -> None:
    """Title block, and plotly.js embedded once for every figure that follows."""

    from opskit.report.page import show

    periods = sorted(set(portfolio.clients["period"]))
    span = periods[0] if len(periods) == 1 else f"{len(periods)} periods"
    title = f"opskit portfolio: {len(portfolio.clients)} clients, {span}"
    show(title_block(portfolio), title=title)  # plotly.js is embedded once by the export


def show_opportunity(portfolio: Portfolio) -> None:
    _show(summary_section(portfolio) + _div(opportunity_figure(portfolio)))


def show_patterns(portfolio: Portfolio) -> None:
    _show(patterns_section(portfolio) + _div(heatmap_figure(portfolio)))


def show_metrics(portfolio: Portfolio) -> None:
    figure = _div(metrics_figure(portfolio)) if portfolio.key_metrics() else ""
    _show(metrics_section(portfolio, figure))


def show_causes(portfolio: Portfolio) -> None:
    _show(causes_section(portfolio))


def workbook_sheets(portfolio: Portfolio) -> dict[str, pd.DataFrame]:
    """The frames of portfolio.xlsx by sheet name (the heat map with each check's title)."""
    heat = portfolio.heat()
    titles = dict(zip(portfolio.results["check_id"], portfolio.results["title"], strict=False))
    heat.insert(0, "title", [titles.get(c, c) for c in heat.index])
    heat = heat.reset_index().rename(columns={"check_id": "check"})
    heat.columns.name = None
    frames = {"Clients": portfolio.clients, "Heat map": heat,
              "Patterns": portfolio.patterns(), "Metrics": portfolio.metrics(),
              "Causes": portfolio.causes(), "Findings": portfolio.results}
    out = {}
    for name, frame in frames.items():
        if "opportunity_by_currency" in frame.columns:  # a dict per row: as text
            frame = frame.assign(opportunity_by_currency=frame[
                "opportunity_by_currency"].map(_amounts))
        out[name] = frame
    return out


def _row_formats(frame: pd.DataFrame, portfolio: Portfolio) -> dict[int, dict[int, dict]]:
    """Per row, the number format of its money and metric cells: amounts in that row's
    currency (clients may book in different ones), metric values in the metric's unit."""
    from opskit.report.sheets import unit_format

    columns = list(frame.columns)
    single = portfolio.currencies[0] if len(portfolio.currencies) == 1 else None
    amounts = [i for i, c in enumerate(columns) if c in MONEY_COLUMNS]
    values = [i for i, c in enumerate(columns) if c in ("value", "p25", "median", "p75")]
    out: dict[int, dict[int, dict]] = {}
    for row in range(len(frame)):
        currency = frame["currency"].iloc[row] if "currency" in columns else single
        cells: dict[int, dict] = {}
        if currency:
            cells.update({i: {"number_format": unit_format("$", currency)} for i in amounts})
        if "unit" in columns:
            fmt = unit_format(str(frame["unit"].iloc[row] or ""), currency)
            cells.update({i: {"number_format": fmt} for i in values if fmt})
        out[row] = cells
    return out


MONEY_COLUMNS = ("opportunity_low", "opportunity_base", "opportunity_high", "impact_recovered",
                 "low", "base", "high")


def write_workbook(portfolio: Portfolio, output_dir: str | Path | None) -> Path | None:
    """portfolio.xlsx: Clients, Heat map, Patterns, Metrics, Causes, Findings sheets, each a
    formatted Excel table with a bold frozen header; the heat map coloured by status. Client
    names and every header pass through ``xlsx_text`` (a client named ``=HYPERLINK(...)``
    stays text). Written atomically."""
    from openpyxl import Workbook

    from opskit.atomic import atomic_path
    from opskit.report import sheets

    if output_dir is None:
        return None
    path = Path(output_dir) / "portfolio.xlsx"
    spool = sheets.Spool(path)
    try:
        with atomic_path(path) as temporary:
            book = Workbook(write_only=True)
            _write_sheets(book, portfolio, spool)
            book.save(temporary)
    finally:
        spool.clear()
    return path


def _write_sheets(book: Any, portfolio: Portfolio, spool: Any) -> None:
    from openpyxl.utils import get_column_letter

    from opskit.report import sheets

    for name, frame in workbook_sheets(portfolio).items():
        money = {c: None for c in frame.columns if c in MONEY_COLUMNS
                 or c in ("value", "p25", "median", "p75")}
        grid = sheets.Grid.of(frame, formats=money)
        writer = sheets.SheetWriter(book, name, spool)
        writer.layout(sheets.fit_widths(grid.header, grid.columns, grid.formats),
                      freeze_below=1)
        if name == "Heat map" and grid.rows:
            sheets.colour_statuses(writer.sheet, f"C2:{get_column_letter(len(grid.header))}"
                                                 f"{grid.rows + 1}")
        elif "status" in frame.columns and grid.rows:
            column = get_column_letter(list(frame.columns).index("status") + 1)
            sheets.colour_statuses(writer.sheet, f"{column}2:{column}{grid.rows + 1}")
        writer.grid(grid, name.replace(" ", ""), _row_formats(frame, portfolio))


# -- the command -------------------------------------------------------------------------
@dataclass(frozen=True)
class PortfolioOutcome:
    """Where ``opskit portfolio`` wrote its files."""

    folder: Path
    notebook: Path
    html: Path
    xlsx: Path
    clients: int


def run_portfolio(folder: str | Path, *, anonymous: bool = False,
                  out: str | Path | None = None, timeout: int = 600) -> PortfolioOutcome:
    """Execute notebooks/portfolio.ipynb over ``folder`` and export portfolio.html."""
    from opskit.report.export import to_html
    from opskit.run import execute, output_folder

    folder = Path(folder).expanduser()
    records = find_findings(folder)  # a wrong folder fails here, before any kernel
    out_dir = output_folder(out if out is not None else folder / "portfolio")
    notebook = out_dir / "portfolio.ipynb"
    execute({"findings_dir": str(folder.resolve()), "anonymous": anonymous,
             "output_dir": str(out_dir.resolve())}, notebook, progress=False,
            timeout=timeout, notebook=PORTFOLIO_NOTEBOOK)
    html_path = to_html(notebook, out_dir / "portfolio.html")
    return PortfolioOutcome(out_dir, notebook, html_path, out_dir / "portfolio.xlsx",
                            len(records))


def portfolio_command(folder: Path, *, anonymous: bool, out: Path | None, console) -> int:
    """``opskit portfolio DIR``: portfolio.html and portfolio.xlsx; 0 on success."""
    outcome = run_portfolio(folder, anonymous=anonymous, out=out)
    from opskit.terminal import plural

    console.print(f"Portfolio of {plural(outcome.clients, 'client')}"
                  + (" (anonymous)" if anonymous else ""), highlight=False)
    console.print(f"Report: {outcome.html}\nWorkbook: {outcome.xlsx}", markup=False,
                  highlight=False, soft_wrap=True)
    return 0
