"""The engagement ledger: every diagnostic of every client, and what is permanently solved.

Operations work is measured by problems permanently solved, not by activity. The ledger is a
SQLite file per workspace (default ``.opskit/ledger.sqlite`` beside the engagement folders;
inside the output folder when one is chosen with ``--out``; any file with ``--ledger``)
holding runs, their results, and one finding per check and client whose state follows the
lifecycle:

- ``new``: flagged (WARN or FAIL) now, never before;
- ``persisting``: flagged now and at the previous assessed run;
- ``regressed``: flagged now, clean at the previous assessed run, flagged at some run before;
- ``resolved``: clean now after having been flagged;
- ``permanently_solved``: clean for ``runs`` consecutive assessed runs spanning at least
  ``days`` days (defaults 3 and 60; ``lifecycle: {runs, days}`` in engagement.yaml).

Only completed runs are diagnostics. `opskit run` records a run once its report folder is
complete (every artifact in place): the notebook computes the history section against the
ledger as it would be with this run (``Ledger.preview``, a transaction rolled back) and leaves
the run record for ``commit_pending``. A run that failed is recorded apart, in
``failed_runs`` (``record_failure``); a run that was killed is not recorded at all.
``completed_runs`` and ``failed_runs`` read them.

A run that could not assess a check (NOT_ASSESSABLE, ERROR) neither breaks nor extends a clean
streak. The fingerprint of a finding is the check id plus its subject; opskit tracks findings
per check and client, so the subject is the client.

Reliability: WAL journal and a busy timeout let parallel batch writers wait for each other
instead of failing; a run and all of its results and finding updates are written in one
transaction, so a process killed half-way leaves no partial run. A corrupted or locked ledger
raises ``LedgerError`` with a clear message; the report renders without its history section.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from opskit.errors import ConfigError, OpskitError

SCHEMA_VERSION = 2
PENDING_NAME = ".ledger-pending.json"
"""What the notebook leaves in `opskit run`'s private work folder: the run record, committed
to the ledger only once every artifact is in place (``commit_pending``)."""
ERROR_CHARS = 300
LEDGER_DIR = ".opskit"
LEDGER_NAME = "ledger.sqlite"
DEFAULT_RUNS, DEFAULT_DAYS = 3, 60
STATES = ("new", "persisting", "regressed", "resolved", "permanently_solved")
RULE_BASED_CATEGORIES = ("data_entry", "rekeying", "reporting", "reconciliation")
FLAGGED, CLEAN = ("WARN", "FAIL"), ("PASS",)

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        client TEXT NOT NULL,
        engagement TEXT NOT NULL,
        as_of TEXT NOT NULL,
        period_start TEXT NOT NULL,
        recorded_at TEXT NOT NULL DEFAULT (datetime('now')),
        opskit_version TEXT NOT NULL,
        param_hash TEXT NOT NULL,
        input_hashes TEXT NOT NULL,
        total_low REAL NOT NULL, total_base REAL NOT NULL, total_high REAL NOT NULL,
        manual_hours REAL,
        manual_tasks TEXT NOT NULL
    );
    CREATE INDEX runs_client ON runs (client, as_of, id);
    CREATE TABLE results (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        metrics TEXT NOT NULL,
        impact_low REAL NOT NULL, impact_base REAL NOT NULL, impact_high REAL NOT NULL,
        in_total INTEGER NOT NULL,
        PRIMARY KEY (run_id, check_id)
    );
    CREATE TABLE findings (
        client TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        check_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        state TEXT NOT NULL,
        impact_base REAL NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        PRIMARY KEY (client, fingerprint)
    );
    """,
    # Runs that did not finish (a cell raised, a file could not be written) are kept apart:
    # ``runs`` holds completed diagnostics only, so nothing that counts runs or follows a
    # finding's lifecycle ever sees a failed one.
    2: """
    CREATE TABLE failed_runs (
        id INTEGER PRIMARY KEY,
        client TEXT NOT NULL,
        engagement TEXT NOT NULL,
        as_of TEXT NOT NULL,
        period_start TEXT NOT NULL,
        recorded_at TEXT NOT NULL DEFAULT (datetime('now')),
        opskit_version TEXT NOT NULL,
        stage TEXT NOT NULL,
        error TEXT NOT NULL
    );
    CREATE INDEX failed_runs_client ON failed_runs (client, id);
    """,
}


