"""``qa-service analyze`` on one call, a folder, and a transcript JSON."""

from __future__ import annotations

import json
import shutil

import pytest

from qa_service.cli import main
from tests.conftest import CALLS_DIR, call_truth

pytestmark = pytest.mark.asr


def run_cli(args, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_text_output_is_a_timed_dialogue(capsys):
    code, out, _ = run_cli(["analyze", str(CALLS_DIR / "en-billing-deflect.wav")], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("call en-billing-deflect  language en")
    assert any(line.startswith("[00:02.") and "customer" in line for line in lines)


def test_json_output_follows_the_contract(capsys):
    code, out, _ = run_cli(
        ["analyze", str(CALLS_DIR / "en-billing-deflect.wav"), "--format", "json", "--lang", "en"],
        capsys,
    )
    data = json.loads(out)
    assert code == 0
    assert data["call_id"] == "en-billing-deflect"
    assert data["channels"] == {"left": "agent", "right": "customer"}
    assert {u["role"] for u in data["utterances"]} == {"agent", "customer"}


def test_folder_gives_one_result_per_call_and_a_summary(tmp_path, capsys):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("zh-rude-agent.wav", "en-billing-deflect.wav"):
        shutil.copy(CALLS_DIR / name, folder / name)
    (folder / "broken.wav").write_text("not audio")
    out_dir = tmp_path / "results"
    code, _, err = run_cli(["analyze", str(folder), "--format", "json", "-o", str(out_dir)], capsys)
    assert code == 1  # one input failed
    assert "analysed 2 of 3 calls" in err
    assert "broken.wav" in err
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "en-billing-deflect.json",
        "zh-rude-agent.json",
    ]
    assert json.loads((out_dir / "zh-rude-agent.json").read_text())["language"] == "zh"


def test_transcript_json_skips_asr(tmp_path, capsys):
    truth = call_truth("en-billing-deflect")
    path = tmp_path / "chat.json"
    path.write_text(json.dumps({"call_id": "chat-1", "language": "en", "turns": truth["turns"]}))
    code, out, _ = run_cli(["analyze", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["call_id"] == "chat-1"
    assert data["source"] == {"transcript": True, "channel": "voice"}
    assert data["channel"] == "voice" and data["timestamps"] == "real"
    assert [u["text"] for u in data["utterances"]][:2] == [t["text"] for t in truth["turns"][:2]]


def test_result_json_round_trips_as_input(tmp_path, analyzed_calls, capsys):
    stored = analyzed_calls["zh-refund-interrupt"].to_dict()
    path = tmp_path / "stored.json"
    path.write_text(json.dumps(stored, ensure_ascii=False))
    code, out, _ = run_cli(["analyze", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0
    assert data["utterances"] == stored["utterances"]
