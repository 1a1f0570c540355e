"""What the browser tests share besides fixtures: the server handle and widget helpers."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "api" / "static"
TIMEOUT_MS = 15_000
ELECTRICITY = "谁牵头负责电力接入的任务？"
STORAGE_PREFIX = "taskqa:v2:"


@dataclass(frozen=True)
class Portal:
    """Another site's pages, served at two origins: one the app's CORS settings allow, one they do not."""

    allowed: str
    unknown: str
    pages: dict[str, tuple[str, dict[str, str]]]

    def serve(self, path: str, html: str, headers: dict[str, str]) -> None:
        self.pages[path] = (html, headers)


@dataclass(frozen=True)
class Server:
    url: str  # the app (and the widget's endpoint)
    feedback_db: Path
    real: bool

    def get(self, path: str, **params: Any) -> Any:
        return httpx.get(self.url + path, params=params, timeout=30).json()

    def ask(self, question: str) -> dict[str, Any]:
        """What POST /api/v1/ask answers a new session (answers are deterministic)."""
        body = {"question": question, "session_id": None}
        result: dict[str, Any] = httpx.post(self.url + "/api/v1/ask", json=body, timeout=30).json()
        return result

    def answer(self, question: str) -> str:
        return str(self.ask(question)["answer"])

    def section_count(self, section: str) -> int:
        return int(
            next(s["count"] for s in self.get("/api/v1/sections")["sections"] if s["section"] == section)
        )

    def section_tasks(self, section: str) -> dict[int, dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.get("/api/v1/tasks", section=section, page=page, page_size=20)
            items += data["items"]
            if not data["items"] or len(items) >= data["total"]:
                return {t["task_id"]: t for t in items}
            page += 1


def screenshot(page: Page, name: str) -> None:
    """Saved to $TASKQA_SCREENSHOTS/name when that is set (``scripts/screenshots.sh`` sets it to docs)."""
    folder = os.environ.get("TASKQA_SCREENSHOTS")
    if folder:
        path = ROOT / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), animations="disabled")


def open_widget(page: Page, url: str) -> Locator:
    page.goto(url)
    page.locator("taskqa-widget .launcher").click()
    panel = page.locator("taskqa-widget .panel")
    expect(panel).to_be_visible()
    return page.locator("taskqa-widget")


def ask(widget: Locator, question: str) -> Locator:
    """Type a question, press Enter, and return the locator of the bot's reply (not yet finished)."""
    before = widget.locator(".msg.user").count()
    widget.locator("textarea.input").fill(question)
    widget.locator("textarea.input").press("Enter")
    expect(widget.locator(".msg.user")).to_have_count(before + 1)
    return widget.locator(".msg.bot:not(.welcome)").nth(before)


def finished(reply: Locator) -> Locator:
    expect(reply).to_have_attribute("aria-busy", "false")
    return reply


def stored(page: Page) -> dict[str, Any] | None:
    """What the widget keeps in sessionStorage (key ``taskqa:v2:<endpoint>``): token, language and turns."""
    raw = page.evaluate(
        f"() => Object.keys(sessionStorage).filter(k => k.startsWith('{STORAGE_PREFIX}'))"
        ".map(k => sessionStorage.getItem(k))[0] ?? null"
    )
    return json.loads(raw) if raw else None


def session_in_storage(page: Page) -> str | None:
    state = stored(page)
    return str(state["session"]) if state and state.get("session") else None


def sse_body(answer: str, citations: list[dict[str, Any]], answerable: bool = True, **meta: Any) -> str:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    pieces = [answer[i : i + 5] for i in range(0, len(answer), 5)]
    tail = {
        "citations": citations,
        "answerable": answerable,
        "intent": "lookup",
        "session_id": "s-route",
        **meta,
    }
    return "".join(event("delta", {"text": p}) for p in pieces) + event("citations", tail) + event("done", {})


def task(task_id: int, **fields: Any) -> dict[str, Any]:
    """A citation as the API sends it."""
    return {
        "doc_id": "ejin-horo-business-environment-plan-2022",
        "task_id": task_id,
        "section": "包容普惠创新",
        "lead_units": ["旗民政局"],
        "responsible_units": ["旗财政局"],
        "deadline": "2023年12月",
        "benchmark": "自主创新",
        "text": "开展养老服务人才培训提升行动",
        **fields,
    }
