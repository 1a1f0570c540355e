"""The best match of a single-task question: which neighbours the answer names beside it (``qa.execute``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from corpus import TaskRecord
from qa.execute import Executor
from qa.plan import Ask
from qa.refusal import Evidence
from retriever.expr import Doc, Topic
from retriever.types import Hit, Signal

TEXTS = {
    1: "健全政企沟通机制，每年组织召开企业家恳谈会。",
    2: "营造尊重企业家的社会氛围，评选表彰优秀企业家。",
    3: "建立领导联系企业家制度，定期走访企业家，健全沟通机制。",
}


@dataclass(frozen=True)
class _Match:
    index: int


class _Store:
    """Three tasks of one plan, all about 企业家, ranked 1, 2, 3 with close dense similarities."""

    def __init__(self, records: list[TaskRecord]) -> None:
        self.records = records

    def search(self, query: str, *, top_k: int = 10, where: Any = None) -> list[Hit]:
        return [
            Hit(r, 1.0 - i / 100, i + 1, {"dense": Signal(i + 1, 0.900 - i * 0.001)})
            for i, r in enumerate(self.records)
        ]

    def select(self, where: Any, *, query: str = "") -> list[TaskRecord]:
        assert isinstance(where, Doc)
        return [r for r in self.records if r.doc_id in where.ids]

    def pool(self, where: Any, *, query: str = "") -> list[int]:
        return list(range(len(self.records)))

    def topic(self, topic: Topic, *, query: str = "", within: Any = None) -> list[_Match]:
        return [_Match(i) for i in range(len(self.records))]  # every task is about 企业家

    def records_at(self, indices: Sequence[int]) -> list[TaskRecord]:
        return [self.records[i] for i in indices]


class _Judge:
    def __init__(self, records: list[TaskRecord]) -> None:
        self.records = records

    def holders(self, word: str, doc: str) -> int:
        return sum(word in r.text for r in self.records if r.doc_id == doc)

    def evidence(self, text: str, hits: Sequence[Hit], *, plans: Any = None) -> Evidence:
        return Evidence(
            dense_top=0.9, dense_z=3.0, bm25_top=5.0, coverage=1.0, local_coverage=1.0, english=False
        )


class _Refusal:
    def probability(self, ev: Any) -> float:
        return 0.99

    def threshold_for(self, ev: Any) -> float:
        return 0.5


def _covers(words: Sequence[str], r: TaskRecord) -> float:
    return sum(w in r.text for w in words) / len(words) if words else 0.0


def _executor(tasks: list[TaskRecord]) -> Executor:
    records = [replace(tasks[i - 1], doc_id="p", task_id=i, text=t) for i, t in TEXTS.items()]
    return Executor(_Store(records), _Judge(records), _Refusal(), _covers)  # type: ignore[arg-type]


def _ask(query: str, terms: tuple[str, ...], facets: int = 0) -> Ask:
    topic = Topic(
        " ".join(terms),
        tuple((t,) for t in terms),
        facets=tuple(((t,),) for t in terms) if facets else (),
        least=2,
    )
    return Ask(("lead",), Doc(frozenset({"p"})), "best", query=query, topic=topic)


def test_a_word_only_the_best_task_says_names_it_alone(tasks: list[TaskRecord]) -> None:
    # 恳谈会: only task 1 says it; the close runner-up and the other 企业家 tasks are not named beside it.
    res = _executor(tasks)._best(_ask("企业家恳谈会谁牵头", ("企业家", "恳谈会")), ["企业家", "恳谈会"])
    assert [r.task_id for r in res.records] == [1]
    assert res.runner_up is None and res.related == ()


def test_a_theme_every_task_shares_keeps_its_neighbours(tasks: list[TaskRecord]) -> None:
    res = _executor(tasks)._best(_ask("企业家方面谁牵头", ("企业家",)), ["企业家"])
    assert res.runner_up is not None and [r.task_id for r in res.related] == [2, 3]


def test_a_question_pointing_at_one_task_names_it_alone(tasks: list[TaskRecord]) -> None:
    # 「…那条」 / 「那项政策」: the one task meant, without the close runner-up or the theme's others.
    ask = replace(_ask("企业家沟通机制那项政策谁牵头", ("企业家",)), one=True)
    res = _executor(tasks)._best(ask, ["企业家"])
    assert [r.task_id for r in res.records] == [1]
    assert res.runner_up is None and res.related == ()


def test_the_planner_marks_a_question_pointing_at_one_task(fake_qa: Any) -> None:
    for q in (
        "企业开办大礼包那项政策谁牵头",
        "电子印章推广那条要哪些部门配合",
        "企业家恳谈会这个做法谁在负责",
    ):
        p = fake_qa.read(q).plan
        assert isinstance(p, Ask) and p.pick == "best" and p.one, q
    p = fake_qa.read("电子印章推广要哪些部门配合").plan
    assert isinstance(p, Ask) and not p.one


def test_a_kind_or_several_things_named_keeps_the_theme(tasks: list[TaskRecord]) -> None:
    ex = _executor(tasks)
    kind = ex._best(_ask("企业家恳谈会这些谁牵头", ("企业家", "恳谈会")), ["企业家", "恳谈会"])
    assert [r.task_id for r in kind.related] == [2, 3]
    listed = ex._best(_ask("恳谈会、表彰谁牵头", ("恳谈会", "表彰"), facets=2), ["恳谈会", "表彰"])
    assert [r.task_id for r in listed.related] == [2, 3]


def test_a_word_of_an_example_given_is_not_the_name(tasks: list[TaskRecord]) -> None:
    # The theme is 企业家; 恳谈会 is only in the question's example, not in the theme's words.
    res = _executor(tasks)._best(_ask("企业家的事谁牵头，比如恳谈会", ("企业家",)), ["企业家", "恳谈会"])
    assert [r.task_id for r in res.related] == [2, 3]


def test_the_judge_counts_a_words_holders_within_one_plan(fake_retriever: Any) -> None:
    """``Judge.holders`` counts, in one plan, the tasks ``covers_text`` finds a word alone in: as many as
    checking every task of the plan one by one."""
    from qa.coverage import Judge

    judge = Judge(fake_retriever, embedding=False)
    records = list(fake_retriever.records)
    doc = records[0].doc_id
    mine = [r for r in records if r.doc_id == doc]
    words = {w for r in mine[:40] for w in judge.words(r.text)[:6] if len(w) > 1}
    assert len(words) > 20
    counts = {w: judge.holders(w, doc) for w in sorted(words)}
    for w, n in counts.items():
        assert n == sum(judge.covers_text([w], r) > 0 for r in mine), w
    assert any(n == 1 for n in counts.values()) and any(n > 1 for n in counts.values())
    assert judge.holders("不存在的词语组合", doc) == 0


class _Doubtful(_Refusal):
    def probability(self, ev: Any) -> float:
        return 0.2  # the model reads an amount question as price-like: below the threshold


class _Judged(_Judge):
    def __init__(self, records: list[TaskRecord], local: float) -> None:
        super().__init__(records)
        self.local = local

    def evidence(self, text: str, hits: Sequence[Hit], *, plans: Any = None) -> Evidence:
        return replace(super().evidence(text, hits, plans=plans), local_coverage=self.local)


def _doubtful(tasks: list[TaskRecord], first: str, local: float = 0.95) -> Executor:
    texts = {**TEXTS, 1: first}
    records = [replace(tasks[i - 1], doc_id="p", task_id=i, text=t) for i, t in texts.items()]
    return Executor(_Store(records), _Judged(records, local), _Doubtful(), _covers)  # type: ignore[arg-type]


def test_an_amount_the_best_task_states_is_answered_whatever_the_model_says(tasks: list[TaskRecord]) -> None:
    stated = "评选表彰优秀企业家，对获评的企业家给予3万元奖励。"
    ask = Ask(("text",), Doc(frozenset({"p"})), "best", query="评上优秀企业家的能拿多少奖励")
    assert _doubtful(tasks, stated)._best(ask, ["优秀", "企业家", "奖励"]).outcome == "single"
    # No sum in the text, or a best task holding few of the question's words: refused as before.
    unstated = "评选表彰优秀企业家，对获评的企业家给予奖励。"
    assert _doubtful(tasks, unstated)._best(ask, ["优秀", "企业家", "奖励"]).outcome == "refused"
    assert _doubtful(tasks, stated, local=0.4)._best(ask, ["优秀", "企业家", "奖励"]).outcome == "refused"
    plain = Ask(("text",), Doc(frozenset({"p"})), "best", query="优秀企业家怎么评")
    assert _doubtful(tasks, stated)._best(plain, ["优秀", "企业家"]).outcome == "refused"


def test_one_task_named_by_a_phrase_is_the_one_opening_with_it(tasks: list[TaskRecord]) -> None:
    """「沟通机制那条」: the task whose opening sentence is the phrase with its verb, not the better ranked
    one that holds it inside a longer name; asked without pointing at one task, the ranking stands."""
    texts = [
        "推进企业家沟通机制数字化改革，逐步建立与沟通机制相匹配的服务模式。",
        "健全沟通机制。每季度召开一次座谈会。",
    ]
    records = [replace(tasks[i], doc_id="p", task_id=i + 1, text=t) for i, t in enumerate(texts)]
    ex = Executor(_Store(records), _Judge(records), _Refusal(), _covers)  # type: ignore[arg-type]
    ask = replace(_ask("沟通机制那条谁牵头", ("沟通", "机制")), one=True)
    assert [r.task_id for r in ex._best(ask, ["沟通", "机制"]).records] == [2]
    loose = ex._best(replace(ask, one=False), ["沟通", "机制"])
    assert loose.records[0].task_id == 1


class _GuessStore(_Store):
    class lexicon:  # a stand-in with the one method used
        @staticmethod
        def canon(name: str, doc_id: str | None = None) -> str:
            return name


def test_a_unit_guessed_at_as_lead_says_who_not_what(tasks: list[TaskRecord]) -> None:
    """「X是不是市场监管局牵头」: the unit's name is no part of what is asked about, so a task whose text
    shares words of its name (市场, 监管) is not promoted over the one that says X."""
    texts = ["推行“联合抽查”制度，合并同一企业的检查事项。", "加强市场监管执法，规范市场监管行为。"]
    leads = [("州司法局",), ("州市场监管局",)]
    records = [
        replace(tasks[i], doc_id="p", task_id=i + 1, text=t, lead_units=u, responsible_units=())
        for i, (t, u) in enumerate(zip(texts, leads, strict=True))
    ]
    ex = Executor(_GuessStore(records), _Judge(records), _Refusal(), _covers)  # type: ignore[arg-type]
    ask = replace(
        _ask("联合抽查是不是州市场监管局牵头", ("联合抽查",)), prefer_units=frozenset({"州市场监管局"})
    )
    words = ["联合抽查", "市场", "监管", "市场监管", "州市场监管局"]
    assert ex.ranked(ask, words)[0].record.task_id == 1
