"""Uploads: metadata, idempotence by content, many files at once, and bad input refused
with a clear 4xx that stores nothing."""

from __future__ import annotations

import json

import pytest

from tests.service_fixtures import wav_bytes

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

CALLS = "/api/calls"


def _count(service) -> int:
    return service.get(CALLS, "admin").json()["total"]


def test_upload_stores_metadata_and_queues_analysis(service) -> None:
    meta = {
        "call_id": "meta-1",
        "agent_id": "A1",
        "team": "A",
        "queue": "billing",
        "started_at": "2026-11-03T09:30:00+08:00",
        "direction": "inbound",
        "customer_ref": "cust-77",
        "channels": {"left": "customer", "right": "agent"},
        "language": "en",
        "csat": 4.5,
        "nps": 9,
        "extra": {"campaign": "winter"},
    }
    reply = service.upload("qa1", [("one.wav", service.wav())], meta)
    assert reply.status_code == 201, reply.text
    (entry,) = reply.json()["calls"]
    call = entry["call"]
    assert entry["created"] and call["status"] == "queued"
    assert call["started_at"].startswith("2026-11-03T01:30:00")  # stored in UTC
    assert (call["roles"], call["csat"], call["nps"], call["queue"]) == (
        "customer,agent",
        4.5,
        9,
        "billing",
    )
    service.run_jobs()
    done = service.get(f"{CALLS}/{call['id']}", "qa1").json()
    assert done["status"] == "analysed" and done["job"]["status"] == "done"
    assert done["findings_count"] > 0 and done["rule_pack"] == "en-default"


