"""The shipped plan and the two fixture plans (云岭州 .docx, 青川市 .xlsx) answered together and one at a
time: no citation points at the wrong plan, the same task number in two plans never merges, another region's
unit is refused, a plan named by its region, title or year scopes the answer (fake embedder: what is checked
here does not depend on ranking quality)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.records import TaskRecord
from eval.plans import gather_plans
from index.store import build_and_save, current_version_dir
from qa import QA, Ask, Reply, Session, check_citations, cited_keys
from retriever import load_retriever
from retriever.expr import Doc, Due, Or, Topic, leaves
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (ROOT / "corpus" / "data" / "plans", ROOT / "tests" / "data" / "plans")
FIRST, YUNLING, QINGCHUAN = "ejin-horo-business-environment-plan-2022", "yunling-2023", "qingchuan-2024"
QUESTIONS = ROOT / "eval" / "data" / "plans3" / "questions.jsonl"


def _qa(root: Path, files: list[Path] | None = None) -> QA:
    folder = root / "plans"
    if files is None:
        gather_plans(FOLDERS, folder)
    else:
        folder.mkdir(parents=True)
        for f in files:
            for src in (f, f.with_suffix(".toml")):
                if src.is_file():
                    (folder / src.name).write_bytes(src.read_bytes())
    build_and_save(root=root / "index", data_dir=folder, embedder=FakeEmbedder())
    return QA(load_retriever(current_version_dir(root / "index"), embedder=FakeEmbedder()))


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> QA:
    return _qa(tmp_path_factory.mktemp("three"))


def _questions() -> list[list[str]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    asked = [r.get("turns") or [r["question"]] for r in rows]
    made = [
        [f"{region}第{n}条是什么？"]
        for region in ("云岭州", "青川市", "伊旗", "")
        for n in (1, 5, 17, 33, 60, 64)
    ]
    made += [[f"{unit}牵头哪些任务？"] for unit in ("税务局", "市场监管局", "财政局", "司法局", "发展改革委")]
    made += [["年内要完成哪些任务？"], ["持续推进的任务有哪些"], ["第5条谁牵头", "那第6条呢"]]
    return asked + made


def test_no_citation_points_at_the_wrong_plan(three: QA) -> None:
    """Property over every question of the three-plan set and more: each reference in the text names the plan
    of the record cited for it, that record is the store's (not a namesake from another plan), and an answer
    scoped to plans cites only them."""
    store = three.r
    checked = 0
    for turns in _questions():
        session = Session(id="p")
        for turn in turns:
            reading = three.read(turn, session=session)
            ans = three.answer(turn, session=session)
            assert check_citations(ans, three.naming) == [], turn
            keys = cited_keys(ans.text, three.naming)
            assert all(doc in three.naming.shorts for doc, _ in keys), (turn, keys)
            assert [c.key for c in ans.citations] == keys
            for c in ans.citations:
                assert store.get_key(c.key) == c, (turn, c.key)
            if reading.scope is not None and isinstance(reading.plan, Ask):
                assert {c.doc_id for c in ans.citations} <= reading.scope, turn
            checked += len(ans.citations)
    assert checked > 1000


def test_the_same_number_in_three_plans_never_merges(three: QA) -> None:
    ans = three.answer("第5条是什么？")
    assert [c.key for c in ans.citations] == [(doc, 5) for doc in three.naming.shorts]
    assert set(three.naming.shorts) == {FIRST, YUNLING, QINGCHUAN}
    texts = {c.doc_id: c.text for c in ans.citations}
    assert len(set(texts.values())) == 3
    for c in ans.citations:
        assert f"《{three.naming.shorts[c.doc_id]}》第5条" in ans.text
        assert c.text in ans.text


@pytest.mark.parametrize(
    ("question", "place"),
    [
        ("达拉特旗财政局牵头哪些任务？", "达拉特旗"),
        ("准格尔旗政务服务局牵头哪些任务", "准格尔旗"),
        ("东海省的营商环境方案里法院牵头几项", "东海省"),
        ("南屏省的营商环境方案有多少条", "南屏省"),  # the province above 云岭州: its own plan is not loaded
    ],
)
def test_another_regions_unit_or_plan_is_refused(three: QA, fake_qa: QA, question: str, place: str) -> None:
    for qa in (three, fake_qa):
        ans = qa.answer(question)
        assert not ans.answerable and not ans.citations, ans.text
        assert f"不包括{place}的任务" in ans.text
    assert "这是本旗的方案" in fake_qa.answer(question).text
    assert "这是伊金霍洛旗、青川市、云岭州的方案" in three.answer(question).text


@pytest.mark.parametrize(
    "question",
    [
        "青川市方案里哪些任务由州司法局牵头？",
        "云岭州方案里青川市财政局负责什么",
        "青川市的方案里伊旗税务局牵头几项？",
    ],
)
def test_a_unit_of_another_plan_than_the_one_asked_about_is_refused(three: QA, question: str) -> None:
    ans = three.answer(question)
    assert not ans.answerable and not ans.citations
    assert "这个单位的任务" in ans.text


@pytest.mark.parametrize(
    ("question", "docs"),
    [
        ("2023年的方案里税务局牵头几项？", {YUNLING}),
        ("2024年的方案里市场监管局牵头哪些任务", {QINGCHUAN}),
        ("两个2023年以后的方案里，海关牵头的任务", {YUNLING, QINGCHUAN}),
        ("青川市的方案里法院牵头几项", {QINGCHUAN}),
        ("云岭州那个方案里破产的事谁牵头", {YUNLING}),
        ("云岭州和青川市的方案里，人才引进都是谁牵头", {YUNLING, QINGCHUAN}),
        ("伊党办发〔2022〕5号里园区集中办理点什么时候完成？", {FIRST}),
        ("《青川市2024年营商环境重点任务分工表》里税务局牵头哪些任务", {QINGCHUAN}),
        ("Qingchuan: which tasks does the tax bureau lead?", {QINGCHUAN}),
        ("云岭州税务局参与了哪些任务", None),  # the unit says which plan; no scope needed
        # a year with a count of plans before 方案; years in brackets after it; the newest plans by count
        ("2023年以前那两个方案里税务局牵头的任务", {FIRST, YUNLING}),
        ("这两个方案（2022年的、2024年的）里市场监管局牵头哪些任务", {FIRST, QINGCHUAN}),
        ("最新的两个方案里财政局牵头的有哪些", {YUNLING, QINGCHUAN}),
    ],
)
def test_a_plan_named_in_the_question_scopes_it(three: QA, question: str, docs: set[str] | None) -> None:
    reading = three.read(question)
    assert isinstance(reading.plan, Ask), reading.plan
    assert reading.scope == (frozenset(docs) if docs else None)
    if docs:
        assert Doc(frozenset(docs)) in leaves(reading.plan.where)
        ans = three.answer(question)  # the fake embedder may find nothing: what it cites is in scope
        assert {c.doc_id for c in ans.citations} <= docs, ans.text


@pytest.mark.parametrize(
    ("question", "docs"),
    [
        # a region above the plan's before its name; a document word (表格, 那份); words of its title
        ("南屏省云岭州的方案里财政局牵头几项", {YUNLING}),
        ("青川表格里税务局牵头的任务", {QINGCHUAN}),
        ("伊旗那份里人社局牵头的有哪些", {FIRST}),
        ("青川那边税务局牵头的有几条", {QINGCHUAN}),
        ("青川市那个重点任务分工表里财政局牵头的", {QINGCHUAN}),
        # its level word when no other loaded plan has it; a list of years
        ("州里的方案中税务局牵头的任务", {YUNLING}),
        ("2022年和2024年两个方案里海关牵头的", {FIRST, QINGCHUAN}),
        ("州里和市里两个方案中法院牵头的", {YUNLING, QINGCHUAN}),
        # words only one plan's title has, before a plan word (not the kind of plan: 实施方案)
        ("那个三年行动方案里税务局牵头的", {YUNLING}),
        ("重点任务分工表里财政局牵头的", {QINGCHUAN}),
    ],
)
def test_the_words_naming_a_plan_are_its_scope_not_a_theme(three: QA, question: str, docs: set[str]) -> None:
    reading = three.read(question)
    assert isinstance(reading.plan, Ask), reading.plan
    assert reading.scope == frozenset(docs)
    assert not [leaf for leaf in leaves(reading.plan.where) if isinstance(leaf, (Topic, Due))], reading.plan
    assert reading.plan.pick == "all" and reading.plan.topic is None


@pytest.mark.parametrize(
    "question",
    [
        "云岭州2021年的方案里有什么",
        "2020年的方案里税务局牵头几项",
        "云岭州2024年新出台的营商环境方案有哪些任务",  # a year of another loaded plan than the region's
        "2021年印发的行动方案里税务局牵头几项",
        "青川2023年的重点任务分工表里税务局牵头几项",  # the region's plan is of another year
        "云岭州2024年的工作要点里都说了啥",
        "伊旗2024年又出了新的营商环境方案吗",
    ],
)
def test_a_plan_year_no_loaded_plan_has_is_another_plan(three: QA, question: str) -> None:
    assert three.read(question).plan == Reply("other_plan")
    ans = three.answer(question)
    assert not ans.answerable and "已收录的3个方案" in ans.text


def test_date_words_without_a_year_are_read_in_each_plans_year(three: QA) -> None:
    def before(question: str) -> set[tuple[int, int] | None]:
        plan = three.read(question).plan
        assert isinstance(plan, Ask)
        return {d.before for d in leaves(plan.where) if isinstance(d, Due)}

    assert before("云岭州年内要完成哪些任务") == {(2023, 12)}
    across = three.read("年内要完成哪些任务")
    assert isinstance(across.plan, Ask) and isinstance(across.plan.where, Or)
    years = {d.before for d in leaves(across.plan.where) if isinstance(d, Due)}
    assert years == {(2022, 12), (2023, 12), (2024, 12)}
    ans = three.answer("年内要完成哪些任务")
    for c in ans.citations:
        year = {FIRST: 2022, YUNLING: 2023, QINGCHUAN: 2024}[c.doc_id]
        assert c.deadline_ym is not None and c.deadline_ym <= (year, 12)
    assert before("云岭州市场监管局牵头、年内要完成的任务") == {(2023, 12)}  # a unit of one plan: its year


@pytest.mark.parametrize(
    ("question", "doc", "pred"),
    [
        # 年内 negated: not the tasks whose deadline is written 年内 (they have a month, the year's end: a
        # window up to December would drop every dated task of the year too), read in the plan asked about.
        (
            "青川市市场监管局牵头的任务，哪些不是年内的",
            QINGCHUAN,
            lambda r: "市市场监管局" in r.lead_units and r.deadline_kind != "within_year",
        ),
        (
            "云岭州里州市场监管局牵头但不属于年内完成的有几项",
            YUNLING,
            lambda r: "州市场监管局" in r.lead_units and r.deadline_kind != "within_year",
        ),
        # Said as how the deadline is written (写 / quoted): those tasks only.
        ("云岭州完成时限写的是年内的有哪些", YUNLING, lambda r: r.deadline_kind == "within_year"),
        ("青川表里期限写着“年内”的任务有哪些", QINGCHUAN, lambda r: r.deadline_kind == "within_year"),
        # A plan that writes no deadline so: a window up to its year's end, in its own year.
        (
            "伊旗工信局牵头的，不是年内的",
            FIRST,
            lambda r: "旗工信局" in r.lead_units and not (r.deadline_ym and r.deadline_ym <= (2022, 12)),
        ),
    ],
)
def test_within_the_year_negated_or_as_written_is_the_deadline_written_so(
    three: QA, question: str, doc: str, pred: Callable[[TaskRecord], bool]
) -> None:
    gold = _gold(three, doc, pred)
    assert gold and gold != _gold(three, doc, lambda r: True)
    assert {c.key for c in three.answer(question).citations} == gold


@pytest.mark.parametrize(
    ("question", "doc", "pred"),
    [
        # Removed from a list (除掉, 去除): a filter, each removed name negated (每季度: the deadline).
        (
            "青川市市场监管局牵头的，除掉每季度的还剩哪些",
            QINGCHUAN,
            lambda r: "市市场监管局" in r.lead_units and r.deadline_kind != "recurring",
        ),
        (
            "云岭州长期坚持的任务，除掉州发展改革委牵头的还有啥",
            YUNLING,
            lambda r: "州发展改革委" not in r.lead_units and _undated_apart(r, "长期坚持"),
        ),
        (
            "云岭州州市场监管局牵头的事，去除按季度开展和长期坚持的",
            YUNLING,
            lambda r: (
                "州市场监管局" in r.lead_units
                and r.deadline_kind != "recurring"
                and not _undated_apart(r, "长期坚持")
            ),
        ),
        # 「那种」 after a negated deadline kind says what kind of task: no theme, every match.
        (
            "青川市发改委牵头、不是持续推进那种的任务",
            QINGCHUAN,
            lambda r: "市发展改革委" in r.lead_units and not _undated_apart(r, "持续推进"),
        ),
    ],
)
def test_names_removed_from_a_list_are_negated_filters(
    three: QA, question: str, doc: str, pred: Callable[[TaskRecord], bool]
) -> None:
    gold = _gold(three, doc, pred)
    assert len(gold) > 1
    assert {c.key for c in three.answer(question).citations} == gold


@pytest.mark.parametrize(
    ("question", "doc", "section"),
    [
        # A part two loaded plans' sections share (开放合作): the section of the plan asked about.
        ("云岭州开放合作里有哪些任务", YUNLING, "促进开放合作"),
        ("青川市开放合作里有哪些任务", QINGCHUAN, "扩大开放合作"),
        # A short name before an area word, its pieces apart in the name: that plan's one section.
        ("青川融资人才那块有哪些任务", QINGCHUAN, "强化融资和人才支持"),
        ("云岭州运营成本方面都有哪些任务", YUNLING, "降低企业运营成本"),
        ("云岭州准入退出那章有哪些任务", YUNLING, "优化市场准入退出"),
        # one word of one section's name before an area word
        ("青川法治那章里都有啥任务", QINGCHUAN, "加强法治保障"),
        ("云岭州要素这块的任务", YUNLING, "强化要素保障"),
    ],
)
def test_a_sections_short_name_in_the_plan_asked_about(
    three: QA, question: str, doc: str, section: str
) -> None:
    gold = _gold(three, doc, lambda r: r.section == section)
    assert len(gold) > 1
    assert {c.key for c in three.answer(question).citations} == gold


def _by_kind(qa: QA, doc: str | None, kind: str, every: str | None = None) -> set[tuple[str, int]]:
    return {
        r.key
        for r in qa.r.records
        if (doc is None or r.doc_id == doc)
        and r.deadline_kind == kind
        and (every is None or r.deadline_every == every)
    }


@pytest.mark.parametrize(
    ("question", "where", "doc", "kinds"),
    [
        (
            "青川市每季度要做的事情有哪些",
            "And(Doc(qingchuan-2024), Recurring(quarter))",
            QINGCHUAN,
            ["recurring"],
        ),
        ("每季度要做的任务有哪些", "Recurring(quarter)", None, ["recurring"]),
        (
            "云岭州哪些任务是每季度完成的",
            "And(Doc(yunling-2023), Recurring(quarter))",
            YUNLING,
            ["recurring"],
        ),
        (
            "青川市完成时限为每季度的任务有几项",
            "And(Doc(qingchuan-2024), Recurring(quarter))",
            QINGCHUAN,
            ["recurring"],
        ),
        ("云岭州定期开展的工作有哪些", "And(Doc(yunling-2023), Recurring(any))", YUNLING, ["recurring"]),
        (
            "Which Qingchuan tasks are due every quarter?",
            "And(Doc(qingchuan-2024), Recurring(quarter))",
            QINGCHUAN,
            ["recurring"],
        ),
        # Ongoing is every task without a completion month: those that go on and those that recur (one word
        # of the two a plan writes apart, named alone, is only its tasks: test_a_plans_own_word_…).
        ("哪些任务没有具体的截止时间", "Ongoing", None, ["ongoing", "recurring"]),
        (
            "云岭州哪些任务是长期坚持、持续推进的？",
            "And(Doc(yunling-2023), Ongoing)",
            YUNLING,
            ["ongoing", "recurring"],
        ),
    ],
)
def test_recurring_and_open_deadlines_are_filtered_by_the_deadlines_kind(
    three: QA, question: str, where: str, doc: str | None, kinds: list[str]
) -> None:
    plan = three.read(question).plan
    assert isinstance(plan, Ask) and str(plan.where) == where
    ans = three.answer(question)
    expected = set().union(*(_by_kind(three, doc, k) for k in kinds))
    assert ans.answerable and expected and {c.key for c in ans.citations} == expected
    assert f"共 {len(expected)} 项" in ans.text or f"{len(expected)} in all" in ans.text


def test_a_frequency_inside_a_tasks_content_is_no_recurring_deadline(three: QA, fake_qa: QA) -> None:
    for question in (
        "护理员每年要培训几个人？",
        "每年创作100件艺术作品，这个任务谁牵头？",
        "12345热线多久通报一次",
    ):
        for qa in (three, fake_qa):
            plan = qa.read(question).plan
            assert not (isinstance(plan, Ask) and "Recurring" in str(plan.where)), question


def test_the_coverage_evidence_is_read_within_one_plan(three: QA, fake_qa: QA) -> None:
    """With several plans loaded the refusal model's evidence is what the plan asked about (or, when none is
    named, the plan of the best match) alone gives: its similarity profile, BM25 and vocabulary."""
    judge = three.judge
    plans = frozenset({FIRST, YUNLING, QINGCHUAN})
    assert judge.vocabulary_of(plans) == judge.vocab  # per plan, the words BM25 indexes
    assert judge.vocabulary_of(frozenset({QINGCHUAN})) < judge.vocab
    question = "留抵退税即申即审"
    hits = three.r.search(question, top_k=5)
    home = frozenset({hits[0].record.doc_id})
    assert judge.evidence(question, hits) == judge.evidence(question, plans=home)
    elsewhere = judge.evidence(question, plans=plans - home)
    assert elsewhere.coverage <= judge.evidence(question, plans=home).coverage
    # Words every plan uses: the similarity profile is the best match's plan's own, not flattened by the
    # other plans' tasks on the same theme.
    common = "政务服务一窗受理"
    hits = three.r.search(common, top_k=5)
    ev = judge.evidence(common, hits)
    own = three.r.search(common, top_k=5, where=Doc(frozenset({hits[0].record.doc_id})), mode="dense")
    assert [ev.dense_top, ev.sim_second, ev.sim_fifth] == pytest.approx(
        [own[0].signals["dense"].score, own[1].signals["dense"].score, own[4].signals["dense"].score]
    )
    everywhere = three.r.top_similarities(common, 5)
    assert float(everywhere[4]) >= ev.sim_fifth
    assert not fake_qa.judge._several  # one plan: the evidence as it always was


def test_which_plans_lists_matches_grouped_by_plan_with_counts(three: QA) -> None:
    ans = three.answer("哪些方案里有电力接入的任务？")
    by_plan: dict[str, int] = {}
    for c in ans.citations:
        by_plan[c.doc_id] = by_plan.get(c.doc_id, 0) + 1
    assert ans.answerable and len(by_plan) >= 2 and f"分布在 {len(by_plan)} 个方案" in ans.text
    for doc, n in by_plan.items():
        assert f"《{three.naming.shorts[doc]}》" in ans.text and f"（{n}项）" in ans.text


def test_replies_name_the_plans_loaded_or_asked_about(three: QA, fake_qa: QA) -> None:
    assert "已收录的3个方案" in three.answer("你好").text
    assert "《伊金霍洛旗对标先进建设最优营商环境实施方案》" in fake_qa.answer("你好").text
    scoped = three.answer("青川市今天天气怎么样")
    assert not scoped.answerable and "《青川市2024年优化营商环境重点任务分工表》" in scoped.text
    assert "2024年底前" in scoped.text  # the example question is in the plan's year


@pytest.mark.parametrize(
    ("files", "doc"),
    [
        ([FOLDERS[1] / "yunling-2023.docx"], YUNLING),
        ([FOLDERS[1] / "qingchuan-2024.xlsx"], QINGCHUAN),
    ],
)
def test_each_plan_alone_answers_with_bare_references(
    tmp_path: Path, three: QA, files: list[Path], doc: str
) -> None:
    alone = _qa(tmp_path, files)
    assert alone.naming.only == doc
    ans = alone.answer("第5条是什么？")
    assert [c.key for c in ans.citations] == [(doc, 5)] and "《" not in ans.text.split("（")[0]
    together = three.answer("第5条是什么？", doc_id=doc)
    assert [c.key for c in together.citations] == [(doc, 5)]
    mine = three.answer("税务局牵头哪些任务？", doc_id=doc)
    assert mine.citations and alone.answer("税务局牵头哪些任务？").citations == mine.citations


@pytest.mark.parametrize(
    ("question", "unique"),
    [
        ("州司法局或者税务局牵头的任务有哪些？", "州司法局"),
        ("财政局和市人力资源社会保障局牵头的任务", "市人力资源社会保障局"),
    ],
)
def test_units_named_together_are_read_in_one_region(three: QA, question: str, unique: str) -> None:
    """A unit name several plans share, named beside a unit only one plan has, means that plan's unit: the
    answer cites only that plan's records."""
    store = three.r
    (doc,) = {r.doc_id for r in store.records if unique in r.lead_units}
    ans = three.answer(question)
    assert ans.citations and {c.doc_id for c in ans.citations} == {doc}, ans.text


