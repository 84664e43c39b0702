"""The raised_voice operator over acoustic cues already on the utterances."""

from __future__ import annotations

import pytest

from tests.rules_helpers import pack, rule, run, transcript

CALM = {"loudness_delta_db": 0.2, "pitch_delta_st": 0.1, "agitation": 0.05, "raised_voice": False}
LOUD = {"loudness_delta_db": 8.0, "pitch_delta_st": 1.0, "agitation": 0.4, "raised_voice": True}
TENSE = {"loudness_delta_db": 4.0, "pitch_delta_st": 1.5, "agitation": 0.6, "raised_voice": False}


def voiced(*turns: tuple[str, str, dict | None]):
    tr = transcript(*[(role, text) for role, text, _ in turns])
    for utt, (_, _, cues) in zip(tr.utterances, turns, strict=True):
        if cues is not None:
            utt.extra["acoustic"] = dict(cues)
    return tr


def voice_rule(role: str = "customer", **params) -> dict:
    return rule("raised_voice", "customer_raised_voice", role=role, params=params)


def check(tr, **fields):
    return run(pack(voice_rule(**fields), categories=["customer_raised_voice"]), tr)


@pytest.mark.parametrize(
    ("customer_cues", "params", "utterances"),
    [
        ([CALM, CALM], {}, []),
        ([CALM, LOUD], {}, [3]),
        ([LOUD, LOUD], {"per": "utterance"}, [1, 3]),
        ([LOUD, CALM], {"min_utterances": 2}, []),
        ([LOUD, LOUD], {"min_utterances": 2}, [1]),
        ([TENSE, CALM], {}, []),
        ([TENSE, CALM], {"cue": "agitation"}, [1]),
        ([TENSE, CALM], {"cue": "agitation", "min_agitation": 0.7}, []),
        # Per call: the most agitated utterance (0.6 against 0.4), not the first.
        ([LOUD, TENSE], {"cue": "agitation", "min_agitation": 0.3}, [3]),
    ],
)
def test_raised_voice_flags_the_roles_utterances(customer_cues, params, utterances):
    tr = voiced(
        ("agent", "您好", CALM),
        ("customer", "我的快递到底什么时候到", customer_cues[0]),
        ("agent", "我帮您查一下", CALM),
        ("customer", "你们怎么回事", customer_cues[1]),
    )
    outcome = check(tr, **params)
    assert [f.evidence["utterance"] for f in outcome.findings] == utterances


def test_evidence_says_how_far_above_the_baseline():
    tr = voiced(("agent", "您好", CALM), ("customer", "你们怎么回事", LOUD))
    (finding,) = check(tr).findings
    assert finding.role == "customer" and finding.category == "customer_raised_voice"
    assert finding.evidence["loudness_delta_db"] == 8.0
    assert finding.evidence["raised_voice"] is True
    assert finding.evidence["raised_utterances"] == 1


def test_only_the_rules_role_is_judged():
    tr = voiced(("agent", "你听我说", LOUD), ("customer", "好的", CALM))
    assert check(tr).findings == []
    assert [f.role for f in check(tr, role="agent").findings] == ["agent"]


def test_text_only_transcript_is_not_evaluated_rather_than_calm():
    tr = voiced(("agent", "您好", None), ("customer", "你们怎么回事", None))
    outcome = check(tr)
    assert outcome.findings == []
    (note,) = outcome.metrics["not_evaluated"]
    assert note["rule_id"] == "r-raised_voice" and "acoustic" in note["reason"]
