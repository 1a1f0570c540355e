"""Optional LLM phrasing (off by default; no test or default path needs a model).

An OpenAI-compatible chat endpoint may rephrase the deterministic answer, and only that:
the prompt carries the answer and the cited records, nothing else. The rephrased text must
cite exactly the same task numbers as the deterministic one (checked with
``qa.verify.cited_numbers``); citations still come from the server's records. On any error,
timeout or check failure the deterministic answer is returned unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from qa.types import Answer
from qa.verify import cited_numbers

log = logging.getLogger("taskqa.qa.rephrase")

SYSTEM_PROMPT = (
    "你是政务问答助手的润色器。只改写给定答案的措辞，使其通顺简洁；不得增加、删除或改变任何事实、单位、"
    "时限或任务编号；任务编号必须保持“第N条”或“第N、M条”的写法；引用的任务原文放在「」中且不得改动。"
    "如果问题是英文，用英文作答，任务编号写作 task N。只输出改写后的答案。"
)


@dataclass(frozen=True, slots=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 4.0


def rephrase(answer: Answer, question: str, cfg: LLMConfig, *, client: Any | None = None) -> Answer:
    """The answer in the model's words, or the original when anything is off."""
    if not answer.answerable or not answer.text:
        return answer
    import httpx

    own = client is None
    http = client or httpx.Client(timeout=cfg.timeout_s)
    try:
        headers = {"Authorization": f"Bearer {cfg.api_key}"} if cfg.api_key else {}
        resp = http.post(
            cfg.base_url.rstrip("/") + "/chat/completions",
            headers=headers,
            json={
                "model": cfg.model,
                "temperature": 0,
                "messages": [
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": f"问题：{question}\n\n答案：\n{answer.text}"},
                ],
            },
            timeout=cfg.timeout_s,
        )
        resp.raise_for_status()
        text = str(resp.json()["choices"][0]["message"]["content"]).strip()
    except Exception as exc:  # any failure falls back to the deterministic answer
        log.warning("LLM phrasing failed, deterministic answer kept: %s", type(exc).__name__)
        return answer
    finally:
        if own:
            http.close()
    if not text or cited_numbers(text) != cited_numbers(answer.text):
        log.warning("LLM phrasing changed the cited task numbers; deterministic answer kept")
        return answer
    notes = (*answer.trace.notes, "rephrased by LLM")
    return replace(answer, text=text, trace=replace(answer.trace, notes=notes))
