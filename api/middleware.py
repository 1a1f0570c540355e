"""Pure ASGI middleware: security headers on every response, one JSON access-log line per request,
and Starlette's CORS with its refusals in the API's error shape and in the log (once per origin)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import bilingual, error_response

access_log = logging.getLogger("api.access")
log = logging.getLogger("api")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'"
)
# Embedded in other sites' pages: no frame or CSP rules of ours, and readable cross-origin.
WIDGET_PATHS = frozenset({"/widget.js", "/widget.css"})
# FastAPI's interactive docs load Swagger UI from a CDN; they are off unless enabled in settings.
DOCS_PREFIXES = ("/docs", "/redoc")

_COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
_OWN = {**_COMMON, "x-frame-options": "DENY", "content-security-policy": CSP}
_WIDGET = {**_COMMON, "cross-origin-resource-policy": "cross-origin"}
_DOCS = {**_COMMON, "x-frame-options": "DENY"}


def security_headers(path: str) -> dict[str, str]:
    """The headers for a response to ``path``."""
    if path in WIDGET_PATHS:
        return _WIDGET
    if path.startswith(DOCS_PREFIXES):
        return _DOCS
    return _OWN


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every response (headers a route set itself win)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in extra.items():
                    if key not in headers:
                        headers[key] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AccessLogMiddleware:
    """Logs time, method, path, status, latency and client as one JSON object (never the query string)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # unless the app starts a response

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            client = scope.get("client")
            line = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "latency_ms": round((time.perf_counter() - start) * 1000, 1),
                "client": client[0] if client else None,
            }
            access_log.info(json.dumps(line, ensure_ascii=False))


def same_origin(origin: str, host: str | None) -> bool:
    """Whether ``Origin`` names the host the request was sent to (the browser adds it to same-origin
    POSTs too). Only the host and port are compared: behind a TLS proxy the scheme seen here differs."""
    try:
        return host is not None and urlsplit(origin).netloc.lower() == host.lower()
    except ValueError:
        return False


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware; a refused preflight answers in the API's error shape, and the first
    refused request from each origin is logged with the setting that would allow it.

    Installed also when no origin is allowed, so that a portal embedding the widget without being listed
    gets a clear refusal (and its operator a log line) instead of a 405 to its preflight.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        allow_origins: Sequence[str] = (),
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
        max_logged_origins: int = 1000,
    ) -> None:
        super().__init__(
            app,
            allow_origins=allow_origins,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            max_age=max_age,
        )
        self.logged: set[str] = set()
        self.max_logged_origins = max_logged_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin and not self.is_allowed_origin(origin) and not same_origin(origin, headers.get("host")):
                self.log_refused(origin)
        await super().__call__(scope, receive, send)

    def log_refused(self, origin: str) -> None:
        """One warning per origin (at most ``max_logged_origins`` of them per process)."""
        if origin in self.logged or len(self.logged) > self.max_logged_origins:
            return
        self.logged.add(origin)
        if len(self.logged) > self.max_logged_origins:
            log.warning("more than %d origins refused; further ones are not logged", self.max_logged_origins)
            return
        log.warning(
            "cross-origin request from %r refused: to let pages of that site use the API (the widget), "
            "add the origin to TASKQA_CORS_ORIGINS",
            origin[:200],
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")  # "Disallowed CORS origin, method"
        headers = {k: v for k, v in response.headers.items() if k not in {"content-length", "content-type"}}
        return error_response(
            400,
            "cors_refused",
            bilingual("不允许该跨域请求", f"Cross-origin request refused: {reason}"),
            headers,
        )
