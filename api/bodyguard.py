"""Pure ASGI middleware that checks a request body before any parser sees it.

It counts bytes as they arrive and answers 413 as soon as the limit is passed — whether
``Content-Length`` was absent, honest or a lie — without reading the rest. A JSON body must
be UTF-8 and nested at most ``max_depth`` deep (``json.loads`` would otherwise recurse on
``[[[[…`` until Python's recursion limit). The whole body must arrive within ``timeout`` seconds of
the request's headers (408 otherwise): a client trickling a body cannot hold a connection and a request
for long. The checked body is then replayed to the app.
"""

from __future__ import annotations

import email.message

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import bilingual, error_bytes

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")
_QUOTE, _BACKSLASH = 0x22, 0x5C


def json_too_deep(data: bytes, limit: int) -> bool:
    """True when arrays/objects in ``data`` nest deeper than ``limit`` (brackets in strings ignored).

    Works on UTF-8 bytes directly: multi-byte sequences never contain ASCII bytes.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


def is_json_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    msg = email.message.Message()
    msg["content-type"] = content_type
    subtype = msg.get_content_subtype()
    return msg.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _error(status: int, code: str, zh: str, en: str, *, close: bool = False) -> Response:
    headers = {"Connection": "close"} if close else None
    return Response(
        error_bytes(code, bilingual(zh, en)),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


class BodyGuardMiddleware:
    """Size limit, UTF-8 and nesting checks for request bodies; JSON only on ``/api/`` writes."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_depth: int,
        timeout: float = 10.0,
        streamed: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.timeout = timeout
        # POST paths whose body the endpoint reads itself, with its own limits, after authenticating the
        # client (a plan upload: megabytes, never buffered here for an anonymous client).
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and scope["path"] in self.streamed):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        too_large = _error(
            413,
            "body_too_large",
            f"请求体过大（最多 {self.max_bytes} 字节）",
            f"The request body is too large (at most {self.max_bytes} bytes)",
        )
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await _error(400, "bad_content_length", "Content-Length 无效", "Invalid Content-Length")(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        outcome = "incomplete"
        with anyio.move_on_after(self.timeout):
            outcome = await self._read(receive, chunks)
        if outcome == "disconnected":
            return  # the client left; nobody to answer
        if outcome == "too_large":
            await too_large(scope, receive, send)
            return
        if outcome == "incomplete":
            slow = _error(
                408,
                "body_timeout",
                f"请求体未在 {self.timeout:g} 秒内传完",
                f"The request body did not arrive within {self.timeout:g} seconds",
                close=True,
            )
            await slow(scope, receive, send)
            return
        body = b"".join(chunks)
        problem = self._check(scope, headers, body)
        if problem is not None:
            await problem(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as streaming responses expect

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive, chunks: list[bytes]) -> str:
        """Receive the body into ``chunks``: ``complete``, ``too_large`` or ``disconnected``."""
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return "disconnected"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return "too_large"
            chunks.append(chunk)
            if not message.get("more_body", False):
                return "complete"

    def _check(self, scope: Scope, headers: Headers, body: bytes) -> Response | None:
        if not body:
            return None
        content_type = headers.get("content-type")
        if is_json_type(content_type):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                return _error(
                    400, "invalid_encoding", "请求体必须是 UTF-8 编码", "The request body must be UTF-8"
                )
            if json_too_deep(body, self.max_depth):
                return _error(
                    400,
                    "too_deep",
                    f"JSON 嵌套过深（最多 {self.max_depth} 层）",
                    f"The JSON is nested too deeply (at most {self.max_depth} levels)",
                )
            return None
        if scope["method"] in {"POST", "PUT", "PATCH"} and scope["path"].startswith("/api/"):
            return _error(415, "unsupported_media_type", "请求体必须是 JSON", "The request body must be JSON")
        return None