def test_a_question_naming_two_plans_is_answered_from_each(three: QA) -> None:
    """「甲和乙的方案都有…吗」: every task about it in each named plan, not the best match of one of them."""
    plan = three.read("青川市和云岭州的方案都有电力接入服务的任务吗？").plan
    assert isinstance(plan, Ask) and plan.pick == "all" and plan.topic is not None, plan
    assert Doc(frozenset({YUNLING, QINGCHUAN})) in leaves(plan.where), plan


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("云岭州营商环境三年行动方案里，电力接入的任务是哪条？", "云岭州营商环境三年行动方案"),
        ("青川市的方案里法院牵头几项", "青川市"),
    ],
)
def test_a_plans_name_is_not_ranked_as_the_topic(three: QA, question: str, name: str) -> None:
    """The plan's name scopes the question; the words left are what is ranked (its title's 营商环境 would
    otherwise rank the tasks about the business environment as such)."""
    reading = three.read(question)
    assert isinstance(reading.plan, Ask), reading.plan
    assert reading.scope is not None
    assert reading.plan.query and name not in reading.plan.query, reading.plan.query


@pytest.mark.parametrize(
    ("first", "then", "doc"),
    [
        ("青川的方案里税务局牵头几项", "那云岭州呢", YUNLING),
        ("云岭州的方案里法院牵头哪些任务", "那青川市的呢", QINGCHUAN),
    ],
)
def test_another_plan_after_a_plans_answer_asks_the_same_of_it(
    three: QA, first: str, then: str, doc: str
) -> None:
    """「那云岭州呢」 after an answer from 青川's plan asks the same of 云岭州's plan (narrowing 青川's tasks
    to 云岭州's would leave nothing)."""
    session = Session(id="swap")
    three.answer(first, session=session)
    ans = three.answer(then, session=session)
    assert ans.citations and {c.doc_id for c in ans.citations} == {doc}, ans.text


