"""The refusal model's pieces: features, fitting, the stored model, and what it is fed."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from corpus import load_plan, load_plans, plan_lexicon
from eval.tune import choose_threshold
from qa.places import PlaceNames
from qa.refusal import (
    BASE_FEATURES,
    Evidence,
    Logistic,
    RefusalModel,
    asks_outside,
    coverage,
    dense_z,
    fit,
    load_model,
    strip_place,
    strip_plan_refs,
)

FEATURES = BASE_FEATURES

FREQ = {"时候": 30000, "不能": 30000, "羊肉": 900, "护照": 240, "电力": 5000}
TOTAL = 60_000_000


def test_rare_words_outside_the_plan_weigh_more_than_common_ones() -> None:
    plan = {"电力", "报装"}
    common_missing = coverage(["电力", "时候"], plan, FREQ, TOTAL)
    rare_missing = coverage(["电力", "羊肉"], plan, FREQ, TOTAL)
    assert 0 < rare_missing < common_missing < 1
    assert coverage(["电力"], plan, FREQ, TOTAL) == 1.0
    assert coverage([], plan, FREQ, TOTAL) == 0.0


def test_dense_z_measures_the_peak_above_the_background() -> None:
    flat = np.array([0.80, 0.81, 0.80, 0.79, 0.80], dtype=np.float32)
    assert dense_z(0.81, flat) < dense_z(0.90, flat)
    assert dense_z(0.9, np.array([0.5], dtype=np.float32)) == 0.0


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("伊金霍洛旗明天天气怎么样", "明天天气怎么样"),
        ("伊旗低保申请条件", "低保申请条件"),
        ("鄂尔多斯供电公司牵头哪些任务", "鄂尔多斯供电公司牵头哪些任务"),  # a unit's name is kept
        ("What's the weather in Ordos", "What's the weather in"),
    ],
)
def test_strip_place(text: str, stripped: str) -> None:
    plan = load_plans()[0]
    tasks = plan.document.tasks
    places = PlaceNames.of([plan.profile], plan_lexicon(tasks, [plan.profile]).units)
    assert strip_place(text, places) == stripped


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("这份实施方案里年报多报合一谁牵头", "年报多报合一谁牵头"),
        ("乙政发〔2021〕7号文件里的歇业备案", "的歇业备案"),
        ("分工表上留抵退税几天到账", "留抵退税几天到账"),
        ("方案中有没有提到电子保函", "有没有提到电子保函"),
        ("示例市优化营商环境方案 怎么登记", "怎么登记"),  # a loaded plan's title
        ("带方案出让谁牵头", "带方案出让谁牵头"),  # a task's own word is kept
        ("电子文件归档谁负责", "电子文件归档谁负责"),
    ],
)
def test_strip_plan_refs(text: str, stripped: str) -> None:
    assert strip_plan_refs(text, ("示例市优化营商环境方案",)) == stripped


def test_the_places_are_every_loaded_plans() -> None:
    from tests.plan_fixtures import PLANS

    plans = [load_plans()[0].profile, load_plan(PLANS / "yunling-2023.docx").profile]
    places = PlaceNames.of(plans)
    assert strip_place("云岭州的歇业备案 in Yunling prefecture", places) == "的歇业备案 in"
    assert {"伊旗", "云岭州", "我州", "本旗"} <= places.own_words and "yunling" in places.words
    assert places.loaded("云岭") and not places.loaded("达拉特旗")


@pytest.mark.parametrize(
    ("text", "outside"),
    [
        ("一度电多少钱", True),
        ("营业厅地址在哪", True),
        ("明天天气怎么样", True),
        ("推荐一家饭店", True),
        ("低压办电压缩到几个环节", False),
        ("谁牵头负责电力接入", False),
    ],
)
def test_asks_outside(text: str, outside: bool) -> None:
    assert asks_outside(text) is outside


def _model(weights: tuple[float, ...], threshold: float = 0.5) -> RefusalModel:
    n = len(FEATURES)
    return RefusalModel(Logistic((0.0,) * n, (1.0,) * n, weights, 0.0), threshold)


def test_probability_rises_with_a_positively_weighted_feature() -> None:
    rest = (0.0,) * (len(FEATURES) - 1)
    m = _model((10.0, *rest))
    low = Evidence(0.1, 0, 0, 0, 0, False)
    high = Evidence(0.9, 0, 0, 0, 0, False)
    assert m.probability(low) < m.probability(high)
    assert m.covered(high) and m.covered(low)  # both above 0 → ≥ 0.5
    assert not _model((-10.0, *rest)).covered(high)


def test_the_full_model_reads_the_embedding_and_the_base_model_does_not() -> None:
    n = len(FEATURES)
    base = Logistic((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0)
    full = Logistic((0.0,) * (n + 2), (1.0,) * (n + 2), (0.0,) * n + (8.0, 0.0), 0.0)
    m = RefusalModel(base, 0.5, full, 0.9, embedder="e")
    near = Evidence(0.5, 0, 0, 0, 0, False, embedding=(1.0, 0.0))
    far = Evidence(0.5, 0, 0, 0, 0, False, embedding=(-1.0, 0.0))
    assert m.probability(near) > 0.99 and m.probability(far) < 0.01
    assert m.threshold_for(near) == 0.9 and m.threshold_for(Evidence(0.5, 0, 0, 0, 0, False)) == 0.5
    assert m.usable_full("e", 2) and not m.usable_full("other", 2) and not m.usable_full("e", 3)


def test_fit_separates_a_separable_set() -> None:
    rng = np.random.default_rng(0)
    pos = rng.normal(1.0, 0.3, size=(60, len(FEATURES)))
    neg = rng.normal(-1.0, 0.3, size=(60, len(FEATURES)))
    xs = [*pos.tolist(), *neg.tolist()]
    ys = [1] * 60 + [0] * 60
    m = fit(xs, ys)
    acc = sum((m.probability_of(x) >= 0.5) == bool(y) for x, y in zip(xs, ys, strict=True)) / len(xs)
    assert acc > 0.98
    assert all(w > 0 for w in m.weights)


def test_model_json_round_trip_and_validation() -> None:
    m = _model(tuple(float(i) for i in range(len(FEATURES))), threshold=0.7)
    back = RefusalModel.from_json(json.loads(json.dumps(m.to_json())))
    assert back == m
    bad = m.to_json() | {"features": ["dense_top"]}
    with pytest.raises(ValueError, match="features"):
        RefusalModel.from_json(bad)


def test_shipped_model_loads_and_is_fitted() -> None:
    m = load_model()
    assert 0 < m.threshold < 1 and any(w != 0 for w in m.base.weights)
    assert m.full is not None and 0 < m.full_threshold < 1 and m.embedder
    assert "eval.tune --refusal" in m.note
    assert all(math.isfinite(v) for v in (*m.base.mean, *m.base.scale, *m.base.weights, *m.full.weights))


def test_threshold_keeps_the_false_refusal_budget() -> None:
    probs = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99]
    ys = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    tau = choose_threshold(probs, ys, max_false=0.0)
    assert tau == 0.6  # every answerable question kept, every out-of-scope one refused
    tau = choose_threshold(probs, ys, max_false=0.15)
    assert tau == 0.7  # one answerable question of seven may be refused


def test_a_model_fitted_for_another_embedder_is_flagged(fake_retriever, caplog) -> None:  # type: ignore[no-untyped-def]
    from qa import QA

    with caplog.at_level("WARNING", logger="taskqa.qa"):
        QA(fake_retriever)
    assert "refit with `python -m eval.tune --refusal`" in caplog.text
    caplog.clear()
    n = len(FEATURES) + fake_retriever.info.dim
    own = dataclasses.replace(
        load_model(),
        embedder=fake_retriever.info.embedder,
        full=Logistic((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0),
    )
    with caplog.at_level("WARNING", logger="taskqa.qa"):
        QA(fake_retriever, refusal=own)
    assert "refit" not in caplog.text


def _flat(p_logit: float, threshold: float) -> RefusalModel:
    n = len(FEATURES)
    return RefusalModel(Logistic((0.0,) * n, (1.0,) * n, (0.0,) * n, p_logit), threshold)


def test_borderline_refusal_names_the_closest_task_and_cites_it(fake_retriever) -> None:  # type: ignore[no-untyped-def]
    from qa import QA, check_citations

    near = QA(fake_retriever, refusal=_flat(0.0, 0.9)).answer("低压小微企业接电要几天？")  # P = 0.5 < 0.9
    assert not near.answerable and near.intent == "out_of_scope"
    assert len(near.citations) == 1 and "最接近的一项" in near.text and "可能并不回答" in near.text
    assert "没有找到" not in near.text and "没有直接回答" in near.text  # no "nothing found" beside a task
    assert check_citations(near) == []
    far = QA(fake_retriever, refusal=_flat(-5.0, 0.9)).answer("低压小微企业接电要几天？")  # P ≈ 0.007
    assert not far.answerable and not far.citations and "最接近" not in far.text


def test_a_refusal_scores_nothing_even_with_a_hint() -> None:
    from eval.harness import Asked, Cited, score_answer
    from eval.questions import Question

    q = Question("x", "q", "lookup", (7,), ("旗政务服务局",), "2022年8月", True, "", "dev", asks="text")
    hint = Asked(
        "抱歉……最接近的一项是第7条",
        False,
        "out_of_scope",
        (Cited(7, ("旗政务服务局",), (), "2022年8月"),),
        "",
    )
    s = score_answer(q, hint, lambda u: u)
    assert s["false_refusal"] == 1.0 and s["top1"] == 0.0 and s["task_r"] == 0.0


def test_a_yes_no_question_with_no_gold_units_is_not_scored_on_units() -> None:
    from eval.harness import Asked, Cited, score_answer
    from eval.questions import Question

    def q(asks: str, units: tuple[str, ...]) -> Question:
        return Question("x", "q", "who_leads_task", (7,), units, None, True, "", "dev", asks=asks)

    said = Asked(
        "不是，第7条由旗政务服务局牵头", True, "yes_no", (Cited(7, ("旗政务服务局",), (), None),), ""
    )
    assert "unit_exact" not in score_answer(q("yes_no", ()), said, lambda u, _d: u)
    assert score_answer(q("yes_no", ("旗政务服务局",)), said, lambda u, _d: u)["unit_exact"] == 1.0
    assert score_answer(q("lead", ()), said, lambda u, _d: u)["unit_exact"] == 0.0