class LedgerError(OpskitError):
    """The ledger file cannot be used (corrupted, locked too long, not a ledger)."""


@dataclass(frozen=True)
class Lifecycle:
    """When a fixed finding counts as permanently solved."""

    runs: int = DEFAULT_RUNS
    days: int = DEFAULT_DAYS

    @classmethod
    def from_config(cls, values: Mapping[str, Any] | None) -> Lifecycle:
        values = dict(values or {})
        unknown = set(values) - {"runs", "days"}
        if unknown:
            raise ConfigError(f"engagement.yaml, lifecycle: unknown keys {sorted(unknown)}",
                              expected="runs, days")
        runs, days = values.get("runs", DEFAULT_RUNS), values.get("days", DEFAULT_DAYS)
        for name, value, low in (("runs", runs, 1), ("days", days, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"engagement.yaml, lifecycle.{name}",
                                  expected=f"a whole number >= {low}", got=repr(value))
        return cls(runs, days)


@dataclass(frozen=True)
class Observation:
    """One check's status at one run."""

    run_id: int
    as_of: pd.Timestamp
    status: str
    impact_base: float


def lifecycle_state(observations: list[Observation], rule: Lifecycle) -> str | None:
    """The state of a finding from its chronological observations (None: never flagged)."""
    seen = [o for o in observations if o.status in FLAGGED + CLEAN]
    if not any(o.status in FLAGGED for o in seen):
        return None
    last = seen[-1]
    if last.status in FLAGGED:
        flagged_before = any(o.status in FLAGGED for o in seen[:-1])
        if not flagged_before:
            return "new"
        return "persisting" if seen[-2].status in FLAGGED else "regressed"
    streak = []
    for o in reversed(seen):
        if o.status in FLAGGED:
            break
        streak.append(o)
    span = (streak[0].as_of - streak[-1].as_of).days
    return ("permanently_solved" if len(streak) >= rule.runs and span >= rule.days
            else "resolved")


def default_ledger(engagement_path: Path) -> Path:
    """``.opskit/ledger.sqlite`` in the folder that holds the engagement folder."""
    return ledger_in(Path(engagement_path).resolve().parent)


def ledger_in(folder: Path) -> Path:
    """The ledger kept in ``folder``: the workspace, or an output folder the user chose
    (``--out``), so that a run told where to write writes nowhere else."""
    return Path(folder).resolve() / LEDGER_DIR / LEDGER_NAME


class Ledger:
    """A SQLite ledger file: open (creating and migrating it), record runs, read timelines."""

    def __init__(self, path: str | Path, *, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> LedgerError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return LedgerError(f"{self.path}", expected="a ledger free to write",
                               got=f"a ledger locked by another process ({text})",
                               hint="wait for the other opskit run to finish, then retry")
        return LedgerError(f"{self.path}", expected="an opskit ledger (SQLite)",
                           got=f"a file SQLite cannot use ({text})",
                           hint="move the file aside; opskit starts a new ledger there")

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LedgerError(f"{self.path}", expected=f"schema version <= {SCHEMA_VERSION}",
                              got=f"version {version}", hint="upgrade opskit")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction() as db:
                db.executescript_in_tx(MIGRATIONS[target])
                db.execute(f"PRAGMA user_version = {target}")

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """One write transaction (BEGIN IMMEDIATE: writers queue instead of deadlocking)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        try:
            yield _Tx(self.db)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def record(self, run: RunRecord, rule: Lifecycle = Lifecycle()) -> int:
        """Write a run, its results and the new state of every finding, atomically."""
        try:
            with self.transaction() as tx:
                run_id = tx.insert_run(run)
                tx.insert_results(run_id, run.results)
                self._update_findings(tx, run.client, run_id, rule)
            return run_id
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def preview(self, run: RunRecord, rule: Lifecycle = Lifecycle()) -> Since:
        """What ``since`` would say with ``run`` recorded, leaving the ledger as it was (the
        report of a run that is not complete yet; see ``commit_pending``)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        try:
            tx = _Tx(self.db)
            run_id = tx.insert_run(run)
            tx.insert_results(run_id, run.results)
            self._update_findings(tx, run.client, run_id, rule)
            return since(self, run.client)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None
        finally:
            self.db.execute("ROLLBACK")

    def record_failure(self, failure: dict[str, str]) -> int:
        """Record a run that did not finish (never counted as a diagnostic)."""
        try:
            with self.transaction() as tx:
                cursor = tx.execute(
                    "INSERT INTO failed_runs (client, engagement, as_of, period_start, "
                    "opskit_version, stage, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    tuple(failure[k] for k in ("client", "engagement", "as_of",
                                               "period_start", "opskit_version", "stage",
                                               "error")))
            return int(cursor.lastrowid)
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def _update_findings(self, tx: _Tx, client: str, run_id: int, rule: Lifecycle) -> None:
        frame = pd.read_sql_query(
            "SELECT r.id AS run_id, r.as_of, s.check_id, s.status, s.impact_base, s.in_total "
            "FROM runs r JOIN results s ON s.run_id = r.id WHERE r.client = ? "
            "ORDER BY r.as_of, r.id", self.db, params=(client,))
        frame["as_of"] = pd.to_datetime(frame["as_of"])
        for check_id, rows in frame.groupby("check_id", sort=True):
            # zip, not itertuples: that makes a namedtuple class per call (a millisecond,
            # for each of the 42 checks, on every recorded run)
            observations = [Observation(int(run_id), as_of, status, float(impact))
                            for run_id, as_of, status, impact in zip(
                                rows["run_id"], rows["as_of"], rows["status"],
                                rows["impact_base"], strict=True)]
            state = lifecycle_state(observations, rule)
            if state is None:
                continue
            flagged = [o for o in observations if o.status in FLAGGED]
            flagged_total = rows[rows["status"].isin(FLAGGED) & (rows["in_total"] == 1)]
            impact = float(flagged_total["impact_base"].iloc[-1]) if len(flagged_total) else 0.0
            tx.upsert_finding(client, check_id, state, str(flagged[0].as_of.date()),
                              str(flagged[-1].as_of.date()), impact, run_id)

    # -- reading ------------------------------------------------------------------------
    def runs(self, client: str) -> pd.DataFrame:
        """The client's runs, oldest first."""
        return self._query("SELECT * FROM runs WHERE client = ? ORDER BY as_of, id", client)

    def failed(self, client: str) -> pd.DataFrame:
        """The client's runs that did not finish, oldest first."""
        return self._query("SELECT * FROM failed_runs WHERE client = ? ORDER BY id", client)

    def findings(self, client: str) -> pd.DataFrame:
        """Current state of every finding of the client."""
        return self._query("SELECT * FROM findings WHERE client = ? ORDER BY check_id", client)

    def results(self, run_id: int) -> pd.DataFrame:
        return self._query("SELECT * FROM results WHERE run_id = ? ORDER BY check_id", run_id)

    def clients(self) -> list[str]:
        return self._query("SELECT DISTINCT client FROM runs ORDER BY client")["client"].tolist()

    def _query(self, sql: str, *params: Any) -> pd.DataFrame:
        try:
            return pd.read_sql_query(sql, self.db, params=params)
        except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
            raise self._error(exc) from None


