"""Rule packs are data from QA users: against the running service, a pack can neither load
code (only check types the administrator installed as entry points), nor blow up the YAML
parser, nor read or overwrite server files through its ``scorecard:``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from qa_service.domain.checks import registry
from qa_service.features.packs import service as rulepacks
from qa_service.store.packs import DocumentKind, PackVersion
from qa_service.web import install_web
from tests.service_api_fixtures import running_service

pytestmark = pytest.mark.api

pytest_plugins = [
    "tests.service_fixtures",
    "tests.service_api_fixtures",
    "tests.check_plugins",
]

RULE = (
    "  - {id: deflect, type: phrase, category: deflection, role: agent,\n"
    '     params: {phrases: ["not my department"]}}\n'
)


def pack_text(name: str, head: str = "", rules: str = RULE) -> str:
    return f"pack: {name}\nlanguage: en\n{head}rules:\n{rules}"


@pytest.fixture(scope="module")
def svc(service):
    if not any(getattr(r, "path", "") == "/qa/packs/validate" for r in service.app.routes):
        install_web(service.app)
    return service


def _refused(reply, *needles: str) -> str:
    assert reply.status_code == 422, reply.text
    text = reply.text
    for needle in needles:
        assert needle in text, text
    return text


def _validate(svc, content: str) -> dict:
    reply = svc.post("/qa/packs/validate", "qa1", json={"kind": "pack", "content": content})
    assert reply.status_code == 200, reply.text
    return reply.json()


# Code -----------------------------------------------------------------------------------


def test_a_pack_cannot_make_the_server_import_a_module(svc, tmp_path, monkeypatch) -> None:
    marker = tmp_path / "imported"
    (tmp_path / "qa_probe_module.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for module in ("qa_probe_module", "this"):
        content = pack_text("sec-plugins", head=f"plugins: [{module}]\n")
        _refused(svc.post("/api/packs", "qa1", json={"content": content}), "packs cannot load code")
        checked = _validate(svc, content)
        assert not checked["ok"]
        assert checked["problems"][0]["field"] == "plugins"
        assert "qa_service.checks" in checked["problems"][0]["message"]
    assert not marker.exists() and "qa_probe_module" not in sys.modules
    assert svc.get("/api/packs/sec-plugins", "qa1").status_code == 404


def test_installed_check_types_load_at_start_and_packs_use_them(
    shout_installed, tmp_path_factory
) -> None:
    tmp = tmp_path_factory.mktemp("entry-point-service")
    rule = (
        "  - {id: shouting, type: shout, category: agent_negative,\n"
        "     params: {phrases: [subscription], times: 1}}\n"
    )
    with running_service(tmp, f"sqlite:///{tmp / 'var' / 'qa.db'}") as own:
        assert registry.load_installed_checks() == []  # the service loaded it at start
        reply = own.post("/api/packs", "qa1", json={"content": pack_text("sec-shout", "", rule)})
        assert reply.status_code == 201, reply.text
        call = own.new_call("A1", pack="sec-shout")
        assert call["rule_pack"] == "sec-shout@1"
        findings = own.get(f"/api/calls/{call['id']}/findings", "qa1").json()
        assert [f["rule_id"] for f in findings] == ["shouting"]


# YAML bounds ----------------------------------------------------------------------------


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = ["pack: sec-bomb", "language: en", 'a0: &a0 ["x"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\nrules:\n" + RULE


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (alias_bomb(), "anchors and aliases"),
        (pack_text("sec-merge", "base: &b {x: 1}\nmore: {<<: *b}\n"), "anchors and aliases"),
        (pack_text("sec-deep", "description: " + "[" * 5000 + "]" * 5000 + "\n"), "nested"),
        (pack_text("sec-digits", "version: " + "9" * 5000 + "\n"), "not valid YAML"),
    ],
    ids=["alias-bomb", "merge-key", "deep-nesting", "huge-integer"],
)
def test_hostile_yaml_is_refused_quickly(svc, content: str, needle: str) -> None:
    started = time.monotonic()
    _refused(svc.post("/api/packs", "qa1", json={"content": content}), needle)
    assert not _validate(svc, content)["ok"]
    assert time.monotonic() - started < 1.0


# Scorecard references -------------------------------------------------------------------


def _victim(svc) -> Path:
    """A valid scorecard YAML outside the scorecards folder, as a server file could be."""
    victim = Path(svc.settings.data_dir).parent / "secret" / "victim.yaml"
    victim.parent.mkdir(exist_ok=True)
    card = Path(svc.settings.rules_dir) / "scorecards" / "standard.yaml"
    victim.write_text(card.read_text("utf-8").replace("scorecard: standard", "scorecard: victim"))
    return victim


def test_a_scorecard_reference_is_a_name_never_a_path(svc) -> None:
    victim = _victim(svc)
    before = (victim.read_bytes(), victim.stat().st_mtime_ns)
    relative = Path("..") / ".." / ".." / victim.relative_to(victim.anchor)
    refs = [str(victim), str(victim.with_suffix("")), str(relative), "../secret/victim"]
    server_paths = (str(Path(svc.settings.data_dir).parent), "/tmp/")
    for ref in refs:
        content = pack_text("sec-traversal", f"scorecard: {ref}\n")
        text = _refused(svc.post("/api/packs", "qa1", json={"content": content}), "scorecard")
        assert "not a path" in text
        body = text.replace(ref, "REF")
        assert not any(p in body for p in server_paths), text
        assert not _validate(svc, content)["ok"]
    assert svc.get("/api/packs/sec-traversal", "agent_a1").status_code == 404
    assert (victim.read_bytes(), victim.stat().st_mtime_ns) == before


def test_whether_a_file_exists_is_not_told(svc) -> None:
    victim = _victim(svc)
    answers = []
    for ref in (str(victim), str(victim.with_name("absent.yaml"))):
        content = pack_text("sec-oracle", f"scorecard: {ref}\n")
        reply = svc.post("/api/packs", "qa1", json={"content": content})
        answers.append((reply.status_code, reply.text.replace(ref, "REF")))
    assert answers[0] == answers[1]
    missing = svc.post(
        "/api/packs", "qa1", json={"content": pack_text("sec-x", "scorecard: nope\n")}
    )
    assert "scorecard 'nope' not found (available: standard)" in _refused(missing)
    assert str(svc.settings.rules_dir) not in missing.text


def _store_version(svc, name: str, content: str, scorecard_name: str, scorecard: str) -> None:
    """Version 1 of a pack written straight to the database, as an older release (or an
    uninstalled check type) could have left it, bypassing today's validation."""
    with svc.db.session() as session:
        session.add(
            PackVersion(
                kind=DocumentKind.pack,
                name=name,
                version=1,
                content=content,
                sha256="0" * 64,
                scorecard_name=scorecard_name,
                scorecard_content=scorecard,
            )
        )


