"""``python -m corpus add`` / ``list``: a good plan joins the folder; a bad one is refused, nothing moves."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.add import add_plan
from corpus.checks import PlanFileError, check_not_duplicate, check_size, check_suffix, check_text_layer
from corpus.loader import default_data_dir, load_plans
from corpus.records import ParseError
from tests.plan_fixtures import PLANS

FIRST = "ejin-horo-business-environment-plan-2022"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A copy of the shipped corpus folder."""
    folder = tmp_path / "plans"
    shutil.copytree(default_data_dir(), folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _pdf(*, encrypt: str | None = None, owner_only: bool = False) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    if encrypt is not None or owner_only:
        writer.encrypt(
            user_password="" if owner_only else (encrypt or ""), owner_password="owner", algorithm="RC4-128"
        )
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


BAD_FILES: list[tuple[str, bytes, str, str, str]] = [
    ("locked.pdf", _pdf(encrypt="secret"), "encrypted", "PDF 已加密", "encrypted"),
    ("scan.pdf", _pdf(), "no_text_layer", "扫描件", "no text layer"),
    ("scan-protected.pdf", _pdf(owner_only=True), "no_text_layer", "扫描件", "no text layer"),
    (
        "notice.docx",
        _docx(["关于召开会议的通知", "请各单位准时参加。"]),
        "no_tasks",
        "没有找到任务",
        "No tasks",
    ),
    ("numbers.xlsx", _xlsx([["月份", "收入"], ["1月", 100]]), "no_tasks", "没有找到任务", "No tasks"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "unreadable", "无法读取", "Cannot read"),
    (
        "plan.doc",
        b"\xd0\xcf\x11\xe0 old word",
        "unsupported",
        "不支持的文件类型 .doc",
        "Unsupported file type .doc",
    ),
    ("plan", b"text", "unsupported", "不支持的文件类型", "Unsupported file type (none)"),
    ("empty.txt", b"", "empty", "文件是空的", "empty"),
]


@pytest.mark.parametrize(("name", "data", "problem", "zh", "en"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_in_both_languages_and_changes_nothing(
    corpus_dir: Path, tmp_path: Path, name: str, data: bytes, problem: str, zh: str, en: str
) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    before = snapshot(corpus_dir)
    with pytest.raises(PlanFileError) as info:
        add_plan(src, folder=corpus_dir)
    assert info.value.problem == problem
    assert zh in str(info.value) and en in str(info.value)
    assert snapshot(corpus_dir) == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(corpus_dir: Path) -> None:
    before = snapshot(corpus_dir)
    size = (PLANS / "qingchuan-2024.xlsx").stat().st_size
    with pytest.raises(PlanFileError, match=rf"文件过大（{size / 1024:.1f} KB），上限为 9\.8 KB") as info:
        add_plan(PLANS / "qingchuan-2024.xlsx", folder=corpus_dir, max_bytes=10_000)
    assert info.value.problem == "too_large" and "the limit is 9.8 KB" in str(info.value)
    assert snapshot(corpus_dir) == before


def test_a_plan_joins_the_folder_with_its_override_and_loads_with_the_others(corpus_dir: Path) -> None:
    added = add_plan(PLANS / "qingchuan-2024.xlsx", folder=corpus_dir)
    assert added.path == corpus_dir / "qingchuan-2024.xlsx"
    assert (corpus_dir / "qingchuan-2024.toml").read_bytes() == (PLANS / "qingchuan-2024.toml").read_bytes()
    added = add_plan(PLANS / "yunling-2023.docx", folder=corpus_dir, doc_id="yunling")
    assert added.path == corpus_dir / "yunling.docx"
    plans = {p.doc_id: p for p in load_plans(corpus_dir)}
    assert sorted(plans) == [FIRST, "qingchuan-2024", "yunling"]
    assert [len(plans[d].document.tasks) for d in sorted(plans)] == [482, 60, 64]
    assert plans["qingchuan-2024"].profile.doc_number == "青政办发〔2024〕3号"
    assert {t.doc_id for t in plans["yunling"].document.tasks} == {"yunling"}


def test_a_duplicate_plan_is_refused_by_content_and_by_id(corpus_dir: Path, tmp_path: Path) -> None:
    add_plan(PLANS / "yunling-2023.docx", folder=corpus_dir)
    before = snapshot(corpus_dir)
    copy = tmp_path / "another-name.docx"
    copy.write_bytes((PLANS / "yunling-2023.docx").read_bytes())
    with pytest.raises(PlanFileError, match="已经在语料中") as info:
        add_plan(copy, folder=corpus_dir)
    assert info.value.problem == "duplicate_content" and "same content as yunling-2023.docx" in str(
        info.value
    )
    variant = PLANS / "variants" / "yunling-2023-hant.docx"
    with pytest.raises(PlanFileError, match="--doc-id") as info:
        add_plan(variant, folder=corpus_dir, doc_id="yunling-2023")
    assert info.value.problem == "duplicate_id"
    with pytest.raises(PlanFileError) as info:
        add_plan(variant, folder=corpus_dir, doc_id="Yunling 2023!")
    assert info.value.problem == "bad_doc_id"
    assert snapshot(corpus_dir) == before


def test_a_plan_with_parse_errors_is_refused_with_its_lines(corpus_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "gap.txt"
    src.write_text(
        "1.政务服务\n（1）甲。\n牵头单位：旗法院\n完成时限：2022年8月\n（3）乙。\n牵头单位：旗法院\n完成时限：2022年9月\n",
        encoding="utf-8",
    )
    before = snapshot(corpus_dir)
    with pytest.raises(ParseError, match="line 5: error: numbering gap: task 3 follows task 1"):
        add_plan(src, folder=corpus_dir)
    assert snapshot(corpus_dir) == before


def test_pure_checks() -> None:
    assert check_suffix("方案.DOCX") == "docx"
    check_size(20 * 1024 * 1024)
    with pytest.raises(PlanFileError, match="too large"):
        check_size(20 * 1024 * 1024 + 1)
    check_text_layer([300, 250])
    with pytest.raises(PlanFileError, match="no text layer"):
        check_text_layer([300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    check_not_duplicate(doc_id="b", sha256="2", existing_ids={"a": "a.txt"}, existing_hashes={"1": "a.txt"})
    with pytest.raises(PlanFileError, match=r"same content as a\.txt"):
        check_not_duplicate(
            doc_id="b", sha256="1", existing_ids={"a": "a.txt"}, existing_hashes={"1": "a.txt"}
        )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corpus", *args], capture_output=True, text=True, encoding="utf-8", check=False
    )


def test_cli_add_prints_what_was_parsed_and_list_shows_the_plans(corpus_dir: Path) -> None:
    out = _cli("add", str(PLANS / "yunling-2023.docx"), "--data", str(corpus_dir))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "yunling-2023: 《云岭州优化营商环境三年行动方案（2023—2025年）》 云政办发〔2023〕12号" in text
    assert "layout inline" in text and "64 tasks (numbers 1–64) in 8 sections" in text
    assert "1. 提升政务服务效能: 9" in text
    assert "repairs 3, errors 0" in text
    assert "line 25: repair: field written with a half-width colon" in text
    assert f"copied to {corpus_dir / 'yunling-2023.docx'}" in text
    listing = _cli("list", "--data", str(corpus_dir)).stdout
    assert "2 plan(s)" in listing
    row = next(line for line in listing.splitlines() if line.startswith("yunling-2023"))
    assert row.split() == [
        "yunling-2023",
        "云岭州营商环境三年行动方案",
        "云政办发〔2023〕12号",
        "云岭州",
        "2023",
        "docx",
        "inline",
        "64",
        "8",
    ]


def test_cli_add_refuses_with_exit_2_and_the_bilingual_message(corpus_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "scan.pdf"
    src.write_bytes(_pdf())
    before = snapshot(corpus_dir)
    out = _cli("add", str(src), "--data", str(corpus_dir))
    assert out.returncode == 2
    assert (
        "未添加 / not added: scan.pdf" in out.stderr
        and "扫描件" in out.stderr
        and "no text layer" in out.stderr
    )
    assert snapshot(corpus_dir) == before
    dry = _cli("add", str(PLANS / "qingchuan-2024.xlsx"), "--data", str(corpus_dir), "--dry-run")
    assert dry.returncode == 0 and "dry run: nothing copied" in dry.stdout
    assert snapshot(corpus_dir) == before
