"""Models beyond base: the catalog's larger models, and a user's own CTranslate2 directory.

No hub is reachable here, so the directory is a tiny random-weight Whisper converted with
CTranslate2's converter, as the hub's faster-whisper models are (tests/tiny_whisper.py).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.errors import ModelError
from qa_service.modelhub import catalog, fetch
from qa_service.modelhub.catalog import CATALOG, ModelSpec
from qa_service.modelhub.store import inspect_model, require_model
from tests.conftest import AUDIO_DIR
from tests.tiny_whisper import build_tiny_whisper

LARGER = ("small", "medium", "large-v3", "large-v3-turbo")


@pytest.fixture(scope="module")
def tiny_whisper_dir(tmp_path_factory, settings: Settings) -> Path:
    tokenizer = Path(settings.models_dir) / "faster-whisper-base" / "tokenizer.json"
    if not tokenizer.is_file():
        pytest.fail(f"{tokenizer} missing: run 'qa-service models fetch base'")
    return build_tiny_whisper(tokenizer, tmp_path_factory.mktemp("ct2") / "tiny-whisper")


def sha_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_larger_models_are_catalogued_with_their_official_checksum() -> None:
    hashes = [CATALOG[name].files["model.bin"] for name in LARGER]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)
    assert len(set(hashes) | {CATALOG["base"].files["model.bin"]}) == len(LARGER) + 1
    for name in LARGER:
        spec = CATALOG[name]
        # faster-whisper cannot load a directory without these.
        assert {"config.json", "tokenizer.json"} <= set(spec.unpinned)
        assert catalog.official_model_bins()[spec.files["model.bin"]] is spec


def test_models_list_shows_the_larger_models_and_their_hashes(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "list"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in LARGER:
        row = next(line for line in out.splitlines() if f" {name} " in line)
        assert CATALOG[name].files["model.bin"] in row and CATALOG[name].download_size in row


def test_fetching_a_larger_model_offline_says_what_to_do(tmp_path) -> None:
    settings = Settings(models_dir=tmp_path, offline=True)
    with pytest.raises(ModelError) as info:
        fetch.fetch_model("large-v3", settings)
    message = info.value.message
    assert "not reachable" in message and "Systran/faster-whisper-large-v3" in message
    assert "model.bin" in message and "tokenizer.json" in message
    assert not list(tmp_path.rglob("model.bin*"))


def test_hub_fetch_pins_model_bin_and_requires_the_unpinned_files(tmp_path, monkeypatch):
    files = {"model.bin": b"w" * 5000, "config.json": b"{}", "tokenizer.json": b"{}"}
    spec = ModelSpec(
        name="toy-large",
        kind="faster-whisper",
        hub_repo="Example/faster-whisper-toy-large",
        files={"model.bin": hashlib.sha256(files["model.bin"]).hexdigest()},
        unpinned=("config.json", "tokenizer.json"),
    )
    monkeypatch.setitem(catalog.CATALOG, spec.name, spec)
    monkeypatch.setattr(fetch, "hub_reachable", lambda _settings: True)
    served: list[str] = []

    def urlopen(url, timeout):
        name = url.rsplit("/", 1)[-1]
        served.append(url)
        return io.BytesIO(hub[name])

    monkeypatch.setattr(fetch.urllib.request, "urlopen", urlopen)
    settings = Settings(models_dir=tmp_path)
    hub = {**files, "model.bin": b"tampered"}
    with pytest.raises(ModelError, match="does not match"):
        fetch.fetch_model(spec.name, settings)
    assert not (tmp_path / "faster-whisper-toy-large" / "model.bin").exists()
    hub = files
    path = fetch.fetch_model(spec.name, settings)
    assert {p.name for p in path.iterdir()} >= set(files)
    assert served[-1].startswith("https://huggingface.co/Example/faster-whisper-toy-large/")
    assert inspect_model(spec, settings).status == "verified"
    (path / "tokenizer.json").unlink()
    assert inspect_model(spec, settings).status == "incomplete"


def test_the_stated_checksum_is_a_well_formed_sha256() -> None:
    for bad in ("abc", "g" * 64, "0" * 63):
        with pytest.raises(ValidationError):
            Settings(asr_model_sha256=bad)


def test_an_unknown_name_is_neither_model_nor_directory(tmp_path) -> None:
    with pytest.raises(ModelError, match="neither a known model"):
        require_model(str(tmp_path / "nowhere"), Settings(models_dir=tmp_path))


def test_a_converted_directory_loads_and_transcribes(tiny_whisper_dir: Path) -> None:
    from faster_whisper import decode_audio

    from qa_service.engines.asr import ASROptions, load_recognizer
    from qa_service.engines.asr_guards import GuardOptions

    settings = Settings(
        asr_model=str(tiny_whisper_dir),
        asr_model_sha256=sha_of(tiny_whisper_dir / "model.bin").upper(),
        device="cpu",
        asr_batch_size=0,
    )
    recognizer = load_recognizer(settings)
    assert recognizer.model_path == tiny_whisper_dir
    audio = decode_audio(str(AUDIO_DIR / "en" / "jfk.flac"))[: 16000 * 5]
    # Guards off: random weights are unsure of everything, so with the guards on each window
    # would be decoded again at every fallback temperature, then skipped as hallucinated.
    guards = GuardOptions(
        no_speech_threshold=1.01, log_prob_threshold=-1e9, compression_ratio_threshold=1e9
    )
    options = ASROptions(
        language="en",
        beam_size=1,
        vad_filter=False,
        hallucination_silence_threshold=None,
        guards=guards,
    )
    transcript = recognizer.transcribe(audio, options)
    # Random weights: the text is noise, but it is decoded and timed within the clip.
    assert transcript.language == "en"
    assert transcript.words
    for word in transcript.words:
        assert 0.0 <= word.start <= word.end <= 5.0 + 0.5


def test_a_directory_nobody_vouched_for_is_refused(tiny_whisper_dir: Path) -> None:
    sha = sha_of(tiny_whisper_dir / "model.bin")
    with pytest.raises(ModelError) as info:
        require_model(str(tiny_whisper_dir), Settings())
    assert "not the official checksum" in info.value.message
    assert f"QA_ASR_MODEL_SHA256={sha}" in info.value.message


def test_a_wrong_checksum_is_refused(tiny_whisper_dir: Path) -> None:
    settings = Settings(asr_model=str(tiny_whisper_dir), asr_model_sha256="0" * 64)
    with pytest.raises(ModelError, match="does not match QA_ASR_MODEL_SHA256"):
        require_model(settings.asr_model, settings)


@pytest.mark.parametrize("left_out", ["model.bin", "tokenizer.json", "vocabulary.json"])
def test_an_incomplete_directory_is_refused(tiny_whisper_dir: Path, tmp_path, left_out) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tiny_whisper_dir, copy, ignore=shutil.ignore_patterns(left_out))
    settings = Settings(asr_model_sha256=sha_of(tiny_whisper_dir / "model.bin"))
    with pytest.raises(ModelError, match="not a CTranslate2 Whisper model directory: missing"):
        require_model(str(copy), settings)


def test_models_verify_prints_the_checksum_to_state(tiny_whisper_dir: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "verify", str(tiny_whisper_dir)])
    assert exit_info.value.code == 0
    sha = sha_of(tiny_whisper_dir / "model.bin")
    assert f"QA_ASR_MODEL_SHA256={sha}" in capsys.readouterr().out


def test_fetch_of_a_directory_points_to_verify(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "fetch", str(tmp_path)])
    assert exit_info.value.code == 0
    # Rich wraps the message to the terminal's width.
    said = "".join(capsys.readouterr().err.split())
    assert f"qa-servicemodelsverify{tmp_path}" in said
    assert not any(tmp_path.iterdir())
