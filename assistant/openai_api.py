"""OpenAI-compatible endpoints (``/v1/models``, ``/v1/chat/completions``) over the same ``Assistant.ask``.

Chat clients that speak the OpenAI API (Open WebUI, the ``openai`` package, editors' plug-ins) can
use the assistant as a "model". The reply's content is the answer text as Markdown paragraphs (quotes
with their pages and the office to call); the whole answer object rides along as the extra field
``kinki``. Errors are OpenAI's error object, ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answers import Answer
from assistant.chat import Turn
from assistant.inputs import BadInput
from assistant.service import Assistant
from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_ID = "kinki-assistant"
PREFIX = "/v1"
_ROLES = ("user", "assistant", "system")


class OpenAIError(Exception):
    """An error answered as OpenAI's error object with an HTTP status."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind


def error_response(status: int, message: str, param: str | None = None, code: str | None = None,
                   kind: str = "invalid_request_error") -> JSONResponse:
    """OpenAI's error object: what its clients parse into ``BadRequestError``, ``AuthenticationError``…"""
    return JSONResponse(status_code=status,
                        content={"error": {"message": message, "type": kind, "param": param, "code": code}})


def is_openai_path(request: Request) -> bool:
    """Whether a request is for the OpenAI-compatible API (its errors then take OpenAI's shape)."""
    path = request.url.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def validation_error(errors: list[dict[str, Any]]) -> JSONResponse:
    """A request that does not fit the schema, as OpenAI answers it: 400 naming the first bad field."""
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ())[1:]]
    # "messages.0.role" → "messages[0].role", the way OpenAI names a parameter.
    param = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in loc).lstrip(".") or None
    if first.get("type") == "json_invalid":
        return error_response(400, "the body is not valid JSON: send a JSON object, UTF-8 encoded", None, "invalid_json")
    message = f"{param or 'body'}: {first.get('msg', 'invalid')}"
    return error_response(400, f"invalid request: {message}", param, "invalid_value")


class TextPart(BaseModel):
    """One part of a message's content in the list form (only text parts are read)."""

    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """A message of the conversation; extra fields clients send (name, tool calls…) are ignored."""

    role: str = Field(description="user, assistant or system (system messages are ignored).")
    content: str | list[TextPart] | None = Field(None, description="The text, or a list of text parts.")

    def text(self) -> str:
        """The message's text, its text parts joined."""
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    """``stream_options``: ``include_usage`` adds a last chunk with the usage."""

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's request the assistant reads; sampling parameters are accepted and ignored."""

    model: str = Field(MODEL_ID, description=f"The model id: {MODEL_ID}.")
    messages: list[ChatMessage] = Field(description="The conversation, oldest first; the last message is the question.")
    stream: bool = Field(False, description="Answer as server-sent events (chat.completion.chunk).")
    stream_options: StreamOptions | None = None


def conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (the last message, which must be the user's) and the earlier turns, system ones dropped."""
    if not messages:
        raise OpenAIError(400, "messages must hold at least one message, the user's question", "messages", "empty_array")
    for i, m in enumerate(messages):
        if m.role not in _ROLES:
            raise OpenAIError(400, f"messages[{i}].role must be one of user, assistant, system (got {m.role!r})",
                              f"messages[{i}].role", "invalid_value")
    if messages[-1].role != "user":
        raise OpenAIError(400, "the last message must be the user's question (role user)",
                          f"messages[{len(messages) - 1}].role", "invalid_value")
    history = [Turn("user" if m.role == "user" else "assistant", m.text()) for m in messages[:-1] if m.role != "system"]
    return messages[-1].text(), history


def _usage(messages: list[ChatMessage], reply: str) -> dict[str, int]:
    # No language model, so no tokens: characters stand in, which is what clients display.
    prompt = sum(len(m.text()) for m in messages)
    return {"prompt_tokens": prompt, "completion_tokens": len(reply), "total_tokens": prompt + len(reply)}


def reply_text(answer: Answer) -> str:
    """The answer text as Markdown paragraphs: chat UIs would otherwise run the contact line into the last quote."""
    return "\n\n".join(line for line in answer.answer.split("\n") if line)


def _pieces(text: str) -> list[str]:
    """The reply cut after each paragraph, so a streamed quote or contact line arrives whole."""
    parts = text.split("\n\n")
    return [p + "\n\n" for p in parts[:-1]] + [parts[-1]]


def completion(answer: Answer, messages: list[ChatMessage], created: int, cid: str) -> dict[str, Any]:
    """A ``chat.completion`` object with the answer object in ``kinki``."""
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply_text(answer)},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(messages, reply_text(answer)),
        "kinki": answer.to_dict(),
    }


