"""OpenAI-compatible endpoints (``/v1/models``, ``/v1/chat/completions``) over the same ``Assistant.ask``.

Chat clients that speak the OpenAI API (Open WebUI, the ``openai`` package, editors' plug-ins) can
use the assistant as a "model". The reply's content is the answer text as Markdown paragraphs (quotes
with their pages and the office to call); the whole answer object rides along as the extra field
``kinki``. Errors are OpenAI's error object (``openai_errors``); the models are in ``openai_models``.

The OpenAPI schema declares every constraint the server enforces and every status it answers with
(tests/test_contract.py holds the server to it): a request that does not fit the schema's structure
is a 400 (as OpenAI answers it), a message outside the input limits a 422 (as on /api/chat).
"""

# No `from __future__ import annotations`: the request model is built in openai_router (its limits
# come from the settings), and FastAPI must resolve the endpoints' annotations to that class.

import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from assistant.answers import Answer
from assistant.api_errors import ready
from assistant.chat import Turn
from assistant.inputs import BadInput, TooLong, check_message
from assistant.openai_errors import PREFIX, OpenAIError, error_response
from assistant.openai_models import (
    MODEL_ID,
    ModelList,
    ModelOut,
    OpenAIErrorOut,
    completion_models,
    request_model,
)
from assistant.service import Assistant
from assistant.settings import Settings


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
             f"longer than {settings.max_message_chars} characters (param names it).",
        503: "The search index is not available; the message says what to do.",
    }

    def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
        if settings.api_token:
            statuses = (*statuses, 401)
        return {s: {"model": OpenAIErrorOut, "description": meaning[s]} for s in sorted(statuses)}

    ChatCompletionRequest = request_model(settings)
    completions = completion_models(answer_model)
    Ready = Annotated[Assistant, Depends(ready(get_assistant))]

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
        200: {"model": completions.completion, "description": "The answer (with `stream: true`, server-sent events).",
              "content": {"text/event-stream": {"itemSchema": completions.event_schema}}},
        **errors(400, 404, 413, 422, 503),
    }

    @router.post("/chat/completions", summary="Answer the last user message, the earlier ones as history",
                 response_model=None, responses=completion_responses)
    def chat_completions(request: ChatCompletionRequest, a: Ready) -> Any:
        if request.model != MODEL_ID:
            raise OpenAIError(404, f"the model {request.model!r} does not exist; use {MODEL_ID!r}", "model",
                              "model_not_found")
        question, history = conversation(request.messages, settings)
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
        # declared path does not offer never gets here: api_guards.MethodGuard answers it with 405 and Allow.)
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
