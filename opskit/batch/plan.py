"""The plan of a batch: which engagements run, with which settings, validated up front.

Everything a consultant can get wrong in a batch's configuration (a folder without
engagement.yaml, an unknown key, a threshold out of range, an unknown check id, a bad period,
two clients claiming one report folder or one client name, a bad worker count) is found
here, before any kernel starts, and reported in one ``CombinedError`` so the whole batch is
fixed in one pass. Only engagement.yaml is read at this stage: the client's data files are
read by each client's own run, where a broken export fails that client alone ("bad data")
instead of the batch.

A manifest is YAML::

    defaults:                 # optional; every client gets these unless it says otherwise
      audience: client
      timeout: 600
    clients:
      - acme                  # an engagement folder, relative to the manifest
      - path: ridgeline
        slug: ridgeline-q3    # the report folder name (default: from the client's name)
        thresholds: {fulfillment.late_shipments: {warn: 0.05}}
        checks: [fulfillment.late_shipments, cash.dso_vs_terms]
        period: {start: 2026-07-01, end: 2026-09-30}

Precedence, most specific first: a client's entry, the manifest's ``defaults``, then the
command line (``--audience``, ``--timeout``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from opskit.config import CONFIG_NAME, EngagementConfig, load_config, read_yaml
from opskit.errors import CombinedError, ConfigError, MissingExtraError, OpskitError

AUDIENCES = ("consultant", "client")
SETTINGS = {
    "audience": "consultant or client",
    "timeout": "seconds allowed for the client (a whole number >= 1)",
    "checks": "list of check ids to run (default: every check)",
    "thresholds": "check id -> {parameter: value}, on top of engagement.yaml",
    "period": "{start: YYYY-MM-DD, end: YYYY-MM-DD} (either may be left out)",
}
CLIENT_KEYS = {"path": "the engagement folder (required)",
               "slug": "the report folder name, e.g. acme-q3", **SETTINGS}
MANIFEST_KEYS = {"defaults": "settings for every client", "clients": "the engagements"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SCHEDULER = re.compile(r"^(local|([a-z]+://)?[\w.-]+:\d{1,5})$")


@dataclass(frozen=True)
class ClientJob:
    """Everything one worker needs to run one client; plain values, so it pickles anywhere.

    ``notebook`` replaces the diagnostic notebook for this client. It is not reachable from
    the command line or a manifest: tests use it to inject a notebook that raises, kills its
    kernel or hangs, so the batch's failure isolation is exercised with real kernels.
    """

    slug: str
    client: str
    path: str
    out: str  # this client's own report folder, <batch out>/<slug>
    audience: str
    timeout: int
    checks: tuple[str, ...] | None = None
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    period_start: str | None = None
    period_end: str | None = None
    notebook: str | None = None
    ledger: str | None = None  # None: the workspace ledger beside the engagement


@dataclass(frozen=True)
class _Entry:
    """One engagement named by the folder walk or the manifest, before validation."""

    label: str
    path: Path
    slug: str | None
    settings: Mapping[str, Any]


def slugify(text: str) -> str:
    """A folder-safe name: 'Cedar & Finch Home' -> 'cedar-finch-home'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].rstrip("-")
    return slug or "client"


def default_out(target: Path) -> Path:
    """Where a batch writes when --out is not given: a ``reports`` folder beside the
    engagements (a name .gitignore keeps out of git wherever it is)."""
    return (target if target.is_dir() else target.parent) / "reports"


def discover(root: Path, skip: Path | None = None) -> list[Path]:
    """Every folder under ``root`` that holds engagement.yaml, sorted.

    The walk does not descend into an engagement (its data and reports hold no other
    engagement), into hidden folders, or into ``skip`` (the batch's own output folder).
    """
    found = []
    skip = skip.resolve() if skip is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if CONFIG_NAME in filenames:
            found.append(here)
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and (skip is None or (here / d).resolve() != skip))
    return sorted(found)


