"""Error codes of scheduled distribution (the API returns {"code", "message", "detail"})."""

from salesops.core.errors import DomainError, NotFound


class ScheduleNotFound(NotFound):
    code = "SCHEDULE_NOT_FOUND"


class ScheduleInvalid(DomainError):
    code = "SCHEDULE_INVALID"
    http_status = 422


class RendererUnavailable(DomainError):
    code = "RENDERER_UNAVAILABLE"
    http_status = 503
