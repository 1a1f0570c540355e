"""Fixtures of the browser tests: the app on a loopback port, headless Debian Chromium, fresh pages.

The app is the real ``api.app:create_app()`` over the index ``make index`` built (or, only when ``api.app``
cannot be imported or ``TASKQA_BROWSER_APP=fake``, ``tests/browser/fake_api.py``; the tests of features the
fake lacks skip then). It runs once for the package in a uvicorn thread with explicit settings (no environment
is changed for the rest of the suite): rate limits lifted (429 is tested with ``page.route``) and the portal's
origin ``http://localhost:P`` allowed by CORS. The portal is a second tiny server (:class:`Portal`) whose
pages embed the widget from ``http://127.0.0.1:PORT``; the same pages at ``http://127.0.0.1:P`` are an origin
the app does not know. Real servers, not ``page.route``: a fulfilled page has no address, and Chromium's
local-network access rules then refuse its requests to loopback.

``plans_server`` is a second real app, over a temporary index of three plans (the shipped one and the fixture
plans of ``tests/data/plans``, as ``python -m eval --plans`` builds it), for the pages as several plans show
them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.helpers import CHROMIUM, ROOT, TIMEOUT_MS, Portal, Server

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing (make browser-deps installs Debian's chromium)", allow_module_level=True
    )

expect.set_options(timeout=TIMEOUT_MS)


def _build_app(feedback_db: Any, portal: str, **settings: Any) -> tuple[Any, bool]:
    """The real app when ``api.app`` exists, else the contract fake (see the module docstring)."""
    mode = os.environ.get("TASKQA_BROWSER_APP", "auto")
    if mode != "fake":
        try:
            from api.app import create_app  # type: ignore[import-not-found, unused-ignore]
            from api.settings import Settings  # type: ignore[import-not-found, unused-ignore]
        except ModuleNotFoundError as exc:
            if mode == "real" or exc.name not in {"api", "api.app", "api.settings"}:
                raise
        else:
            return create_app(
                Settings(
                    feedback_db=feedback_db,
                    rate_per_minute=100_000,
                    burst=10_000,
                    cost_ms_per_minute=1e9,
                    cost_burst_ms=1e9,
                    cors_origins=[portal],
                    hotline="12345",
                    source_url=None,
                    **settings,
                )
            ), True
    from tests.browser.fake_api import create_fake_app

    return create_fake_app(feedback_db), False


@pytest.fixture(scope="package")
def portal() -> Iterator[Portal]:
    pages: dict[str, tuple[str, dict[str, str]]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = pages.get(self.path)
            body = (found[0] if found else "not found").encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (found[1] if found else {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    yield Portal(f"http://localhost:{port}", f"http://127.0.0.1:{port}", pages)
    httpd.shutdown()
    httpd.server_close()


@contextmanager
def _serve(app: Any, feedback_db: Any, real: bool) -> Iterator[Server]:
    """``app`` on a loopback port in a uvicorn thread, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not uv.started:  # the server thread either starts or dies
        if not thread.is_alive():
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


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, portal: Portal) -> Iterator[Server]:
    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    app, real = _build_app(feedback_db, portal.allowed)
    with _serve(app, feedback_db, real) as served:
        yield served


@pytest.fixture(scope="package")
def plans_server(
    tmp_path_factory: pytest.TempPathFactory, portal: Portal, server: Server
) -> Iterator[Server]:
    """The real app over three plans (skipped with the fake app, which has one)."""
    if not server.real:
        pytest.skip("needs the real app (this run uses tests/browser/fake_api.py)")
    from eval.plans import build_plans_index

    root = tmp_path_factory.mktemp("three-plans")
    build_plans_index((ROOT / "corpus" / "data" / "plans", ROOT / "tests" / "data" / "plans"), root)
    feedback_db = root / "feedback.sqlite3"
    app, real = _build_app(feedback_db, portal.allowed, index_dir=root / "index", data_dir=root / "plans")
    with _serve(app, feedback_db, real) as served:
        yield served


@pytest.fixture
def real(server: Server) -> Server:
    """The server, for a test of a feature only the real app has."""
    if not server.real:
        pytest.skip("needs the real app (this run uses tests/browser/fake_api.py)")
    return server


# Package scope: the browser (its sync API runs an event loop in this thread) and the servers are gone
# before the rest of the suite, which runs event loops of its own.
@pytest.fixture(scope="package")
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
    """Pages in fresh contexts (fresh sessionStorage); an uncaught error or CSP violation fails the test
    (``allow=`` lists console messages a test expects)."""
    contexts = []
    errors: list[str] = []

    def make(width: int = 1280, height: int = 800, allow: tuple[str, ...] = (), **options: Any) -> Page:
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", **options)
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))

        def console(m: Any) -> None:
            if "Content Security Policy" in m.text and not any(a in m.text for a in allow):
                errors.append(m.text)

        page.on("console", console)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, f"uncaught errors or CSP violations in the page: {errors}"


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()
