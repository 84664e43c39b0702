"""The pages over plain HTTP (no browser): sign-in redirects, role rules on every page,
errors as HTML pages, the language of a page, pack validation that stores nothing, the
waveform peaks, and how findings are pinned to transcript lines."""

from __future__ import annotations

import json
import re
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import numpy as np
import pytest

from qa_service.analysis.pipeline import transcript_from_dict
from qa_service.domain.results import CallResult
from qa_service.errors import InputError
from qa_service.store.disputes import Dispute
from qa_service.web.call_view import channel_roles, finding_lines
from qa_service.web.peaks import MAX_BUCKETS, compute_peaks, reduce_blocks
from qa_service.web.rendering import STATIC_DIR, TEMPLATES_DIR, safe_next
from tests.conftest import CALLS_DIR, REPO
from tests.service_fixtures import make_wav
from tests.web_fixtures import PASSWORD, prepare

pytest_plugins = ["tests.web_fixtures"]

CALL_DATA = re.compile(r'<script type="application/json" id="call-data">(.*?)</script>', re.S)
STAFF_PAGES = ["/qa/queue", "/qa/upload", "/qa/packs", "/qa/packs/pack/en-default"]
DASHBOARD = "/dashboard?period=2026-11"


@pytest.fixture(scope="module")
def calls(live_service, tmp_path_factory) -> dict[str, dict]:
    """One analysed call each for agents A1 and A2 (ground-truth transcripts, no ASR)."""
    folder = tmp_path_factory.mktemp("web-server")
    truth = json.loads((CALLS_DIR / "en-billing-deflect.json").read_text("utf-8"))
    turns = {"turns": truth["turns"], "language": "en", "duration_s": truth["duration_s"]}
    found = {}
    for k, agent in enumerate(("A1", "A2")):
        path = make_wav(folder / f"server-{agent}.wav", seconds=4.0, seed=500 + k)
        prepare(path, CallResult(path.stem, transcript_from_dict(turns)))
        meta = {"agent_id": agent, "team": "A", "started_at": "2026-11-10T09:00:00Z"}
        found[agent] = live_service.wait_analysed(live_service.upload(path, meta)["id"])
    return found


@contextmanager
def browser_session(service, username: str | None, **headers) -> Iterator[httpx.Client]:
    """A client that keeps cookies like a browser, signed in as ``username`` (or not), and
    sends the Origin of the service's own pages like a browser does."""
    headers = {"Origin": service.url, **headers}
    with httpx.Client(base_url=service.url, headers=headers, timeout=60) as client:
        if username is not None:
            form = {"username": username, "password": PASSWORD}
            reply = client.post("/api/auth/session", data=form)
            assert reply.status_code == 200, reply.text
        yield client


def test_pages_need_a_session(live_service, calls):
    with browser_session(live_service, None) as anonymous:
        for path in ["/calls", f"/calls/{calls['A1']['id']}", "/disputes", *STAFF_PAGES]:
            reply = anonymous.get(path)
            assert reply.status_code == 303, path
            assert reply.headers["location"].startswith("/login?next=%2F"), path
        assert anonymous.get("/").headers["location"] == "/login"
        peaks = anonymous.get(f"/calls/{calls['A1']['id']}/peaks.json")
        assert peaks.status_code == 401 and peaks.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("username", "start"),
    [("agent_a1", "/home"), ("lead_a", "/dashboard"), ("qa1", "/qa/queue")],
)
def test_each_role_starts_on_its_page(live_service, username, start):
    with browser_session(live_service, username) as client:
        assert client.get("/").headers["location"] == start


def test_an_agent_sees_only_their_own_call(live_service, calls):
    own, other = calls["A1"], calls["A2"]
    with browser_session(live_service, "agent_a1") as agent:
        listing = agent.get("/calls").text
        assert own["call_id"] in listing and other["call_id"] not in listing
        page = agent.get(f"/calls/{own['id']}")
        assert page.status_code == 200
        data = json.loads(CALL_DATA.search(page.text).group(1))
        assert data["can"] == {"acknowledge": True, "dispute": True, "review": False}
        assert len(data["findings"]) == own["findings_count"] > 0
        assert all(f["description"] for f in data["findings"])
        refused = agent.get(f"/calls/{other['id']}")
        assert refused.status_code == 404
        assert refused.headers["content-type"].startswith("text/html")
        assert f"call {other['id']} not found" in refused.text
        assert other["call_id"] not in refused.text
        for path in [*STAFF_PAGES, DASHBOARD]:
            assert agent.get(path).status_code == 403, path


