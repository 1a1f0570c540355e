"""Index build time through the CLI, the index's size on disk, and the embedding model's rate.

``python -m index build --root <tmp>`` runs as a subprocess, timed from spawn to exit:
*cold* on an empty root (every passage embedded), *unchanged* on the same root right after
(the build sees nothing changed and stops), and *forced* with ``--force`` on that root (a
full rebuild whose embeddings all come from the embedding cache).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus.loader import load_tasks
from eval.bench.procs import dir_size_mb, run_index_build
from eval.bench.stats import load_average
from index.embedders import make_embedder
from index.store import DEFAULT_TEMPLATE, current_version_dir, default_index_root, passage_text


@dataclass(frozen=True, slots=True)
class BuildTimes:
    cold_s: list[float]
    unchanged_s: list[float]
    forced_cached_s: list[float]
    cold_summary: str
    unchanged_summary: str
    forced_summary: str
    index_disk_mb: float  # one version folder of the real index
    embcache_mb: float
    embed_passages_per_s: float
    embed_sample: int
    loadavg: float

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold_s)

    @property
    def unchanged_median(self) -> float:
        return statistics.median(self.unchanged_s)

    @property
    def forced_median(self) -> float:
        return statistics.median(self.forced_cached_s)


def embed_rate(sample: int = 64) -> float:
    """Passages per second of the default embedder on the first ``sample`` real passages (batches of 32)."""
    emb = make_embedder()
    texts = [passage_text(r, DEFAULT_TEMPLATE) for r in load_tasks()[:sample]]
    emb.embed_passages(texts[:2])  # loads the model
    t0 = time.perf_counter()
    for start in range(0, len(texts), 32):
        emb.embed_passages(texts[start : start + 32])
    return round(len(texts) / (time.perf_counter() - t0), 2)


def run_build_times(*, cold_runs: int = 2, warm_runs: int = 3, embed_sample: int = 64) -> BuildTimes:
    cold: list[float] = []
    unchanged: list[float] = []
    forced: list[float] = []
    summaries = {"cold": "", "unchanged": "", "forced": ""}
    for _ in range(cold_runs):
        with tempfile.TemporaryDirectory(prefix="taskqa-build-") as tmp:
            root = Path(tmp)
            run = run_index_build(root)
            if run.returncode != 0:
                raise RuntimeError(f"index build failed: {run.summary}")
            cold.append(run.seconds)
            summaries["cold"] = run.summary.split(": ")[0]
            if not unchanged:  # the warm runs reuse the first cold root
                for _ in range(warm_runs):
                    run = run_index_build(root)
                    unchanged.append(run.seconds)
                    summaries["unchanged"] = run.summary.split(": ")[0]
                for _ in range(warm_runs):
                    run = run_index_build(root, force=True)
                    forced.append(run.seconds)
                    summaries["forced"] = run.summary.split(": ")[0]
    real = current_version_dir()
    cache = default_index_root() / "embcache"
    return BuildTimes(
        cold_s=cold,
        unchanged_s=unchanged,
        forced_cached_s=forced,
        cold_summary=summaries["cold"],
        unchanged_summary=summaries["unchanged"],
        forced_summary=summaries["forced"],
        index_disk_mb=dir_size_mb(real) if real else 0.0,
        embcache_mb=dir_size_mb(cache) if cache.exists() else 0.0,
        embed_passages_per_s=embed_rate(embed_sample),
        embed_sample=embed_sample,
        loadavg=load_average(),
    )
