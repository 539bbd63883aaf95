"""engagement.yaml: read safely, validated, every problem named.

The file is loaded with ``yaml.safe_load`` only: a ``!!python/object`` tag is refused with a
clear message, never constructed. Unknown keys are listed with the known ones so a typo is
found at once, not discovered as a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml

from opskit.errors import ConfigError, shorten
from opskit.money import DEFAULT_CURRENCY, ISO_4217, suggest
from opskit.tables import TABLES

CONFIG_NAME = "engagement.yaml"
KNOWN_KEYS = {
    "client": "display name of the client (required)",
    "industry": "ecommerce, distribution, services, ...",
    "currency": "ISO 4217 code of the engagement's money (reports, totals), e.g. USD",
    "fx": "{CODE: rate}: one unit of CODE in the engagement currency, e.g. {MXN: 0.055}",
    "timezone": "IANA zone of the client's local time, e.g. America/Chicago",
    "period": "{start: YYYY-MM-DD, end: YYYY-MM-DD}; default: the trailing 90 days of data",
    "assumptions": "money assumptions, e.g. {hourly_cost: 70}",
    "files": "table name -> file path(s) under the engagement folder",
    "thresholds": "check id -> {parameter: value}",
    "lifecycle": "{runs: 3, days: 60}: when a fixed finding counts as permanently solved",
    "limits": "{max_file_mb, max_rows, max_field_kb, max_xlsx_ratio}: input ceilings",
    "notes": "free text for the consultant",
}
FILE_KEYS = {"path", "sheet", "system", "adapter"}


@dataclass(frozen=True)
class FileSpec:
    """One file feeding a canonical table."""

    table: str
    path: Path
    display: str
    sheet: str | int | None = None
    system: str | None = None
    adapter: str | None = None  # an export format (opskit.sources.adapters); None: canonical
    # The engagement's local zone (IANA): timestamps with an offset or Z are converted to it,
    # by the loader for every file and by the adapters of exports that write UTC.
    timezone: str | None = None


@dataclass(frozen=True)
class EngagementConfig:
    """The validated content of engagement.yaml."""

    root: Path
    client: str
    industry: str | None = None
    currency: str = "USD"
    fx: Mapping[str, float] = field(default_factory=dict)
    timezone: str | None = None
    period: tuple[dt.date, dt.date] | None = None
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    files: tuple[FileSpec, ...] = ()
    thresholds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    lifecycle: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)
    notes: str | None = None


def read_yaml(path: Path) -> Any:
    """Safe-load a YAML file; python tags and syntax errors become ConfigError with the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}", expected="UTF-8 text", got="undecodable bytes",
                          hint="save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path.name}", expected="a readable file", got=str(exc)) from None
    try:
        return yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        tag = (exc.problem or "").split("tag")[-1].strip(" '") or "a tag"
        raise ConfigError(
            f"{path.name}, line {line}: the tag {tag} is not allowed",
            expected="plain YAML values (text, numbers, lists, mappings)",
            got="a Python object tag",
            hint="opskit only loads YAML safely; remove the tag",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path.name}{where}", expected="valid YAML", got=problem,
                          hint="check the indentation and quotes around that line") from None