class _Tx:
    """The statements of a write transaction, named after what they record."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def executescript_in_tx(self, script: str) -> None:
        for statement in (s.strip() for s in script.split(";")):
            if statement:
                self.db.execute(statement)

    def insert_run(self, run: RunRecord) -> int:
        cursor = self.db.execute(
            "INSERT INTO runs (client, engagement, as_of, period_start, opskit_version, "
            "param_hash, input_hashes, total_low, total_base, total_high, manual_hours, "
            "manual_tasks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run.client, run.engagement, run.as_of, run.period_start, run.opskit_version,
             run.param_hash, json.dumps(run.input_hashes), run.total["low"],
             run.total["base"], run.total["high"], run.manual_hours,
             json.dumps(run.manual_tasks)))
        return int(cursor.lastrowid)

    def insert_results(self, run_id: int, results: list[dict[str, Any]]) -> None:
        self.db.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, r["check_id"], r["status"], json.dumps(r["metrics"]), r["impact_low"],
              r["impact_base"], r["impact_high"], int(r["in_total"])) for r in results])

    def upsert_finding(self, client: str, check_id: str, state: str, first_seen: str,
                       last_seen: str, impact_base: float, run_id: int) -> None:
        self.db.execute(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (client, fingerprint) DO UPDATE SET state = excluded.state, "
            "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
            "impact_base = excluded.impact_base, run_id = excluded.run_id",
            (client, f"{check_id}@{client}", check_id, client, first_seen, last_seen, state,
             impact_base, run_id))


@dataclass(frozen=True)
class RunRecord:
    """What the ledger keeps of one diagnostic run."""

    client: str
    engagement: str
    as_of: str
    period_start: str
    opskit_version: str
    param_hash: str
    input_hashes: dict[str, str]
    total: dict[str, float]
    manual_hours: float | None
    manual_tasks: dict[str, float]
    results: list[dict[str, Any]]


def manual_work(engagement: Any) -> tuple[float | None, dict[str, float]]:
    """Hours a month of recurring rule-based work (data entry, rekeying, reporting,
    reconciliation) in the period, in total and per task: the efficiency ledger."""
    tasks = engagement.tables.get("tasks")
    if tasks is None or not len(tasks) or "category" not in tasks:
        return None, {}
    period = engagement.period
    recurring = tasks["recurring"].fillna(False).astype(bool) if "recurring" in tasks else True
    mask = (period.contains(tasks["performed_on"]) & recurring
            & tasks["category"].isin(RULE_BASED_CATEGORIES))
    months = period.days / (365.25 / 12)
    per_task = tasks[mask].groupby("task")["minutes"].sum() / 60.0 / months
    per_task = per_task.round(2)
    return round(float(per_task.sum()), 2), {str(k): float(v) for k, v in per_task.items()}


def file_hashes(engagement: Any) -> dict[str, str]:
    """SHA-256 of every input file, so a re-run on the same data is recognisable."""
    hashes = {}
    for quality in engagement.quality.values():
        for display in quality.files:
            path = engagement.path / display
            if path.is_file():
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                        digest.update(block)
                hashes[display] = digest.hexdigest()
    return hashes


def run_record(engagement: Any, diagnosis: Any) -> RunRecord:
    """The ledger record of ``diagnosis`` on ``engagement``."""
    from opskit import __version__

    params = json.dumps(diagnosis.params, sort_keys=True, default=str)
    hours, tasks = manual_work(engagement)
    return RunRecord(
        client=engagement.client,
        engagement=str(engagement.path.resolve()),
        as_of=str(engagement.period.end.date()),
        period_start=str(engagement.period.start.date()),
        opskit_version=__version__,
        param_hash=hashlib.sha256(params.encode()).hexdigest()[:16],
        input_hashes=file_hashes(engagement),
        total=diagnosis.total_impact(),
        manual_hours=hours,
        manual_tasks=tasks,
        results=[{"check_id": r.check_id, "status": str(r.status),
                  "metrics": metric_record(r),
                  "impact_low": r.impact.low, "impact_base": r.impact.base,
                  "impact_high": r.impact.high, "in_total": r.impact.in_total}
                 for r in diagnosis.results],
    )


@dataclass(frozen=True)
class Since:
    """What changed since the last diagnostic, and since the first."""

    runs: pd.DataFrame
    findings: pd.DataFrame
    new: list[str]
    fixed: list[str]
    regressed: list[str]
    impact_recovered: float
    hours_first: float | None
    hours_now: float | None
    automations_removed: list[str]
    stories: tuple[FindingStory, ...] = ()
    """Per finding, what changed between the last two runs (see ``finding_stories``)."""

    @property
    def hours_eliminated(self) -> float | None:
        if self.hours_first is None or self.hours_now is None:
            return None
        return round(self.hours_first - self.hours_now, 2)

    def states(self) -> dict[str, str]:
        return dict(zip(self.findings["check_id"], self.findings["state"], strict=True))

    def to_dict(self) -> dict[str, Any]:
        return {"runs": len(self.runs), "new": self.new, "fixed": self.fixed,
                "regressed": self.regressed, "impact_recovered": self.impact_recovered,
                "manual_hours_first": self.hours_first, "manual_hours_now": self.hours_now,
                "hours_eliminated": self.hours_eliminated,
                "automations_removed": self.automations_removed}


def since(ledger: Ledger, client: str) -> Since:
    """The client's history summary after its latest run."""
    runs = ledger.runs(client)
    findings = ledger.findings(client)
    latest = int(runs["id"].iloc[-1]) if len(runs) else None
    now = findings[findings["run_id"] == latest] if latest is not None else findings
    changed_now = dict(zip(now["check_id"], now["state"], strict=True))
    previous = _previous_states(ledger, client, runs)
    new = sorted(c for c, s in changed_now.items() if s == "new")
    regressed = sorted(c for c, s in changed_now.items() if s == "regressed")
    fixed = sorted(c for c, s in changed_now.items()
                   if s in ("resolved", "permanently_solved")
                   and previous.get(c) in ("new", "persisting", "regressed"))
    recovered = findings[findings["state"].isin(("resolved", "permanently_solved"))]
    hours = runs["manual_hours"].dropna()
    first_tasks = json.loads(runs["manual_tasks"].iloc[0]) if len(runs) else {}
    last_tasks = json.loads(runs["manual_tasks"].iloc[-1]) if len(runs) else {}
    return Since(
        runs=runs, findings=findings, new=new, fixed=fixed, regressed=regressed,
        impact_recovered=round(float(recovered["impact_base"].sum()), 2),
        hours_first=float(hours.iloc[0]) if len(hours) else None,
        hours_now=float(hours.iloc[-1]) if len(hours) else None,
        automations_removed=sorted(set(first_tasks) - set(last_tasks)),
        stories=tuple(finding_stories(ledger, client)),
    )


