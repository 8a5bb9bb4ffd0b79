"""Caller-facing errors: one base class carrying its HTTP status, rendered as ``{"error": …}``."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class AppError(Exception):
    """``detail`` is for the caller's logs and API clients; ``reason`` (with ``params``), when
    set, names the refusal so a page can tell a person in their language what to do."""

    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, reason: str = "", params: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.reason = reason
        self.params = params or {}


class BadRequest(AppError):
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "unavailable"


def error_body(exc: AppError) -> dict[str, str]:
    """What a refused caller reads: the error's code and why."""
    return {"error": exc.code, "error_description": exc.detail}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def render_app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(error_body(exc), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def render_validation_error(
        _request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return JSONResponse(
            {"error": "invalid_request", "error_description": problems}, status_code=422
        )
