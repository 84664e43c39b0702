"""Checks: the operators a rule can use, all in one registry that custom checks join too."""

# Importing the operator modules registers the built-ins.
from qa_service.domain.checks import (
    acts,
    conditional,
    data_handling,
    logic,
    outcome,
    phrases,
    signals,
    timing,
)
from qa_service.domain.checks.context import CheckContext, Hit, is_mono
from qa_service.domain.checks.params import PackSettings, Params, Phrases, PhraseSet, Window
from qa_service.domain.checks.registry import (
    CheckType,
    check_types,
    get_check,
    load_installed_checks,
    register_check,
)

__all__ = [
    "CheckContext",
    "CheckType",
    "Hit",
    "PackSettings",
    "Params",
    "PhraseSet",
    "Phrases",
    "Window",
    "acts",
    "check_types",
    "conditional",
    "data_handling",
    "get_check",
    "is_mono",
    "load_installed_checks",
    "logic",
    "outcome",
    "phrases",
    "register_check",
    "signals",
    "timing",
]
