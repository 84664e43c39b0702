"""One JSON shape for every error: ``{"error": {"code", "message", "key"?, "values"?,
"details"?}}`` (``key`` and ``values``: a known message, for a page to say in its language).

Every user-caused error is a ``QAError`` carrying its status; validation errors and
Starlette's own HTTP errors are rendered the same way, and anything unexpected becomes a
500 that says nothing about the inside.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa_service.domain.rulepack import RulePackError
from qa_service.errors import QAError
from qa_service.http.error_keys import message_key, validation_key
from qa_service.http.messages import plain_message

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media",
    422: "invalid_input",
    429: "too_many_requests",
}


class RetryLaterError(QAError):
    """Refused for now; ``Retry-After`` says in how many whole seconds to try again."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))


class TooManyRequestsError(RetryLaterError):
    status_code = 429
    code = "too_many_requests"


class BusyError(RetryLaterError):
    status_code = 503
    code = "busy"


def error_body(
    code: str, message: str, details: Any = None, known: tuple[str, dict[str, str]] | None = None
) -> dict[str, Any]:
    """``known``: the message's key and values when the caller knows them (a schema's
    refusal); otherwise they are looked up from the message."""
    error: dict[str, Any] = {"code": code, "message": message}
    # A message people read in a form: its key and values, for the page's language.
    known = known or message_key(message)
    if known is not None:
        error["key"], error["values"] = known
    if details is not None:
        error["details"] = details
    return {"error": error}


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "key": {"type": "string"},
                "values": {"type": "object", "additionalProperties": {"type": "string"}},
                "details": {},
                "problems": {"type": "array", "items": {"type": "object"}},
            },
            "required": ["code", "message"],
        }
    },
}


async def _qa_error(_request: Request, exc: QAError) -> JSONResponse:
    details = exc.problems if isinstance(exc, RulePackError) else None
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else {}
    if isinstance(exc, RetryLaterError):
        headers["Retry-After"] = str(exc.retry_after_s)
    body = error_body(exc.code, exc.message, details)
    if isinstance(exc, RulePackError):
        # The same problems structured (file, line, loc, field, message): never parse details.
        body["error"]["problems"] = [p.to_dict() for p in exc.structured]
    return JSONResponse(body, exc.status_code, headers=headers or None)


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, "error")
    return JSONResponse(
        error_body(code, str(exc.detail)), exc.status_code, headers=getattr(exc, "headers", None)
    )


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    message = plain_message(error.get("msg"))
    return f"{where}: {message}" if where else message


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    details = [
        {"loc": list(e.get("loc", ())), "message": plain_message(e.get("msg"))} for e in errors
    ]
    message = _describe(errors[0]) if errors else "invalid request"
    # Our validators' own words have keys of their own; pydantic's by the error type.
    known = None
    if errors and message_key(plain_message(errors[0].get("msg"))) is None:
        known = validation_key(errors[0].get("type", ""), errors[0].get("ctx"))
    return JSONResponse(error_body("invalid_input", message, details, known), 422)


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal", "internal error"), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(QAError, _qa_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
