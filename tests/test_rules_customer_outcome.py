"""The customer-outcome rules judged on what the customer's words do, not on sentiment alone.

A blind audit of end-of-chat findings on real helpdesk chats (bench/README.md) found calm
answers, a thanks for a problem only passed on, and a thanks that presses on read as moods.
Each test pins the behaviour that answers one of those, with cases where it must and must
not fire.
"""

from __future__ import annotations

import pytest

from qa_service.domain.rulepack import PackInvalid
from tests.rules_helpers import NEG_ACTS, negative, pack, rule, run, scored


def outcome_rules(measure: str, category: str, **params) -> object:
    body = {"measure": measure, **params}
    return pack(
        rule("sentiment_outcome", category, role="customer", params=body),
        categories=[category],
        settings={"backchannels": ["好的", "嗯"]},
    )


POSITIVE = {"label": "positive", "score": 0.9, "probs": {"positive": 0.95, "negative": 0.05}}


@pytest.mark.parametrize(
    ("last", "acts", "fires"),
    [
        ("谢谢，问题解决了", {"thanks": 0.9}, True),
        ("收到了", {"thanks": 0.1, "resolution": 0.1}, False),  # a receipt, not contentment
    ],
)
def test_satisfied_needs_thanks_or_a_solved_problem(last: str, acts: dict, fires: bool) -> None:
    tr = scored(
        ("customer", "网断了", negative(), {"complaint": 0.3}),
        ("agent", "已为您修复", None, None),
        ("customer", last, POSITIVE, acts),
    )
    corroborate = {"acts": ["thanks", "resolution"], "min_probability": 0.5}
    rules = outcome_rules("satisfied", "customer_satisfied", corroborate=corroborate)
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(
    ("last_acts", "fires"),
    [
        ({"thanks": 0.9, "complaint": 0.1}, True),
        ({"thanks": 0.9, "complaint": 0.8}, False),  # "thanks, but this is still not fixed"
        ({"thanks": 0.9, "escalation": 0.7}, False),  # "thanks, I'll take it to 12315"
    ],
)
def test_thanks_beside_a_complaint_is_not_contentment(last_acts: dict, fires: bool) -> None:
    tr = scored(
        ("customer", "网断了", negative(), {"complaint": 0.3}),
        ("agent", "已为您报修", None, None),
        ("customer", "谢谢", POSITIVE, last_acts),
    )
    rules = outcome_rules(
        "satisfied",
        "customer_satisfied",
        corroborate={"acts": ["thanks", "resolution"], "min_probability": 0.5},
        unless={"acts": ["complaint", "escalation"], "min_probability": 0.5},
    )
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(("skip", "fires"), [(True, False), (False, True)])
def test_a_bare_ok_is_not_a_mood(skip: bool, fires: bool) -> None:
    tr = scored(
        ("customer", "网断了", negative(0.3), None),
        ("agent", "已为您修复", None, None),
        ("customer", "好的", POSITIVE, None),
    )
    rules = outcome_rules("satisfied", "customer_satisfied", skip_backchannels=skip)
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(
    ("end_acts", "fires"),
    [({"complaint": 0.8}, True), ({"complaint": 0.1, "question": 0.6}, False)],
)
def test_an_unhappy_end_needs_a_complaint_in_it(end_acts: dict, fires: bool) -> None:
    tr = scored(
        ("customer", "网断了", negative(0.5), None),
        ("agent", "请提供账号", None, None),
        ("customer", "账号是这个，一直连不上", negative(), end_acts),
    )
    rules = outcome_rules("end", "customer_end_negative", max_score=-0.6, corroborate=NEG_ACTS)
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(
    ("asked", "complaint", "fires"),
    [
        ("请问是哪个校区呢？", 0.6, False),  # the facts asked for: the bar is 0.8
        ("请问是哪个校区呢？", 0.9, True),
        ("我们会尽快处理", 0.6, True),  # not an answer: the ordinary bar (0.5)
    ],
)
def test_an_answer_to_a_question_needs_surer_displeasure(
    asked: str, complaint: float, fires: bool
) -> None:
    tr = scored(
        ("customer", "网断了", negative(0.5), None),
        ("agent", asked, None, {"question": 0.9 if "？" in asked else 0.0}),
        ("customer", "金盆岭，这几天很明显", negative(), {"complaint": complaint}),
    )
    surer = {**NEG_ACTS, "min_probability": 0.8}
    rules = outcome_rules(
        "end", "customer_end_negative", corroborate=NEG_ACTS, answer_corroborate=surer
    )
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(
    ("last", "fires"),
    [
        ("谢谢，问题解决了", True),
        ("感谢，但请贵司给予最终解决", False),  # the request after 但 is the point
    ],
)
def test_satisfied_is_not_a_thanks_that_presses_on(last: str, fires: bool) -> None:
    tr = scored(
        ("customer", "网断了", negative(), {"complaint": 0.3}),
        ("agent", "已为您报修", None, None),
        ("customer", last, POSITIVE, {"thanks": 0.9}),
    )
    rules = outcome_rules(
        "satisfied",
        "customer_satisfied",
        corroborate={"acts": ["thanks", "resolution"], "min_probability": 0.5},
        except_phrases=["但", "但是"],
    )
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize(("acts", "share"), [({"complaint": 0.9}, 1.0), ({"complaint": 0.1}, None)])
def test_negative_share_counts_corroborated_negatives(acts: dict, share: float | None) -> None:
    tr = scored(
        ("customer", "网断了", negative(), acts),
        ("agent", "请提供账号", None, None),
        ("customer", "一直连不上", negative(), acts),
    )
    rules = outcome_rules(
        "negative_share", "customer_negative_share", min_score=0.8, corroborate=NEG_ACTS
    )
    findings = run(rules, tr).findings
    assert (findings[0].evidence["share"] if findings else None) == share


