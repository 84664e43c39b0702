"""The data folder and the files in it: readable by the service's own user only.

The folder holds the database (password hashes), the recordings, the secret key and the first
admin password, so folders are 0700 and files 0600: the process runs with umask 077, and
files that matter are also created with those modes explicitly (the umask may be changed by a
library, and a folder created by hand keeps its own).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from qa_service.config import Settings
from qa_service.errors import InputError

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
# How long a reader waits for a file another process is creating (secret key).
READ_RETRY_S = 5.0


def private_dir(path: Path) -> Path:
    """Create the folder (and missing parents) owner-only; returns it."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


def prepare_data_dir(settings: Settings) -> Path:
    """Owner-only file modes for this process, and a data folder that exists and is writable.

    A folder that cannot be used is one ``InputError`` line (the CLI prints ``error: ...``),
    not a traceback from deep inside the database driver.
    """
    os.umask(PRIVATE_UMASK)
    root = Path(settings.data_dir)
    try:
        private_dir(root)
        if root.stat().st_uid == os.geteuid():  # a folder lent by another owner keeps its mode
            os.chmod(root, DIR_MODE)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"the data folder {root} (QA_DATA_DIR) cannot be created or written: {reason}"
        ) from None
    return root


def _temp_beside(path: Path, text: str) -> Path:
    """A new 0600 file in the same folder holding ``text``, flushed to disk."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(tmp)


def write_private(path: Path, text: str) -> Path:
    """Write a 0600 file whole: readers see the old file or the new one, never a part."""
    tmp = _temp_beside(path, text)
    os.replace(tmp, path)
    return path


def create_once(path: Path, make: Callable[[], str]) -> str:
    """The file's content, creating it with ``make()`` if it does not exist yet.

    When several processes start at once, exactly one file wins and every process returns
    its content: the new file appears whole (written aside, then hard-linked into place, which
    fails if the name exists), and a reader never sees it empty.
    """
    path = Path(path)
    if not path.exists():
        tmp = _temp_beside(path, make())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    deadline = time.monotonic() + READ_RETRY_S
    while not (text := path.read_text(encoding="utf-8").strip()):
        # Only a file created by an older version (open, then write) can be seen empty.
        if time.monotonic() > deadline:
            raise InputError(f"{path} is empty: delete it to have a new one generated")
        time.sleep(0.05)
    return text


def restrict_sqlite_files(database: str) -> None:
    """The SQLite file owner-only before SQLite opens it (its -wal and -shm copy its mode)."""
    if not database or database == ":memory:":
        return
    path = Path(database)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        # Files made by an older version (0644) are narrowed; another owner's are left be.
        if name.exists() and name.stat().st_uid == os.geteuid():
            os.chmod(name, FILE_MODE)
