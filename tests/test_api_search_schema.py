"""The search body's published schema agrees with what the server accepts (an empty query needs a filter)."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from pydantic import ValidationError

from api.schemas import SearchRequest

BODIES: list[dict[str, Any]] = [
    {"query": "电力接入"},
    {"query": " "},
    {"filters": {"deadline_kind": "recurring"}},
    {"filters": {"deadline_kind": ["", "ongoing"]}},
    {"filters": {"deadline_kind": ""}},
    {"filters": {"deadline_kind": "recurring", "deadline_after": ""}},
    {"filters": {"deadline_before": "2022-09"}},
    {"filters": {"deadline_after": ""}},
    {"filters": {"lead_unit": ["", "旗税务局"]}},
    {"filters": {"lead_unit": [""]}},
    {"filters": {"lead_unit": None, "section": "纳税"}},
    {"filters": {"lead_unit": None}},
    {"filters": {"doc_id": "ejin"}},
    {},
]


def _accepted(body: dict[str, Any]) -> bool:
    try:
        SearchRequest.model_validate(body)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("body", BODIES, ids=[str(b) for b in BODIES])
def test_schema_and_model_agree_on_which_bodies_are_valid(body: dict[str, Any]) -> None:
    schema = SearchRequest.model_json_schema(mode="validation")
    valid = jsonschema_rs.Draft202012Validator(schema).is_valid(body)
    assert valid == _accepted(body)


def test_a_deadline_kind_alone_is_a_filter_in_the_schema() -> None:
    schema = SearchRequest.model_json_schema(mode="validation")
    assert jsonschema_rs.Draft202012Validator(schema).is_valid({"filters": {"deadline_kind": "recurring"}})