def test_a_region_above_the_plans_is_named_whole(fake_qa: QA) -> None:
    """「鄂尔多斯市的营商环境方案」: the region above the county, by its whole name (not 「多斯市」)."""
    reading = fake_qa.read("鄂尔多斯市的营商环境方案有哪些任务")
    assert reading.plan == Reply("other_place", "鄂尔多斯市"), reading.plan


def test_a_section_word_of_another_plan_stays_the_theme_with_an_area_word(three: QA) -> None:
    """「云岭州破产方面的事谁牵头」: 云岭州's plan has no 办理破产 section, so 破产 is its theme (the
    area-word rule that drops a section's own words applies only to a section that filters the answer)."""
    plan = three.read("云岭州破产方面的事谁牵头").plan
    assert isinstance(plan, Ask) and plan.topic is not None and "破产" in plan.topic.text, plan


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("云岭州中小企业融资和贷款那块谁负责", {"融资", "贷款"}),
        ("青川市纳税缴费方面有哪几条", {"纳税"}),
    ],
)
def test_another_plans_section_words_are_the_theme_in_a_plan_without_it(
    three: QA, question: str, words: set[str]
) -> None:
    # 融资 and 贷款 name the first plan's 获得信贷; 云岭州 has no such section: they are what is asked about.
    plan = three.read(question).plan
    assert isinstance(plan, Ask) and plan.topic is not None, plan
    assert words <= {t[0] for t in plan.topic.terms}, plan.topic


