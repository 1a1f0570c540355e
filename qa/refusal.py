"""Does the plan answer a question at all? Evidence and a logistic model (pure).

A question described only in words (no task number, unit, section or filter that decides it) is answered
from retrieval only when the evidence says the plan covers it. The evidence:

* ``dense_top`` — the best cosine similarity of the question to a task, and ``dense_z`` — how far it stands
  above the question's similarity to the plan as a whole (z-score over a fixed sample of tasks): off-topic
  questions are about equally similar to every task, on-topic ones have a peak;
* the similarity profile — the 2nd and 5th best similarities and the gap to the best (a peak or a plateau);
* ``bm25_top`` — the best BM25 score of the question's content words (the loaded plans' places dropped,
  ``qa.places``, and the question's references to the plan itself: ``strip_plan_refs``);
* ``coverage`` / ``local_coverage`` — the share of the question's informative words (weighted by how rare
  they are in general Chinese) that the plan uses anywhere / that its best hits use;
* cue flags — English; an answer type no plan gives (a price, a rate, a statistic: ``cues.tsv``
  out_of_plan); a term of the plan's own (蒙速办, 《伊金霍洛旗投资指南》);
* the question's embedding itself: what kind of question it is (a price, another public service, small
  talk), learned from many examples of both kinds.

Two models are fitted by ``python -m eval.tune --refusal`` on the dev split plus a training set of
colloquial answerable questions and near misses (``eval/data/train/coverage.jsonl``), and stored in
``qa/data/refusal.json``: ``full`` (all of the above) for the embedder it was fitted with, and ``base``
(without the embedding) for any other embedder.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from qa.phrasebook import cue
from qa.places import PlaceNames

BASE_FEATURES = (
    "dense_top",
    "dense_z",
    "sim_second",
    "sim_fifth",
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
    sim_second: float = 0.0
    sim_fifth: float = 0.0
    embedding: tuple[float, ...] = field(default=())

    def vector(self) -> list[float]:
        """The base features (no embedding), in ``BASE_FEATURES`` order."""
        return [
            self.dense_top,
            self.dense_z,
            self.dense_top - self.sim_second,
            self.dense_top - self.sim_fifth,
            math.log1p(min(max(self.bm25_top, 0.0), BM25_CAP)),
            self.coverage,
            self.local_coverage,
            1.0 if self.english else 0.0,
            1.0 if self.asks_outside else 0.0,
            1.0 if self.names_plan_term else 0.0,
        ]

    def full_vector(self) -> list[float]:
        return [*self.vector(), *self.embedding]


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


def asks_outside(text: str) -> bool:
    """Does the (normalized) question ask for an answer type no action plan gives?"""
    return bool(cue("out_of_plan").search(text))


def strip_place(text: str, places: PlaceNames) -> str:
    """The question without the loaded plans' place names (every task is about its region: naming it says
    nothing about which task, and 「伊旗下周的天气」 must not match the task that names the county)."""
    return places.strip(text)


def strip_plan_refs(text: str, titles: Sequence[str] = ()) -> str:
    """The question without its references to the plan itself — the loaded plans' titles, short titles
    and issuing numbers (``titles``), any issuing number, and 「这个方案里」, 「实施方案」, 「分工表上」,
    「那个文件」 (``cues.tsv`` plan_ref): every task is in the plan, so naming it says nothing about
    which task, and the words of a plan's name must not make a question look covered."""
    for t in titles:
        if t:
            text = text.replace(t, " ")
    text = cue("plan_ref").sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def content_tokens(tokens: Iterable[str], places: PlaceNames) -> list[str]:
    return places.content(tokens)


