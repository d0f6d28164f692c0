"""Compose the answer object from a route: a short answer, verbatim quotes with citations, contacts.

Nothing here invents text about the policies: sentences are quoted from the document as written
and every phone number comes from the contact directory.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.directory import Contact
from assistant.index import StoredChunk, StoredSentence
from assistant.normalize import nfkc
from assistant.query import QuestionReader
from assistant.retrieval import PolicyIndex
from assistant.routing import Route, mentions_number
from assistant.tokenizer import Tokenizer

DOCUMENT_NAME_JA = "近畿経済産業局「令和７年度 重点施策」"
DOCUMENT_NAME_EN = "the Kinki Regional Bureau of Economy, Trade and Industry's FY2025 priority policies"


@dataclass(frozen=True)
class Citation:
    section: str
    page: int | None
    quote: str
    initiative: str = ""
    start: int = 0
    end: int = 0


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

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["confidence"] = round(self.confidence, 4)
        return d


def is_english(text: str) -> bool:
    """Whether a question is written in English: Latin words and no kana (a Japanese sentence always
    has kana, even one naming "Global Startup EXPO 2025")."""
    text = nfkc(text)
    if re.search(r"[\u3040-\u30ff]", text):
        return False
    latin = len(re.findall(r"[a-z]", text))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return latin >= 3 and latin > 3 * cjk


class Composer:
    """Turns a route into an answer, choosing the sentences that answer the question."""

    def __init__(self, index: PolicyIndex, tokenizer: Tokenizer, reader: QuestionReader, max_quotes: int) -> None:
        self.index = index
        self.tokenizer = tokenizer
        self.reader = reader
        self.max_quotes = max_quotes
        self._sentences_of: dict[str, list[tuple[int, StoredChunk, StoredSentence]]] = {}
        for row, (ci, si) in enumerate(index.sentence_owner):
            chunk = index.chunks[ci]
            self._sentences_of.setdefault(chunk.initiative, []).append((row, chunk, chunk.sentences[si]))
        # Terms of every sentence, once: tokenizing them on each question cost most of its time.
        self._terms_of_row = {row: set(tokenizer.terms(chunk.sentences[si].text))
                              for row, (ci, si) in enumerate(index.sentence_owner) for chunk in [index.chunks[ci]]}

    def quotes(self, route: Route, question: str, per_initiative: int) -> list[Citation]:
        """The sentences of each routed initiative that best answer the question."""
        vector = route.query_vector
        if vector is None:
            vector = self.index.encoder.encode([question])[0]
        # The router already read the question in the document's words; directory routes did not.
        q_terms = set(self.tokenizer.terms(route.search_text or self.reader.search_text(question)))
        wants_number = mentions_number(question)
        patterns = self.reader.answer_patterns(question)
        out: list[Citation] = []
        for n, initiative in enumerate(route.initiatives):
            rows = self._sentences_of.get(initiative.title, [])
            if not rows:
                continue
            sims = self.index.sentence_vectors[[r for r, _, _ in rows]] @ vector
            scored = []
            for (row, chunk, sentence), sim in zip(rows, sims, strict=True):
                terms = self._terms_of_row[row]
                overlap = len(q_terms & terms) / (len(q_terms) or 1)
                score = float(sim) + 0.5 * overlap
                if wants_number and re.search(r"\d", nfkc(sentence.text)):
                    score += 0.2
                # A sentence holding the kind of fact asked for (a date for いつ, N社 for 何社) answers it.
                score += 0.8 * sum(1 for p in patterns if p.search(sentence.text))
                if len(sentence.text) < 6 or sentence.text.startswith("http"):  # labels, links answer nothing
                    score -= 0.5
                scored.append((score, chunk, sentence))
            scored.sort(key=lambda x: -x[0])
            take = per_initiative if n == 0 else 1
            if patterns and n == 0:
                take += 1  # a fact question: one more sentence, so the one holding the fact is shown
            seen: set[str] = set()
            for _, chunk, sentence in scored:
                if len(seen) == take:
                    break
                if sentence.text in seen:  # slides repeat labels; quote each sentence once
                    continue
                seen.add(sentence.text)
                out.append(Citation(chunk.section, chunk.page, sentence.text, chunk.initiative, sentence.start, sentence.end))
        return out[: self.max_quotes + len(route.initiatives)]

    def compose(self, route: Route, question: str) -> Answer:
        english = is_english(question)
        lang = "en" if english else "ja"
        if route.abstained:
            return Answer(self._abstain_text(route, english), abstained=True, route=route.reason,
                          confidence=route.confidence, language=lang)
        per = 2 if route.reason == "retrieval" else 1
        citations = self.quotes(route, question, per)
        lines = [self._lead(route, english)]
        for c in citations:
            where = c.section  # documents without pages (Markdown) cite the section alone
            if c.page is not None:
                where += f", p. {c.page}" if english else f"、{c.page}ページ"
            lines.append(f"> 「{c.quote}」（{where}）")
        if route.contacts:
            first = route.contacts[0]
            label = "Contact" if english else "お問い合わせ先"
            lines.append(f"{label}: {first.department} {first.division} {'Tel' if english else '電話'} {first.phone}")
            others = [c for c in route.contacts[1:] if c.phone != first.phone or c.division != first.division]
            if others:
                rest = "、".join(f"{c.division} {c.phone}" for c in others)
                lines.append(f"{'Also' if english else 'ほかの窓口'}: {rest}")
        return Answer(
            "\n".join(lines),
            citations=citations,
            contacts=route.contacts,
            abstained=False,
            initiatives=[s.title for s in route.initiatives],
            route=route.reason,
            confidence=route.confidence,
            language=lang,
        )

    def _lead(self, route: Route, english: bool) -> str:
        titles = [s.title for s in route.initiatives]
        named = "」「".join(titles)
        if route.reason in ("phone", "division") and route.offices:
            o = route.offices[0]
            if english:
                return f"{o.phone} is {o.department} {o.division}, in charge of 「{named}」."
            return f"{o.phone} は {o.department} {o.division} です。担当: 「{named}」"
        if english:
            return f"This is covered by 「{named}」 in {DOCUMENT_NAME_EN}."
        return f"ご質問の内容は「{named}」に該当します。"

    def _abstain_text(self, route: Route, english: bool) -> str:
        if route.reason == "unknown-phone":
            if english:
                return "That number is not in the contact list of this document, so I cannot say whose it is."
            return "お尋ねの番号は、この資料の問合せ先一覧にはありません。"
        if english:
            return (f"Sorry, {DOCUMENT_NAME_EN} does not cover this question, so I cannot point you to an office. "
                    "Try asking about one of its initiatives (hydrogen, GX, DX, price pass-through, foreign talent, …).")
        return (f"申し訳ありません。{DOCUMENT_NAME_JA}には、このご質問についての記載がありません。"
                "資料に載っている取組（水素、GX、DX、価格転嫁、外国人材など）についてお尋ねください。")


