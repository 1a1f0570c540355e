"""Pure ASGI middleware: HEAD and OPTIONS on every route that answers GET.

FastAPI registers a ``GET`` route for exactly ``GET``, so ``HEAD /healthz`` (what many load balancers and
uptime checkers send) and ``OPTIONS /healthz`` answered 405. Here ``HEAD`` runs the ``GET`` route and sends
its status and headers without the body (RFC 9110 §9.3.2); ``OPTIONS`` on a known path answers 204 with
``Allow``. A CORS preflight never gets here: the CORS middleware outside answers it.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CANDIDATES = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods the routes accept at ``scope["path"]`` (empty when no route has that path).

    Asks each route whether it would take the request with each method (FastAPI nests included routers,
    so the routes' own ``methods`` are not all visible from the top); a mount serves files: GET and HEAD.
    """
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):
            if route.matches(scope)[0] is Match.FULL:
                methods |= {"GET", "HEAD"}
            continue
        methods |= {m for m in CANDIDATES if route.matches({**scope, "method": m})[0] is Match.FULL}
    if "GET" in methods:
        methods.add("HEAD")
    if methods:
        methods.add("OPTIONS")
    return methods


class HeadOptionsMiddleware:
    """``HEAD`` as ``GET`` without a body; ``OPTIONS`` → 204 with ``Allow`` on every known path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            router = getattr(scope.get("app"), "router", None)
            methods = allowed_methods(list(getattr(router, "routes", [])), scope)
            if not methods:
                await self.app(scope, receive, send)  # unknown path: the app's 404
                return
            allow = ", ".join(sorted(methods)).encode()
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