def test_staff_pages_open_for_qa_and_refuse_others(live_service, calls):
    with browser_session(live_service, "qa1") as qa:
        for path in [*STAFF_PAGES, DASHBOARD, "/disputes", f"/calls/{calls['A2']['id']}"]:
            assert qa.get(path).status_code == 200, path
    with browser_session(live_service, "lead_a") as lead:
        assert lead.get(DASHBOARD).status_code == 200
        assert lead.get(f"/calls/{calls['A2']['id']}").status_code == 200, "their team's call"
        for path in STAFF_PAGES:
            assert lead.get(path).status_code == 403, path


def test_bad_input_is_an_error_page(live_service):
    with browser_session(live_service, "qa1") as qa:
        bad_period = qa.get("/dashboard?period=November")
        assert bad_period.status_code == 422
        assert "is not a period" in bad_period.text and 'id="period-error"' in bad_period.text
        assert qa.get("/calls?status=lost").status_code == 422
        assert qa.get("/disputes?stage=nowhere").status_code == 422
        assert qa.get("/qa/packs/pack/no-such-pack").status_code == 404
        assert qa.get("/qa/packs/recipe/en-default").status_code == 404


def test_language_follows_switch_then_browser(live_service):
    with browser_session(live_service, None, **{"Accept-Language": "zh-CN,zh;q=0.9"}) as client:
        assert "登录" in client.get("/login").text
        switched = client.get("/lang/en", params={"next": "//evil.example/"})
        assert switched.headers["location"] == "/"
        assert "Sign in" in client.get("/login").text, "the switch wins over the browser"
        assert client.get("/lang/fr").status_code == 404
    with browser_session(live_service, None, **{"Accept-Language": "en-GB"}) as client:
        assert "Sign in" in client.get("/login").text


def test_vendored_libraries_are_served_and_match_the_lock_file(live_service):
    vendor = STATIC_DIR / "vendor"
    copies = sorted(p for p in vendor.rglob("*.js") if p.is_file())
    assert {p.name for p in copies} == {"wavesurfer.esm.js", "regions.esm.js", "chart.umd.min.js"}
    with httpx.Client(base_url=live_service.url) as client:
        for path in copies:
            reply = client.get(f"/static/{path.relative_to(STATIC_DIR)}")
            assert reply.status_code == 200
            assert "javascript" in reply.headers["content-type"]
            assert reply.content == path.read_bytes()
    installed = REPO / "node_modules"
    if installed.is_dir():  # `make assets` ran: the copies are what package-lock.json pins
        for path in copies:
            package = path.relative_to(vendor).parts[0]
            (source,) = (p for p in (installed / package / "dist").rglob(path.name) if p.is_file())
            assert source.read_bytes() == path.read_bytes(), path


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/calls/3?queue=1", "/calls/3?queue=1"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_redirects_after_sign_in_stay_on_the_site(target, expected):
    assert safe_next(target) == expected


def test_pack_validation_names_line_and_field_and_stores_nothing(live_service):
    pack = (Path(live_service.settings.rules_dir) / "en-default.yaml").read_text("utf-8")
    line = next(n for n, text in enumerate(pack.split("\n"), 1) if "severity: major" in text)
    broken = pack.replace("severity: major", "severity: enormous", 1)
    with browser_session(live_service, "qa1") as qa:
        ok = qa.post("/qa/packs/validate", json={"kind": "pack", "content": pack}).json()
        assert ok == {"ok": True, "name": "en-default", "problems": []}
        bad = qa.post("/qa/packs/validate", json={"kind": "pack", "content": broken}).json()
        assert not bad["ok"]
        (problem,) = bad["problems"]
        assert (problem["file"], problem["line"]) == ("en-default.yaml", line)
        assert problem["field"].endswith(".severity")
        syntax = qa.post("/qa/packs/validate", json={"kind": "pack", "content": "a: [1,\n b"})
        assert syntax.json()["problems"][0]["line"] == 2
        assert qa.get("/api/packs/en-default").json()["latest_version"] is None
    with browser_session(live_service, "agent_a1") as agent:
        refused = agent.post("/qa/packs/validate", json={"kind": "pack", "content": pack})
        assert refused.status_code == 403


