"""Near misses: a detail of a task the plan has, which its text does not state (qa.nearmiss, Executor)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corpus import TaskRecord
from qa import QA
from qa.execute import Executor, Result
from qa.nearmiss import asked_details, enumerates, unstated
from qa.plan import Ask
from qa.text import clean

PARK = "加快推进数据中心建设，实现重点产业园区千兆光纤全覆盖。"
PARKS_LISTED = "在临河工业园区、北岸物流园区等园区开展智慧园区试点。"
SUBSIDY = "对新落户的博士给予安家补贴，对引进团队给予项目支持。"
SUBSIDY_SUM = "对新落户的博士一次性给予8万元安家补贴。"
DAYS = "不动产抵押登记压缩至2个工作日办结。"
FREE = "为新开办企业免费刻制公章，免费寄递营业执照。"
CREDIT = "建立信用修复机制，失信企业完成整改后及时移出失信名单，简化注销流程。"
SHUTTLE = "开通园区至火车站的通勤公交专线，方便企业职工上下班。"
FAIRS = "每季度举办不少于2场线上线下招聘会，每年组织三期技能培训。"


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("智慧园区试点放在哪几个园区？", PARK),
        ("重点产业园区具体是哪几个？", PARK),
        ("博士安家补贴每人能领多少钱", SUBSIDY),
        ("数据中心今年的建设资金一共多少？", PARK),
        ("光纤现在实际已经通了几个园区", PARK),
        ("千兆光纤去年平均网速多少", PARK),
        ("智慧园区会采集哪些企业数据", PARK),
        ("评上的优秀博士名单都有谁", SUBSIDY),
        ("安家补贴咋申报，要准备什么材料", SUBSIDY),
        ("数据中心是找的哪家公司建的", PARK),
        ("光纤入户谁出钱？", PARK),
        ("园区光纤的施工费谁来出", PARK),  # a named fee: who pays it
        ("负责光纤的专员是谁，怎么联系他", PARK),
        ("智慧园区那个小程序怎么下载安装", PARKS_LISTED),  # how to use an app: a procedure
        ("被列进黑名单的企业几年后会自动解除", CREDIT),  # what the law provides, not the plan
        ("公司注销了，以前拖欠的社保费还要补吗", CREDIT),
        ("园区通勤专线一天跑几班", SHUTTLE),  # how often: no number of runs stated
        ("去火车站的公交专线每个星期发多少趟", SHUTTLE),
        ("园区光纤接入需不需要交钱", PARK),  # whether it costs anything: the task says nothing of cost
        ("光纤开通的手续费一般多少", PARK),
        ("智慧园区建设前后一共投了多少亿资金", PARK),
        ("重点园区试点包不包括化工园区", PARKS_LISTED),  # a member the task does not name
        ("园区招聘会具体几号开始", FAIRS),
        ("到哪个网点办光纤入户", PARK),
        ("咱们这几个园区在全区排第几", PARKS_LISTED),
        ("园区光纤现在整体平均速率多少", PARK),
        ("除了纺织园，另外两个是什么园区", PARKS_LISTED),
        ("这个方案是哪天印发的，签发人是谁", PARK),  # the document itself, not a task
        ("方案里说的“四个一”具体指哪四个", PARK),
    ],
)
def test_a_detail_the_task_does_not_state_is_unstated(question: str, text: str) -> None:
    assert unstated(clean(question), [text]) is not None


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("智慧园区试点放在哪几个园区？", PARKS_LISTED),
        ("博士安家补贴每人能领多少钱", SUBSIDY_SUM),
        ("抵押登记多少个工作日办完", DAYS),
        ("抵押登记现在几个工作日能办结", DAYS),
        ("开公司刻章谁出钱", FREE),
        ("开公司刻章要自己掏钱吗", PARK),  # whether it is free: read by the coverage model, no near miss
        ("智慧园区会采集哪些企业数据", "在各园区采集入驻企业的能耗、产值、税收等数据"),
        ("光纤接入现在有几家运营商", PARK),  # a count of today may be a task's own figure (现有4家)
        ("光纤全覆盖具体哪些单位配合", PARK),
        ("园区光纤那条都有哪些任务", PARK),
        ("失信企业整改完多久移出名单", CREDIT),  # the task says when: the detail is the task's own
        ("招聘会每个季度办几场", FAIRS),  # how often, stated as a number of the counter
        ("技能培训一年搞几期", FAIRS),
        ("新开办企业刻章收不收费", FREE),  # the task says it is free
        ("重点园区试点包不包括临河工业园区", PARKS_LISTED),  # a member the task names
    ],
)
def test_a_detail_the_task_states_or_no_detail_asked_is_answered(question: str, text: str) -> None:
    assert unstated(clean(question), [text]) is None


def test_the_item_is_what_is_listed_and_a_quoted_name_is_the_item() -> None:
    (d,) = asked_details(clean("那5个“跨省通办”具体是哪5个？"))
    assert (d.kind, d.asked) == ("unstated_items", "跨省通办")
    (d,) = asked_details(clean("试点都在哪几个乡镇"))
    assert (d.kind, d.asked) == ("unstated_items", "乡镇")


def test_a_list_of_examples_of_a_larger_number_does_not_enumerate_it() -> None:
    text = "推出出生、入学、退休等8个“跨省通办”事项。"
    assert not enumerates(text, "跨省通办")
    assert enumerates("推出出生、入学、退休等3个“跨省通办”事项。", "跨省通办")


def _executor() -> Executor:
    return Executor(store=None, judge=None, refusal=None, covers=None)  # type: ignore[arg-type]


def test_the_executor_refuses_a_near_miss_naming_the_task_as_related(tasks: list[TaskRecord]) -> None:
    rec = replace(tasks[0], text=PARK)
    res = Result(Ask(("text",), pick="best"), "single", (rec,))
    got = _executor()._near_miss(res, clean("重点产业园区具体是哪几个？"))
    assert got.outcome == "refused" and got.nearest == rec and got.records == ()
    assert got.unstated == "重点产业园区"
    answered = _executor()._near_miss(res, clean("重点产业园区光纤覆盖谁牵头"))
    assert answered is res


def test_asking_which_task_states_a_detail_is_answered_by_the_task(tasks: list[TaskRecord]) -> None:
    rec = replace(tasks[0], text="政府采购合同预付款比例原则上不低于合同金额的30%。")
    res = Result(Ask(("text",), pick="best"), "single", (rec,))
    # Asked as a share of the sum the task names (30% of 合同金额): the task states it.
    assert _executor()._near_miss(res, clean("预付款不低于合同金额多少")) is res
    # Another sum than the one the task names: a near miss.
    assert _executor()._near_miss(res, clean("预付款不低于项目预算多少")).outcome == "refused"
    for q in ("预付款不低于合同金额多少，是哪一条", "哪条规定了预付款占合同金额多少", "预付款比例在第几条"):
        assert _executor()._near_miss(res, clean(q)) is res, q


def test_a_list_of_units_asked_is_read_from_the_fields_not_the_text(tasks: list[TaskRecord]) -> None:
    rec = replace(tasks[0], text=PARK)
    res = Result(Ask(("responsible",), pick="best"), "single", (rec,))
    assert _executor()._near_miss(res, clean("光纤覆盖都是哪几家公司配合")) is res


def test_the_near_miss_reply_says_the_plan_does_not_state_it(fake_qa: QA) -> None:
    ans = fake_qa.answer("证明事项告知承诺制具体哪些项目类型适用")
    assert not ans.answerable
    assert "没有写明" in ans.text and "并不回答这个问题" in ans.text


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("申请信用修复得满足哪些条件", "开展失信信息修复工作，鼓励失信主体自主纠错。"),
        ("容错免责具体包括哪些违规行为", "细化处罚规则、裁量基准并提供具体行为指引。"),
        ("失信修复的条件是啥", "开展失信信息修复工作，鼓励失信主体自主纠错。"),  # 「X的条件是什么」
    ],
)
def test_conditions_and_kinds_of_behaviour_asked_are_items(question: str, text: str) -> None:
    """「需要满足什么条件」 and 「具体包括哪些X行为」 ask the members of a list; a list before a longer word
    (行为 + 指引) lists something else."""
    assert unstated(clean(question), [text]) is not None


def test_conditions_a_task_lists_are_stated() -> None:
    assert unstated(clean("首台套奖励的申报条件有哪些"), ["申报条件包括：本地注册、年产值过亿。"]) is None


def test_a_word_going_on_into_a_longer_one_is_not_what_a_list_before_it_lists() -> None:
    assert not enumerates("细化处罚规则、裁量基准并提供具体行为指引。", "行为")
    assert enumerates("打击逃债、拖欠账款、恶意讨薪等行为。", "行为")
    assert enumerates("查处虚假宣传、商业贿赂行为。", "行为")


LICENCES = "对中央层面设定的523项及自治区设定的18项涉企经营许可事项，按直接取消审批等四种方式推进。"
LICENCES_LISTED = "自治区设定的18项许可事项包括：A许可、B许可、C许可等。"
SECTIONS = "深入开展水污染防治工作，确保实现全旗4个国控考核断面全部达标。"
MARGIN = "降低履约保证金收取比例，履约保证金不超过合同金额的5%。"
PREPAY = "提高政府采购预付款比例，预付款比例原则上不低于合同金额的30%。"
APP = "推动社保、公积金等高频事项在“蒙速办”APP掌上办理。"
PRAISE = "将政务服务“好差评”情况纳入绩效评价，对反复被差评的人员依法依规严肃追责。"


@pytest.mark.parametrize(
    ("question", "texts"),
    [
        # a counted set's members: only a task speaking of that many states them, not a list of other things
        ("18项自治区设定的许可事项都是啥", [LICENCES, "推行出生、入学等事项联办"]),
        ("那523项事项的完整清单有吗", [LICENCES]),
        ("4个断面的名单给我一份", [SECTIONS]),
        ("国控断面具体是哪几个地方", [SECTIONS]),
        ("list all 523 permit items", [LICENCES]),
        # steps of one's own business through a service, a penalty scale
        ("怎么用蒙速办交社保", [APP]),
        ("公积金能取出来付首付吗，咋办理", [APP]),
        ("建行那个创业贷怎么申请", [APP]),
        ("差评多的窗口人员会被扣几分", [PRAISE]),
        ("没完成的单位领导会受什么处分", [PRAISE]),
        ("经费预算一共多少", [PREPAY]),  # a share of a contract states no budget
    ],
)
def test_counted_sets_steps_and_penalties_are_unstated(question: str, texts: list[str]) -> None:
    assert unstated(clean(question), texts) is not None


@pytest.mark.parametrize(
    ("question", "texts"),
    [
        ("18项自治区设定的许可事项都是啥", [LICENCES_LISTED]),
        ("履约保证金上限是合同金额多少来着", [MARGIN]),  # a share of the sum asked states it
        ("523项许可事项改革由谁牵头", [LICENCES]),
        ("第3项是什么", [LICENCES]),  # a task's position, not a counted set
        ("前5项任务都是啥", [LICENCES]),
        ("税务局配合的，两个方案加起来都有哪些", [LICENCES]),  # plans counted, not a set's members
        ("这3章分别是什么", [LICENCES]),
        ("在蒙速办上能交社保吗", [APP]),
        ("反复被差评的人员会怎么处理", [PRAISE]),
    ],
)
def test_counted_sets_listed_shares_and_plain_asks_are_answered(question: str, texts: list[str]) -> None:
    assert unstated(clean(question), texts) is None
