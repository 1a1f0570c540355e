"""The regression gate: the test split, in-process, must stay at or above eval/floors.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.harness import InProcess, run, summarize
from eval.questions import load_questions
from eval.report import headline

FLOORS = Path(__file__).resolve().parents[1] / "eval" / "floors.json"


@pytest.mark.gate
@pytest.mark.integration
def test_test_split_meets_the_floors(real_qa) -> None:  # type: ignore[no-untyped-def]
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    results = run(load_questions(split="test"), InProcess(real_qa), progress=False)
    got = headline(summarize(results))
    failures = []
    for metric, floor in floors["min"].items():
        value = got[metric]
        if math.isnan(value) or value < floor:
            failures.append(f"{metric}: {value:.3f} < floor {floor}")
    for metric, ceiling in floors.get("max", {}).items():
        if got[metric] > ceiling:
            failures.append(f"{metric}: {got[metric]:.3f} > ceiling {ceiling}")
    assert not failures, "evaluation below its floors:\n" + "\n".join(failures)


def test_floors_file_names_known_metrics() -> None:
    from eval.report import HEADLINE

    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    known = {h[0] for h in HEADLINE}
    assert set(floors["min"]) <= known and set(floors.get("max", {})) <= known
    assert all(0.0 <= v <= 1.0 for v in [*floors["min"].values(), *floors.get("max", {}).values()])
