"""Limits on request bodies, applied before a route runs: the size (413, read
no further than the limit; some paths have a smaller one) and, for bodies that
may be parsed as JSON, the nesting depth (400 ``json_too_deep``)."""

from __future__ import annotations

import json
from typing import Any

from sync_server.services.json_limits import depth

Scope = dict[str, Any]
# bodies that are never parsed as JSON: the depth check skips them
NOT_JSON = (b"multipart/form-data", b"application/x-www-form-urlencoded", b"application/octet-stream")
DEPTH_CHECKED = "json_depth_checked"  # set in scope["state"] once the body passed


class BodyLimit:
    def __init__(
        self, app: Any, max_bytes: int, per_path: tuple[tuple[str, int], ...] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path  # (path prefix, smaller limit)

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.per_path:
            if path.startswith(prefix):
                return min(limit, self.max_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await _refuse(send, max_bytes)
                    return
        seen = 0
        refused = False

        async def limited() -> Any:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _refuse(send, max_bytes)


class JsonDepthLimit:
    """Any body that is not a form, a file upload or raw bytes is read whole
    (within the size limit) and its nesting checked before the app parses it:
    this covers the routes whose body FastAPI itself parses (pydantic models)."""

    def __init__(self, app: Any, max_depth: int, raw_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_depth = max_depth
        self.raw_paths = raw_paths  # path prefixes whose bodies are raw bytes, never JSON

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") in ("GET", "HEAD", "OPTIONS")
            or scope.get("path", "").startswith(self.raw_paths)
        ):
            await self.app(scope, receive, send)
            return
        ctype = dict(scope.get("headers", [])).get(b"content-type", b"").lower()
        if ctype.startswith(NOT_JSON):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if depth(body) > self.max_depth:
            await _answer(
                send,
                400,
                "json_too_deep",
                f"JSON anidado a más de {self.max_depth} niveles",
                f"JSON nested more than {self.max_depth} levels deep",
            )
            return
        scope.setdefault("state", {})[DEPTH_CHECKED] = True
        done = {"type": "http.request", "body": body, "more_body": False}
        await self.app(scope, _replay([done], None, receive), send)


def _replay(first: list[Any], pending: Any, receive: Any) -> Any:
    queue = [*first, *([pending] if pending is not None else [])]

    async def again() -> Any:
        return queue.pop(0) if queue else await receive()

    return again


class _TooLarge(Exception):
    pass


async def _refuse(send: Any, limit: int) -> None:
    await _answer(
        send, 413, "body_too_large", f"cuerpo de más de {limit} bytes", f"body over {limit} bytes"
    )


async def _answer(send: Any, status: int, code: str, es: str, en: str) -> None:
    body = json.dumps(
        {"error": code, "detail": f"{es} / {en}", "message_es": es, "message_en": en}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
