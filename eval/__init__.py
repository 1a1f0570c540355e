"""eval: the labeled question set, the harness, reports and the regression gate."""

from eval.harness import InProcess, Remote, run, summarize
from eval.metrics import ranking_metrics, set_prf
from eval.questions import Question, load_questions
from eval.report import headline

__all__ = [
    "InProcess",
    "Question",
    "Remote",
    "headline",
    "load_questions",
    "ranking_metrics",
    "run",
    "set_prf",
    "summarize",
]
