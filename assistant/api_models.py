"""What the HTTP API under /api accepts and returns, as pydantic models (they make its OpenAPI schema).

The response models are fixed; the request models carry limits from the settings, so ``request_models``
builds them for one app.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.finder import load_goals
from assistant.inputs import MESSAGE_PATTERN, QUERY_PATTERN
from assistant.settings import Settings

# Every model is strict: pydantic's lax mode accepts "3" for an integer and 0 for a boolean, which the
# schema calls invalid, and a request the schema rejects must be rejected (and the other way round).
STRICT = ConfigDict(strict=True)
MEANINGFUL = "at least one character besides white space, control characters and HTML markup"


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


class ContactMatchOut(ContactOut):
    """A contact a directory search found, with why (the Directory tab of the UI shows the same)."""

    why: str = Field(description="Why the search found this office: for a term of the document, the line that "
                     "uses it, quoted (「…」), with its page; else how the query matched (the number, the "
                     "office's name, the topic).")
    page: int | None = Field(None, description="The page of the quoted line, when the office was found by a term "
                             "of the document.")


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


@dataclass(frozen=True)
class RequestModels:
    """The request bodies of one app, their declared limits taken from its settings."""

    chat: type[BaseModel]
    feedback: type[BaseModel]
    support: type[BaseModel]
    goal_names: list[str]  # every id and label /api/support accepts as a goal


def request_models(limits: Settings) -> RequestModels:
    """The request models, with the settings' limits declared in their schema."""

    class ChatRequest(BaseModel):
        model_config = STRICT
        message: str = Field(
            description=f"The user's question, in Japanese or English: {MEANINGFUL} (else 422), at most "
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
        question: str = Field(description=f"The question that was answered: {MEANINGFUL}.",
                              json_schema_extra={"minLength": 1, "pattern": MESSAGE_PATTERN})
        answer: AnswerOut = Field(description="The answer object as /api/chat returned it.")
        comment: str = Field("", description="Optional: what was wrong or right.",
                             json_schema_extra={"maxLength": limits.max_feedback_comment_chars})
        history: list[str] = Field(default_factory=list, description="Earlier user messages of the chat, oldest first.")

    goal_names = sorted({n for g in load_goals(limits.corpus_dir / "goals.json") for n in (g.id, g.ja, g.en, g.label)})

    class SupportRequest(BaseModel):
        # At least one goal, or a description with something in it: declared here, checked by the route.
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

    return RequestModels(ChatRequest, FeedbackIn, SupportRequest, goal_names)


def contacts_parameters(limits: Settings) -> list[dict[str, Any]]:
    """/api/contacts' query, declared by hand: ``q`` (something to search for) or ``all=true``, never neither.

    An empty search used to return the whole directory, which hid mistakes. OpenAPI cannot relate two
    separate query parameters, so they are declared as one form-exploded object whose schema says
    "q xor all=true".
    """
    q_schema = {"type": "string", "minLength": 1, "maxLength": limits.max_query_chars, "pattern": QUERY_PATTERN,
                "description": "A topic, a division name or a phone number written any way: at least one letter or "
                               "digit outside HTML markup."}
    return [{
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
