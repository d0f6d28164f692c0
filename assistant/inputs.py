"""What users type, made safe to answer: the limits and clean-up every interface applies the same way.

People paste anything into a public chat. A message is cleaned (control characters, lone surrogates
and HTML tags removed) and refused with a clear reason when it is empty or longer than the settings
allow; a history is cut to the turns and characters the settings allow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from assistant.settings import Settings

# C0/C1 control characters (tab and newline are kept as white space), DEL, and zero-width or
# direction-changing format characters that can hide text from a reader.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# A lone UTF-16 surrogate cannot be encoded to UTF-8 (JSON "\ud800" decodes to one).
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# Script and style blocks, then any tag-like markup; "<1億円" or "a < b" are not tags and stay.
_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(\s[^<>]*)?/?>|<!--.*?-->", re.DOTALL)
_SPACES_RE = re.compile(r"[ \t\u3000]+")
_ROLES = ("user", "assistant")


class BadInput(ValueError):
    """A message the assistant refuses, with the reason shown to the user and an HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def clean_text(text: str) -> str:
    """The text without control characters, lone surrogates, HTML tags or runs of spaces."""
    text = _SURROGATE_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    text = _SCRIPT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def check_message(text: Any, settings: Settings) -> str:
    """The cleaned message, or ``BadInput`` saying why it cannot be answered."""
    if not isinstance(text, str):
        raise BadInput("message must be text")
    limit = settings.max_message_chars
    too_long = BadInput(f"message is too long: at most {limit} characters", 413)
    if len(text) > 4 * limit:  # refused before any work is spent on it
        raise too_long
    message = clean_text(text)
    if not message:
        raise BadInput("message is empty: type a question")
    # The normalised form is what the retrievers work on, and a few characters expand 18-fold
    # under NFKC (U+FDFA), so it is bounded too.
    if len(message) > limit or len(unicodedata.normalize("NFKC", message)) > 2 * limit:
        raise too_long
    return message


def clean_history(turns: Iterable[tuple[str, str]], settings: Settings) -> list[tuple[str, str]]:
    """The most recent user/assistant turns within the settings' turn and character limits, cleaned."""
    kept = [(role, content) for role, content in turns if role in _ROLES and isinstance(content, str)]
    out: list[tuple[str, str]] = []
    total = 0
    for role, content in reversed(kept[-settings.max_history_turns :]):
        text = clean_text(content[: settings.max_message_chars * 2])[: settings.max_message_chars]
        total += len(text)
        if total > settings.max_history_chars:
            break
        if text:
            out.append((role, text))
    return out[::-1]
