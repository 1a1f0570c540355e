"""qa: question → plan → deterministic, cited answer (or an honest refusal)."""

from qa.engine import QA, Thresholds
from qa.rephrase import LLMConfig, rephrase
from qa.session import Session, SessionStore
from qa.types import Answer, Intent, Trace
from qa.understand import Parsed, parse_question
from qa.verify import check_citations, cited_numbers

__all__ = [
    "QA",
    "Answer",
    "Intent",
    "LLMConfig",
    "Parsed",
    "Session",
    "SessionStore",
    "Thresholds",
    "Trace",
    "check_citations",
    "cited_numbers",
    "parse_question",
    "rephrase",
]