# -- filters over the fixture plans' deadline kinds, sections by number and dates with a day -----------------


def _records(qa: QA, doc: str) -> list[TaskRecord]:
    return qa.r.select(Doc(frozenset({doc})))


def _gold(qa: QA, doc: str, pred: Callable[[TaskRecord], bool]) -> set[tuple[str, int]]:
    return {r.key for r in _records(qa, doc) if pred(r)}


def _undated_apart(r: TaskRecord, word: str) -> bool:
    return r.deadline_kind in ("ongoing", "recurring", "none") and r.deadline == word


@pytest.mark.parametrize(
    ("question", "doc", "pred"),
    [
        (
            "云岭州方案里各县市人民政府配合、长期坚持的任务",
            YUNLING,
            lambda r: "各县市人民政府" in r.responsible_units and _undated_apart(r, "长期坚持"),
        ),
        (
            "青川的表里各区县人民政府配合、持续推进的任务",
            QINGCHUAN,
            lambda r: "各区县人民政府" in r.responsible_units and _undated_apart(r, "持续推进"),
        ),
        (
            "云岭州不是持续推进的州市场监管局牵头任务",
            YUNLING,
            lambda r: "州市场监管局" in r.lead_units and not _undated_apart(r, "持续推进"),
        ),
        (
            "云岭州州发展改革委牵头的任务里不是长期坚持的",
            YUNLING,
            lambda r: "州发展改革委" in r.lead_units and not _undated_apart(r, "长期坚持"),
        ),
        # Both words named: every task without a dated deadline.
        ("云岭州哪些任务是长期坚持、持续推进的", YUNLING, lambda r: r.deadline_ym is None),
        # A plan that writes only one word for them (持续推进): every undated task, whichever word is used.
        ("伊旗长期坚持的任务有哪些", FIRST, lambda r: r.deadline_ym is None),
    ],
)
def test_a_plans_own_word_for_undated_tasks_names_the_tasks_written_so(
    three: QA, question: str, doc: str, pred: Callable[[TaskRecord], bool]
) -> None:
    gold = _gold(three, doc, pred)
    undated = _gold(three, doc, lambda r: r.deadline_ym is None)
    assert gold and gold != _gold(three, doc, lambda r: True)
    if "、" not in question and doc != FIRST:  # the word narrows: not every undated task
        assert gold & undated != undated
    assert {c.key for c in three.answer(question).citations} == gold


