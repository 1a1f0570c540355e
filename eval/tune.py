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
from collections import Counter
from collections.abc import Mapping
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
# Training questions over the three plans (``doc_id``: the plan each is about), answered with them loaded.
TRAIN_PLANS = Path(__file__).resolve().parent / "data" / "train" / "coverage-plans.jsonl"
DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
# Questions over several plans, answered with these plans loaded (``eval.plans``): the dev part of each file,
# each file a batch (its folder's name) held out whole.
PLANS_QUESTIONS = (
    *(DATA / f"plans-train{i}" / "questions.jsonl" for i in range(1, 7)),
    DATA / "plans3" / "questions.jsonl",
)
PLANS_FOLDERS = (ROOT / "corpus" / "data" / "plans", ROOT / "tests" / "data" / "plans")
ACROSS = "across"  # a question over several plans: no single plan to hold out
L2_GRID = (100.0, 300.0, 1000.0)  # the full model's (was 30 … 3000; 100 won the last one-plan refit)
INNER_FOLDS = 5


@dataclasses.dataclass(frozen=True, slots=True)
class Example:
    question: str
    covered: int
    group: str  # held out together: a batch (one writer at one time)
    base: tuple[float, ...]
    full: tuple[float, ...]
    plan: str = ""  # the plan it is read in (ACROSS: several): the threshold keeps the budget in each


def _examples(qa: Any, rows: list[tuple[str, int, str, str]]) -> list[Example]:
    from tqdm import tqdm  # type: ignore[import-untyped]

    out = []
    for text, y, group, plan in tqdm(rows, desc="evidence", unit="q"):
        ev = qa.judged(text)
        if ev is not None:
            out.append(Example(text, y, group, tuple(ev.vector()), tuple(ev.full_vector()), plan))
    return out


def coverage_examples(qa: Any, questions: list[Question]) -> list[Example]:
    """Every dev single-task and out-of-scope question, and every training question, that reaches the
    coverage model (not those a number, a filter, a greeting or a reply decides), with its evidence (one
    plan loaded: ``qa`` answers over the first plan alone)."""
    first = qa.r.profile().plans[0].doc_id if qa.r.profile().plans else ""
    rows: list[tuple[str, int, str, str]] = [
        (
            q.final_turn,
            int(q.answerable),
            q.id.split("-")[0] if q.id.startswith(("dev", "fresh")) else "first",
            first,
        )
        for q in questions
        if q.type in (*SINGLE_TYPES, "out_of_scope")
    ]
    for line in TRAIN.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        rows.append((str(r["question"]), int(bool(r["covered"])), str(r.get("batch", "train")), first))
    return _examples(qa, rows)


def plans_examples(
    qa: Any, batches: Mapping[str, list[Question]], train: Path | None = TRAIN_PLANS
) -> list[Example]:
    """The multi-plan questions that reach the coverage model, answered with every plan loaded (``qa`` over
    the plans of ``PLANS_FOLDERS``), each batch (``batches``: its name → its questions) held out whole and
    each question read in its plan (any type: whatever reaches the model is judged by it), and the training
    questions over those plans (``TRAIN_PLANS``, a batch of its own)."""
    rows = [
        (q.final_turn, int(q.answerable), batch, q.doc_id or ACROSS)
        for batch, questions in batches.items()
        for q in questions
        if not q.turns
    ]
    if train is not None and train.exists():  # held out as one batch (its own group), read in its plan
        for line in train.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append((str(r["question"]), int(bool(r["covered"])), str(r["batch"]), str(r["doc_id"])))
    return _examples(qa, rows)


def choose_threshold(
    probs: list[float], ys: list[int], max_false: float, plans: list[str] | None = None
) -> float:
    """The highest probability threshold (most refusals) whose false-refusal rate stays ≤ ``max_false``;
    with ``plans``, within each plan (the lowest of the plans' thresholds)."""
    if plans is not None:
        taus = [
            choose_threshold(
                [p for p, d in zip(probs, plans, strict=True) if d == plan],
                [y for y, d in zip(ys, plans, strict=True) if d == plan],
                max_false,
            )
            for plan in sorted(set(plans))
            if any(y == 1 for y, d in zip(ys, plans, strict=True) if d == plan)
        ]
        return min(taus) if taus else 0.5
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


def _fit(examples: list[Example], kind: str, l2: float) -> Any:
    """Each plan's examples weigh as much in all as the first plan's (a few hundred against thousands)."""
    from qa.refusal import fit

    per_plan = Counter(e.plan for e in examples)
    most = max(per_plan.values())
    weights = [min(PLAN_WEIGHT_CAP, most / per_plan[e.plan]) for e in examples]
    return fit([_x(e, kind) for e in examples], [e.covered for e in examples], l2=l2, weights=weights)


