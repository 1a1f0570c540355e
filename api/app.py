"""``create_app()``: the FastAPI application, assembled from settings; nothing loads at import.

Middleware, outermost first: access log → security headers → CORS (refusals logged once per
origin) → failsafe (an unhandled exception becomes a 500 with every header) → HEAD/OPTIONS →
body guard → FastAPI. The lifespan creates the services and loads the engine;
without a usable index the app still starts, ``/readyz`` answers 503 and so do the
endpoints that need the index, until an admin reload succeeds.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from api import ops, pages, plans, routes
from api.bodyguard import BodyGuardMiddleware
from api.cost import CostModel
from api.engine import Engine, EngineHolder, load_engine
from api.errors import install_error_handlers
from api.failsafe import FailsafeMiddleware
from api.feedback import FeedbackStore
from api.methods import HeadOptionsMiddleware
from api.middleware import AccessLogMiddleware, JsonCORSMiddleware, SecurityHeadersMiddleware
from api.ratelimit import ConcurrencyGate, TokenBucketLimiter
from api.services import Services
from api.settings import Settings
from index import default_index_root
from qa import ConversationCodec
from retriever.backends import parse_store, served_version

log = logging.getLogger("api")

EngineLoader = Callable[[Settings], Engine]
IndexBuilder = Callable[[Settings], str]
VersionProbe = Callable[[Settings], str | None]


def published_version(settings: Settings) -> str | None:
    """The index version the store publishes now (``retriever.backends.served_version``)."""
    return served_version(settings.store, index_root=settings.index_dir or default_index_root())


def _version() -> str:
    try:
        return version("taskqa")
    except PackageNotFoundError:
        return "0"


def _middleware(settings: Settings) -> list[Middleware]:
    # CORS is installed even with no origin allowed: refusals are then explicit and logged.
    stack = [
        Middleware(AccessLogMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(
            JsonCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            expose_headers=["Retry-After"],
            max_age=600,
        ),
        Middleware(FailsafeMiddleware),
        Middleware(HeadOptionsMiddleware),
        Middleware(
            BodyGuardMiddleware,
            max_bytes=settings.max_body_bytes,
            max_depth=settings.max_json_depth,
            timeout=settings.body_timeout_seconds,
            streamed=frozenset({plans.UPLOAD_PATH}),
        ),
    ]
    return stack


def _services(
    settings: Settings, loader: EngineLoader, builder: IndexBuilder, probe: VersionProbe | None
) -> Services:
    def limiter(rate_per_minute: float, burst: float) -> TokenBucketLimiter:
        return TokenBucketLimiter(
            rate_per_minute=rate_per_minute, burst=burst, max_keys=settings.rate_limit_clients
        )

    return Services(
        settings=settings,
        engines=EngineHolder(lambda: loader(settings), probe=(lambda: probe(settings)) if probe else None),
        conversations=ConversationCodec(
            settings.session_secret.get_secret_value().encode()
            if settings.session_secret
            else secrets.token_bytes(32),  # one process: follow-ups stay on it (python -m api sets one)
            ttl_seconds=settings.session_ttl_seconds,
        ),
        feedback=FeedbackStore(
            settings.feedback_db,
            retention_days=settings.feedback_retention_days,
            max_bytes=int(settings.feedback_max_mb * 2**20),
        ),
        query_limiter=limiter(settings.rate_per_minute, settings.burst),
        cost_limiter=limiter(settings.cost_ms_per_minute, settings.cost_burst_ms),
        feedback_limiter=limiter(settings.feedback_per_day / 1440, settings.feedback_burst),
        admin_failures=limiter(settings.admin_max_failures / 60, settings.admin_max_failures),
        cpu=ConcurrencyGate(settings.max_concurrency),
        expensive=ConcurrencyGate(max(1, min(settings.expensive_slots, settings.max_concurrency - 1))),
        cost=CostModel(ms_per_char=settings.cost_ms_per_char, expensive_ms=settings.expensive_ms),
        build_index=lambda: builder(settings),
    )


def _with_limits(app: FastAPI, settings: Settings) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` that also shows the configured maximum question length."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            models = schema["components"]["schemas"]
            models["AskRequest"]["properties"]["question"]["maxLength"] = settings.max_question_chars
            models["SearchRequest"]["properties"]["query"]["maxLength"] = settings.max_question_chars
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


async def _follow(engines: EngineHolder, every: float) -> None:
    """Check the published index version every ``every`` seconds and reload when it moved (off the loop)."""
    while True:
        await anyio.sleep(every)
        try:
            await run_in_threadpool(engines.follow)
        except Exception as exc:  # never let the follower die: the next check tries again
            log.error("following the published index version failed: %s", exc)


def create_app(
    settings: Settings | None = None,
    *,
    engine_loader: EngineLoader | None = None,
    index_builder: IndexBuilder | None = None,
    version_probe: VersionProbe | None = published_version,
) -> FastAPI:
    """The application.

    Args:
        settings: defaults to ``Settings()`` (environment and ``.env``).
        engine_loader: builds an :class:`Engine`; default: the store ``settings.store`` names (the current
            index under ``settings.index_dir`` in memory).
        index_builder: rebuilds the index after a plan is added (``POST /api/v1/admin/plans``); default:
            :func:`api.plans.build_index` (the plans in ``settings.data_dir``, pushed to a Milvus store).
        version_probe: which index version is published now; every ``settings.reload_check_seconds`` the
            engine reloads when it moved (another worker added a plan). None, or a milvus-lite store (one
            process: nothing else publishes), never follows.
    """
    settings = settings or Settings()
    loader = engine_loader or (lambda s: load_engine(s.index_dir, s.store))
    builder = index_builder or plans.build_index
    follows = settings.reload_check_seconds > 0 and parse_store(settings.store).kind != "milvus-lite"
    probe = version_probe if follows else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = _services(settings, loader, builder, probe)
        app.state.services = services
        try:
            await run_in_threadpool(services.engines.load)
        except Exception as exc:
            log.error("no index loaded, /readyz answers 503 until a reload succeeds: %s", exc)
        async with anyio.create_task_group() as tasks:
            if probe is not None:
                tasks.start_soon(_follow, services.engines, settings.reload_check_seconds)
            yield
            tasks.cancel_scope.cancel()

    app = FastAPI(
        title="taskqa",
        version=_version(),
        summary="Questions and search over a county action plan's tasks",
        lifespan=lifespan,
        middleware=_middleware(settings),
        docs_url="/docs" if settings.enable_docs else None,
        redoc_url=None,
        # The schema is for integrators: served with the docs only, and never lists the admin routes.
        openapi_url="/openapi.json" if settings.enable_docs else None,
        # A redirect to the slash-less or slashed path would build its Location from the Host header.
        redirect_slashes=False,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(ops.feedback)
    app.include_router(ops.admin, include_in_schema=False)
    app.include_router(plans.router)
    app.include_router(plans.admin, include_in_schema=False)
    app.include_router(ops.probes)
    pages.mount_static(app)
    app.openapi = _with_limits(app, settings)  # type: ignore[method-assign]
    return app