def load_config(root: Path) -> EngagementConfig:
    """Read and validate ``root/engagement.yaml``; all key problems are reported at once."""
    root = Path(root)
    if not root.exists():
        raise ConfigError(f"{root}", expected="an engagement folder", got="nothing at that path")
    if not root.is_dir():
        raise ConfigError(f"{root}", expected="an engagement folder", got="a file",
                          hint="pass the folder that holds engagement.yaml")
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(f"{root}", expected=f"an {CONFIG_NAME} in the folder", got="none",
                          hint="create one with at least 'client: <name>'")
    data = read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(CONFIG_NAME, expected="a mapping of settings (key: value)",
                          got=f"a {type(data).__name__}")
    problems: list[str] = []
    unknown = [k for k in data if k not in KNOWN_KEYS]
    for key in unknown:
        close = get_close_matches(str(key), KNOWN_KEYS, n=1)
        problems.append(f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close
                                                    else ""))
    if unknown:
        raise ConfigError(f"{CONFIG_NAME}: " + "; ".join(problems),
                          expected="only the keys " + ", ".join(KNOWN_KEYS),
                          hint="remove or rename the unknown keys")

    def text(key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise ConfigError(f"{CONFIG_NAME}, key '{key}'", expected="text", got="nothing",
                                  hint=f"add '{key}: <value>'")
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ConfigError(f"{CONFIG_NAME}, key '{key}'", expected="text",
                              got=f"a {type(value).__name__}")
        return str(value)

    def mapping(key: str) -> Mapping[str, Any]:
        value = data.get(key) or {}
        if not isinstance(value, Mapping):
            raise ConfigError(f"{CONFIG_NAME}, key '{key}'", expected="a mapping (key: value)",
                              got=f"a {type(value).__name__}")
        return value

    currency = _currency(data.get("currency"))
    thresholds = mapping("thresholds")
    for check_id, params in thresholds.items():
        if not isinstance(params, Mapping):
            raise ConfigError(f"{CONFIG_NAME}, thresholds, '{check_id}'",
                              expected="a mapping of parameter: value",
                              got=f"a {type(params).__name__}")
    timezone = _timezone(text("timezone"))
    return EngagementConfig(
        root=root,
        client=text("client", required=True) or "",
        industry=text("industry"),
        currency=currency,
        fx=_fx(data.get("fx"), currency),
        timezone=timezone,
        period=_period(data.get("period")),
        assumptions=mapping("assumptions"),
        files=_files(root, mapping("files"), timezone),
        thresholds=thresholds,
        lifecycle=mapping("lifecycle"),
        limits=mapping("limits"),
        notes=text("notes"),
    )


def _currency(value: Any) -> str:
    """The engagement currency: an ISO 4217 code (any case); default USD."""
    if value is None:
        return DEFAULT_CURRENCY
    code = value.strip().upper() if isinstance(value, str) else None
    if code in ISO_4217:
        return code
    close = suggest(value) if isinstance(value, str | int | float) else None
    raise ConfigError(f"{CONFIG_NAME}, key 'currency'",
                      expected="an ISO 4217 currency code such as USD, EUR or INR",
                      got=shorten(value),
                      hint=f"did you mean '{close}'?" if close else
                      "write the three-letter code of the currency the client books in")


def _fx(value: Any, currency: str) -> dict[str, float]:
    """``fx:``: {CODE: rate}, the worth of one unit of CODE in the engagement currency.

    Every problem is named at once: a code that is not ISO 4217 (with the closest code), the
    engagement's own code (its rate is 1 by definition), a rate that is not a positive,
    finite number.
    """
    if value is None:
        return {}
    where = f"{CONFIG_NAME}, key 'fx'"
    if not isinstance(value, Mapping):
        raise ConfigError(where, expected=f"a mapping of currency code: rate in {currency}, "
                                          "e.g. {MXN: 0.055, EUR: 1.08}",
                          got=f"a {type(value).__name__}")
    rates: dict[str, float] = {}
    problems: list[str] = []
    for key, rate in value.items():
        code = key.strip().upper() if isinstance(key, str) else None
        if code not in ISO_4217:
            close = suggest(key) if isinstance(key, str | int | float) else None
            problems.append(f"{shorten(key)} is not an ISO 4217 code"
                            + (f" (did you mean '{close}'?)" if close else ""))
            continue
        if code == currency:
            problems.append(f"{code} is the engagement currency (its rate is 1 by definition)")
            continue
        if code in rates:
            problems.append(f"{code} is given twice")
            continue
        if (isinstance(rate, bool) or not isinstance(rate, int | float)
                or not math.isfinite(rate) or rate <= 0):
            problems.append(f"{code}: the rate must be a positive number, got {shorten(rate)}")
            continue
        rates[code] = float(rate)
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems),
                          expected=f"ISO 4217 codes other than {currency}, each with a "
                                   f"positive number: what one unit is worth in {currency}",
                          hint="e.g. 'fx: {MXN: 0.055, EUR: 1.08}' when currency is USD")
    return rates


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{CONFIG_NAME}, {where}", expected="a date YYYY-MM-DD", got=repr(value))


def _period(value: Any) -> tuple[dt.date, dt.date] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - {"start", "end"} or len(value) != 2:
        raise ConfigError(f"{CONFIG_NAME}, key 'period'",
                          expected="{start: YYYY-MM-DD, end: YYYY-MM-DD}", got=repr(value))
    start, end = _date(value["start"], "period.start"), _date(value["end"], "period.end")
    if end < start:
        raise ConfigError(f"{CONFIG_NAME}, key 'period'", expected="start on or before end",
                          got=f"start {start}, end {end}")
    return start, end


