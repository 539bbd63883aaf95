"""Pin tuned thresholds into engagement.yaml, so the next ``opskit run`` uses them.

The consultant's file is edited, not regenerated: a ruamel.yaml round trip keeps comments,
key order, quoting and indentation, and only ``thresholds: {check_id: {param: value}}``
changes. Values are validated against the check's declared ranges before anything is
written; the new text is re-read with the safe loader opskit itself uses and compared with
the old one (everything but this check's thresholds must be unchanged) before it replaces the
file, atomically.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from opskit.config import CONFIG_NAME, read_yaml
from opskit.errors import ConfigError
from opskit.registry import get


def tuned(check_id: str, values: Mapping[str, float]) -> dict[str, float]:
    """The values that differ from the check's declared defaults, validated first.

    Raises ParameterError (a ConfigError) naming the parameter, its range and the value.
    """
    spec = get(check_id)
    spec.resolve(values)
    return {name: value for name, value in values.items()
            if value != spec.params[name].default}


def pin_thresholds(root: str | Path, check_id: str, values: Mapping[str, float]
                   ) -> dict[str, float]:
    """Write the tuned ``values`` of ``check_id`` under ``thresholds:`` in engagement.yaml.

    Parameters back at their default are removed from the file (the default applies), and
    the check's entry goes when nothing is tuned. Returns what the file now pins for the
    check. Raises ConfigError (nothing written) when a value is out of range or the file
    cannot be edited safely.
    """
    pinned = tuned(check_id, values)
    path = Path(root) / CONFIG_NAME
    before = read_yaml(path)  # the safe view opskit reads; raises ConfigError on bad YAML
    if not isinstance(before, Mapping):
        raise ConfigError(CONFIG_NAME, expected="a mapping of settings (key: value)",
                          got=f"a {type(before).__name__}")
    text = path.read_text(encoding="utf-8-sig")
    new_text = _edit(text, check_id, pinned)
    _verify(before, yaml.safe_load(new_text), check_id, pinned)
    try:
        _replace_file(path, new_text)
    except OSError as exc:
        raise ConfigError(str(path), expected="an engagement.yaml opskit can write",
                          got=str(exc), hint="check the folder's permissions") from None
    return pinned


def _edit(text: str, check_id: str, pinned: Mapping[str, float]) -> str:
    """The file's text with ``thresholds[check_id]`` set to ``pinned`` (round trip)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap the consultant's long lines
    rt.indent(**guess_indent(text))
    document = rt.load(text)
    thresholds = document.get("thresholds")
    if not isinstance(thresholds, CommentedMap):
        if thresholds is not None and not isinstance(thresholds, Mapping):
            raise ConfigError(f"{CONFIG_NAME}, key 'thresholds'",
                              expected="a mapping (check id: {parameter: value})",
                              got=f"a {type(thresholds).__name__}")
        thresholds = CommentedMap(thresholds or {})
        document["thresholds"] = thresholds
    entry = thresholds.get(check_id)
    if not pinned:
        thresholds.pop(check_id, None)
    elif isinstance(entry, CommentedMap):  # edit in place: comments on kept keys survive
        for name in [n for n in entry if n not in pinned]:
            del entry[name]
        for name, value in pinned.items():
            entry[name] = value
    else:
        thresholds[check_id] = CommentedMap(pinned)
    if thresholds:
        thresholds.fa.set_block_style()
        for value in thresholds.values():
            if isinstance(value, CommentedMap):
                value.fa.set_block_style()
    buffer = io.StringIO()
    rt.dump(document, buffer)
    return buffer.getvalue()


def guess_indent(text: str) -> dict[str, int]:
    """The file's indentation as ruamel's ``indent()`` takes it: mapping, sequence, offset.

    Read from the first nested mapping and the first block sequence, so a file written as
    ``files:\\n  orders:\\n    - a.csv`` is written back the same way (ruamel's own guess
    takes one number for both).
    """
    mapping = offset = None
    lines = [line for line in text.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    for parent, child in pairwise(lines):
        if not parent.split(" #")[0].rstrip().endswith(":"):
            continue
        step = (len(child) - len(child.lstrip())) - (len(parent) - len(parent.lstrip()))
        if child.lstrip().startswith("- "):
            offset = step if offset is None and step >= 0 else offset
        elif mapping is None and step > 0:
            mapping = step
    mapping = mapping or 2
    offset = offset or 0
    return {"mapping": mapping, "sequence": offset + 2, "offset": offset}


def _verify(before: Mapping[str, Any], after: Any, check_id: str,
            pinned: Mapping[str, float]) -> None:
    """The edit changed this check's thresholds and nothing else, as opskit will read it."""
    expected = dict(before)
    thresholds = dict(expected.get("thresholds") or {})
    if pinned:
        thresholds[check_id] = dict(pinned)
    else:
        thresholds.pop(check_id, None)
    expected["thresholds"] = thresholds
    actual = dict(after) if isinstance(after, Mapping) else after
    if isinstance(actual, dict):
        actual["thresholds"] = {k: dict(v) if isinstance(v, Mapping) else v
                                for k, v in (actual.get("thresholds") or {}).items()}
    if actual != expected:
        raise ConfigError(f"{CONFIG_NAME}: pinning {check_id}",
                          expected="an edit that changes only its thresholds",
                          got="a file that would read differently",
                          hint="add the values under 'thresholds:' by hand")


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` next to ``path`` and move it over: a crash never leaves half a file."""
    handle, temporary = tempfile.mkstemp(prefix=".engagement-", suffix=".yaml",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
