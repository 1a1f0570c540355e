"""Admission by cost and by client key (issue 13, items 2 and 3), in process.

Every assertion here is about what is charged and refused, never about how long anything took: the
length estimate is a deterministic floor, and the one measured cost comes from a QA that burns a known
amount of CPU time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.clientkey import client_key
from api.cost import CostModel, Meter
from api.ratelimit import TokenBucketLimiter
from api.services import Services
from qa import Answer
from tests.api_helpers import QUESTION, Wrapping, assert_error, fake_app, make_settings

ASK, SEARCH = "/api/v1/ask", "/api/v1/search"
LONG = "问" * 500  # the longest question the default limit allows: estimated at 1,000 ms


# -- client keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:DB8:0:0::1", "2001:db8::/64"),
        ("2001:0db8:0000:0000:ffff:ffff:ffff:ffff", "2001:db8::/64"),
        ("[2001:db8::1]", "2001:db8::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::1", "::/64"),
        ("testclient", "unknown"),
        ("not an address", "unknown"),
        ("", "unknown"),
        (None, "unknown"),
    ],
)
def test_client_keys_are_normalized(host: str | None, key: str) -> None:
    assert client_key(host) == key


def test_25_addresses_of_one_64_share_one_bucket_and_5_spellings_one(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any
) -> None:
    app = fake_app(make_settings(tmp_path, rate_per_minute=1, burst=3), fake_retriever, fake_qa)
    same_64 = [f"2001:db8:1:2::{i:x}" for i in range(1, 26)]
    spellings = [
        "2001:db8:9::1",
        "2001:DB8:9::1",
        "2001:0db8:0009:0000:0000:0000:0000:0001",
        "2001:db8:9:0::1",
    ]
    with TestClient(app):  # runs the lifespan once; the clients below share its services
        assert [_ask(app, host) for host in same_64] == [200] * 3 + [429] * 22
        assert [_ask(app, host) for host in spellings] == [200] * 3 + [429]
        assert _ask(app, "2001:db8:1:3::1") == 200  # another /64 has its own bucket
        assert _ask(app, "::ffff:198.51.100.1") == 200


def _ask(app: FastAPI, host: str, question: str = QUESTION) -> int:
    """One question from ``host`` (a TestClient outside ``with`` does not restart the lifespan)."""
    return TestClient(app, client=(host, 50000)).post(ASK, json={"question": question}).status_code


# -- the buckets ----------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cost_bucket_admits_what_the_balance_covers_and_carries_debt() -> None:
    clock = Clock()
    bucket = TokenBucketLimiter(rate_per_minute=6000, burst=3000, clock=clock)  # 100 ms of budget a second
    assert [bucket.admit("a", 1000) for _ in range(3)] == [0.0] * 3  # balance 0
    assert bucket.admit("a", 1000) == pytest.approx(10.0)  # 1,000 ms at 100 ms/s
    assert bucket.admit("a", 5000) == pytest.approx(30.0)  # above the burst: a full bucket will do
    clock.now = 10.0
    assert bucket.admit("a", 1000) == 0.0
    bucket.charge("a", 500)  # that one cost 500 ms more than estimated
    assert bucket.balance("a") == pytest.approx(-500)
    assert bucket.admit("a", 0) == pytest.approx(5.0, rel=1e-3)  # the debt is paid first
    clock.now = 15.01
    assert bucket.admit("a", 0) == 0.0
    assert bucket.balance("b") == 3000  # another client is untouched


def test_refund_gives_back_what_a_shed_request_spent() -> None:
    clock = Clock()
    bucket = TokenBucketLimiter(rate_per_minute=1, burst=2, clock=clock)
    assert bucket.acquire("a") == 0.0 and bucket.acquire("a") == 0.0
    assert bucket.acquire("a") > 0
    bucket.refund("a")
    assert bucket.acquire("a") == 0.0
    bucket.refund("a", 10)
    assert bucket.balance("a") == 2  # never above the burst


def test_cost_model_and_meter() -> None:
    model = CostModel(ms_per_char=2.0, expensive_ms=200.0)
    assert model.estimate_ms(LONG) == 1000.0 and model.is_expensive(1000.0)
    assert model.estimate_ms("问" * 99) == 198.0 and not model.is_expensive(198.0)
    meter = Meter()
    with meter.measure():
        _burn(0.02)
    with meter.measure():
        time.sleep(0.02)  # waiting is not CPU time
    assert 20.0 <= meter.cpu_ms < 35.0


def _burn(seconds: float) -> None:
    """Use ``seconds`` of this thread's CPU time."""
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        pass