def plan(target: Path, *, out: Path, workers: int, timeout: int, audience: str,
         scheduler: str | None, notebooks: Mapping[Path, Path] | None = None
         ) -> list[ClientJob]:
    """The validated jobs of a batch; every configuration problem raised at once."""
    problems: list[OpskitError] = _option_problems(workers, timeout, audience, scheduler)
    entries = _entries(Path(target), out, problems)
    overrides = {Path(k).resolve(): Path(v).resolve() for k, v in (notebooks or {}).items()}
    jobs: list[ClientJob] = []
    seen: dict[Path, str] = {}
    names: dict[str, str] = {}  # client name -> the entry that claimed it
    for entry in entries:
        resolved = entry.path.resolve()
        if resolved in seen:
            problems.append(ConfigError(
                f"{entry.label}", expected="each engagement once in a batch",
                got=f"the same folder as {seen[resolved]}", hint="remove one of the two"))
            continue
        seen[resolved] = entry.label
        job = _job(entry, Path(out), timeout, audience, overrides.get(resolved), problems)
        if job is not None and job.client in names:
            problems.append(ConfigError(
                f"{entry.label}", expected="each client name once in a batch",
                got=f"the name {job.client!r} of {names[job.client]} too",
                hint="the history ledger follows a client by its name: give the engagements "
                     "distinct `client:` names, or run them in separate batches"))
        elif job is not None:
            names[job.client] = entry.label
            jobs.append(job)
    jobs = [replace(job, out=str(Path(job.out) / job.slug))
            for job in _unique_slugs(jobs, [e for e in entries if e.slug], problems)]
    if not entries and not problems:
        problems.append(ConfigError(f"{target}", expected=f"engagement folders (with "
                                    f"{CONFIG_NAME}) or a manifest's clients", got="none",
                                    hint="point opskit batch at the folder that holds the "
                                         "client folders"))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise CombinedError(problems, "The batch cannot start")
    return jobs


# -- the command line's options ----------------------------------------------------------
def _option_problems(workers: Any, timeout: Any, audience: Any, scheduler: str | None
                     ) -> list[OpskitError]:
    problems: list[OpskitError] = []
    if not _positive_int(workers):
        problems.append(ConfigError("--workers", expected="a whole number >= 1",
                                    got=repr(workers)))
    if not _positive_int(timeout):
        problems.append(ConfigError("--timeout", expected="a whole number of seconds >= 1",
                                    got=repr(timeout)))
    if audience not in AUDIENCES:
        problems.append(ConfigError("--audience", expected=" or ".join(AUDIENCES),
                                    got=repr(audience)))
    if scheduler is not None:
        if not SCHEDULER.match(scheduler):
            problems.append(ConfigError(
                "--scheduler", expected="'local' or a Dask scheduler address such as "
                "tcp://10.0.0.5:8786", got=repr(scheduler)))
        problem = dask_missing()
        if problem is not None:
            problems.append(problem)
    return problems


