"""Bad input: a clear one-line error, a non-zero exit, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa_service.cli import main
from tests.audio_fixtures import sparse_long_wav, wav_header
from tests.conftest import CALLS_DIR


def _empty(tmp: Path) -> Path:
    (tmp / "empty.wav").write_bytes(b"")
    return tmp / "empty.wav"


def _truncated(tmp: Path) -> Path:
    data = (CALLS_DIR / "zh-rude-agent.wav").read_bytes()
    (tmp / "cut.wav").write_bytes(data[: len(data) // 3])
    return tmp / "cut.wav"


def _text(tmp: Path) -> Path:
    (tmp / "notes.wav").write_text("this is a text file, not a recording\n" * 20)
    return tmp / "notes.wav"


def _zero_channels(tmp: Path) -> Path:
    (tmp / "zero-ch.wav").write_bytes(wav_header(0, 8000, 0) + b"\0" * 1600)
    return tmp / "zero-ch.wav"


def _zero_seconds(tmp: Path) -> Path:
    (tmp / "zero-s.wav").write_bytes(wav_header(1, 8000, 0))
    return tmp / "zero-s.wav"


def _six_hours(tmp: Path) -> Path:
    return sparse_long_wav(tmp / "six-hours.wav", hours=6)


def _missing(tmp: Path) -> Path:
    return tmp / "does-not-exist.wav"


def _bad_transcript(tmp: Path) -> Path:
    (tmp / "t.json").write_text('{"utterances": [{"role": "agent"}]}')
    return tmp / "t.json"


def _not_json(tmp: Path) -> Path:
    (tmp / "t2.json").write_text("{not json")
    return tmp / "t2.json"


BAD_INPUTS = {
    "empty": (_empty, "empty"),
    "truncated": (_truncated, "truncated"),
    "text": (_text, "not a readable audio file"),
    "zero-channels": (_zero_channels, "no channels"),
    "zero-seconds": (_zero_seconds, "no audio"),
    "six-hours": (_six_hours, "6.0 h long"),
    "missing": (_missing, "no such file"),
    "bad-transcript": (_bad_transcript, "utterance 0"),
    "not-json": (_not_json, "not a valid transcript JSON"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_cleanly(case, tmp_path, capsys):
    make, expected = BAD_INPUTS[case]
    src = tmp_path / "in"
    src.mkdir()
    out = tmp_path / "out.json"
    path = make(src)
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(path), "--format", "json", "--output", str(out)])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and expected in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists()
    assert not list(tmp_path.glob(".out.json*"))


@pytest.mark.slow
def test_bad_input_through_the_installed_command(tmp_path):
    path = _text(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "qa_service", "analyze", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lang", "fr"], "--lang must be zh, en or auto"),
        (["--channels", "agent,agent"], "--channels must name both roles"),
    ],
)
def test_bad_options_are_refused(args, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(CALLS_DIR / "zh-rude-agent.wav"), *args])
    assert exit_info.value.code != 0
    assert expected in capsys.readouterr().err


def test_folder_with_no_recordings(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(tmp_path)])
    assert exit_info.value.code != 0
    assert "no recordings found" in capsys.readouterr().err