def chunks(answer: Answer, messages: list[ChatMessage], created: int, cid: str, usage: bool) -> Iterator[str]:
    """Server-sent events: role, the reply line by line, a final chunk carrying ``kinki``, then ``[DONE]``."""
    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    for piece in _pieces(reply_text(answer)):
        yield event({"content": piece})
    yield event({}, "stop", kinki=answer.to_dict())
    if usage:
        body = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID, "choices": [],
                "usage": _usage(messages, reply_text(answer))}
        yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def _model(created: int) -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": created, "owned_by": "kinki-assistant"}


def openai_router(get_assistant: Callable[[], Assistant], settings: Settings) -> APIRouter:
    """The ``/v1`` routes; a bearer token is required when ``settings.api_token`` is set."""
    started = int(time.time())

    def check_token(request: Request) -> None:
        if not settings.api_token:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # Constant-time comparison: the time taken must not tell how much of a guess was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.api_token.encode()):
            raise OpenAIError(401, "invalid or missing API key: send Authorization: Bearer <KINKI_API_TOKEN>",
                              None, "invalid_api_key")

    router = APIRouter(prefix=PREFIX, tags=["OpenAI-compatible"], dependencies=[Depends(check_token)])

    def assistant() -> Assistant:
        try:
            return get_assistant()
        except Exception as e:  # noqa: BLE001 - any failure to open the index is reported, not raised
            log.error("assistant unavailable: %s", e)
            raise OpenAIError(503, f"the search index is not available ({e}); build it with "
                              "`kinki-assistant build-index`", None, "index_unavailable", "server_error") from e

    @router.get("/models", summary="The one model: the assistant")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [_model(started)]}

    @router.get("/models/{model}", summary="One model by id")
    def model(model: str) -> dict[str, Any]:
        if model != MODEL_ID:
            raise OpenAIError(404, f"the model {model!r} does not exist; use {MODEL_ID!r}", "model", "model_not_found")
        return _model(started)

    @router.post("/chat/completions", summary="Answer the last user message, the earlier ones as history",
                 response_model=None)
    def chat_completions(request: ChatCompletionRequest) -> dict[str, Any] | StreamingResponse:
        if request.model != MODEL_ID:
            raise OpenAIError(404, f"the model {request.model!r} does not exist; use {MODEL_ID!r}", "model",
                              "model_not_found")
        question, history = conversation(request.messages)
        a = assistant()
        try:
            # The whole answer is ready before anything is sent, so a refusal is still a plain 4xx.
            answer = a.ask(question, history)
        except BadInput as e:
            raise OpenAIError(e.status, str(e), f"messages[{len(request.messages) - 1}].content",
                              "message_too_long" if e.status == 413 else "invalid_message") from e
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"
        if not request.stream:
            return completion(answer, request.messages, created, cid)
        usage = bool(request.stream_options and request.stream_options.include_usage)
        return StreamingResponse(chunks(answer, request.messages, created, cid, usage), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(rest: str, request: Request) -> None:
        # Without this, /v1/anything else would fall through to the UI mounted at "/".
        known = {"models", "chat/completions"}
        if rest in known or rest.startswith("models/"):
            raise OpenAIError(405, f"{request.method} is not allowed on {PREFIX}/{rest}", None, "method_not_allowed")
        raise OpenAIError(404, f"unknown endpoint {PREFIX}/{rest}: this server offers {PREFIX}/models and "
                          f"{PREFIX}/chat/completions", None, "unknown_url")

    return router


def install(app: FastAPI, get_assistant: Callable[[], Assistant], settings: Settings) -> None:
    """Add the ``/v1`` routes and the handler that turns ``OpenAIError`` into OpenAI's error object."""

    @app.exception_handler(OpenAIError)
    async def openai_problem(_: Request, exc: OpenAIError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.param, exc.code, exc.kind)

    app.include_router(openai_router(get_assistant, settings))
