"""How the HTTP API says what went wrong: routes raise, and the handlers here answer with the error object.

Under /api the error object is ``{"error": "..."}``; under /v1 it is OpenAI's (``openai_errors``). Routes
raise the project's own errors and never build an error response themselves:

- ``BadInput`` (a message or parameter refused; its ``status``, usually 422),
- ``FeedbackError`` (the feedback store cannot save: 503),
- ``IndexUnavailable`` (raised by the ``ready`` dependency when the search index cannot be opened: 503).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from assistant.feedback import FeedbackError
from assistant.inputs import BadInput
from assistant.openai_errors import error_response, is_openai_path, validation_error
from assistant.service import Assistant
from assistant.settings import Settings

log = logging.getLogger(__name__)


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong and what to send instead.")


_MEANING = {
    400: "The body is not UTF-8 JSON, or Content-Length is not a number.",
    413: "The request body is larger than the server reads (max_request_bytes).",
    422: "A parameter or field is missing, of the wrong type or outside its declared limits.",
    503: "The search index (or the feedback store) is not available; the message says what to do.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses an operation can give, declared so the schema lists every status the server sends."""
    return {s: {"model": ErrorOut, "description": _MEANING[s]} for s in statuses}


class IndexUnavailable(RuntimeError):
    """The search index cannot be opened (missing, damaged, its server down at start): every route needing it is a 503."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"the search index is not available ({cause}); build it with `kinki-assistant build-index`")


def ready(get_assistant: Callable[[], Assistant]) -> Callable[[], Assistant]:
    """A dependency giving the assistant, or raising ``IndexUnavailable`` when its index cannot be opened."""

    def ready_assistant() -> Assistant:
        try:
            return get_assistant()
        except Exception as e:  # noqa: BLE001 - any failure to open the index is reported, not raised
            log.error("assistant unavailable: %s", e)
            raise IndexUnavailable(e) from e

    return ready_assistant


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The /api error object."""
    return JSONResponse(status_code=status, content={"error": message}, headers=headers)


def problem_at(path: str, status: int, message: str, headers: dict[str, str] | None = None,
               code: str | None = None, kind: str = "invalid_request_error") -> JSONResponse:
    """An error in the shape of the API the path belongs to: OpenAI's error object under /v1, ours elsewhere."""
    if is_openai_path(path):
        return error_response(status, message, None, code, kind, headers)
    return problem(status, message, headers)


def describe(error: dict[str, Any]) -> str:
    """One validation error in words a client developer can act on."""
    if error.get("type") == "json_invalid":
        at = error.get("loc", ("body", "?"))[-1]
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'decode error')} at character {at})"
    where = ".".join(str(p) for p in error.get("loc", [])[1:]) or "body"
    return f"{where}: {error.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI, limits: Settings) -> None:
    """Answer every error, the project's and FastAPI's own, with the error object of the path's API."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if is_openai_path(request):
            return validation_error(list(errors))
        problems = "; ".join(describe(e) for e in errors[:5])
        if any(e.get("loc", ("",))[0] == "body" for e in errors):
            problems += '. Send Content-Type: application/json and {"message": "...", "history": [...]}'
        return problem(422, f"invalid request: {problems}")

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        messages = {
            400: "the body could not be parsed: send a JSON object, UTF-8 encoded",
            413: f"the request body is too large: at most {limits.max_request_bytes} bytes",
        }
        return problem_at(request.url.path, exc.status_code, messages.get(exc.status_code, str(exc.detail)),
                          dict(exc.headers or {}))

    @app.exception_handler(BadInput)
    async def refused(request: Request, exc: BadInput) -> JSONResponse:
        return problem_at(request.url.path, exc.status, str(exc))

    @app.exception_handler(FeedbackError)
    async def feedback_unsaved(request: Request, exc: FeedbackError) -> JSONResponse:
        return problem_at(request.url.path, 503, str(exc))

    @app.exception_handler(IndexUnavailable)
    async def index_unavailable(request: Request, exc: IndexUnavailable) -> JSONResponse:
        return problem_at(request.url.path, 503, str(exc), code="index_unavailable", kind="server_error")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last resort: the cause goes to the log, never a stack trace to the client.
        log.exception("unexpected error while answering")
        return problem_at(request.url.path, 500, "the assistant hit an unexpected error; it has been logged",
                          kind="server_error")
