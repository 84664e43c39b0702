"""What bench/pii_listen.py prints beside bench/pii_pool.py's scores: a table with the
whole-number count, and the first pass's ASR seconds, read from the set's generation log."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pii_pool import print_table


def first_pass_asr_seconds(seed: int, lang: str = "zh") -> float | None:
    """The ASR seconds of the set's generation (its log's last line), if the log is kept
    (/tmp/gen_<seed>.log; English sets: /tmp/gen_en_<seed>.log)."""
    log = Path(f"/tmp/gen_{seed}.log" if lang == "zh" else f"/tmp/gen_{lang}_{seed}.log")
    if not log.exists():
        return None
    found = re.findall(r"ASR ([\d.]+) s for", log.read_text("utf-8", "replace"))
    return float(found[-1]) if found else None


def table(title: str, stats: dict[str, Counter], negatives: Counter) -> None:
    print(f"\n{title}")
    print_table(stats, negatives, whole=True)