def test_a_stored_version_never_writes_outside_its_folder(svc) -> None:
    """An older row naming ../../victim as its scorecard (stored before names were checked)
    is refused when a call uses it; the file it names is not overwritten."""
    victim = _victim(svc)
    before = victim.read_bytes()
    # From the version's scorecards/ folder: v1, the pack, packs/, the data folder, its parent.
    escape = "../../../../../secret/victim"
    content = pack_text("sec-old-row", f"scorecard: {escape}\n")
    _store_version(svc, "sec-old-row", content, escape, "scorecard: overwritten\n")
    with svc.db.session() as session, pytest.raises(rulepacks.RulePackError, match="not a"):
        rulepacks.resolve_pack(session, svc.settings, "sec-old-row@1")
    assert victim.read_bytes() == before
    assert not list((Path(svc.settings.data_dir) / "packs").rglob("victim.yaml"))


def test_problems_of_a_stored_version_name_no_server_folder(svc) -> None:
    """A stored version that no longer validates (its custom check type was uninstalled)
    is refused with problems that name the pack's file, not the data folder."""
    card = (Path(svc.settings.rules_dir) / "scorecards" / "standard.yaml").read_text("utf-8")
    rules = "  - {id: gone, type: uninstalled_type, category: deflection}\n"
    _store_version(svc, "sec-gone", pack_text("sec-gone", rules=rules), "standard", card)
    with svc.db.session() as session, pytest.raises(rulepacks.RulePackError) as caught:
        rulepacks.resolve_pack(session, svc.settings, "sec-gone")
    assert caught.value.problems[0].startswith("sec-gone.yaml:4: rules[0].type: unknown check")
    assert not any(str(svc.settings.data_dir) in p for p in caught.value.problems)
