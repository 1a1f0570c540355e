"""The staff search page (/search) in headless Chromium. ``TASKQA_SCREENSHOTS`` saves its screenshot."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import Server, screenshot

pytestmark = pytest.mark.browser

HEADER = ["任务编号", "所属领域", "牵头单位", "责任单位", "完成时限", "时限类型", "对标", "任务内容"]


def ready(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("form[data-ready=true]")).to_have_count(1)


def search(page: Page) -> None:
    page.get_by_role("button", name="检索", exact=True).click()
    expect(page.locator("#results")).to_have_attribute("aria-busy", "false")


def pick(page: Page, field: str, *names: str) -> None:
    """Tick names in a multi-select (opened by its summary)."""
    page.locator(f"#{field} summary").click()
    for name in names:
        page.locator(f"#{field} input[type=checkbox][value='{name}']").check()
    page.locator(f"#{field} summary").click()


def rows(page: Page) -> list[int]:
    return [int(re.sub(r"\D", "", t)) for t in page.locator("#relevant tr th").all_inner_texts()]


def download_csv(page: Page) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 CSV").click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    assert info.value.suggested_filename.endswith(".csv")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_section_filter_and_csv(server: Server, page: Page) -> None:
    ready(page, server.url + "/search")
    sections = server.get("/api/v1/sections")["sections"]
    expect(page.locator("#section option")).to_have_count(len(sections) + 1)
    expect(page.locator("#lead_unit .options li")).not_to_have_count(0)

    page.select_option("#section", "获得电力")
    search(page)
    want = server.section_count("获得电力")
    body = page.locator("#relevant tr")
    expect(body).to_have_count(want)
    expect(page.locator("#count")).to_contain_text(f"共 {want} 条")
    expect(body.first.locator("td").first).to_have_text("获得电力")
    # Every row links to its task's page.
    expect(body.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^/tasks/\d+$"))

    table = download_csv(page)
    assert table[0] == HEADER
    assert len(table) == want + 1
    assert {r[1] for r in table[1:]} == {"获得电力"}


def test_lists_everything_without_truncation(server: Server, page: Page) -> None:
    total = sum(s["count"] for s in server.get("/api/v1/sections")["sections"])
    ready(page, server.url + "/search")
    search(page)
    expect(page.locator("#relevant tr")).to_have_count(total)
    # A keyword search is ranked and capped at 50; filters narrow it.
    page.fill("#q", "用电报装")
    page.fill("#deadline_before", "2022-12")
    search(page)
    expect(page.locator("#count")).to_contain_text("按相关度")
    n = page.locator("#relevant tr").count() + page.locator("#lower tr").count()
    assert 0 < n <= 50
    assert "q=" in page.url and "deadline_before=2022-12" in page.url


def test_a_nonsense_query_shows_nothing_above_the_cut_off(real: Server, page: Page) -> None:
    ready(page, real.url + "/search?q=量子计算机")
    expect(page.locator("#count")).to_have_text("没有找到相关度足够的任务，可换个关键词。")
    expect(page.locator("#relevant tr")).to_have_count(0)
    expect(page.locator("#lower")).to_be_hidden()
    more = page.get_by_role("button", name="更多相关度较低的结果（50 条）")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="导出 CSV")).to_be_disabled()
    more.click()
    expect(page.locator("#lower tr")).to_have_count(50)
    expect(page.get_by_role("button", name="收起相关度较低的结果")).to_have_attribute("aria-expanded", "true")


def test_a_keyword_is_cut_off_highlighted_and_sortable(real: Server, page: Page) -> None:
    ready(page, real.url + "/search")
    page.fill("#q", "用电报装")
    search(page)
    shown = page.locator("#relevant tr")
    n = shown.count()
    assert 0 < n < 50
    expect(page.locator("#count")).to_contain_text(f"找到 {n} 条相关任务")
    expect(page.locator("#count")).to_contain_text(f"另有 {50 - n} 条相关度较低")
    marks = {m.strip() for m in page.locator("#relevant mark").all_inner_texts()}
    assert "用电报装" in marks and all(len(m) >= 2 for m in marks), marks
    assert "233" in " ".join(page.locator("#relevant tr th").all_inner_texts())
    screenshot(page, "screenshot-search.png")

    # Sort by 完成时限: ascending, descending, then back to relevance.
    ranked = rows(page)
    head = page.locator("th", has=page.get_by_role("button", name="完成时限"))
    sort = page.get_by_role("button", name="完成时限")
    sort.click()
    expect(head).to_have_attribute("aria-sort", "ascending")
    keys = [deadline_key(t) for t in page.locator("#relevant td[data-label=完成时限]").all_inner_texts()]
    assert keys == sorted(keys)
    sort.click()
    expect(head).to_have_attribute("aria-sort", "descending")
    keys = [deadline_key(t) for t in page.locator("#relevant td[data-label=完成时限]").all_inner_texts()]
    assert keys == sorted(keys, reverse=True)
    sort.click()
    expect(head).not_to_have_attribute("aria-sort", re.compile("."))
    assert rows(page) == ranked
    page.get_by_role("button", name="任务编号").click()
    assert rows(page) == sorted(ranked)


def deadline_key(text: str) -> int:
    m = re.search(r"(\d{4})\D+(\d{1,2})", text)
    return int(m.group(1)) * 100 + int(m.group(2)) if m else 999_999


def test_several_units_and_benchmark_cities(real: Server, page: Page) -> None:
    ready(page, real.url + "/search")
    pick(page, "lead_unit", "旗法院", "旗税务局")
    expect(page.locator("#lead_unit summary")).to_contain_text("已选 2 个单位")
    search(page)
    union = {
        t["task_id"]
        for unit in ("旗法院", "旗税务局")
        for t in real.get("/api/v1/tasks", lead_unit=unit, page_size=200)["items"]
    }
    assert rows(page) == sorted(union)
    assert page.url.count("lead_unit=") == 2
    # Cities come from a list of the plan's benchmark cities, with their counts.
    page.get_by_role("button", name="清空").click()
    page.locator("#benchmark_city summary").click()
    expect(page.locator("#benchmark_city .options li").first).to_have_text("上海（72）")
    page.locator("#benchmark_city .multi-filter").fill("深")
    expect(page.locator("#benchmark_city .options li:visible")).to_have_text(["深圳（17）"])
    page.locator("#benchmark_city input[value='深圳']").check()
    page.keyboard.press("Escape")
    search(page)
    expect(page.locator("#relevant tr")).to_have_count(17)
    assert {t.strip() for t in page.locator("#relevant td[data-label=对标]").all_inner_texts()} == {
        "对标深圳"
    }


def test_the_same_columns_in_both_modes(real: Server, page: Page) -> None:
    ready(page, real.url + "/search?q=用电报装")
    expect(page.locator("#relevant tr").first).to_be_visible()
    headers = page.locator("thead th").all_inner_texts()
    assert [h.strip(" ↕") for h in headers] == [
        "任务编号",
        "领域",
        "牵头单位",
        "责任单位",
        "完成时限",
        "对标",
        "内容",
    ]
    ranked = download_csv(page)
    assert any(t.strip() for t in page.locator("#relevant td[data-label=责任单位]").all_inner_texts())
    ready(page, real.url + "/search?section=获得电力")
    expect(page.locator("#relevant tr")).to_have_count(20)
    listed = download_csv(page)
    assert ranked[0] == listed[0] == HEADER
    by_id = {r[0]: r for r in listed[1:]}
    # A task reads the same in both exports.
    assert all(r == by_id[r[0]] for r in ranked[1:] if r[0] in by_id)


def test_a_failed_fetch_can_be_retried(server: Server, page: Page) -> None:
    ready(page, server.url + "/search")
    page.route("**/api/v1/tasks?*", lambda route: route.abort())
    page.select_option("#section", "纳税")
    search(page)
    error = page.locator("#error")
    expect(error).to_contain_text("检索失败：无法连接检索服务")
    page.unroute("**/api/v1/tasks?*")
    error.get_by_role("button", name="重试").click()
    expect(error).to_be_hidden()
    expect(page.locator("#relevant tr")).to_have_count(server.section_count("纳税"))


def test_an_impossible_month_is_a_clear_error(real: Server, page: Page) -> None:
    ready(page, real.url + "/search?deadline_before=2022-13")
    error = page.locator("#error-text")
    expect(error).to_have_text(
        "检索失败：字段 deadline_before 应写作 2022-09 或 2022年9月 / "
        "Field deadline_before must look like 2022-09 or 2022年9月"
    )
    expect(page.locator("#deadline_before")).to_have_value("2022-13")  # what the address bar said
    expect(page.locator("#deadline_before")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#retry")).to_be_hidden()  # the same request would fail again
    page.fill("#deadline_before", "2022-12")
    search(page)
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#deadline_before")).not_to_have_attribute("aria-invalid", "true")


def test_a_phone_reads_the_content(server: Server, new_page: PageFactory) -> None:
    page = new_page(390, 844, is_mobile=True, has_touch=True)
    ready(page, server.url + "/search?section=获得电力")
    content = page.locator("#relevant td[data-label=内容]").first
    expect(content).to_be_visible()
    box = content.bounding_box()
    assert box and box["width"] > 300  # the whole card's width, not a 4-character column
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    font = page.locator("#q").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 16  # iOS does not zoom into the field


def test_print_shows_the_results_only(server: Server, page: Page) -> None:
    ready(page, server.url + "/search?section=纳税")
    expect(page.locator("#relevant tr").first).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#search-form")).to_be_hidden()
    expect(page.locator(".bar")).to_be_hidden()
    expect(page.locator("#relevant tr").first).to_be_visible()


def test_deadlines_show_their_kind_which_filters(real: Server, page: Page) -> None:
    ready(page, real.url + "/search")
    page.select_option("#deadline_kind", "ongoing")
    search(page)
    ongoing = real.get("/api/v1/tasks", deadline_kind="ongoing", page_size=200)
    assert ongoing["total"] > 0 and {t["deadline_kind"] for t in ongoing["items"]} == {"ongoing"}
    expect(page.locator("#relevant tr")).to_have_count(ongoing["total"])
    assert "deadline_kind=ongoing" in page.url
    kinds = page.locator("#relevant td[data-label=完成时限] .kind").all_inner_texts()
    assert kinds == ["长期"] * ongoing["total"]
    table = download_csv(page)
    assert {r[HEADER.index("时限类型")] for r in table[1:]} == {"长期"}
    # A keyword search keeps the kind, and a dated deadline says so.
    ready(page, real.url + "/search?q=用电报装&deadline_kind=dated")
    expect(page.locator("#deadline_kind")).to_have_value("dated")
    expect(page.locator("#relevant tr").first).to_be_visible()
    assert set(page.locator("#relevant td[data-label=完成时限] .kind").all_inner_texts()) == {"定时"}
