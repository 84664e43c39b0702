"""Checks: the operators a rule can use, all in one registry that custom checks join too."""

# Importing the operator modules registers the built-ins.
from qa_service.domain.checks import acts, conditional, logic, phrases, signals, timing
from qa_service.domain.checks.context import CheckContext, Hit, is_mono
from qa_service.domain.checks.params import PackSettings, Params, Phrases, PhraseSet, Window
from qa_service.domain.checks.registry import CheckType, check_types, get_check, register_check

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
    "get_check",
    "is_mono",
    "logic",
    "phrases",
    "register_check",
    "signals",
    "timing",
]
