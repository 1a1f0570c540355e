"""Is a question about the plan at all? Evidence features and a small logistic model (pure).

A question that names no task, unit, topic or filter is answered from retrieval only when
the evidence says the plan covers it. Four signals, each cheap:

* ``dense_top`` — the best cosine similarity of the question to a task;
* ``dense_z`` — how far that best similarity stands above the question's similarity to the
  plan as a whole (z-score over a fixed sample of task vectors). Off-topic questions are
  about equally similar to every task; on-topic ones have a peak. This corrects the
  embedder's tendency to give every Chinese sentence a high similarity;
* ``bm25_top`` — the best BM25 score of the question's content words (the plan's own place
  names dropped: 「伊金霍洛旗去年的GDP」 is not about the plan because it names the county);
* ``coverage`` — the share of the question's informative words (weighted by how rare they
  are in general Chinese, from jieba's dictionary) that occur anywhere in the plan.
  「推荐一家好吃的羊肉馆」: 羊肉 is a rare word the plan never uses;
* ``asks_outside`` — the question asks for something no action plan gives (a price, an address,
  opening hours, an official's name, a recommendation, the weather: ``qa/data/out_of_plan.tsv``);
* ``names_plan_term`` — the question names one of the plan's own terms (a quoted name such as
  《伊金霍洛旗投资指南》 or 蒙速办, three characters or more);
* ``local_coverage`` — the same share against the best few hits only: 「伊金霍洛旗2022年GDP是多少」
  uses words the plan has (GDP, in an R&D target) but the tasks it retrieves do not answer it.

The model is fitted on the dev split (``python -m eval.tune --refusal``) and stored in
``qa/data/refusal.json``; the threshold is chosen there for at most 5 % false refusals.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.lexicon import COUNTY_PREFIXES, REGION_PREFIXES

# The plan's jurisdiction (the county and region prefixes the unit lexicon strips from unit names, and a few
# ways people say "this county"): naming it does not make a question about the plan.
_PLACE_NAMES = sorted({*COUNTY_PREFIXES, *REGION_PREFIXES, "内蒙古自治区"} - {"旗"}, key=len, reverse=True)
PLACE_WORDS = frozenset({*_PLACE_NAMES, "旗", "我旗", "全旗", "ordos", "ejin", "horo"})
_PLACE_TEXT = re.compile(
    "(?:"
    + "|".join(_PLACE_NAMES)
    + r")(?!供电|银保|蒙苏)|ejin horo( banner)?|ordos",  # 鄂尔多斯供电公司: a unit
    re.IGNORECASE,
)
FEATURES = (
    "dense_top",
    "dense_z",
    "log_bm25",
    "coverage",
    "local_coverage",
    "english",
    "asks_outside",
    "names_plan_term",
)
BM25_CAP = 40.0


@dataclass(frozen=True, slots=True)
class Evidence:
    dense_top: float
    dense_z: float
    bm25_top: float
    coverage: float
    local_coverage: float
    english: bool
    asks_outside: bool = False
    names_plan_term: bool = False

    def vector(self) -> list[float]:
        return [
            self.dense_top,
            self.dense_z,
            math.log1p(min(max(self.bm25_top, 0.0), BM25_CAP)),
            self.coverage,
            self.local_coverage,
            1.0 if self.english else 0.0,
            1.0 if self.asks_outside else 0.0,
            1.0 if self.names_plan_term else 0.0,
        ]


def dense_z(top: float, sample_scores: npt.NDArray[np.float32]) -> float:
    """How many standard deviations the best similarity stands above the plan-wide mean."""
    if sample_scores.size < 2:
        return 0.0
    sd = float(sample_scores.std())
    return (top - float(sample_scores.mean())) / sd if sd > 1e-9 else 0.0


def coverage(
    tokens: Sequence[str], in_plan: Container[str], general_freq: Mapping[str, int], total: int
) -> float:
    """Share of the informative weight of ``tokens`` that the plan's vocabulary covers.

    A word's weight is its self-information in general Chinese, ``log(total / (freq + 1))``:
    时候 / 不能 weigh little, 羊肉 / 护照 / 疫苗 weigh a lot. No tokens → 0.
    """
    num = den = 0.0
    for t in tokens:
        w = math.log(max(total, 2) / (general_freq.get(t, 0) + 1))
        den += w
        if t in in_plan:
            num += w
    return num / den if den > 0 else 0.0


@lru_cache(maxsize=1)
def _outside_pattern() -> re.Pattern[str]:
    text = resources.files("qa").joinpath("data/out_of_plan.tsv").read_text(encoding="utf-8")
    parts = [
        line.split("\t")[0].strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts if p))


def asks_outside(text: str) -> bool:
    """Does the (normalized) question ask for an answer type no action plan gives?"""
    return bool(_outside_pattern().search(text))


def strip_place(text: str) -> str:
    """The question without the plan's own place names (every task is about the county: naming it says
    nothing about which task, and 「伊金霍洛旗明天天气」 must not match the task that names the county)."""
    return re.sub(r"\s+", " ", _PLACE_TEXT.sub(" ", text)).strip()


def content_tokens(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in PLACE_WORDS]


@dataclass(frozen=True, slots=True)
class RefusalModel:
    """Logistic model over standardized features; answer when P(covered) ≥ ``threshold``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    note: str = ""
    embedder: str = ""  # the index's embedder the model was fitted with (dense features depend on it)

    def probability(self, ev: Evidence) -> float:
        return self.probability_of(ev.vector())

    def probability_of(self, x: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def covered(self, ev: Evidence) -> bool:
        return self.probability(ev) >= self.threshold

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "note": self.note,
            "embedder": self.embedder,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, object]) -> RefusalModel:
        feats = row.get("features")
        if feats != list(FEATURES):
            raise ValueError(f"refusal model features {feats!r} != {list(FEATURES)!r}")

        def floats(key: str) -> tuple[float, ...]:
            v = row[key]
            if not isinstance(v, list) or len(v) != len(FEATURES):
                raise ValueError(f"refusal model: {key} must be a list of {len(FEATURES)} numbers")
            return tuple(float(x) for x in v)

        return cls(
            mean=floats("mean"),
            scale=floats("scale"),
            weights=floats("weights"),
            bias=float(str(row["bias"])),
            threshold=float(str(row["threshold"])),
            note=str(row.get("note", "")),
            embedder=str(row.get("embedder", "")),
        )


def load_model(path: Path | None = None) -> RefusalModel:
    """The shipped model (``qa/data/refusal.json``) or the one at ``path``."""
    if path is None:
        text = resources.files("qa").joinpath("data/refusal.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return RefusalModel.from_json(json.loads(text))


def fit(
    xs: Sequence[Sequence[float]], ys: Sequence[int], *, l2: float = 1.0, iters: int = 50
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], float]:
    """L2-regularized logistic regression by Newton's method on standardized features.

    Returns (mean, scale, weights, bias). ``ys`` are 1 for questions the plan covers.
    """
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xz = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(xz.shape[1])
    reg = np.full(xz.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xz @ w, -60, 60)))
        grad = xz.T @ (p - y) + reg * w
        hess = (xz * (p * (1 - p))[:, None]).T @ xz + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return (
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w[:-1]),
        float(w[-1]),
    )
