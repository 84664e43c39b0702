"""The default packs' phrase sets on lines where they must fire and lines where they must not.

Each set runs through a one-rule pack with the default pack's own settings and phrase sets,
so the lines are matched exactly as the default rules match them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from qa_service.domain.rulepack import RulePack
from tests.rules_helpers import RULES, pack, run, transcript

CONTEXTS = Path(__file__).parent / "data" / "lexicon_contexts.yaml"
# The category of the default rule that reads each set: rules judge questions by category.
SET_CATEGORY = {
    "forbidden": "forbidden_phrase",
    "rude_opening": "forbidden_phrase",
    "deflection": "deflection",
    "complaint": "complaint",
    "escalation": "escalation",
    "escalation_targets": "escalation",
    "negative_cues": "customer_negative",
    "empathy": "empathy_missing",
    "closing": "closing_missing",
    "greeting": "greeting_missing",
    "hold": "silence",
    "thanks_for_waiting": "silence",
    "contrast": "customer_satisfied",
    "pressing_on": "customer_satisfied",
}
# The sets centres publish at length must stay at that breadth (English lists are shorter:
# its taboo lists are about meaning, Chinese ones enumerate wordings).
MIN_ENTRIES = {
    "zh": {"forbidden": 200, "deflection": 120, "empathy": 80, "complaint": 60, "escalation": 40},
    "en": {"forbidden": 100, "deflection": 80, "empathy": 60, "complaint": 50, "escalation": 40},
}


def _contexts() -> dict:
    return yaml.safe_load(CONTEXTS.read_text("utf-8"))


@cache
def _default(language: str) -> dict:
    return yaml.safe_load((RULES / f"{language}-default.yaml").read_text("utf-8"))


@cache
def _set_pack(language: str, name: str, role: str) -> RulePack:
    default = _default(language)
    lexicon = {
        "id": "lexicon",
        "type": "phrase",
        "category": SET_CATEGORY[name],
        "role": role,
        "params": {"phrases": [f"@{name}"]},
    }
    return pack(
        lexicon,
        categories=[SET_CATEGORY[name]],
        language=language,
        settings=default["settings"],
        phrase_sets=default["phrase_sets"],
    )


def _fires(language: str, name: str, role: str, line: str) -> bool:
    outcome = run(_set_pack(language, name, role), transcript((role, line), language=language))
    return any(f.rule_id == "lexicon" for f in outcome.findings)


def _cases() -> list:
    cases = []
    for language, sets in _contexts().items():
        for name, spec in sets.items():
            for expect, key in ((True, "fire"), (False, "quiet")):
                for line in spec.get(key, []):
                    case = (language, name, spec["role"], line, expect)
                    cases.append(pytest.param(*case, id=f"{language}-{name}-{key}-{line[:24]}"))
    return cases


@pytest.mark.parametrize(("language", "name", "role", "line", "expect"), _cases())
def test_phrase_set_in_context(language: str, name: str, role: str, line: str, expect) -> None:
    assert _fires(language, name, role, line) is expect


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_tested_set_exists_and_every_set_is_tested(language: str) -> None:
    tested = set(_contexts()[language])
    sets = set(_default(language)["phrase_sets"])
    assert tested <= sets
    # The financial sets are covered by the risk-disclosure tests on the labelled calls.
    assert sets - tested <= {"courtesy", "financial_product", "fee_statement", "confirmation"}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_lexicons_have_the_breadth_centres_publish(language: str) -> None:
    sets = _default(language)["phrase_sets"]
    for name, least in MIN_ENTRIES[language].items():
        assert len(sets[name]) >= least, name
    for name, entries in sets.items():
        texts = [str(e) for e in entries]
        assert len(texts) == len(set(texts)), f"{name} lists an entry twice"


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("name", ["forbidden", "deflection", "empathy", "complaint", "escalation"])
def test_every_entry_fires_when_said(language: str, name: str) -> None:
    """Each plain entry matches when said on its own line (no entry cancels itself)."""
    role = _contexts()[language][name]["role"]
    entries = [_said(e) for e in _default(language)["phrase_sets"][name]]
    silent = [e for e in entries if e is not None and not _fires(language, name, role, e)]
    assert silent == []


def _said(entry: object) -> str | None:
    """The words of a plain, fuzzy or exact entry; None for a regex."""
    if isinstance(entry, dict):
        entry = entry.get("fuzzy", entry.get("exact"))
    return None if entry is None else str(entry)
