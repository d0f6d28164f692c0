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
_SPACES_RE = re.compile(r"[ \t\u3000]+")
_ROLES = ("user", "assistant")


class BadInput(ValueError):
    """A message the assistant refuses, with the reason shown to the user and an HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class TooLong(BadInput):
    """A message over the length limit (the UI says so in its own words)."""


def clean_text(text: str) -> str:
    """The text without control characters, lone surrogates, HTML tags or runs of spaces."""
    text = _SURROGATE_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    text = _MARKUP_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def check_message(text: Any, settings: Settings) -> str:
    """The cleaned message, or ``BadInput`` saying why it cannot be answered."""
    if not isinstance(text, str):
        raise BadInput("message must be text")
    limit = settings.max_message_chars
    # 422 like every other field outside its declared limits (413 is for a request body too large).
    too_long = TooLong(f"message is too long: at most {limit} characters", 422)
    # Counted as sent, before any clean-up: the limit the API schema declares (maxLength) is the
    # one enforced, and no work is spent on a text over it.
    if len(text) > limit:
        raise too_long
    message = clean_text(text)
    if not message:
        raise BadInput("message is empty: type a question")
    # The normalised form is what the retrievers work on, and a few characters expand 18-fold
    # under NFKC (U+FDFA), so it is bounded too.
    if len(unicodedata.normalize("NFKC", message)) > 2 * limit:
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


# --- What counts as "something to answer" or "something to search for", as regular expressions ---
#
# The API's OpenAPI schema declares these patterns so that what a client (or a generator such as
# schemathesis) reads in the schema is what the server does: a text the pattern rejects is exactly
# one that ``clean_text`` empties (message) or leaves without a letter or digit (directory query).
# They are written in the subset ECMA-262 (JSON Schema) and Python's ``re`` read the same way.

# Python's str.isspace() characters, spelled out (ECMA's \s is a slightly different set).
_WS = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CTRL = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# Inside a tag, a control character counts as white space: clean_text turns it into one first.
_TAG_SPACE = f"[{_WS}{_CTRL}]"


def _block(name: str) -> str:
    """A <script>…</script> (or style) block as clean_text removes it: case-insensitive, shortest."""
    ci = "".join(f"[{c.upper()}{c}]" for c in name)
    close = f"</{ci}{_TAG_SPACE}*>"
    return f"<{ci}(?!\\w)[^>]*>(?:(?!{close})[\\s\\S])*{close}"


# Script and style blocks (with what they hold), comments and any tag-like markup, removed in one
# left-to-right pass; "<1億円" or "a < b" are not tags and stay. Every piece has one possible length
# where it starts (shortest block or comment, a tag ends at its first ">"), and a tag is only a tag
# where no block starts, so the patterns below can say exactly what this pass leaves.
_BLOCKS = f"{_block('script')}|{_block('style')}"
_MARKUP = "|".join([_BLOCKS, r"<!--(?:(?!-->)[\s\S])*-->",
                    f"(?!{_BLOCKS})</?[A-Za-z][A-Za-z0-9:-]*(?:{_TAG_SPACE}[^<>]*)?/?>"])
_MARKUP_RE = re.compile(_MARKUP)
# Letters and digits the directory can search with: Latin, Greek, Cyrillic, kana, kanji, full-width.
SEARCHABLE = (r"0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff\u3005\u3041-\u3096"
              r"\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff10-\uff19"
              r"\uff21-\uff3a\uff41-\uff5a\uff66-\uff9f")
_SEARCHABLE_RE = re.compile(f"[{SEARCHABLE}]")


def _not_only(ignorable: str) -> str:
    # Not made only of ignorable characters and markup; then at least one character (for generators).
    # Where markup starts, it is markup (as in clean_text), never a run of ordinary characters.
    return f"^(?!(?:{_MARKUP}|(?!{_MARKUP}){ignorable})*$)[\\s\\S]"


# A message clean_text does not empty: something besides white space, control characters and markup.
# (Lone surrogates, which clean_text also drops, cannot be written in a schema regex: Rust-based
# validators refuse the range. JSON from a UTF-8 client cannot carry them except as "\\ud800" escapes.)
MESSAGE_PATTERN = _not_only(f"[{_WS}{_CTRL}]")
# A directory query with a letter or digit outside markup.
QUERY_PATTERN = _not_only(f"[^{SEARCHABLE}]")

NOTHING_TO_SEARCH = ("検索する言葉がありません。話題、部署名、電話番号のどれかを入れてください。"
                     "すべての窓口の一覧は all=true で取得できます。 / Nothing to search for: give a topic, a division "
                     "name or a phone number (letters or digits), or ask for every office with all=true.")


def check_query(text: Any, max_chars: int) -> str:
    """The cleaned directory query, or ``BadInput`` (422) when it is too long or has nothing to search for."""
    if not isinstance(text, str):
        raise BadInput("query must be text / 検索語は文字列で指定してください")
    if len(text) > max_chars:
        raise BadInput(f"検索語が長すぎます（{max_chars}文字まで）。 / The query is too long: at most {max_chars} characters.")
    query = clean_text(text)
    if not _SEARCHABLE_RE.search(query):
        raise BadInput(NOTHING_TO_SEARCH)
    return query