def test_both_words_over_two_plans_each_read_in_its_own(three: QA) -> None:
    ans = three.answer("云岭州或青川市长期坚持的任务中发改委牵头的")
    gold = _gold(three, YUNLING, lambda r: "州发展改革委" in r.lead_units and _undated_apart(r, "长期坚持"))
    gold |= _gold(
        three, QINGCHUAN, lambda r: "市发展改革委" in r.lead_units and _undated_apart(r, "长期坚持")
    )
    assert gold and {c.key for c in ans.citations} == gold


@pytest.mark.parametrize(
    ("question", "doc", "pred"),
    [
        (
            "青川市市场监管局牵头的任务中不是每季度的",
            QINGCHUAN,
            lambda r: "市市场监管局" in r.lead_units and r.deadline_kind != "recurring",
        ),
        (
            "云岭州每季度要办、州发展改革委牵头的",
            YUNLING,
            lambda r: "州发展改革委" in r.lead_units and r.deadline_kind == "recurring",
        ),
        (
            "云岭州州工业和信息化局牵头的，不是每季度也不是长期坚持的",
            YUNLING,
            lambda r: (
                "州工业和信息化局" in r.lead_units
                and r.deadline_kind != "recurring"
                and r.deadline != "长期坚持"
            ),
        ),
    ],
)
def test_a_recurring_deadline_negated_or_said_as_a_clause(
    three: QA, question: str, doc: str, pred: Callable[[TaskRecord], bool]
) -> None:
    gold = _gold(three, doc, pred)
    assert gold
    assert {c.key for c in three.answer(question).citations} == gold


