"""HTTP API over the assistant: routes only convert requests and responses; the core does the work."""

# No `from __future__ import annotations`: the request models are built in create_app (their limits come
# from the settings), and FastAPI must resolve the endpoints' annotations to those local classes.

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from assistant import __version__, openai_api
from assistant.chat import Turn
from assistant.feedback import FeedbackError
from assistant.finder import load_goals
from assistant.inputs import MESSAGE_PATTERN, QUERY_PATTERN, BadInput, check_query, clean_text
from assistant.mcp_server import MCP_PATH, build_mcp, http_mount
from assistant.service import Assistant
from assistant.settings import Settings, get_settings

log = logging.getLogger(__name__)


# Every model is strict: pydantic's lax mode accepts "3" for an integer and 0 for a boolean, which the
# schema calls invalid, and a request the schema rejects must be rejected (and the other way round).
STRICT = ConfigDict(strict=True)


class Message(BaseModel):
    model_config = STRICT
    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(description="What was said.")


class CitationOut(BaseModel):
    model_config = STRICT
    section: str
    page: int | None
    quote: str
    initiative: str = ""


class ContactOut(BaseModel):
    model_config = STRICT
    department: str
    division: str
    phone: str
    initiative: str


class OptionOut(BaseModel):
    initiative: str
    department: str
    division: str
    phone: str


class ClarifyOut(BaseModel):
    question: str = Field(description="What the assistant asks instead of guessing.")
    options: list[OptionOut] = Field(description="The initiatives that fit, each with its office; `contacts` "
                                     "lists the same offices in this order. Send an option's initiative back "
                                     "(or its number) as the next message to choose it.")


class AnswerOut(BaseModel):
    model_config = STRICT
    answer: str
    citations: list[CitationOut]
    contacts: list[ContactOut]
    abstained: bool
    initiatives: list[str] = []
    route: str = "none"
    confidence: float = 0.0
    language: str = "ja"
    degraded: bool = False
    clarify: ClarifyOut | None = Field(None, description="Set when two or more initiatives fit about equally.")
    suggestions: list[str] = Field(default_factory=list, description="Follow-up questions the document can answer.")


class FeedbackOut(BaseModel):
    id: int
    stored: bool = True


class GoalOut(BaseModel):
    id: str
    ja: str
    en: str


class RecommendationOut(BaseModel):
    initiative: str
    score: float
    goals: list[str]
    pages: list[int]
    quotes: list[CitationOut]
    contacts: list[ContactOut]


class ErrorOut(BaseModel):
    error: str = Field(description="What is wrong and what to send instead.")


def _problem(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message}, headers=headers)


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses an operation can give, declared so the schema lists every status the server sends."""
    meaning = {
        400: "The body is not UTF-8 JSON, or Content-Length is not a number.",
        413: "The request body is larger than the server reads (max_request_bytes).",
        422: "A parameter or field is missing, of the wrong type or outside its declared limits.",
        503: "The search index (or the feedback store) is not available; the message says what to do.",
    }
    return {s: {"model": ErrorOut, "description": meaning[s]} for s in statuses}


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _problem_at(path: str, status: int, message: str, headers: dict[str, str] | None = None,
                code: str | None = None) -> JSONResponse:
    """An error in the shape of the API the path belongs to: OpenAI's error object under /v1, ours elsewhere."""
    if openai_api.is_openai_path(path):
        return openai_api.error_response(status, message, None, code, headers=headers)
    return _problem(status, message, headers)


class MethodGuard:
    """ASGI middleware answering a method an API path does not declare with 405, an ``Allow`` header and
    the error object of that API.

    Without it the Gradio app mounted at ``/`` takes such requests (a mount matches every path) and
    answers 404 with its own body. The declared paths and methods are read from the OpenAPI schema
    itself (routers included with a prefix, such as /v1, are not flat in ``app.routes``), templates
    such as ``/v1/models/{model}`` included. Paths that are not API operations (the UI, /docs) are left alone.
    """

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._allowed: list[tuple[re.Pattern[str], set[str]]] | None = None

    def allowed(self) -> list[tuple[re.Pattern[str], set[str]]]:
        # Read from the schema on first use, when every operation has been added.
        if self._allowed is None:
            self._allowed = [(compile_path(path)[0], {m.upper() for m in item if m in _HTTP_METHODS})
                             for path, item in self.api.openapi().get("paths", {}).items()]
        return self._allowed

    def methods(self, path: str) -> set[str] | None:
        """The methods the schema declares for a path, or None for a path that is no API operation."""
        found = [methods for regex, methods in self.allowed() if regex.match(path)]
        return set().union(*found) if found else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = self.methods(scope["path"]) if scope["type"] == "http" else None
        if methods is None or scope["method"] in methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods))
        await _problem_at(scope["path"], 405, f"{scope['method']} is not allowed on {scope['path']}: use {allow}",
                          {"Allow": allow}, "method_not_allowed")(scope, receive, send)


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with a JSON 413 before the app reads them.

    The declared Content-Length is checked first; a body sent without one is read up to the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _problem_at(scope["path"], 413, f"the request body is too large: at most {self.max_bytes} bytes",
                          code="request_too_large")(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await _problem_at(scope["path"], 400, "the Content-Length header is not a number",
                              code="invalid_content_length")(scope, receive, send)
            return
        if declared is not None and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> AsgiMessage:
            nonlocal replayed
            if replayed:
                return await receive()  # later reads wait for the client to disconnect
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


def _describe(error: dict[str, Any]) -> str:
    """One validation error in words a client developer can act on."""
    if error.get("type") == "json_invalid":
        at = error.get("loc", ("body", "?"))[-1]
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'decode error')} at character {at})"
    where = ".".join(str(p) for p in error.get("loc", [])[1:]) or "body"
    return f"{where}: {error.get('msg', 'invalid')}"