MOOD_ACTS = ["complaint", "escalation", "rudeness"]


@pytest.mark.parametrize(
    ("end_acts", "mood_end"),
    [
        ({"complaint": 0.9}, -0.765),  # polarity -0.85: an angry ending keeps most of it
        ({"complaint": 0.1, "escalation": 0.3}, -0.255),  # the best of the acts weighs it
        ({"question": 0.9}, -0.0),  # a calm question read as negative: neutral
        (None, -0.85),  # no act scores: the sentiment stands
    ],
)
def test_mood_acts_weigh_the_negative_part(end_acts: dict | None, mood_end: float) -> None:
    tr = scored(
        ("customer", "网断了", negative(0.9), end_acts),
        ("agent", "请提供账号", None, None),
        ("customer", "一直连不上", negative(0.9), end_acts),
    )
    rules = outcome_rules("end", "customer_end_negative", max_score=0.5, mood_acts=MOOD_ACTS)
    findings = run(rules, tr).findings
    assert findings[0].evidence["mood_end"] == pytest.approx(mood_end, abs=1e-3)


def test_mood_acts_leave_positive_moods_alone() -> None:
    tr = scored(
        ("customer", "网断了", negative(0.9), {"complaint": 0.0}),
        ("agent", "已为您修复", None, None),
        ("customer", "谢谢，好了", POSITIVE, {"complaint": 0.0, "thanks": 0.9}),
    )
    rules = outcome_rules("recovered", "customer_recovered", max_score=0.5, mood_acts=MOOD_ACTS)
    findings = run(rules, tr).findings
    assert findings[0].evidence["mood_start"] == pytest.approx(0.0, abs=1e-3)
    assert findings[0].evidence["mood_end"] == pytest.approx(0.9, abs=1e-3)


def test_mood_acts_must_be_known_acts() -> None:
    with pytest.raises(PackInvalid) as raised:
        outcome_rules("end", "customer_end_negative", mood_acts=["grumbling"])
    assert any("mood_acts" in str(problem) for problem in raised.value.problems)


SETTLED = {
    "grievance": {"acts": ["complaint"], "min_probability": 0.5},
    "settled_by": {"acts": ["resolution"], "min_probability": 0.5},
}