def dask_missing() -> MissingExtraError | None:
    """The install hint when Dask's distributed scheduler cannot be imported, else None."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        return MissingExtraError("--scheduler runs the batch on Dask",
                                 expected="dask and distributed installed",
                                 got=f"{type(exc).__name__}: {exc}",
                                 hint="pip install 'opskit[dask]'")
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


# -- what to run: a folder walk or a manifest ------------------------------------------
def _entries(target: Path, out: Path, problems: list[OpskitError]) -> list[_Entry]:
    if not target.exists():
        problems.append(ConfigError(f"{target}", expected="a folder of engagements or a "
                                    "manifest (.yaml)", got="nothing at that path"))
        return []
    if target.is_dir():
        return [_Entry(str(p.relative_to(target)) if p != target else p.name, p, None, {})
                for p in discover(target, skip=out)]
    try:
        data = read_yaml(target)
    except ConfigError as exc:
        problems.append(exc)
        return []
    return _manifest_entries(target, data, problems)


def _manifest_entries(manifest: Path, data: Any, problems: list[OpskitError]
                      ) -> list[_Entry]:
    name = manifest.name
    if not isinstance(data, Mapping):
        problems.append(ConfigError(name, expected="a mapping with 'clients' (and optionally "
                                    "'defaults')", got=f"a {type(data).__name__}"))
        return []
    _unknown_keys(name, data, MANIFEST_KEYS, problems)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problems.append(ConfigError(f"{name}, defaults", expected="a mapping of settings",
                                    got=f"a {type(defaults).__name__}"))
        defaults = {}
    _unknown_keys(f"{name}, defaults", defaults, SETTINGS, problems)
    clients = data.get("clients")
    if not isinstance(clients, list) or not clients:
        problems.append(ConfigError(f"{name}, clients", expected="a list of engagement "
                                    "folders or {path: ..., <settings>}", got=repr(clients)))
        return []
    entries = []
    for n, item in enumerate(clients, start=1):
        where = f"{name}, client {n}"
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            problems.append(ConfigError(where, expected="a folder path or a mapping with "
                                        "'path'", got=repr(item)))
            continue
        _unknown_keys(where, item, CLIENT_KEYS, problems)
        slug = item.get("slug")
        if slug is not None and not (isinstance(slug, str) and SLUG.match(slug)):
            problems.append(ConfigError(
                f"{where} ({item['path']}), slug", expected="lowercase letters, digits and "
                "'-', at most 64", got=repr(slug),
                hint="the slug names the client's folder inside the batch's output folder, "
                     "e.g. acme-q3"))
            slug = None
        settings = {**{k: v for k, v in defaults.items() if k in SETTINGS},
                    **{k: v for k, v in item.items() if k in SETTINGS}}
        if "thresholds" in defaults and "thresholds" in item:
            settings["thresholds"] = _merge_thresholds(defaults["thresholds"],
                                                       item["thresholds"])
        path = Path(item["path"]).expanduser()
        entries.append(_Entry(f"{where} ({item['path']})",
                              path if path.is_absolute() else manifest.parent / path,
                              slug, settings))
    return entries


def _unknown_keys(where: str, data: Mapping, known: Mapping[str, str],
                  problems: list[OpskitError]) -> None:
    for key in data:
        if key not in known:
            close = get_close_matches(str(key), known, n=1)
            problems.append(ConfigError(
                f"{where}: unknown key '{key}'", expected="one of " + ", ".join(known),
                got=repr(key), hint=f"did you mean '{close[0]}'?" if close else None))


def _merge_thresholds(first: Any, second: Any) -> Any:
    if not isinstance(first, Mapping) or not isinstance(second, Mapping):
        return second
    merged = {k: dict(v) if isinstance(v, Mapping) else v for k, v in first.items()}
    for check_id, values in second.items():
        if isinstance(merged.get(check_id), dict) and isinstance(values, Mapping):
            merged[check_id].update(values)
        else:
            merged[check_id] = values
    return merged


# -- one engagement's settings -----------------------------------------------------------
def _job(entry: _Entry, out: Path, timeout: int, audience: str, notebook: Path | None,
         problems: list[OpskitError]) -> ClientJob | None:
    try:
        config = load_config(entry.path)
    except ConfigError as exc:
        problems.append(_about(entry.label, exc))
        return None
    before = len(problems)
    settings = entry.settings
    audience = settings.get("audience", audience)
    if audience not in AUDIENCES:
        problems.append(ConfigError(f"{entry.label}, audience", expected=" or ".join(AUDIENCES),
                                    got=repr(audience)))
    timeout = settings.get("timeout", timeout)
    if not _positive_int(timeout):
        problems.append(ConfigError(f"{entry.label}, timeout", expected="a whole number of "
                                    "seconds >= 1", got=repr(timeout)))
    _engagement_settings(entry.label, config, problems)
    checks = _checks(entry.label, settings.get("checks"), problems)
    thresholds = _thresholds(entry.label, config, settings.get("thresholds"), problems)
    start, end = _period(entry.label, config, settings.get("period"), problems)
    if len(problems) > before:
        return None
    return ClientJob(slug=entry.slug or "", client=config.client,
                     path=str(entry.path.resolve()), out=str(out.resolve()),
                     audience=audience, timeout=timeout, checks=checks,
                     thresholds=thresholds, period_start=start, period_end=end,
                     notebook=str(notebook) if notebook else None)


def _about(label: str, exc: OpskitError) -> ConfigError:
    """``exc`` restated for the batch: the message starts with which client it is about."""
    what = exc.what.rstrip(".")
    return ConfigError(f"{label}: {what}", expected=exc.expected, got=exc.got, hint=exc.hint)


def _engagement_settings(label: str, config: EngagementConfig,
                         problems: list[OpskitError]) -> None:
    """The engagement.yaml settings a run validates before its kernel (assumptions, the
    lifecycle of findings), validated here for every client at once instead."""
    from opskit.assumptions import resolve
    from opskit.history import Lifecycle

    for validate, value in ((resolve, config.assumptions),
                            (Lifecycle.from_config, config.lifecycle)):
        try:
            validate(value)
        except OpskitError as exc:
            problems.append(_about(label, exc))


def _checks(label: str, value: Any, problems: list[OpskitError]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append(ConfigError(f"{label}, checks", expected="a list of check ids",
                                    got=repr(value)))
        return None
    from opskit.registry import get

    for check_id in value:
        try:
            get(check_id)
        except OpskitError as exc:
            problems.append(_about(label, exc))
    return tuple(value)


def _thresholds(label: str, config: EngagementConfig, value: Any,
                problems: list[OpskitError]) -> dict[str, dict[str, Any]]:
    """Validate engagement.yaml's and the manifest's thresholds together, as the run will
    merge them; returns only the manifest's (the run reads engagement.yaml itself)."""
    from opskit.registry import get

    value = value or {}
    if not isinstance(value, Mapping) or not all(isinstance(v, Mapping)
                                                 for v in value.values()):
        problems.append(ConfigError(f"{label}, thresholds", expected="check id -> "
                                    "{parameter: value}", got=repr(value)))
        return {}
    merged = _merge_thresholds(dict(config.thresholds), value)
    for check_id, values in merged.items():
        try:
            get(check_id).resolve(values)
        except OpskitError as exc:
            problems.append(_about(label, exc))
    return {k: dict(v) for k, v in value.items()}


