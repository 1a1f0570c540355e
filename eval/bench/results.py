"""All results of one ``python -m eval.bench`` run, saved as JSON so the report can be re-rendered.

A run may measure only some sections (``--sections``); the others are then taken from the
previous run's JSON, each with its own ``measured_at`` time, and the report says so.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from eval.bench.baseline import BaselineRow, RecallRow
from eval.bench.buildtime import BuildTimes
from eval.bench.inproc import InprocResult
from eval.bench.scale import ScaleRow
from eval.bench.serve import ServerRun

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Section:
    """When and how a section was measured."""

    measured_at: str
    command: str
    quick: bool
    loadavg_start: float
    loadavg_end: float
    seconds: float


@dataclass(frozen=True, slots=True)
class ScaleResults:
    sizes: list[int]
    rows: list[ScaleRow]
    baseline: list[BaselineRow]
    recall: list[RecallRow]


@dataclass(frozen=True, slots=True)
class BenchResults:
    machine: dict[str, str]
    inproc: InprocResult | None = None
    build: BuildTimes | None = None
    http: list[ServerRun] | None = None
    scale: ScaleResults | None = None
    sections: dict[str, Section] = field(default_factory=dict)


def to_json(obj: object) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    if isinstance(obj, float) and obj != obj:  # NaN is not JSON
        return None
    return obj


def from_json(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` (dataclasses, lists, tuples, dicts, optionals, scalars)."""
    if data is None:
        return float("nan") if tp is float else None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_json(inner[0], data)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: from_json(hints[f.name], data[f.name]) for f in dataclasses.fields(tp)})
    if origin is list:
        (arg,) = typing.get_args(tp)
        return [from_json(arg, v) for v in data]
    if origin is tuple:
        args = typing.get_args(tp)
        return tuple(from_json(args[0], v) for v in data)
    if origin is dict:
        _, val = typing.get_args(tp)
        return {k: from_json(val, v) for k, v in data.items()}
    if tp is float:
        return float(data)
    return data


def save(results: BenchResults, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(results), ensure_ascii=False, indent=1), "utf-8")


def load(path: Path) -> BenchResults | None:
    if not path.exists():
        return None
    try:
        loaded: BenchResults = from_json(BenchResults, json.loads(path.read_text("utf-8")))
    except (ValueError, KeyError, TypeError):
        return None  # an older layout: those sections are measured again
    return loaded
