"""The chat widget, the demo portal and the staff search page in headless Chromium.

The app runs with uvicorn in a background thread on a free loopback port. It is the real
``api.app:create_app()`` when that imports (``make index`` must have run); while the backend does not
exist yet it is ``tests/browser/fake_api.py``, which speaks the same contract over the real task records.
``TASKQA_BROWSER_APP=real|fake`` forces one. ``TASKQA_SCREENSHOTS=DIR`` (e.g. ``docs``) saves the
desktop, phone and search-page screenshots there.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "api" / "static"
ELECTRICITY = "谁牵头负责电力接入的任务？"
TIMEOUT_MS = 15_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing (make browser-deps installs Debian's chromium)", allow_module_level=True
    )

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)


# --------------------------------------------------------------------------------------------- server


@dataclass(frozen=True)
class Server:
    url: str
    feedback_db: Path
    real: bool

    def get(self, path: str, **params: Any) -> Any:
        return httpx.get(self.url + path, params=params, timeout=30).json()

    def answer(self, question: str) -> str:
        """The answer text POST /api/v1/ask gives a new session (answers are deterministic)."""
        body = {"question": question, "session_id": None}
        return str(httpx.post(self.url + "/api/v1/ask", json=body, timeout=30).json()["answer"])

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


def _build_app(feedback_db: Path) -> tuple[Any, bool]:
    """The real app when ``api.app`` exists, else the contract fake (see the module docstring)."""
    mode = os.environ.get("TASKQA_BROWSER_APP", "auto")
    if mode != "fake":
        try:
            from api.app import create_app  # type: ignore[import-not-found, unused-ignore]
        except ModuleNotFoundError as exc:
            if mode == "real" or exc.name != "api.app":
                raise
        else:
            return create_app(), True
    from tests.browser.fake_api import create_fake_app

    return create_fake_app(feedback_db), False


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Module scope: TASKQA_FEEDBACK_DB is set only while these tests run, not for the rest of the suite.
    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TASKQA_FEEDBACK_DB", str(feedback_db))
        # Every test asks from 127.0.0.1: lift the per-client rate limit (429 is tested with page.route).
        mp.setenv("TASKQA_RATE_PER_MINUTE", "100000")
        mp.setenv("TASKQA_BURST", "10000")
        app, real = _build_app(feedback_db)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
        uv = uvicorn.Server(config)
        thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not uv.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        try:
            url = f"http://127.0.0.1:{port}"
            if real:
                ready = httpx.get(url + "/readyz", timeout=30)
                if ready.status_code != 200:
                    pytest.fail(
                        f"the app has no usable index (GET /readyz → {ready.status_code}): run `make index`"
                    )
            yield Server(url, feedback_db, real)
        finally:
            uv.should_exit = True
            thread.join(timeout=10)
            sock.close()


# -------------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Pages in fresh contexts (fresh sessionStorage); an uncaught error or CSP violation fails the test."""
    contexts = []
    errors: list[str] = []

    def make(width: int = 1280, height: int = 800, **options: Any) -> Page:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        # The real app sends a strict CSP with its pages: a violation anywhere fails the test.
        page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"uncaught errors or CSP violations in the page: {errors}"


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("TASKQA_SCREENSHOTS")
    if folder:
        path = ROOT / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), animations="disabled")


# ------------------------------------------------------------------------------------- widget helpers


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


def session_in_storage(page: Page) -> str | None:
    """The session id the widget keeps in sessionStorage (key ``taskqa:session:<endpoint>``)."""
    value = page.evaluate(
        "() => Object.keys(sessionStorage).filter(k => k.startsWith('taskqa:session:'))"
        ".map(k => sessionStorage.getItem(k))[0] ?? null"
    )
    return str(value) if value is not None else None


def sse_body(answer: str, citations: list[dict[str, Any]], answerable: bool = True) -> str:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    pieces = [answer[i : i + 5] for i in range(0, len(answer), 5)]
    meta = {"citations": citations, "answerable": answerable, "intent": "lookup", "session_id": "s-route"}
    return "".join(event("delta", {"text": p}) for p in pieces) + event("citations", meta) + event("done", {})