@pytest.mark.parametrize(
    ("first_acts", "reply_acts", "fires"),
    [
        ({"complaint": 0.9}, {"resolution": 0.1}, False),  # only passed on: politeness
        ({"complaint": 0.9}, {"resolution": 0.9}, True),  # fixed after the complaint
        ({"complaint": 0.1, "question": 0.9}, {"resolution": 0.1}, True),  # a question answered
    ],
)
def test_after_a_complaint_contentment_needs_it_settled(
    first_acts: dict, reply_acts: dict, fires: bool
) -> None:
    tr = scored(
        ("customer", "网又断了，怎么回事", negative(), first_acts),
        ("agent", "已为您记录", None, reply_acts),
        ("customer", "谢谢", POSITIVE, {"thanks": 0.9}),
    )
    rules = outcome_rules(
        "satisfied",
        "customer_satisfied",
        corroborate={"acts": ["thanks", "resolution"], "min_probability": 0.5},
        settled=SETTLED,
    )
    assert bool(run(rules, tr).findings) is fires


@pytest.mark.parametrize("pack_name", ["zh-default", "en-default"])
@pytest.mark.parametrize(
    ("last_acts", "categories"),
    [
        # A thanks for a problem only passed on: positive, but no contentment claimed.
        ({"thanks": 0.9}, {"customer_ends_positive"}),
        # "可以了，谢谢": the customer says it is solved.
        ({"thanks": 0.9, "resolution": 0.9}, {"customer_ends_positive", "customer_satisfied"}),
        ({"thanks": 0.9, "resolution": 0.9, "complaint": 0.8}, set()),
    ],
)
def test_shipped_packs_tell_a_thanks_from_a_solved_problem(
    pack_name: str, last_acts: dict, categories: set[str]
) -> None:
    from qa_service.analysis.packs import load_pack

    tr = scored(
        ("agent", "您好 hello", None, None),
        ("customer", "网又断了 the line is down again", negative(), {"complaint": 0.9}),
        ("agent", "已为您反馈 it is passed on", None, {"resolution": 0.1}),
        ("customer", "谢谢 thank you", POSITIVE, last_acts),
    )
    found = {f.category for f in run(load_pack(pack_name), tr).findings}
    assert found & {"customer_ends_positive", "customer_satisfied"} == categories


@pytest.mark.parametrize(
    ("after_reply", "customer_last", "fires"),
    [
        # The opening request's "thank you" is the customer's only line: no reaction to judge.
        (True, False, False),
        (False, False, True),
        # A thanks after the agent's answer is a reaction.
        (True, True, True),
    ],
)
def test_contentment_is_judged_after_the_other_side_spoke(
    after_reply: bool, customer_last: bool, fires: bool
) -> None:
    turns = [
        ("customer", "手机连不上电脑，请帮我解决，谢谢", POSITIVE, {"thanks": 0.9}),
        ("agent", "请换一个USB口再试", None, None),
    ]
    if customer_last:
        turns.append(("customer", "可以了，谢谢", POSITIVE, {"thanks": 0.9}))
    rules = outcome_rules(
        "satisfied",
        "customer_satisfied",
        corroborate={"acts": ["thanks"], "min_probability": 0.5},
        after_reply=after_reply,
    )
    assert bool(run(rules, scored(*turns)).findings) is fires


@pytest.mark.parametrize(
    ("accepting_ack", "turns", "fires"),
    [
        # Complaint, the agent's reply, a bare "好的": the customer took the reply.
        (True, ["customer", "agent", "customer-ok"], False),
        (False, ["customer", "agent", "customer-ok"], True),
        # The "好的" is not an answer to the agent: the complaint is still how they leave.
        (True, ["agent", "customer-ok", "customer"], True),
        (True, ["customer", "agent"], True),
    ],
)
def test_a_bare_acknowledgement_of_the_last_reply_is_acceptance(
    accepting_ack: bool, turns: list[str], fires: bool
) -> None:
    lines = {
        "customer": ("customer", "太坑人了，怎么又扣费", negative(), {"complaint": 0.9}),
        "agent": ("agent", "已为您反馈，请留意短信", None, None),
        "customer-ok": ("customer", "好的", None, {"complaint": 0.0}),
    }
    rules = outcome_rules(
        "end",
        "customer_end_negative",
        skip_backchannels=True,
        corroborate={"acts": ["complaint"], "min_probability": 0.5},
        accepting_ack=accepting_ack,
    )
    assert bool(run(rules, scored(*(lines[t] for t in turns))).findings) is fires
