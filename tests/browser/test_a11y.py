"""axe-core (axe-playwright-python, which bundles it: nothing is downloaded) on every page a citizen or a
member of staff sees: the demo portal, the staff search page with results, a task page and the open widget
with an answer, on a desktop and a phone. Zero violations of any rule axe runs by default (WCAG 2 A/AA and
best practices), shadow DOM included."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import ELECTRICITY, Portal, Server, ask, finished, open_widget
from tests.browser.test_embedding import STRICT, host, widget_tag

pytestmark = pytest.mark.browser


def violations(page: Page, context: Any = None) -> list[str]:
    results = Axe().run(page, context=context)
    found = results.response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in found
    ]


def test_demo_portal(server: Server, page: Page) -> None:
    page.goto(server.url + "/")
    expect(page.locator("taskqa-widget .launcher")).to_be_visible()
    assert violations(page) == []


def test_staff_search_page(real: Server, page: Page) -> None:
    page.goto(real.url + "/search?q=用电报装")
    expect(page.locator("#relevant tr").first).to_be_visible()
    page.get_by_role("button", name="完成时限").click()
    page.locator("#lead_unit summary").click()  # an open multi-select
    assert violations(page) == []
    page.goto(real.url + "/search?q=量子计算机")
    page.get_by_role("button", name="更多相关度较低的结果（50 条）").click()
    page.goto(real.url + "/search?deadline_before=2022-13")  # the error state
    expect(page.locator("#error")).to_be_visible()
    assert violations(page) == []


def test_task_page(real: Server, page: Page) -> None:
    page.goto(real.url + "/tasks/233")
    expect(page.locator(".tools")).to_be_visible()
    assert violations(page) == []
    page.goto(real.url + "/tasks/233?lang=en")
    assert violations(page) == []


def test_open_widget_with_an_answer(real: Server, page: Page) -> None:
    widget = open_widget(page, real.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    reply.locator(".card-toggle").first.click()
    reply.locator(".rate-down").click()  # the reason box
    expect(reply.locator(".reason textarea")).to_be_visible()
    refusal = finished(ask(widget, "怎么做红烧肉？"))
    expect(refusal.locator(".handoff")).to_be_visible()
    assert violations(page) == []


def test_open_widget_on_a_phone(real: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    widget = open_widget(page, real.url + "/")
    reply = finished(ask(widget, "Who leads the electricity tasks?"))
    expect(reply.locator(".card").first).to_be_visible()
    assert violations(page) == []


# -- several plans (tests/browser/conftest.py plans_server) --------------------------------------------------


def test_staff_search_page_with_plans(plans_server: Server, new_page: PageFactory) -> None:
    page = new_page()
    page.goto(plans_server.url + "/search?q=用电报装")
    expect(page.locator("#relevant td[data-label=方案]").first).to_be_visible()
    page.locator("th.c-plan .sort").click()
    assert violations(page) == []
    page.goto(plans_server.url + "/search?doc_id=no-such-plan")  # the unknown plan's error
    expect(page.locator("#error")).to_be_visible()
    assert violations(page) == []
    phone = new_page(390, 844, is_mobile=True, has_touch=True)
    phone.goto(plans_server.url + "/search?doc_id=yunling-2023")
    expect(phone.locator("#relevant td[data-label=方案]").first).to_be_visible()
    assert violations(phone) == []


def test_widget_with_plans(plans_server: Server, portal: Portal, new_page: PageFactory) -> None:
    page = new_page()
    widget = open_widget(page, plans_server.url + "/")
    reply = finished(ask(widget, "第5条是什么？"))
    reply.locator(".card-toggle").first.click()
    expect(reply.locator(".plan-name").first).to_be_visible()
    assert violations(page) == []
    # Pinned to a plan the service lacks: the notice and the disabled composer.
    page = new_page()
    csp = STRICT.format(endpoint=plans_server.url)
    widget = open_widget(page, host(page, portal, csp=csp, tag=widget_tag(plans_server, 'data-plan="x"')))
    expect(widget.locator(".not-enabled")).to_be_visible()
    assert violations(page) == []


def test_plan_keyed_task_pages(plans_server: Server, page: Page) -> None:
    for path in (
        "/tasks/yunling-2023/5",
        "/tasks/yunling-2023/5?lang=en",
        "/tasks/5",  # the plans that have it
        "/tasks/5?lang=en",
        "/tasks/no-such-plan/5",
        "/tasks/yunling-2023/99?lang=en",
    ):
        page.goto(plans_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert violations(page) == [], path
