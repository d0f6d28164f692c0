"""OpenAI-compatible endpoints (``/v1/models``, ``/v1/chat/completions``) over the same ``Assistant.ask``.

Chat clients that speak the OpenAI API (Open WebUI, the ``openai`` package, editors' plug-ins) can
use the assistant as a "model". The reply's content is the answer text as Markdown paragraphs (quotes
with their pages and the office to call); the whole answer object rides along as the extra field
``kinki``. Errors are OpenAI's error object, ``{"error": {"message", "type", "param", "code"}}``.

The OpenAPI schema declares every constraint the server enforces and every status it answers with
(tests/test_contract.py holds the server to it): a request that does not fit the schema's structure
is a 400 (as OpenAI answers it), a message outside the input limits a 422 (as on /api/chat).
"""

# No `from __future__ import annotations`: the request models are built in openai_router (their limits
# come from the settings), and FastAPI must resolve the endpoints' annotations to those local classes.

import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from assistant.answers import Answer
from assistant.chat import Turn
from assistant.inputs import MESSAGE_PATTERN, BadInput, TooLong, check_message
from assistant.service import Assistant
from assistant.settings import Settings

log = logging.getLogger(__name__)

MODEL_ID = "kinki-assistant"
PREFIX = "/v1"

# Strict like /api's models: lax mode would accept "true" for a boolean, which the schema calls invalid.
STRICT = ConfigDict(strict=True)


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


class TextPart(BaseModel):
    """One part of an assistant or system message's content in the list form (only text parts are read)."""

    model_config = STRICT
    type: str
    text: str | None = None


def _text(content: str | list[Any] | None) -> str:
    if isinstance(content, list):
        return "".join(p.text or "" for p in content if p.type == "text")
    return content or ""


class AssistantMessage(BaseModel):
    """An earlier answer; extra fields clients send (name, tool calls…) are ignored."""

    model_config = STRICT
    role: Literal["assistant"]
    content: str | list[TextPart] | None = Field(None, description="The text, or a list of text parts.")

    def text(self) -> str:
        """The message's text, its text parts joined."""
        return _text(self.content)


class SystemMessage(BaseModel):
    """Instructions for a language model: accepted and ignored (the assistant has none to follow)."""

    model_config = STRICT
    role: Literal["system"]
    content: str | list[TextPart] | None = Field(None, description="Ignored.")

    def text(self) -> str:
        """The message's text, its text parts joined."""
        return _text(self.content)


class StreamOptions(BaseModel):
    """``stream_options``: ``include_usage`` adds a last chunk with the usage."""

    model_config = STRICT
    include_usage: bool = False


class OpenAIErrorDetail(BaseModel):
    message: str = Field(description="What is wrong and what to send instead.")
    type: str = Field(description="invalid_request_error, or server_error.")
    param: str | None = Field(description="The request field at fault, e.g. messages[0].content.")
    code: str | None = Field(description="A short machine-readable reason, e.g. model_not_found.")


class OpenAIErrorOut(BaseModel):
    """OpenAI's error object."""

    error: OpenAIErrorDetail


class ModelOut(BaseModel):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"]
    data: list[ModelOut]


class ReplyMessage(BaseModel):
    role: Literal["assistant"]
    content: str = Field(description="The answer text as Markdown paragraphs.")


class Choice(BaseModel):
    index: int
    message: ReplyMessage
    finish_reason: Literal["stop"]
    logprobs: None


