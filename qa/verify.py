"""Citations and text must agree: every task number in the text is cited, every citation is in the text.

Task numbers appear in answers only as ``第233条`` / ``第233、234条`` (Chinese) or
``task 233`` / ``tasks 233, 234`` (English). Quoted task text sits inside 「」 and is
ignored, so a number inside a quotation never counts as a citation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from qa.types import Answer

_QUOTE = re.compile(r"「[^」]*」")
_ZH = re.compile(r"第(\d+(?:、\d+)*)条")
_EN = re.compile(r"(?<![A-Za-z])tasks? (\d+(?:, \d+)*)")
_NUMBER = re.compile(r"\d+")


def cited_numbers(text: str) -> list[int]:
    """Task numbers referenced in an answer text, in order of first appearance."""
    return list(dict.fromkeys(n for _, n in cited_keys(text)))


@dataclass(frozen=True, slots=True)
class Naming:
    """How answers name the plans they cite: with one plan loaded a bare ``第233条``; with several, every
    reference carries its plan's short title, ``《简称》第233、234条`` (``shorts``: doc_id → short title)."""

    shorts: Mapping[str, str] = field(default_factory=dict)

    @property
    def several(self) -> bool:
        return len(self.shorts) > 1

    @property
    def only(self) -> str | None:
        """The one plan's doc_id, when exactly one is loaded."""
        return next(iter(self.shorts)) if len(self.shorts) == 1 else None

    def doc_of(self, short: str) -> str | None:
        return next((d for d, s in self.shorts.items() if s == short), None)


_PLAN = re.compile(r"《([^《》「」\n]{1,60})》\s*$")


def cited_keys(text: str, naming: Naming | None = None) -> list[tuple[str | None, int]]:
    """(doc_id, task number) of every reference in an answer text, in order of first appearance.

    A reference right after ``《简称》`` belongs to that plan; a bare one to the only plan loaded, else to the
    plan last named in the same line, else to none (``None``: a reference no citation can match).
    """
    naming = naming or Naming()
    bare = _QUOTE.sub("", text)
    found: dict[tuple[str | None, int], None] = {}  # insertion-ordered set: answers cite thousands of tasks
    current: str | None = naming.only
    line_start = 0
    for m in sorted([*_ZH.finditer(bare), *_EN.finditer(bare)], key=lambda m: m.start()):
        nl = bare.rfind("\n", 0, m.start())
        if nl >= line_start:
            line_start, current = nl + 1, naming.only
        named = _PLAN.search(bare, max(line_start, m.start() - 64), m.start())
        if named is not None:
            current = naming.doc_of(named.group(1)) or current
        found.update(dict.fromkeys((current, int(n)) for n in _NUMBER.findall(m.group(1))))
    return list(found)


def check_citations(answer: Answer, naming: Naming | None = None) -> list[str]:
    """Problems with an answer's citations (plan and task number); empty when text and citations agree.
    Without ``naming``, the citations' own plan counts as the one loaded."""
    if naming is None:
        naming = Naming({d: d for d in dict.fromkeys(c.doc_id for c in answer.citations)})
    in_text = cited_keys(answer.text, naming)
    cited: list[tuple[str | None, int]] = [c.key for c in answer.citations]
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
