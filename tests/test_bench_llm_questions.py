"""bench/llm_questions.py: the per-question figures on the labelled calls."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import llm_labelled
import llm_questions


def evidence(answer: str, p_yes: float | None = None) -> dict:
    found = {"answer": answer}
    if p_yes is not None:
        found["probabilities"] = {"yes": p_yes, "no": 1 - p_yes}
    return found


def test_a_model_saying_yes_to_all_can_still_rank_the_calls_by_its_probability() -> None:
    # Two positives, three negatives: "yes" to all is right on 2 of 5, below the majority
    # (3 of 5), but p(yes) puts both positives above every negative.
    rows = [
        (True, evidence("yes", 0.9)),
        (False, evidence("yes", 0.55)),
        (True, evidence("yes", 0.7)),
        (False, evidence("yes", 0.6)),
        (False, evidence("yes", 0.51)),
    ]
    report = llm_questions.question_report(rows)
    assert report == {
        "calls": 5,
        "accuracy": 0.4,
        "majority_baseline": 0.6,
        "yes_answers": 5,
        "auc_probability": 1.0,
    }
    # The ranking reversed: the AUC follows it, the accuracy does not move.
    flipped = [(not label, e) for label, e in rows]
    assert llm_questions.question_report(flipped)["auc_probability"] == 0.0
    assert llm_questions.question_report(flipped)["accuracy"] == 0.6


def test_an_unanswered_question_is_never_right_and_not_applicable_is_not_ranked() -> None:
    rows = [
        (False, None),  # not evaluated: not a "no"
        (False, evidence("no", 0.2)),
        (True, evidence("yes", 0.8)),
        (False, evidence("not_applicable")),
    ]
    report = llm_questions.question_report(rows)
    assert report["accuracy"] == 0.75  # the "no", the "yes" and the not_applicable
    assert report["yes_answers"] == 1
    assert report["auc_probability"] == 1.0  # one positive, one ranked negative


def test_answers_without_probabilities_rank_as_their_bare_yes_or_no() -> None:
    rows = [(True, evidence("yes")), (False, evidence("yes")), (False, evidence("no"))]
    assert llm_questions.question_report(rows)["auc_probability"] == 0.75


def test_labelled_dialogues_score_the_exact_answer_and_rank_yes_against_no() -> None:
    rows = [
        ("not_applicable", evidence("not_applicable")),  # right: nothing to judge
        ("not_applicable", evidence("yes", 0.8)),  # wrong, and out of the yes/no ranking
        ("yes", evidence("yes", 0.7)),
        ("no", evidence("yes", 0.6)),  # wrong, but ranked under the "yes"
        ("no", None),  # unanswered: wrong
    ]
    report = llm_labelled.label_report(rows)
    assert report["accuracy"] == 0.4
    assert report["majority_baseline"] == 0.4  # two "not_applicable" labels of five
    assert report["labels"] == {"not_applicable": 2, "yes": 1, "no": 2}
    assert report["answers"] == {"not_applicable": 1, "yes": 3, "None": 1}
    assert report["auc_probability_yes_vs_no"] == 1.0


def test_a_label_outside_the_answers_is_refused(tmp_path: Path) -> None:
    row = {field: "no" for field in llm_labelled.LABELLED_QUESTIONS}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"id": "1", **row, "empathy": "maybe"}) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="empathy='maybe'"):
        llm_labelled.load_labels(path)
    path.write_text(json.dumps({"id": "1", **row}) + "\n", encoding="utf-8")
    assert llm_labelled.load_labels(path)[0]["deflection"] == "no"


class ProbabilityOnly:
    """A model that reads probabilities and must never be asked to write a reply."""

    name = "probability-only"
    parallel_requests = 1

    def choice_probabilities(self, chat, field, options):
        return {"yes": 0.3, "no": 0.7} if "yes" in options else None

    def answer(self, *args, **kwargs):
        raise AssertionError("the probe writes no reply")


def test_the_probe_answers_from_the_probabilities_and_writes_no_reply() -> None:
    import llm_probe

    from qa_service.domain.llm_questions import answer_schema, parse_reply
    from qa_service.domain.rulepack import ScoreItem

    item = ScoreItem(
        id="q", type="question", dimension="d", question={"en": "?"}, answers={"yes": 0, "no": -5}
    )
    probe = llm_probe.ProbeOnlyModel(ProbabilityOnly())
    reply = probe.answer([], answer_schema(item, range(3, 6)))
    parsed = parse_reply(reply.text, item, range(3, 6))
    assert (parsed.answer, parsed.cited) == ("no", (3,))
    assert reply.probabilities == {"answer": {"yes": 0.3, "no": 0.7}}
    # Held to one answer (as a yes_threshold holds the reply), it gives that one.
    held = probe.answer([], answer_schema(item, range(3, 6), decided="yes"))
    assert json.loads(held.text)["answer"] == "yes" and held.probabilities == {}


def test_the_probe_leaves_questions_checked_by_their_cited_lines_to_the_model() -> None:
    import llm_probe

    from qa_service.domain.llm_questions import answer_schema
    from qa_service.domain.rulepack import ScoreItem

    class Replies(ProbabilityOnly):
        def answer(self, *args, **kwargs):
            return "a real reply"

    item = ScoreItem(
        id="q", type="question", dimension="d", question={"en": "?"}, answers={"yes": 0, "no": -5}
    )
    probe = llm_probe.ProbeOnlyModel(Replies(), frozenset({"Risks stated?"}))
    chat = [
        {"role": "user", "content": "<transcript>...</transcript>\n\nQuestion: Risks stated?\n"}
    ]
    assert probe.answer(chat, answer_schema(item, range(2))) == "a real reply"
    other = [{"role": "user", "content": "Question: Solved?\nAnswers: yes, no"}]
    assert json.loads(probe.answer(other, answer_schema(item, range(2))).text)["answer"] == "no"


def test_thresholds_are_tuned_on_the_tuning_calls_and_never_on_the_shared_ones() -> None:
    import llm_probe

    tuning = [
        {"call": f"t{k}", "question": "q-deflection", "label": int(k < 3), "p_yes": p}
        for k, p in enumerate([0.7, 0.65, 0.6, 0.5, 0.45])
    ]
    # The shared calls' rows (the test) would put the cut elsewhere if they were read.
    shared = [{"call": "s", "question": "q-deflection", "label": 1, "p_yes": 0.1}]
    report = {"tuning_calls": {"raw": tuning}, "calls": {"raw": shared}}
    pairs = llm_probe.labelled_pairs([report])
    assert pairs == {"q-deflection": [(1, 0.7), (1, 0.65), (1, 0.6), (0, 0.5), (0, 0.45)]}


def test_the_gpu_script_refuses_a_runtime_that_cannot_offload() -> None:
    """bench/gpu_llm.sh measures on a GPU; with the CPU build of llama.cpp (this machine's,
    CI's) it says so and stops before measuring anything."""
    import os
    import subprocess

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHON": sys.executable, "OUT": "/nonexistent/never-written"}
    done = subprocess.run(
        ["bash", str(repo / "bench" / "gpu_llm.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot offload to a GPU" in done.stderr
