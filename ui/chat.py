"""One turn of the chat: the user's message shown as typed, the core's answer as HTML, and the state
(history, what each answer was) the next turn and the feedback buttons read."""

from __future__ import annotations

import html
import logging
import re
from typing import Any, NamedTuple

from assistant.chat import Turn
from assistant.inputs import BadInput, TooLong
from assistant.service import Assistant
from ui.render import answer_html, contact_card_html

log = logging.getLogger(__name__)

ChatHistory = list[dict[str, Any]]
# Characters that make Markdown out of plain text: links, autolinks, images, emphasis, headings, code,
# tables, LaTeX.
_MARKDOWN_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:$=])")


def as_plain_text(text: str) -> str:
    """User text shown as typed: HTML escaped and Markdown neutralised, so nothing pasted renders or loads."""
    return _MARKDOWN_RE.sub(r"\\\1", html.escape(text, quote=False))


def from_plain_text(shown: str) -> str:
    """The text a user typed, back from what ``as_plain_text`` showed (for reading the history)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", shown))


def text_of(content: Any) -> str:
    """The text of a chat message as Gradio hands it back (a string, or a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return " ".join(text_of(part) for part in content)
    return ""


MAX_OPTIONS = 3  # buttons for a clarifying question's choices


class ChatTurn(NamedTuple):
    """What one chat turn changes on the page."""

    chat: ChatHistory  # the messages shown
    box: str  # the question box (cleared after a turn)
    contact: str  # the contact card
    turns: list[dict[str, str]]  # the conversation as typed, read as history by the next turn
    records: dict[str, Any]  # what each shown answer was, for feedback on it
    options: list[str] = []  # a clarifying question's choices, shown as buttons


def chat_turn(assistant: Assistant, message: Any, chat: ChatHistory | None,
              turns: list[dict[str, str]] | None = None, records: dict[str, Any] | None = None) -> ChatTurn:
    """One turn of the chat. Never raises: a refused message gets its reason in the chat, and an
    unexpected failure is logged. Without ``turns`` the history is read back from the chat itself."""
    chat = [m for m in chat or [] if isinstance(m, dict)]
    records = dict(records or {})
    if turns is None:
        turns = []
        for m in chat:
            if m.get("role") in ("user", "assistant"):
                text = text_of(m.get("content"))
                # The chat shows the user's own messages escaped: read back what they typed.
                turns.append({"role": m["role"], "content": from_plain_text(text) if m["role"] == "user" else text})
    if not isinstance(message, str) or not message.strip():
        return ChatTurn(chat, "", "", turns, records)
    message = message.strip()
    shown = {"role": "user", "content": as_plain_text(message[: assistant.settings.max_message_chars])}
    try:
        answer = assistant.ask(message, [Turn(t["role"], t["content"]) for t in turns])  # type: ignore[arg-type]
    except BadInput as e:
        limit = assistant.settings.max_message_chars
        note = f"質問が長すぎます（{limit}文字まで）。 / {e}" if isinstance(e, TooLong) else f"質問を入力してください。 / {e}"
        # The refused question stays in the box, so nothing typed is lost.
        return ChatTurn(chat + [{"role": "assistant", "content": note}], message, "", turns, records)
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the cause
        log.exception("chat turn failed")
        note = "申し訳ありません。処理中にエラーが発生しました。もう一度お試しください。 / Sorry, something went wrong."
        return ChatTurn(chat + [shown, {"role": "assistant", "content": note}], "", "", turns, records)
    chat = chat + [shown, {"role": "assistant", "content": answer_html(answer)}]
    records[str(len(chat) - 1)] = {"question": message, "history": [t["content"] for t in turns if t["role"] == "user"],
                                   "answer": answer.to_dict()}
    turns = turns + [{"role": "user", "content": message}, {"role": "assistant", "content": answer.answer}]
    options = [f"{i}. {o.named}（{o.division}）" for i, o in enumerate(answer.clarify.options, 1)] \
        if answer.clarify else []
    return ChatTurn(chat, "", contact_card_html(answer), turns, records, options)

