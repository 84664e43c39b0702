"""A call's questions at an OpenAI-compatible server: several requests in flight at once, so
a GPU server (vLLM, llama.cpp with parallel slots) can batch them; never more than
``llm_parallel_requests``; the answers in the questions' order, as when asked one by one.

The server here is a real HTTP server on a local port that answers slowly and counts the
requests it is serving at once (the engine's own server, around the embedded model, is
tested in tests/test_llm_backends.py; it answers one request at a time).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa_service.analysis.questions import answer_questions
from qa_service.config import Settings
from qa_service.domain.rulepack import ScoreItem
from qa_service.engines.llm.endpoint import EndpointModel
from tests.rules_helpers import transcript

ANSWER_SECONDS = 0.3


class CountingServer(ThreadingHTTPServer):
    """Chat completions answered after ANSWER_SECONDS: "yes" where the question's text
    holds "yes", else "no", citing line 1; the most requests ever in flight is kept."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = self.served = 0


class _Handler(BaseHTTPRequestHandler):
    server: CountingServer

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.in_flight += 1
            self.server.most_in_flight = max(self.server.most_in_flight, self.server.in_flight)
        time.sleep(ANSWER_SECONDS)
        question = request["messages"][-1]["content"].split("Question: ", 1)[1]
        answer = "yes" if "yes" in question.split("\n", 1)[0] else "no"
        reply = {"answer": answer, "justification": f"It says {answer}.", "cited": [1]}
        body = json.dumps(
            {
                "model": "counting-stand-in",
                "choices": [{"message": {"role": "assistant", "content": json.dumps(reply)}}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 12},
            }
        ).encode()
        with self.server.lock:
            self.server.in_flight -= 1
            self.server.served += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[CountingServer]:
    serving = CountingServer()
    thread = threading.Thread(target=serving.serve_forever, daemon=True)
    thread.start()
    try:
        yield serving
    finally:
        serving.shutdown()
        serving.server_close()


def questions(n: int) -> list[ScoreItem]:
    return [
        ScoreItem(
            id=f"q{k}",
            type="question",
            dimension="all",
            question={"en": f"Question {k}: answer {'yes' if k % 2 else 'no'}?"},
            answers={"yes": 0, "no": -5},
        )
        for k in range(n)
    ]


def ask(server: CountingServer, parallel: int, n: int = 5):
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = Settings(llm_endpoint_url=url, llm_parallel_requests=parallel, llm_retries=0)
    model = EndpointModel.from_settings(settings)
    call = transcript(("agent", "Hello, how can I help?"), ("customer", "My line is down."))
    call.language = "en"
    return answer_questions(call, questions(n), [], model, 3000)


@pytest.mark.parametrize(("parallel", "most"), [(1, 1), (3, 3), (8, 5)])
def test_a_calls_questions_are_in_flight_together_up_to_the_setting(
    server: CountingServer, parallel: int, most: int
) -> None:
    outcome = ask(server, parallel)
    assert server.served == 5
    assert server.most_in_flight == most
    assert [f.rule_id for f in outcome.findings] == [f"q{k}" for k in range(5)]
    assert [f.evidence["answer"] for f in outcome.findings] == ["no", "yes", "no", "yes", "no"]
    assert outcome.usage.requests == 5 and outcome.usage.prompt_tokens == 250
    assert not outcome.not_evaluated


def test_answers_asked_together_are_those_asked_one_by_one(server: CountingServer) -> None:
    def answers(parallel: int) -> list[tuple[str, str, tuple[int, ...]]]:
        found = ask(server, parallel, n=4).findings
        return [
            (f.rule_id, f.evidence["answer"], tuple(c["index"] for c in f.evidence["cited"]))
            for f in found
        ]

    assert answers(4) == answers(1)


@pytest.mark.parametrize("value", [0, 65])
def test_the_setting_is_bounded(value: int) -> None:
    with pytest.raises(ValueError, match="llm_parallel_requests"):
        Settings(llm_parallel_requests=value)
