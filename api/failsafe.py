"""Pure ASGI middleware: an exception nobody handled becomes a 500 in the error shape, inside the stack.

Starlette answers an unhandled exception in ``ServerErrorMiddleware``, the outermost layer: its response
skips our security-header and CORS middleware (a portal's script cannot even read it), and it re-raises,
so uvicorn logs a second traceback and drops the connection. This layer sits inside those middlewares,
logs the exception once with its traceback and answers in the one error shape; the connection stays
usable. When the response had already started there is nothing to answer with, and the exception goes on.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import bilingual, error_response

log = logging.getLogger("api")


class FailsafeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            log.error("unhandled error on %s %s", scope["method"], scope["path"], exc_info=exc)
            response = error_response(
                500, "internal_error", bilingual("服务器内部错误", "Internal server error")
            )
            await response(scope, receive, send)
