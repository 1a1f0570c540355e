"""A stand-in for ``api.app`` that speaks the HTTP contract, for front-end work before the backend exists.

It serves the real static files and real task records (``corpus.load_tasks``), but its "question
answering" is a handful of canned rules, just enough to drive the widget: electricity → the 获得电力
section, 法院 → tasks the court leads, 深圳 → tasks benchmarked on Shenzhen, 政务服务 + 年底 → that
section's tasks due by 2022-12, a follow-up (其中 / 这些 / 那) narrows the previous answer, anything else
is "not covered". The browser tests run against it only when ``api.app`` cannot be imported (or with
``TASKQA_BROWSER_APP=fake``); the tests of what only the real app does (relevance cut-off, task pages, the
conversation's real follow-ups, CORS) skip then.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from corpus import TaskRecord, load_tasks

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
PLAN = "《伊金霍洛旗对标先进建设最优营商环境实施方案》"


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    session_id: str | None = None


class FiltersIn(BaseModel):
    section: str | None = None
    lead_unit: str | list[str] | None = None
    responsible_unit: str | list[str] | None = None
    deadline_before: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    benchmark_city: str | list[str] | None = None


def names(value: str | list[str] | None) -> list[str]:
    return [v for v in ([value] if isinstance(value, str) else value or []) if v]


class SearchIn(BaseModel):
    query: str = ""
    top_k: int = Field(default=10, ge=1, le=50)
    filters: FiltersIn | None = None


class FeedbackIn(BaseModel):
    session_id: str | None = None
    question: str
    answer: str
    rating: Literal["up", "down"]
    comment: str | None = None


def citation(r: TaskRecord) -> dict[str, Any]:
    return {
        "doc_id": r.doc_id,
        "short_title": "伊旗营商环境实施方案",
        "task_id": r.task_id,
        "section": r.section,
        "lead_units": list(r.lead_units),
        "responsible_units": list(r.responsible_units),
        "deadline": r.deadline,
        "benchmark": r.benchmark,
        "text": r.text,
    }


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def matches(r: TaskRecord, f: FiltersIn | None) -> bool:
    if f is None:
        return True
    if f.section and r.section != f.section:
        return False
    leads, resps, cities = names(f.lead_unit), names(f.responsible_unit), names(f.benchmark_city)
    if leads and not any(n in u for n in leads for u in r.lead_units):
        return False
    if resps and not any(n in u for n in resps for u in r.responsible_units):
        return False
    if f.deadline_before:
        year, month = (int(x) for x in f.deadline_before.split("-"))
        if r.deadline_ym is None or r.deadline_ym > (year, month):
            return False
    return not (cities and r.benchmark_city not in cities)


def compose(records: list[TaskRecord], topic: str) -> str:
    """'topic共有 N 项任务。牵头单位：A（任务 1、2）；B（任务 3）。' — every cited task is named."""
    by_unit: dict[str, list[int]] = defaultdict(list)
    for r in records:
        for u in r.lead_units:
            by_unit[u].append(r.task_id)
    leads = "；".join(f"{u}（任务 {'、'.join(map(str, ids))}）" for u, ids in by_unit.items())
    return f"{topic}共有 {len(records)} 项任务。牵头单位：{leads}。"


class FakeQA:
    def __init__(self, tasks: list[TaskRecord]) -> None:
        self.tasks = tasks
        self.sessions: dict[str, list[TaskRecord]] = {}

    def pick(self, pred: Callable[[TaskRecord], bool]) -> list[TaskRecord]:
        return [r for r in self.tasks if pred(r)]

    def ask(self, question: str, session_id: str | None) -> dict[str, Any]:
        sid = session_id or uuid.uuid4().hex
        previous = self.sessions.get(sid, [])
        q = question
        records: list[TaskRecord]
        if previous and any(w in q for w in ("其中", "这些", "那")):
            records = [r for r in previous if r.deadline_ym is not None and r.deadline_ym <= (2022, 12)]
            topic, intent = "上述任务中 2022 年底前完成的", "list_tasks"
        elif "电" in q:
            records, topic, intent = (
                self.pick(lambda r: r.section == "获得电力"),
                "电力接入（获得电力）",
                "who_leads_topic",
            )
        elif "法院" in q:
            records, topic, intent = (
                self.pick(lambda r: "旗法院" in r.lead_units),
                "旗法院牵头的",
                "list_tasks",
            )
        elif "深圳" in q:
            records, topic, intent = (
                self.pick(lambda r: r.benchmark_city == "深圳"),
                "对标深圳的",
                "list_tasks",
            )
        elif "政务服务" in q and "年底" in q:
            records = self.pick(
                lambda r: (
                    r.section == "政务服务" and r.deadline_ym is not None and r.deadline_ym <= (2022, 12)
                )
            )
            topic, intent = "2022年底前完成的政务服务", "deadline"
        else:
            records, topic, intent = [], "", "out_of_scope"
        if not records:
            answer = f"抱歉，{PLAN}中没有涉及这个问题的任务，无法回答。"
            return {
                "answer": answer,
                "answerable": False,
                "intent": "out_of_scope",
                "session_id": sid,
                "citations": [],
            }
        self.sessions[sid] = records
        return {
            "answer": compose(records, topic),
            "answerable": True,
            "intent": intent,
            "session_id": sid,
            "citations": [citation(r) for r in records],
        }


def sse(event: str, data: dict[str, Any]) -> str:
    # CRLF line ends, as sse-starlette writes them, so the widget's parser is exercised on both styles.
    return f"event: {event}\r\ndata: {json.dumps(data, ensure_ascii=False)}\r\n\r\n"


def create_fake_app(feedback_db: Path) -> FastAPI:
    tasks = load_tasks()
    qa = FakeQA(tasks)
    app = FastAPI(title="taskqa (fake for browser tests)")
    db = sqlite3.connect(feedback_db, check_same_thread=False)
    db.execute(
        "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, session_id TEXT, question TEXT,"
        " answer TEXT, rating TEXT, comment TEXT)"
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(422, "invalid_request", f"请求参数有误 / Invalid request: {exc.errors()[0]['msg']}")

    @app.post("/api/v1/ask")
    async def ask(body: AskIn) -> dict[str, Any]:
        return qa.ask(body.question, body.session_id)

    @app.post("/api/v1/ask/stream")
    async def ask_stream(body: AskIn) -> StreamingResponse:
        result = qa.ask(body.question, body.session_id)

        async def events() -> AsyncIterator[str]:
            yield ": ping\r\n\r\n"
            text = result["answer"]
            for i in range(0, len(text), 12):
                yield sse("delta", {"text": text[i : i + 12]})
                await asyncio.sleep(0.01)
            meta = {k: result[k] for k in ("citations", "answerable", "intent", "session_id")}
            yield sse("citations", meta)
            yield sse("done", {})

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/v1/search")
    async def search(body: SearchIn) -> Any:
        pool = [r for r in tasks if matches(r, body.filters)]
        if not body.query.strip():
            if body.filters is None:
                return error(422, "invalid_request", "请输入查询词或筛选条件 / Give a query or filters")
            scored = [(0.0, r) for r in pool]
        else:
            grams = {body.query[i : i + 2] for i in range(max(1, len(body.query) - 1))}
            scored = []
            for r in pool:
                hay = r.text + r.section + "".join(r.lead_units)
                found = sum(g in hay for g in grams)
                if found:
                    scored.append((found / len(grams), r))
            scored.sort(key=lambda x: -x[0])
        hits = [{**citation(r), "score": round(s, 4), "relevant": True} for s, r in scored[: body.top_k]]
        return {"hits": hits, "terms": [body.query] if body.query.strip() else []}

    @app.get("/api/v1/tasks")
    async def list_tasks(
        section: str | None = None,
        lead_unit: Annotated[list[str] | None, Query()] = None,
        responsible_unit: Annotated[list[str] | None, Query()] = None,
        deadline_before: str | None = None,
        benchmark_city: Annotated[list[str] | None, Query()] = None,
        page: int = 1,
        page_size: int = 20,
    ) -> Any:
        if page < 1 or not 1 <= page_size <= 200:
            return error(422, "invalid_request", "分页参数有误 / Bad paging parameters")
        f = FiltersIn(
            section=section,
            lead_unit=lead_unit,
            responsible_unit=responsible_unit,
            deadline_before=deadline_before,
            benchmark_city=benchmark_city,
        )
        pool = [r for r in tasks if matches(r, f)]
        items = pool[(page - 1) * page_size : page * page_size]
        return {
            "total": len(pool),
            "page": page,
            "page_size": page_size,
            "items": [citation(r) for r in items],
        }

    @app.get("/api/v1/sections")
    async def sections() -> dict[str, Any]:
        counts = Counter((r.section_no, r.section) for r in tasks)
        return {
            "sections": [{"section_no": n, "section": s, "count": c} for (n, s), c in sorted(counts.items())]
        }

    @app.get("/api/v1/cities")
    async def cities() -> dict[str, Any]:
        counts = Counter(r.benchmark_city for r in tasks if r.benchmark_city)
        return {"cities": [{"city": c, "count": n} for c, n in sorted(counts.items(), key=lambda x: -x[1])]}

    # What qa/examples.py makes of the first plan (the real app's /api/v1/config).
    EXAMPLES = {
        "zh": [
            "旗法院牵头哪些任务？",
            "政府采购方面的任务由谁牵头？",
            "2022年底前要完成哪些任务？",
            "对标上海的任务有哪些？",
        ],
        "en": [
            "Which tasks does 旗法院 lead?",
            "Who leads the 政府采购 tasks?",
            "Which tasks are due by the end of 2022?",
            "Which tasks are benchmarked on 上海?",
        ],
    }

    @app.get("/api/v1/config")
    async def config() -> dict[str, Any]:
        plan = {"doc_id": tasks[0].doc_id, "title": PLAN.strip("《》"), "doc_number": "伊党办发〔2022〕5号"}
        return {
            "hotline": "12345",
            "max_question_chars": 500,
            "plans": [{**plan, "task_count": len(tasks), "source_url": None, "examples": EXAMPLES}],
        }

    @app.get("/api/v1/plans")
    async def plans() -> dict[str, Any]:
        plan = {"doc_id": tasks[0].doc_id, "title": PLAN.strip("《》"), "doc_number": "伊党办发〔2022〕5号"}
        info = {"short_title": "伊旗营商环境实施方案", "region": "伊金霍洛旗", "year": 2022}
        return {"plans": [{**plan, **info, "task_count": len(tasks)}]}

    @app.get("/api/v1/units")
    async def units() -> dict[str, Any]:
        lead = Counter(u for r in tasks for u in r.lead_units)
        resp = Counter(u for r in tasks for u in r.responsible_units)
        names: Iterable[str] = sorted(set(lead) | set(resp), key=lambda u: (-lead[u], -resp[u], u))
        return {"units": [{"unit": u, "lead_count": lead[u], "responsible_count": resp[u]} for u in names]}

    @app.post("/api/v1/feedback", status_code=201)
    async def feedback(body: FeedbackIn) -> dict[str, int]:
        cur = db.execute(
            "INSERT INTO feedback (session_id, question, answer, rating, comment) VALUES (?, ?, ?, ?, ?)",
            (body.session_id, body.question, body.answer, body.rating, body.comment),
        )
        db.commit()
        return {"id": int(cur.lastrowid or 0)}

    @app.get("/")
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/search")
    async def search_page() -> FileResponse:
        return FileResponse(STATIC / "search.html")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/widget.js")
    async def widget_js() -> FileResponse:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript")

    @app.get("/widget.css")
    async def widget_css() -> FileResponse:
        return FileResponse(STATIC / "widget.css", media_type="text/css")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
