"""retriever: query → ranked or filtered task records (hybrid BM25 + vectors, exact filters)."""

from retriever.filters import apply_filters, matches
from retriever.fusion import RRF_K, weighted_rrf
from retriever.retriever import DEFAULT_WEIGHTS, Retriever, load_retriever
from retriever.store import PlanProfile, SectionInfo, TaskStore
from retriever.types import Filters, Hit, Mode, Signal

__all__ = [
    "DEFAULT_WEIGHTS",
    "RRF_K",
    "Filters",
    "Hit",
    "Mode",
    "PlanProfile",
    "Retriever",
    "SectionInfo",
    "Signal",
    "TaskStore",
    "apply_filters",
    "load_retriever",
    "matches",
    "weighted_rrf",
]
