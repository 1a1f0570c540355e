"""Task permalink pages and the static assets as served (compression, entity tags), over the real files in
api/static and the fake-embedder index."""

from __future__ import annotations

import dataclasses
import gzip
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.engine import PlanInfo
from api.middleware import CSP
from api.pages import STATIC_DIR, accepts_gzip
from api.taskpage import render_missing, render_task, task_path
from corpus.records import TaskRecord
from tests.api_helpers import fake_app, make_settings

PLAN = PlanInfo("doc", "伊金霍洛旗对标先进建设最优营商环境实施方案", "伊党办发〔2022〕5号", 482)


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, fake_retriever: Any, fake_qa: Any
) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("pages")
    settings = make_settings(tmp, source_url="https://www.yjhlq.gov.cn/plan.html")
    with TestClient(fake_app(settings, fake_retriever, fake_qa)) as c:
        yield c


class Page(HTMLParser):
    """The tags, attributes and text of a page, to check it without a browser."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for t, a in self.tags if t == "a" and "href" in a]


def test_task_page_shows_the_task_and_links_onwards(client: TestClient, fake_retriever: Any) -> None:
    record = fake_retriever.get(237)
    r = client.get("/tasks/237")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == CSP
    page = Page(r.text)
    assert ("html", {"lang": "zh-CN"}) in page.tags
    assert "第237条" in page.text and record.text in page.text
    assert "伊党办发〔2022〕5号 第237条" in page.text  # the citation to copy
    hrefs = page.hrefs()
    assert "/tasks/236" in hrefs and "/tasks/238" in hrefs
    assert f"/search?lead_unit={quote(record.lead_units[0])}" in hrefs
    assert any(h.startswith("/search?section=") for h in hrefs)
    assert "https://www.yjhlq.gov.cn/plan.html" in hrefs  # the source document
    assert "/tasks/237?lang=en" in hrefs
    # No inline script or style: the site's CSP holds.
    assert "<style" not in r.text and " style=" not in r.text
    assert all(a.get("src") for t, a in page.tags if t == "script")
    assert client.head("/tasks/237").status_code == 200


def test_task_page_in_english(client: TestClient) -> None:
    page = Page(client.get("/tasks/12?lang=en").text)
    assert ("html", {"lang": "en"}) in page.tags
    assert "Task 12" in page.text and "Lead units" in page.text
    assert "/tasks/13?lang=en" in page.hrefs()


@pytest.mark.parametrize(("task_id", "prev", "next_"), [(1, None, 2), (482, 481, None)])
def test_first_and_last_tasks_link_one_way(client: TestClient, task_id: int, prev: Any, next_: Any) -> None:
    hrefs = Page(client.get(f"/tasks/{task_id}").text).hrefs()
    assert (f"/tasks/{prev}" in hrefs) == (prev is not None)
    assert (f"/tasks/{next_}" in hrefs) == (next_ is not None)


@pytest.mark.parametrize("task_id", ["9999", "0", "abc", "1e3", "１２", "12.0", "9" * 40])
def test_unknown_task_is_an_html_404(client: TestClient, task_id: str) -> None:
    r = client.get(f"/tasks/{task_id}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "没有这条任务" in r.text and "/search" in r.text
    assert task_id not in r.text or task_id.isdigit()


def test_task_page_escapes_every_value() -> None:
    evil = "<img src=x onerror=alert(1)>"
    record = TaskRecord(
        doc_id='d"', task_id=7, section_no=1, section=evil, text=evil, benchmark="对标" + evil,
        benchmark_city=evil, lead_units=(evil,), responsible_units=(), deadline=evil, deadline_ym=None,
        line=1, deadline_kind="none", deadline_every=None,
    )  # fmt: skip
    plan = dataclasses.replace(PLAN, title=evil, doc_number=None)
    html = render_task(record, plan, source_url='https://x/"><script>', prev_id=6)
    assert "<img" not in html and "<script>" not in html and 'd"' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "《&lt;img" in html  # a plan without a document number is cited by its title
    assert "<img" not in render_missing("<img>")


def test_task_path_is_the_one_place_addresses_are_made(tasks: list[TaskRecord]) -> None:
    assert task_path(tasks[11]) == "/tasks/12" and task_path(tasks[11], "en") == "/tasks/12?lang=en"


def test_page_links_resolve(client: TestClient) -> None:
    """Every same-site link on a task page answers 200 (the search page takes its filters from the URL)."""
    for href in Page(client.get("/tasks/233").text).hrefs():
        if href.startswith("/"):
            assert client.get(href).status_code == 200, href
    for t, a in Page(client.get("/tasks/233").text).tags:
        if t in {"link", "script"}:
            assert client.get(a.get("href") or a.get("src") or "").status_code == 200, a


# -- the widget and the pages' assets as served ------------------------------------------------------


def test_widget_js_is_gzipped_with_an_entity_tag(client: TestClient) -> None:
    raw = (STATIC_DIR / "widget.js").read_bytes()
    r = client.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.content == raw  # httpx decodes it
    assert int(r.headers["content-length"]) == len(gzip.compress(raw, compresslevel=9, mtime=0))
    assert int(r.headers["content-length"]) < len(raw) / 2
    assert "Accept-Encoding" in r.headers["vary"]
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-type"].startswith("text/javascript")
    etag = r.headers["etag"]
    again = client.get("/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    plain = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["etag"] != etag
    assert plain.content == raw


@pytest.mark.parametrize(
    "url", ["/", "/search", "/static/search.js", "/static/task.css", "/static/portal.css"]
)
def test_pages_and_their_assets_are_compressed(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "no-cache"


def test_other_static_files_come_from_the_mount(client: TestClient) -> None:
    r = client.get("/static/favicon.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize(
    ("header", "gz"),
    [("gzip", True), ("GZIP, deflate", True), ("gzip;q=0", False), ("br", False), ("*", True), ("", False)],
)
def test_accepts_gzip(header: str, gz: bool) -> None:
    assert accepts_gzip(header) is gz


def test_static_html_has_no_inline_code_and_a_favicon() -> None:
    for name in ("index.html", "search.html"):
        html = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert '<link rel="icon" href="/static/favicon.svg"' in html, name
        assert "<style" not in html and " style=" not in html, name
    assert Path(STATIC_DIR / "favicon.svg").read_text().startswith("<svg")
