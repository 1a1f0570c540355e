"""The pages over several plans (``plans_server``: the shipped plan and the two fixture plans) in headless
Chromium: the staff page's plan filter and column, the widget pinned to one plan with ``data-plan`` and
unpinned, and the plan-keyed task pages; the one-plan pages stay as they were (``server``)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import Portal, Server, ask, finished, open_widget
from tests.browser.test_embedding import STRICT, host, widget_tag
from tests.browser.test_staff_search import HEADER, download_csv, ready, search

pytestmark = pytest.mark.browser

FIRST, YUNLING, QINGCHUAN = "ejin-horo-business-environment-plan-2022", "yunling-2023", "qingchuan-2024"
SHORT = {
    FIRST: "伊旗营商环境实施方案",
    YUNLING: "云岭州营商环境三年行动方案",
    QINGCHUAN: "青川市2024年营商环境重点任务分工表",
}
PLAN_HEADER = [HEADER[0], "方案简称", "方案标识", *HEADER[1:]]


def plan_cells(page: Page, body: str = "#relevant") -> set[str]:
    return {t.strip() for t in page.locator(f"{body} td[data-label=方案]").all_inner_texts()}


# -- the staff search page ---------------------------------------------------------------------------------


def test_the_staff_page_has_a_plan_column_and_filters_by_plan(plans_server: Server, page: Page) -> None:
    plans = plans_server.get("/api/v1/plans")["plans"]
    ready(page, plans_server.url + "/search")
    expect(page.locator(".sub")).to_contain_text("已收录 3 个方案")
    # A plan whose publication is known (its override file's source_url) links to it; the others are text.
    published = {p["short_title"]: p["source_url"] for p in plans if p["source_url"]}
    assert list(published) == [SHORT[QINGCHUAN]]
    links = page.locator("#plans-said a")
    expect(links).to_have_count(1)
    expect(links).to_have_text(f"《{SHORT[QINGCHUAN]}》")
    expect(links).to_have_attribute("href", published[SHORT[QINGCHUAN]])
    expect(page.locator("#doc_id")).to_be_visible()
    expect(page.locator("#doc_id option")).to_have_text(
        ["全部方案", *(f"{p['short_title']}（{p['task_count']}）" for p in plans)]
    )
    headers = [h.strip(" ↕") for h in page.locator("thead th").all_inner_texts()]
    assert headers[:3] == ["任务编号", "方案", "领域"]

    # Every task of one plan, listed: its column, its links and the address bar name it.
    page.select_option("#doc_id", YUNLING)
    search(page)
    rows = page.locator("#relevant tr")
    expect(rows).to_have_count(64)
    assert plan_cells(page) == {SHORT[YUNLING]}
    assert f"doc_id={YUNLING}" in page.url
    expect(rows.first.get_by_role("link")).to_have_attribute("href", f"/tasks/{YUNLING}/1")
    listed = download_csv(page)
    assert listed[0] == PLAN_HEADER
    assert len(listed) == 65 and {(r[1], r[2]) for r in listed[1:]} == {(SHORT[YUNLING], YUNLING)}

    # A keyword over every plan: rows of several plans, sortable by plan; then narrowed to one.
    page.select_option("#doc_id", "")
    page.fill("#q", "用电报装")
    search(page)
    assert len(plan_cells(page)) > 1
    page.locator("th.c-plan .sort").click()
    shown = [t.strip() for t in page.locator("#relevant td[data-label=方案]").all_inner_texts()]
    order = [SHORT[p["doc_id"]] for p in plans]
    assert shown == sorted(shown, key=order.index)
    ranked = download_csv(page)
    assert ranked[0] == PLAN_HEADER and {r[2] for r in ranked[1:]} <= set(SHORT)
    assert all(SHORT[r[2]] == r[1] for r in ranked[1:])
    page.select_option("#doc_id", QINGCHUAN)
    search(page)
    assert plan_cells(page) == {SHORT[QINGCHUAN]}

    # The address restores the plan filter; a task link opens that plan's task.
    ready(page, page.url)
    expect(page.locator("#doc_id")).to_have_value(QINGCHUAN)
    expect(page.locator("#q")).to_have_value("用电报装")
    link = page.locator("#relevant tr th a").first
    number = int(re.sub(r"\D", "", link.inner_text()))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"第{number}条")
    expect(page.locator("article.task")).to_have_attribute("data-doc-id", QINGCHUAN)
    assert page.url.endswith(f"/tasks/{QINGCHUAN}/{number}")


def test_the_same_task_number_in_three_plans_is_three_rows(plans_server: Server, page: Page) -> None:
    ready(page, plans_server.url + "/search?section=提升政务服务效能")
    expect(page.locator("#relevant tr").first).to_be_visible()
    assert plan_cells(page) == {SHORT[YUNLING], SHORT[QINGCHUAN]}
    hrefs = page.locator("#relevant tr th a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(hrefs) == len(set(hrefs)) and all(re.fullmatch(r"/tasks/[a-z0-9-]+/\d+", h) for h in hrefs)


def test_a_plan_the_index_lacks_is_a_clear_error(plans_server: Server, page: Page) -> None:
    ready(page, plans_server.url + "/search?doc_id=no-such-plan")
    expect(page.locator("#error-text")).to_contain_text("没有这个方案")
    expect(page.locator("#doc_id")).to_have_value("no-such-plan")
    expect(page.locator("#doc_id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#relevant tr")).to_have_count(0)
    expect(page.locator("#retry")).to_be_hidden()


def test_phone_cards_and_print_show_the_plan(plans_server: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    ready(page, plans_server.url + f"/search?doc_id={QINGCHUAN}")
    cell = page.locator("#relevant td[data-label=方案]").first
    expect(cell).to_be_visible()
    expect(cell).to_have_text(SHORT[QINGCHUAN])
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"方案"'
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    page.emulate_media(media="print")
    expect(page.locator("thead th.c-plan")).to_be_visible()
    expect(page.locator("#relevant td[data-label=方案]").first).to_be_visible()


def test_one_plan_shows_no_plan_column(server: Server, page: Page) -> None:
    ready(page, server.url + "/search?section=获得电力")
    expect(page.locator("#relevant tr").first).to_be_visible()
    expect(page.locator("#plan-field")).to_be_hidden()
    expect(page.locator("thead th.c-plan")).to_have_count(0)
    expect(page.locator("#relevant td[data-label=方案]")).to_have_count(0)
    expect(page.locator(".sub")).to_have_text(
        "《伊金霍洛旗对标先进建设最优营商环境实施方案》（伊党办发〔2022〕5号） · 工作人员使用"
    )


# -- the widget --------------------------------------------------------------------------------------------


def asked(page: Page) -> list[dict[str, Any]]:
    """The bodies of the questions the page posts, as they go."""
    bodies: list[dict[str, Any]] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and "/api/v1/ask" in request.url:
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", seen)
    return bodies


def test_a_widget_pinned_to_a_plan_asks_it_only(plans_server: Server, portal: Portal, page: Page) -> None:
    tag = widget_tag(plans_server, f'data-plan="{YUNLING}"')
    url = host(page, portal, csp=STRICT.format(endpoint=plans_server.url), tag=tag)
    bodies = asked(page)
    widget = open_widget(page, url)
    expect(widget.locator(".subtitle")).to_have_text("依据云政办发〔2023〕12号 · 64 项任务")
    # The examples are the pinned plan's: its own units and sections, none of the first plan's.
    config = {p["doc_id"]: p["examples"]["zh"] for p in plans_server.get("/api/v1/config")["plans"]}
    chips = widget.locator(".welcome .chip")
    expect(chips).to_have_text(config[YUNLING])
    assert config[YUNLING] != config[FIRST] and not any("旗" in q for q in config[YUNLING])
    chips.first.click()
    expect(widget.locator(".msg.user")).to_have_count(1)
    listed = finished(widget.locator(".msg.bot").last)
    expect(listed.locator(".card").first).to_be_visible()
    assert set(listed.locator(".card").evaluate_all("cs => cs.map(c => c.dataset.docId)")) == {YUNLING}
    reply = finished(ask(widget, "第5条是什么？"))
    cards = reply.locator(".card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_attribute("data-doc-id", YUNLING)
    expect(cards.first.locator(".plan-name")).to_have_text(f"《{SHORT[YUNLING]}》")
    expect(reply.locator("a.ref")).to_have_attribute("href", f"{plans_server.url}/tasks/{YUNLING}/5")
    reply = finished(ask(widget, "税务局牵头哪些任务？"))
    expect(reply.locator(".card").first).to_be_visible()
    docs = reply.locator(".card").evaluate_all("cs => cs.map(c => c.dataset.docId)")
    assert docs and set(docs) == {YUNLING}
    assert [b.get("doc_id") for b in bodies] == [YUNLING, YUNLING, YUNLING]


def test_an_unpinned_widget_names_each_cards_plan(plans_server: Server, page: Page) -> None:
    bodies = asked(page)
    widget = open_widget(page, plans_server.url + "/")
    expect(widget.locator(".subtitle")).to_have_text("依据 3 个方案 · 606 项任务")
    # Unpinned, the examples are the first plan's.
    first = plans_server.get("/api/v1/config")["plans"][0]
    assert first["doc_id"] == FIRST
    expect(widget.locator(".welcome .chip")).to_have_text(first["examples"]["zh"])
    reply = finished(ask(widget, "第5条是什么？"))
    cards = reply.locator(".card")
    expect(cards).to_have_count(3)
    docs = cards.evaluate_all("cs => cs.map(c => c.dataset.docId)")
    assert sorted(docs) == sorted(SHORT)
    names = cards.locator(".plan-name").all_inner_texts()
    assert names == [f"《{SHORT[d]}》" for d in docs]
    # Each 第5条 in the text links to its own plan's task and opens its own card.
    refs = reply.locator("a.ref")
    expect(refs).to_have_count(3)
    hrefs = refs.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"{plans_server.url}/tasks/{d}/5" for d in SHORT)
    second = refs.nth(1)
    doc = second.get_attribute("data-doc")
    second.click()
    opened = reply.locator(f".card[data-doc-id='{doc}'] .card-toggle")
    expect(opened).to_have_attribute("aria-expanded", "true")
    expect(reply.locator(".card .card-toggle[aria-expanded=true]")).to_have_count(1)
    # A follow-up chip names the plan, so it does not ask about every plan's 第5条.
    one = finished(ask(widget, "云岭州第5条是什么？"))
    expect(one.locator(".chip").first).to_have_text(f"《{SHORT[YUNLING]}》第5条什么时候完成？")
    assert len(bodies) == 2 and all("doc_id" not in b for b in bodies)


def test_a_pinned_plan_the_service_lacks_says_so(
    plans_server: Server, portal: Portal, new_page: PageFactory
) -> None:
    page = new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    tag = widget_tag(plans_server, 'data-plan="no-such-plan"')
    url = host(page, portal, csp=STRICT.format(endpoint=plans_server.url), tag=tag)
    widget = open_widget(page, url)
    alert = widget.locator(".not-enabled")
    expect(alert).to_have_text(re.compile("问答服务中没有本网站设置的方案“no-such-plan”"))
    expect(alert).to_have_attribute("role", "alert")
    expect(widget.locator("textarea.input")).to_be_disabled()
    assert any('data-plan="no-such-plan"' in m for m in console)

    # Without the configuration (it failed to load), the first question meets the API's 404 unknown_plan.
    page = new_page()
    down = {"error": {"code": "unavailable", "message": "暂不可用 / Unavailable"}}
    page.route(
        "**/api/v1/config",
        lambda route: route.fulfill(
            status=503, json=down, headers={"Access-Control-Allow-Origin": portal.allowed}
        ),
    )
    widget = open_widget(page, host(page, portal, csp=STRICT.format(endpoint=plans_server.url), tag=tag))
    reply = finished(ask(widget, "第5条是什么？"))
    expect(reply).to_have_class(re.compile("not-enabled"))
    expect(reply).to_contain_text("问答服务中没有本网站设置的方案“no-such-plan”")
    expect(reply.locator(".retry")).to_have_count(0)
    expect(widget.locator(".not-enabled")).to_have_count(1)
    expect(widget.locator("textarea.input")).to_be_disabled()


# -- task pages --------------------------------------------------------------------------------------------


def test_a_number_several_plans_share_lists_them(plans_server: Server, page: Page) -> None:
    response = page.goto(plans_server.url + "/tasks/5")
    assert response is not None and response.status == 300
    expect(page.get_by_role("heading", level=1)).to_have_text("第5条：请选择方案")
    links = page.locator(".choices a")
    expect(links).to_have_count(3)
    page.get_by_role("link", name=f"《{SHORT[YUNLING]}》第5条").click()
    expect(page.locator("article.task")).to_have_attribute("data-doc-id", YUNLING)
    task = plans_server.get("/api/v1/tasks/5", doc_id=YUNLING)
    expect(page.locator(".text")).to_have_text(task["text"])
    expect(page.locator(".permalink")).to_have_text(f"{plans_server.url}/tasks/{YUNLING}/5")
    page.get_by_role("link", name="下一条：第6条 →").click()
    assert page.url == f"{plans_server.url}/tasks/{YUNLING}/6"


def test_a_number_one_plan_has_redirects_and_unknowns_are_404(plans_server: Server, page: Page) -> None:
    page.goto(plans_server.url + "/tasks/237?lang=en")
    assert page.url == f"{plans_server.url}/tasks/{FIRST}/237?lang=en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Task 237")
    response = page.goto(plans_server.url + "/tasks/no-such-plan/5")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("没有这个方案")
    expect(page.locator(".plans a")).to_have_count(3)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No such plan")
    response = page.goto(plans_server.url + f"/tasks/{YUNLING}/99")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text(f"《{SHORT[YUNLING]}》中没有第99条任务")
