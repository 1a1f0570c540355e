"""The widget embedded by a portal of another origin, under that portal's strict CSP (docs/embedding.md).

The portal (conftest.py) serves its pages at an origin the app's CORS settings allow and at one they do
not; the widget and the API are the app at ``http://127.0.0.1:PORT``. Same-origin pages of the app itself
are fulfilled by ``page.route``.
"""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageFactory
from tests.browser.helpers import ELECTRICITY, Portal, Server, ask, finished, open_widget

pytestmark = pytest.mark.browser

# What docs/embedding.md tells a portal to add to its CSP: the endpoint in script-src and connect-src.
# style-src stays 'self': the widget's styles are constructable stylesheets, which CSP does not govern.
STRICT = (
    "default-src 'self'; script-src 'self' {endpoint}; connect-src 'self' {endpoint}; style-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


_pages = iter(range(1_000_000))


def host(page: Page, portal: Portal, *, csp: str, tag: str, allowed: bool = True) -> str:
    """A new portal page with ``csp`` embedding the widget with ``tag``; its URL at the allowed origin (or
    at the unknown one)."""
    path = f"/portal-{next(_pages)}"
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某政务门户</title></head>'
        f"<body><header><h1>某政务门户</h1></header><main><p>门户正文</p><a href='#'>链接</a></main>{tag}"
        "</body></html>"
    )
    portal.serve(path, html, {"Content-Security-Policy": csp})
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return (portal.allowed if allowed else portal.unknown) + path


def same_origin(page: Page, server: Server, *, csp: str, tag: str) -> str:
    """A page of the app's own origin, fulfilled by the browser (no address question arises)."""
    url = server.url + "/csp-demo"
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>CSP</title></head>'
        f"<body>{tag}</body></html>"
    )
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp},
            body=html,
        ),
    )
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    return url


def widget_tag(server: Server, extra: str = "") -> str:
    return f'<script src="{server.url}/widget.js" data-endpoint="{server.url}" {extra} defer></script>'


def test_a_portal_of_another_origin_with_a_strict_csp(real: Server, portal: Portal, page: Page) -> None:
    url = host(page, portal, csp=STRICT.format(endpoint=real.url), tag=widget_tag(real))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    widget = open_widget(page, url)
    panel = widget.locator(".panel")
    # Styled, not raw HTML spilling over the page: the built-in stylesheet applied under style-src 'self'.
    styles = panel.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return [s.position, s.borderTopLeftRadius, s.backgroundColor, s.width]; }"
    )
    assert styles == ["fixed", "14px", "rgb(255, 255, 255)", "400px"]
    expect(widget.locator(".subtitle")).to_have_text("依据伊党办发〔2022〕5号 · 482 项任务")
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card")).to_have_count(20)
    assert reply.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "12px"
    reply.locator(".card-toggle").first.click()
    expect(reply.locator(".card-body").first).to_be_visible()
    reply.locator(".rate-up").click()
    expect(reply.locator(".actions > .action-status")).to_contain_text("已收到反馈")
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m or "taskqa" in m], console


def test_the_same_origin_demo_under_the_sites_own_csp(server: Server, page: Page) -> None:
    csp = "default-src 'self'; script-src 'self'; style-src 'self'"
    tag = '<script src="/widget.js" data-endpoint="" defer></script>'
    widget = open_widget(page, same_origin(page, server, csp=csp, tag=tag))
    reply = finished(ask(widget, ELECTRICITY))
    expect(reply.locator(".card")).to_have_count(20)
    assert page.evaluate("window.__csp") == []


def test_a_portal_missing_from_cors_origins_is_told_so(
    real: Server, portal: Portal, new_page: PageFactory, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = portal.unknown
    with caplog.at_level(logging.WARNING, logger="api"):
        for _ in range(2):  # two visits: the server logs the origin once
            page = new_page()
            console: list[str] = []
            page.on("console", lambda m, c=console: c.append(m.text))
            url = host(
                page, portal, csp=STRICT.format(endpoint=real.url), tag=widget_tag(real), allowed=False
            )
            widget = open_widget(page, url)
            notice = widget.locator(".not-enabled")
            expect(notice).to_have_text("本网站尚未开通问答服务")
            expect(notice).to_have_attribute("role", "alert")
            expect(widget.locator("textarea")).to_be_disabled()
            expect(widget.locator("textarea")).to_have_attribute("placeholder", "本网站尚未开通问答服务")
            # Without the service's configuration there are no examples of its plan to offer.
            expect(widget.locator(".welcome .chip")).to_have_count(0)
            expect(widget.locator(".error-text", has_text="无法连接")).to_have_count(0)
            why = [m for m in console if "TASKQA_CORS_ORIGINS" in m]
            assert why and unknown in why[0], console
    lines = [r.getMessage() for r in caplog.records if unknown in r.getMessage()]
    assert len(lines) == 1, lines
    assert "refused" in lines[0] and "TASKQA_CORS_ORIGINS" in lines[0]


def test_a_portal_whose_csp_forbids_the_endpoint_is_told_so(
    real: Server, portal: Portal, new_page: PageFactory
) -> None:
    page = new_page(allow=("connect-src", "Refused to connect"))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    csp = f"default-src 'self'; script-src 'self' {real.url}; connect-src 'self'; style-src 'self'"
    widget = open_widget(page, host(page, portal, csp=csp, tag=widget_tag(real)))
    expect(widget.locator(".not-enabled")).to_have_text("本网站尚未开通问答服务")
    assert any("connect-src" in m and "taskqa" in m for m in console), console


def test_theme_position_and_an_optional_stylesheet(real: Server, portal: Portal, page: Page) -> None:
    csp = STRICT.format(endpoint=real.url).replace("style-src 'self'", f"style-src 'self' {real.url}")
    tag = widget_tag(real, f'data-position="left" data-stylesheet="{real.url}/widget.css"')
    widget = open_widget(page, host(page, portal, csp=csp, tag=tag))
    box = widget.locator(".panel").bounding_box()
    assert box and box["x"] == 20  # on the left
    assert (widget.locator(".launcher").bounding_box() or {}).get("x") == 20
    expect(widget.locator(".head")).to_have_css("background-color", "rgb(143, 21, 21)")  # widget.css: red
    assert page.evaluate("window.__csp") == []


def test_a_theme_the_host_blocks_leaves_the_widget_styled(
    real: Server, portal: Portal, new_page: PageFactory
) -> None:
    page = new_page(allow=("style-src",))
    tag = widget_tag(real, f'data-theme="dark" data-accent="#b31b1b" data-stylesheet="{real.url}/widget.css"')
    widget = open_widget(page, host(page, portal, csp=STRICT.format(endpoint=real.url), tag=tag))
    assert any(v.startswith("style-src") for v in page.evaluate("window.__csp"))  # widget.css refused
    panel = widget.locator(".panel")
    expect(panel).to_have_css("border-top-left-radius", "14px")
    expect(panel).to_have_css("background-color", "rgb(32, 37, 45)")  # the dark theme, built in
    page.mouse.move(0, 0)  # off the launcher: its colour, not its hover colour
    expect(widget.locator(".launcher")).to_have_css("background-color", "rgb(179, 27, 27)")  # data-accent
    reply = finished(ask(widget, "法院牵头哪些任务？"))
    expect(reply.locator(".text")).to_contain_text(re.compile("共 61 项"))
