"""Personal data leaves the service masked for roles without pii:view: every answer an agent
can get about a call with some (JSON, pages, CSV, audio) holds none of it, the audio is
silent where it was said, and QA sees the original, each view audited."""

from __future__ import annotations

import io
import re
import wave
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from qa_service.store.audit import AuditEntry
from qa_service.store.calls import Call, FindingRecord

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

PHONE_SAID = "幺三八 零零一三 八零零零"
ID_SAID = "11010519491231002X"
EMAIL = "li.si@163.com"
# A number typed by people about the call that the transcript does not hold.
TYPED_PHONE = "13912345678"
# What must not appear in any answer an agent gets, in any spelling.
LEAKS = (
    PHONE_SAID,
    "幺三八",
    "零零一三",
    ID_SAID,
    "1101051949",
    EMAIL,
    "13800138000",
    TYPED_PHONE,
    "1391234",
)
PII_START, PII_END = 0.40, 0.75


def _words() -> list[dict]:
    return [
        {"start": 0.0, "end": 0.2, "text": "号码是", "probability": 1.0},
        {"start": PII_START, "end": 0.55, "text": "幺三八", "probability": 1.0},
        {"start": 0.55, "end": 0.65, "text": " 零零一三", "probability": 1.0},
        {"start": 0.65, "end": PII_END, "text": " 八零零零", "probability": 1.0},
    ]


@pytest.fixture(scope="module")
def pii_call(service) -> int:
    """The pages served too, and an analysed call of agent A1 whose first utterance holds a
    phone number read out, the next an ID and an email, quoted by a finding too."""
    from qa_service.web import install_web

    install_web(service.app)
    call = service.new_call("A1")
    with service.db.session() as session:
        row = session.get(Call, call["id"])
        result = dict(row.result)
        utterances = [dict(u) for u in result["utterances"]]
        utterances[0] |= {
            "start": 0.0,
            "end": 0.95,
            "text": f"号码是{PHONE_SAID}",
            "words": _words(),
        }
        utterances[1] = dict(utterances[1]) | {
            "text": f"身份证{ID_SAID}，邮箱{EMAIL}",
            "words": [],
        }
        result["utterances"] = utterances
        result["language"] = "zh"
        finding = row.findings[0]
        finding.text = f"号码是{PHONE_SAID}"
        finding.evidence = {"quote": f"身份证{ID_SAID}", "utterance": 0}
        result["findings"] = [dict(f) for f in result.get("findings") or []]
        if result["findings"]:
            result["findings"][0] |= {"text": finding.text, "evidence": finding.evidence}
        row.result = result
        flag_modified(row, "result")
    return call["id"]


def _agent_paths(service, call_id: int) -> list[str]:
    """Every GET route of the API and the pages whose only parameter is the call (or none)."""
    from qa_service.web.routes import ROUTERS

    api = [p for p, ops in service.app.openapi()["paths"].items() if "get" in ops]
    pages = [r.path for router in ROUTERS for r in router.routes if "GET" in r.methods]
    paths = []
    for path in api + pages:
        if set(re.findall(r"{(\w+)}", path)) <= {"call_id"} and "/auth/" not in path:
            paths.append(path.replace("{call_id}", str(call_id)))
    return paths


def _typed_texts(service, call_id: int) -> list[str]:
    """What people type about the call, quoting its personal data or other numbers: a QA
    review's comment and overturn reason, the agent's self-assessment, dispute statement
    and the team lead's ruling. The dispute's paths."""
    findings = service.get(f"/api/calls/{call_id}/findings", "qa1").json()
    review = service.post(
        f"/api/calls/{call_id}/reviews",
        "qa1",
        json={
            "comment": f"客户念了号码{PHONE_SAID}，回拨{TYPED_PHONE}",
            "verdicts": [
                {
                    "finding_id": findings[0]["id"],
                    "verdict": "overturned",
                    "reason": f"身份证{ID_SAID}已核实",
                }
            ],
        },
    )
    assert review.status_code == 201, review.text
    assessed = service.put(
        f"/api/calls/{call_id}/self-assessment",
        "agent_a1",
        json={"scores": {"efficiency": 50}, "comment": f"邮箱{EMAIL}核对过"},
    )
    assert assessed.status_code == 200, assessed.text
    disputed = next(f for f in findings[1:] if f["points"] < 0) if len(findings) > 1 else None
    assert disputed is not None, "the call has a second finding with points to dispute"
    opened = service.post(
        f"/api/calls/{call_id}/disputes",
        "agent_a1",
        json={"finding_id": disputed["id"], "reason": f"我念的是{PHONE_SAID}"},
    )
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["id"]
    ruling = service.post(
        f"/api/disputes/{dispute_id}/decision",
        "lead_a",
        json={"decision": "uphold", "comment": f"他念了身份证{ID_SAID}，回拨{TYPED_PHONE}"},
    )
    assert ruling.status_code == 200, ruling.text
    return [f"/api/disputes/{dispute_id}", "/api/disputes"]


