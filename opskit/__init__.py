"""opskit: operational diagnostics for fractional operations consultants.

Load a client engagement, run the pattern checks, read the findings in dollars::

    import opskit
    engagement = opskit.Engagement.load("data/samples/dtc")
    diagnosis = opskit.diagnose(engagement)
    diagnosis.summary()
"""

from os import PathLike
from typing import Any

import opskit._startup  # noqa: F401  (first: trims slow optional imports, see its docstring)
from opskit.diagnose import diagnose
from opskit.engagement import Engagement, Period
from opskit.errors import ConfigError, DataError, OpskitError
from opskit.findings import Diagnosis, Impact, Metric, Result, Status, Story
from opskit.registry import REGISTRY, CheckData, Param, all_checks, check, get

__version__ = "0.1.0"


def explore(path_or_engagement: str | PathLike[str] | Engagement, **options: Any) -> Any:
    """The interactive explorer app (see ``opskit.explore``); imports ipywidgets and plotly
    only when called, so ``import opskit`` stays light for batch runs and the CLI."""
    from opskit.explore import explore as build

    return build(path_or_engagement, **options)


__all__ = [
    "REGISTRY",
    "CheckData",
    "ConfigError",
    "DataError",
    "Diagnosis",
    "Engagement",
    "Impact",
    "Metric",
    "OpskitError",
    "Param",
    "Period",
    "Result",
    "Status",
    "Story",
    "all_checks",
    "check",
    "diagnose",
    "explore",
    "get",
]
