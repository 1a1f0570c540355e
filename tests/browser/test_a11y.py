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
from tests.browser.helpers import ELECTRICITY, Server, ask, finished, open_widget

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
