"""The interactive explorer: ``opskit.explore(CLIENT_DIR)`` returns an ipywidgets app.

Pick a hat and a check, move the inputs built from its declared parameters, narrow the
period and the segment, and read status, metric, impact, story, chart and evidence as they
update; pin the tuned thresholds into engagement.yaml, export the view. The data is loaded
once; each change re-runs only the selected check.

    import opskit
    app = opskit.explore("data/samples/dtc")
    app  # the last expression of a cell displays it (JupyterLab, Voila)

Parts, one job each: ``board`` (every check's status, worst first; a click opens one),
``slicing`` (period and segment -> CheckData), ``inputs`` (widgets from
``Param``), ``panel`` (the result panel), ``pinning`` (engagement.yaml round trip),
``exporting`` (HTML and CSV), ``app`` (the wiring).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

from opskit.engagement import Engagement
from opskit.explore.app import Explorer
from opskit.explore.pinning import pin_thresholds
from opskit.explore.slicing import Segment, segment_choices, slice_tables


def explore(path_or_engagement: str | Path | Engagement, *, check: str | None = None,
            export_dir: str | Path | None = None,
            board_in_background: bool = False) -> Explorer:
    """The explorer app for an engagement folder (loaded once) or a loaded Engagement.

    ``check`` is the check shown first (default: the first of the catalog); ``export_dir``
    where "Export view" writes (default: ``<engagement>/exports``); ``board_in_background``
    shows the app before the status board of every check is filled (see ``Explorer``).
    The folder loads as ``opskit run`` loads it: a file that cannot be used is left out and
    the checks that need it say why (NOT_ASSESSABLE); only an engagement none of whose files
    can be used raises its OpskitError.
    """
    engagement = (path_or_engagement if isinstance(path_or_engagement, Engagement)
                  else Engagement.load_partial(path_or_engagement))
    return Explorer(engagement, check=check, export_dir=export_dir,
                    board_in_background=board_in_background)


class _CallableModule(types.ModuleType):
    """``opskit.explore`` is both this package and the function: importing the package
    makes ``opskit.explore`` the module, so the module forwards calls to ``explore``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Explorer:
        return explore(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["Explorer", "Segment", "explore", "pin_thresholds", "segment_choices",
           "slice_tables"]
