"""eval.bench: latency, load, scale and baseline benchmarks → docs/performance.md (`python -m eval.bench`)."""

from eval.bench.load import LoadConfig, LoadResult, run_load
from eval.bench.procs import ApiServer, free_port, rss_mb, run_index_build
from eval.bench.stats import Latency, median_of, summarize
from eval.bench.synth import PrecomputedEmbedder, derive_vectors, synthesize

__all__ = [
    "ApiServer",
    "Latency",
    "LoadConfig",
    "LoadResult",
    "PrecomputedEmbedder",
    "derive_vectors",
    "free_port",
    "median_of",
    "rss_mb",
    "run_index_build",
    "run_load",
    "summarize",
    "synthesize",
]