def _previous_states(ledger: Ledger, client: str, runs: pd.DataFrame) -> dict[str, str]:
    """States as they were before the latest run (recomputed from the earlier results)."""
    if len(runs) < 2:
        return {}
    earlier = runs.iloc[:-1]
    states = {}
    frames = [ledger.results(int(run_id)).assign(as_of=pd.Timestamp(as_of))
              for run_id, as_of in zip(earlier["id"], earlier["as_of"], strict=True)]
    table = pd.concat(frames, ignore_index=True)
    for check_id, rows in table.groupby("check_id"):
        obs = [Observation(0, as_of, status, impact) for as_of, status, impact in zip(
            rows["as_of"], rows["status"], rows["impact_base"], strict=True)]
        state = lifecycle_state(obs, Lifecycle())
        if state:
            states[check_id] = state
    return states


# -- the story of each finding ---------------------------------------------------------
CHANGES = {"new": "new", "persisting": "persisting", "regressed": "came back",
           "fixed": "fixed", "still_fixed": "still fixed",
           "permanently_solved": "permanently solved", "not_assessed": "not assessed now"}
"""How a finding changed from the previous run to the latest, in words."""
CHANGE_ORDER = ("regressed", "new", "persisting", "not_assessed", "fixed",
                "permanently_solved", "still_fixed")


