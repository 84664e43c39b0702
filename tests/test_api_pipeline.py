"""End to end on the real pipeline: a real recording uploaded through the API, analysed by
the embedded worker with the real models, and read back as findings and score."""

from __future__ import annotations

from qa_service.config import Settings
from qa_service.jobs.analyzer import PipelineAnalyzer
from qa_service.jobs.worker import EmbeddedWorker
from tests.conftest import CALLS_DIR, call_truth

pytest_plugins = ["tests.service_fixtures", "tests.service_api_fixtures"]

CALL = "en-billing-deflect"


def test_real_recording_through_the_service(service, settings: Settings) -> None:
    content = (CALLS_DIR / f"{CALL}.wav").read_bytes()
    meta = {"call_id": CALL, "agent_id": "A1", "team": "A", "queue": "billing"}
    reply = service.upload("qa1", [(f"{CALL}.wav", content)], meta)
    assert reply.status_code == 201, reply.text
    call_id = reply.json()["calls"][0]["call"]["id"]
    real = settings.model_copy(update={"data_dir": service.settings.data_dir})
    worker = EmbeddedWorker(service.db, real, PipelineAnalyzer(real))
    assert worker.run_until_idle() == 1

    call = service.get(f"/api/calls/{call_id}", "agent_a1").json()
    assert call["status"] == "analysed", call.get("error") or call["job"]
    truth = call_truth(CALL)
    assert abs(call["duration_s"] - truth["duration_s"]) < 0.5
    transcript = service.get(f"/api/calls/{call_id}/transcript", "agent_a1").json()
    assert {u["role"] for u in transcript["utterances"]} == {"agent", "customer"}
    said = " ".join(u["text"].lower() for u in transcript["utterances"])
    assert "department" in said
    findings = service.get(f"/api/calls/{call_id}/findings", "agent_a1").json()
    categories = {f["category"] for f in findings}
    # What a careful human marked on this call (shared ground truth), found by the machine.
    assert {"deflection", "greeting_missing"} <= categories
    score = service.get(f"/api/calls/{call_id}/score", "agent_a1").json()
    assert score["rule_pack"] == "en-default" and score["total"] < 60
    result = service.get(f"/api/calls/{call_id}/result", "qa1").json()
    assert result["source"]["asr_model"] and result["utterances"][0]["words"]
