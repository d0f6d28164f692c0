"""The kind of fact a question asks, stated beside the thing it names: asked when the Expo closes, the slide
writing 大阪・関西万博（開催期間：令和7年4月13日～10月13日） answers, not the Global Startup EXPO's own dates, whose
title only shares a word with the question. The router reorders its ranking by it."""

from __future__ import annotations

import math
import re
from typing import Protocol, TypeVar

from assistant.initiative_words import InitiativeWords
from assistant.question import Question
from assistant.settings import Settings


class _Ranked(Protocol):
    title: str
    score: float
    title_hit: float


R = TypeVar("R", bound=_Ranked)


def rare_named(words: InitiativeWords, question: Question, rarity: float) -> set[str]:
    """The question's words that the document uses and few initiatives do; in English, the document's words
    for them (万博 for Expo), as the Latin letters of a place (Osaka-Kansai) are the slides' own names only
    in a few lines written in English."""
    return {t for t in question.named if words.known(t) and words.idf(t) >= rarity
            and not (question.english and t.isascii())}


def states(text: str, named: set[str], patterns: list[re.Pattern[str]]) -> int | None:
    """How near, in characters, one line of an initiative's text writes every one of ``named`` and what every
    pattern matches (a date right after 万博: 大阪・関西万博（開催期間：令和7年4月13日～10月13日）; an event on a
    date later in a line about the Expo is farther); None where no line writes them all. (万博でスタートアップの
    イベントはいつ: no line dating the Expo names startups; the event is another's.)"""
    gaps = []
    for line in text.splitlines():
        low = line.lower()
        found = [[m.start() for m in p.finditer(line)] for p in patterns]
        if all(w in low for w in named) and all(found):
            at = [m.start() for w in named for m in re.finditer(re.escape(w), low)]
            gaps.append(max(min(abs(a - b) for a in at for b in spots) for spots in found))
    return min(gaps, default=None)


def stated_first(words: InitiativeWords, question: Question, ranked: list[R], s: Settings
                 ) -> tuple[list[R], frozenset[str] | None]:
    """Asked a kind of fact about a thing it names (when the Expo closes), an initiative whose slides state
    that fact in a line naming the thing goes before a top one whose slides never do, if close enough; the
    initiatives stating it nearest are the only rivals then (None: the ranking stands)."""
    if not ranked or not question.strict_types or ranked[0].title_hit >= s.states_title_named:
        return ranked, None
    named = rare_named(words, question, s.states_rare_idf)
    patterns = [t.pattern for t in question.strict_types]
    if not named or states(words.text_of.get(ranked[0].title, ""), named, patterns) is not None:
        return ranked, None
    near = {r.title: gap for r in ranked[1:] if r.score >= s.states_within * ranked[0].score
            and (gap := states(words.text_of.get(r.title, ""), named, patterns)) is not None}
    if not near:
        return ranked, None
    # The line stating the fact nearest the thing's name first (its own dates, not an event held at it); one
    # stating it much farther from the name is no rival to it.
    nearest = min(near.values())
    return sorted(ranked, key=lambda r: near.get(r.title, math.inf)), frozenset(
        t for t, gap in near.items() if gap <= s.states_nearer * max(nearest, 1))