def metric_record(result: Any) -> dict[str, dict[str, Any]]:
    """A result's metrics as the ledger keeps them: value and unit, the headline marked, so
    history can say '8.1% -> 2.0%' without the run's findings.json."""
    return {k: {"value": m.value, "unit": m.unit, "headline": k == result.headline}
            for k, m in result.metrics.items()}


def headline_of(metrics: str | Mapping[str, Any] | None) -> tuple[str, float | None, str]:
    """(name, value, unit) of the headline metric in a ledger ``metrics`` record. Records
    written before units were kept hold bare values: the first metric, no unit."""
    if isinstance(metrics, str):
        metrics = json.loads(metrics)
    if not metrics:
        return ("", None, "")
    items = list(metrics.items())
    chosen = next(((k, v) for k, v in items if isinstance(v, Mapping) and v.get("headline")),
                  items[0])
    name, value = chosen
    if isinstance(value, Mapping):
        return (name, value.get("value"), str(value.get("unit") or ""))
    return (name, value, "")


@dataclass(frozen=True)
class RunStamp:
    """Which run: its id, the period end it is 'as of', and when it was recorded (UTC)."""

    run_id: int
    as_of: str
    recorded_at: str

    def text(self) -> str:
        """'run 2, as of 2026-09-30, recorded 2026-12-07 05:52 UTC': two runs of one period
        are told apart by the time they were recorded."""
        recorded = str(self.recorded_at)[:16]
        return f"run {self.run_id}, as of {self.as_of}, recorded {recorded} UTC"


