"""The regression gate: the test split, in-process, must stay at or above eval/floors.json."""

from __future__ import annotations

import pytest

from eval import floors
from eval.harness import InProcess, run, summarize
from eval.metrics import wilson
from eval.report import HEADLINE


@pytest.mark.gate
@pytest.mark.integration
def test_test_split_meets_the_floors(real_qa) -> None:  # type: ignore[no-untyped-def]
    from eval.questions import load_questions

    results = run(load_questions(split="test"), InProcess(real_qa), progress=False)
    crashed = [r.q.id for r in results if r.crash is not None]
    assert not crashed, f"{len(crashed)} question(s) crashed"
    failures = floors.check(summarize(results), floors.load())
    assert not failures, "evaluation below its floors:\n" + "\n".join(failures)


def test_floors_file_names_known_metrics() -> None:
    data = floors.load()
    known = {h[0] for h in HEADLINE}
    assert set(data["min"]) <= known and set(data["max"]) <= known
    assert all(0.0 <= v <= 1.0 for v in [*data["min"].values(), *data["max"].values()])
    assert data["max"].get("crash_rate") == 0.0


def test_wilson_bounds_narrow_with_more_questions() -> None:
    lo20, hi20 = wilson(0.9, 20)
    lo200, hi200 = wilson(0.9, 200)
    assert lo20 < lo200 < 0.9 < hi200 < hi20
    assert wilson(1.0, 30)[1] == 1.0 and wilson(0.0, 30)[0] == 0.0


def test_one_question_does_not_flip_the_gate_but_a_regression_does() -> None:
    summary = {"types": {"out_of_scope": {"n": 40, "answer": {"refused": 0.95}, "answer_n": {"refused": 40}}}}
    data = floors.floors_from(summary, command="test")
    one_less = {
        "types": {"out_of_scope": {"n": 40, "answer": {"refused": 0.925}, "answer_n": {"refused": 40}}}
    }
    assert floors.check(one_less, data) == []
    worse = {"types": {"out_of_scope": {"n": 40, "answer": {"refused": 0.75}, "answer_n": {"refused": 40}}}}
    assert any(f.startswith("oos_refusal") for f in floors.check(worse, data))
