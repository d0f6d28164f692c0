"""HTTP API over the assistant: routes only convert requests and responses; the core does the work."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from assistant import __version__, openai_api
from assistant.chat import Turn
from assistant.feedback import FeedbackError
from assistant.inputs import BadInput, clean_text
from assistant.mcp_server import MCP_PATH, build_mcp, http_mount
from assistant.service import Assistant
from assistant.settings import Settings, get_settings

log = logging.getLogger(__name__)


class Message(BaseModel):
    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(description="What was said.")


class ChatRequest(BaseModel):
    message: str = Field(description="The user's question, in Japanese or English.")
    history: list[Message] = Field(default_factory=list, description="Earlier turns, oldest first.")


class CitationOut(BaseModel):
    section: str
    page: int | None
    quote: str
    initiative: str = ""


class ContactOut(BaseModel):
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


class FeedbackIn(BaseModel):
    rating: Literal["up", "down"] = Field(description="Thumbs up or thumbs down.")
    question: str = Field(description="The question that was answered.")
    answer: AnswerOut = Field(description="The answer object as /api/chat returned it.")
    comment: str = Field("", description="Optional: what was wrong or right.")
    history: list[str] = Field(default_factory=list, description="Earlier user messages of the chat, oldest first.")


class FeedbackOut(BaseModel):
    id: int
    stored: bool = True


class GoalOut(BaseModel):
    id: str
    ja: str
    en: str


class SupportRequest(BaseModel):
    goals: list[str] = Field(default_factory=list, description="Goal ids (see /api/goals), e.g. ['overseas', 'dx'].")
    description: str = Field("", description="Optional: the company in a sentence or two.")


class RecommendationOut(BaseModel):
    initiative: str
    score: float
    goals: list[str]
    pages: list[int]
    quotes: list[CitationOut]
    contacts: list[ContactOut]


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message})


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with a JSON 413 before the app reads them.

    The declared Content-Length is checked first; a body sent without one is read up to the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _problem(413, f"the request body is too large: at most {self.max_bytes} bytes")(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await _problem(400, "the Content-Length header is not a number")(scope, receive, send)
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
    openai_api.install(app, get_assistant, limits)

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

    @app.get("/healthz")
    def healthz() -> Any:
        a = assistant_or_503()
        return a if isinstance(a, JSONResponse) else a.health()

    @app.post("/api/chat", response_model=AnswerOut)
    def chat(request: ChatRequest) -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        history = [Turn(m.role, m.content) for m in request.history]
        try:
            return a.ask(request.message, history).to_dict()
        except BadInput as e:
            return _problem(e.status, str(e))

    @app.get("/api/contacts", response_model=list[ContactOut])
    def contacts(q: str = Query("", max_length=200, description="A topic, a division name or a phone number.")) -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        return [c.to_dict() for c in a.find_contacts(clean_text(q))]

    @app.post("/api/feedback", response_model=FeedbackOut, status_code=201)
    def feedback(request: FeedbackIn) -> Any:
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

    @app.get("/api/goals", response_model=list[GoalOut])
    def goals() -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        return [{"id": g.id, "ja": g.ja, "en": g.en} for g in a.goals]

    @app.post("/api/support", response_model=list[RecommendationOut])
    def support(request: SupportRequest) -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        try:
            return [r.to_dict() for r in a.find_support(request.goals, request.description)]
        except ValueError as e:
            return _problem(422, str(e))

    return app