@dataclass(frozen=True)
class FindingStory:
    """One finding between the previous run and the latest: its change, headline metric and
    dollars then and now (``then`` is None when the latest run is the first)."""

    check_id: str
    title: str
    change: str
    metric: str
    unit: str
    then_value: float | None
    now_value: float | None
    then_status: str | None
    now_status: str | None
    then_base: float | None
    now_base: float | None
    then: RunStamp | None
    now: RunStamp
    first_seen: str = ""
    in_total: bool = True
    """False when the latest run counts the dollars elsewhere or only as at risk."""

    @property
    def change_text(self) -> str:
        return CHANGES.get(self.change, self.change.replace("_", " "))

    def metric_text(self, currency: str = "USD") -> str:
        """'late_share 8.1% -> 2.0%' in the metric's unit (money in ``currency``)."""
        now = _shown(self.now_value, self.unit, currency, self.now_status)
        if self.then is None:
            return f"{self.metric} {now}".strip()
        then = _shown(self.then_value, self.unit, currency, self.then_status)
        return f"{self.metric} {then} → {now}".strip()

    def dollars_text(self, currency: str = "USD") -> str:
        """'$23,045 -> $0 a year': the finding's base impact at each run ($0 when clean),
        marked when the latest run does not add it to the total."""
        now = _dollars(self.now_base, self.now_status, currency)
        outside = " (not in the total)" if (not self.in_total
                                            and self.now_status in FLAGGED) else ""
        if self.then is None:
            return f"{now} a year{outside}"
        then = _dollars(self.then_base, self.then_status, currency)
        return f"{then} → {now} a year{outside}"

    def line(self, currency: str = "USD") -> str:
        """The whole story in one line of plain text."""
        return (f"{self.change_text}: {self.title} ({self.check_id}); "
                f"{self.metric_text(currency)}; {self.dollars_text(currency)}")


def _shown(value: float | None, unit: str, currency: str, status: str | None) -> str:
    """A metric value at one run, in its unit ('not assessed' when the run could not)."""
    from opskit.findings import format_value
    from opskit.money import using_currency

    if status is not None and status not in FLAGGED + CLEAN:
        return "not assessed"
    if status is None or value is None:
        return "n/a"
    if not unit:
        return f"{value:,.4g}"
    with using_currency(currency):
        return format_value(value, unit)


def _dollars(base: float | None, status: str | None, currency: str) -> str:
    from opskit.money import money

    if status not in FLAGGED + CLEAN:
        return "not assessed"
    return money(base if status in FLAGGED and base is not None else 0.0, code=currency)


def _titles() -> dict[str, str]:
    """Check id -> title, from the registry (the ledger keeps ids only)."""
    from opskit.registry import all_checks

    return {spec.id: spec.title for spec in all_checks()}