def _period(label: str, config: EngagementConfig, value: Any, problems: list[OpskitError]
            ) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping) or not value or set(value) - {"start", "end"}:
        problems.append(ConfigError(f"{label}, period", expected="{start: YYYY-MM-DD, end: "
                                    "YYYY-MM-DD}", got=repr(value)))
        return None, None
    dates: dict[str, dt.date] = {}
    for side in ("start", "end"):
        raw = value.get(side)
        if raw is None:
            continue
        if isinstance(raw, dt.date):
            dates[side] = raw
            continue
        try:
            dates[side] = dt.date.fromisoformat(str(raw).strip())
        except ValueError:
            problems.append(ConfigError(f"{label}, period.{side}", expected="a date "
                                        "YYYY-MM-DD", got=repr(raw)))
    start = dates.get("start") or (config.period[0] if config.period else None)
    end = dates.get("end") or (config.period[1] if config.period else None)
    if start is not None and end is not None and end < start:
        problems.append(ConfigError(f"{label}, period", expected="start on or before end",
                                    got=f"start {start}, end {end}"))
    return (str(dates["start"]) if "start" in dates else None,
            str(dates["end"]) if "end" in dates else None)


def _unique_slugs(jobs: list[ClientJob], named: list[_Entry], problems: list[OpskitError]
                  ) -> list[ClientJob]:
    """Give every client its own report folder: explicit slugs must be unique; a name-derived
    slug that is taken gets -2, -3, ... in the order the clients were listed."""
    taken: dict[str, str] = {}
    for entry in named:
        if entry.slug in taken:
            problems.append(ConfigError(f"{entry.label}, slug '{entry.slug}'",
                                        expected="a slug no other client uses",
                                        got=f"the slug of {taken[entry.slug]}"))
        taken.setdefault(entry.slug or "", entry.label)
    out = []
    used = set(taken)
    for job in jobs:
        if job.slug:
            out.append(job)
            continue
        base = slugify(job.client)
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        out.append(replace(job, slug=slug))
    return out