class Usage(BaseModel):
    """Characters, not tokens: there is no language model."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class Delta(BaseModel):
    role: Literal["assistant"] | None = Field(None, description="In the first chunk only.")
    content: str | None = Field(None, description="The next paragraph of the reply.")


class ChunkChoice(BaseModel):
    index: int
    delta: Delta
    finish_reason: Literal["stop"] | None
    logprobs: None


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` written in place: it is embedded in the OpenAPI schema, where
    ``#/$defs/...`` would not resolve."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return {**walk(defs[ref.removeprefix("#/$defs/")]), **{k: walk(v) for k, v in node.items() if k != "$ref"}}
            return {k: walk(v) for k, v in node.items()}
        return [walk(v) for v in node] if isinstance(node, list) else node

    return walk(schema)


def conversation(messages: list[Any], settings: Settings) -> tuple[str, list[Turn]]:
    """The question (the last user message) and the user and assistant turns before it.

    Every user message is held to the limits of a question (BadInput, 422): the schema cannot single
    out the last one, and what it declares is what is enforced. Messages after the question (an
    assistant's reply to continue) are not read; system messages never are.
    """
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise OpenAIError(400, "messages must hold at least one user message: the last one is the question",
                          "messages", "invalid_value")
    for i in users:
        try:
            check_message(messages[i].text(), settings)
        except BadInput as e:
            raise OpenAIError(422, str(e), f"messages[{i}].content",
                              "message_too_long" if isinstance(e, TooLong) else "invalid_message") from e
    last = users[-1]
    history = [Turn(m.role, m.text()) for m in messages[:last] if m.role != "system"]
    return messages[last].text(), history


def _usage(messages: list[Any], reply: str) -> dict[str, int]:
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


def completion(answer: Answer, messages: list[Any], created: int, cid: str) -> dict[str, Any]:
    """A ``chat.completion`` object with the answer object in ``kinki``."""
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply_text(answer)},
                     "finish_reason": "stop", "logprobs": None}],
        "usage": _usage(messages, reply_text(answer)),
        "kinki": answer.to_dict(),
    }


def chunks(answer: Answer, messages: list[Any], created: int, cid: str, usage: bool) -> Iterator[str]:
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


def openai_router(get_assistant: Callable[[], Assistant], settings: Settings,
                  answer_model: type[BaseModel] | None = None) -> APIRouter:
    """The ``/v1`` routes; a bearer token is required when ``settings.api_token`` is set.

    ``answer_model`` is the answer object's schema (``kinki`` in a completion), for the OpenAPI schema.
    """
    started = int(time.time())
    limit = settings.max_message_chars

    def check_token(request: Request) -> None:
        if not settings.api_token:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # Constant-time comparison: the time taken must not tell how much of a guess was right.
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.api_token.encode()):
            raise OpenAIError(401, "invalid or missing API key: send Authorization: Bearer <KINKI_API_TOKEN>",
                              None, "invalid_api_key")

    dependencies = [Depends(check_token)]
    if settings.api_token:
        # Declares the bearer scheme in the schema; check_token does the checking (and answers 401 its way).
        dependencies.append(Security(HTTPBearer(auto_error=False, description="KINKI_API_TOKEN")))
    router = APIRouter(prefix=PREFIX, tags=["OpenAI-compatible"], dependencies=dependencies)

    meaning = {
        400: "The body is not UTF-8 JSON or does not fit the schema (a missing or mistyped field, a role other "
             "than user/assistant/system, no user message), or Content-Length is not a number.",
        401: "The API key is wrong or missing (KINKI_API_TOKEN is set).",
        404: "No such model (the one model is kinki-assistant), or no such endpoint.",
        413: "The request body is larger than the server reads (max_request_bytes).",
        422: f"A user message is empty once white space, control characters and HTML markup are removed, or "
             f"longer than {limit} characters (param names it).",
        503: "The search index is not available; the message says what to do.",
    }

    def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
        if settings.api_token:
            statuses = (*statuses, 401)
        return {s: {"model": OpenAIErrorOut, "description": meaning[s]} for s in sorted(statuses)}

    meaningful = "at least one character besides white space, control characters and HTML markup"
    text_limits = {"minLength": 1, "maxLength": limit, "pattern": MESSAGE_PATTERN}

    class UserTextPart(BaseModel):
        """The text of a user message in the list form."""

        model_config = STRICT
        type: Literal["text"]
        text: str = Field(description=f"The text: {meaningful}, at most {limit} characters.",
                          json_schema_extra=text_limits)

    class UserMessage(BaseModel):
        """A user message; the last one is the question. Extra fields clients send (name…) are ignored."""

        model_config = STRICT
        role: Literal["user"]
        content: (Annotated[str, Field(json_schema_extra=text_limits)]
                  | Annotated[list[UserTextPart], Field(min_length=1, max_length=1)]) = Field(
            description=f"The text ({meaningful}, at most {limit} characters as sent; else 422, also when Unicode "
            f"NFKC normalisation makes it longer than {2 * limit}), or a list of one text part holding it (the "
            f"assistant reads text only: image or file parts are refused).")

        def text(self) -> str:
            """The message's text."""
            return _text(self.content)

    message = Annotated[UserMessage | AssistantMessage | SystemMessage, Field(discriminator="role")]

    class ChatCompletionRequest(BaseModel):
        """The subset of OpenAI's request the assistant reads; sampling parameters are accepted and ignored."""

        model_config = STRICT
        model: str = Field(MODEL_ID, description=f"The model id: {MODEL_ID} (another is a 404).",
                           json_schema_extra={"enum": [MODEL_ID]})
        messages: list[message] = Field(
            min_length=1, description="The conversation, oldest first: the last user message is the question, the "
            "user and assistant messages before it are the history (messages after it are not read, system "
            "messages never). Every user message is held to the limits of a question.",
            json_schema_extra={"contains": {"type": "object", "required": ["role"],
                                            "properties": {"role": {"const": "user"}}}})
        stream: bool = Field(False, description="Answer as server-sent events (chat.completion.chunk).")
        stream_options: StreamOptions | None = None

    kinki_type: Any = answer_model or dict[str, Any]

    class ChatCompletion(BaseModel):
        """A ``chat.completion``; with ``stream: true``, ``chat.completion.chunk`` events instead."""

        id: str
        object: Literal["chat.completion"]
        created: int
        model: str
        choices: list[Choice]
        usage: Usage
        kinki: kinki_type = Field(description="The answer object, as /api/chat returns it.")

    class ChatCompletionChunk(BaseModel):
        """One server-sent event of a streamed answer (``data: {...}``); the stream ends with ``data: [DONE]``."""

        id: str
        object: Literal["chat.completion.chunk"]
        created: int
        model: str
        choices: list[ChunkChoice] = Field(description="Empty in the usage chunk.")
        usage: Usage | None = Field(None, description="In a last chunk of its own, with stream_options.include_usage.")
        kinki: kinki_type | None = Field(None, description="The answer object, on the chunk whose finish_reason is stop.")

    # Each event as schemathesis and Open API 3.2 read a stream: its `data` is a chunk as JSON, or [DONE].
    event_schema = {"type": "object", "required": ["data"], "properties": {
        "data": {"type": "string", "anyOf": [
            {"const": "[DONE]"},
            {"contentMediaType": "application/json", "contentSchema": _inlined(ChatCompletionChunk.model_json_schema())},
        ]},
        "event": {"type": "string"}, "id": {"type": "string"}, "retry": {"type": "integer", "minimum": 0},
    }}

    def assistant() -> Assistant:
        try:
            return get_assistant()
        except Exception as e:  # noqa: BLE001 - any failure to open the index is reported, not raised
            log.error("assistant unavailable: %s", e)
            raise OpenAIError(503, f"the search index is not available ({e}); build it with "
                              "`kinki-assistant build-index`", None, "index_unavailable", "server_error") from e

    @router.get("/models", summary="The one model: the assistant", response_model=ModelList, responses=errors())
    def models() -> Any:
        return {"object": "list", "data": [_model(started)]}

    # The path parameter is read from the request rather than the signature: a string cannot fail
    # validation, and a declared parameter would make FastAPI document a 422 that never comes.
    @router.get("/models/{model}", summary="One model by id", response_model=ModelOut, responses=errors(404),
                openapi_extra={"parameters": [{"name": "model", "in": "path", "required": True,
                                               "description": f"The model id: {MODEL_ID} (another is a 404).",
                                               "schema": {"type": "string", "minLength": 1}}]})
    def model(request: Request) -> Any:
        name = request.path_params["model"]
        if name != MODEL_ID:
            raise OpenAIError(404, f"the model {name!r} does not exist; use {MODEL_ID!r}", "model", "model_not_found")
        return _model(started)

    completion_responses: dict[int | str, dict[str, Any]] = {
        200: {"model": ChatCompletion, "description": "The answer (with `stream: true`, server-sent events).",
              "content": {"text/event-stream": {"itemSchema": event_schema}}},
        **errors(400, 404, 413, 422, 503),
    }

    @router.post("/chat/completions", summary="Answer the last user message, the earlier ones as history",
                 response_model=None, responses=completion_responses)
    def chat_completions(request: ChatCompletionRequest) -> Any:
        if request.model != MODEL_ID:
            raise OpenAIError(404, f"the model {request.model!r} does not exist; use {MODEL_ID!r}", "model",
                              "model_not_found")
        question, history = conversation(request.messages, settings)
        a = assistant()
        try:
            # The whole answer is ready before anything is sent, so a refusal is still a plain 4xx.
            answer = a.ask(question, history)
        except BadInput as e:  # already checked by conversation(); kept so a refusal is never a 500
            raise OpenAIError(422, str(e), None, "message_too_long" if isinstance(e, TooLong) else "invalid_message") from e
        created, cid = int(time.time()), f"chatcmpl-{uuid.uuid4().hex}"
        if not request.stream:
            return completion(answer, request.messages, created, cid)
        usage = bool(request.stream_options and request.stream_options.include_usage)
        return StreamingResponse(chunks(answer, request.messages, created, cid, usage), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(rest: str) -> None:
        # Without this, /v1/anything else would fall through to the UI mounted at "/". (A method a
        # declared path does not offer never gets here: api.MethodGuard answers it with 405 and Allow.)
        raise OpenAIError(404, f"unknown endpoint {PREFIX}/{rest}: this server offers {PREFIX}/models and "
                          f"{PREFIX}/chat/completions", None, "unknown_url")

    return router


def install(app: FastAPI, get_assistant: Callable[[], Assistant], settings: Settings,
            answer_model: type[BaseModel] | None = None) -> None:
    """Add the ``/v1`` routes and the handler that turns ``OpenAIError`` into OpenAI's error object."""

    @app.exception_handler(OpenAIError)
    async def openai_problem(_: Request, exc: OpenAIError) -> JSONResponse:
        return error_response(exc.status, exc.message, exc.param, exc.code, exc.kind)

    app.include_router(openai_router(get_assistant, settings, answer_model))
