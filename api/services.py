"""What the lifespan creates for the routes, and the FastAPI dependencies that hand it out."""

from __future__ import annotations

import hmac
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.clientkey import client_key as normalized_key
from api.cost import CostModel, Meter
from api.engine import Engine, EngineHolder
from api.errors import ApiError
from api.feedback import FeedbackStore
from api.metrics import Metrics
from api.ratelimit import ConcurrencyGate, TokenBucketLimiter, retry_after
from api.settings import Settings
from qa import ConversationCodec


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    engines: EngineHolder
    conversations: ConversationCodec  # follow-ups: the previous turn, signed, carried by the client
    feedback: FeedbackStore
    query_limiter: TokenBucketLimiter  # ask and search share one bucket per client
    cost_limiter: TokenBucketLimiter  # CPU milliseconds per client, ask and search
    feedback_limiter: TokenBucketLimiter
    admin_failures: TokenBucketLimiter  # wrong admin tokens per client
    cpu: ConcurrencyGate
    expensive: ConcurrencyGate  # the lane long questions share (part of the CPU slots)
    cost: CostModel
    build_index: Callable[[], str] = lambda: ""  # rebuilds the index from the corpus folder (api.plans)
    metrics: Metrics = field(default_factory=Metrics)
    uploads: threading.Lock = field(default_factory=threading.Lock)  # one plan upload at a time


# Dependencies are ``async def`` so that FastAPI runs them on the event loop, not in a worker thread.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def client_key(request: Request) -> str:
    """The client's normalized address (IPv6 by /64, see :mod:`api.clientkey`); behind a trusted proxy
    uvicorn sets it from X-Forwarded-For (``forwarded_allow_ips``)."""
    return normalized_key(request.client.host if request.client else None)


def _rate_limited(wait: float) -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        "请求过于频繁，请稍后再试",
        "Too many requests, please retry later",
        headers={"Retry-After": retry_after(wait)},
    )


def _limit(pick: Callable[[Services], TokenBucketLimiter]) -> Callable[[Request], Awaitable[None]]:
    async def dependency(request: Request) -> None:
        wait = pick(await get_services(request)).acquire(client_key(request))
        if wait > 0:
            raise _rate_limited(wait)

    return dependency


limit_queries = _limit(lambda s: s.query_limiter)
limit_feedback = _limit(lambda s: s.feedback_limiter)


def _retry_later(services: Services, code: str, zh: str, en: str) -> ApiError:
    """A 503 telling the client when to try again."""
    return ApiError(503, code, zh, en, headers={"Retry-After": str(services.settings.retry_after_seconds)})


async def current_engine(services: ServicesDep) -> Engine:
    """The engine at the start of the request; it stays this request's even if a reload swaps it."""
    engine = services.engines.current
    if engine is None:
        raise _retry_later(
            services,
            "not_ready",
            "索引尚未加载，请稍后再试",
            "The index is not loaded yet, please retry later",
        )
    return engine


EngineDep = Annotated[Engine, Depends(current_engine)]


def _overloaded(services: Services) -> ApiError:
    return _retry_later(
        services, "overloaded", "服务繁忙，请稍后再试", "The service is busy, please retry later"
    )


@asynccontextmanager
async def cpu_slot(services: Services) -> AsyncIterator[None]:
    """Hold one of the ``max_concurrency`` slots for CPU-bound work, or shed the request with 503 at once.

    Never waits, so it belongs on the event loop: a request refused here never waits for a pool thread.
    """
    if not services.cpu.try_acquire():
        raise _overloaded(services)
    try:
        yield
    finally:
        services.cpu.release()


@asynccontextmanager
async def admitted(services: Services, request: Request, text: str) -> AsyncIterator[Meter]:
    """Admit work on ``text`` by its cost, hold a CPU slot for it, and charge what it really cost.

    In order: the client's CPU budget must be positive (else 429; the estimate is spent now), a long
    question needs a slot in the expensive lane, every question a CPU slot (else 503, and the request
    token and the estimate are given back: a shed request costs the client nothing). After the response
    the CPU time measured by the yielded :class:`Meter` beyond the estimate is charged too.
    """
    key = client_key(request)
    estimate = services.cost.estimate_ms(text)
    wait = services.cost_limiter.admit(key, estimate)
    if wait > 0:
        raise _rate_limited(wait)
    lane = services.expensive if services.cost.is_expensive(estimate) else None
    if lane is not None and not lane.try_acquire():
        _refund(services, key, estimate)
        raise _overloaded(services)
    if not services.cpu.try_acquire():
        if lane is not None:
            lane.release()
        _refund(services, key, estimate)
        raise _overloaded(services)
    meter = Meter()
    try:
        yield meter
    finally:
        services.cpu.release()
        if lane is not None:
            lane.release()
        if meter.cpu_ms > estimate:
            services.cost_limiter.charge(key, meter.cpu_ms - estimate)


def _refund(services: Services, key: str, estimate: float) -> None:
    services.query_limiter.refund(key)
    services.cost_limiter.refund(key, estimate)


_bearer = HTTPBearer(auto_error=False, description="the admin token (TASKQA_ADMIN_TOKEN)")


async def require_admin(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """404 when no admin token is configured (the admin API is off); 401 unless the token matches;
    429 once a client address has sent ``admin_max_failures`` wrong tokens (one more allowed every
    3600 / ``admin_max_failures`` seconds), before its token is even compared."""
    token = services.settings.admin_token
    if token is None:
        raise ApiError(404, "not_found", "未找到", "Not found")
    key = client_key(request)
    if services.admin_failures.balance(key) < 1.0:
        raise _rate_limited(services.admin_failures.acquire(key))
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        services.admin_failures.acquire(key)
        raise ApiError(
            401,
            "unauthorized",
            "需要有效的管理员令牌",
            "A valid admin token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
