"""Checks a plan file must pass before it joins the corpus (pure), and the bilingual error they raise.

Every check takes plain values (a name, a size, hashes, a parsed document) and either returns or raises
:class:`PlanFileError`; the reading and copying happen in ``corpus.readers`` and ``corpus.add``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from corpus.records import Document

SUFFIXES = (".txt", ".docx", ".xlsx", ".pdf")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A PDF page with a text layer carries hundreds of Han characters; a scanned page none, or a few from a
# stamp or a page number. Below this average per page, the PDF is taken as scanned.
MIN_HAN_PER_PAGE = 20

Problem = Literal[
    "unsupported",
    "too_large",
    "empty",
    "encrypted",
    "no_text_layer",
    "unreadable",
    "no_tasks",
    "duplicate_content",
    "duplicate_id",
    "bad_override",
    "bad_doc_id",
]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a file was refused, in Chinese and in English."""

    problem: Problem
    zh: str
    en: str


class PlanFileError(ValueError):
    """A plan file that cannot join the corpus. ``str()`` gives the Chinese and the English message."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.problem = refusal.problem
        super().__init__(f"{refusal.zh}\n{refusal.en}")


def refuse(problem: Problem, zh: str, en: str) -> PlanFileError:
    """The error to raise for ``problem``."""
    return PlanFileError(Refusal(problem, zh, en))


def check_suffix(name: str) -> str:
    """The file's format (``txt`` / ``docx`` / ``xlsx`` / ``pdf``) from its name."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in SUFFIXES:
        shown = suffix or "（无）"
        raise refuse(
            "unsupported",
            f"不支持的文件类型 {shown}：只能添加 .txt、.docx、.xlsx、.pdf 格式的方案"
            "（.doc / .xls 请先另存为新格式）。",
            f"Unsupported file type {suffix or '(none)'}: a plan must be .txt, .docx, .xlsx or .pdf "
            "(save .doc / .xls files in the newer format first).",
        )
    return suffix[1:]


def check_size(size: int, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse an empty file or one over ``max_bytes``."""
    if size == 0:
        raise refuse("empty", "文件是空的。", "The file is empty.")
    if size > max_bytes:
        raise refuse(
            "too_large",
            f"文件过大（{_human(size)}），上限为 {_human(max_bytes)}。",
            f"The file is too large ({_human(size)}); the limit is {_human(max_bytes)}.",
        )


def _human(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def check_text_layer(han_per_page: Sequence[int], *, min_per_page: int = MIN_HAN_PER_PAGE) -> None:
    """Refuse a PDF whose pages carry (almost) no text: a scan, which would need OCR."""
    pages = len(han_per_page)
    if pages == 0 or sum(han_per_page) < min_per_page * pages:
        raise refuse(
            "no_text_layer",
            "PDF 没有可提取的文字层（可能是扫描件）：请提供带文字的 PDF，或 .docx / .xlsx 原件。",
            "The PDF has no text layer (probably a scan): provide a PDF with text, "
            "or the .docx / .xlsx original.",
        )


def check_has_tasks(doc: Document, *, fmt: str) -> None:
    """Refuse a document in which no task was found."""
    if not doc.tasks:
        raise refuse(
            "no_tasks",
            f"在这个 {fmt} 文件里没有找到任务：既没有“牵头单位/责任单位/完成时限”的条目，也没有任务分工表。",
            f"No tasks were found in this {fmt} file: no items with lead / responsible units and deadlines, "
            "and no task table.",
        )


def check_not_duplicate(
    *, doc_id: str, sha256: str, existing_ids: Mapping[str, str], existing_hashes: Mapping[str, str]
) -> None:
    """Refuse a plan whose content (hash) or ``doc_id`` is already in the corpus.

    Args:
        doc_id: the new plan's id.
        sha256: the new file's content hash.
        existing_ids: doc_id → file name of the plans already there.
        existing_hashes: content hash → file name of the plans already there.
    """
    if sha256 in existing_hashes:
        name = existing_hashes[sha256]
        raise refuse(
            "duplicate_content",
            f"这个方案已经在语料中（与 {name} 内容相同）。",
            f"This plan is already in the corpus (same content as {name}).",
        )
    if doc_id in existing_ids:
        name = existing_ids[doc_id]
        raise refuse(
            "duplicate_id",
            f"编号 {doc_id} 已被 {name} 使用：请用 --doc-id 指定另一个编号。",
            f"The id {doc_id} is taken by {name}: choose another with --doc-id.",
        )
