"""Errors a user can fix carry a stable code; the API returns {"code", "message", "detail"}."""

from typing import Any


class DomainError(Exception):
    """A business rule refused the request. `code` is stable; `message` is for people."""

    code = "DOMAIN_ERROR"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None):
        super().__init__(message)
        if code:
            self.code = code
        self.message = message
        self.detail = detail

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    http_status = 403


class NotFound(DomainError):
    """Also raised for records outside the user's scope: their existence is not disclosed."""

    code = "NOT_FOUND"
    http_status = 404


class Conflict(DomainError):
    code = "CONFLICT"
    http_status = 409
