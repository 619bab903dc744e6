"""The REST API root: /api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/docs."""

from django.conf import settings
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from salesops.core.errors import DomainError
from salesops.core.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="SalesOps API",
    version="1",
    urls_namespace="api-v1",
    auth=[BearerToken(), django_auth],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(request, status: int, code: str, message: str, detail=None):
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return _error(request, exc.http_status, exc.code, exc.message, exc.detail)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return _error(request, 422, "INVALID_INPUT", "The request is not valid.", exc.errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, "NOT_AUTHENTICATED", "Log in or send a bearer token.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    codes = {
        400: "INVALID_INPUT",
        404: "NOT_FOUND",
        403: "PERMISSION_DENIED",
        405: "METHOD_NOT_ALLOWED",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "HTTP_ERROR"), str(exc))


def _register_routers() -> None:
    """Each app with an api.py contributes its router here."""
    from importlib import import_module

    for app in settings.INSTALLED_APPS:
        if not app.startswith("salesops."):
            continue
        try:
            module = import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
            continue
        api.add_router(module.PREFIX, module.router)


_register_routers()
