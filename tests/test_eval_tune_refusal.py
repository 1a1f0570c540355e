"""Fitting the coverage model over several plans (``eval.tune``): grouped folds, the per-plan budget, the
examples each plan contributes, and the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.questions import Question
from eval.tune import (
    ACROSS,
    PLANS_QUESTIONS,
    Example,
    _fit,
    choose_threshold,
    group_folds,
    plans_examples,
)
from qa.refusal import BASE_FEATURES, Evidence, fit, load_model


def test_folds_hold_each_group_out_whole() -> None:
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"] + ["e"] + ["f"]
    folds = group_folds(groups, k=3)
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    assert set(folds) == {0, 1, 2}
    assert group_folds(["x", "y"], k=5) in ([0, 1], [1, 0])  # fewer groups than folds: one each


def test_the_threshold_keeps_the_budget_in_each_plan() -> None:
    # Plan a alone would allow 0.6; plan b's answerable questions score lower, so the budget in b sets it.
    probs = [0.1, 0.2, 0.6, 0.7, 0.8, 0.9, 0.1, 0.3, 0.4, 0.5]
    ys = [0, 0, 1, 1, 1, 1, 0, 1, 1, 1]
    plans = ["a"] * 6 + ["b"] * 4
    assert choose_threshold(probs, ys, 0.25) == 0.4  # pooled: one of seven may be refused
    assert choose_threshold(probs, ys, 0.25, plans) == 0.3  # b: none of its three may be
    assert choose_threshold(probs[:6], ys[:6], 0.25, plans[:6]) == 0.7  # a: one of its four
    # a plan without an answerable question sets nothing
    assert choose_threshold([0.2, 0.7], [0, 1], 0.0, ["c", "a"]) == 0.7


def test_weights_count_an_example_as_repeated() -> None:
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(40, 2)).tolist()
    ys = [int(x[0] + 0.5 * rng.normal() > 0) for x in xs]
    twice = fit([*xs, *xs[:10]], [*ys, *ys[:10]], l2=1.0)
    weighted = fit(xs, ys, l2=1.0, weights=[2.0] * 10 + [1.0] * 30)
    assert np.allclose(twice.weights, weighted.weights, atol=1e-6)
    assert fit(xs, ys, l2=1.0, weights=[1.0] * 40) == fit(xs, ys, l2=1.0)


def _ex(plan: str, covered: int, x: float) -> Example:
    base = (x,) * len(BASE_FEATURES)
    return Example(f"{plan}{x}", covered, plan, base, base, plan)


def test_a_plan_with_few_questions_weighs_about_as_much_as_a_large_one() -> None:
    # The large plan says a high x is covered, the small one the opposite: weighted, the small one counts.
    big = [_ex("big", int(i % 2 == 0), 1.0 if i % 2 == 0 else -1.0) for i in range(200)]
    small = [_ex("small", int(i % 2 == 1), 1.0 if i % 2 == 0 else -1.0) for i in range(20)]
    m = _fit(big + small, "base", 1.0)
    unweighted = fit([e.base for e in big + small], [e.covered for e in big + small], l2=1.0)
    assert abs(sum(m.weights)) < abs(sum(unweighted.weights)) / 2


class _Judged:
    """A stand-in QA: every question reaches the coverage model but the one with 第."""

    def judged(self, question: str) -> Evidence | None:
        return None if "第" in question else Evidence(0.5, 1.0, 2.0, 0.5, 0.5, False, embedding=(0.1,))


def _q(qid: str, text: str, doc: str | None, answerable: bool = True) -> Question:
    return Question(
        qid, text, "lookup" if answerable else "out_of_scope", (), (), None, answerable, "", "dev", doc_id=doc
    )


def test_multi_plan_questions_are_held_out_by_batch_and_read_in_their_plan() -> None:
    batches = {
        "plans-train8": [
            _q("p-1", "云岭州那个免申即享咋说的", "yunling-2023"),
            _q("p-2", "青川刻章收不收钱", "qingchuan-2024"),
            _q("p-4", "哪些方案里有电力接入", None),
        ],
        "plans-train9": [
            _q("q-3", "青川首席服务员电话", "qingchuan-2024", answerable=False),
            _q("q-5", "青川第3条", "qingchuan-2024"),  # decided by the number: not the model's
        ],
    }
    got = plans_examples(_Judged(), batches, train=None)
    assert [(e.plan, e.group, e.covered) for e in got] == [
        ("yunling-2023", "plans-train8", 1),
        ("qingchuan-2024", "plans-train8", 1),
        (ACROSS, "plans-train8", 1),
        ("qingchuan-2024", "plans-train9", 0),
    ]
    assert len(got[0].full) == len(BASE_FEATURES) + 1


def test_every_multi_plan_dev_batch_is_fitted_on() -> None:
    names = {p.parent.name for p in PLANS_QUESTIONS}
    assert {f"plans-train{i}" for i in range(1, 7)} | {"plans3"} <= names


def test_a_model_fitted_on_other_features_does_not_stop_the_refit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import eval.tune as tune

    def stale(path: Path | None = None) -> None:
        raise ValueError("refusal model features ['dense_top'] != …: refit it")

    monkeypatch.setattr("qa.refusal.load_model", stale)
    m = tune._placeholder_model()
    assert len(m.base.weights) == len(BASE_FEATURES)
    assert m.covered(Evidence(0.1, 0.0, 0.0, 0.0, 0.0, False))


def test_the_shipped_model_was_fitted_over_several_plans() -> None:
    m = load_model()
    assert "over 3 plans" in m.note
    assert m.full is not None and 0 < m.full_threshold < 1


def test_training_questions_over_the_plans_are_one_batch_read_in_their_plan(tmp_path: Path) -> None:
    train = tmp_path / "t.jsonl"
    rows = [
        {"question": "青川刻章收不收钱", "covered": True, "doc_id": "qingchuan-2024", "batch": "t9"},
        {"question": "青川市长是哪位", "covered": False, "doc_id": "qingchuan-2024", "batch": "t9"},
    ]
    train.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    got = plans_examples(_Judged(), {}, train=train)
    want = [("qingchuan-2024", "t9", 1), ("qingchuan-2024", "t9", 0)]
    assert [(e.plan, e.group, e.covered) for e in got] == want
