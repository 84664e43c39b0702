"""Rule packs and scorecards with versions, validated whole before they are stored, and
rescoring a stored transcript with another pack."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from qa_service.config import get_settings

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]


def _builtin(name: str) -> dict:
    return yaml.safe_load((get_settings().rules_dir / f"{name}.yaml").read_text("utf-8"))


def _lenient_pack(name: str = "en-lenient") -> str:
    """en-default without its forbidden-phrase rules."""
    pack = _builtin("en-default")
    pack["pack"] = name
    pack["rules"] = [r for r in pack["rules"] if r["category"] != "forbidden_phrase"]
    return yaml.safe_dump(pack, allow_unicode=True, sort_keys=False)


def test_builtin_packs_are_listed(service) -> None:
    packs = {p["name"]: p for p in service.get("/api/packs", "agent_a1").json()}
    assert {"en-default", "zh-default"} <= set(packs)
    assert packs["en-default"]["builtin"] is True
    assert "standard" in {s["name"] for s in service.get("/api/scorecards", "qa1").json()}


def test_pack_versions_are_stored_and_audited(service) -> None:
    content = _lenient_pack("en-versioned")
    first = service.post("/api/packs", "qa1", json={"content": content, "comment": "v1"})
    assert first.status_code == 201, first.text
    assert (first.json()["label"], first.json()["scorecard_name"]) == ("en-versioned@1", "standard")
    second = service.post("/api/packs", "qa1", json={"content": content + "\n# tweak\n"})
    assert second.json()["version"] == 2
    summary = service.get("/api/packs/en-versioned", "qa1").json()
    assert (summary["latest_version"], summary["builtin"]) == (2, False)
    stored = service.get("/api/packs/en-versioned/versions/1", "qa1").json()
    assert stored["content"] == content and "dimensions:" in stored["scorecard_content"]
    audit = service.get("/api/audit?entity=pack&entity_id=en-versioned", "qa1").json()["items"]
    assert [e["after"]["version"] for e in audit] == [2, 1]
    assert audit[0]["before"]["content"] == content
    assert service.get("/api/packs/en-versioned/versions/9", "qa1").status_code == 404


def test_a_broken_pack_is_refused_whole_with_its_problems(service) -> None:
    pack = _builtin("en-default")
    pack["pack"] = "en-broken"
    pack["rules"][1]["severity"] = "apocalyptic"
    reply = service.post(
        "/api/packs", "qa1", json={"content": yaml.safe_dump(pack, sort_keys=False)}
    )
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "invalid_rule_pack" and "severity" in error["message"]
    assert error["details"][0].startswith("en-broken.yaml:")
    assert all("qa-pack-" not in p for p in error["details"])  # no server paths
    # The same problems, structured: what an editor marks without parsing the strings.
    first = error["problems"][0]
    assert (first["file"], first["loc"]) == ("en-broken.yaml", ["rules", 1, "severity"])
    assert first["field"] == "rules[1].severity" and first["line"] > 1
    assert (
        error["details"][0]
        == f"en-broken.yaml:{first['line']}: rules[1].severity: " + (first["message"])
    )
    assert service.get("/api/packs/en-broken", "qa1").status_code == 404
    for content in ("", "pack: [unclosed", "just text"):
        assert service.post("/api/packs", "qa1", json={"content": content}).status_code == 422


def test_only_staff_edit_packs(service) -> None:
    for user in ("agent_a1", "lead_a"):
        reply = service.post("/api/packs", user, json={"content": _lenient_pack("en-x")})
        assert reply.status_code == 403


def test_scorecard_versions(service) -> None:
    card = yaml.safe_load((get_settings().rules_dir / "scorecards" / "standard.yaml").read_text())
    card["scorecard"] = "strict"
    card["critical_score"] = 10
    reply = service.post("/api/scorecards", "qa1", json={"content": yaml.safe_dump(card)})
    assert reply.status_code == 201, reply.text
    assert reply.json()["label"] == "strict@1"
    card["dimensions"] = []
    bad = service.post("/api/scorecards", "qa1", json={"content": yaml.safe_dump(card)})
    assert bad.status_code == 422
    pack = yaml.safe_load(_lenient_pack("en-strict"))
    pack["scorecard"] = "strict"
    stored = service.post("/api/packs", "qa1", json={"content": yaml.safe_dump(pack)}).json()
    assert stored["scorecard_name"] == "strict"


def test_rescoring_with_another_pack(service) -> None:
    service.post("/api/packs", "qa1", json={"content": _lenient_pack()})
    call = service.new_call("A1")
    assert call["critical_failed"] is True
    dry = service.post(
        f"/api/calls/{call['id']}/rescore", "qa1", json={"pack": "en-lenient@1", "dry_run": True}
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["stored"] is False and dry.json()["rule_pack"] == "en-lenient@1"
    assert "forbidden_phrase" not in {f["category"] for f in dry.json()["findings"]}
    assert dry.json()["score"]["total"] > call["score_total"]
    unchanged = service.get(f"/api/calls/{call['id']}", "qa1").json()
    assert (unchanged["rule_pack"], unchanged["score_total"]) == ("en-default", call["score_total"])

    service.post(f"/api/calls/{call['id']}/reviews", "qa1", json={"verdicts": []})
    stored = service.post(f"/api/calls/{call['id']}/rescore", "qa1", json={"pack": "en-lenient"})
    assert stored.json()["stored"] is True
    after = service.get(f"/api/calls/{call['id']}", "qa1").json()
    assert after["rule_pack"] == "en-lenient@1"
    assert after["score_total"] == dry.json()["score"]["total"]
    assert after["review_state"] == "none"  # the old verdicts named the old findings
    findings = service.get(f"/api/calls/{call['id']}/findings", "qa1").json()
    assert len(findings) == after["findings_count"] == len(dry.json()["findings"])
    audit = service.get(f"/api/audit?entity_id={call['id']}&action=call.rescore", "qa1").json()
    (entry,) = audit["items"]
    assert entry["before"]["rule_pack"] == "en-default"
    assert entry["after"]["rule_pack"] == "en-lenient@1"


def test_rescoring_with_an_unknown_pack(service) -> None:
    call = service.new_call("A1")
    for pack, status in (("nope", 404), ("en-default@77", 404), ("../etc", 422)):
        reply = service.post(f"/api/calls/{call['id']}/rescore", "qa1", json={"pack": pack})
        assert reply.status_code == status, (pack, reply.text)


def test_a_call_uploaded_with_a_pack_is_scored_by_it(service) -> None:
    service.post("/api/packs", "qa1", json={"content": _lenient_pack("en-upload")})
    call = service.new_call("A1", pack="en-upload")
    assert call["rule_pack"] == "en-upload@1"


@pytest.mark.api
def test_an_app_lists_and_loads_the_packs_of_its_own_rules_folder(tmp_path) -> None:
    """``create_app(Settings(rules_dir=X))``: X's packs are listed, extended and score calls,
    whatever the process's QA_RULES_DIR says."""
    from tests.service_api_fixtures import running_service

    rules = tmp_path / "rules"
    (rules / "scorecards").mkdir(parents=True)
    shutil.copy(get_settings().rules_dir / "scorecards" / "standard.yaml", rules / "scorecards")
    own = _builtin("en-default") | {"pack": "own-base"}
    (rules / "own-base.yaml").write_text(yaml.safe_dump(own, allow_unicode=True), "utf-8")
    url = f"sqlite:///{tmp_path / 'var' / 'qa.db'}"
    with running_service(tmp_path, url, rules_dir=rules) as svc:
        assert [p["name"] for p in svc.get("/api/packs", "qa1").json()] == ["own-base"]
        child = svc.post("/api/packs", "qa1", json={"content": "pack: child\nextends: own-base\n"})
        assert child.status_code == 201, child.text
        refused = svc.post("/api/packs", "qa1", json={"content": "pack: c2\nextends: en-default\n"})
        assert refused.status_code == 422 and "own-base" in refused.json()["error"]["message"]
        turns = [
            {"role": "agent", "start": 0.0, "end": 2.0, "text": "Hello, how can I help?"},
            {"role": "customer", "start": 2.5, "end": 4.0, "text": "My parcel is late."},
        ]
        chat = json.dumps({"language": "en", "utterances": turns}).encode()
        meta = {"call_id": "own-1", "agent_id": "A1", "pack": "own-base"}
        reply = svc.upload("qa1", [("own-1.json", chat)], meta)
        assert reply.status_code == 201, reply.text
        call_id = reply.json()["calls"][0]["call"]["id"]
        assert svc.worker.run_until_idle() == 1
        score = svc.get(f"/api/calls/{call_id}/score", "qa1").json()
        assert score["rule_pack"] == "own-base"