def _section_tasks(qa: QA, doc: str, number: int) -> list[int]:
    return sorted(r.task_id for r in _records(qa, doc) if r.section_no == number)


@pytest.mark.parametrize(
    ("question", "doc", "number", "index"),
    [
        ("云岭州第3章倒数第二条", YUNLING, 3, -2),
        ("云岭州第5章第一条", YUNLING, 5, 0),
        ("青川第2部分最后一条", QINGCHUAN, 2, -1),
        ("青川第三部分倒数第二条谁牵头", QINGCHUAN, 3, -2),
    ],
)
def test_a_section_named_by_its_number(three: QA, question: str, doc: str, number: int, index: int) -> None:
    tasks = _section_tasks(three, doc, number)
    assert [c.key for c in three.answer(question).citations] == [(doc, tasks[index])]


def test_sections_named_by_number_are_excluded(three: QA) -> None:
    ans = three.answer("云岭州发展改革委牵头的任务，既不在第一章也不在第八章的")
    gold = _gold(three, YUNLING, lambda r: "州发展改革委" in r.lead_units and r.section_no not in (1, 8))
    assert gold and {c.key for c in ans.citations} == gold


def test_a_section_number_past_the_plans_sections_is_another_part(three: QA) -> None:
    last = max(r.section_no for r in _records(three, YUNLING))
    ans = three.answer(f"云岭州第{last + 1}章有哪些任务")
    assert not ans.answerable and not ans.citations


def test_a_date_with_a_day_is_read_by_its_month(three: QA) -> None:
    ans = three.answer("青川市2024年9月30日前要完成的任务")
    gold = _gold(three, QINGCHUAN, lambda r: r.deadline_ym is not None and r.deadline_ym <= (2024, 9))
    assert gold and {c.key for c in ans.citations} == gold