def create_app(get_assistant: Callable[[], Assistant], settings: Settings | None = None) -> FastAPI:
    """The API around an assistant; ``get_assistant`` raises when the index is not available."""
    limits = settings or get_settings()
    mcp = http_mount(build_mcp(get_assistant), limits)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp.lifespan():  # the MCP endpoint's sessions live as long as the app
            yield

    app = FastAPI(title="Kansai policy assistant", version=__version__, lifespan=lifespan,
                  description="Cited answers over 近畿経済産業局 令和７年度 重点施策, routed to the right office. "
                  "OpenAI-compatible API at /v1, MCP (streamable HTTP) at /mcp.")
    app.add_middleware(BodyLimit, max_bytes=limits.max_request_bytes)
    app.router.add_route(MCP_PATH, mcp.endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    openai_api.install(app, get_assistant, limits, AnswerOut)
    app.add_middleware(MethodGuard, api=app)
    meaningful = "at least one character besides white space, control characters and HTML markup"

    class ChatRequest(BaseModel):
        model_config = STRICT
        message: str = Field(
            description=f"The user's question, in Japanese or English: {meaningful} (else 422), at most "
            f"{limits.max_message_chars} characters as sent (else 422; also 422 when Unicode NFKC normalisation "
            f"makes it longer than {2 * limits.max_message_chars}).",
            json_schema_extra={"minLength": 1, "maxLength": limits.max_message_chars, "pattern": MESSAGE_PATTERN})
        history: list[Message] = Field(
            default_factory=list,
            description=f"Earlier turns, oldest first; only the last {limits.max_history_turns} turns and "
            f"{limits.max_history_chars} characters are read.")

    class FeedbackIn(BaseModel):
        model_config = STRICT
        rating: Literal["up", "down"] = Field(description="Thumbs up or thumbs down.")
        question: str = Field(description=f"The question that was answered: {meaningful}.",
                              json_schema_extra={"minLength": 1, "pattern": MESSAGE_PATTERN})
        answer: AnswerOut = Field(description="The answer object as /api/chat returned it.")
        comment: str = Field("", description="Optional: what was wrong or right.",
                             json_schema_extra={"maxLength": limits.max_feedback_comment_chars})
        history: list[str] = Field(default_factory=list, description="Earlier user messages of the chat, oldest first.")

    goal_names = sorted({n for g in load_goals(limits.corpus_dir / "goals.json") for n in (g.id, g.ja, g.en, g.label)})

    class SupportRequest(BaseModel):
        # At least one goal, or a description with something in it: declared here, checked in support().
        model_config = ConfigDict(strict=True, json_schema_extra={"anyOf": [
            {"required": ["goals"], "properties": {"goals": {"minItems": 1}}},
            {"required": ["description"], "properties": {"description": {"pattern": MESSAGE_PATTERN}}},
        ]})
        goals: list[str] = Field(
            default_factory=list, description="Goal ids or labels (see /api/goals), e.g. ['overseas', 'dx'].",
            json_schema_extra={"items": {"type": "string", "enum": goal_names}} if goal_names else None)
        description: str = Field(
            "", description="Optional: the company in a sentence or two.",
            json_schema_extra={"maxLength": limits.max_message_chars})

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if openai_api.is_openai_path(request):  # /v1 answers in OpenAI's error shape, the rest in ours
            return openai_api.validation_error(list(errors))
        problems = "; ".join(_describe(e) for e in errors[:5])
        if any(e.get("loc", ("",))[0] == "body" for e in errors):
            problems += '. Send Content-Type: application/json and {"message": "...", "history": [...]}'
        return _problem(422, f"invalid request: {problems}")

    @app.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        # Every error has the same shape, {"error": ...}, including the ones FastAPI raises itself.
        messages = {
            400: "the body could not be parsed: send a JSON object, UTF-8 encoded",
            413: f"the request body is too large: at most {limits.max_request_bytes} bytes",
        }
        message = messages.get(exc.status_code, str(exc.detail))
        if openai_api.is_openai_path(request):
            response = openai_api.error_response(exc.status_code, message)
        else:
            response = _problem(exc.status_code, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last resort: the cause goes to the log, never a stack trace to the client.
        log.exception("unexpected error while answering")
        message = "the assistant hit an unexpected error; it has been logged"
        if openai_api.is_openai_path(request):
            return openai_api.error_response(500, message, kind="server_error")
        return _problem(500, message)

    def assistant_or_503() -> Assistant | JSONResponse:
        try:
            return get_assistant()
        except Exception as e:  # noqa: BLE001 - any failure to open the index is reported, not raised
            log.error("assistant unavailable: %s", e)
            return _problem(503, f"the search index is not available ({e}); build it with `kinki-assistant build-index`")

    @app.get("/healthz", responses=_errors(503))
    def healthz() -> Any:
        a = assistant_or_503()
        return a if isinstance(a, JSONResponse) else a.health()

    @app.post("/api/chat", response_model=AnswerOut, responses=_errors(400, 413, 422, 503))
    def chat(request: ChatRequest) -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        history = [Turn(m.role, m.content) for m in request.history]
        try:
            return a.ask(request.message, history).to_dict()
        except BadInput as e:
            return _problem(e.status, str(e))

    # Either q (something to search for) or all=true (every office), never neither: an empty search used
    # to return the whole directory, which hid mistakes. OpenAPI cannot relate two separate query
    # parameters, so they are declared as one form-exploded object whose schema says "q xor all=true".
    q_schema = {"type": "string", "minLength": 1, "maxLength": limits.max_query_chars, "pattern": QUERY_PATTERN,
                "description": "A topic, a division name or a phone number written any way: at least one letter or "
                               "digit outside HTML markup."}
    contacts_params = [{
        "name": "search", "in": "query", "required": True, "style": "form", "explode": True,
        "description": "`q=水素` (a topic, division name or phone number), or `all=true` for every office.",
        "schema": {"type": "object", "oneOf": [
            {"type": "object", "required": ["q"], "additionalProperties": False,
             "properties": {"q": q_schema, "all": {"type": "boolean", "enum": [False]}}},
            {"type": "object", "required": ["all"], "additionalProperties": False,
             "properties": {"all": {"type": "boolean", "enum": [True],
                                    "description": "Every office of the directory."}}},
        ]},
    }]

    @app.get("/api/contacts", response_model=list[ContactOut], responses=_errors(422, 503),
             openapi_extra={"parameters": contacts_params})
    def contacts(request: Request) -> Any:
        params = request.query_params
        unknown = sorted(set(params) - {"q", "all"})
        if unknown:
            return _problem(422, f"不明なパラメータです: {', '.join(unknown)}。q または all=true を使ってください。 / "
                                 f"unknown parameter {', '.join(unknown)}: use q or all=true")
        everything = params.get("all")
        if everything not in (None, "true", "false"):
            return _problem(422, "all には true か false を指定してください。 / all must be true or false")
        if everything == "true" and "q" in params:
            return _problem(422, "q と all=true は同時に指定できません。 / give either q or all=true, not both")
        query = ""
        if everything != "true":
            try:
                query = check_query(params.get("q", ""), limits.max_query_chars)
            except BadInput as e:
                return _problem(e.status, str(e))
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        return [c.to_dict() for c in (a.all_contacts() if everything == "true" else a.find_contacts(query))]

    @app.post("/api/feedback", response_model=FeedbackOut, status_code=201, responses=_errors(400, 413, 422, 503))
    def feedback(request: FeedbackIn) -> Any:
        # The declared limits, checked on the text as sent (the store strips it before its own checks).
        if not clean_text(request.question):
            return _problem(422, "question is empty: feedback must say which question was answered")
        if len(request.comment) > limits.max_feedback_comment_chars:
            return _problem(422, f"comment is too long: at most {limits.max_feedback_comment_chars} characters")
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        try:
            fid = a.record_feedback(request.rating, request.question, request.answer.model_dump(), request.comment,
                                    request.history, source="api")
        except ValueError as e:
            return _problem(422, str(e))
        except FeedbackError as e:
            return _problem(503, str(e))
        return {"id": fid, "stored": True}

    @app.get("/api/goals", response_model=list[GoalOut], responses=_errors(503))
    def goals() -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        return [{"id": g.id, "ja": g.ja, "en": g.en} for g in a.goals]

    @app.post("/api/support", response_model=list[RecommendationOut], responses=_errors(400, 413, 422, 503))
    def support(request: SupportRequest) -> Any:
        unknown = [g for g in request.goals if goal_names and g not in goal_names]
        if unknown:
            return _problem(422, f"unknown goal {unknown[0]!r}; choose from the ids of /api/goals")
        if len(request.description) > limits.max_message_chars:
            return _problem(422, f"the description is too long: at most {limits.max_message_chars} characters")
        description = clean_text(request.description)
        if not request.goals and not description:
            return _problem(422, "pick at least one goal or describe your company")
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        try:
            return [r.to_dict() for r in a.find_support(request.goals, description)]
        except ValueError as e:
            return _problem(422, str(e))

    return app
