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
# A message whose words cover this much of an initiative's title names a topic of its own
# ("じゃあ外国人材の採用は？"), so it is not read as a follow-up of the previous one.
_OWN_TOPIC_TITLE_HIT = 0.3
# An earlier message routed at least this confidently gives a later follow-up its topic.
_CONFIDENT = 0.7


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
        if not self._is_follow_up(message, route):
            return route
        # The most recent earlier message with a topic of its own gives the follow-up its topic
        # (["DX推進の取組について", "目標は何社？", "担当部署の電話番号は？"] → DX).
        for previous in context:
            earlier = self.router.route(previous)
            if earlier.abstained or (earlier.confidence < _CONFIDENT and self._is_follow_up(previous, earlier)):
                continue
            combined = self.router.route(f"{previous} {message}")
            if not combined.abstained:
                combined.question = message
                return combined
        return route

    def _is_follow_up(self, message: str, route: Route) -> bool:
        """A short message that points back or asks for a fact, without a topic of its own."""
        text = nfkc(message)
        if len(text) > _FOLLOW_UP_MAX_CHARS:
            return False
        if not (_FOLLOW_UP.search(text) or self.router.reader.answer_patterns(message)):
            return False
        return route.abstained or not route.initiatives or route.initiatives[0].title_hit < _OWN_TOPIC_TITLE_HIT

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        route = self.resolve(message, history or [])
        return self.composer.compose(route, message)
