"""The question-answering and search API under ``/api/v1``.

``ask`` and ``search`` are plain ``def`` endpoints: FastAPI runs them in its thread pool, so
embedding a query never blocks the event loop. Their admission dependencies run first, on the event
loop: they check the length, admit the question by its cost and take a CPU slot
(:func:`api.services.admitted`), so under overload a request is refused with 503 at once instead of first
waiting for a pool thread; FastAPI gives the slot back and charges the measured CPU time once the response
is sent (the whole stream for ``/ask/stream``), also after an error or when the client goes away.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field, WithJsonSchema

from api.convert import citation, filters_of, fixed_citations, hit, search_hit
from api.cost import Meter
from api.engine import Engine
from api.errors import ApiError, error_responses
from api.filtering import any_of_keys, select, task_filter
from api.metrics import question_hash
from api.relevance import hit_flags
from api.schemas import (
    CHOICES_SCHEMA,
    FILTER_MAX_CHARS,
    MAX_CHOICES,
    AskRequest,
    AskResponse,
    Citation,
    CitiesResponse,
    CityInfo,
    ConfigResponse,
    DeadlineKindName,
    ExampleQuestions,
    Month,
    PlainText,
    PlanSummary,
    SearchRequest,
    SearchResponse,
    SectionInfo,
    SectionsResponse,
    TaskPage,
    UnitInfo,
    UnitsResponse,
)
from api.services import EngineDep, Services, ServicesDep, admitted, limit_queries
from api.streaming import split_pieces, sse_event
from api.textcheck import strip_blank
from qa import Answer, check_citations

log = logging.getLogger("api")

POST_ERRORS = error_responses(400, 413, 415, 422, 429, 503)
LISTING_ERRORS = error_responses(404, 422, 503)  # 404: no plan has the doc_id
ASK_ERRORS = error_responses(400, 404, 413, 415, 422, 429, 503)  # 404: no plan has the doc_id

router = APIRouter(prefix="/api/v1", tags=["api"])

# One event of /ask/stream; ``data`` is a JSON object whose shape depends on ``event``.
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["delta", "citations", "done"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}

# Query filters of GET /tasks: an empty value means "not given", as HTML forms send it.
FilterParam = Annotated[PlainText | None, Query(max_length=FILTER_MAX_CHARS)]
# Repeatable (?lead_unit=A&lead_unit=B): a task matching any of the names.
FilterItem = Annotated[PlainText, Field(max_length=FILTER_MAX_CHARS)]
# In a query string one name and a list of one are the same thing, and the schema says so (else a schema
# checker takes ``?lead_unit=x`` for a string where an array was due).
ChoicesParam = Annotated[
    list[FilterItem] | None,
    WithJsonSchema(CHOICES_SCHEMA),
    Query(max_length=MAX_CHOICES, description="repeat for any of several"),
]
MonthParam = Annotated[Month | None, Query(description="inclusive; 2022-09 or 2022年9月")]
KindsParam = Annotated[
    list[DeadlineKindName | Literal[""]] | None,
    Query(
        max_length=5,
        description="a deadline kind (dated, within_year, recurring, ongoing, none); repeat for any",
    ),
]


def _check_length(text: str, services: Services, what: str) -> None:
    limit = services.settings.max_question_chars
    if len(text) > limit:
        zh = "问题" if what == "question" else "查询词"
        raise ApiError(
            422,
            f"{what}_too_long",
            f"{zh}过长（最多 {limit} 个字符）",
            f"The {what} is too long (at most {limit} characters)",
        )


# Admission, on the event loop before the endpoint runs in a pool thread. The parameter is named ``body``
# like the endpoint's, so FastAPI reads one request body for both; another name would make it expect
# ``{"body": …, "<name>": …}``. A body that fails validation never reaches these (422, no slot taken).
async def admit_question(body: AskRequest, request: Request, services: ServicesDep) -> AsyncIterator[Meter]:
    """Refuse a question over the length limit (422), admit it by its cost (429) and hold a CPU slot
    (503) until the response is sent; the endpoint measures its work with the yielded meter."""
    _check_length(body.question, services, "question")
    async with admitted(services, request, strip_blank(body.question)) as meter:
        yield meter


async def admit_query(body: SearchRequest, request: Request, services: ServicesDep) -> AsyncIterator[Meter]:
    """Refuse a query over the length limit (422); a query to embed (not a filter listing) is admitted
    by its cost and holds a slot."""
    _check_length(body.query, services, "query")
    query = strip_blank(body.query)
    if not query:
        yield Meter()
        return
    async with admitted(services, request, query) as meter:
        yield meter


QuestionMeter = Annotated[Meter, Depends(admit_question)]
QueryMeter = Annotated[Meter, Depends(admit_query)]


def _answer(body: AskRequest, services: Services, engine: Engine, meter: Meter) -> tuple[Answer, str, bool]:
    """Answer with the citations checked against the text (fixed and logged when they disagree); returns the
    answer, the token that carries the conversation on, and whether a token given could not be resumed."""
    question = strip_blank(body.question)
    doc_id = strip_blank(body.doc_id or "") or None
    if doc_id is not None and doc_id not in engine.qa.naming.shorts:
        raise ApiError(404, "unknown_plan", "没有这个方案（doc_id 不存在）", "No plan has this doc_id")
    session, restarted = engine.qa.resume(body.session_id, services.conversations)
    t0 = time.perf_counter()
    try:
        with meter.measure():
            answer = engine.qa.answer(question, session=session, doc_id=doc_id)
    except Exception:
        services.metrics.inc("qa_crashes_total")
        log.exception("qa crashed on question %s", question_hash(question))
        raise ApiError(
            500, "answer_failed", "回答时出错，请稍后再试", "Answering failed; please try again"
        ) from None
    services.metrics.inc("answers_total" if answer.answerable else "refusals_total")
    problems = check_citations(answer, engine.qa.naming)
    if problems:
        log.error(
            "answer citations disagree with its text (%s); citing what the text cites", "; ".join(problems)
        )
        answer = dataclasses.replace(
            answer, citations=fixed_citations(answer, engine.retriever.get, engine.qa.naming)
        )
    event: dict[str, object] = {
        "event": "ask",
        "intent": answer.intent,
        "answerable": answer.answerable,
        "citations": len(answer.citations),
        "ms": round((time.perf_counter() - t0) * 1000, 1),
        "cpu_ms": round(meter.cpu_ms, 1),
    }
    if services.settings.log_questions:
        event["question"] = question
    log.info(json.dumps(event, ensure_ascii=False))
    return answer, engine.qa.token(session, services.conversations), restarted


@router.post(
    "/ask",
    response_model=AskResponse,
    responses=ASK_ERRORS,
    dependencies=[Depends(limit_queries)],
)
def ask(body: AskRequest, services: ServicesDep, engine: EngineDep, meter: QuestionMeter) -> AskResponse:
    """Answer a question about the plan, citing every task the answer rests on."""
    answer, session_id, restarted = _answer(body, services, engine, meter)
    return AskResponse(
        answer=answer.text,
        answerable=answer.answerable,
        intent=answer.intent,
        session_id=session_id,
        new_conversation=restarted,
        citations=[
            citation(r, engine.shorts, engine.source_urls(services.settings.source_url))
            for r in answer.citations
        ],
    )


async def _frames(frames: list[bytes]) -> AsyncIterator[bytes]:
    for frame in frames:
        yield frame


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-Sent Events: `delta` {text} …, then `citations` {citations, answerable, "
            "intent, session_id}, then `done` {}",
            "content": {"text/event-stream": {"schema": SSE_EVENT}},
        },
        **ASK_ERRORS,
    },
    dependencies=[Depends(limit_queries)],
)
def ask_stream(
    body: AskRequest, services: ServicesDep, engine: EngineDep, meter: QuestionMeter
) -> StreamingResponse:
    """The answer of ``/ask`` as Server-Sent Events (computed first, so errors are plain JSON)."""
    answer, session_id, restarted = _answer(body, services, engine, meter)
    urls = engine.source_urls(services.settings.source_url)
    frames = [
        sse_event("delta", {"text": piece})
        for piece in split_pieces(answer.text, services.settings.stream_piece_chars)
    ]
    tail = {
        "citations": [citation(r, engine.shorts, urls).model_dump() for r in answer.citations],
        "answerable": answer.answerable,
        "intent": answer.intent,
        "session_id": session_id,
        "new_conversation": restarted,
    }
    frames += [sse_event("citations", tail), sse_event("done", {})]
    return StreamingResponse(
        _frames(frames),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/search",
    response_model=SearchResponse,
    responses=ASK_ERRORS,
    dependencies=[Depends(limit_queries)],
)
def search(
    body: SearchRequest, engine: EngineDep, services: ServicesDep, meter: QueryMeter
) -> SearchResponse:
    """Tasks ranked best first, each marked whether it passes the relevance cut-off; an empty query with
    filters returns every match (score 0, all relevant, no top_k)."""
    known_plan(body.filters.doc_id if body.filters else None, engine)
    filters = filters_of(body.filters)
    query = strip_blank(body.query)
    retriever = engine.retriever
    urls = engine.source_urls(services.settings.source_url)
    if not query:
        return SearchResponse(
            hits=[search_hit(r, 0.0, engine.shorts, urls=urls) for r in select(filters, retriever)]
        )
    with meter.measure():
        hits = retriever.search(
            query,
            top_k=body.top_k,
            filters=None if filters.base.is_empty() else filters.base,
            where=any_of_keys(filters, retriever),
        )
        marked = [
            hit(h, engine.shorts, relevant=f, urls=urls)
            for h, f in zip(hits, hit_flags(query, hits, retriever), strict=True)
        ]
        terms = highlight_terms(query, retriever.tokenizer.tokenize(query))
    return SearchResponse(hits=marked, terms=terms)


def highlight_terms(query: str, tokens: list[str]) -> list[str]:
    """What the staff page marks in the hits: the query's words of two or more characters and the query
    itself (a single character only when that is the whole query), longest first."""
    words = [t.strip() for t in tokens if len(t.strip()) >= 2]
    whole = query.strip()
    terms = dict.fromkeys([whole, *words] if len(whole) <= 20 else words)
    return sorted((t for t in terms if t), key=len, reverse=True)


async def single_values(request: Request) -> None:
    """Refuse a query parameter that takes one value given twice (FastAPI would keep the last one silently);
    the unit and city filters are the repeatable ones."""
    for name in {k for k, _ in request.query_params.multi_items()} - REPEATABLE:
        if len(request.query_params.getlist(name)) > 1:
            raise ApiError(
                422,
                "repeated_parameter",
                f"参数 {name} 只能给出一次",
                f"The parameter {name} may be given only once",
            )


REPEATABLE = frozenset({"lead_unit", "responsible_unit", "benchmark_city", "deadline_kind"})


# Plain decimal digits only: int() would also take "+5", " 5", "1_000" and pydantic "1.0".
TaskIdParam = Annotated[str, Path(pattern="^[0-9]{1,9}$", description="the task number, decimal digits")]


@router.get(
    "/tasks/{task_id}",
    response_model=Citation,
    responses=error_responses(404, 422, 503),
    dependencies=[Depends(single_values)],
)
def get_task(
    task_id: TaskIdParam, engine: EngineDep, services: ServicesDep, doc_id: FilterParam = None
) -> Citation:
    """One task by its number (and document, when the index holds several)."""
    doc = known_plan(doc_id, engine)
    number = int(task_id)
    record = engine.retriever.get(number, doc)
    if record is None:
        raise ApiError(404, "task_not_found", f"没有第{number}条任务", f"There is no task {number}")
    return citation(record, engine.shorts, engine.source_urls(services.settings.source_url))


@router.get(
    "/tasks", response_model=TaskPage, responses=LISTING_ERRORS, dependencies=[Depends(single_values)]
)
def list_tasks(
    engine: EngineDep,
    services: ServicesDep,
    section: FilterParam = None,
    lead_unit: ChoicesParam = None,
    responsible_unit: ChoicesParam = None,
    deadline_before: MonthParam = None,
    deadline_after: MonthParam = None,
    benchmark_city: ChoicesParam = None,
    doc_id: FilterParam = None,
    deadline_kind: KindsParam = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TaskPage:
    """Every task matching the filters, in document order, one page at a time. A unit or city filter may
    be repeated: a task then matches when any of those names does."""
    known_plan(doc_id, engine)
    filters = task_filter(
        section=section,
        lead_unit=lead_unit,
        responsible_unit=responsible_unit,
        deadline_before=deadline_before,
        deadline_after=deadline_after,
        benchmark_city=benchmark_city,
        doc_id=doc_id,
        deadline_kind=deadline_kind,
    )
    records = select(filters, engine.retriever)
    start = (page - 1) * page_size
    urls = engine.source_urls(services.settings.source_url)
    items = [citation(r, engine.shorts, urls) for r in records[start : start + page_size]]
    return TaskPage(total=len(records), page=page, page_size=page_size, items=items)


PlanParam = Annotated[
    PlainText | None,
    Query(
        max_length=FILTER_MAX_CHARS, description="one plan only (GET /api/v1/plans lists them); empty: all"
    ),
]


def known_plan(doc_id: str | None, engine: Engine) -> str | None:
    """The plan a request names (None when it names none); a plan not served is 404 ``unknown_plan``."""
    doc = strip_blank(doc_id or "") or None
    if doc is not None and not engine.serves(doc):
        raise ApiError(
            404,
            "unknown_plan",
            f"没有这个方案（doc_id 不存在）：{doc}；GET /api/v1/plans 列出所有方案",
            f"No plan has the doc_id {doc}; GET /api/v1/plans lists the plans",
        )
    return doc


@router.get(
    "/sections",
    response_model=SectionsResponse,
    responses=LISTING_ERRORS,
    dependencies=[Depends(single_values)],
)
async def sections(engine: EngineDep, doc_id: PlanParam = None) -> SectionsResponse:
    """The plans' sections in order, each with its plan and task count (``doc_id``: one plan's)."""
    doc = known_plan(doc_id, engine)
    return SectionsResponse(
        sections=[
            SectionInfo(
                section_no=s.section_no,
                section=s.section,
                count=s.count,
                doc_id=s.doc_id,
                short_title=engine.shorts.get(s.doc_id, s.doc_id),
            )
            for s in engine.retriever.sections
            if doc is None or s.doc_id == doc
        ]
    )


@router.get(
    "/units", response_model=UnitsResponse, responses=LISTING_ERRORS, dependencies=[Depends(single_values)]
)
async def units(engine: EngineDep, doc_id: PlanParam = None) -> UnitsResponse:
    """Canonical unit names with how many tasks each leads and shares, and the plans naming them
    (``doc_id``: one plan's units and counts)."""
    return UnitsResponse(
        units=[
            UnitInfo(
                unit=u.unit,
                lead_count=u.lead_count,
                responsible_count=u.responsible_count,
                doc_ids=list(u.doc_ids),
            )
            for u in engine.units_of(known_plan(doc_id, engine))
        ]
    )


@router.get(
    "/cities", response_model=CitiesResponse, responses=LISTING_ERRORS, dependencies=[Depends(single_values)]
)
async def cities(engine: EngineDep, doc_id: PlanParam = None) -> CitiesResponse:
    """The benchmark cities (对标城市) with their task counts, most tasks first (``doc_id``: one plan's)."""
    return CitiesResponse(
        cities=[
            CityInfo(city=c.city, count=c.count, doc_ids=list(c.doc_ids))
            for c in engine.cities_of(known_plan(doc_id, engine))
        ]
    )


@router.get("/config", response_model=ConfigResponse, responses=error_responses(503))
async def config(engine: EngineDep, services: ServicesDep) -> ConfigResponse:
    """What the widget shows before the first question: the plans, and the hotline it hands off to."""
    settings = services.settings
    return ConfigResponse(
        hotline=settings.hotline,
        max_question_chars=settings.max_question_chars,
        plans=[
            PlanSummary(
                doc_id=p.doc_id,
                title=p.title,
                doc_number=p.doc_number,
                task_count=p.task_count,
                source_url=engine.source_url(p.doc_id, settings.source_url),
                examples=ExampleQuestions(zh=list(p.examples.zh), en=list(p.examples.en)),
            )
            for p in engine.plans
        ],
    )
