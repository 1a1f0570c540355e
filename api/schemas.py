"""Pydantic models of the HTTP contract, one per direction (requests are strict: no coercion).

Constraints a client can check are in the schema (``pattern``, ``minLength``, ``anyOf``) and
are enforced by validators that raise bilingual errors with a stable ``code``; see
:mod:`api.textcheck` for the shared expressions. Limits that come from settings
(``max_question_chars``) are checked by the routes and patched into ``/openapi.json``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from api.textcheck import (
    MONTH_PATTERN,
    NO_CONTROL_PATTERN,
    NONBLANK_PATTERN,
    has_control,
    is_blank,
    parse_month,
)

SESSION_PATTERN = r"^[A-Za-z0-9_.-]{1,2048}$"  # a conversation token (qa.session.ConversationCodec)
FILTER_MAX_CHARS = 100
MAX_CHOICES = 100  # names in one multi-valued filter


def _no_control(value: str) -> str:
    if has_control(value):
        raise PydanticCustomError("control_characters", "contains control characters")
    return value


def _nonblank(value: str) -> str:
    if is_blank(_no_control(value)):
        raise PydanticCustomError("empty", "must not be empty")
    return value


def _integral(value: object) -> object:
    """JSON Schema counts 10.0 as an integer, so accept it as 10 (bools stay rejected: strict mode)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _month(value: str) -> str:
    try:
        parse_month(value)
    except ValueError:
        raise PydanticCustomError("invalid_deadline", "must look like 2022-09 or 2022年9月") from None
    return value


# Error messages name the field from the error's location; see api.errors.translate_validation.
PlainText = Annotated[
    str, AfterValidator(_no_control), Field(json_schema_extra={"pattern": NO_CONTROL_PATTERN})
]
NonBlank = Annotated[
    str, AfterValidator(_nonblank), Field(min_length=1, json_schema_extra={"pattern": NONBLANK_PATTERN})
]
# Filters: empty means "not given" (what an HTML form sends for an untouched field).
FilterText = Annotated[PlainText, Field(max_length=FILTER_MAX_CHARS)]
Month = Annotated[str, AfterValidator(_month), Field(json_schema_extra={"pattern": MONTH_PATTERN})]
SessionId = Annotated[str, Field(pattern=SESSION_PATTERN)]


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. empty_question")
    message: str = Field(description="中文 / English")


class ErrorResponse(BaseModel):
    error: ErrorBody


class AskRequest(_Request):
    question: NonBlank
    session_id: SessionId | None = None
    doc_id: FilterText | None = Field(
        default=None,
        description="answer from this plan only (GET /api/v1/plans lists them); empty: every plan",
    )


DeadlineKindName = Literal["dated", "within_year", "recurring", "ongoing", "none"]
DeadlinePeriod = Literal["week", "month", "quarter", "half", "year"]
KIND_DESCRIPTION = (
    "the deadline's kind (corpus.deadlines.deadline_kind): dated (a month: 2022年12月, 6月底前), within_year "
    "(年内), recurring (每季度: see deadline_every), ongoing (长期坚持, 持续推进) or none (not recognised)"
)
EVERY_DESCRIPTION = "a recurring deadline's period (每季度: quarter); null for other kinds and for 定期"


class Citation(BaseModel):
    doc_id: str
    short_title: str = Field(
        description="the plan's short title (answers cite 《简称》第N条 with several plans)"
    )
    task_id: int
    section: str
    lead_units: list[str]
    responsible_units: list[str]
    deadline: str
    deadline_kind: DeadlineKindName = Field(description=KIND_DESCRIPTION)
    deadline_every: DeadlinePeriod | None = Field(default=None, description=EVERY_DESCRIPTION)
    benchmark: str | None
    text: str
    source_url: str | None = Field(
        default=None, description="where the task's plan is published (its profile's source_url), if known"
    )


class AskResponse(BaseModel):
    answer: str
    answerable: bool = Field(
        description="false when the plan does not cover the question; the answer then says so plainly"
    )
    intent: str
    session_id: str = Field(
        description="the conversation token: send it back with the next question for follow-ups (any worker "
        "can answer them); it is signed and expires"
    )
    new_conversation: bool = Field(
        default=False,
        description="true when the session_id sent could not be resumed (expired, forged or from another "
        "server): the question was answered as the start of a new conversation",
    )
    citations: list[Citation] = Field(
        description="the tasks the answer cites, in the order it cites them (every 第N条 in the text, no "
        "other). When answerable is false this is empty or, for a borderline question, the single closest "
        "task, which the answer presents as possibly not answering it"
    )


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


