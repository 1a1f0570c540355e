from __future__ import annotations

import json

import httpx

from corpus import TaskRecord
from qa.rephrase import LLMConfig, rephrase
from qa.types import Answer

CFG = LLMConfig(base_url="http://llm.invalid/v1", model="m")


def _answer(tasks: list[TaskRecord]) -> Answer:
    return Answer(
        text="第233条由伊金霍洛旗供电公司牵头。",
        answerable=True,
        intent="who_leads_task",
        citations=(tasks[232],),
    )


def _client(content: str | None, status: int = 200) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["messages"][1]["content"].startswith("问题：")
        if content is None:
            raise httpx.ConnectTimeout("timeout", request=request)
        return httpx.Response(status, json={"choices": [{"message": {"content": content}}]})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_rephrased_when_numbers_are_kept(tasks: list[TaskRecord]) -> None:
    out = rephrase(_answer(tasks), "q", CFG, client=_client("第233条的牵头单位是伊金霍洛旗供电公司。"))
    assert out.text == "第233条的牵头单位是伊金霍洛旗供电公司。"
    assert out.citations == _answer(tasks).citations


def test_changed_numbers_fall_back(tasks: list[TaskRecord]) -> None:
    out = rephrase(_answer(tasks), "q", CFG, client=_client("第234条由供电公司牵头。"))
    assert out == _answer(tasks)


def test_timeout_and_errors_fall_back(tasks: list[TaskRecord]) -> None:
    assert rephrase(_answer(tasks), "q", CFG, client=_client(None)) == _answer(tasks)
    assert rephrase(_answer(tasks), "q", CFG, client=_client("x", status=500)) == _answer(tasks)


def test_refusals_are_not_sent(tasks: list[TaskRecord]) -> None:
    refusal = Answer(text="抱歉", answerable=False, intent="out_of_scope")
    assert rephrase(refusal, "q", CFG, client=_client("anything")) is refusal
