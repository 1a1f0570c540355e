"""Citations and text must agree: every task number in the text is cited, every citation is in the text.

Task numbers appear in answers only as ``第233条`` / ``第233、234条`` (Chinese) or
``task 233`` / ``tasks 233, 234`` (English). Quoted task text sits inside 「」 and is
ignored, so a number inside a quotation never counts as a citation.
"""

from __future__ import annotations

import re

from qa.types import Answer

_QUOTE = re.compile(r"「[^」]*」")
_ZH = re.compile(r"第(\d+(?:、\d+)*)条")
_EN = re.compile(r"(?<![A-Za-z])tasks? (\d+(?:, \d+)*)")
_NUMBER = re.compile(r"\d+")


def cited_numbers(text: str) -> list[int]:
    """Task numbers referenced in an answer text, in order of first appearance."""
    bare = _QUOTE.sub("", text)
    found: dict[int, None] = {}  # insertion-ordered set: answers can cite thousands of tasks
    for m in sorted([*_ZH.finditer(bare), *_EN.finditer(bare)], key=lambda m: m.start()):
        found.update(dict.fromkeys(map(int, _NUMBER.findall(m.group(1)))))  # an old key keeps its place
    return list(found)


def check_citations(answer: Answer) -> list[str]:
    """Problems with an answer's citations; empty when text and citations agree."""
    in_text = cited_numbers(answer.text)
    cited = [c.task_id for c in answer.citations]
    problems = []
    in_text_set, cited_set = set(in_text), set(cited)
    missing = [n for n in in_text if n not in cited_set]
    extra = [n for n in cited if n not in in_text_set]
    if missing:
        problems.append(f"numbers in the text but not cited: {missing}")
    if extra:
        problems.append(f"cited but not in the text: {extra}")
    if not missing and not extra and in_text != cited:
        problems.append("citations are not in the order the text cites them")
    if len(set(cited)) != len(cited):
        problems.append("duplicate citations")
    return problems