_NAME = {"type": "string", "maxLength": FILTER_MAX_CHARS, "pattern": NO_CONTROL_PATTERN}
CHOICES_SCHEMA: dict[str, Any] = {
    "anyOf": [_NAME, {"type": "array", "maxItems": MAX_CHOICES, "items": _NAME}]
}

# A unit or city filter: one name, or several of which any may match (the staff page's multi-select). One
# name is read as a list of one, so that an error names the item (filters.lead_unit.1), not a union branch.
AnyOf = Annotated[
    list[FilterText], BeforeValidator(_as_list), Field(max_length=MAX_CHOICES), WithJsonSchema(CHOICES_SCHEMA)
]


MULTI_VALUED = ("lead_unit", "responsible_unit", "benchmark_city", "deadline_kind")

_KIND_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": ["", "dated", "within_year", "recurring", "ongoing", "none"],
}
# A deadline-kind filter: one kind or several (any of them); "" is no filter, as for the other fields.
Kinds = Annotated[
    list[DeadlineKindName | Literal[""]],
    BeforeValidator(_as_list),
    Field(max_length=5),
    WithJsonSchema({"anyOf": [_KIND_SCHEMA, {"type": "array", "maxItems": 5, "items": _KIND_SCHEMA}]}),
]


def _given(value: str | list[str] | None) -> bool:
    if isinstance(value, list):
        return any(not is_blank(v) for v in value)
    return not is_blank(value or "")


class SearchFilters(_Request):
    section: FilterText | None = None
    lead_unit: AnyOf | None = Field(default=None, description="a unit, or a list: led by any of them")
    responsible_unit: AnyOf | None = Field(default=None, description="a unit, or a list: any of them")
    deadline_before: Month | None = Field(default=None, description="inclusive; 2022-09 or 2022年9月")
    deadline_after: Month | None = Field(default=None, description="inclusive; 2022-09 or 2022年9月")
    benchmark_city: AnyOf | None = Field(default=None, description="a city, or a list: any of them")
    doc_id: FilterText | None = None
    deadline_kind: Kinds | None = Field(
        default=None,
        description="a deadline kind, or a list: any of them (dated, within_year, recurring, ongoing, none)",
    )

    def any_set(self) -> bool:
        """Whether any filter is given (empty strings are not)."""
        return any(_given(getattr(self, name)) for name in type(self).model_fields)


def _search_schema(schema: dict[str, Any]) -> None:
    """An empty query needs at least one filter: say so in the schema too."""
    nonblank = {"type": "string", "pattern": NONBLANK_PATTERN}
    given: dict[str, dict[str, Any]] = {}
    for name in SearchFilters.model_fields:
        if name in MULTI_VALUED:
            given[name] = {"anyOf": [nonblank, {"type": "array", "contains": nonblank}]}
        elif name.startswith("deadline"):  # a month (deadline_kind, multi-valued, is handled above)
            given[name] = {"type": "string", "pattern": "^[0-9]{4}"}
        else:
            given[name] = nonblank
    schema["anyOf"] = [
        {"required": ["query"], "properties": {"query": nonblank}},
        *(
            {
                "required": ["filters"],
                "properties": {"filters": {"type": "object", "required": [name], "properties": {name: rule}}},
            }
            for name, rule in given.items()
        ),
    ]