@pytest.mark.parametrize(
    ("question", "doc", "pred"),
    [
        # A section named as a task (加强法治保障) is named by its words without the verb.
        (
            "云岭州法治保障部分既不是州发展改革委也不是州市场监管局牵头的任务",
            YUNLING,
            lambda r: (
                r.section == "加强法治保障" and not {"州发展改革委", "州市场监管局"} & set(r.lead_units)
            ),
        ),
        (
            "青川市要素成本方面年内要完成的任务",
            QINGCHUAN,
            lambda r: (
                r.section == "降低要素成本" and r.deadline_ym is not None and r.deadline_ym <= (2024, 12)
            ),
        ),
        # No month or date written: every undated task.
        (
            "云岭州哪些任务既没有明确月份，又是州发展改革委牵头的",
            YUNLING,
            lambda r: "州发展改革委" in r.lead_units and r.deadline_ym is None,
        ),
        (
            "青川市没有写具体日期、由市市场监管局牵头的任务",
            QINGCHUAN,
            lambda r: "市市场监管局" in r.lead_units and r.deadline_ym is None,
        ),
        # Month ends side by side are alternatives.
        (
            "云岭州6月底和9月底到期的州司法局牵头任务",
            YUNLING,
            lambda r: "州司法局" in r.lead_units and r.deadline_ym in ((2023, 6), (2023, 9)),
        ),
    ],
)
def test_more_filters_over_one_fixture_plan(
    three: QA, question: str, doc: str, pred: Callable[[TaskRecord], bool]
) -> None:
    gold = _gold(three, doc, pred)
    assert gold
    assert {c.key for c in three.answer(question).citations} == gold


def test_a_unit_said_with_its_region_as_an_alternative_names_its_plan(three: QA) -> None:
    ans = three.answer("云岭州州税务局牵头的或者青川市税务局牵头的任务")
    gold = _gold(three, YUNLING, lambda r: "州税务局" in r.lead_units)
    gold |= _gold(three, QINGCHUAN, lambda r: "市税务局" in r.lead_units)
    assert gold and {c.key for c in ans.citations} == gold
    # Not as an alternative: a unit of another plan than the one asked about.
    refused = three.answer("云岭州方案里青川市税务局负责什么")
    assert not refused.answerable and not refused.citations


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("青川的表里不是市税务局牵头的纳税相关任务", "纳税"),
        ("云岭那个表上和信用修复有关的任务有哪些", "信用修复"),
    ],
)
def test_the_task_list_named_by_its_short_word_is_no_topic(three: QA, question: str, topic: str) -> None:
    plan = three.read(question).plan
    assert isinstance(plan, Ask)
    topics = [leaf for leaf in leaves(plan.where) if isinstance(leaf, Topic)]
    assert [t.text.replace(" ", "") for t in topics] == [topic]


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("青川发改委牵头的，不在优化服务保障这章的有哪些", "优化服务保障"),
        ("云岭州发改委牵头但不属于营造亲商氛围的", "营造亲商氛围"),
    ],
)
def test_a_negated_section_found_by_its_name_without_its_verb(three: QA, question: str, section: str) -> None:
    """The verb written before a section's short name is part of the name: the negation reaches it."""
    plan = str(three.read(question).plan)
    assert f"Not(Section({section}))" in plan or f"Not(Or(Section({section})" in plan, plan


@pytest.mark.parametrize(
    ("question", "key", "lead"),
    [
        # another plan's level word before the unit's name
        ("青川市推行企业年报多报合一，是州市场监管局牵头的吗", (QINGCHUAN, 6), "市市场监管局"),
        ("云岭州规范中介服务收费是市发改委牵头吗", (YUNLING, 26), "州行政审批服务局"),
        ("云岭州府院联动机制，是不是旗法院在牵头", (YUNLING, 17), "州中级人民法院"),
        # a unit of the plan that does not lead the task described
        ("云岭州建立歇业备案制度，是不是州税务局负责", (YUNLING, 14), "州市场监管局"),
        ("青川留抵退税即申即审是市财政局牵头吗？", (QINGCHUAN, 22), "市税务局"),
    ],
)
def test_a_guess_at_one_tasks_lead_is_no_filter(
    three: QA, question: str, key: tuple[str, int], lead: str
) -> None:
    """「…是X牵头的吗」 about one task described in words: X is a guess, not a filter — neither a unit the
    plan lacks (refused before) nor one that leads other tasks (answered with one of those before)."""
    plan = three.read(question).plan
    assert isinstance(plan, Ask) and plan.pick == "best", plan
    assert not any(type(x).__name__ == "Lead" for x in leaves(plan.where)), plan.where
    assert any(lead in r.lead_units for r in three.r.records if r.key == key)
    assert "这个单位的任务" not in three.answer(question).text  # not refused as a unit the plan lacks
    assert key in {h.record.key for h in three.r.search(plan.query, top_k=5, where=plan.where)}


@pytest.mark.parametrize(
    "question",
    [
        "青川市方案里是州司法局牵头的吗",
        "青川市方案里哪些任务是州司法局牵头",
        "云岭州方案里市发改委牵头的有几条",
    ],
)
def test_a_unit_of_another_plan_without_a_task_described_is_still_refused(three: QA, question: str) -> None:
    ans = three.answer(question)
    assert not ans.answerable and "这个单位的任务" in ans.text


@pytest.mark.parametrize(
    ("question", "doc", "unit"),
    [
        ("云岭州方案里跟州公安局有关的任务", YUNLING, "州公安局"),
        ("青川那份表里和市教育局有关的有哪些", QINGCHUAN, "市教育局"),
        ("云岭州里头跟州国资委有关的是哪几条", YUNLING, "州国资委"),
    ],
)
def test_a_unit_said_to_be_related_is_either_role(three: QA, question: str, doc: str, unit: str) -> None:
    """「跟X有关的」: the tasks X leads or takes part in."""
    plan = three.read(question).plan
    assert isinstance(plan, Ask) and plan.topic is None, plan
    assert any(type(x).__name__ == "Involves" for x in leaves(plan.where)), plan.where
    ans = three.answer(question)
    want = {
        r.key for r in three.r.records if r.doc_id == doc and unit in (*r.lead_units, *r.responsible_units)
    }
    assert {c.key for c in ans.citations} == want, ans.text


