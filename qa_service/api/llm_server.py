"""A minimal OpenAI-compatible chat-completions server around the embedded model.

The llama.cpp runtime the project installs ships no server: with this one, one process holds
the model and other workers reach it with ``QA_LLM_BACKEND=endpoint``. It implements what the
endpoint backend uses: ``POST /v1/chat/completions`` (messages, max_tokens, response_format
with a JSON schema in OpenAI's ``json_schema`` form or llama.cpp's ``json_object`` form) and
``GET /v1/models``.

    python -m qa_service.api.llm_server --host 127.0.0.1 --port 8090
"""

# No ``from __future__ import annotations``: FastAPI reads the route's parameter types at
# run time, and ChatRequest is local to create_app (pydantic and FastAPI load only there);
# as a string it would not resolve and the body would be taken for a query parameter.
import argparse
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from qa_service.engines.llm import LanguageModel

MAX_MESSAGES = 64
MAX_CONTENT_CHARS = 200_000
MAX_TOKENS = 2048


def _schema(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_schema":
        inner = response_format.get("json_schema") or {}
        return inner.get("schema") if isinstance(inner, dict) else None
    if response_format.get("type") == "json_object":
        return response_format.get("schema") or {"type": "object"}
    return None


def create_app(model: "LanguageModel") -> "FastAPI":
    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel, Field

    class ChatMessage(BaseModel):
        role: str = Field(pattern="^(system|user|assistant)$")
        content: str = Field(max_length=MAX_CONTENT_CHARS)

    class ChatRequest(BaseModel):
        model: str = ""
        messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
        max_tokens: int = Field(256, ge=1, le=MAX_TOKENS)
        temperature: float = 0.0
        response_format: dict[str, Any] | None = None

    app = FastAPI(title="qa-service language model")

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model.name, "object": "model"}]}

    @app.post("/v1/chat/completions")
    def chat(request: ChatRequest) -> dict[str, Any]:
        fmt = request.response_format
        if fmt is not None and fmt.get("type") not in ("json_schema", "json_object", "text"):
            raise HTTPException(400, f"unsupported response_format type {fmt.get('type')!r}")
        reply = model.answer(
            [m.model_dump() for m in request.messages],
            _schema(fmt),
            max_tokens=request.max_tokens,
        )
        return {
            "id": f"chatcmpl-{time.time_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": reply.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }

    return app


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    from qa_service.config import get_settings
    from qa_service.engines.llm.embedded import load_embedded

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args(argv)
    app = create_app(load_embedded(get_settings()))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
