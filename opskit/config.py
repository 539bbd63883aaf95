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

from opskit.errors import ConfigError, OpskitError, shorten
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


# Bounds on the YAML opskit reads. A real engagement.yaml is a few kilobytes, a few levels
# deep and holds a few hundred values; these ceilings are far above that and far below what
# would take the machine down (a 368-byte file of nested anchors expands to a billion values).
MAX_YAML_BYTES = 1 << 20
MAX_YAML_DEPTH = 64
MAX_YAML_VALUES = 100_000  # values once every alias is expanded
MAX_INT_DIGITS = 1000  # longer integers are refused while parsing (Python refuses > 4300)
# Numbers anywhere in the file are finite and within this magnitude (limits have their own
# ranges, LIMIT_RANGES): 1e15 is beyond any money figure, count or threshold a client has.
MAX_MAGNITUDE = 1e15
# The settings that hold numbers (text settings such as 'client' keep a number as its text).
NUMERIC_KEYS = ("assumptions", "lifecycle", "limits", "thresholds")
"""Sections whose numbers are bounded here; ``fx`` bounds its own rates (``_fx``), so that
every rate problem is named at once."""
LIMIT_RANGES = {  # key -> (exclusive low, inclusive high)
    "max_file_mb": (0, 1 << 20),  # up to 1 TB
    "max_rows": (0, 10_000_000_000),
    "max_field_kb": (0, 1 << 20),  # up to 1 GB in one cell
    "max_xlsx_ratio": (0, 1_000_000),
}


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses, while composing, what would exhaust the machine.

    Nesting deeper than ``MAX_YAML_DEPTH`` (3,000 ``[`` is a RecursionError otherwise),
    aliases that expand to more than ``MAX_YAML_VALUES`` values (billion laughs: the values
    are shared while parsing, but every walk over them, a repr in a message included, pays
    the expansion), integers longer than ``MAX_INT_DIGITS`` digits, and a key given twice
    in one mapping (YAML would keep the last one silently).
    """

    def __init__(self, stream: str, display: str) -> None:
        super().__init__(stream)
        self.display = display
        self.depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise ConfigError(f"{self.display}, line {mark.line + 1}",
                                  expected=f"values nested at most {MAX_YAML_DEPTH} levels deep",
                                  got="deeper nesting",
                                  hint="engagement.yaml needs a few levels; remove the nesting")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def get_single_node(self):  # type: ignore[no-untyped-def]
        node = super().get_single_node()
        if node is not None:
            _expanded_size(node, self.display)
        return node

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                        key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                if key not in seen:
                    seen[key] = line
                else:
                    first = seen[key]
                    lines = (f"twice on line {line}" if first == line
                             else f"on lines {first} and {line}")
                    raise ConfigError(
                        f"{self.display}, line {line}: the key {shorten(key)} is given "
                        f"{lines}",
                        expected="each key once in a mapping", got="a repeated key",
                        hint="keep one of them; YAML would silently use the last")
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):  # type: ignore[no-untyped-def]
        text = str(node.value).lstrip("+-")
        if text[:2].lower() in ("0x", "0o", "0b"):
            text = text[2:]
        digits = sum(ch.isalnum() for ch in text)  # hexadecimal digits count too
        if digits > MAX_INT_DIGITS:
            raise ConfigError(f"{self.display}, line {node.start_mark.line + 1}",
                              expected=f"a number of at most {MAX_INT_DIGITS} digits",
                              got=f"a number of {digits} digits ({shorten(node.value)})",
                              hint="no setting needs a number that long")
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def _expanded_size(root: yaml.Node, display: str) -> int:
    """How many values the document holds with every alias expanded, counted without
    expanding it (each shared node's size is counted once and reused); over
    ``MAX_YAML_VALUES`` is a ConfigError."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = ([n for pair in node.value for n in pair]
                    if isinstance(node, yaml.MappingNode) else list(node.value))
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        size = 1 + sum(sizes[id(child)] for child in children)
        sizes[id(node)] = size
        if size > MAX_YAML_VALUES:
            raise ConfigError(
                f"{display}, line {node.start_mark.line + 1}",
                expected=f"at most {MAX_YAML_VALUES:,} values once aliases (*name) are "
                         "expanded",
                got=f"more than {MAX_YAML_VALUES:,} (anchors and aliases nested in each "
                    "other)",
                hint="write the settings out plainly; opskit does not need nested aliases")
    return sizes[id(root)]


def read_yaml(path: Path) -> Any:
    """Safe-load a YAML file within bounds; tags, syntax errors, excessive size, depth or
    aliases and repeated keys become a ConfigError with the line."""
    display = path.name
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{display}", expected="a readable file",
                          got=shorten(str(exc), 200)) from None
    if len(raw) > MAX_YAML_BYTES:
        raise ConfigError(f"{display}", expected=f"a settings file of at most "
                                                 f"{MAX_YAML_BYTES // 1024:,} KB",
                          got="a larger file", hint="engagement.yaml holds settings, not data")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{display}", expected="UTF-8 text", got="undecodable bytes",
                          hint="save the file as UTF-8") from None
    loader = None
    try:
        loader = _BoundedLoader(text, display)  # the reader checks the characters at once
        return loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        if "tag" not in (exc.problem or ""):
            raise ConfigError(f"{display}, line {line}", expected="valid YAML",
                              got=shorten(exc.problem or str(exc), 120)) from None
        tag = (exc.problem or "").split("tag")[-1].strip(" '") or "a tag"
        raise ConfigError(
            f"{display}, line {line}: the tag {shorten(tag, 80)} is not allowed",
            expected="plain YAML values (text, numbers, lists, mappings)",
            got="a Python object tag",
            hint="opskit only loads YAML safely; remove the tag",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{display}{where}", expected="valid YAML",
                          got=shorten(problem, 120),
                          hint="check the indentation and quotes around that line") from None
    except RecursionError:  # a structure the depth bound did not see; never a traceback
        raise ConfigError(f"{display}", expected=f"values nested at most {MAX_YAML_DEPTH} "
                                                 "levels deep", got="deeper nesting") from None
    finally:
        if loader is not None:
            loader.dispose()