def finding_stories(ledger: Ledger, client: str,
                    titles: Mapping[str, str] | None = None) -> list[FindingStory]:
    """Per finding of ``client`` (every check ever flagged), what changed from the previous
    recorded run to the latest: regressed first, then new, persisting, fixed..., each group
    biggest dollars first. Titles come from ``titles`` or the check registry."""
    runs = ledger.runs(client)
    if not len(runs):
        return []
    findings = ledger.findings(client)
    names = {**_titles(), **dict(titles or {})}
    stamps = [RunStamp(int(r.id), str(r.as_of), str(r.recorded_at)) for r in runs.itertuples()]
    now_run, then_run = stamps[-1], (stamps[-2] if len(stamps) > 1 else None)
    now = ledger.results(now_run.run_id).set_index("check_id")
    then = (ledger.results(then_run.run_id).set_index("check_id") if then_run
            else pd.DataFrame())
    stories = []
    for row in findings.itertuples():
        check = row.check_id
        mine = now.loc[check] if check in now.index else None
        before = then.loc[check] if check in then.index else None
        now_status = str(mine["status"]) if mine is not None else None
        then_status = str(before["status"]) if before is not None else None
        name, now_value, unit = headline_of(mine["metrics"] if mine is not None else None)
        then_name, then_value, then_unit = headline_of(
            before["metrics"] if before is not None else None)
        change = str(row.state)
        if now_status not in FLAGGED + CLEAN:
            change = "not_assessed"
        elif change == "resolved":
            change = "fixed" if then_status in FLAGGED else "still_fixed"
        stories.append(FindingStory(
            check_id=check, title=names.get(check, check), change=change,
            metric=name or then_name, unit=unit or then_unit,
            then_value=then_value if then_run else None, now_value=now_value,
            then_status=then_status, now_status=now_status,
            then_base=float(before["impact_base"]) if before is not None else None,
            now_base=float(mine["impact_base"]) if mine is not None else None,
            then=then_run, now=now_run, first_seen=str(row.first_seen),
            in_total=bool(mine["in_total"]) if mine is not None else True))
    order = {c: i for i, c in enumerate(CHANGE_ORDER)}
    return sorted(stories, key=lambda s: (
        order.get(s.change, len(order)),
        -max(s.now_base if s.now_status in FLAGGED else 0.0,
             s.then_base if s.then_status in FLAGGED else 0.0), s.check_id))


def record_and_summarize(engagement: Any, diagnosis: Any, ledger_path: str | Path | None = None,
                         pending: str | Path | None = None) -> Since:
    """Record a run in the ledger and return what changed (the report's history section).

    With ``pending`` (`opskit run`) the run is not recorded yet: the summary is the ledger's
    as it will be with this run, and the record is written to ``pending`` for
    ``commit_pending`` once every artifact of the run is in place.
    """
    path = Path(ledger_path) if ledger_path else default_ledger(engagement.path)
    rule = Lifecycle.from_config(engagement.config.lifecycle)
    record = run_record(engagement, diagnosis)
    with Ledger(path) as ledger:
        if pending is None:
            ledger.record(record, rule)
            return since(ledger, engagement.client)
        summary = ledger.preview(record, rule)
    from opskit.atomic import write_text

    write_text(pending, json.dumps({"ledger": str(path.resolve()),
                                    "lifecycle": {"runs": rule.runs, "days": rule.days},
                                    "run": asdict(record)}, default=str))
    return summary


def read_pending(path: str | Path) -> dict[str, Any] | None:
    """The run record a notebook left at ``path``; None when there is none (history off,
    or the notebook did not get that far)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def commit_pending(pending: Mapping[str, Any], ledger_path: str | Path | None = None) -> int:
    """Record the run ``pending`` describes (``read_pending``) as a completed diagnostic, in
    ``ledger_path`` or the ledger the notebook used; the run's id."""
    rule = Lifecycle(**pending["lifecycle"])
    with Ledger(Path(ledger_path or pending["ledger"])) as ledger:
        return ledger.record(RunRecord(**pending["run"]), rule)


def record_failure(ledger_path: str | Path, engagement: Any, stage: str,
                   error: BaseException | str) -> int:
    """Record that a run of ``engagement`` failed at ``stage`` (apart from the diagnostics:
    it never counts in the history); the failure's id."""
    from opskit import __version__

    text = error.message if isinstance(error, OpskitError) else (
        error if isinstance(error, str) else f"{type(error).__name__}: {error}")
    with Ledger(ledger_path) as ledger:
        return ledger.record_failure({
            "client": engagement.client, "engagement": str(engagement.path.resolve()),
            "as_of": str(engagement.period.end.date()),
            "period_start": str(engagement.period.start.date()),
            "opskit_version": __version__, "stage": stage, "error": text[:ERROR_CHARS]})


def completed_runs(ledger_path: str | Path, client: str) -> pd.DataFrame:
    """The client's completed diagnostics, oldest first (empty without a ledger)."""
    if not Path(ledger_path).exists():
        return pd.DataFrame()
    with Ledger(ledger_path) as ledger:
        return ledger.runs(client)


def failed_runs(ledger_path: str | Path, client: str) -> pd.DataFrame:
    """The client's runs that failed (stage, error, when), oldest first; never counted as
    diagnostics (empty without a ledger)."""
    if not Path(ledger_path).exists():
        return pd.DataFrame()
    with Ledger(ledger_path) as ledger:
        return ledger.failed(client)


