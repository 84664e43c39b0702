"""bench/dialogue_quality.py and its audit: the conversion, the figures, the judgements."""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import dialogue_audit
import dialogue_quality
import model_cache

DIALOGUE = {
    "id": "42",
    "turns": [
        {"sender": "customer", "utterances": ["我的宽带又断了", "已经三天了"]},
        {"sender": "helpdesk", "utterances": ["您好，请提供一下账号"]},
        {"sender": "customer", "utterances": ["", "好的谢谢"]},
    ],
    "quality_mean": {"A": 1.0, "S": 0.5, "E": 0.2},
}


def test_each_message_is_an_utterance_on_an_increasing_clock() -> None:
    data = dialogue_quality.to_transcript(DIALOGUE, "zh")
    assert data["channel"] == "chat" and data["language"] == "zh" and data["call_id"] == "42"
    utts = data["utterances"]
    assert [u["role"] for u in utts] == ["customer", "customer", "agent", "customer"]
    assert [u["turn"] for u in utts] == [[0, 0], [0, 1], [1, 0], [2, 1]]  # the empty one skipped
    for before, after in pairwise(utts):
        assert before["start"] < before["end"] < after["start"]
    # 7 characters at 4 a second.
    assert utts[0]["end"] - utts[0]["start"] == pytest.approx(7 / 4)


@pytest.mark.parametrize(
    ("values", "quality", "expected", "groups"),
    [
        ([1, 2, 3, 4], [-1, -0.5, 0.5, 1], 1.0, (2, 2)),
        ([4, 3, 2, 1], [-1, -0.5, 0.5, 1], 0.0, (2, 2)),
        ([1, 1, 1, 1], [-1, -0.5, 0.5, 1], 0.5, (2, 2)),
        ([1, 9, 2, 3], [-1, 0.0, 0.5, 1], 1.0, (2, 1)),  # S = 0 is in neither group
    ],
)
def test_auc_separates_well_from_badly_rated(values, quality, expected, groups) -> None:
    area, good, bad = dialogue_quality.auc(values, quality)
    assert area == pytest.approx(expected)
    assert (good, bad) == groups


def test_auc_needs_both_groups() -> None:
    assert dialogue_quality.auc([1, 2], [1, 1])[0] is None


def test_precision_per_category_from_judgements(tmp_path: Path) -> None:
    records = [
        {"category": "deflection", "judgement": "correct"},
        {"category": "deflection", "judgement": "incorrect"},
        {"category": "deflection", "judgement": "correct"},
        {"category": "complaint", "judgement": "correct"},
        {"category": "complaint", "judgement": None},
    ]
    path = tmp_path / "audit.jsonl"
    dialogue_audit.write_records(path, records)
    assert dialogue_audit.read_records(path) == records
    assert dialogue_audit.precision(records) == {"deflection": (2, 3), "complaint": (1, 1)}


def test_the_kept_audit_file_is_judged_and_carries_no_dialogue_text() -> None:
    path = Path(__file__).resolve().parents[1] / "bench" / "audit" / "stc3_audit.jsonl"
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert len(records) >= 150
    assert all(r["judgement"] in dialogue_audit.JUDGEMENTS and r["why"] for r in records)
    assert all(len(r["span"]) <= dialogue_audit.SPAN_CHARS for r in records)
    assert {"dialogue", "lang", "rule_id", "category", "turns"} <= set(records[0])


def _write_dialogues(path: Path, count: int) -> None:
    rows = [{"id": k, "turns": [], "quality_mean": {"S": 0, "A": 0, "E": 0}} for k in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_the_file_halves_split_the_same_random_subset(tmp_path: Path) -> None:
    path = tmp_path / "dev_zh.jsonl"
    _write_dialogues(path, 40)
    whole = dialogue_quality.load_dialogues(path, 15, seed=1)
    even = dialogue_quality.load_dialogues(path, 15, seed=1, half="even")
    odd = dialogue_quality.load_dialogues(path, 15, seed=1, half="odd")
    assert {d["id"] for d in even} | {d["id"] for d in odd} == {d["id"] for d in whole}
    assert all(d["id"] % 2 == 0 for d in even) and all(d["id"] % 2 == 1 for d in odd)
    assert [d["id"] for d in whole] != sorted(d["id"] for d in whole)  # shuffled


def test_model_outputs_are_cached_per_text_and_survive_a_cut_line(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def predict(texts: list[str]) -> list[dict]:
        calls.append(list(texts))
        return [{"len": len(t)} for t in texts]

    weights = tmp_path / "model"
    weights.mkdir()
    (weights / "config.json").write_text("{}", encoding="utf-8")
    cached = model_cache.CachedModel("acts", predict, weights, tmp_path)
    assert cached.outputs(["ab", "c", "ab"]) == [{"len": 2}, {"len": 1}, {"len": 2}]
    assert calls == [["ab", "c"]]
    with cached.cache_file.open("a", encoding="utf-8") as fh:
        fh.write('{"t": "half')  # an interrupted run
    again = model_cache.CachedModel("acts", predict, weights, tmp_path)
    assert again.outputs(["c", "ab"]) == [{"len": 1}, {"len": 2}] and len(calls) == 1
    (weights / "config.json").write_text('{"retrained": 1}', encoding="utf-8")
    retrained = model_cache.CachedModel("acts", predict, weights, tmp_path)
    assert retrained.outputs(["c"]) == [{"len": 1}] and len(calls) == 2


def test_pools_drawn_in_order_give_one_uniform_sample() -> None:
    first = [{"n": None, "category": "a", "k": k} for k in range(30)]
    second = [{"n": None, "category": "b", "k": k} for k in range(20)]
    drawn = dialogue_audit.draw(first + second, 10, seed=2)
    assert [r["n"] for r in drawn] == list(range(10))
    assert len({(r["category"], r["k"]) for r in drawn}) == 10
    assert dialogue_audit.draw(first + second, 10, seed=2) == drawn
    assert dialogue_audit.draw(first + second, 100, seed=2)[-1]["n"] == 49


def test_the_judge_reads_marked_lines_whole_and_context_cut(tmp_path: Path, capsys) -> None:
    long_line = "I will report this. " * 20  # 400 characters, past the cut
    dialogue = {
        "id": "7",
        "turns": [
            {"sender": "customer", "utterances": [long_line]},
            {"sender": "helpdesk", "utterances": ["Sorry. " * 60]},
        ],
        "quality_mean": {"A": 0.0, "S": 0.0, "E": 0.0},
    }
    (tmp_path / "dev_en.jsonl").write_text(json.dumps(dialogue) + "\n", encoding="utf-8")
    record = {
        "n": 0,
        "dialogue": "7",
        "lang": "en",
        "rule_id": "escalation",
        "category": "escalation",
        "role": "customer",
        "utterances": [0, 0],
        "span": "report",
    }
    dialogue_audit.show([record], tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  > 0 customer") and long_line.strip() in lines[1]
    agent = lines[2]
    assert agent.startswith("    1 agent") and len(agent) < 20 + dialogue_audit.LINE_CHARS