# Zone abbreviations consultants write, and the IANA zone they usually mean (the
# abbreviations are fixed offsets, or unknown, and would read summer times an hour off).
ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago", "CT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "MT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles", "PT": "America/Los_Angeles",
    "BST": "Europe/London", "CEST": "Europe/Paris",
}


def _timezone(value: str | None) -> str | None:
    """The engagement's zone as an IANA name (America/Chicago), validated.

    Every timestamp with an offset or Z is converted to this zone (``opskit.sources.parse.
    to_local``), so a wrong name would shift every business hour: it is an error naming the
    key and the closest zone, never a silent fallback to UTC. 'UTC' itself is accepted; an
    abbreviation such as 'EST' is refused with the zone it usually means, because it is a
    fixed offset that would read summer times an hour off.
    """
    if value is None:
        return None
    import zoneinfo

    name = value.strip()
    known = zoneinfo.available_timezones() | {"UTC"}
    if name in known and name.upper() not in ABBREVIATIONS:
        return name
    by_lower = {z.lower(): z for z in known}
    close = ([ABBREVIATIONS[name.upper()]] if name.upper() in ABBREVIATIONS
             else [by_lower[name.lower()]] if name.lower() in by_lower
             else [by_lower[m] for m in get_close_matches(
                 name.lower().replace(" ", "_"), list(by_lower), n=1, cutoff=0.6)])
    if not known - {"UTC"}:
        hint = "install the time zone database: pip install tzdata"
    elif close:
        hint = f"did you mean '{close[0]}'?"
    else:
        hint = "use a zone name such as America/Chicago or Europe/Berlin"
    raise ConfigError(f"{CONFIG_NAME}, key 'timezone'",
                      expected="an IANA time zone name such as America/Chicago",
                      got=repr(value), hint=hint)


def _files(root: Path, files: Mapping[str, Any],
           timezone: str | None = None) -> tuple[FileSpec, ...]:
    specs: list[FileSpec] = []
    for table, entry in files.items():
        if table not in TABLES:
            close = get_close_matches(str(table), TABLES, n=1)
            raise ConfigError(f"{CONFIG_NAME}, files: unknown table '{table}'",
                              expected="one of " + ", ".join(TABLES), got=f"'{table}'",
                              hint=f"did you mean '{close[0]}'?" if close else None)
        entries = entry if isinstance(entry, list) else [entry]
        for item in entries:
            if isinstance(item, str):
                item = {"path": item}
            if not isinstance(item, Mapping) or "path" not in item:
                raise ConfigError(f"{CONFIG_NAME}, files, '{table}'",
                                  expected="a path, a list of paths, or "
                                           "{path, sheet, system, adapter}",
                                  got=repr(item))
            extra = set(item) - FILE_KEYS
            if extra:
                raise ConfigError(f"{CONFIG_NAME}, files, '{table}': unknown keys "
                                  f"{sorted(extra)}", expected="path, sheet, system, adapter")
            specs.append(FileSpec(table=table, path=safe_path(root, item["path"]),
                                  display=str(item["path"]), sheet=item.get("sheet"),
                                  system=item.get("system"), adapter=item.get("adapter"),
                                  timezone=timezone))
    return tuple(specs)


def safe_path(root: Path, relative: Any) -> Path:
    """Resolve a path from engagement.yaml, refusing anything that leaves the engagement folder.

    Client folders come from anywhere; an absolute path, '..' or a symlink pointing outside
    could make opskit read another client's data into this client's report.
    """
    if not isinstance(relative, str) or not relative.strip():
        raise ConfigError(f"{CONFIG_NAME}, files", expected="a relative file path",
                          got=repr(relative))
    candidate = Path(relative)
    if candidate.is_absolute():
        raise ConfigError(f"{CONFIG_NAME}, files, '{relative}'",
                          expected="a path relative to the engagement folder",
                          got="an absolute path",
                          hint="copy the file into the engagement's data/ folder")
    base = root.resolve()
    resolved = (base / candidate).resolve()
    if not resolved.is_relative_to(base):
        raise ConfigError(f"{CONFIG_NAME}, files, '{relative}'",
                          expected="a file inside the engagement folder",
                          got=f"a path that leads outside it (to {resolved})",
                          hint="copy the file into the engagement's data/ folder; '..' and "
                               "symlinks out of the folder are refused")
    return resolved
