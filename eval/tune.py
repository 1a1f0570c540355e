"""Tune on the dev split only: passage template, fusion weights, refusal thresholds.

``python -m eval.tune [--templates]`` writes ``eval/reports/tuning.md``. The chosen
values are then written down in code (``index.store.DEFAULT_TEMPLATE``,
``retriever.retriever.DEFAULT_WEIGHTS``, ``qa.execute.Margins``, ``retriever.topic.TopicParams``)
with a pointer here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from eval.harness import InProcess, run, summarize
from eval.questions import SINGLE_TYPES, Question, load_questions

OUT = Path(__file__).resolve().parent / "reports"


def retrieval_table(
    qa: Any, questions: list[Question], weights: list[tuple[float, float]], ks: list[int]
) -> list[str]:
    rows = ["| dense w | bm25 w | k | R@1 | R@5 | MRR@10 |", "|---|---|---|---|---|---|"]
    single = [q for q in questions if q.type in SINGLE_TYPES]
    best: tuple[float, str] = (-1.0, "")
    for k in ks:
        for wd, wb in weights:
            qa.r.weights = {"dense": wd, "bm25": wb}  # the in-memory store (eval.tune loads it)
            qa.r.rrf_k = k
            s = summarize(run(single, InProcess(qa), progress=False, modes=["hybrid"]))
            r = s["types"]["all"]["retrieval"]["hybrid"]
            line = f"| {wd} | {wb} | {k} | {r['R@1']:.3f} | {r['R@5']:.3f} | {r['RR@10']:.3f} |"
            rows.append(line)
            score = r["RR@10"] + r["R@1"]
            if score > best[0]:
                best = (score, line)
    rows += ["", f"Best by R@1 + MRR@10: {best[1]}"]
    return rows


TRAIN = Path(__file__).resolve().parent / "data" / "train" / "coverage.jsonl"
L2_GRID = (30.0, 100.0, 300.0, 1000.0, 3000.0)
INNER_FOLDS = 5


@dataclasses.dataclass(frozen=True, slots=True)
class Example:
    question: str
    covered: int
    group: str  # the batch it comes from: cross-validation holds out one batch at a time
    base: tuple[float, ...]
    full: tuple[float, ...]


def coverage_examples(qa: Any, questions: list[Question]) -> list[Example]:
    """Every dev single-task and out-of-scope question, and every training question, that reaches the
    coverage model (not those a number, a filter, a greeting or a reply decides), with its evidence."""
    rows: list[tuple[str, int, str]] = [
        (
            q.final_turn,
            int(q.answerable),
            q.id.split("-")[0] if q.id.startswith(("dev", "fresh")) else "first",
        )
        for q in questions
        if q.type in (*SINGLE_TYPES, "out_of_scope")
    ]
    for line in TRAIN.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append((str(r["question"]), int(bool(r["covered"])), str(r.get("batch", "train"))))
    out = []
    from tqdm import tqdm  # type: ignore[import-untyped]

    for text, y, group in tqdm(rows, desc="evidence", unit="q"):
        ev = qa.judged(text)
        if ev is not None:
            out.append(Example(text, y, group, tuple(ev.vector()), tuple(ev.full_vector())))
    return out


def choose_threshold(probs: list[float], ys: list[int], max_false: float) -> float:
    """The highest probability threshold (most refusals) whose false-refusal rate stays ≤ ``max_false``."""
    ans = sorted(p for p, y in zip(probs, ys, strict=True) if y == 1)
    allowed = int(max_false * len(ans))  # answerable questions we may refuse
    if not ans:
        return 0.5
    return ans[allowed] if allowed < len(ans) else ans[-1]


def _rates(probs: list[float], ys: list[int], tau: float) -> tuple[float, float]:
    oos = [p for p, y in zip(probs, ys, strict=True) if y == 0]
    ans = [p for p, y in zip(probs, ys, strict=True) if y == 1]
    refused = sum(p < tau for p in oos) / max(1, len(oos))
    false = sum(p < tau for p in ans) / max(1, len(ans))
    return refused, false


def _x(e: Example, kind: str) -> tuple[float, ...]:
    return e.full if kind == "full" else e.base


def fit_with_threshold(examples: list[Example], kind: str, l2: float, max_false: float) -> tuple[Any, float]:
    """The model fitted on all ``examples``, and a threshold chosen on out-of-fold probabilities (in-sample
    probabilities of a model with hundreds of features are too confident to set a threshold on)."""
    from qa.refusal import fit

    oof: list[float] = [0.0] * len(examples)
    for k in range(INNER_FOLDS):
        train = [e for i, e in enumerate(examples) if i % INNER_FOLDS != k]
        m = fit([_x(e, kind) for e in train], [e.covered for e in train], l2=l2)
        for i, e in enumerate(examples):
            if i % INNER_FOLDS == k:
                oof[i] = m.probability_of(_x(e, kind))
    model = fit([_x(e, kind) for e in examples], [e.covered for e in examples], l2=l2)
    return model, choose_threshold(oof, [e.covered for e in examples], max_false)


def _held_out(
    examples: list[Example], kind: str, l2: float, max_false: float
) -> dict[str, tuple[float, float]]:
    """Leave one batch out: (OOS refused, answerable refused) on each held-out batch."""
    out = {}
    for group in sorted({e.group for e in examples}):
        train = [e for e in examples if e.group != group]
        test = [e for e in examples if e.group == group]
        m, tau = fit_with_threshold(train, kind, l2, max_false)
        out[group] = _rates([m.probability_of(_x(e, kind)) for e in test], [e.covered for e in test], tau)
    return out


def refusal_section(qa: Any, questions: list[Question], *, max_false: float, write: bool) -> list[str]:
    """Fit the coverage models on dev + the training set; estimate how they generalize by holding out one
    batch at a time (a batch written by one writer at one time is the closest thing to a new question set)."""
    from qa.refusal import BASE_FEATURES, RefusalModel

    examples = coverage_examples(qa, questions)
    ys = [e.covered for e in examples]
    rows = [
        f"{len(examples) - sum(ys)} not covered and {sum(ys)} covered questions reach the coverage model "
        f"(dev single-task and out-of-scope questions, and `{TRAIN.relative_to(TRAIN.parents[2])}`); "
        f"threshold = most refusals with ≤ {max_false:.0%} of the covered refused (on the training folds).",
        "",
        "Held out one batch at a time (mean over batches of OOS refused / answerable refused):",
        "",
        "| model | L2 | OOS refused | answerable refused |",
        "|---|---|---|---|",
    ]
    best: dict[str, tuple[float, float]] = {}
    for kind in ("base", "full"):
        for l2 in L2_GRID if kind == "full" else (1.0, 10.0, 30.0):
            res = _held_out(examples, kind, l2, max_false)
            r = sum(v[0] for v in res.values()) / len(res)
            f = sum(v[1] for v in res.values()) / len(res)
            rows.append(f"| {kind} | {l2:g} | {r:.3f} | {f:.3f} |")
            score = r - 3 * max(0.0, f - max_false)
            if kind not in best or score > best[kind][1]:
                best[kind] = (l2, score)
    chosen = {}
    for kind in ("base", "full"):
        l2 = best[kind][0]
        xs = [_x(e, kind) for e in examples]
        m, tau = fit_with_threshold(examples, kind, l2, max_false)
        probs = [m.probability_of(x) for x in xs]
        chosen[kind] = (m, tau, _rates(probs, ys, tau), l2)
        per = _held_out(examples, kind, l2, max_false)
        rows += [
            "",
            f"{kind} (L2 {l2:g}) held out per batch:",
            "",
            "| batch | OOS refused | answerable refused |",
        ]
        rows.append("|---|---|---|")
        rows += [f"| {g} | {v[0]:.3f} | {v[1]:.3f} |" for g, v in per.items()]
    base, full = chosen["base"], chosen["full"]
    model = RefusalModel(
        base=base[0],
        threshold=base[1],
        full=full[0],
        full_threshold=full[1],
        embedder=qa.r.info.embedder,
        note=(
            f"python -m eval.tune --refusal: {len(examples)} questions; base L2 {base[3]:g} threshold "
            f"{base[1]:.3f}, full L2 {full[3]:g} threshold {full[1]:.3f}"
        ),
    )
    rows += [
        "",
        f"Fitted on all: base threshold {base[1]:.3f} (in-sample refused {base[2][0]:.3f}, "
        f"false {base[2][1]:.3f}); "
        f"full threshold {full[1]:.3f} (in-sample refused {full[2][0]:.3f}, false {full[2][1]:.3f}). Base "
        "weights (standardized): "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(BASE_FEATURES, base[0].weights, strict=True)),
    ]
    if write:
        path = Path(__file__).resolve().parents[1] / "qa" / "data" / "refusal.json"
        path.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
        rows.append(f"Written to {path.relative_to(path.parents[2])}.")
    return rows


def template_table(questions: list[Question]) -> list[str]:
    from index.store import PASSAGE_TEMPLATES, build_and_save, default_index_root
    from qa import QA
    from retriever import load_retriever

    rows = ["| template | dense R@1 | dense R@5 | hybrid R@1 | hybrid R@5 |", "|---|---|---|---|---|"]
    single = [q for q in questions if q.type in SINGLE_TYPES]
    for name in PASSAGE_TEMPLATES:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            cache = default_index_root() / "embcache"
            if cache.exists():
                import shutil

                shutil.copytree(cache, root / "embcache")
            path, _ = build_and_save(root=root, template=name, show_progress=True)
            qa = QA(load_retriever(path))
            s = summarize(run(single, InProcess(qa), progress=False, modes=["dense", "hybrid"]))["types"][
                "all"
            ]
            d, h = s["retrieval"]["dense"], s["retrieval"]["hybrid"]
            rows.append(f"| {name} | {d['R@1']:.3f} | {d['R@5']:.3f} | {h['R@1']:.3f} | {h['R@5']:.3f} |")
            if cache.exists():
                import shutil

                shutil.copy2(root / "embcache" / next(p.name for p in (root / "embcache").iterdir()), cache)
    return rows


def main(argv: list[str] | None = None) -> int:
    from qa import QA
    from retriever import load_retriever

    ap = argparse.ArgumentParser(prog="python -m eval.tune")
    ap.add_argument("--templates", action="store_true", help="also compare passage templates (rebuilds)")
    ap.add_argument(
        "--refusal", action="store_true", help="refit the refusal model and write qa/data/refusal.json"
    )
    ap.add_argument("--max-false", type=float, default=0.03, help="false-refusal budget for the threshold")
    ap.add_argument("--only-refusal", action="store_true", help="skip the retrieval tables")
    args = ap.parse_args(argv)
    dev = load_questions(split="dev")
    store = load_retriever()
    qa = QA(store)
    lines = [
        "# Tuning on the dev split",
        "",
        f"{len(dev)} dev questions; the test split is never used here.",
        "",
    ]
    if args.templates:
        lines += ["## What is embedded (passage template)", "", *template_table(dev), ""]
    elif (OUT / "tuning.md").exists():
        # Keep the last template comparison: it needs rebuilds and is only re-run with --templates.
        old = (OUT / "tuning.md").read_text(encoding="utf-8")
        if "## What is embedded" in old:
            lines += [old[old.index("## What is embedded") : old.index("## Fusion")].rstrip(), ""]
    grid = [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.75), (1.0, 0.5), (1.0, 0.35), (1.0, 0.25)]
    if not args.only_refusal:
        lines += [
            "## Fusion weights and RRF k (single-task questions)",
            "",
            *retrieval_table(qa, dev, grid, [60]),
            "",
        ]
        lines += ["", *retrieval_table(qa, dev, [(1.0, 0.5)], [10, 30, 60, 100]), ""]
    from retriever.retriever import DEFAULT_WEIGHTS

    store.weights = dict(DEFAULT_WEIGHTS)
    store.rrf_k = 60
    lines += ["## Refusal model (out-of-scope vs answerable single-task questions)", ""]
    lines += [*refusal_section(qa, dev, max_false=args.max_false, write=args.refusal), ""]
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.only_refusal:
        (OUT / "tuning.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