def test_peaks_of_a_real_stereo_call_follow_each_speaker():
    truth = json.loads((CALLS_DIR / "en-billing-deflect.json").read_text("utf-8"))
    peaks = compute_peaks(CALLS_DIR / "en-billing-deflect.wav")
    assert peaks.duration_s == pytest.approx(truth["duration_s"], abs=0.05)
    left, right = (np.array(c) for c in peaks.channels)
    assert len(left) == len(right) == pytest.approx(peaks.duration_s * peaks.per_second, abs=1)
    assert min(left.min(), right.min()) >= 0 and max(left.max(), right.max()) <= 1000
    for turn in truth["turns"]:
        others = [t for t in truth["turns"] if t["role"] != turn["role"]]
        if any(t["start"] < turn["end"] and turn["start"] < t["end"] for t in others):
            continue  # both talk at once
        a, b = (int(turn[k] * peaks.per_second) for k in ("start", "end"))
        speaker, other = (left, right) if turn["role"] == "agent" else (right, left)
        middle = slice(a + 2, b - 2)
        assert speaker[middle].mean() > 3 * other[middle].mean(), turn["text"]


def test_peaks_stay_bounded_for_long_calls_and_mono(tmp_path):
    blocks = np.random.default_rng(1).random((2, 4 * 3600 * 100)).astype(np.float32)
    buckets, per_second = reduce_blocks(blocks, 4 * 3600.0)
    assert buckets.shape[1] <= MAX_BUCKETS
    assert per_second == pytest.approx(buckets.shape[1] / (4 * 3600.0))
    assert buckets.max() == pytest.approx(blocks.max())
    mono = tmp_path / "mono.wav"
    with wave.open(str(mono), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.ones(16000) * 16384).astype("<i2").tobytes())
    peaks = compute_peaks(mono)
    assert len(peaks.channels) == 1 and peaks.duration_s == pytest.approx(1.0)
    assert set(peaks.channels[0]) == {500}
    damaged = tmp_path / "damaged.wav"
    damaged.write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(InputError):
        compute_peaks(damaged)


ROWS = [
    ["agent", 0.0, 2.0, "hello", None],
    ["customer", 2.5, 6.0, "I was charged twice", "negative"],
    ["agent", 6.5, 9.0, "not my department", None],
    ["customer", 12.0, 14.0, "fine", None],
]


@pytest.mark.parametrize(
    ("finding", "lines"),
    [
        ({"evidence": {"utterance": 2}, "start_s": 6.5, "end_s": 9.0, "role": "agent"}, [2]),
        ({"evidence": {"searched_utterances": [0, 2]}, "start_s": 0, "end_s": 9}, [0, 2]),
        ({"evidence": {}, "start_s": 3.0, "end_s": 7.0, "role": "agent"}, [2]),
        ({"evidence": {}, "start_s": 3.0, "end_s": 7.0, "role": None}, [1, 2]),
        ({"evidence": {}, "start_s": 9.2, "end_s": 11.8, "role": None}, [2]),
        ({"evidence": {}, "start_s": 0.0, "end_s": 14.0, "role": "agent"}, None),
        ({"evidence": {}, "start_s": None, "end_s": None, "role": "agent"}, None),
        # An evaluation question's answer: on the lines the model cited, however far apart.
        (
            {
                "evidence": {"cited": [{"index": 3, "start": 12.0}, {"index": 1, "start": 2.5}]},
                "start_s": 2.5,
                "end_s": 14.0,
                "role": "agent",
            },
            [1, 3],
        ),
    ],
)
def test_findings_are_pinned_to_their_lines(finding, lines):
    starts = [r[1] for r in ROWS]
    found = finding_lines(SimpleNamespace(**finding), ROWS, starts, [0, 1, 2, 3], 14.0)
    assert found == lines


@pytest.mark.parametrize(
    ("channels", "roles", "expected"),
    [
        (
            {"left": "agent", "right": "customer"},
            "agent,customer",
            {"left": "agent", "right": "customer"},
        ),
        ({"mono": "agent+customer"}, "agent,customer", {"mono": "agent+customer"}),
        (None, "customer,agent", {"left": "customer", "right": "agent"}),
    ],
)
def test_waveform_channels_are_named_by_role(channels, roles, expected):
    call = SimpleNamespace(result={"channels": channels} if channels else None, roles=roles)
    assert channel_roles(call) == expected


