"""What the OpenAI-compatible API (/v1) accepts and returns, as pydantic models (they make its OpenAPI schema).

The subset of OpenAI's chat completion request the assistant reads; the user message's limits come from
the settings, so ``request_model`` builds the request for one app.
"""

# No `from __future__ import annotations`: the request models are built in a function (their limits come
# from the settings), and FastAPI must resolve the endpoints' annotations to those local classes.

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.inputs import MESSAGE_PATTERN
from assistant.settings import Settings

MODEL_ID = "kinki-assistant"
MEANINGFUL = "at least one character besides white space, control characters and HTML markup"

# Strict like /api's models: lax mode would accept "true" for a boolean, which the schema calls invalid.
STRICT = ConfigDict(strict=True)


class TextPart(BaseModel):
    """One part of an assistant or system message's content in the list form (only text parts are read)."""

    model_config = STRICT
    type: str
    text: str | None = None


def _text(content: str | list[Any] | None) -> str:
    if isinstance(content, list):
        return "".join(p.text or "" for p in content if p.type == "text")
    return content or ""


class EarlierMessage(BaseModel):
    """A message other than the user's: its content as a string or as text parts, both optional."""

    model_config = STRICT
    content: str | list[TextPart] | None = Field(None, description="The text, or a list of text parts.")

    def text(self) -> str:
        """The message's text, its text parts joined."""
        return _text(self.content)


class AssistantMessage(EarlierMessage):
    """An earlier answer; extra fields clients send (name, tool calls…) are ignored."""

    role: Literal["assistant"]


class SystemMessage(EarlierMessage):
    """Instructions for a language model: accepted and ignored (the assistant has none to follow)."""

    role: Literal["system"]


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


def request_model(settings: Settings) -> type[BaseModel]:
    """``ChatCompletionRequest``, every user message held to the settings' limits of a question."""
    limit = settings.max_message_chars
    text_limits = {"minLength": 1, "maxLength": limit, "pattern": MESSAGE_PATTERN}

    class UserTextPart(BaseModel):
        """The text of a user message in the list form."""

        model_config = STRICT
        type: Literal["text"]
        text: str = Field(description=f"The text: {MEANINGFUL}, at most {limit} characters.",
                          json_schema_extra=text_limits)

    class UserMessage(BaseModel):
        """A user message; the last one is the question. Extra fields clients send (name…) are ignored."""

        model_config = STRICT
        role: Literal["user"]
        content: (Annotated[str, Field(json_schema_extra=text_limits)]
                  | Annotated[list[UserTextPart], Field(min_length=1, max_length=1)]) = Field(
            description=f"The text ({MEANINGFUL}, at most {limit} characters as sent; else 422, also when Unicode "
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

    return ChatCompletionRequest


@dataclass(frozen=True)
class Completions:
    """The schema of a completion, streamed or not, with the answer object's schema in ``kinki``."""

    completion: type[BaseModel]
    chunk: type[BaseModel]
    event_schema: dict[str, Any]  # one server-sent event of a streamed answer


def completion_models(answer_model: type[BaseModel] | None) -> Completions:
    """``ChatCompletion`` and ``ChatCompletionChunk``; ``answer_model`` is ``kinki``'s schema (a plain object if None)."""
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
    return Completions(ChatCompletion, ChatCompletionChunk, event_schema)


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
