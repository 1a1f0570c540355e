"""Health probes, feedback, and the admin API (off unless an admin token is configured)."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, error_responses
from api.filtering import choices
from api.schemas import (
    FeedbackCreated,
    FeedbackItem,
    FeedbackList,
    FeedbackRequest,
    HealthResponse,
    ReadyResponse,
    ReloadResponse,
)
from api.services import Services, ServicesDep, limit_feedback, require_admin

log = logging.getLogger("api")

probes = APIRouter(tags=["ops"])
feedback = APIRouter(prefix="/api/v1", tags=["feedback"])
admin = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])


@probes.get("/healthz", response_model=HealthResponse)
async def healthz() -> HealthResponse:
    """The process is up (liveness); says nothing about the index."""
    return HealthResponse(status="ok")


@probes.get("/metrics", response_class=PlainTextResponse)
async def metrics(services: ServicesDep) -> PlainTextResponse:
    """Counters of this process: answers, refusals and crashes (Prometheus text format)."""
    return PlainTextResponse(services.metrics.render(), media_type="text/plain; version=0.0.4")


@probes.get("/readyz", response_model=ReadyResponse, responses=error_responses(503))
async def readyz(services: ServicesDep) -> ReadyResponse:
    """An index is loaded and requests can be answered (readiness)."""
    engine = services.engines.current
    if engine is None:
        raise ApiError(503, "not_ready", "索引尚未加载", "The index is not loaded")
    info = engine.retriever.info
    return ReadyResponse(
        status="ready", index_version=info.version, task_count=info.task_count, embedder=info.embedder
    )


@feedback.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackCreated,
    responses=error_responses(400, 404, 413, 415, 422, 429),
    dependencies=[Depends(limit_feedback)],
)
def post_feedback(body: FeedbackRequest, services: ServicesDep) -> FeedbackCreated:
    """Store a rating of an answer; it is on disk before the response is sent."""
    new_id = services.feedback.add(
        session_id=services.conversations.conversation_of(body.session_id),
        question=body.question,
        answer=body.answer,
        rating=body.rating,
        comment=body.comment,
        doc_ids=_feedback_plans(body.doc_id, services),
    )
    return FeedbackCreated(id=new_id)


def _feedback_plans(given: list[str] | None, services: Services) -> tuple[str, ...]:
    """The plans a rating is about: those the client names (each one a plan served now, else 404
    ``unknown_plan``), or the one plan served when it names none; nothing when that is unknown."""
    engine = services.engines.current
    served = [p.doc_id for p in engine.plans] if engine is not None else []
    named = choices(given)
    if not named:
        return tuple(served) if len(served) == 1 else ()
    if engine is not None:
        unknown = [d for d in named if d not in served]
        if unknown:
            raise ApiError(
                404,
                "unknown_plan",
                f"没有这个方案（doc_id 不存在）：{unknown[0]}",
                f"No plan has this doc_id: {unknown[0]}",
            )
    return tuple(sorted(named))


@admin.get("/feedback", response_model=FeedbackList, responses=error_responses(401, 404, 422))
def list_feedback(services: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> FeedbackList:
    """The newest feedback first (admin token required)."""
    items = [
        FeedbackItem(
            id=e.id,
            created_at=e.created_at,
            session_id=e.session_id,
            question=e.question,
            answer=e.answer,
            rating=e.rating,
            comment=e.comment,
            doc_id=",".join(e.doc_ids) or None,
            doc_ids=list(e.doc_ids),
        )
        for e in services.feedback.recent(limit)
    ]
    return FeedbackList(items=items)


@admin.post("/reload", response_model=ReloadResponse, responses=error_responses(401, 404, 503))
async def reload(services: ServicesDep) -> ReloadResponse:
    """Load the index version ``CURRENT`` points at and swap it in; requests in flight are not disturbed."""
    t0 = time.perf_counter()
    try:
        engine = await run_in_threadpool(services.engines.load)
    except Exception as exc:
        log.error("reload failed; the previous index keeps serving: %s", exc)
        raise ApiError(
            503, "reload_failed", f"重新加载索引失败：{exc}", f"Reloading the index failed: {exc}"
        ) from exc
    info = engine.retriever.info
    return ReloadResponse(
        status="reloaded",
        index_version=info.version,
        task_count=info.task_count,
        embedder=info.embedder,
        seconds=round(time.perf_counter() - t0, 3),
    )
