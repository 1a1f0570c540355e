"""qa: question → plan → deterministic, cited answer (or an honest refusal)."""

from qa.engine import QA, CitationMismatch
from qa.execute import Margins, Result
from qa.plan import Ask, Plan, Reply
from qa.planner import Reading
from qa.session import ConversationCodec, Session, SessionStore
from qa.types import Answer, Intent, Trace
from qa.verify import Naming, check_citations, cited_keys, cited_numbers

__all__ = [
    "QA",
    "Answer",
    "Ask",
    "CitationMismatch",
    "ConversationCodec",
    "Intent",
    "Margins",
    "Naming",
    "Plan",
    "Reading",
    "Reply",
    "Result",
    "Session",
    "SessionStore",
    "Trace",
    "check_citations",
    "cited_keys",
    "cited_numbers",
]
