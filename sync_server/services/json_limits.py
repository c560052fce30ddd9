"""JSON from outside, read with a nesting limit checked BEFORE parsing: a document
nested thousands deep would make ``json.loads`` recurse until it fails (a 500),
so the brackets outside strings are counted first, in C-speed passes (strings
removed by one regular expression, the rest reduced to its brackets)."""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from sync_server.services.errors import ServiceError

# a JSON string, escapes included (unrolled, so long strings match in linear time)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DELTA = [0] * 256
for _c in b"[{":
    _DELTA[_c] = 1
for _c in b"]}":
    _DELTA[_c] = -1
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def depth(raw: bytes | str) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (brackets inside
    strings do not count). Malformed text gets a number too; parsing rejects it."""
    data = raw.encode() if isinstance(raw, str) else bytes(raw)
    if b"\\" in data or b'"' in data:
        data = _STRING.sub(b"", data)
    brackets = data.translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def too_deep(limit: int) -> ServiceError:
    return ServiceError(
        400,
        "json_too_deep",
        f"JSON anidado a más de {limit} niveles",
        f"JSON nested more than {limit} levels deep",
        extra={"max_depth": limit},
    )


def check_depth(raw: bytes | str, limit: int) -> None:
    """400 ``json_too_deep`` when ``raw`` nests deeper than ``limit``."""
    if depth(raw) > limit:
        raise too_deep(limit)


def loads(raw: bytes | str, limit: int, *, checked: bool = False) -> Any:
    """``json.loads`` of outside input: 400 ``json_too_deep`` or ``malformed_json``
    (naming the position), never a crash. ``checked``: the depth was already checked."""
    if not checked:
        check_depth(raw, limit)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        pos = getattr(exc, "pos", None)
        where_es = f" (posición {pos})" if pos is not None else ""
        where_en = f" (at {pos})" if pos is not None else ""
        raise ServiceError(
            400, "malformed_json", f"JSON mal formado{where_es}", f"malformed JSON{where_en}"
        ) from None
