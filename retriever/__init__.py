"""retriever: query → ranked or filtered task records (hybrid BM25 + vectors, exact filters), in memory or
in Milvus."""

from retriever.backends import StoreSpec, StoreSpecError, open_store, parse_store, push_store
from retriever.common import PlanStore
from retriever.filters import apply_filters, matches
from retriever.fusion import RRF_K, weighted_rrf
from retriever.milvus import MilvusStore
from retriever.retriever import DEFAULT_WEIGHTS, Retriever, load_retriever
from retriever.store import PlanProfile, SectionInfo, TaskStore
from retriever.types import Filters, Hit, Mode, Signal

__all__ = [
    "DEFAULT_WEIGHTS",
    "RRF_K",
    "Filters",
    "Hit",
    "MilvusStore",
    "Mode",
    "PlanProfile",
    "PlanStore",
    "Retriever",
    "SectionInfo",
    "Signal",
    "StoreSpec",
    "StoreSpecError",
    "TaskStore",
    "apply_filters",
    "load_retriever",
    "matches",
    "open_store",
    "parse_store",
    "push_store",
    "weighted_rrf",
]
