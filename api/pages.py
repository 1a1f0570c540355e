"""The widget and the pages in ``api/static`` (written separately; whatever exists is served).

``widget.js`` / ``widget.css`` are embedded by other sites: they are readable from any origin
and cacheable for ``widget_max_age`` seconds. Everything else is same-origin only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from api.errors import ApiError
from api.settings import Settings, get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter(include_in_schema=False)


def _file(name: str) -> Path:
    path = STATIC_DIR / name
    if not path.is_file():
        raise ApiError(404, "not_found", "未找到", "Not found")
    return path


def _page(name: str) -> Response:
    return FileResponse(_file(name), headers={"Cache-Control": "no-cache"})


@router.api_route("/", methods=["GET", "HEAD"])
async def index_page() -> Response:
    return _page("index.html")


@router.api_route("/search", methods=["GET", "HEAD"])
async def search_page() -> Response:
    return _page("search.html")


SettingsDep = Annotated[Settings, Depends(get_settings)]


def _widget_asset(settings: Settings, name: str) -> Response:
    return FileResponse(
        _file(name),
        headers={
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": f"public, max-age={settings.widget_max_age}",
        },
    )


@router.api_route("/widget.js", methods=["GET", "HEAD"])
async def widget_js(settings: SettingsDep) -> Response:
    return _widget_asset(settings, "widget.js")


@router.api_route("/widget.css", methods=["GET", "HEAD"])
async def widget_css(settings: SettingsDep) -> Response:
    return _widget_asset(settings, "widget.css")


def mount_static(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
