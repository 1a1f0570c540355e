"""Tune on the dev split only: passage template, fusion weights, refusal thresholds.

``python -m eval.tune [--templates]`` writes ``eval/reports/tuning.md``. The chosen
values are then written down in code (``index.store.DEFAULT_TEMPLATE``,
``retriever.retriever.DEFAULT_WEIGHTS``, ``qa.engine.Thresholds``) with a pointer here.
"""

from __future__ import annotations

import argparse
import dataclasses
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


def threshold_table(qa: Any, questions: list[Question]) -> list[str]:
    from qa.engine import Thresholds

    pool = [q for q in questions if q.type in (*SINGLE_TYPES, "out_of_scope")]
    rows = [
        "| evidence_min (zh) | OOS refused | answerable refused | objective (refused if false ≤ 0.05) |",
        "|---|---|---|---|",
    ]
    base = qa.th
    best: tuple[float, float] = (-9.0, 0.0)
    for tau in [round(0.895 + 0.0025 * i, 4) for i in range(13)]:
        qa.th = dataclasses.replace(base, evidence_min=tau)
        res = run(pool, InProcess(qa), progress=False, modes=[])
        oos = [r for r in res if not r.q.answerable]
        ans = [r for r in res if r.q.answerable]
        refused = sum(r.scores["refused"] for r in oos) / max(1, len(oos))
        false = sum(r.scores["false_refusal"] for r in ans) / max(1, len(ans))
        # The bar: refuse >= 0.90 of out-of-scope with <= 0.05 false refusals.
        # Choose the threshold that refuses most while keeping false refusals within 0.05.
        objective = refused if false <= 0.05 else -1.0
        rows.append(f"| {tau} | {refused:.3f} | {false:.3f} | {objective:.3f} |")
        if objective > best[0]:
            best = (objective, tau)
    qa.th = base
    rows += ["", f"Chosen evidence_min on dev: {best[1]} (most refusals with false refusals ≤ 0.05)."]
    del Thresholds
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
    lines += ["## Refusal threshold (out-of-scope vs answerable single-task questions)", ""]
    lines += [*threshold_table(qa, dev), ""]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tuning.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
