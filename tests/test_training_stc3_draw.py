"""Labelled STC-3 training references: reproducible draws, no bench or held-out dialogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_service.domain.checks.acts import CALL_ACTS
from qa_service.training.acts_data import DATA_DIR, TRAIN_STC3, TRAIN_STC3_EN, TRAIN_STC3_ENDS
from qa_service.training.stc3_sample import draw, draw_ends, draw_english, reserved_ids


def references(name: str) -> list[dict]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def stc3(shared_dir: Path) -> Path:
    return shared_dir / "data" / "dialogues" / "stc3"


@pytest.mark.parametrize("name", [TRAIN_STC3, TRAIN_STC3_EN, TRAIN_STC3_ENDS])
def test_no_training_reference_is_in_a_bench_or_the_held_out_split(stc3: Path, name: str) -> None:
    reserved = reserved_ids(stc3)
    refs = references(name)
    assert refs
    assert not {r["dialogue"] for r in refs} & reserved
    assert all(set(r["acts"]) <= set(CALL_ACTS) for r in refs)


def test_the_english_draw_recreates_its_references_and_skips_the_zh_draw(stc3: Path) -> None:
    zh_drawn = draw(stc3, 1600, 20261203)
    drawn = draw_english(stc3, 20261204, zh_drawn)
    covered = {(d["dialogue"], d["turn"], d["utterance"]) for d in zh_drawn}
    places = [(d["dialogue"], d["turn"], d["utterance"]) for d in drawn]
    assert not set(places) & covered
    refs = references(TRAIN_STC3_EN)
    assert {r["lang"] for r in refs} == {"en"}
    assert sorted((r["dialogue"], r["turn"], r["utterance"]) for r in refs) == sorted(places)
    assert draw_english(stc3, 20261204, zh_drawn) == drawn


def test_the_ends_draw_holds_each_dialogue_s_last_customer_message_once(stc3: Path) -> None:
    zh_drawn = draw(stc3, 1600, 20261203)
    drawn = draw_ends(stc3, 20261205, zh_drawn)
    assert len({d["dialogue"] for d in drawn}) == len(drawn)
    dialogues = {d["id"]: d for d in map(json.loads, (stc3 / "dev_zh.jsonl").open())}
    for item in drawn[:50]:
        turns = dialogues[item["dialogue"]]["turns"]
        assert turns[item["turn"]]["sender"] == "customer"
        later = [
            text
            for t, turn in enumerate(turns)
            if turn["sender"] == "customer"
            for u, text in enumerate(turn["utterances"])
            if (t, u) > (item["turn"], item["utterance"]) and text.strip()
        ]
        assert not later
    refs = references(TRAIN_STC3_ENDS)
    assert {r["lang"] for r in refs} == {"zh"}
    places = {(d["dialogue"], d["turn"], d["utterance"]) for d in drawn}
    assert {(r["dialogue"], r["turn"], r["utterance"]) for r in refs} == places
