"""Tune on the dev split only: passage template, fusion weights, refusal thresholds.

``python -m eval.tune [--templates]`` writes ``eval/reports/tuning.md``. The chosen
values are then written down in code (``index.store.DEFAULT_TEMPLATE``,
``retriever.retriever.DEFAULT_WEIGHTS``, ``qa.engine.Thresholds``) with a pointer here.
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
            qa.r.weights = {"dense": wd, "bm25": wb}
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


def refusal_features(qa: Any, questions: list[Question]) -> tuple[list[list[float]], list[int]]:
    """Evidence vectors of the single-task and out-of-scope questions that the refusal model decides (not
    those answered or refused before it: task numbers, units, topics, injections); 1 = answerable."""
    pool = [
        q
        for q in questions
        if q.type in (*SINGLE_TYPES, "out_of_scope")
        and any(n.startswith("p_covered=") for n in qa.answer(q.final_turn).trace.notes)
    ]
    xs = [qa.evidence(qa.parse(q.final_turn)).vector() for q in pool]
    return xs, [1 if q.answerable else 0 for q in pool]


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


def refusal_section(qa: Any, questions: list[Question], *, max_false: float, write: bool) -> list[str]:
    """Fit the refusal model on dev, estimate how it generalizes by 5-fold cross-validation, save it."""
    from qa.refusal import FEATURES, RefusalModel, fit

    xs, ys = refusal_features(qa, questions)

    def model_for(idx: list[int]) -> RefusalModel:
        mean, scale, weights, bias = fit([xs[i] for i in idx], [ys[i] for i in idx])
        m = RefusalModel(mean, scale, weights, bias, 0.5)
        probs = [m.probability_of(xs[i]) for i in idx]
        return dataclasses.replace(m, threshold=choose_threshold(probs, [ys[i] for i in idx], max_false))

    rows = [
        f"{sum(1 - y for y in ys)} out-of-scope and {sum(ys)} answerable single-task dev questions; features "
        f"{', '.join(FEATURES)}; threshold = most refusals with ≤ {max_false:.0%} of the answerable refused.",
        "",
        "| fold | OOS refused (held out) | answerable refused (held out) |",
        "|---|---|---|",
    ]
    folds = 5
    tot_r = tot_f = 0.0
    for k in range(folds):
        test = [i for i in range(len(xs)) if i % folds == k]
        train = [i for i in range(len(xs)) if i % folds != k]
        m = model_for(train)
        r, f = _rates([m.probability_of(xs[i]) for i in test], [ys[i] for i in test], m.threshold)
        tot_r += r / folds
        tot_f += f / folds
        rows.append(f"| {k + 1} | {r:.3f} | {f:.3f} |")
    rows.append(f"| mean | {tot_r:.3f} | {tot_f:.3f} |")
    final = model_for(list(range(len(xs))))
    r, f = _rates([final.probability_of(x) for x in xs], ys, final.threshold)
    final = dataclasses.replace(
        final,
        embedder=qa.r.info.embedder,
        note=f"python -m eval.tune --refusal: {len(xs)} dev questions; in-sample refused {r:.3f}, "
        f"false {f:.3f}; 5-fold held-out refused {tot_r:.3f}, false {tot_f:.3f}",
    )
    rows += [
        "",
        f"Fitted on all of them: threshold {final.threshold:.3f}; in-sample OOS refused {r:.3f}, answerable "
        f"refused {f:.3f}. Weights (standardized): "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, final.weights, strict=True)),
    ]
    if write:
        path = Path(__file__).resolve().parents[1] / "qa" / "data" / "refusal.json"
        path.write_text(json.dumps(final.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
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
    ap.add_argument("--max-false", type=float, default=0.04, help="false-refusal budget for the threshold")
    args = ap.parse_args(argv)
    dev = load_questions(split="dev")
    qa = QA(load_retriever())
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
    lines += [
        "## Fusion weights and RRF k (single-task questions)",
        "",
        *retrieval_table(qa, dev, grid, [60]),
        "",
    ]
    lines += ["", *retrieval_table(qa, dev, [(1.0, 0.5)], [10, 30, 60, 100]), ""]
    from retriever.retriever import DEFAULT_WEIGHTS

    qa.r.weights = dict(DEFAULT_WEIGHTS)
    qa.r.rrf_k = 60
    lines += ["## Refusal model (out-of-scope vs answerable single-task questions)", ""]
    lines += [*refusal_section(qa, dev, max_false=args.max_false, write=args.refusal), ""]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tuning.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