class SearchRequest(_Request):
    """``query`` may be empty only with a filter; then every match is returned and ``top_k`` is ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", json_schema_extra=_search_schema)

    query: PlainText = ""
    top_k: Annotated[int, BeforeValidator(_integral)] = Field(default=10, ge=1, le=50)
    filters: SearchFilters | None = None

    @model_validator(mode="after")
    def _query_or_filter(self) -> SearchRequest:
        if is_blank(self.query) and (self.filters is None or not self.filters.any_set()):
            raise PydanticCustomError("empty_query", "an empty query needs at least one filter")
        return self


class SearchHit(BaseModel):
    doc_id: str
    short_title: str
    task_id: int
    score: float
    section: str
    lead_units: list[str]
    responsible_units: list[str]
    deadline: str
    deadline_kind: DeadlineKindName = Field(description=KIND_DESCRIPTION)
    deadline_every: DeadlinePeriod | None = Field(default=None, description=EVERY_DESCRIPTION)
    benchmark: str | None
    text: str
    source_url: str | None = Field(
        default=None, description="where the task's plan is published (its profile's source_url), if known"
    )
    relevant: bool = Field(
        description="above the calibrated relevance cut-off (api/relevance.py); always true without a query"
    )


class SearchResponse(BaseModel):
    hits: list[SearchHit]
    terms: list[str] = Field(
        default_factory=list, description="the query's words as the index tokenizes them, for highlighting"
    )


class TaskPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[Citation]


class CityInfo(BaseModel):
    city: str
    count: int
    doc_ids: list[str] = Field(description="the plans with tasks benchmarked on the city")


class CitiesResponse(BaseModel):
    cities: list[CityInfo]


class ExampleQuestions(BaseModel):
    zh: list[str]
    en: list[str]


class PlanSummary(BaseModel):
    doc_id: str
    title: str
    doc_number: str | None
    task_count: int
    source_url: str | None
    examples: ExampleQuestions = Field(
        description="questions a widget offers before the first one, made from the plan's own records "
        "(its busiest lead unit, a section, its year's deadlines, a benchmark city; qa/examples.py)"
    )


class ConfigResponse(BaseModel):
    """What an embedded widget needs to know about this service before the first question."""

    hotline: str = Field(
        description="the number offered when the plan does not cover a question; may be empty"
    )
    max_question_chars: int
    plans: list[PlanSummary]


class SectionInfo(BaseModel):
    section_no: int = Field(description="the section's number within its plan")
    section: str
    count: int
    doc_id: str = Field(description="the plan the section belongs to")
    short_title: str = Field(description="that plan's short title")


class SectionsResponse(BaseModel):
    sections: list[SectionInfo]


class UnitInfo(BaseModel):
    unit: str
    lead_count: int
    responsible_count: int
    doc_ids: list[str] = Field(description="the plans that name the unit")


class UnitsResponse(BaseModel):
    units: list[UnitInfo]


class FeedbackRequest(_Request):
    session_id: SessionId | None = None
    question: Annotated[NonBlank, Field(max_length=2000)]
    answer: Annotated[PlainText, Field(max_length=4000)]
    rating: Literal["up", "down"]
    comment: Annotated[PlainText, Field(max_length=1000)] | None = None
    doc_id: AnyOf | None = Field(
        default=None,
        description="the plan(s) the rated answer cites (its citations' doc_id); when left out and one plan "
        "is served, that plan",
    )


class FeedbackCreated(BaseModel):
    id: int


class FeedbackItem(BaseModel):
    id: int
    created_at: str
    session_id: str | None
    question: str
    answer: str
    rating: Literal["up", "down"]
    comment: str | None
    doc_id: str | None = Field(
        description="the plan the rated answer cites; several comma-separated; null when unknown (entries "
        "stored before plans were recorded)"
    )
    doc_ids: list[str] = Field(description="the same as a list (empty when unknown)")


class FeedbackList(BaseModel):
    items: list[FeedbackItem]


class PlanInfo(BaseModel):
    doc_id: str
    title: str
    short_title: str
    doc_number: str | None = Field(description="the issuing number, 伊党办发〔2022〕5号")
    region: str | None
    year: int | None
    task_count: int
    source_url: str | None = Field(
        default=None,
        description="where the plan is published: its override file's source_url, else TASKQA_SOURCE_URL "
        "while one plan is served",
    )


class PlansResponse(BaseModel):
    plans: list[PlanInfo]


class PlanAdded(BaseModel):
    status: Literal["added"]
    plan: PlanInfo
    repairs: int = Field(description="quirks of the file the parser repaired")
    index_version: str
    seconds: float


class ReloadResponse(BaseModel):
    status: Literal["reloaded"]
    index_version: str
    task_count: int
    embedder: str
    seconds: float


class HealthResponse(BaseModel):
    status: Literal["ok"]


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    index_version: str
    task_count: int
    embedder: str
