"""The error answers each operation can give, in the OpenAPI document.

Most are known from how a route is built, so they are derived rather than written on every
route: 401 where it needs a signed-in user, 403 where it needs a role or changes state (a
cookie request from another site is refused), 404 where the path names something, 422
where it takes input (with this service's error body, not FastAPI's default), 400 where a
body may not parse. The rest
(409, 410, 413, 415, 429, 503) come from what the route's service code raises, listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from qa_service.api.errors import ERROR_SCHEMA

DESCRIPTIONS = {
    400: "The body cannot be parsed (malformed JSON or form).",
    401: "Not signed in, or the token is invalid, expired or revoked.",
    403: "The role may not do this, or a cookie request came from another site.",
    404: "Not found, or not visible to this account.",
    409: "Conflicts with the current state.",
    410: "Deleted by retention or a deletion request (the message says when).",
    413: "Too large.",
    415: "Not a supported recording format.",
    422: "Invalid input (the first problem in `message`, all in `details`).",
    429: "Too many failed sign-ins; see Retry-After.",
    503: "Busy; see Retry-After.",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Answers raised by service code, by (method, path).
RAISED: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/users"): (409,),
    ("PATCH", "/api/users/{user_id}"): (409,),
    ("POST", "/api/calls"): (409, 413, 415),
    ("POST", "/api/calls/{call_id}/analyze"): (409, 410),
    ("POST", "/api/calls/{call_id}/rescore"): (409, 410),
    ("GET", "/api/calls/{call_id}/audio"): (410,),
    ("GET", "/api/calls/{call_id}/result"): (409, 410),
    ("GET", "/api/calls/{call_id}/transcript"): (409, 410),
    ("POST", "/api/calls/{call_id}/reviews"): (409,),
    ("POST", "/api/calls/{call_id}/disputes"): (409,),
    ("POST", "/api/disputes/{dispute_id}/decision"): (409,),
    ("POST", "/api/disputes/{dispute_id}/appeal"): (409,),
    ("POST", "/api/deletions"): (404,),
    ("POST", "/api/packs"): (409,),
    ("POST", "/api/scorecards"): (409,),
    ("POST", "/api/coaching"): (404, 409),
    ("PATCH", "/api/coaching/{task_id}"): (409,),
    ("POST", "/api/question-calibrations"): (404, 409),
    ("PUT", "/api/question-calibrations/{calibration_id}/answers"): (409,),
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each code with its description and the error body."""
    return {
        code: {
            "description": DESCRIPTIONS.get(code, "Error."),
            "content": {"application/json": {"schema": ERROR_SCHEMA}},
        }
        for code in codes
    }


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _takes_input(route: APIRoute) -> bool:
    dependant = route.dependant
    return bool(
        route.body_field
        or dependant.query_params
        or dependant.path_params
        or any(d.query_params or d.body_params for d in dependant.dependencies)
    )


def derived_codes(route: APIRoute, path: str) -> set[int]:
    from qa_service.http.deps import get_current_user

    calls = list(_calls(route.dependant))
    codes: set[int] = set()
    if get_current_user in calls:
        codes.add(401)
    if any(hasattr(call, "roles") for call in calls) or route.methods & UNSAFE:
        codes.add(403)
    if route.dependant.path_params:
        codes.add(404)
    if route.body_field:
        codes.add(400)  # a body that cannot be parsed at all
    if _takes_input(route):
        codes.add(422)
    for method in route.methods:
        codes.update(RAISED.get((method, path), ()))
    return codes


def document_errors(router: APIRouter, prefix: str = "") -> None:
    """Add the derived error answers to every route of ``router`` (before it is included
    under ``prefix``); a route's own ``responses`` entries are kept."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        documented = responses(*derived_codes(route, prefix + route.path))
        route.responses = {**documented, **route.responses}
