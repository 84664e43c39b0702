"""Copy every file an installed distribution owns to STAGE/<its absolute path>.

The image's final stage copies the dependencies' virtual environment (large, changed only
when pyproject.toml changes) and this staged tree of the project's own files (small) as
separate layers, so a code change rebuilds and ships megabytes, not the whole environment.

    python stage_installed.py qa-service /opt/stage
"""

from __future__ import annotations

import shutil
import sys
from importlib.metadata import distribution
from pathlib import Path


def stage(dist_name: str, stage_dir: Path) -> int:
    """Copy the distribution's files (RECORD) under ``stage_dir``; returns how many."""
    dist = distribution(dist_name)
    count = 0
    for entry in dist.files or []:
        src = Path(dist.locate_file(entry)).resolve()
        if not src.is_file():
            continue
        dest = stage_dir / src.relative_to(src.anchor)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        count += 1
    return count


if __name__ == "__main__":
    name, target = sys.argv[1], Path(sys.argv[2])
    print(f"staged {stage(name, target)} files of {name} under {target}")
