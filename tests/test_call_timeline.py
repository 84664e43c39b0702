"""Every shared call: both roles, every true turn found at its time, silences visible."""

from __future__ import annotations

import pytest

from qa_service.domain.transcript import gaps_between
from tests.conftest import call_truth, stereo_call_paths

CALL_IDS = [p.stem for p in stereo_call_paths()]
START_TOLERANCE_S = 0.5


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_both_roles_present(analyzed_calls, call_id):
    assert analyzed_calls[call_id].transcript.roles == {"agent", "customer"}


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_every_turn_matched_by_an_utterance(analyzed_calls, call_id):
    utterances = analyzed_calls[call_id].transcript.utterances
    unmatched = [
        turn
        for turn in call_truth(call_id)["turns"]
        if not any(
            u.role == turn["role"] and abs(u.start - turn["start"]) <= START_TOLERANCE_S
            for u in utterances
        )
    ]
    assert not unmatched


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_labelled_silences_are_gaps(analyzed_calls, call_id):
    silences = call_truth(call_id)["events"]["silences"]
    gaps = gaps_between(analyzed_calls[call_id].transcript.utterances, min_gap_s=2.0)
    for silence in silences:
        assert any(
            abs(a - silence["start"]) <= START_TOLERANCE_S
            and abs(b - silence["end"]) <= START_TOLERANCE_S
            for a, b in gaps
        ), (silence, gaps)


def test_some_calls_have_silences():
    # Guards the test above against passing vacuously.
    assert sum(len(call_truth(c)["events"]["silences"]) for c in CALL_IDS) >= 2


@pytest.mark.parametrize("call_id", CALL_IDS)
def test_result_contract_shape(analyzed_calls, call_id):
    data = analyzed_calls[call_id].to_dict()
    for key in (
        "call_id",
        "language",
        "duration_s",
        "channels",
        "utterances",
        "findings",
        "score",
        "metrics",
    ):
        assert key in data
    assert data["language"] == call_truth(call_id)["language"]
    assert abs(data["duration_s"] - call_truth(call_id)["duration_s"]) < 0.1
    utt = data["utterances"][0]
    assert {"role", "start", "end", "text", "words", "sentiment"} <= set(utt)
    assert all(w["start"] <= w["end"] for u in data["utterances"] for w in u["words"])
