"""qa: question → plan → deterministic, cited answer (or an honest refusal)."""

from qa.engine import QA, Thresholds
from qa.session import Session, SessionStore
from qa.types import Answer, Intent, Trace
from qa.understand import Parsed, parse_question
from qa.verify import check_citations, cited_numbers

__all__ = [
    "QA",
    "Answer",
    "Intent",
    "Parsed",
    "Session",
    "SessionStore",
    "Thresholds",
    "Trace",
    "check_citations",
    "cited_numbers",
    "parse_question",
]