# ------------------------------------------------------------------------------------------- the tests


def test_runs_against_the_real_backend(server: Server) -> None:
    if not server.real:
        pytest.skip("ran against tests/browser/fake_api.py (api.app missing, or TASKQA_BROWSER_APP=fake)")


def test_static_files_are_small_and_safe() -> None:
    js = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert (STATIC / "widget.js").stat().st_size < 30_000
    assert js.count("\n") > 100, "readable source, not minified"
    for name in ("widget.js", "search.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"\.(inner|outer)HTML|insertAdjacentHTML|document\.write", source), name
    for name in ("index.html", "search.html"):
        html = (STATIC / name).read_text(encoding="utf-8")
        assert "<style" not in html and " style=" not in html, f"inline style in {name}"
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert " src=" in tag, f"inline script in {name}: {tag}"
    index = (STATIC / "index.html").read_text(encoding="utf-8")
    assert '<script src="/widget.js" data-endpoint="" defer></script>' in index


def test_demo_page_fetches_nothing_until_opened(server: Server, page: Page) -> None:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name=re.compile("建设最优营商环境"))).to_be_visible()
    launcher = page.locator("taskqa-widget .launcher")
    expect(launcher).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("/widget.js") for u in urls)
    assert not [u for u in urls if "/api/" in u or "widget.css" in u], urls
    # The host floats above the page.
    z = page.evaluate("getComputedStyle(document.querySelector('taskqa-widget')).zIndex")
    assert int(z) >= 2_000_000_000
    launcher.click()
    expect(page.locator("taskqa-widget .panel")).to_be_visible()
    assert any("widget.css" in u for u in urls)
    assert not [u for u in urls if "/api/" in u], "opening alone must not call the API"


def test_electricity_answer_streams_with_expandable_task_cards(server: Server, page: Page) -> None:
    stream_calls: list[str] = []
    page.on("request", lambda r: stream_calls.append(r.url) if "/api/v1/ask" in r.url else None)
    widget = open_widget(page, server.url + "/")
    expect(widget.locator(".welcome .chip")).to_have_count(4)
    reply = finished(ask(widget, ELECTRICITY))
    assert stream_calls and all(u.endswith("/api/v1/ask/stream") for u in stream_calls)

    expected = server.section_tasks("获得电力")
    assert len(expected) == server.section_count("获得电力") == 20
    cards = reply.locator(".card")
    expect(cards).to_have_count(20)
    expect(reply.locator(".text")).to_contain_text("供电公司")
    assert not reply.evaluate("el => el.classList.contains('unanswerable')")
    cited = {int(c.get_attribute("data-task-id") or 0) for c in cards.all()}
    assert cited == set(expected)

    # A card shows 任务编号, 所属领域, 牵头单位, 完成时限 and expands to the full text.
    first = cards.first
    task = expected[int(first.get_attribute("data-task-id") or 0)]
    expect(first).to_contain_text(f"任务 {task['task_id']}")
    expect(first).to_contain_text("获得电力")
    expect(first).to_contain_text(task["lead_units"][0])
    expect(first).to_contain_text(task["deadline"])
    toggle = first.locator(".card-toggle")
    body = first.locator(".card-body")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(body).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(body).to_be_visible()
    expect(body).to_contain_text(task["text"][:30])

    # Only the first cards show at once; the rest are one click away.
    expect(reply.locator(".card:visible")).to_have_count(5)
    reply.locator(".more").click()
    expect(reply.locator(".card:visible")).to_have_count(20)
    toggle.click()
    expect(body).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    cards.nth(1).locator(".card-toggle").click()
    widget.locator(".log").evaluate("el => { el.scrollTop = el.querySelector('.msg.user').offsetTop - 8; }")
    screenshot(page, "screenshot-desktop.png")


