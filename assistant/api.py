"""HTTP API over the assistant: routes only convert requests and responses; the core does the work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from assistant import __version__
from assistant.chat import Turn
from assistant.feedback import FeedbackError
from assistant.service import Assistant

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


def create_app(get_assistant: Callable[[], Assistant]) -> FastAPI:
    """The API around an assistant; ``get_assistant`` raises when the index is not available."""
    app = FastAPI(title="Kansai policy assistant", version=__version__,
                  description="Cited answers over 近畿経済産業局 令和７年度 重点施策, routed to the right office.")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'body'}: {e.get('msg', 'invalid')}" for e in exc.errors()
        )
        return _problem(422, f"invalid request: {problems}")

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
        message = request.message.strip()
        if not message:
            return _problem(422, "message is empty: type a question")
        if len(message) > a.settings.max_message_chars:
            return _problem(413, f"message is too long: at most {a.settings.max_message_chars} characters")
        history = [Turn(m.role, m.content) for m in request.history]
        return a.ask(message, history).to_dict()

    @app.get("/api/contacts", response_model=list[ContactOut])
    def contacts(q: str = Query("", max_length=200, description="A topic, a division name or a phone number.")) -> Any:
        a = assistant_or_503()
        if isinstance(a, JSONResponse):
            return a
        return [c.to_dict() for c in a.find_contacts(q)]

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