PLAN_WEIGHT_CAP = 20.0  # a plan with few questions weighs up to 20 times each (about as much as the first)


def group_folds(groups: list[str], k: int = INNER_FOLDS) -> list[int]:
    """Each example's fold, whole groups to a fold (the largest first, each to the smallest fold so far)."""
    sizes = Counter(groups)
    load = [0] * min(k, len(sizes))
    fold_of: dict[str, int] = {}
    for g, n in sorted(sizes.items(), key=lambda gn: (-gn[1], gn[0])):
        f = load.index(min(load))
        fold_of[g] = f
        load[f] += n
    return [fold_of[g] for g in groups]


def out_of_fold(examples: list[Example], kind: str, l2: float) -> list[float]:
    """P(covered) of each example from a model fitted without its group (a batch, or a plan's questions):
    grouped folds, a group held out whole."""
    folds = group_folds([e.group for e in examples])
    oof: list[float] = [0.0] * len(examples)
    for k in sorted(set(folds)):
        m = _fit([e for e, f in zip(examples, folds, strict=True) if f != k], kind, l2)
        for i, e in enumerate(examples):
            if folds[i] == k:
                oof[i] = m.probability_of(_x(e, kind))
    return oof


def fit_with_threshold(examples: list[Example], kind: str, l2: float, max_false: float) -> tuple[Any, float]:
    """The model fitted on all ``examples``, and a threshold chosen on out-of-fold probabilities, a group
    held out at a time, keeping the budget in each plan (in-sample probabilities of a model with hundreds
    of features are too confident to set a threshold on; a plan's questions share its words)."""
    oof = out_of_fold(examples, kind, l2)
    tau = choose_threshold(oof, [e.covered for e in examples], max_false, [e.plan for e in examples])
    return _fit(examples, kind, l2), tau


def _held_out(
    examples: list[Example], kind: str, l2: float, max_false: float, *, by: str = "group"
) -> dict[str, tuple[float, float, int, int]]:
    """Leave one batch (``by="group"``) or one plan (``by="plan"``: trained on the other plans' questions,
    cross-plan ones left out) out: (OOS refused, answerable refused, n OOS, n answerable) on each."""
    out = {}

    def key(e: Example) -> str:
        return e.group if by == "group" else e.plan

    for held in sorted({key(e) for e in examples} - ({ACROSS} if by == "plan" else set())):
        train = [e for e in examples if key(e) != held and (by == "group" or e.plan != ACROSS)]
        test = [e for e in examples if key(e) == held]
        m, tau = fit_with_threshold(train, kind, l2, max_false)
        ys = [e.covered for e in test]
        r, f = _rates([m.probability_of(_x(e, kind)) for e in test], ys, tau)
        out[held] = (r, f, len(ys) - sum(ys), sum(ys))
    return out


def _pooled(res: dict[str, tuple[float, float, int, int]]) -> tuple[float, float]:
    n0 = sum(v[2] for v in res.values())
    n1 = sum(v[3] for v in res.values())
    return (
        sum(v[0] * v[2] for v in res.values()) / max(1, n0),
        sum(v[1] * v[3] for v in res.values()) / max(1, n1),
    )


def refusal_section(
    qa: Any,
    questions: list[Question],
    *,
    max_false: float,
    write: bool,
    plans_qa: Any = None,
    plans_questions: Mapping[str, list[Question]] | None = None,
) -> list[str]:
    """Fit the coverage models on dev + the training set (one plan loaded) and the multi-plan questions
    (every plan loaded); estimate how they generalize by holding out one batch at a time (a batch written by
    one writer at one time is the closest thing to a new question set) and one plan at a time (a new plan)."""
    examples = coverage_examples(qa, questions)
    if plans_qa is not None and plans_questions:
        examples += plans_examples(plans_qa, plans_questions)
    return refusal_rows(examples, max_false=max_false, write=write, embedder=qa.r.info.embedder)