def _bad_numbers(data: Any, path: str = "") -> list[str]:
    """Every number in the document that is not finite or is beyond ``MAX_MAGNITUDE``
    (a limit: outside its ``LIMIT_RANGES``), as 'key: expected ..., got ...'."""
    problems: list[str] = []
    stack: list[tuple[str, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((f"{where}.{k}" if where else str(k), v)
                         for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parts = where.split(".")
            limit = len(parts) == 2 and parts[0] == "limits" and parts[1] in LIMIT_RANGES
            low, high = LIMIT_RANGES[parts[1]] if limit else (-MAX_MAGNITUDE, MAX_MAGNITUDE)
            finite = not isinstance(value, float) or math.isfinite(value)
            if finite and (low < value <= high if limit else low <= value <= high):
                continue
            shown = (f"a number of {len(str(abs(value)))} digits"
                     if isinstance(value, int) and abs(value) > 10**20 else shorten(value))
            if limit:
                expected = f"a positive number, at most {high:,}"
            elif (declared := _parameter_range(parts)) is not None:
                expected = f"a number in [{declared[0]:g}, {declared[1]:g}]"
            else:
                expected = f"a finite number in [-{MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}]"
            problems.append(f"'{where}': expected {expected}, got {shown}")
    return problems


def _parameter_range(parts: list[str]) -> tuple[float, float] | None:
    """A threshold's declared range (thresholds.<check>.<parameter>), when it is known."""
    if len(parts) < 3 or parts[0] != "thresholds":
        return None
    try:
        from opskit.registry import get, load_all

        load_all()
        param = get(".".join(parts[1:-1])).params.get(parts[-1])
    except OpskitError:  # an unknown check is reported later, with its own words
        return None
    return (param.min, param.max) if param is not None else None


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
    numbers = [problem for key in NUMERIC_KEYS if key in data
               for problem in _bad_numbers(data[key], key)]
    if numbers:
        raise ConfigError(f"{CONFIG_NAME}: " + "; ".join(numbers[:5])
                          + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""),
                          hint="write plain finite numbers; .inf, .nan and numbers beyond "
                               "those ranges are refused")
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
        limits=_limits(mapping("limits")),
        notes=text("notes"),
    )


def _limits(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """``limits:``: each a number (its range was checked with every number in the file);
    anything else is named with a short prefix of what was written, never its full repr."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{CONFIG_NAME}, limits.{shorten(name, 40).strip(chr(39))}",
                              expected="a positive number", got=shorten(value),
                              hint="e.g. 'limits: {max_file_mb: 4096}'")
    return values


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
                or (isinstance(rate, int) and not 0 < rate <= MAX_MAGNITUDE)
                or not math.isfinite(rate) or not 0 < rate <= MAX_MAGNITUDE):
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
    raise ConfigError(f"{CONFIG_NAME}, {where}", expected="a date YYYY-MM-DD", got=shorten(value))


def _period(value: Any) -> tuple[dt.date, dt.date] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or set(value) - {"start", "end"} or len(value) != 2:
        raise ConfigError(f"{CONFIG_NAME}, key 'period'",
                          expected="{start: YYYY-MM-DD, end: YYYY-MM-DD}", got=shorten(value))
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
                      got=shorten(value), hint=hint)


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
                                  got=shorten(item))
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
                          got=shorten(relative))
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
