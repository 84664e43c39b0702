"""Errors that carry what the user should see and the HTTP status / exit code that fits.

Every error a user can cause is a ``QAError``: the CLI prints its one-line message and exits
with ``exit_code``; the API renders ``status_code`` with a stable JSON body.
"""

from __future__ import annotations


class QAError(Exception):
    status_code: int = 400
    exit_code: int = 1
    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(QAError):
    """Input the service cannot use: bad audio, bad transcript JSON, bad options."""

    status_code = 422
    exit_code = 2
    code = "invalid_input"


class UnsupportedMediaError(InputError):
    status_code = 415
    code = "unsupported_media"


class ModelError(QAError):
    """A model is missing, unverified or cannot be fetched."""

    status_code = 503
    exit_code = 3
    code = "model_unavailable"


class NotFoundError(QAError):
    status_code = 404
    exit_code = 4
    code = "not_found"


class AuthError(QAError):
    status_code = 401
    code = "not_authenticated"


class ForbiddenError(QAError):
    status_code = 403
    code = "forbidden"


class ConflictError(QAError):
    status_code = 409
    code = "conflict"


class TooLargeError(QAError):
    status_code = 413
    code = "too_large"


class GoneError(QAError):
    """What was asked for existed but was deleted (retention or a deletion request)."""

    status_code = 410
    code = "gone"
