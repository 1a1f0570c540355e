"""The pages, the widget and the task permalinks (``api/static`` and :mod:`api.taskpage`).

``widget.js`` / ``widget.css`` are embedded by other sites: they are readable from any origin, cacheable
for ``widget_max_age`` seconds, then revalidated by their ``ETag`` (a hash of the content, so a new version is
picked up without a ``?v=`` in anyone's tag). They, the pages and their scripts and styles are sent gzipped to
clients that accept it (compressed once per file version, in memory). Everything else is same-origin only.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.engine import Engine
from api.errors import ApiError
from api.services import EngineDep
from api.settings import Settings, get_settings
from api.taskpage import (
    Lang,
    render_choices,
    render_missing,
    render_task,
    render_unknown_plan,
    task_path,
)
from corpus.records import TaskRecord

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Served through _asset (compressed, ETag); other files in api/static through the /static mount.
COMPRESSED = frozenset({"search.js", "search.css", "portal.css", "task.js", "task.css"})
MIN_GZIP_BYTES = 1024
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Asset:
    """A static file's bytes, their gzip and their entity tag, for one (mtime, size) of the file."""

    stamp: tuple[int, int]
    raw: bytes
    gz: bytes | None
    etag: str


_assets: dict[Path, Asset] = {}


def _file(name: str) -> Path:
    path = STATIC_DIR / name
    if not path.is_file():
        raise ApiError(404, "not_found", "未找到", "Not found")
    return path


def load_asset(path: Path) -> Asset:
    """The file as an :class:`Asset`, read and compressed again only when the file changed."""
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _assets.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    raw = path.read_bytes()
    gz = gzip.compress(raw, compresslevel=9, mtime=0) if len(raw) >= MIN_GZIP_BYTES else None
    asset = Asset(stamp, raw, gz, '"' + hashlib.sha256(raw).hexdigest()[:20] + '"')
    _assets[path] = asset
    return asset


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip;q=0`` refuses it)."""
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in {"gzip", "*"}:
            q = params.strip().removeprefix("q=").strip() if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


def _asset(request: Request, name: str, headers: dict[str, str]) -> Response:
    asset = load_asset(_file(name))
    gz = asset.gz is not None and accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = asset.etag[:-1] + '-gz"' if gz else asset.etag
    out = {**headers, "ETag": etag, "Vary": "Accept-Encoding"}
    match = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")}
    if etag in match:
        return Response(status_code=304, headers=out)
    media = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
    if gz:
        assert asset.gz is not None
        return Response(asset.gz, media_type=media, headers={**out, "Content-Encoding": "gzip"})
    return Response(asset.raw, media_type=media, headers=out)


def _page(request: Request, name: str) -> Response:
    return _asset(request, name, {"Cache-Control": "no-cache"})


@router.api_route("/", methods=["GET", "HEAD"])
async def index_page(request: Request) -> Response:
    return _page(request, "index.html")


@router.api_route("/search", methods=["GET", "HEAD"])
async def search_page(request: Request) -> Response:
    return _page(request, "search.html")


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _widget_asset(request: Request, settings: Settings, name: str) -> Response:
    return _asset(
        request,
        name,
        {"Access-Control-Allow-Origin": "*", "Cache-Control": f"public, max-age={settings.widget_max_age}"},
    )


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def widget_js(request: Request, settings: SettingsDep) -> Response:
    return _widget_asset(request, settings, "widget.js")


@router.api_route("/widget.css", methods=["GET", "HEAD"])
async def widget_css(request: Request, settings: SettingsDep) -> Response:
    return _widget_asset(request, settings, "widget.css")


def _static_route(name: str) -> None:
    async def serve(request: Request) -> Response:
        return _asset(request, name, {"Cache-Control": "no-cache"})

    router.add_api_route(f"/static/{name}", serve, methods=["GET", "HEAD"], name=f"static-{name}")


# The pages' own scripts and styles, compressed; other files under /static come from the mount.
for _name in sorted(COMPRESSED):
    _static_route(_name)


def _lang(request: Request) -> Lang:
    return "en" if request.query_params.get("lang") == "en" else "zh"


def _html(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-cache"})


def _number(task_id: str) -> int | None:
    return int(task_id) if task_id.isascii() and task_id.isdigit() and len(task_id) <= 9 else None


def _render(engine: Engine, record: TaskRecord, settings: Settings, lang: Lang) -> HTMLResponse:
    several = len(engine.plans) > 1
    prev = engine.retriever.get(record.task_id - 1, record.doc_id)
    nxt = engine.retriever.get(record.task_id + 1, record.doc_id)
    html = render_task(
        record,
        engine.plan(record.doc_id),
        source_url=engine.source_url(record.doc_id, settings.source_url),
        lang=lang,
        prev_id=prev.task_id if prev else None,
        next_id=nxt.task_id if nxt else None,
        keyed=several,
    )
    return _html(html)


@router.api_route("/tasks/{task_id}", methods=["GET", "HEAD"])
def task_page(task_id: str, request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """One task's permalink page (HTML, printable) by its number. With several plans loaded the number may
    be ambiguous: one plan has it → a redirect to ``/tasks/{doc_id}/{id}``; several → a page listing them
    (300 Multiple Choices); none → an HTML 404. Never another plan's task silently."""
    lang = _lang(request)
    number = _number(task_id)
    several = len(engine.plans) > 1
    if number is None:
        return _html(render_missing(task_id, lang=lang, several=several), 404)
    if not several:
        record = engine.retriever.get(number)
        if record is None:
            return _html(render_missing(task_id, lang=lang), 404)
        return _render(engine, record, settings, lang)
    found = [(r, p) for p in engine.plans if (r := engine.retriever.get(number, p.doc_id)) is not None]
    if not found:
        return _html(render_missing(task_id, lang=lang, several=True), 404)
    if len(found) == 1:
        target = task_path(found[0][0], lang, keyed=True)
        return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-cache"})
    return _html(render_choices(number, found, lang=lang), 300)


@router.api_route("/tasks/{doc_id}/{task_id}", methods=["GET", "HEAD"])
def plan_task_page(
    doc_id: str, task_id: str, request: Request, engine: EngineDep, settings: SettingsDep
) -> Response:
    """One task's permalink page by plan and number; an unknown plan or number is an HTML 404."""
    lang = _lang(request)
    plan = next((p for p in engine.plans if p.doc_id == doc_id), None)
    if plan is None:
        return _html(render_unknown_plan(doc_id, engine.plans, lang=lang, task_id=task_id), 404)
    number = _number(task_id)
    record = engine.retriever.get(number, doc_id) if number is not None else None
    if record is None:
        return _html(render_missing(task_id, lang=lang, plan=plan), 404)
    return _render(engine, record, settings, lang)


def mount_static(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
