"""The plans the index holds (``GET /api/v1/plans``) and adding one (``POST /api/v1/admin/plans``, admin).

Adding a plan: the request body is the file itself (any content type), ``?filename=`` names it (its suffix
picks the reader: .txt, .docx, .xlsx, .pdf) and ``&doc_id=`` may choose its id. The body is read only after
the admin token was checked (the body guard leaves this path to the endpoint), at most ``plan_max_mb`` within
``upload_timeout_seconds``. Then, in a worker thread and one upload at a time: ``corpus.add_plan`` checks the
file — an unsupported, empty, oversized, encrypted or scanned file, one without tasks, with parse errors or
already in the corpus is a bilingual 4xx and the corpus folder does not change — and copies it into the corpus
folder; the index is rebuilt (a new version folder; ``CURRENT`` moves only once it is complete) and this
worker's engine reloaded atomically (requests in flight keep the engine they started with). When the build or
the reload fails, the file is removed again, ``CURRENT`` put back and, with a Milvus store, the alias moved
back to the collection it named before: what is served does not change. Other worker processes follow within
``reload_check_seconds`` (``api.engine.EngineHolder.follow``: each checks the pointer or the alias and reloads
when it moved).
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from api.engine import Engine
from api.errors import ApiError, error_responses
from api.schemas import PlanAdded, PlanInfo, PlansResponse
from api.services import EngineDep, Services, ServicesDep, require_admin
from api.settings import Settings
from corpus import PlanFileError, add_plan, default_data_dir
from corpus.records import ParseError
from index.store import build_and_save, current_version_dir, default_index_root, point_current
from retriever.backends import restore_served, served_version

log = logging.getLogger("api")

UPLOAD_PATH = "/api/v1/admin/plans"
router = APIRouter(prefix="/api/v1", tags=["api"])
admin = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])

# The status of each reason a file is refused (corpus.checks.Problem); any other: 422.
_STATUS = {"unsupported": 415, "too_large": 413, "duplicate_content": 409, "duplicate_id": 409}
_SHOWN_ERRORS = 5


def plan_infos(engine: Engine, configured: str | None = None) -> list[PlanInfo]:
    """Every plan the engine's index holds, in document order."""
    return [
        PlanInfo(
            doc_id=p.doc_id,
            title=p.title,
            short_title=p.short_title or p.doc_id,
            doc_number=p.doc_number,
            region=p.region,
            year=p.year,
            task_count=p.task_count,
            source_url=engine.source_url(p.doc_id, configured),
        )
        for p in engine.plans
    ]


@router.get("/plans", response_model=PlansResponse, responses=error_responses(503))
async def list_plans(engine: EngineDep, services: ServicesDep) -> PlansResponse:
    """The plans answers and searches cover: id, title, short title, issuing number, region, year, tasks,
    and where each is published."""
    return PlansResponse(plans=plan_infos(engine, services.settings.source_url))


def build_index(settings: Settings) -> str:
    """Rebuild the index from the corpus folder (and push it when the store is Milvus); what happened."""
    root = settings.index_dir or default_index_root()
    _, what = build_and_save(root=root, data_dir=settings.data_dir)
    if settings.store != "memory":
        from retriever.backends import push_store

        push_store(settings.store, index_root=root)
    return what


FileName = Annotated[
    str,
    Query(
        min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$", description="the file's name: plan.docx"
    ),
]
DocId = Annotated[str | None, Query(max_length=80, description="the plan's id (else from the file)")]


@admin.post(
    "/plans",
    status_code=201,
    response_model=PlanAdded,
    responses=error_responses(401, 404, 408, 409, 413, 415, 422, 503),
)
async def upload_plan(
    request: Request, services: ServicesDep, filename: FileName, doc_id: DocId = None
) -> PlanAdded:
    """Add a plan file to the corpus, rebuild the index and reload (admin token required)."""
    settings = services.settings
    limit = int(settings.plan_max_mb * 2**20)
    data = await _read_body(request, limit, settings.upload_timeout_seconds)
    if not services.uploads.acquire(blocking=False):
        raise ApiError(
            409,
            "upload_in_progress",
            "另一个方案正在添加，请稍后再试",
            "Another plan is being added; retry later",
        )
    try:
        return await run_in_threadpool(_add, services, Path(filename).name, data, doc_id or None, limit)
    finally:
        services.uploads.release()


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    too_large = ApiError(
        413,
        "plan_too_large",
        f"文件过大（最多 {limit // 2**20} MB）",
        f"The file is too large (at most {limit // 2**20} MB)",
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(
            408,
            "body_timeout",
            f"文件未在 {timeout:g} 秒内传完",
            f"The file did not arrive within {timeout:g} seconds",
        ) from None
    return b"".join(chunks)


def _add(services: Services, filename: str, data: bytes, doc_id: str | None, limit: int) -> PlanAdded:
    settings = services.settings
    t0 = time.perf_counter()
    folder = settings.data_dir or default_data_dir()
    root = settings.index_dir or default_index_root()
    previous = current_version_dir(root)
    served = served_version(settings.store, index_root=root) if settings.store != "memory" else None
    with tempfile.TemporaryDirectory(prefix="taskqa-upload-") as tmp:
        src = Path(tmp) / filename
        src.write_bytes(data)
        try:
            added = add_plan(src, folder=folder, doc_id=doc_id, max_bytes=limit)
        except PlanFileError as exc:
            status = _STATUS.get(exc.problem, 422)
            raise ApiError(status, f"plan_{exc.problem}", exc.refusal.zh, exc.refusal.en) from None
        except ParseError as exc:
            shown = "; ".join(str(i) for i in exc.issues[:_SHOWN_ERRORS])
            raise ApiError(
                422,
                "plan_parse_errors",
                f"方案有 {len(exc.issues)} 处无法解析：{shown}",
                f"The plan has {len(exc.issues)} parse error(s): {shown}",
            ) from None
    assert added.path is not None
    try:
        services.build_index()
        engine = services.engines.load()
    except Exception as exc:
        added.path.unlink(missing_ok=True)
        if previous is not None:
            point_current(root, previous.name)
        if settings.store != "memory":  # the push may have moved the alias: back to what was served
            try:
                restore_served(settings.store, served)
            except Exception as undo:
                log.error("the alias of %s could not be moved back to %s: %s", settings.store, served, undo)
        log.error(
            "adding %s failed after its checks; the corpus and the index are as before: %s", filename, exc
        )
        raise ApiError(
            503,
            "plan_not_indexed",
            f"方案已通过检查，但重建或加载索引失败，未作任何改动：{exc}",
            f"The plan passed its checks but rebuilding or loading the index failed; nothing changed: {exc}",
        ) from exc
    info = next(p for p in plan_infos(engine, services.settings.source_url) if p.doc_id == added.plan.doc_id)
    log.info("plan %s added from %s (%d tasks)", info.doc_id, filename, info.task_count)
    return PlanAdded(
        status="added",
        plan=info,
        repairs=sum(1 for i in added.plan.document.issues if i.severity == "repair"),
        index_version=engine.retriever.info.version,
        seconds=round(time.perf_counter() - t0, 3),
    )
