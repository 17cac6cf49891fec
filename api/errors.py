"""One place that maps errors to HTTP: JSON ``{"error": {"code", "message", "field"}}``."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.exceptions import ApplicationError

from casefile import errors

__all__ = ["install_error_handlers", "error_body", "domain_error_from", "STATUS_BY_ERROR"]

STATUS_BY_ERROR: dict[type[errors.HosoError], int] = {
    errors.InvalidCode: 422,
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.NotPermitted: 403,
    errors.Conflict: 409,
    errors.ProceduralViolation: 409,
    errors.BlobCorrupted: 500,
    errors.PlatformUnavailable: 503,
    errors.PlatformRejected: 502,
}


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def status_for(exc: errors.HosoError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def domain_error_from(failure: BaseException) -> errors.HosoError | None:
    """The domain error behind a failed workflow, update or activity, if there is one."""
    cause: BaseException | None = failure
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = cause.__cause__ or getattr(cause, "cause", None)
    if cause is None:
        return None
    cls = getattr(errors, cause.type or "", None)
    if cause.type == "InvalidDocumentField":
        cls = errors.InvalidInput
    if not (isinstance(cls, type) and issubclass(cls, errors.HosoError)):
        return None
    details = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
    field = details.get("field")
    if cls is errors.ProceduralViolation:
        return cls(cause.message, article=details.get("article", ""), field=field)
    return cls(cause.message, field=field)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.HosoError)
    async def _domain(_: Request, exc: errors.HosoError) -> JSONResponse:
        body = error_body(exc.code, exc.failure_message, exc.field)
        if isinstance(exc, errors.ProceduralViolation):
            body["error"]["article"] = exc.article
        return JSONResponse(body, status_code=status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        location = [str(part) for part in first.get("loc", ()) if part not in ("body",)]
        field = (
            ".".join(
                location[1:] if location[:1] in (["query"], ["path"], ["header"]) else location
            )
            or None
        )
        message = f"{field}: {first.get('msg')}" if field else str(first.get("msg"))
        return JSONResponse(error_body("invalid_input", message, field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )
