"""The act operator over act probabilities already on the utterances (fake scores)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qa_service.domain.rulepack import PackInvalid
from tests.rules_helpers import pack, rule, run, transcript


def scored(*turns: tuple[str, str, dict | None]):
    tr = transcript(*[(role, text) for role, text, _ in turns])
    for utt, (_, _, acts) in zip(tr.utterances, turns, strict=True):
        if acts is not None:
            utt.extra["acts"] = dict(acts)
    return tr


def act_rule(role: str = "agent", category: str = "deflection", **params) -> dict:
    return rule("act", category, role=role, params=params)


def check(tr, role: str = "agent", category: str = "deflection", **params):
    return run(pack(act_rule(role, category, **params), categories=[category]), tr)


CALL = (
    ("agent", "您好，请问有什么可以帮您？", {"question": 0.9, "deflection": 0.05}),
    ("customer", "我的宽带又断了，你们怎么回事", {"complaint": 0.85, "deflection": 0.02}),
    ("agent", "这个您去营业厅问吧", {"deflection": 0.7}),
    ("customer", "你们就会推", {"complaint": 0.6, "deflection": 0.3}),
    ("agent", "这个不归我们管，您找别人", {"deflection": 0.95}),
)


@pytest.mark.parametrize(
    ("role", "params", "utterances"),
    [
        ("agent", {"act": "deflection"}, [4]),  # per call: the most probable one
        ("agent", {"act": "deflection", "per": "utterance"}, [2, 4]),
        ("agent", {"act": "deflection", "min_probability": 0.9, "per": "utterance"}, [4]),
        ("agent", {"act": "deflection", "min_probability": 0.99}, []),
        ("agent", {"act": "deflection", "min_utterances": 3}, []),
        ("agent", {"act": "deflection", "min_utterances": 2}, [4]),
        # The customer's "你们就会推" is theirs, not the agent's deflection.
        ("customer", {"act": "deflection", "min_probability": 0.25}, [3]),
        ("customer", {"act": "complaint", "per": "utterance"}, [1, 3]),
        ("any", {"act": "question"}, [0]),
        ("agent", {"act": "rudeness", "min_probability": 0.1}, []),
    ],
)
def test_act_flags_the_roles_utterances(role, params, utterances):
    outcome = check(scored(*CALL), role=role, **params)
    assert [f.evidence["utterance"] for f in outcome.findings] == utterances


THREATS = (
    ("customer", "Don't ask them to call me again. I will go mad.", {"escalation": 0.87}),
    ("agent", "Sorry, could you tell me your number?", {"question": 0.9}),
    ("customer", "Fix it today or I will report you to the regulator.", {"escalation": 0.81}),
)


@pytest.mark.parametrize(
    ("with_phrases", "utterances"),
    [
        (None, [0]),  # the tone alone: the most probable utterance, which names nothing
        (["regulator", "cancel"], [2]),  # the threat that says what it threatens
        (["lawyer"], []),
    ],
)
def test_with_phrases_needs_the_acts_object_in_the_same_utterance(with_phrases, utterances):
    outcome = check(
        scored(*THREATS),
        role="customer",
        category="escalation",
        act="escalation",
        min_probability=0.8,
        with_phrases=with_phrases,
    )
    assert [f.evidence["utterance"] for f in outcome.findings] == utterances


def test_evidence_says_which_act_and_how_likely():
    (finding,) = check(scored(*CALL), act="deflection").findings
    assert finding.role == "agent" and finding.category == "deflection"
    assert finding.evidence["act"] == "deflection"
    assert finding.evidence["probability"] == 0.95
    assert finding.evidence["act_utterances"] == 2


def test_without_act_scores_the_rule_is_not_evaluated():
    tr = transcript(("agent", "这个您去营业厅问吧"), ("customer", "好吧"))
    outcome = check(tr, act="deflection")
    assert outcome.findings == []
    assert [n["rule_id"] for n in outcome.metrics["not_evaluated"]] == ["r-act"]


def test_malformed_scores_are_no_evidence():
    tr = scored(("agent", "这个您去营业厅问吧", {"deflection": "lots"}))
    assert check(tr, act="deflection", min_probability=0.1).findings == []


EMPATHY_AFTER = {"act": "complaint", "role": "customer", "min_probability": 0.8}


@pytest.mark.parametrize(
    ("agent_reply", "within_turns", "triggers"),
    [
        ({"empathy": 0.9}, 2, []),  # answered with an apology
        ({"empathy": 0.1}, 2, [1]),  # not answered
        ({"empathy": 0.1}, 1, [1]),
    ],
)
def test_expect_after_reports_unanswered_triggers(agent_reply, within_turns, triggers):
    tr = scored(
        ("agent", "您好", {"question": 0.2}),
        ("customer", "你们的服务太差了", {"complaint": 0.9}),
        ("agent", "请问您的订单号？", agent_reply),
        ("customer", "12345", {"complaint": 0.01}),
        ("agent", "好的", {"empathy": 0.0}),
    )
    after = {**EMPATHY_AFTER, "within_turns": within_turns}
    outcome = check(tr, category="empathy_missing", act="empathy", expect_after=after)
    assert [f.evidence["utterance"] for f in outcome.findings] == triggers


def test_expect_after_looks_only_within_turns():
    tr = scored(
        ("customer", "你们的服务太差了", {"complaint": 0.9}),
        ("agent", "请问您的订单号？", {"empathy": 0.1}),
        ("agent", "非常抱歉给您添麻烦了", {"empathy": 0.95}),
    )
    late = {**EMPATHY_AFTER, "within_turns": 1}
    assert check(tr, category="empathy_missing", act="empathy", expect_after=late).findings
    soon = {**EMPATHY_AFTER, "within_turns": 2}
    assert not check(tr, category="empathy_missing", act="empathy", expect_after=soon).findings


@pytest.mark.parametrize(
    ("reply", "or_phrases", "reported"),
    [
        # The model scores a set soothing phrase low; the pack lists it as empathy.
        ("请您先消消气，我马上帮您查", ["消消气"], False),
        ("请您先消消气，我马上帮您查", None, True),
        ("请问您的订单号？", ["消消气"], True),
    ],
)
def test_expect_after_counts_the_packs_own_wording(reply, or_phrases, reported):
    tr = scored(
        ("customer", "你们的服务太差了", {"complaint": 0.9}),
        ("agent", reply, {"empathy": 0.05}),
    )
    after = {**EMPATHY_AFTER, "or_phrases": or_phrases}
    outcome = check(tr, category="empathy_missing", act="empathy", expect_after=after)
    assert bool(outcome.findings) is reported


def test_shipped_packs_count_their_empathy_lexicon_after_a_complaint():
    from qa_service.analysis.packs import load_pack

    tr = scored(
        ("agent", "您好", {"question": 0.1}),
        ("customer", "你们的服务太差了", {"complaint": 0.95}),
        ("agent", "您的心情我们非常理解，这就为您查询", {"empathy": 0.05}),
    )
    found = run(load_pack("zh-default"), tr).findings
    assert not [f for f in found if f.rule_id == "act-empathy-after-complaint"]


def test_expect_after_needs_a_chance_to_answer():
    tr = scored(
        ("agent", "您好", {"empathy": 0.0}),
        ("customer", "太差了，我不用了", {"complaint": 0.95}),
    )
    outcome = check(tr, category="empathy_missing", act="empathy", expect_after=EMPATHY_AFTER)
    assert outcome.findings == []


@pytest.mark.parametrize(
    "params",
    [
        {"act": "flattery"},
        {"act": "deflection", "min_probability": 1.5},
        {"act": "deflection", "min_probability": -0.1},
        {"act": "deflection", "min_utterances": 0},
        {"act": "deflection", "per": "minute"},
        {"act": "empathy", "expect_after": {"act": "complaint", "within_turns": 0}},
        {"act": "deflection", "threshold": 0.5},
    ],
)
def test_parameters_are_bounded(params):
    with pytest.raises((PackInvalid, ValidationError)):
        pack(act_rule(**params), categories=["deflection"])