def refusal_rows(examples: list[Example], *, max_false: float, write: bool, embedder: str) -> list[str]:
    """The held-out tables, the chosen models and (``write``) ``qa/data/refusal.json``."""
    from qa.refusal import BASE_FEATURES, RefusalModel

    ys = [e.covered for e in examples]
    per_plan = Counter((e.plan, e.covered) for e in examples)
    rows = [
        f"{len(examples) - sum(ys)} not covered and {sum(ys)} covered questions reach the coverage model "
        f"(dev single-task and out-of-scope questions and `{TRAIN.relative_to(ROOT)}`, one plan loaded; "
        + ", ".join(f"`{p.relative_to(ROOT)}`" for p in PLANS_QUESTIONS)
        + f" (dev) and `{TRAIN_PLANS.relative_to(ROOT)}`, every plan loaded): "
        + ", ".join(
            f"{plan} {per_plan[(plan, 0)]} / {per_plan[(plan, 1)]}"
            for plan in sorted({e.plan for e in examples})
        )
        + f" (not covered / covered); threshold = most refusals with ≤ {max_false:.0%} of the covered "
        "refused in each plan, on out-of-fold probabilities (a batch or a plan held out at a time).",
        "",
        "Held out one batch at a time (pooled over batches) and one plan at a time (trained on the others):",
        "",
        "| model | L2 | batch: OOS refused | batch: answerable refused | plan: OOS refused | "
        "plan: answerable refused |",
        "|---|---|---|---|---|---|",
    ]
    several = len({e.plan for e in examples} - {ACROSS}) > 1
    best: dict[str, tuple[float, float]] = {}
    for kind in ("base", "full"):
        for l2 in L2_GRID if kind == "full" else (1.0, 10.0, 30.0):
            r, f = _pooled(_held_out(examples, kind, l2, max_false))
            pr, pf = _pooled(_held_out(examples, kind, l2, max_false, by="plan")) if several else (r, f)
            rows.append(f"| {kind} | {l2:g} | {r:.3f} | {f:.3f} | {pr:.3f} | {pf:.3f} |")
            score = r - 3 * max(0.0, f - max_false) + pr - 3 * max(0.0, pf - max_false)
            if kind not in best or score > best[kind][1]:
                best[kind] = (l2, score)
    chosen = {}
    for kind in ("base", "full"):
        l2 = best[kind][0]
        xs = [_x(e, kind) for e in examples]
        m, tau = fit_with_threshold(examples, kind, l2, max_false)
        probs = [m.probability_of(x) for x in xs]
        chosen[kind] = (m, tau, _rates(probs, ys, tau), l2)
        for by in ("group", "plan") if several else ("group",):
            per = _held_out(examples, kind, l2, max_false, by=by)
            rows += [
                "",
                f"{kind} (L2 {l2:g}) held out per {'batch' if by == 'group' else 'plan'}:",
                "",
                f"| {'batch' if by == 'group' else 'plan'} | OOS refused (n) | answerable refused (n) |",
                "|---|---|---|",
            ]
            rows += [f"| {g} | {v[0]:.3f} ({v[2]}) | {v[1]:.3f} ({v[3]}) |" for g, v in per.items()]
    base, full = chosen["base"], chosen["full"]
    model = RefusalModel(
        base=base[0],
        threshold=base[1],
        full=full[0],
        full_threshold=full[1],
        embedder=embedder,
        note=(
            f"python -m eval.tune --refusal: {len(examples)} questions over "
            f"{len({e.plan for e in examples} - {ACROSS})} plans; base L2 {base[3]:g} threshold "
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
        path = ROOT / "qa" / "data" / "refusal.json"
        path.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
        rows.append(f"Written to {path.relative_to(ROOT)}.")
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


def _placeholder_model() -> Any:
    """The shipped model, or, when it was fitted on other features (they changed: the refit is what
    replaces it), a model that answers everything: fitting reads the evidence only, never the model."""
    from qa.refusal import BASE_FEATURES, Logistic, RefusalModel, load_model

    try:
        return load_model()
    except ValueError:
        n = len(BASE_FEATURES)
        return RefusalModel(base=Logistic((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0), threshold=0.0)


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
    ap.add_argument(
        "--one-plan",
        action="store_true",
        help="fit the refusal model on the first plan's questions only (not the multi-plan questions, "
        "answered over a temporary index of every plan in "
        + " ".join(str(p.relative_to(ROOT)) for p in PLANS_FOLDERS)
        + ")",
    )
    args = ap.parse_args(argv)
    dev = load_questions(split="dev")
    store = load_retriever()
    qa = QA(store, refusal=_placeholder_model())
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
    lines += ["## Refusal model (out-of-scope vs answerable questions)", ""]
    with tempfile.TemporaryDirectory(prefix="taskqa-plans-") as tmp:
        plans_qa = plans_questions = None
        if not args.one_plan:
            from eval.plans import build_plans_index

            plans_qa = QA(
                load_retriever(build_plans_index(PLANS_FOLDERS, Path(tmp))), refusal=_placeholder_model()
            )
            plans_questions = {p.parent.name: load_questions(p, split="dev") for p in PLANS_QUESTIONS}
        lines += [
            *refusal_section(
                qa,
                dev,
                max_false=args.max_false,
                write=args.refusal,
                plans_qa=plans_qa,
                plans_questions=plans_questions,
            ),
            "",
        ]
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.only_refusal:
        (OUT / "tuning.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
