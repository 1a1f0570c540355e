"""The chat widget on the demo portal, in headless Chromium (fixtures in conftest.py).

``TASKQA_SCREENSHOTS=DIR`` (e.g. ``docs``) saves the desktop and phone screenshots there.
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from contextlib import closing
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import (
    ELECTRICITY,
    STATIC,
    Server,
    ask,
    finished,
    open_widget,
    screenshot,
    session_in_storage,
    sse_body,
    stored,
    task,
)

pytestmark = pytest.mark.browser

ACTIVE = "() => document.querySelector('taskqa-widget').shadowRoot.activeElement?.className ?? null"


def test_runs_against_the_real_backend(server: Server) -> None:
    if not server.real:
        pytest.skip("ran against tests/browser/fake_api.py (api.app missing, or TASKQA_BROWSER_APP=fake)")


def test_static_files_are_small_and_safe() -> None:
    js = (STATIC / "widget.js").read_bytes()
    # Every style and both languages are built in; what travels is the gzip (api/pages.py). Several plans
    # (data-plan, cards naming their plan, plan-keyed links) took it from 19.3 to 20.6 KB.
    assert len(js) < 64_000 and len(gzip.compress(js, 9)) < 21_000
    assert js.count(b"\n") > 300, "readable source, not minified"
    for name in ("widget.js", "search.js", "task.js"):
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
    panel = page.locator("taskqa-widget .panel")
    expect(panel).to_be_visible()
    # Styled with no stylesheet request; opening asks only for the service's configuration.
    assert panel.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "14px"
    expect(page.locator("taskqa-widget .subtitle")).to_have_text("依据伊党办发〔2022〕5号 · 482 项任务")
    assert not [u for u in urls if "widget.css" in u]
    assert [u.split("/api/")[1] for u in urls if "/api/" in u] == ["v1/config"]


def test_electricity_answer_streams_with_expandable_task_cards(server: Server, page: Page) -> None:
    stream_calls: list[str] = []
    page.on("request", lambda r: stream_calls.append(r.url) if "/api/v1/ask" in r.url else None)
    widget = open_widget(page, server.url + "/")
    # The examples are the plan's own (its busiest lead unit, a section, its year, a city: /api/v1/config).
    examples = server.get("/api/v1/config")["plans"][0]["examples"]["zh"]
    expect(widget.locator(".welcome .chip")).to_have_text(examples)
    assert len(examples) == 4 and "旗法院牵头哪些任务？" in examples
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
    t = expected[int(first.get_attribute("data-task-id") or 0)]
    expect(first).to_contain_text(f"第{t['task_id']}条")
    expect(first).to_contain_text("获得电力")
    expect(first).to_contain_text(t["lead_units"][0])
    expect(first).to_contain_text(t["deadline"])
    toggle = first.locator(".card-toggle")
    body = first.locator(".card-body")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(body).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(body).to_be_visible()
    expect(body).to_contain_text(t["text"][:30])
    # The card opens the task's page.
    link = body.get_by_role("link", name=re.compile("查看任务详情"))
    expect(link).to_have_attribute("href", f"{server.url}/tasks/{t['task_id']}")
    expect(link).to_have_attribute("target", "_blank")

    # Only the first cards show at once; the rest come a step at a time, and fold back.
    expect(reply.locator(".card:visible")).to_have_count(5)
    reply.get_by_role("button", name="再显示 15 项（还有 15 项）").click()
    expect(reply.locator(".card:visible")).to_have_count(20)
    reply.get_by_role("button", name="收起任务列表").click()
    expect(reply.locator(".card:visible")).to_have_count(5)
    toggle.click()
    expect(body).to_be_hidden()
    cards.nth(1).locator(".card-toggle").click()
    widget.locator(".log").evaluate("el => { el.scrollTop = el.querySelector('.msg.user').offsetTop - 8; }")
    screenshot(page, "screenshot-desktop.png")


def test_feedback_is_stored(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    question = "法院牵头哪些任务？"
    reply = finished(ask(widget, question))
    reply.locator(".rate-up").click()
    expect(reply.locator(".actions > .action-status")).to_contain_text("已收到反馈")
    expect(reply.locator(".rate-up")).to_have_attribute("aria-pressed", "true")
    expect(reply.locator(".rate-down")).to_be_disabled()
    row = feedback_row(server, question)
    assert row.get("rating") in ("up", 1) and row.get("comment") is None
    assert row.get("answer") == server.answer(question)
    # Feedback keeps the conversation's id (from the signed token), not the token with its question text.
    if server.real:  # the fake hands out plain ids
        assert re.fullmatch(r"[0-9a-f]{16}", str(row.get("session_id"))), row
        assert row["session_id"] not in str(session_in_storage(page))
        # … and the plan the rated answer cites (the widget sends its citations' plans).
        assert row["doc_id"] == "ejin-horo-business-environment-plan-2022", row


def feedback_row(server: Server, question: str) -> dict[str, Any]:
    with closing(sqlite3.connect(server.feedback_db)) as con:
        con.row_factory = sqlite3.Row
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [dict(r) for t in tables for r in con.execute(f'SELECT * FROM "{t}"')]
    stored_rows = [r for r in rows if r.get("question") == question]
    assert len(stored_rows) == 1, rows
    return stored_rows[0]


def test_thumbs_down_asks_for_a_reason(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    question = "对标深圳的任务有哪些？"
    reply = finished(ask(widget, question))
    reply.locator(".rate-down").click()
    box = reply.get_by_label("哪里不满意？（选填）")
    expect(box).to_be_focused()
    box.fill("希望按完成时限排序")
    reply.get_by_role("button", name="提交").click()
    expect(reply.locator(".actions > .action-status")).to_contain_text("已收到反馈")
    expect(reply.locator(".rate-down")).to_have_attribute("aria-pressed", "true")
    row = feedback_row(server, question)
    assert row["rating"] in ("down", 0) and row["comment"] == "希望按完成时限排序"


def test_copy_answer_and_citation(server: Server, new_page: PageFactory) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    widget = open_widget(page, server.url + "/")
    question = "对标深圳的任务有哪些？"
    reply = finished(ask(widget, question))
    reply.locator(".copy").click()
    expect(reply.locator(".actions > .action-status")).to_have_text("已复制回答")
    assert page.evaluate("navigator.clipboard.readText()") == server.answer(question)
    card = reply.locator(".card").first
    n = card.get_attribute("data-task-id")
    card.locator(".card-toggle").click()
    card.get_by_role("button", name="复制引用").click()
    expect(card.locator(".card-links .action-status")).to_have_text(f"已复制：伊党办发〔2022〕5号 第{n}条")
    assert page.evaluate("navigator.clipboard.readText()") == f"伊党办发〔2022〕5号 第{n}条"


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
    # The token carries the previous turn: each answer hands the widget the next one (the fake keeps one id).
    second = session_in_storage(page)
    assert second and (second != sid or not server.real)
    # 新对话 starts a new one, and forgets the transcript with the token.
    widget.get_by_role("button", name="新对话").click()
    expect(widget.locator(".msg.user")).to_have_count(0)
    assert stored(page) is None
    finished(ask(widget, "法院牵头哪些任务？"))
    assert bodies[2]["session_id"] is None
    assert session_in_storage(page) not in (None, sid, second)


def test_reload_keeps_the_transcript_with_the_conversation(real: Server, page: Page) -> None:
    bodies: list[dict[str, Any]] = []
    page.on("request", lambda r: bodies.append(json.loads(r.post_data or "{}")) if "/ask" in r.url else None)
    widget = open_widget(page, real.url + "/")
    finished(ask(widget, ELECTRICITY))
    token = session_in_storage(page)
    page.reload()
    page.locator("taskqa-widget .launcher").click()
    # The conversation the token carries on is the one on screen: question, answer and its cards.
    expect(widget.locator(".msg.user")).to_have_text([ELECTRICITY])
    restored = widget.locator(".msg.bot:not(.welcome)").first
    expect(restored.locator(".card")).to_have_count(20)
    expect(restored.locator(".text")).to_contain_text("共 20 项")
    expect(restored.locator(".chip")).to_have_count(3)  # the follow-ups of the last answer
    reply = finished(ask(widget, "那完成时限呢？"))
    assert bodies[-1]["session_id"] == token
    expect(reply.locator(".text")).to_contain_text("上一轮回答中的任务")
    expect(reply.locator(".card")).to_have_count(20)
    state = stored(page)
    assert state and [t["q"] for t in state["turns"]] == [ELECTRICITY, "那完成时限呢？"]
    assert state["session"] == session_in_storage(page) != token


def test_a_transcript_without_its_conversation_is_not_shown(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    finished(ask(widget, ELECTRICITY))
    # A token without its turns (version 1 of the widget), or turns without a token: neither comes back.
    page.evaluate(
        "() => { const k = Object.keys(sessionStorage).find(k => k.startsWith('taskqa:v2:'));"
        " const s = JSON.parse(sessionStorage.getItem(k)); s.session = null;"
        " sessionStorage.setItem(k, JSON.stringify(s));"
        " sessionStorage.setItem('taskqa:session:' + k.slice(10), 'old-token'); }"
    )
    page.reload()
    page.locator("taskqa-widget .launcher").click()
    expect(widget.locator(".welcome")).to_be_visible()
    expect(widget.locator(".msg.user")).to_have_count(0)
    assert (
        page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('taskqa:session:'))") == []
    )


def test_an_expired_conversation_says_so(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    finished(ask(widget, ELECTRICITY))
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream"},
            body=sse_body("第454条（包容普惠创新）……", [task(454)], new_conversation=True),
        ),
    )
    finished(ask(widget, "那完成时限呢？"))
    expect(widget.locator(".msg.notice")).to_have_text("之前的对话已过期，以下是新的对话。")
    state = stored(page)
    assert state and [t["q"] for t in state["turns"]] == ["那完成时限呢？"]


def test_followup_suggestions(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    chips = reply.locator(".followups .chip")
    expect(chips).to_have_text(["其中哪些要在2022年底前完成？", "它们的责任单位有哪些？", "那完成时限呢？"])
    chips.first.click()
    second = finished(widget.locator(".msg.bot:not(.welcome)").nth(1))
    expect(second.locator(".text")).to_contain_text("共 15 项")
    expect(reply.locator(".followups")).to_have_count(0)  # only the latest answer suggests
    single = finished(ask(widget, "第233条是什么？"))
    expect(single.locator(".followups .chip")).to_have_text(
        ["第233条什么时候完成？", "第233条的责任单位有哪些？", "伊金霍洛旗供电公司还牵头哪些任务？"]
    )


def test_an_english_question_turns_the_widget_english(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    panel = widget.locator(".panel")
    expect(panel).to_have_attribute("lang", "zh-CN")
    reply = finished(ask(widget, "Who leads the electricity tasks?"))
    expect(panel).to_have_attribute("lang", "en")
    expect(widget.locator(".msg.user")).to_have_attribute("lang", "en")
    expect(reply).to_have_attribute("lang", "en")
    expect(widget.locator("textarea")).to_have_attribute("placeholder", "Type your question")
    expect(widget.locator(".title")).to_have_text("Business Environment Policy Q&A")
    expect(reply.locator(".citations-title")).to_have_text("Tasks cited (20)")
    expect(reply.locator(".card").first.locator(".task-no")).to_have_text(re.compile(r"^Task \d+$"))
    expect(reply.locator(".card").first.locator(".section")).to_have_attribute("lang", "zh-CN")
    reply.locator(".followups .chip").first.click()
    nxt = finished(widget.locator(".msg.bot:not(.welcome)").nth(1))
    expect(nxt.locator(".card")).to_have_count(15)
    # A Chinese question turns it back.
    finished(ask(widget, "法院牵头哪些任务？"))
    expect(panel).to_have_attribute("lang", "zh-CN")


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
    expect(panel).to_have_attribute("aria-modal", "false")  # beside the page on a desktop
    expect(panel).to_have_accessible_name("营商环境政策问答")
    expect(widget.locator(".log")).to_have_attribute("aria-live", "polite")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    # No second banner landmark in the host page.
    expect(widget.locator("header")).to_have_count(0)
    assert page.evaluate(ACTIVE) == "input"

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
    assert page.evaluate(ACTIVE) == "launcher"
    # An example question is a button too.
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    widget.get_by_role("button", name="对标上海的任务有哪些？").click()
    expect(widget.locator(".msg.user")).to_have_count(2)


def test_inputs_do_not_make_ios_zoom(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    assert widget.locator("textarea").evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 16


def test_not_covered_answer_is_honest_and_hands_off(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, "怎么做红烧肉？"))
    expect(reply).to_have_class(re.compile(r"\bunanswerable\b"))
    expect(reply.locator(".badge")).to_have_text("方案未涉及")
    expect(reply.locator(".card")).to_have_count(0)
    color = reply.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert color == "rgb(229, 165, 10)"
    if server.real:  # the hotline comes from TASKQA_HOTLINE through /api/v1/config
        expect(reply.locator(".handoff")).to_have_text("如需人工咨询，请拨打政务服务便民热线 12345。")
        expect(reply.get_by_role("link", name="12345")).to_have_attribute("href", "tel:12345")
    expect(reply.locator(".followups")).to_have_count(0)


def test_borderline_refusal_shows_the_closest_task_as_such(server: Server, page: Page) -> None:
    text = "抱歉，没有找到相关的任务。\n最接近的一项是第454条（包容普惠创新），但它可能并不回答您的问题。"
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream"},
            body=sse_body(text, [task(454)], answerable=False),
        ),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, "养老院一个月收费多少？"))
    expect(reply).to_have_class(re.compile(r"\bunanswerable\b"))
    expect(reply.locator(".citations-title")).to_have_text("最接近的任务（可能并不回答您的问题）")
    expect(reply.locator(".card")).to_have_count(1)


def test_phone_panel_is_a_modal_that_keeps_focus(server: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    widget = open_widget(page, server.url + "/")
    box = widget.locator(".panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    expect(widget.locator(".launcher")).to_be_hidden()
    expect(widget.locator(".panel")).to_have_attribute("aria-modal", "true")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card")).to_have_count(20)
    # Tab and Shift+Tab cycle inside the panel: focus never reaches the page behind it.
    inside = "() => document.activeElement === document.querySelector('taskqa-widget')"
    seen = set()
    for key in ["Tab"] * 45 + ["Shift+Tab"] * 45:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"focus left the panel after {key}"
        seen.add(page.evaluate(ACTIVE))
    assert {"input", "icon-btn", "chip"} <= seen
    # A click on the page behind cannot take focus either (the panel covers it; focus is pulled back).
    page.evaluate("() => document.querySelector('a').focus()")
    assert page.evaluate(inside)
    widget.locator(".log").evaluate("el => { el.scrollTop = el.querySelector('.msg.user').offsetTop - 8; }")
    screenshot(page, "screenshot-phone.png")
    widget.get_by_role("button", name="关闭").click()
    expect(widget.locator(".launcher")).to_be_visible()
    page.evaluate("() => document.querySelector('a').focus()")
    assert not page.evaluate(inside)  # closed: the page has its focus back


def test_long_answer_keeps_its_headline_in_view(real: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    widget = open_widget(page, real.url + "/")
    question = "哪些任务要在2022年底前完成？"
    reply = finished(ask(widget, question))
    total = len(real.ask(question)["citations"])
    assert total > 300
    log = widget.locator(".log")
    # The question and the answer's first line are what the phone shows, not the end of the list.
    expect(widget.locator(".msg.user").last).to_be_in_viewport()
    expect(reply.locator(".text p").first).to_contain_text(f"共 {total} 项")
    expect(reply.locator(".text p").first).to_be_in_viewport()
    # The rest is folded: a few lines and five cards, each further step one click away.
    fold = reply.locator(".fold")
    expect(fold).to_have_text(re.compile(r"展开全文（还有 \d+ 行）"))
    expect(reply.locator(".card:visible")).to_have_count(5)
    expect(reply.get_by_role("button", name=f"再显示 20 项（还有 {total - 5} 项）")).to_be_visible()
    assert log.evaluate("el => el.scrollHeight") < 3000
    fold.click()
    expect(fold).to_have_text("收起全文")
    expect(fold).to_have_attribute("aria-expanded", "true")
    reply.get_by_role("button", name=re.compile("再显示 20 项")).click()
    expect(reply.locator(".card:visible")).to_have_count(25)
    assert log.evaluate("el => el.scrollHeight") < 8000


def test_cited_numbers_link_to_their_cards(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    refs = reply.locator(".text a.ref")
    assert refs.count() == 20  # every cited number in the text
    ref = reply.locator(".text a.ref", has_text="233")
    expect(ref).to_have_attribute("href", f"{real.url}/tasks/233")  # a new tab opens the task page
    card = reply.locator('.card[data-task-id="233"]')
    ref.click()
    expect(card.locator(".card-toggle")).to_have_attribute("aria-expanded", "true")
    expect(card.locator(".card-body")).to_be_in_viewport()
    expect(card.locator(".card-toggle")).to_be_focused()
    # A card still folded away comes out with the ones before it.
    hidden = reply.locator('.card[data-task-id="252"]')
    expect(hidden).to_be_hidden()
    reply.locator(".text a.ref", has_text="252").click()
    expect(hidden).to_be_visible()
    expect(hidden.locator(".card-body")).to_be_visible()
    expect(reply.locator(".card:visible")).to_have_count(13)


def test_server_text_is_never_parsed_as_html(server: Server, page: Page) -> None:
    payload = "<img src=x onerror=window.__xss=1>"
    cite = task(7, section=payload, lead_units=[payload], responsible_units=[payload], deadline=payload)
    cite.update(benchmark=payload, text=payload)
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


def test_bidi_overrides_cannot_flip_a_question(server: Server, page: Page) -> None:
    widget = open_widget(page, server.url + "/")
    bodies: list[dict[str, Any]] = []
    page.on("request", lambda r: bodies.append(json.loads(r.post_data or "{}")) if "/ask" in r.url else None)
    finished(ask(widget, "法院\u202e牵头哪些任务？"))
    bubble = widget.locator(".msg.user")
    expect(bubble).to_have_text("法院牵头哪些任务？")
    assert bodies[-1]["question"] == "法院牵头哪些任务？"
    assert bubble.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"


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


def test_unavailable_shows_the_servers_message_in_the_ui_language(server: Server, page: Page) -> None:
    message = "索引未就绪，请稍后再试 / The index is not ready, try again later"
    body = json.dumps({"error": {"code": "unavailable", "message": message}}, ensure_ascii=False)
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(status=503, headers={"Content-Type": "application/json"}, body=body),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".error-text")).to_contain_text("暂时不可用")
    expect(reply.locator(".error-detail")).to_have_text("索引未就绪，请稍后再试")
    expect(reply.get_by_role("button", name="重试")).to_be_visible()
    english = finished(ask(widget, "Who leads the electricity tasks?"))
    expect(english.locator(".error-text")).to_contain_text("unavailable right now")
    expect(english.locator(".error-detail")).to_have_text("The index is not ready, try again later")


def test_rate_limited_says_when_once(server: Server, page: Page) -> None:
    body = json.dumps({"error": {"code": "rate_limited", "message": "请求过于频繁 / Too many requests"}})
    page.route(
        "**/api/v1/ask/stream",
        lambda route: route.fulfill(
            status=429, headers={"Content-Type": "application/json", "Retry-After": "2"}, body=body
        ),
    )
    widget = open_widget(page, server.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".error-text")).to_have_text("提问太频繁，请 2 秒后重试。")
    expect(reply.locator(".error-detail")).to_have_count(0)  # not the same thing again, twice
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