def test_inbox_flags_overdue_disputes(live_service, calls):
    call = calls["A1"]
    with live_service.client("agent_a1") as agent:
        finding = agent.get(f"/api/calls/{call['id']}/findings").json()[-1]
        body = {"finding_id": finding["id"], "reason": "The customer asked me to."}
        dispute = agent.post(f"/api/calls/{call['id']}/disputes", json=body).json()
    with browser_session(live_service, "lead_a") as lead:
        row = re.search(
            rf'<article class="[^"]*" data-dispute="{dispute["id"]}">', lead.get("/disputes").text
        )
        assert row and "overdue" not in row.group(0)
        assert f'data-dispute="{dispute["id"]}"' not in lead.get("/disputes?overdue=true").text
        with live_service.app.state.db.session() as session:
            session.get(Dispute, dispute["id"]).due_at = datetime.now(UTC) - timedelta(hours=1)
        late = lead.get("/disputes?overdue=true").text
        assert f'<article class="dispute-card overdue" data-dispute="{dispute["id"]}">' in late
        assert '<span class="badge overdue">overdue</span>' in late


def test_scorecard_validation_names_its_line(live_service):
    scorecard = (Path(live_service.settings.rules_dir) / "scorecards" / "standard.yaml").read_text()
    line = next(n for n, text in enumerate(scorecard.split("\n"), 1) if "weight: 30" in text)
    broken = scorecard.replace("weight: 30", "weight: -30", 1)
    with browser_session(live_service, "qa1") as qa:
        ok = qa.post("/qa/packs/validate", json={"kind": "scorecard", "content": scorecard})
        assert ok.json()["ok"]
        bad = qa.post("/qa/packs/validate", json={"kind": "scorecard", "content": broken}).json()
    (problem,) = bad["problems"]
    assert (problem["file"], problem["line"]) == ("standard.yaml", line)
    assert problem["field"] == "dimensions[0].weight"


def test_a_call_not_analysed_yet_says_so(live_service, tmp_path):
    # No prepared result: the worker's analysis fails, and is retried, then failed.
    path = make_wav(tmp_path / "unprepared.wav", seconds=2.0, seed=901)
    call = live_service.upload(path, {"agent_id": "A1", "team": "A"})
    with browser_session(live_service, "agent_a1") as agent:
        page = agent.get(f"/calls/{call['id']}").text
    assert 'id="not-analysed"' in page and 'id="transcript"' not in page
    data = json.loads(CALL_DATA.search(page).group(1))
    assert not data["analysed"] and data["call"]["status"] in ("queued", "processing", "failed")


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>")


def test_pages_carry_security_headers_and_no_inline_script(live_service):
    """The CSP forbids inline script, so the templates must have none, and every page and
    login answer carries the policy, no-store and nosniff."""
    with browser_session(live_service, "qa1") as qa:
        for path in ("/qa/queue", "/calls", "/login"):
            reply = qa.get(path, follow_redirects=True)
            policy = reply.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, path
            assert reply.headers["cache-control"] == "no-store"
            assert reply.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in qa.get("/static/js/common.js").headers.get("cache-control", "")
    for template in TEMPLATES_DIR.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not INLINE_HANDLER.search(text), template.name
        assert not INLINE_SCRIPT.search(text), template.name


def test_a_chat_call_page_renders_without_audio(live_service, tmp_path):
    chat = {
        "channel": "chat",
        "language": "en",
        "turns": [
            {"role": "customer", "text": "Hi, my parcel is late."},
            {"role": "agent", "text": "Hi there, thanks for reaching out. Let me check."},
        ],
    }
    path = tmp_path / "web-chat-1.json"
    path.write_text(json.dumps(chat), "utf-8")
    call = live_service.wait_analysed(
        live_service.upload(path, {"agent_id": "A1", "team": "A"})["id"]
    )
    with browser_session(live_service, "qa1") as qa:
        page = qa.get(f"/calls/{call['id']}").text
        peaks = qa.get(f"/calls/{call['id']}/peaks.json")
    assert 'id="no-audio"' in page and 'id="transcript"' in page
    data = json.loads(CALL_DATA.search(page).group(1))
    assert data["has_audio"] is False and data["audio_url"] is None
    assert "Hi, my parcel is late." in json.dumps(data["utterances"])
    assert peaks.status_code == 404