def test_feedback_is_stored(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    question = "法院牵头哪些任务？"
    reply = finished(ask(widget, question))
    reply.locator(".rate-up").click()
    expect(reply.locator(".action-status")).to_contain_text("已收到反馈")
    expect(reply.locator(".rate-up")).to_have_attribute("aria-pressed", "true")
    expect(reply.locator(".rate-down")).to_be_disabled()

    with closing(sqlite3.connect(server.feedback_db)) as con:
        con.row_factory = sqlite3.Row
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [dict(r) for t in tables for r in con.execute(f'SELECT * FROM "{t}"')]
    stored = [r for r in rows if r.get("question") == question]
    assert len(stored) == 1, rows
    assert stored[0].get("rating") in ("up", 1)
    assert stored[0].get("answer") == server.answer(question)
    # Feedback keeps the conversation's id (from the signed token), not the token with its question text.
    assert re.fullmatch(r"[0-9a-f]{16}", str(stored[0].get("session_id"))), stored[0]
    assert stored[0]["session_id"] not in str(session_in_storage(page))


def test_copy_answer(server: Server, new_page: PageFactory) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    widget = open_widget(page, server.url + "/")
    question = "对标深圳的任务有哪些？"
    reply = finished(ask(widget, question))
    reply.locator(".copy").click()
    expect(reply.locator(".action-status")).to_have_text("已复制回答")
    assert page.evaluate("navigator.clipboard.readText()") == server.answer(question)


def test_followup_keeps_the_session(server: Server, page: Page) -> None:
    bodies: list[dict[str, Any]] = []

    def record(r: Request) -> None:
        if r.url.endswith("/api/v1/ask/stream"):
            bodies.append(json.loads(r.post_data or "{}"))

    page.on("request", record)
    widget = open_widget(page, server.url + "/")
    finished(ask(widget, ELECTRICITY))
    sid = session_in_storage(page)
    assert sid and bodies[0]["session_id"] is None
    finished(ask(widget, "其中哪些要在2022年底前完成？"))
    assert bodies[1]["session_id"] == sid
    # The token carries the previous turn: each answer hands the widget the next one.
    second = session_in_storage(page)
    assert second and second != sid
    # sessionStorage keeps the conversation across a reload in the same tab …
    widget = open_widget(page, server.url + "/")
    finished(ask(widget, "法院牵头哪些任务？"))
    assert bodies[2]["session_id"] == second
    # … and 新对话 starts a new one.
    widget.get_by_role("button", name="新对话").click()
    expect(widget.locator(".msg.user")).to_have_count(0)
    finished(ask(widget, "法院牵头哪些任务？"))
    assert bodies[3]["session_id"] is None
    assert session_in_storage(page) not in (None, sid, second)


def test_keyboard_and_screen_reader_semantics(server: Server, page: Page) -> None:
    page.goto(server.url + "/")
    launcher = page.locator("taskqa-widget .launcher")
    expect(launcher).to_have_attribute("aria-label", re.compile("问答"))
    launcher.focus()
    page.keyboard.press("Enter")
    widget = page.locator("taskqa-widget")
    panel = widget.locator(".panel")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("role", "dialog")
    expect(panel).to_have_attribute("aria-modal", "false")
    expect(panel).to_have_accessible_name("营商环境政策问答")
    expect(widget.locator(".log")).to_have_attribute("aria-live", "polite")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    active = "() => document.querySelector('taskqa-widget').shadowRoot.activeElement?.className"
    assert page.evaluate(active) == "input"

    # Shift+Enter is a newline, Enter sends.
    page.keyboard.type("法院牵头")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("哪些任务？")
    assert widget.locator("textarea").input_value() == "法院牵头\n哪些任务？"
    expect(widget.locator(".msg.user")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(widget.locator(".msg.user")).to_have_count(1)
    finished(widget.locator(".msg.bot:not(.welcome)").first)
    assert widget.locator("textarea").input_value() == ""

    # Esc closes and focus returns to the launcher.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(active) == "launcher"
    # An example question is a button too.
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    widget.get_by_role("button", name="对标深圳的任务有哪些？").click()
    expect(widget.locator(".msg.user")).to_have_count(2)


def test_not_covered_answer_is_honest_and_distinct(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, "怎么做红烧肉？"))
    expect(reply).to_have_class(re.compile(r"\bunanswerable\b"))
    expect(reply.locator(".badge")).to_have_text("方案未涉及")
    expect(reply.locator(".card")).to_have_count(0)
    color = reply.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert color == "rgb(229, 165, 10)"


def test_borderline_refusal_shows_the_closest_task_as_such(server: Server, page: Page) -> None:
    cite = {
        "doc_id": "d",
        "task_id": 454,
        "section": "包容普惠创新",
        "lead_units": ["旗民政局"],
        "responsible_units": ["旗财政局"],
        "deadline": "2023年12月",
        "benchmark": "自主创新",
        "text": "开展养老服务人才培训提升行动",
    }
    text = "抱歉，没有找到相关的任务。\n最接近的一项是第454条（包容普惠创新），但它可能并不回答您的问题。"
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream"},
            body=sse_body(text, [cite], answerable=False),
        ),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, "养老院一个月收费多少？"))
    expect(reply).to_have_class(re.compile(r"\bunanswerable\b"))
    expect(reply.locator(".citations-title")).to_have_text("最接近的任务（可能并不回答您的问题）")
    expect(reply.locator(".card")).to_have_count(1)


