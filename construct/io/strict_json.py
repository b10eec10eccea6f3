"""Strict comparison of JSON records: types included (``1`` is not ``1.0``, ``false`` is not ``"False"``).

``verify`` compares every record of a Ĝ file with its recomputation by :func:`first_difference`, and
reports the first difference as one line ``path=value: recomputed X`` (values shown as the file writes
them, shortened).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MISSING", "first_difference", "json_type", "show"]

MISSING: Any = object()  # a field absent from one side


def show(v: Any) -> str:
    """A value as the file writes it (JSON), shortened for a one-line message."""
    if v is MISSING:
        return "(missing)"
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def json_type(v: Any) -> str:
    """The JSON type of a decoded value: boolean, integer, number, string, array, object or null.

    >>> [json_type(v) for v in (True, 1, 1.0, "1", [1], {}, None)]
    ['boolean', 'integer', 'number', 'string', 'array', 'object', 'null']
    """
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    for kind, name in ((float, "number"), (str, "string"), (list, "array"), (dict, "object")):
        if isinstance(v, kind):
            return name
    return "null" if v is None else type(v).__name__


def _difference(claimed: Any, recomputed: Any, path: str) -> tuple[str, Any, Any] | None:
    """The first (path, claimed, recomputed) where two JSON documents differ, types included."""
    if isinstance(claimed, dict) and isinstance(recomputed, dict):
        for k, v in recomputed.items():
            d = _difference(claimed.get(k, MISSING), v, f"{path}.{k}")
            if d is not None:
                return d
        extra = [k for k in claimed if k not in recomputed]
        return None if not extra else (f"{path}.{extra[0]}", claimed[extra[0]], MISSING)
    if isinstance(claimed, list) and isinstance(recomputed, list) and len(claimed) == len(recomputed):
        for n, (c, r) in enumerate(zip(claimed, recomputed, strict=True)):
            d = _difference(c, r, f"{path}[{n}]")
            if d is not None:
                return d
        return None
    same = json_type(claimed) == json_type(recomputed) and (
        repr(claimed) == repr(recomputed) if isinstance(claimed, float) else claimed == recomputed
    )
    return None if same else (path, claimed, recomputed)


def first_difference(claimed: Any, recomputed: Any, path: str, *, fields_of: str) -> str | None:
    """The one-line ``path=value: recomputed X`` at the first difference, or None when the records agree
    (``recomputed`` is taken as a file would store it: through JSON; a field ``claimed`` has beyond the
    recomputed record is ``not a field of {fields_of}``).

    >>> first_difference({"k": 1, "x": "1/2"}, {"k": 1.0, "x": "1/2"}, "plan", fields_of="logprune.ghat/2")
    'plan.k=1: recomputed 1.0'
    >>> first_difference({"k": 1, "z": 0}, {"k": 1}, "plan", fields_of="logprune.ghat/2")
    'plan.z=0: not a field of logprune.ghat/2'
    """
    d = _difference(claimed, json.loads(json.dumps(recomputed)), path)
    if d is None:
        return None
    where, c, r = d
    if r is MISSING:
        return f"{where}={show(c)}: not a field of {fields_of}"
    return f"{where}={show(c)}: recomputed {show(r)}"
