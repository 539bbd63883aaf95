"""The check registry: a plain dict of check specs, filled by ``@check`` at import time.

A check is a plain function over the engagement's tables with keyword-only parameters whose
defaults are ``Param`` declarations (threshold or assumption, with a valid range)::

    @check("fulfillment.late_shipments", area="fulfillment",
           title="Orders ship later than promised",
           needs={"orders": ["order_id", "ordered_at"], "shipments": ["order_id", "shipped_at"]})
    def late_shipments(data, *, warn=Param(0.04, 0, 1, 0.005, "late share that warns"), ...):
        ...
        return Result(status=..., metrics=..., evidence=..., impact=..., story=...)

Calling the decorated function resolves each ``Param`` to its value, validates overrides
against the declared range, and fills the result's metadata. ``run_check`` adds the two things
a diagnostic run needs: NOT_ASSESSABLE when the data is missing (with the data request), and
ERROR when the check crashes (with the traceback), caught here and nowhere else.
"""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

import pandas as pd

from opskit.errors import ParameterError, UnknownCheckError, shorten
from opskit.findings import AREA_HAT, Result, Status
from opskit.tables import TABLES


@dataclass(frozen=True)
class Param:
    """A tunable threshold or assumption: default, valid range, slider step, help text.

    For a money assumption with a low / base / high spread (e.g. a cancel probability of
    1% / 3% / 6%), ``low`` and ``high`` give the spread; tuning the base scales them.
    """

    default: float
    min: float
    max: float
    step: float | None = None
    help: str = ""
    low: float | None = None
    high: float | None = None
    unit: str = ""

    def validate(self, name: str, check_id: str, value: Any) -> float:
        """``value`` as a float, or a ParameterError naming the parameter, range and value."""
        ok = not isinstance(value, bool) and isinstance(value, int | float) and value == value
        if not ok or not self.min <= value <= self.max:  # exact: a 400-digit int never floats
            raise ParameterError(
                f"The '{name}' parameter of {check_id} must be a number in "
                f"[{self.min:g}, {self.max:g}]. Got {shorten(value)}.",
                check_id=check_id, parameter=name, value=value)
        return float(value)

    def spread(self, base: float) -> tuple[float, float, float]:
        """(low, base, high) for ``base``, keeping the declared ratios of low and high."""
        if self.low is None or self.high is None or not self.default:
            return (base, base, base)
        ratio = base / self.default
        return (self.low * ratio, base, self.high * ratio)


class NotAssessable(Exception):
    """Raised inside a check when the data present cannot answer its question."""

    def __init__(self, request: str) -> None:
        super().__init__(request)
        self.request = request


