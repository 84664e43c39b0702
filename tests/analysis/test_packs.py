"""Pack references: ``NAME`` or ``NAME@VERSION``, parsed once into a ``PackRef``."""

from __future__ import annotations

import pytest

from qa_service.analysis.packs import PackRef
from qa_service.errors import InputError


@pytest.mark.parametrize(
    ("text", "name", "version"),
    [("en-default", "en-default", None), (" mine@12 ", "mine", 12), ("a@0", "a", 0)],
)
def test_a_reference_parses_and_prints_back(text, name, version):
    ref = PackRef.parse(text)
    assert (ref.name, ref.version) == (name, version)
    assert str(ref) == text.strip()
    assert PackRef.parse(str(ref)) == ref


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not a rule pack name"),
        ("@3", "not a rule pack name"),
        ("../etc/passwd", "not a rule pack name"),
        ("sub\\pack", "not a rule pack name"),
        (".hidden", "not a rule pack name"),
        ("mine@", "must be a number"),
        ("mine@v2", "must be a number"),
        ("mine@-1", "must be a number"),
    ],
)
def test_a_path_or_a_bad_version_is_refused(text, message):
    with pytest.raises(InputError, match=message):
        PackRef.parse(text)