def test_phone_viewport_fills_the_screen(server: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    widget = open_widget(page, server.url + "/")
    box = widget.locator(".panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    expect(widget.locator(".launcher")).to_be_hidden()
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card")).to_have_count(20)
    widget.locator(".log").evaluate("el => { el.scrollTop = el.querySelector('.msg.user').offsetTop - 8; }")
    screenshot(page, "screenshot-phone.png")
    widget.get_by_role("button", name="关闭").click()
    expect(widget.locator(".launcher")).to_be_visible()


def test_server_text_is_never_parsed_as_html(server: Server, page: Page) -> None:
    payload = "<img src=x onerror=window.__xss=1>"
    cite = {
        "doc_id": "d",
        "task_id": 7,
        "section": payload,
        "lead_units": [payload],
        "responsible_units": [payload],
        "deadline": payload,
        "benchmark": payload,
        "text": payload,
    }
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream"},
            body=sse_body(f"答案：{payload}", [cite]),
        ),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, "测试"))
    expect(reply.locator(".text")).to_have_text(f"答案：{payload}")
    reply.locator(".card-toggle").click()
    expect(reply.locator(".card-text")).to_have_text(payload)
    expect(widget.locator("img")).to_have_count(0)
    assert page.evaluate("window.__xss") is None


def test_api_down_shows_message_and_retry(server: Server, page: Page) -> None:
    page.route("**/api/v1/ask/stream", lambda route: route.abort())
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply).to_have_attribute("role", "alert")
    expect(reply.locator(".error-text")).to_contain_text("无法连接问答服务")
    retry = reply.get_by_role("button", name="重试")
    expect(retry).to_be_visible()
    expect(reply.locator(".dots")).to_have_count(0)  # no silent spinner
    page.unroute("**/api/v1/ask/stream")
    retry.click()
    expect(reply.locator(".card")).to_have_count(20)
    expect(reply).not_to_have_attribute("role", "alert")


def test_unavailable_shows_the_servers_message(server: Server, page: Page) -> None:
    message = "索引未就绪，请稍后再试 / The index is not ready, try again later"
    body = json.dumps({"error": {"code": "unavailable", "message": message}}, ensure_ascii=False)
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(status=503, headers={"Content-Type": "application/json"}, body=body),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".error-text")).to_contain_text("暂时不可用")
    expect(reply.locator(".error-detail")).to_have_text(message)
    expect(reply.get_by_role("button", name="重试")).to_be_visible()


def test_rate_limited_shows_retry_after(server: Server, page: Page) -> None:
    body = json.dumps({"error": {"code": "rate_limited", "message": "请求过于频繁 / Too many requests"}})
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=429, headers={"Content-Type": "application/json", "Retry-After": "2"}, body=body
        ),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".error-text")).to_contain_text("请 2 秒后重试")
    retry = reply.locator(".retry")
    expect(retry).to_be_visible()
    expect(retry).to_be_disabled()
    page.unroute("**/api/v1/ask/stream")
    expect(retry).to_be_enabled(timeout=5_000)
    expect(retry).to_have_text("重试")
    retry.click()
    expect(reply.locator(".card")).to_have_count(20)