@dataclass(frozen=True)
class CheckData:
    """What a check reads: the tables, the period, the money assumptions, the client name."""

    tables: Mapping[str, pd.DataFrame]
    period: Any  # opskit.engagement.Period
    assumptions: Mapping[str, Any] = field(default_factory=dict)
    client: str = ""
    unusable: Mapping[str, Any] = field(default_factory=dict)
    """Table -> the ``opskit.unusable.Unusable`` record of the file that could not be used
    for it: a check that needs the table says that file's problem, not a data request."""
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What several checks derive from these tables (period orders, first shipments, key
    codes...), computed once per CheckData by ``opskit.checks._common.memoized``. Never passed
    in and never copied by ``dataclasses.replace``, so one CheckData's derived frames cannot
    reach another; each entry also remembers the exact objects it was computed from."""

    def has(self, table: str, *columns: str) -> bool:
        frame = self.tables.get(table)
        return frame is not None and len(frame) > 0 and all(c in frame.columns for c in columns)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def get(self, table: str) -> pd.DataFrame | None:
        return self.tables.get(table)


def _all_missing(data: CheckData, table: str, frame: pd.DataFrame, column: str) -> bool:
    """``frame[column].isna().all()``, worked out once per table of ``data``: most checks
    need the same order columns, and each asked it again of a million-row column."""
    from opskit.checks._common import memoized  # the checks' own memo (imports this module)

    return memoized(data, f"all missing:{table}.{column}", [frame],
                    lambda: bool(frame[column].isna().all()))


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its metadata, parameters, and the function that measures."""

    id: str
    area: str
    title: str
    needs: Mapping[str, tuple[str, ...]]
    params: Mapping[str, Param]
    func: Callable[..., Result]
    doc: str
    playbook: str
    proof_metric: str

    @property
    def hat(self) -> str:
        return AREA_HAT[self.area]

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Defaults with ``overrides`` applied; each override checked against its range."""
        values = {name: p.default for name, p in self.params.items()}
        for name, value in (overrides or {}).items():
            if name not in self.params:
                close = get_close_matches(str(name), self.params, n=3)
                raise ParameterError(
                    f"{self.id} has no parameter '{name}'. Expected one of: "
                    f"{', '.join(self.params)}."
                    + (f" Did you mean {', '.join(close)}?" if close else ""),
                    check_id=self.id, parameter=str(name), value=None)
            values[name] = self.params[name].validate(name, self.id, value)
        if "warn" in values and "fail" in values:
            higher_is_worse = self.params["warn"].default <= self.params["fail"].default
            ok = (values["warn"] <= values["fail"]) if higher_is_worse else (
                values["warn"] >= values["fail"])
            if not ok:
                word = "at most" if higher_is_worse else "at least"
                raise ParameterError(
                    f"The 'warn' parameter of {self.id} must be {word} its 'fail' parameter. "
                    f"Got warn={values['warn']:g}, fail={values['fail']:g}.",
                    check_id=self.id, parameter="warn", value=values["warn"])
        return values

    def missing(self, data: CheckData) -> list[tuple[str, list[str]]]:
        """The tables (and their columns) this check needs that the data does not have."""
        gaps = []
        for table, columns in self.needs.items():
            frame = data.get(table)
            if frame is None or len(frame) == 0:
                gaps.append((table, list(columns)))
            else:
                absent = [c for c in columns if c not in frame.columns
                          or _all_missing(data, table, frame, c)]
                if absent:
                    gaps.append((table, absent))
        return gaps

    def data_request(self, data: CheckData,
                     gaps: list[tuple[str, list[str]]] | None = None) -> str:
        """Plain words for the client: which export, which columns, which period.

        A table that was sent but whose file could not be used is not requested again: the
        words say which file, why, and to fix or re-export it.
        """
        gaps = self.missing(data) if gaps is None else gaps
        left_out = [(t, c) for t, c in gaps if t in data.unusable and data.get(t) is None]
        unusable = list(dict.fromkeys(data.unusable[t].sentence() for t, _ in left_out))
        gaps = [gap for gap in gaps if gap not in left_out]
        if not gaps:
            return " ".join(unusable)
        period = data.period
        parts = []
        for table, columns in gaps:
            spec = TABLES[table]
            frame = data.get(table)
            what = spec.source_hint or f"the {table} data"
            if frame is None or len(frame) == 0:
                parts.append(f"{what} ({table}: {', '.join(columns)})")
            else:
                parts.append(f"the {', '.join(columns)} column{'s' if len(columns) > 1 else ''}"
                             f" in {what}")
        window = f" covering {period.start.date()} to {period.end.date()}" if period else ""
        return " ".join([*unusable, "Send " + "; and ".join(parts) + window + "."])


REGISTRY: dict[str, CheckSpec] = {}


def check(id: str, *, area: str, title: str, needs: Mapping[str, list[str] | tuple[str, ...]],
          playbook: str | None = None, proof_metric: str | None = None
          ) -> Callable[[Callable[..., Result]], Callable[..., Result]]:
    """Register a check function under ``id``; see the module docstring for the contract."""
    if area not in AREA_HAT:
        raise ValueError(f"unknown area {area!r} for {id}")

    def register(func: Callable[..., Result]) -> Callable[..., Result]:
        signature = inspect.signature(func)
        params: dict[str, Param] = {}
        for name, parameter in signature.parameters.items():
            if isinstance(parameter.default, Param):
                if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                    raise TypeError(f"{id}: parameter {name} must be keyword-only")
                params[name] = parameter.default
        doc = inspect.getdoc(func) or ""
        if not doc:
            raise TypeError(f"{id}: a check needs a docstring whose first line is its title")

        @functools.wraps(func)
        def wrapper(data: CheckData, **overrides: Any) -> Result:
            values = spec.resolve(overrides)
            result = func(data, **values)
            return result.with_meta(
                check_id=id, title=title, area=area, hat=AREA_HAT[area],
                thresholds=values, playbook=spec.playbook, proof_metric=spec.proof_metric,
                headline=result.headline or spec.proof_metric)

        spec = CheckSpec(
            id=id, area=area, title=title,
            needs={t: tuple(c) for t, c in needs.items()}, params=params, func=wrapper,
            doc=doc, playbook=playbook or id, proof_metric=proof_metric or "",
        )
        if id in REGISTRY:
            raise ValueError(f"check {id} registered twice")
        REGISTRY[id] = spec
        wrapper.spec = spec  # type: ignore[attr-defined]
        return wrapper

    return register


def get(check_id: str) -> CheckSpec:
    """The spec of ``check_id``; an unknown id raises an error listing the closest ids."""
    load_all()
    try:
        return REGISTRY[check_id]
    except KeyError:
        close = get_close_matches(check_id, REGISTRY, n=3, cutoff=0.4)
        raise UnknownCheckError(
            f"Unknown check '{check_id}'",
            expected="a registered check id (opskit checks lists them)",
            got=f"'{check_id}'",
            hint=f"did you mean {', '.join(close)}?" if close else None) from None


def all_checks() -> list[CheckSpec]:
    """Every registered check, in catalog order (hat, then registration)."""
    load_all()
    hats = list(dict.fromkeys(AREA_HAT.values()))
    return sorted(REGISTRY.values(), key=lambda s: hats.index(s.hat))


def load_all() -> None:
    """Import every check module (explicit imports, so the registry is a plain dict)."""
    import opskit.checks  # noqa: F401


def run_check(spec: CheckSpec, data: CheckData,
              overrides: Mapping[str, Any] | None = None) -> Result:
    """Run one check for a diagnostic: NOT_ASSESSABLE when data is missing, ERROR on a crash.

    Parameter errors are not caught: a bad override is the consultant's to fix before a run.
    """
    values = spec.resolve(overrides)
    meta = dict(check_id=spec.id, title=spec.title, area=spec.area, hat=spec.hat,
                thresholds=values, playbook=spec.playbook, proof_metric=spec.proof_metric,
                headline=spec.proof_metric)
    gaps = spec.missing(data)
    if gaps:
        return Result(status=Status.NOT_ASSESSABLE,
                      data_request=spec.data_request(data, gaps)).with_meta(**meta)
    try:
        return spec.func(data, **values)
    except NotAssessable as signal:
        return Result(status=Status.NOT_ASSESSABLE, data_request=signal.request).with_meta(**meta)
    except Exception:
        return Result(status=Status.ERROR, error=traceback.format_exc()).with_meta(**meta)