def test_no_answer_to_an_agent_holds_the_personal_data(service, pii_call: int) -> None:
    qa_view = service.get(f"/api/calls/{pii_call}/transcript", "qa1").json()
    assert qa_view["utterances"][0]["text"] == f"号码是{PHONE_SAID}", "QA sees the original"
    paths = _agent_paths(service, pii_call) + _typed_texts(service, pii_call)
    month = datetime.now(UTC).strftime("%Y-%m")
    paths += [f"/api/kpi?period={month}&by=agent&format={f}" for f in ("csv", "json")]
    assert f"/api/calls/{pii_call}/transcript" in paths and f"/calls/{pii_call}" in paths
    scanned: set[str] = set()
    for path in paths:
        reply = service.get(path, "agent_a1")
        if reply.status_code != 200:
            continue
        kind = reply.headers.get("content-type", "")
        if kind.startswith("audio/") or "spreadsheet" in kind:
            continue
        scanned.add(path.split("?")[0] + ("?" + kind.split(";")[0] if "?" in path else ""))
        for leak in LEAKS:
            assert leak not in reply.text, f"{path} shows {leak!r}"
    must = ("", "/result", "/transcript", "/findings", "/score", "/calibration", "/reviews")
    assert {f"/api/calls/{pii_call}{p}" for p in (*must, "/self-assessment")} <= scanned
    assert {f"/calls/{pii_call}", "/calls", "/disputes", "/api/disputes"} <= scanned, scanned
    assert {"/api/kpi?text/csv", "/api/kpi?application/json"} <= scanned, scanned
    for user in ("lead_a", "agent_a1"):  # the reviews are on a supervisor's page, not an agent's
        for path in (f"/calls/{pii_call}", f"/api/calls/{pii_call}/reviews", "/api/disputes"):
            reply = service.get(path, user)
            assert reply.status_code == 200, path
            for leak in LEAKS:
                assert leak not in reply.text, f"{path} shows {leak!r} to {user}"
    reviews = service.get(f"/api/calls/{pii_call}/reviews", "lead_a").json()
    assert "[PHONE]" in reviews[-1]["comment"] and "[ID]" in reviews[-1]["verdicts"][0]["reason"]
    originals = service.get(f"/api/calls/{pii_call}/reviews", "qa1").json()
    assert TYPED_PHONE in originals[-1]["comment"], "QA reads what was typed"
    transcript = service.get(f"/api/calls/{pii_call}/transcript", "agent_a1").json()
    first = transcript["utterances"][0]
    assert first["text"] == "号码是[PHONE]"
    assert [w["start"] for w in first["words"]] == [w["start"] for w in _words()]
    assert transcript["utterances"][1]["text"] == "身份证[ID]，邮箱[EMAIL]"
    findings = service.get(f"/api/calls/{pii_call}/findings", "agent_a1").json()
    assert findings[0]["text"] == "号码是[PHONE]"
    assert findings[0]["evidence"]["quote"] == "身份证[ID]"


def test_a_supervisor_gets_the_masked_transcript(service, pii_call: int) -> None:
    reply = service.get(f"/api/calls/{pii_call}/result", "lead_a")
    assert reply.status_code == 200
    assert PHONE_SAID not in reply.text and "[PHONE]" in reply.text


def test_each_view_of_the_original_is_audited(service, pii_call: int) -> None:
    def views() -> list[AuditEntry]:
        with service.db.session(write=False) as session:
            return list(
                session.scalars(
                    select(AuditEntry).where(
                        AuditEntry.action == "pii.view", AuditEntry.entity_id == str(pii_call)
                    )
                )
            )

    before = len(views())
    assert service.get(f"/api/calls/{pii_call}/result", "qa1").status_code == 200
    assert service.get(f"/api/calls/{pii_call}/findings", "admin").status_code == 200
    assert service.get(f"/api/calls/{pii_call}/result", "agent_a1").status_code == 200
    entries = views()
    assert len(entries) == before + 2
    assert entries[-2].actor_id == service.ids["qa1"]
    assert entries[-2].after["what"] == "result" and "PHONE" in entries[-2].after["types"]


def _samples(body: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(body)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.reshape(-1, channels), rate


def test_audio_served_to_an_agent_is_silent_at_the_personal_data(service, pii_call: int) -> None:
    reply = service.get(f"/api/calls/{pii_call}/audio", "agent_a1")
    assert reply.status_code == 200 and reply.headers["content-type"] == "audio/wav"
    samples, rate = _samples(reply.content)
    span = samples[int(PII_START * rate) : int(PII_END * rate)]
    assert span.size and not span.any(), "the phone number is audible"
    assert np.abs(samples[: int(0.2 * rate)]).max() > 1000, "the rest of the call is kept"
    assert np.abs(samples[int(0.9 * rate) :]).max() > 1000
    original = service.get(f"/api/calls/{pii_call}/audio", "qa1")
    samples, rate = _samples(original.content)
    assert np.abs(samples[int(PII_START * rate) : int(PII_END * rate)]).max() > 1000


def _peaks_at(service, call_id: int, user: str) -> tuple[list[int], list[int]]:
    """The waveform peaks (both channels together) inside the phone number's span, and
    those of the rest of the call."""
    reply = service.get(f"/calls/{call_id}/peaks.json", user)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    per_second = body["per_second"]
    loudest = [max(bucket) for bucket in zip(*body["peaks"], strict=True)]
    inside = range(int(PII_START * per_second) + 1, int(PII_END * per_second))
    assert len(inside) >= 2, "the span holds whole buckets"
    return [loudest[i] for i in inside], loudest[: int(0.2 * per_second)]


def test_the_waveform_shown_to_an_agent_is_flat_at_the_personal_data(
    service, pii_call: int
) -> None:
    inside, before = _peaks_at(service, pii_call, "agent_a1")
    assert not any(inside), "the waveform draws the phone number"
    assert max(before) > 0, "the rest of the call is drawn"
    inside, _ = _peaks_at(service, pii_call, "qa1")
    assert min(inside) > 0, "QA sees the original waveform"


def test_a_call_without_personal_data_is_served_as_it_is(service) -> None:
    call = service.new_call("A1")
    with service.db.session(write=False) as session:
        findings = session.scalars(select(FindingRecord).where(FindingRecord.call_id == call["id"]))
        assert list(findings)
    mine = service.get(f"/api/calls/{call['id']}/audio", "agent_a1")
    theirs = service.get(f"/api/calls/{call['id']}/audio", "qa1")
    assert mine.content == theirs.content