def story_lines(stories: tuple[FindingStory, ...] | list[FindingStory],
                currency: str) -> list[str]:
    """The findings' stories as terminal lines: which runs are compared, then two lines a
    finding (its change and title with the id whole; metric and dollars then -> now)."""
    if not stories:
        return ["No finding has been flagged yet."]
    first = stories[0]
    lines = (["Findings since the last diagnostic:", f"  then: {first.then.text()}",
              f"  now:  {first.now.text()}"] if first.then
             else ["Findings of the first diagnostic:", f"  now:  {first.now.text()}"])
    for story in stories:
        lines.append(f"  {story.change_text}: {story.title} ({story.check_id})")
        lines.append(f"      {story.metric_text(currency)}; {story.dollars_text(currency)};"
                     f" first seen {story.first_seen}")
    return lines


def history_command(path: Path, *, ledger: Path | None, console: Any) -> int:
    """`opskit history PATH`: the client's timeline; 1 when there is nothing recorded yet."""
    from rich.table import Table

    from opskit.config import load_config
    from opskit.money import money
    from opskit.terminal import plural
    from opskit.terminal import shown as escape  # client text: control characters visible

    config = load_config(Path(path))
    ledger_path = Path(ledger) if ledger else default_ledger(Path(path))
    if not ledger_path.exists():
        console.print(f"No diagnostics recorded for {escape(config.client)} yet (no ledger "
                      f"at {escape(str(ledger_path))}); `opskit run {escape(str(path))}` "
                      f"records one (runs made with --out OUT are in "
                      f"OUT/{LEDGER_DIR}/{LEDGER_NAME}: pass --ledger).", highlight=False,
                      soft_wrap=True)
        return 1
    with Ledger(ledger_path) as book:
        summary = since(book, config.client)
        failed = book.failed(config.client)
    if not len(summary.runs):
        console.print(f"No diagnostics recorded for {escape(config.client)} yet in "
                      f"{escape(str(ledger_path))}.",
                      highlight=False)
        _print_failed(failed, console)
        return 1
    table = Table(title=f"{escape(config.client)}: {plural(len(summary.runs), 'diagnostic')}")
    for column in ("run", "as of", "recorded (UTC)"):
        table.add_column(column, no_wrap=True)
    for column in (f"opportunity (base, {config.currency})", "manual hours/month", "opskit"):
        table.add_column(column)
    for row in summary.runs.itertuples():
        hours = "" if pd.isna(row.manual_hours) else f"{row.manual_hours:,.1f}"
        table.add_row(str(row.id), row.as_of, str(row.recorded_at)[:16],
                      escape(money(row.total_base, code=config.currency)), hours,
                      row.opskit_version)
    console.print(table)
    for line in story_lines(summary.stories, config.currency):
        console.print(escape(line), highlight=False, soft_wrap=True)
    hours = summary.hours_eliminated
    recovered = escape(money(summary.impact_recovered, code=config.currency))
    console.print(f"Impact recovered: {recovered} a year ({config.currency})."
                  + (f" Manual work eliminated since the first diagnostic: {hours:,.1f} hours "
                     "a month." if hours is not None else ""), highlight=False)
    _print_failed(failed, console)
    return 0


def failed_lines(failed: pd.DataFrame) -> list[str]:
    """The runs that did not finish, listed apart (they never count as diagnostics): when,
    the period, the stage it stopped at and the first line of why."""
    if not len(failed):
        return []
    from opskit.terminal import plural

    lines = [f"{plural(len(failed), 'run')} did not finish (not counted as diagnostics):"]
    for row in failed.itertuples():
        why = str(row.error).strip().splitlines()[0] if str(row.error).strip() else ""
        lines.append(f"  {str(row.recorded_at)[:16]} UTC, as of {row.as_of}: stopped at "
                     f"{row.stage}: {why}")
    return lines


def _print_failed(failed: pd.DataFrame, console: Any) -> None:
    from opskit.terminal import shown

    for line in failed_lines(failed):
        console.print(shown(line), highlight=False, soft_wrap=True)