def test_silent_server_times_out(server: Server, page: Page) -> None:
    pending: list[Route] = []
    page.clock.install()
    page.route("**/api/v1/ask/stream", lambda route: pending.append(route))  # never answers
    widget = open_widget(page, server.url + "/")
    reply = ask(widget, ELECTRICITY)
    expect(reply.locator(".status")).to_be_visible()
    page.clock.run_for(16_000)
    expect(reply.locator(".error-text")).to_contain_text("15 秒内没有响应")
    expect(reply.get_by_role("button", name="重试")).to_be_visible()
    assert pending


def test_strict_csp_page(server: Server, page: Page) -> None:
    csp = "default-src 'self'; script-src 'self'; style-src 'self'"
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>CSP</title>'
        '<link rel="stylesheet" href="/static/portal.css"></head>'
        "<body><h1>严格 CSP 页面</h1>"
        '<script src="/widget.js" data-endpoint="" defer></script></body></html>'
    )
    page.route(
        server.url + "/csp-demo",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp},
            body=html,
        ),
    )
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    widget = open_widget(page, server.url + "/csp-demo")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card")).to_have_count(20)
    reply.locator(".card-toggle").first.click()
    expect(reply.locator(".card-body").first).to_be_visible()
    # Styled, not raw: the stylesheet inside the shadow root applied.
    assert reply.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "12px"
    reply.locator(".rate-down").click()
    expect(reply.locator(".action-status")).to_contain_text("已收到反馈")
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m], console


def test_host_css_and_widget_css_do_not_leak(server: Server, page: Page) -> None:
    hostile = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "* { font-size: 40px !important; color: red !important; }"
        " button { display: none !important; } .panel, .card { display: none !important; }"
        "</style></head><body><div class='panel msg'>页面自己的 .panel</div>"
        "<script src='/widget.js' defer></script></body></html>"
    )
    page.route(
        server.url + "/hostile",
        lambda route: route.fulfill(status=200, headers={"Content-Type": "text/html"}, body=hostile),
    )
    widget = open_widget(page, server.url + "/hostile")  # endpoint defaults to the script's origin
    assert widget.locator(".launcher").evaluate("el => getComputedStyle(el).fontSize") == "16px"
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card").first).to_be_visible()
    own = page.locator("body > div.panel")
    assert own.evaluate("el => getComputedStyle(el).position") == "static"


def test_staff_search_section_filter_and_csv(server: Server, page: Page) -> None:
    page.goto(server.url + "/search")
    expect(page.locator("form[data-ready=true]")).to_have_count(1)
    sections = server.get("/api/v1/sections")["sections"]
    expect(page.locator("#section option")).to_have_count(len(sections) + 1)
    expect(page.locator("#lead_unit option")).not_to_have_count(1)

    page.select_option("#section", "获得电力")
    page.get_by_role("button", name="检索").click()
    want = server.section_count("获得电力")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(want)
    expect(page.locator("#count")).to_contain_text(f"共 {want} 条")
    expect(rows.first.locator("td").nth(1)).to_have_text("获得电力")
    screenshot(page, "screenshot-search.png")

    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0][0] == "任务编号" and "牵头单位" in table[0]
    assert len(table) == want + 1
    assert {r[1] for r in table[1:]} == {"获得电力"}
    assert info.value.suggested_filename.endswith(".csv")


def test_staff_search_lists_everything_without_truncation(server: Server, page: Page) -> None:
    total = sum(s["count"] for s in server.get("/api/v1/sections")["sections"])
    page.goto(server.url + "/search")
    expect(page.locator("form[data-ready=true]")).to_have_count(1)
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#results tbody tr")).to_have_count(total)
    # A keyword search is ranked and capped at 50; filters narrow it.
    page.fill("#q", "用电报装")
    page.fill("#deadline_before", "2022-12")
    page.get_by_role("button", name="检索").click()
    expect(page.locator("#count")).to_contain_text("按相关度")
    n = page.locator("#results tbody tr").count()
    assert 0 < n <= 50
    assert "q=" in page.url and "deadline_before=2022-12" in page.url
