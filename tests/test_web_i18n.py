"""Chinese and English: both catalogs say everything the pages ask for, with the same
placeholders, and a request's language follows the switch, then the browser."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from qa_service.analysis.packs import available_packs, load_pack
from qa_service.domain.checks.acts import CALL_ACTS
from qa_service.domain.kpi import KPIS
from qa_service.domain.results import CATEGORIES
from qa_service.domain.sampling import RISK_FLAGS
from qa_service.features.calls.service import CallSort
from qa_service.features.packs.rule_form import FORM_TYPES
from qa_service.store.accounts import AccountRole
from qa_service.store.call_facts import GroupBy
from qa_service.store.calls import CallStatus, PurgeReason, ReviewState
from qa_service.store.coaching import CoachingStatus
from qa_service.store.disputes import Decision, DisputeStatus, Stage
from qa_service.web.i18n import LANGUAGES, Translator, catalog, negotiate
from qa_service.web.rendering import STATIC_DIR, TEMPLATES_DIR

TEMPLATE_KEY = re.compile(r"""\bt\(\s*'([a-z0-9_.]+)'\s*[,)]""")
TEMPLATE_PREFIX = re.compile(r"""\bt\(\s*'([a-z0-9_.]+)'\s*~""")
SCRIPT_KEY = re.compile(r"""\bt\(\s*"([a-z0-9_.]+)"\s*[,)]""")
SCRIPT_LABEL = re.compile(r"""\blabel\(\s*"([a-z_]+)"\s*,""")
# The values each computed key ("status." ~ value) can take.
VALUES = {
    "status": [s.value for s in CallStatus],
    "review_state": [s.value for s in ReviewState],
    "purge_reason": [r.value for r in PurgeReason],
    "severity": ["critical", "major", "minor", "info"],
    "dispute_status": [s.value for s in DisputeStatus],
    "stage": [s.value for s in Stage],
    "decision": [d.value for d in Decision],
    "decided": [d.value for d in Decision],
    "thread": ["dispute", "appeal", "decision"],
    "risk": list(RISK_FLAGS),
    "role": [r.value for r in AccountRole],
    "dashboard.by_": [g.value for g in GroupBy],
    "packs.kind_": ["pack", "scorecard"],
    "calls.sort_": [s.value for s in CallSort],
    "kpi": [k.id for k in KPIS],
    "coaching_filter": ["active", *(s.value for s in CoachingStatus), "any"],
    "dispute_filter": ["active", *(s.value for s in DisputeStatus)],
    # The pack editor's rule builder.
    "js.category": list(CATEGORIES),
    "packs.type": list(FORM_TYPES),
    "packs.role": ["agent", "customer", "any"],
    "packs.act": list(CALL_ACTS),
    "packs.rule_": ["first_turns", "last_turns", "skip_first_turns", "first_s", "last_s"],
    "packs.item_question_": ["zh", "en"],
    "packs.item_instructions_": ["zh", "en"],
    "packs.rule_name_": ["zh", "en"],
    "packs.rule_description_": ["zh", "en"],
    "packs.item_answer_": ["yes", "no", "not_applicable"],
    "calibration.answer": ["yes", "no", "not_applicable"],
    "js.role": ["agent", "customer", "mono", "unknown"],
}


def _pack_categories() -> set[str]:
    return {rule.category for name in available_packs() for rule in load_pack(name).rules}


SCRIPT_VALUES = {
    "role": ["agent", "customer", "mono"],
    "severity": VALUES["severity"],
    "verdict": ["confirmed", "overturned"],
    "status": VALUES["status"],
    "stage": VALUES["stage"],
    "decision": VALUES["decision"],
    "decide": VALUES["decision"],
    "dispute_status": VALUES["dispute_status"],
    "review_kind": ["primary", "second"],
    "kind": ["pack", "scorecard"],
    "coaching_status": [s.value for s in CoachingStatus],
}


def _sources(folder: Path, pattern: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob(pattern)))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys_and_placeholders():
    en, zh = catalog("en"), catalog("zh")
    assert set(en) == set(zh)
    for key in en:
        assert en[key].strip() and zh[key].strip(), key
        assert _placeholders(en[key]) == _placeholders(zh[key]), key


def test_every_template_message_exists():
    source = _sources(TEMPLATES_DIR, "*.html")
    keys = set(TEMPLATE_KEY.findall(source))
    assert len(keys) > 100
    missing = sorted(k for k in keys if k not in catalog("en"))
    assert not missing
    for prefix in set(TEMPLATE_PREFIX.findall(source)):
        values = VALUES[prefix.removesuffix(".")]
        missing = [v for v in values if f"{prefix}{v}" not in catalog("en")]
        assert not missing, prefix


def _script_values(prefix: str) -> list[str]:
    # The packs load when this test runs, not each time the file is collected.
    if prefix == "category":
        return sorted(set(CATEGORIES) | _pack_categories())
    return SCRIPT_VALUES[prefix]


def test_every_script_message_exists():
    source = _sources(STATIC_DIR / "js", "*.js")
    keys = set(SCRIPT_KEY.findall(source))
    assert len(keys) > 40
    assert not sorted(k for k in keys if f"js.{k}" not in catalog("en"))
    for prefix in set(SCRIPT_LABEL.findall(source)):
        missing = [v for v in _script_values(prefix) if f"js.{prefix}.{v}" not in catalog("en")]
        assert not missing, prefix


def test_every_kpi_has_a_label_in_both_languages():
    for lang in LANGUAGES:
        t = Translator(lang)
        for kpi in KPIS:
            assert t.maybe("kpi", kpi.id, "") != kpi.id


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("ZH-tw", "zh"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr;q=1.0, zh;q=0.5", "zh"),
        ("en;q=0.2, zh;q=0.7", "zh"),
        ("zh;q=0", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("zh;q=abc, en", "en"),
    ],
)
def test_browser_language_is_negotiated(header, expected):
    assert negotiate(header) == expected


def test_translator_falls_back_and_fills_placeholders():
    zh = Translator("zh")
    assert zh("pager.page", page=2, pages=5) == "第 2 / 5 页"
    assert zh("no.such.key") == "no.such.key"
    assert zh.maybe("kpi", "qa_score") == "质检得分"
    assert zh.maybe("kpi", "not-a-kpi", "x") == "not-a-kpi"
    assert Translator("fr").lang == "en"
    sent = zh.script_messages()
    assert all(k.startswith(("js.", "error.")) for k in sent)
    # The services' errors go to the scripts, so a form says them in the page's language.
    assert sent["error.adjustment_comment"] == "调整分数需要填写说明原因的备注"
