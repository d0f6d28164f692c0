"""A conversation: each message is answered in the light of the earlier turns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.answers import Answer, Composer
from assistant.normalize import nfkc
from assistant.routing import Route, Router
from assistant.settings import Settings

# Words that make a message lean on what was said before ("その電話番号は？", "神戸の窓口は？").
_FOLLOW_UP = re.compile(
    r"その|そこ|それ|そちら|この|あの|さっき|先ほど|担当|電話|番号|連絡先|窓口|問い?合わせ|いつ|開催日|日程|場所|"
    r"詳しく|もっと|ほか|他に|どこ|誰|\b(it|its|that|this|they|them|their|there|phone|number|contact|when|where|who)\b"
)
# A follow-up is short: a long message carries its own topic.
_FOLLOW_UP_MAX_CHARS = 40


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


class Conversation:
    """Answers a message given the history of the chat (only user turns are read as context)."""

    def __init__(self, router: Router, composer: Composer, settings: Settings) -> None:
        self.router = router
        self.composer = composer
        self.settings = settings

    def context_of(self, history: list[Turn]) -> list[str]:
        """The earlier user messages that may give a follow-up its topic, most recent first."""
        recent = history[-self.settings.max_history_turns :]
        users = [t.content for t in reversed(recent) if t.role == "user" and t.content.strip()]
        out, total = [], 0
        for u in users[:3]:
            total += len(u)
            if total > self.settings.max_history_chars:
                break
            out.append(u[: self.settings.max_message_chars])
        return out

    def resolve(self, message: str, history: list[Turn]) -> Route:
        """Route a message; a follow-up without a topic of its own borrows the previous one."""
        route = self.router.route(message)
        context = self.context_of(history)
        if not context or route.reason in ("phone", "division", "unknown-phone"):
            return route
        text = nfkc(message)
        is_follow_up = len(text) <= _FOLLOW_UP_MAX_CHARS and bool(_FOLLOW_UP.search(text))
        if not is_follow_up:
            return route
        for previous in context:
            combined = self.router.route(f"{previous} {message}")
            if combined.abstained:
                continue
            # Keep the message's own route only when it is clearly about something else.
            if not route.abstained and route.initiatives and route.initiatives[0].title != combined.initiatives[0].title \
                    and route.confidence > combined.confidence:
                return route
            combined.question = message
            return combined
        return route

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        route = self.resolve(message, history or [])
        return self.composer.compose(route, message)
