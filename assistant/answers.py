"""Compose the answer object from a route: a short answer, verbatim quotes with citations, contacts.

Nothing here invents text about the policies: sentences are quoted from the document as written
and every phone number comes from the contact directory.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.directory import Contact
from assistant.loaders import DocumentCard
from assistant.normalize import bracketed
from assistant.query import AnswerType
from assistant.question import Language
from assistant.quotes import Citation, QuoteChooser
from assistant.routing import Route, RouteReason

__all__ = ["Answer", "Citation", "Clarify", "Composer", "Option"]

@dataclass(frozen=True)
class Option:
    """One answer to a clarifying question: an initiative and the office that handles it."""

    initiative: str
    department: str
    division: str
    phone: str

    @property
    def named(self) -> str:
        """The initiative as an option names it, in 「」 once."""
        return bracketed(self.initiative)


@dataclass
class Clarify:
    """A short question asked instead of guessing between initiatives that fit about equally."""

    question: str
    options: list[Option]


@dataclass
class Answer:
    """What every interface returns (chat, API, CLI)."""

    answer: str
    citations: list[Citation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    abstained: bool = False
    initiatives: list[str] = field(default_factory=list)
    route: str = "none"
    confidence: float = 0.0
    language: str = "ja"
    degraded: bool = False
    clarify: Clarify | None = None
    suggestions: list[str] = field(default_factory=list)  # follow-up questions the document can answer

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["confidence"] = round(self.confidence, 4)
        return d


# A quote line of an answer: > 「quote」（section、page）; the quote may hold 「」 of its own.
_QUOTE_LINE = re.compile(r"^> 「(.*)」（(?:(?!」（).)*）$", re.MULTILINE)


class Composer:
    """Turns a route into an answer: a plain lead, the quotes that answer, the office to call."""

    def __init__(self, quotes: QuoteChooser, answer_types: list[AnswerType] | None = None,
                 card: DocumentCard | None = None) -> None:
        self.chooser = quotes
        self.answer_types = [t for t in answer_types or [] if t.suggest]
        self.card = card or DocumentCard()

    def quotes(self, route: Route, per_initiative: int, shown: tuple[str, ...] = ()) -> list[Citation]:
        """The sentences of each routed initiative that best answer the question."""
        return self.chooser.quotes(route, per_initiative, shown)

    @staticmethod
    def quoted_in(answer: str) -> tuple[str, ...]:
        """The quotes an earlier answer showed (its ``> 「…」（…）`` lines)."""
        return tuple(m.group(1) for m in _QUOTE_LINE.finditer(answer))

    def compose(self, route: Route, language: Language | None = None, shown: tuple[str, ...] = ()) -> Answer:
        """The answer to a routed question, in the language it was asked in (``language`` overrides);
        ``shown``: quotes given before that the question asks beyond (「他には？」)."""
        english = (language or route.question.language) == Language.en
        lang = "en" if english else "ja"
        if route.abstained:
            return Answer(self._abstain_text(route, english), abstained=True, route=route.reason.value,
                          confidence=route.confidence, language=lang)
        if route.reason == RouteReason.clarify:
            return self._clarify(route, english)
        per = 2 if route.reason == RouteReason.retrieval else 1
        citations = self.quotes(route, per, shown)
        lines = [self._lead(route, english)]
        lines += [self._quote_line(c, english) for c in citations]
        if any(t.name == "source" for t in route.question.asked):
            notes = self.chooser.source_notes([c for c in citations if c.initiative == route.initiatives[0].title])
            if notes:  # a source note is no evidence, but it answers where a figure comes from
                lines.append(("Source given on the slide: " if english else "資料に記載の出所: ") + " / ".join(notes))
        if route.contacts:
            first = route.contacts[0]
            label = "Contact" if english else "お問い合わせ先"
            lines.append(f"{label}: {first.department} {first.division} {'Tel' if english else '電話'} {first.phone}")
            others = [c for c in route.contacts[1:] if c.phone != first.phone or c.division != first.division]
            # The same initiative's other offices; then each further initiative by name with its office, so
            # a number is never shown without what it is for.
            same = [c for c in others if c.initiative == first.initiative]
            if same:
                rest = "、".join(f"{c.division} {c.phone}" for c in same)
                lines.append(f"{'Also' if english else 'ほかの窓口'}: {rest}")
            related = [c for c in others if c.initiative != first.initiative]
            if related:
                rest = "、".join(f"{bracketed(c.initiative)}{c.division} {c.phone}" for c in related)
                lines.append(f"{'Related' if english else '関連する取組'}: {rest}")
        suggestions = self._suggestions(route, english)
        if suggestions:
            lines.append(("You could also ask: " if english else "次のこともお尋ねいただけます: ") + " / ".join(suggestions))
        return Answer(
            "\n".join(lines),
            citations=citations,
            contacts=route.contacts,
            abstained=False,
            initiatives=[s.title for s in route.initiatives],
            route=route.reason.value,
            confidence=route.confidence,
            language=lang,
            suggestions=suggestions,
        )

    def _suggestions(self, route: Route, english: bool, most: int = 3) -> list[str]:
        """Follow-ups the routed initiative's text can answer (it states a date, a count, who takes
        part…), other than what was just asked."""
        if route.reason != RouteReason.retrieval or not route.initiatives:
            return []
        text = self.chooser.text_of(route.initiatives[0].title)
        asked = {t.name for t in route.question.asked}
        lang = "en" if english else "ja"
        return [t.suggest[lang] for t in self.answer_types
                if t.suggest and t.name not in asked and t.pattern.search(text)][:most]

    @staticmethod
    def _quote_line(c: Citation, english: bool) -> str:
        where = c.section  # documents without pages (Markdown) cite the section alone
        if c.page is not None:
            where += f", p. {c.page}" if english else f"、{c.page}ページ"
        return f"> 「{c.quote}」（{where}）"

    def _clarify(self, route: Route, english: bool) -> Answer:
        """A short question with the initiatives that fit as options, each with its office, and one
        quote of each so the user can tell them apart."""
        first_office = {}
        for c in route.contacts:
            first_office.setdefault(c.initiative, c)
        options = [Option(s.title, c.department, c.division, c.phone)
                   for s in route.initiatives if (c := first_office.get(s.title)) is not None]
        if english:
            ask = "Which of these is closer to what you need? Each is handled by a different office."
        else:
            ask = "ご相談の内容は次のどれに近いでしょうか。取組ごとに担当の窓口が異なります。"
        citations = self.quotes(route, 1)
        lines = [ask]
        for i, o in enumerate(options, 1):
            # Each option with its own evidence under it, so the asker sees which one fits.
            lines.append(f"{i}. {o.named}— {o.division} {'Tel' if english else '電話'} {o.phone}")
            lines += [self._quote_line(c, english) for c in citations if c.initiative == o.initiative]
        shown = {o.initiative for o in options}
        lines += [self._quote_line(c, english) for c in citations if c.initiative not in shown]
        contacts = [c for o in options for c in route.contacts if c.initiative == o.initiative and c.division == o.division]
        return Answer("\n".join(lines), citations=citations, contacts=contacts, abstained=False,
                      initiatives=[o.initiative for o in options], route=route.reason.value,
                      confidence=route.confidence, language="en" if english else "ja",
                      clarify=Clarify(ask, options))

    def _lead(self, route: Route, english: bool) -> str:
        titles = [s.title for s in route.initiatives]
        named = "".join(bracketed(t) for t in titles)
        if route.reason in (RouteReason.phone, RouteReason.division) and route.offices:
            o = route.offices[0]
            if english:
                return f"{o.phone} is {o.department} {o.division}, in charge of {named}."
            return f"{o.phone} は {o.department} {o.division} です。担当: {named}"
        # Plain words first: which of the bureau's initiatives helps.
        publisher = self.card.publisher.get("en" if english else "ja")
        if english:
            whose = f"{publisher}'s" if publisher else "The"
            return f"{whose} {bracketed(titles[0])} fits what you describe."
        # The office and its number follow on the contact line; related initiatives' offices after it.
        return f"お尋ねの件は、{publisher + 'の' if publisher else ''}{bracketed(titles[0])}が当てはまります。"

    def _abstain_text(self, route: Route, english: bool) -> str:
        if route.reason == RouteReason.unknown_phone:
            if english:
                return "That number is not in the contact list of this document, so I cannot say whose it is."
            return "お尋ねの番号は、この資料の問合せ先一覧にはありません。"
        card = self.card
        if english:
            topics = card.topics.get("en")
            return (f"Sorry, {card.name.get('en', 'this document')} does not cover this question, so I cannot point "
                    "you to an office." + (f" Try asking about one of its initiatives ({topics})." if topics else ""))
        topics = card.topics.get("ja")
        return (f"申し訳ありません。{card.name.get('ja', 'この資料')}には、このご質問についての記載がありません。"
                + (f"資料に載っている取組（{topics}）についてお尋ねください。" if topics else ""))
