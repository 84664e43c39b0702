"""The files the data folder holds for one call, and removing them.

Every store of per-call files under the data folder is laid out by the recording's content
hash, ``DATA_DIR/<store>/<sha[:2]>/<sha>...`` (``recordings/``, the waveform ``peaks/``,
redacted or decoded copies): so one pattern finds them all, including stores added later,
without this module importing the code that writes them.
"""

from __future__ import annotations

import re
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def call_files(data_dir: Path, media_path: str, sha256: str) -> list[Path]:
    """The stored recording (or transcript file) and every file derived from it."""
    root = Path(data_dir)
    found: set[Path] = set()
    media = root / media_path
    if media_path and _inside(root, media):
        found.add(media)
    if SHA256.match(sha256 or "") and root.is_dir():
        for store in root.iterdir():
            if store.is_dir() and not store.is_symlink():
                found.update(store.glob(f"{sha256[:2]}/{sha256}*"))
    return sorted(p for p in found if not p.is_dir())


def remove_files(paths: list[Path]) -> int:
    """Delete the files; returns how many were there. Missing ones are fine (a rerun)."""
    removed = 0
    for path in paths:
        if path.is_file() or path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
