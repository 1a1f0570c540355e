"""Helpers for the fixture plans: their sources, the expected records, a PDF printed from one of them."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "tests" / "data" / "plans"


@cache
def maker() -> ModuleType:
    """``scripts/make_fixture_plans.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        "make_fixture_plans", ROOT / "scripts" / "make_fixture_plans.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@dataclass(frozen=True)
class Expected:
    task_id: int
    section_no: int
    section: str
    text: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    deadline: str
    deadline_ym: tuple[int, int] | None


def source(name: str) -> dict[str, Any]:
    return maker().load_source(name)  # type: ignore[no-any-return]


def expected(name: str) -> list[Expected]:
    """The records a plan must parse into, straight from its source data."""
    found = maker().measures(source(name))
    sections = list(dict.fromkeys(s for s, _ in found))
    return [
        Expected(
            task_id=m["n"],
            section_no=sections.index(s) + 1,
            section=s,
            text=m["text"],
            lead_units=tuple(m["lead"]),
            responsible_units=tuple(m["resp"]),
            deadline=m["deadline"],
            deadline_ym=tuple(m["ym"]) if m["ym"] else None,
        )
        for s, m in found
    ]


def print_pdf(name: str) -> bytes:
    """The inline plan rendered to HTML and printed to PDF by Debian's Chromium (a text layer, Noto CJK)."""
    from playwright.sync_api import sync_playwright

    html = maker().plan_html(source(name))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_content(html)
            margin = {"top": "2cm", "bottom": "2cm", "left": "2cm", "right": "2cm"}
            return page.pdf(format="A4", margin=margin)
        finally:
            browser.close()
