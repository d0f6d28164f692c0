"""HTTP API over the assistant: routes only convert requests and responses; the core does the work.

Models are in ``api_models``, errors and their handlers in ``api_errors``, the middleware in ``api_guards``,
the OpenAI-compatible routes in ``openai_api`` and MCP in ``mcp_server``. A route needing the index takes
the ``Ready`` dependency; a route refusing a request raises (``BadInput``…), and the handlers answer.
"""

# No `from __future__ import annotations`: the request models are built in create_app (their limits come
# from the settings), and FastAPI must resolve the endpoints' annotations to those classes.

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from assistant import __version__, openai_api
from assistant.api_errors import error_responses, install_error_handlers, ready
from assistant.api_guards import BodyLimit, MethodGuard
from assistant.api_models import (
    AnswerOut,
    ContactMatchOut,
    FeedbackOut,
    GoalOut,
    RecommendationOut,
    contacts_parameters,
    request_models,
)
from assistant.chat import Turn
from assistant.inputs import BadInput, check_query, clean_text
from assistant.loaders import load_document_card
from assistant.mcp_server import MCP_PATH, build_mcp, http_mount
from assistant.office_match import why_matched
from assistant.service import Assistant
from assistant.settings import Settings, get_settings


def create_app(get_assistant: Callable[[], Assistant], settings: Settings | None = None) -> FastAPI:
    """The API around an assistant; ``get_assistant`` raises when the index is not available."""
    limits = settings or get_settings()
    card = load_document_card(limits.corpus_dir)
    mcp = http_mount(build_mcp(get_assistant, card), limits)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with mcp.lifespan():  # the MCP endpoint's sessions live as long as the app
            yield

    app = FastAPI(title="Kansai policy assistant", version=__version__, lifespan=lifespan,
                  description=f"Cited answers over {card.name.get('ja', 'the corpus')}, routed to the right office. "
                  "OpenAI-compatible API at /v1, MCP (streamable HTTP) at /mcp.")
    install_error_handlers(app, limits)
    app.add_middleware(BodyLimit, max_bytes=limits.max_request_bytes)
    app.router.add_route(MCP_PATH, mcp.endpoint, methods=["GET", "POST", "DELETE"], include_in_schema=False)
    openai_api.install(app, get_assistant, limits, AnswerOut)
    app.add_middleware(MethodGuard, api=app)

    models = request_models(limits)
    ChatRequest, FeedbackIn, SupportRequest = models.chat, models.feedback, models.support
    Ready = Annotated[Assistant, Depends(ready(get_assistant))]

    @app.get("/healthz", responses=error_responses(503))
    def healthz(a: Ready) -> Any:
        return a.health()

    @app.post("/api/chat", response_model=AnswerOut, responses=error_responses(400, 413, 422, 503))
    def chat(request: ChatRequest, a: Ready) -> Any:
        history = [Turn(m.role, m.content) for m in request.history]
        return a.ask(request.message, history).to_dict()

    def contacts_query(request: Request) -> str | None:
        """What /api/contacts searches for, or None for every office (``all=true``); refused before the index is opened."""
        params = request.query_params
        unknown = sorted(set(params) - {"q", "all"})
        if unknown:
            raise BadInput(f"不明なパラメータです: {', '.join(unknown)}。q または all=true を使ってください。 / "
                           f"unknown parameter {', '.join(unknown)}: use q or all=true")
        repeated = sorted(k for k in set(params) if len(params.getlist(k)) > 1)
        if repeated:  # ?q=a&q=b: one search, one answer; which of them was meant is not ours to guess
            raise BadInput(f"パラメータは1回だけ指定してください: {', '.join(repeated)} / "
                           f"give each parameter once: {', '.join(repeated)}")
        everything = params.get("all")
        if everything not in (None, "true", "false"):
            raise BadInput("all には true か false を指定してください。 / all must be true or false")
        if everything == "true" and "q" in params:
            raise BadInput("q と all=true は同時に指定できません。 / give either q or all=true, not both")
        return None if everything == "true" else check_query(params.get("q", ""), limits.max_query_chars)

    @app.get("/api/contacts", response_model=list[ContactMatchOut], responses=error_responses(422, 503),
             openapi_extra={"parameters": contacts_parameters(limits)})
    def contacts(query: Annotated[str | None, Depends(contacts_query)], a: Ready) -> Any:
        found = a.search_offices(query or "", everything=query is None)
        offices = {o.division: o for o in found.offices}
        return [{**c.to_dict(), "why": why_matched(found, offices[c.division]), "page": found.pages.get(c.division)}
                for c in a.contacts_found(found)]

    @app.post("/api/feedback", response_model=FeedbackOut, status_code=201,
              responses=error_responses(400, 413, 422, 503))
    def feedback(request: FeedbackIn, a: Ready) -> Any:
        # The declared limits, checked on the text as sent (the store strips it before its own checks).
        if not clean_text(request.question):
            raise BadInput("question is empty: feedback must say which question was answered")
        if len(request.comment) > limits.max_feedback_comment_chars:
            raise BadInput(f"comment is too long: at most {limits.max_feedback_comment_chars} characters")
        try:
            fid = a.record_feedback(request.rating, request.question, request.answer.model_dump(), request.comment,
                                    request.history, source="api")
        except ValueError as e:  # the store's own checks; a FeedbackError (cannot save) is a 503
            raise BadInput(str(e)) from e
        return {"id": fid, "stored": True}

    @app.get("/api/goals", response_model=list[GoalOut], responses=error_responses(503))
    def goals(a: Ready) -> Any:
        return [{"id": g.id, "ja": g.ja, "en": g.en} for g in a.goals]

    @app.post("/api/support", response_model=list[RecommendationOut], responses=error_responses(400, 413, 422, 503))
    def support(request: SupportRequest, a: Ready) -> Any:
        unknown = [g for g in request.goals if models.goal_names and g not in models.goal_names]
        if unknown:
            raise BadInput(f"unknown goal {unknown[0]!r}; choose from the ids of /api/goals")
        if len(request.description) > limits.max_message_chars:
            raise BadInput(f"the description is too long: at most {limits.max_message_chars} characters")
        description = clean_text(request.description)
        if not request.goals and not description:
            raise BadInput("pick at least one goal or describe your company")
        try:
            return [r.to_dict() for r in a.find_support(request.goals, description)]
        except ValueError as e:  # the finder's own checks
            raise BadInput(str(e)) from e

    return app
