"""Task permalink pages (/tasks/{id}) in headless Chromium: readable, copyable, printable; reached from the
widget and the staff page. ``TASKQA_SCREENSHOTS`` saves the task page's screenshot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import ELECTRICITY, Server, ask, finished, open_widget, screenshot

pytestmark = pytest.mark.browser


def test_a_task_page_reads_copies_and_prints(real: Server, new_page: PageFactory) -> None:
    page = new_page(1100, 900, permissions=["clipboard-read", "clipboard-write"])
    page.goto(real.url + "/tasks/237")
    expect(page.get_by_role("heading", level=1)).to_have_text("第237条")
    task = real.get("/api/v1/tasks/237")
    expect(page.locator(".text")).to_have_text(task["text"])
    expect(page.locator(".meta")).to_contain_text(task["lead_units"][0])
    expect(page.locator(".permalink")).to_have_text(real.url + "/tasks/237")  # printed in full
    page.get_by_role("button", name="复制引用").click()
    expect(page.locator(".status")).to_have_text("已复制引用")
    assert page.evaluate("navigator.clipboard.readText()") == "伊党办发〔2022〕5号 第237条"
    screenshot(page, "screenshot-task.png")
    page.emulate_media(media="print")
    for hidden in (".bar", ".tools", ".pager"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".text")).to_be_visible()
    expect(page.locator(".permalink")).to_be_visible()


def test_neighbours_and_the_staff_search_are_one_click_away(real: Server, new_page: PageFactory) -> None:
    page = new_page()
    page.goto(real.url + "/tasks/237")
    page.get_by_role("link", name="下一条：第238条 →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第238条")
    page.locator(".meta a").first.click()  # its section, listed on the staff page
    expect(page.locator("form[data-ready=true]")).to_have_count(1)
    expect(page.locator("#section")).to_have_value("获得电力")
    expect(page.locator("#relevant tr")).to_have_count(20)
    page.locator("#relevant tr th a", has_text="第240条").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第240条")


def test_the_widget_opens_task_pages(real: Server, new_page: PageFactory) -> None:
    page = new_page()
    widget = open_widget(page, real.url + "/")
    reply = finished(ask(widget, ELECTRICITY))
    reply.locator(".card-toggle").first.click()
    with page.context.expect_page() as opened:
        reply.get_by_role("link", name=re.compile("^查看任务详情.*新窗口")).first.click()
    task_page = opened.value
    expect(task_page.get_by_role("heading", level=1)).to_have_text(
        f"第{reply.locator('.card').first.get_attribute('data-task-id')}条"
    )