@dataclass(frozen=True, slots=True)
class Logistic:
    """A logistic model over standardized features; P(covered)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability_of(self, x: Sequence[float]) -> float:
        if len(x) != len(self.weights):
            raise ValueError(f"refusal model expects {len(self.weights)} features, got {len(x)}")
        v = np.asarray(x, dtype=np.float64)
        z = self.bias + float(
            np.dot(np.asarray(self.weights), (v - np.asarray(self.mean)) / np.asarray(self.scale))
        )
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, object]:
        return {
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_json(cls, row: Mapping[str, object]) -> Logistic:
        def floats(key: str) -> tuple[float, ...]:
            v = row[key]
            if not isinstance(v, list):
                raise ValueError(f"refusal model: {key} must be a list of numbers")
            return tuple(float(x) for x in v)

        m = cls(floats("mean"), floats("scale"), floats("weights"), float(str(row["bias"])))
        if not len(m.mean) == len(m.scale) == len(m.weights):
            raise ValueError("refusal model: mean, scale and weights differ in length")
        return m


@dataclass(frozen=True, slots=True)
class RefusalModel:
    """Answer when P(covered) ≥ ``threshold``. ``full`` uses the question's embedding too and applies only
    with the embedder it was fitted with (``embedder``); ``base`` applies with any."""

    base: Logistic
    threshold: float
    full: Logistic | None = None
    full_threshold: float = 0.5
    embedder: str = ""
    note: str = ""

    def usable_full(self, embedder: str, dim: int) -> bool:
        return (
            self.full is not None
            and embedder == self.embedder
            and len(self.full.weights) == len(BASE_FEATURES) + dim
        )

    def probability(self, ev: Evidence) -> float:
        """P(covered): the full model when the evidence carries an embedding it fits, else the base one."""
        if self.full is not None and len(ev.embedding) + len(BASE_FEATURES) == len(self.full.weights):
            return self.full.probability_of(ev.full_vector())
        return self.base.probability_of(ev.vector())

    def covered(self, ev: Evidence) -> bool:
        return self.probability(ev) >= self.threshold_for(ev)

    def threshold_for(self, ev: Evidence) -> float:
        if self.full is not None and len(ev.embedding) + len(BASE_FEATURES) == len(self.full.weights):
            return self.full_threshold
        return self.threshold

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(BASE_FEATURES),
            "base": self.base.to_json(),
            "threshold": self.threshold,
            "full": self.full.to_json() if self.full is not None else None,
            "full_threshold": self.full_threshold,
            "embedder": self.embedder,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, object]) -> RefusalModel:
        feats = row.get("features")
        if feats != list(BASE_FEATURES):
            raise ValueError(f"refusal model features {feats!r} != {list(BASE_FEATURES)!r}: refit it")
        base = row["base"]
        full = row.get("full")
        if not isinstance(base, Mapping) or not (full is None or isinstance(full, Mapping)):
            raise ValueError("refusal model: base and full must be objects")
        return cls(
            base=Logistic.from_json(base),
            threshold=float(str(row["threshold"])),
            full=Logistic.from_json(full) if full is not None else None,
            full_threshold=float(str(row.get("full_threshold", 0.5))),
            embedder=str(row.get("embedder", "")),
            note=str(row.get("note", "")),
        )


def load_model(path: Path | None = None) -> RefusalModel:
    """The shipped model (``qa/data/refusal.json``) or the one at ``path``."""
    if path is None:
        text = resources.files("qa").joinpath("data/refusal.json").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return RefusalModel.from_json(json.loads(text))


def fit(
    xs: Sequence[Sequence[float]],
    ys: Sequence[int],
    *,
    l2: float = 1.0,
    iters: int = 50,
    weights: Sequence[float] | None = None,
) -> Logistic:
    """L2-regularized logistic regression, Newton's method, standardized features (``ys``: 1 = covered;
    ``weights``: each example's weight in the loss, default 1)."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    sw = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = np.average(x, axis=0, weights=sw)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=sw))
    scale[scale < 1e-9] = 1.0
    xz = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(xz.shape[1])
    reg = np.full(xz.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xz @ w, -60, 60)))
        grad = xz.T @ (sw * (p - y)) + reg * w
        hess = (xz * (sw * p * (1 - p))[:, None]).T @ xz + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return Logistic(
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w[:-1]),
        float(w[-1]),
    )
