"""OpenAI's error object, ``{"error": {"message", "type", "param", "code"}}``, for everything under /v1.

OpenAI's clients parse it into ``BadRequestError``, ``AuthenticationError``…; a request that does not
fit the schema's structure is a 400 naming the first bad field, as OpenAI answers it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

PREFIX = "/v1"


class OpenAIError(Exception):
    """An error answered as OpenAI's error object with an HTTP status."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind


def error_response(status: int, message: str, param: str | None = None, code: str | None = None,
                   kind: str = "invalid_request_error", headers: dict[str, str] | None = None) -> JSONResponse:
    """OpenAI's error object: what its clients parse into ``BadRequestError``, ``AuthenticationError``…"""
    return JSONResponse(status_code=status, headers=headers,
                        content={"error": {"message": message, "type": kind, "param": param, "code": code}})


def is_openai_path(path: str | Request) -> bool:
    """Whether a request (or a path) is for the OpenAI-compatible API (its errors then take OpenAI's shape)."""
    path = path.url.path if isinstance(path, Request) else path
    return path == PREFIX or path.startswith(PREFIX + "/")


# The names of the request's fields: a validation error's location also holds the union member it was
# checked against ("user", "str", "list[UserTextPart]"), which is no part of the parameter's name.
_FIELDS = {"model", "messages", "role", "content", "type", "text", "stream", "stream_options", "include_usage"}


def _param(error: dict[str, Any]) -> str | None:
    loc = [p for p in error.get("loc", ())[1:] if isinstance(p, int) or p in _FIELDS]
    if error.get("type") in ("union_tag_not_found", "union_tag_invalid"):  # the message's role is missing or unknown
        loc.append(str(error.get("ctx", {}).get("discriminator", "role")).strip("'"))
    # "messages.0.role" → "messages[0].role", the way OpenAI names a parameter.
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or None


def validation_error(errors: list[dict[str, Any]]) -> JSONResponse:
    """A request that does not fit the schema, as OpenAI answers it: 400 naming the first bad field."""
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        return error_response(400, "the body is not valid JSON: send a JSON object, UTF-8 encoded", None, "invalid_json")
    param = _param(first)
    if first.get("type") == "union_tag_invalid":
        why = f"must be one of user, assistant, system (got {first.get('ctx', {}).get('tag')!r})"
    elif first.get("type") == "union_tag_not_found":
        why = "missing: every message needs a role, user, assistant or system"
    else:
        # A value that fits no member of a union (content: a string, or a list of one text part) fails
        # each; all are said, those inside the value with where ("[0].type: Input should be 'text'").
        whys = []
        for e in errors:
            at = _param(e) or ""
            if param and at.startswith(param):
                rest = at.removeprefix(param)
                whys.append(f"{rest.lstrip('.')}: {e.get('msg', 'invalid')}" if rest else e.get("msg", "invalid"))
        why = ", or ".join(dict.fromkeys(whys)) or first.get("msg", "invalid")
    return error_response(400, f"invalid request: {param or 'body'}: {why}", param, "invalid_value")
