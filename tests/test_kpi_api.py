"""The KPI, coverage, sampling and import endpoints, for every role."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from qa_service.api.routers import imports, kpi, sampling
from qa_service.store.calls import CallStatus
from tests.kpi_month import stored_call
from tests.service_fixtures import make_wav

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

NOV = datetime(2026, 11, 2, 9, tzinfo=UTC)
# agent: (team, scores of their November calls)
CALLS = {"A1": ("A", [90.0, 80.0, 70.0]), "A2": ("A", [60.0, 100.0]), "B1": ("B", [75.0] * 4)}


@pytest.fixture(scope="module")
def svc(service):
    # Until the app factory lists these routers itself.
    paths = set(service.app.openapi()["paths"])
    for module, path in (
        (kpi, "/api/kpi"),
        (sampling, "/api/sampling/plans"),
        (imports, "/api/imports"),
    ):
        if path not in paths:
            service.app.include_router(module.router, prefix="/api")
    service.app.openapi_schema = None
    with service.db.session() as session:
        for agent, (team, scores) in CALLS.items():
            for i, score in enumerate(scores):
                session.add(
                    stored_call(
                        f"api-{agent}-{i}",
                        agent_id=agent,
                        team=team,
                        queue="billing",
                        started_at=NOV + timedelta(days=i),
                        status=CallStatus.analysed,
                        duration_s=200.0 + 10 * i,
                        score_total=score,
                        critical_failed=False,
                    )
                )
    return service


def _keys(reply) -> list[str]:
    assert reply.status_code == 200, reply.text
    return sorted(r["key"] for r in reply.json()["rows"])


@pytest.mark.parametrize(
    ("user", "query", "expected"),
    [
        ("qa1", "", ["A1", "A2", "B1"]),
        ("admin", "&by=team", ["A", "B"]),
        ("lead_a", "", ["A1", "A2"]),
        ("lead_a", "&by=team", ["A"]),
        ("lead_a", "&team=B", []),  # asking for another team gives nothing
        ("agent_a1", "", ["A1"]),
        ("agent_b1", "&agent=A1", []),
    ],
)
def test_kpi_rows_follow_roles(svc, user, query, expected):
    assert _keys(svc.get(f"/api/kpi?period=2026-11{query}", user)) == expected


def test_kpi_values_and_refusals(svc):
    rows = {r["key"]: r for r in svc.get("/api/kpi?period=2026-11", "qa1").json()["rows"]}
    assert rows["A1"]["values"]["qa_score"] == 80.0
    assert rows["A2"]["values"]["calls"] == 2
    assert svc.get("/api/kpi?period=2026-11&by=team", "agent_a1").status_code == 403
    assert svc.get("/api/kpi?period=2026-13", "qa1").status_code == 422
    assert svc.get("/api/kpi?period=2026-11", None).status_code == 401
    body = svc.get("/api/kpi?period=nonsense", "qa1").json()
    assert "cannot read period" in body["error"]["message"]


def test_kpi_exports(svc):
    reply = svc.get("/api/kpi?period=2026-11&format=csv", "lead_a")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    lines = reply.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rank,agent,team,tier,calls,qa_score")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["A1", "A2"]
    reply = svc.get("/api/kpi?period=2026-11&format=xlsx&by=team", "qa1")
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames == ["KPIs", "History", "Definitions"]
    sheet = book["KPIs"]
    header = [c.value for c in sheet[1]]
    teams = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    assert teams["B"]["qa_score"] == 75.0 and teams["A"]["calls"] == 5


def test_definitions(svc):
    found = {d["kpi"]: d for d in svc.get("/api/kpi/definitions", "agent_a1").json()}
    assert found["fcr_rate"]["better"] == "higher"
    assert found["complaint_rate"]["better"] == "lower"


def test_coverage_and_workload_by_role(svc):
    lead = svc.get("/api/coverage?period=2026-11", "lead_a").json()
    assert sorted(r["key"] for r in lead["rows"]) == ["A1", "A2"]
    assert lead["reviewers"] == []
    staff = svc.get("/api/coverage?period=2026-11&by=team", "qa1").json()
    assert {r["key"]: r["analysed"] for r in staff["rows"]} == {"A": 5, "B": 4}


def test_sampling_plans(svc):
    body = {"period": "2026-11", "rate": 0.5, "seed": 9, "reviewers": ["qa1", "qa2"]}
    assert svc.post("/api/sampling/plans", "lead_a", json=body).status_code == 403
    reply = svc.post("/api/sampling/plans", "qa1", json=body)
    assert reply.status_code == 201, reply.text
    plan = reply.json()
    # round(0.5 x 3) = 2, round(0.5 x 2) = 1, round(0.5 x 4) = 2
    assert (plan["population"], plan["selected"], plan["seed"]) == (9, 5, 9)
    detail = svc.get(f"/api/sampling/plans/{plan['id']}", "qa2").json()
    assert len(detail["calls"]) == 5
    assert {c["reviewer_id"] for c in detail["calls"]} == {svc.ids["qa1"], svc.ids["qa2"]}
    check = svc.get(f"/api/sampling/plans/{plan['id']}/check", "qa1").json()
    assert check["same_selection"] and check["same_population"]
    listed = svc.get("/api/sampling/plans?period=2026-11", "qa1").json()
    assert plan["id"] in [p["id"] for p in listed]
    bad = svc.post("/api/sampling/plans", "qa1", json={**body, "oversample": "angry"})
    assert bad.status_code == 422
    assert svc.get("/api/sampling/plans/999", "qa1").status_code == 404


def test_import_through_the_api(svc):
    root = svc.settings.data_dir / "import"
    folder = root / "batch1"
    folder.mkdir(parents=True)
    for i in range(2):
        make_wav(folder / f"A1_billing_2026110{i + 3}090000.wav", seconds=0.5)
    outside = svc.post("/api/imports", "qa1", json={"folder": "../.."})
    assert outside.status_code == 422
    assert svc.post("/api/imports", "agent_a1", json={"folder": "batch1"}).status_code == 403
    pattern = "{agent_id}_{queue}_{started_at:%Y%m%d%H%M%S}.wav"
    reply = svc.post("/api/imports", "qa1", json={"folder": "batch1", "pattern": pattern})
    assert reply.status_code == 202, reply.text
    batch_id = reply.json()["batch_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = svc.get(f"/api/imports/{batch_id}", "qa1").json()
        if status["status"] == "done":
            break
        time.sleep(0.1)
    assert (status["status"], status["imported"], status["failed"]) == ("done", 2, 0)
    assert len(status["calls"]) == 2