@pytest.mark.parametrize(
    "question", ["云岭州每季度要办、也是州市场监管局牵头的", "青川表里2024年下半年到期，是市财政局牵头的"]
)
def test_a_unit_beside_another_field_is_a_filter_not_a_guess(three: QA, question: str) -> None:
    plan = three.read(question).plan
    assert isinstance(plan, Ask) and any(type(x).__name__ == "Lead" for x in leaves(plan.where)), plan


@pytest.mark.parametrize(
    ("question", "doc", "word"),
    [
        ("伊旗方案里歇业备案制度谁牵头", YUNLING, "歇业"),  # only 云岭州's plan has it
        ("云岭州方案里涉企执法观察期归哪个部门", QINGCHUAN, "观察期"),
        ("青川分工表里标准地出让谁牵头", YUNLING, "标准地"),
    ],
)
def test_what_only_another_plan_covers_is_not_the_asked_plans(
    three: QA, question: str, doc: str, word: str
) -> None:
    """A plan asked about a measure only another loaded plan's tasks name: refused, never answered with the
    asked plan's nearest task nor with the other plan's."""
    ans = three.answer(question)
    assert not ans.answerable and not ans.citations, ans.text
    assert any(word in n and doc in n for n in ans.trace.notes), ans.trace.notes


@pytest.mark.parametrize(
    ("question", "doc"),
    [
        ("云岭州方案里信易贷平台是谁在推", YUNLING),  # the plan that has it: answered
        ("青川分工表里涉企执法观察期归哪个部门", QINGCHUAN),
        ("云岭州方案里标准地出让谁牵头", YUNLING),
        ("云岭州方案里开个公司要几天", YUNLING),  # a common word (公司) the plan words otherwise
    ],
)
def test_a_measure_the_asked_plan_has_is_answered_from_it(three: QA, question: str, doc: str) -> None:
    ans = three.answer(question)
    assert not any("not the plans asked about" in n for n in ans.trace.notes), ans.trace.notes
    assert all(c.doc_id == doc for c in ans.citations)


def test_a_word_of_another_plan_held_by_many_tasks_is_no_measure(three: QA) -> None:
    judge = three.judge
    best = next(r for r in three.r.select(Doc(frozenset({FIRST}))) if "公司" in r.text)
    assert judge.elsewhere(["公司"], frozenset({YUNLING}), best) is None  # many tasks hold it
    assert judge.elsewhere(["公司"], frozenset({YUNLING}), best, most=1000) == ("公司", FIRST)
    assert judge.elsewhere(["公司"], frozenset({FIRST}), best, most=1000) is None  # the asked plan's own
    credit = next(r for r in three.r.select(Doc(frozenset({YUNLING}))) if "信易贷" in r.text)
    assert judge.elsewhere(["平台", "信易贷"], frozenset({FIRST}), credit) == ("信易贷", YUNLING)
    assert (
        judge.elsewhere(["信易贷"], frozenset({QINGCHUAN}), best) is None
    )  # the best match does not hold it


@pytest.mark.parametrize(
    ("question", "doc"),
    [
        ("旗工信局在咱们旗方案里牵头哪几项", FIRST),  # after 在: the pronoun starts the plan's name
        ("在咱们州方案里有哪些融资的任务", YUNLING),
        ("我们市方案里税务局牵头的有几项", QINGCHUAN),
    ],
)
def test_our_level_word_before_a_plan_word_names_that_plan(three: QA, question: str, doc: str) -> None:
    ans = three.answer(question)
    assert ans.answerable and ans.citations and {c.doc_id for c in ans.citations} == {doc}, ans.text


@pytest.mark.parametrize("question", ["帮我查下云岭州方案第38条", "给我查一下青川分工表第3项"])
def test_look_this_up_for_me_about_a_task_is_no_personal_case(three: QA, question: str) -> None:
    ans = three.answer(question)
    assert ans.answerable and len(ans.citations) == 1, ans.text


def test_look_up_my_own_case_is_still_personal(three: QA) -> None:
    plan = three.read("帮我查一下我的营业执照办好了没有").plan
    assert getattr(plan, "kind", None) == "personal", plan


@pytest.mark.parametrize(
    ("question", "doc", "unit"),
    [
        ("青川那边数据部门牵头干了哪些事", QINGCHUAN, "市政务服务和数据管理局"),
        ("云岭州的数据部门在牵头哪几项工作", YUNLING, "州数据局"),
    ],
)
def test_a_fields_department_word_names_each_plans_unit_of_that_field(
    three: QA, question: str, doc: str, unit: str
) -> None:
    """「数据部门」 is one plan's data bureau and, in a plan whose data work sits in a joint bureau, that
    bureau: the tasks it leads there, not a unit the plan lacks."""
    ans = three.answer(question)
    gold = _gold(three, doc, lambda r: unit in r.lead_units)
    assert gold and {c.key for c in ans.citations} == gold, ans.text