# -- admission over HTTP ----------------------------------------------------------------------------------


def services_of(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


def test_long_questions_are_admitted_by_their_cost(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    """At 6,000 ms a minute with a 3,000 ms burst, an address asking 500-character questions gets 3
    in at once, then 429s, while another address asking ordinary questions is not affected."""
    settings = make_settings(tmp_path, cost_ms_per_minute=6000, cost_burst_ms=3000)
    app = fake_app(settings, fake_retriever, fake_qa)
    with TestClient(app):
        attacker = TestClient(app, client=("203.0.113.5", 40000))
        statuses = [attacker.post(ASK, json={"question": LONG}).status_code for _ in range(6)]
        assert statuses == [200] * 3 + [429] * 3
        refused = attacker.post(SEARCH, json={"query": LONG})  # search draws on the same budget
        assert_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["retry-after"]) <= 11
        user = TestClient(app, client=("198.51.100.20", 40000))
        assert [user.post(ASK, json={"question": QUESTION}).status_code for _ in range(20)] == [200] * 20


class BurningQA(Wrapping):
    """Uses a known amount of CPU time per answer."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    def answer(self, question: str, *, session: Any = None, doc_id: str | None = None) -> Answer:
        _burn(self.seconds)
        ans: Answer = self.inner.answer(question, session=session, doc_id=doc_id)
        return ans


def test_measured_cpu_time_beyond_the_estimate_is_charged(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any
) -> None:
    settings = make_settings(tmp_path, cost_ms_per_minute=60, cost_burst_ms=1000, cost_ms_per_char=0.0)
    app = fake_app(settings, fake_retriever, BurningQA(fake_qa, 0.3))
    with TestClient(app) as c:
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200
        balance = services_of(app).cost_limiter.balance("unknown")
        assert balance <= 1000 - 300 + 5  # charged at least the 300 ms burnt (plus a little refill)
        assert [c.post(ASK, json={"question": QUESTION}).status_code for _ in range(4)] == [
            200,
            200,
            200,
            429,
        ]


def test_long_questions_get_only_the_expensive_slots(
    tmp_path: Path, fake_retriever: Any, fake_qa: Any
) -> None:
    app = fake_app(make_settings(tmp_path, max_concurrency=4, expensive_slots=2), fake_retriever, fake_qa)
    with TestClient(app) as c:
        services = services_of(app)
        assert services.expensive.limit == 2
        held = [services.expensive.try_acquire() for _ in range(2)]  # two long questions in progress
        assert held == [True, True]
        shed = c.post(ASK, json={"question": LONG})
        assert_error(shed, 503, "overloaded")
        assert c.post(ASK, json={"question": QUESTION}).status_code == 200  # ordinary ones still get in
        for _ in held:
            services.expensive.release()
        assert c.post(ASK, json={"question": LONG}).status_code == 200
        assert services.cpu.free == 4 and services.expensive.free == 2


def test_a_shed_request_spends_no_token(tmp_path: Path, fake_retriever: Any, fake_qa: Any) -> None:
    """503 means "come back": it must not also use up the client's rate limit or its CPU budget."""
    settings = make_settings(
        tmp_path, rate_per_minute=1, burst=2, max_concurrency=1, cost_ms_per_minute=1, cost_burst_ms=100
    )
    app = fake_app(settings, fake_retriever, fake_qa)
    with TestClient(app) as c:
        services = services_of(app)
        assert services.cpu.try_acquire()  # the only slot is busy
        statuses = [c.post(ASK, json={"question": QUESTION}).status_code for _ in range(5)]
        assert statuses == [503] * 5
        assert services.query_limiter.balance("unknown") == pytest.approx(2, abs=0.01)
        assert services.cost_limiter.balance("unknown") == pytest.approx(100, abs=0.01)
        services.cpu.release()
        statuses = [c.post(ASK, json={"question": QUESTION}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