def test_same_bytes_twice_give_the_same_call(service) -> None:
    content = service.wav()
    first = service.upload("qa1", [("a.wav", content)], {"agent_id": "A1", "team": "A"})
    before = _count(service)
    again = service.upload("qa2", [("renamed.wav", content)], {"agent_id": "B1", "team": "B"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["calls"][0]["created"] is False
    assert again.json()["calls"][0]["call"]["id"] == first.json()["calls"][0]["call"]["id"]
    assert again.json()["calls"][0]["call"]["agent_id"] == "A1"
    assert _count(service) == before


def test_many_files_in_one_request_with_metadata_per_file(service) -> None:
    files = [(f"batch-{k}.wav", service.wav()) for k in range(3)]
    meta = [{"agent_id": a, "team": t} for a, t in (("A1", "A"), ("A2", "A"), ("B1", "B"))]
    reply = service.upload("qa1", files, meta)
    assert reply.status_code == 201, reply.text
    calls = [c["call"] for c in reply.json()["calls"]]
    assert [c["agent_id"] for c in calls] == ["A1", "A2", "B1"]
    assert [c["call_id"] for c in calls] == ["batch-0", "batch-1", "batch-2"]


def test_simple_form_fields_apply_to_every_file(service) -> None:
    reply = service.upload(
        "qa1",
        [("f1.wav", service.wav()), ("f2.wav", service.wav())],
        agent_id="A2",
        team="A",
        queue="sales",
    )
    assert reply.status_code == 201, reply.text
    assert {(c["call"]["agent_id"], c["call"]["queue"]) for c in reply.json()["calls"]} == {
        ("A2", "sales")
    }


def test_a_taken_file_name_gets_a_unique_call_id(service) -> None:
    first = service.upload("qa1", [("same-name.wav", service.wav())])
    second = service.upload("qa1", [("same-name.wav", service.wav())])
    ids = [r.json()["calls"][0]["call"]["call_id"] for r in (first, second)]
    assert ids[0] == "same-name" and ids[1].startswith("same-name-") and ids[1] != ids[0]


def _truncated(service) -> bytes:
    data = wav_bytes(service.tmp, seconds=3.0)
    return data[: len(data) // 3]


BAD_UPLOADS = {
    "empty": (lambda s: [("empty.wav", b"")], None, 422, "empty"),
    "truncated": (lambda s: [("cut.wav", _truncated(s))], None, 422, "truncated"),
    "text named .wav": (
        lambda s: [("notes.wav", b"just some text\n" * 200)],
        None,
        415,
        "not a readable audio file",
    ),
    "wrong extension": (lambda s: [("notes.txt", s.wav())], None, 415, ".txt"),
    "bad metadata": (lambda s: [("m.wav", s.wav())], {"nps": 11}, 422, "nps"),
    "unknown metadata key": (lambda s: [("m.wav", s.wav())], {"agnet_id": "A1"}, 422, "agnet_id"),
    "metadata not JSON": (lambda s: [("m.wav", s.wav())], "{oops", 422, "not valid JSON"),
    "metadata list of wrong length": (
        lambda s: [("m.wav", s.wav())],
        [{}, {}],
        422,
        "one per file",
    ),
    "unknown rule pack": (
        lambda s: [("m.wav", s.wav())],
        {"pack": "no-such-pack"},
        404,
        "no-such-pack",
    ),
    "one bad file among good ones": (
        lambda s: [("good.wav", s.wav()), ("bad.wav", b"RIFF....WAVEjunk")],
        None,
        415,
        "bad.wav",
    ),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_are_refused_and_leave_nothing(service, case: str) -> None:
    make_files, metadata, status, words = BAD_UPLOADS[case]
    before_calls, before_files = _count(service), service.stored_files()
    files = make_files(service)
    if isinstance(metadata, str):
        reply = service.post(
            CALLS, "qa1", files=[("files", f) for f in files], data={"metadata": metadata}
        )
    else:
        reply = service.upload("qa1", files, metadata)
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert words in error["message"] and error["code"]
    assert _count(service) == before_calls
    assert service.stored_files() == before_files
    assert service.spooled_files() == []


def test_oversized_upload_is_refused_while_streaming(service) -> None:
    limit = service.settings.upload_max_bytes
    service.settings.upload_max_bytes = 20_000
    try:
        before = _count(service)
        reply = service.upload("qa1", [("big.wav", wav_bytes(service.tmp, seconds=2.0))])
        assert reply.status_code == 413, reply.text
        assert "limit" in reply.json()["error"]["message"]
        assert _count(service) == before and service.spooled_files() == []
    finally:
        service.settings.upload_max_bytes = limit


def test_no_file_and_not_multipart_are_refused(service) -> None:
    assert service.post(CALLS, "qa1", data={"agent_id": "A1"}).status_code == 422
    headers = {**service.headers("qa1"), "Content-Type": "text/plain"}
    reply = service.client.post(CALLS, content=b"files", headers=headers)
    assert reply.status_code == 422 and "multipart" in reply.json()["error"]["message"]


@pytest.mark.parametrize("who", ["agent_a1", "lead_a", None])
def test_only_qa_and_admin_upload(service, who) -> None:
    reply = (
        service.upload(who, [("x.wav", service.wav())])
        if who
        else service.client.post(CALLS, files=[("files", ("x.wav", service.wav(), "audio/wav"))])
    )
    assert reply.status_code == (401 if who is None else 403)
    assert set(reply.json()["error"]) >= {"code", "message"}


# --- text calls: transcript JSON instead of a recording ---

CHAT = {
    "channel": "chat",
    "language": "zh",
    "turns": [
        {"role": "customer", "text": "你好，我的快递还没到"},
        {"role": "agent", "text": "您好，很高兴为您服务，这个不归我们管"},
        {"role": "customer", "text": "那找谁"},
        {"role": "agent", "text": "请问还有什么可以帮您"},
    ],
}


def _post_json(service, body: bytes, as_: str = "qa1"):
    headers = {**service.headers(as_), "Content-Type": "application/json"}
    return service.client.post(CALLS, content=body, headers=headers)


def _text_call_done(service, reply) -> dict:
    assert reply.status_code == 201, reply.text
    call = reply.json()["calls"][0]["call"]
    service.run_jobs()
    result = service.get(f"{CALLS}/{call['id']}/result", "qa1").json()
    assert result["channel"] == "chat" and result["timestamps"] == "none"
    assert result["metrics"]["rule_pack"] == "zh-chat"
    assert "deflection" in {f["category"] for f in result["findings"]}
    audio = service.get(f"{CALLS}/{call['id']}/audio", "qa1")
    assert audio.status_code == 404 and "no audio" in audio.json()["error"]["message"]
    return service.get(f"{CALLS}/{call['id']}", "qa1").json()


def test_chat_transcript_as_a_json_file_part(service) -> None:
    content = json.dumps(CHAT, ensure_ascii=False).encode()
    reply = service.upload("qa1", [("chat-001.json", content)], {"agent_id": "A1", "team": "A"})
    call = _text_call_done(service, reply)
    assert (call["call_id"], call["agent_id"], call["status"]) == ("chat-001", "A1", "analysed")


def test_chat_transcript_as_a_json_body(service) -> None:
    body = {**CHAT, "call_id": "chat-body-1", "metadata": {"agent_id": "A1", "shop": "north"}}
    call = _text_call_done(service, _post_json(service, json.dumps(body).encode()))
    assert (call["call_id"], call["agent_id"]) == ("chat-body-1", "A1")
    again = _post_json(service, json.dumps(body).encode())
    assert again.status_code == 200 and again.json()["calls"][0]["created"] is False


BAD_TRANSCRIPTS = {
    "not JSON": (b"{oops", "not a valid transcript JSON"),
    "no turns": (b'{"channel": "chat"}', "non-empty"),
    "bad channel": (b'{"channel": "fax", "turns": [{"role": "agent", "text": "hi"}]}', "fax"),
    "a list": (b"[1, 2]", "an object"),
    "nested 100,000 deep": (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
    "bad metadata": (
        json.dumps({**CHAT, "metadata": {"nps": 99}}).encode(),
        "nps",
    ),
}


@pytest.mark.parametrize(
    ("transport", "case"),
    # A file part's metadata comes from the form, not from the file.
    [("file", c) for c in BAD_TRANSCRIPTS if c != "bad metadata"]
    + [("body", c) for c in BAD_TRANSCRIPTS],
)
def test_bad_transcripts_are_refused_and_leave_nothing(service, transport, case) -> None:
    content, words = BAD_TRANSCRIPTS[case]
    before_calls, before_files = _count(service), service.stored_files()
    if transport == "file":
        reply = service.upload("qa1", [("bad.json", content)])
    else:
        reply = _post_json(service, content)
    assert reply.status_code == 422, reply.text
    assert words in reply.json()["error"]["message"]
    assert _count(service) == before_calls and service.stored_files() == before_files
    assert service.spooled_files() == []


def test_an_oversized_json_body_is_refused_while_streaming(service) -> None:
    limit = service.settings.upload_max_bytes
    service.settings.upload_max_bytes = 1_000
    try:
        big = {**CHAT, "turns": CHAT["turns"] * 50}
        reply = _post_json(service, json.dumps(big).encode())
        assert reply.status_code == 413 and service.spooled_files() == []
    finally:
        service.settings.upload_max_bytes = limit
