"""Regression floors for the test split (``eval/floors.json``), set at a lower confidence bound.

``python -m eval --split test --set-floors`` writes, for every headline figure measured over n questions,
the Wilson lower bound (one-sided 95 %) of the figure as its floor — or, for figures where lower is
better, the upper bound as its ceiling — so the floors sit where the system is, and a change that moves
one question does not fail CI while a real regression does. Crashes have a hard ceiling of 0.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eval.metrics import wilson
from eval.report import headline, headline_n

PATH = Path(__file__).resolve().parent / "floors.json"
LOWER_IS_BETTER = ("false_refusal", "crash_rate")
HARD_ZERO = ("crash_rate",)


def floors_from(summary: dict[str, Any], *, command: str) -> dict[str, Any]:
    values, ns = headline(summary), headline_n(summary)
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    measured: dict[str, list[float]] = {}
    for key, value in values.items():
        if math.isnan(value) or ns[key] == 0:
            continue
        measured[key] = [round(value, 4), ns[key]]
        low, high = wilson(value, ns[key])
        if key in HARD_ZERO:
            hi[key] = 0.0
        elif key in LOWER_IS_BETTER:
            hi[key] = math.ceil(high * 1000) / 1000
        else:
            lo[key] = math.floor(low * 1000) / 1000
    return {
        "note": (
            "Test-split floors at the Wilson lower bound (one-sided 95 %) of the measured figure; "
            "ceilings at the upper bound; written by `"
            + command
            + "`. Rewrite them when quality rises, with a note in "
            "eval/README.md (section Floors); never lower one to make a change pass."
        ),
        "measured": measured,
        "min": lo,
        "max": hi,
    }


def check(summary: dict[str, Any], floors: Mapping[str, Any]) -> list[str]:
    """Every figure below its floor or above its ceiling (empty when the gate holds)."""
    got = headline(summary)
    failures = []
    for key, floor in floors.get("min", {}).items():
        if math.isnan(got[key]) or got[key] < floor:
            failures.append(f"{key}: {got[key]:.3f} < floor {floor}")
    for key, ceiling in floors.get("max", {}).items():
        if math.isnan(got[key]) or got[key] > ceiling:
            failures.append(f"{key}: {got[key]:.3f} > ceiling {ceiling}")
    return failures


def load(path: Path = PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def save(floors: Mapping[str, Any], path: Path = PATH) -> None:
    path.write_text(json.dumps(floors, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
