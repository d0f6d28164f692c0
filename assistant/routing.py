"""Decide which initiative a question is about and which office to call, from the evidence.

Routing is a step of its own: a phone number or a division name in the question goes straight to
the directory; otherwise initiatives (not chunks) are scored from dense and BM25 evidence, with the
question first expanded by the glossary, and the question is turned away when the evidence is weak.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from assistant.directory import Contact, Directory, Office
from assistant.normalize import find_phones, format_phone, nfkc
from assistant.query import QuestionReader
from assistant.retrieval import PolicyIndex
from assistant.settings import Settings

# Weights of the evidence, measured on eval/dev.jsonl (see README, "Answer quality").
W_DENSE, W_SENTENCE, W_BM25, W_TITLE, W_LEXICAL = 0.40, 0.30, 0.20, 0.30, 0.30


@dataclass
class ScoredInitiative:
    title: str
    score: float
    dense: float = 0.0
    sentence: float = 0.0
    bm25: float = 0.0
    title_hit: float = 0.0
    lexical: float = 0.0


@dataclass
class Route:
    """Where a question goes: ranked initiatives, offices to call, and why."""

    question: str
    reason: str  # "phone", "division", "retrieval", "unknown-phone", "none"
    initiatives: list[ScoredInitiative]
    contacts: list[Contact]
    confidence: float
    abstained: bool
    query_vector: np.ndarray | None = None
    offices: list[Office] = field(default_factory=list)
    search_text: str = ""  # the question in the document's words, as the retrievers saw it


class Router:
    """Scores initiatives for a question and picks the offices to call."""

    def __init__(self, index: PolicyIndex, directory: Directory, reader: QuestionReader, settings: Settings) -> None:
        self.index = index
        self.directory = directory
        self.reader = reader
        self.settings = settings
        self._owner_initiative = [index.chunks[ci].initiative for ci, _ in index.sentence_owner]
        self.titles = list(dict.fromkeys(c.initiative for c in index.chunks if c.initiative))
        tok = index.sparse.tokenizer
        texts: dict[str, list[str]] = defaultdict(list)
        for c in index.chunks:
            texts[c.initiative].append(c.text)
        self._text_of = {t: "\n".join(v) for t, v in texts.items()}
        self._terms_of = {t: set(tok.terms(f"{t}\n{text}")) for t, text in self._text_of.items() if t}
        # Words weigh by how few initiatives use them: 中小企業, 支援 and 推進 are everywhere.
        df: dict[str, int] = defaultdict(int)
        for terms in self._terms_of.values():
            for term in terms:
                df[term] += 1
        n = len(self._terms_of) or 1
        self._idf = {term: math.log(1 + n / d) for term, d in df.items()}
        self._unknown_idf = math.log(1 + 2 * n)  # a word the document never uses
        # A question naming an initiative's own subject (its title words) is about it.
        self._title_terms = {t: set(tok.terms(t)) for t in self.titles}

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    def score(self, question: str, text: str | None = None) -> tuple[list[ScoredInitiative], np.ndarray]:
        """Initiatives ranked by fused evidence for ``question`` (``text``: its search text, if known)."""
        text = text or self.reader.search_text(question)
        vector = self.index.encoder.encode([text])[0]
        dense_hits, sparse_hits = self.index.search(text, vector.tolist())
        by_title: dict[str, ScoredInitiative] = {}

        def get(title: str) -> ScoredInitiative:
            if title not in by_title:
                by_title[title] = ScoredInitiative(title, 0.0)
            return by_title[title]

        for hit in dense_hits:
            chunk = self.index.by_id[hit.node.node_id]
            if not chunk.initiative:
                continue
            s = get(chunk.initiative)
            s.dense = max(s.dense, float(hit.score or 0.0))
        top_bm25 = max((float(h.score or 0.0) for h in sparse_hits), default=0.0)
        for hit in sparse_hits:
            chunk = self.index.by_id[hit.node.node_id]
            if not chunk.initiative:
                continue
            s = get(chunk.initiative)
            s.bm25 = max(s.bm25, float(hit.score or 0.0))
        sims = self.index.sentence_vectors @ vector
        best_sentence: dict[str, float] = defaultdict(float)
        # The 40 best sentences without sorting them all (a large corpus has tens of thousands).
        top = np.argpartition(-sims, min(40, len(sims) - 1))[:40] if len(sims) else []
        for i in top:
            title = self._owner_initiative[i]
            if title:
                best_sentence[title] = max(best_sentence[title], float(sims[i]))
        for title, sim in best_sentence.items():
            get(title).sentence = sim

        degraded = self.index.request_degraded
        q_terms = set(self.index.sparse.tokenizer.terms(text))
        q_weight = sum(self.idf(t) for t in q_terms) or 1.0
        for title in self.titles:
            get(title)
        for s in by_title.values():
            bm25_rel = s.bm25 / top_bm25 if top_bm25 else 0.0
            # How much of the question (by word rarity) the initiative's title and text contain.
            s.title_hit = sum(self.idf(t) for t in q_terms & self._title_terms[s.title]) / q_weight
            s.lexical = sum(self.idf(t) for t in q_terms & self._terms_of[s.title]) / q_weight
            s.score = (W_DENSE * s.dense + W_SENTENCE * s.sentence + W_BM25 * bm25_rel
                       + W_TITLE * s.title_hit + W_LEXICAL * s.lexical)
            if degraded:
                # Without Chroma the dense evidence is missing, not zero: rescale the rest so the
                # confidence keeps its meaning and in-scope questions are not turned away.
                s.score /= 1 - W_DENSE
        ranked = sorted(by_title.values(), key=lambda s: -s.score)
        return ranked, vector

    def route(self, question: str) -> Route:
        """The route for one question, read on its own."""
        phones = find_phones(question)
        if phones:
            offices = self.directory.by_phone(question)
            if not offices:
                return Route(question, "unknown-phone", [], [], 0.0, True)
            return self._to_offices(question, "phone", offices)
        offices = self.directory.by_division(question) or self.directory.by_extension(question)
        if offices:
            # Naming an office does not make every question about it answerable (室長の名前は？).
            if self.reader.uncovered(question, ""):
                return Route(question, "uncovered", [], [], 0.0, True)
            return self._to_offices(question, "division", offices)
        text = self.reader.search_text(question)
        ranked, vector = self.score(question, text)
        top = ranked[0] if ranked else None
        confidence = top.score if top else 0.0
        if top is None or confidence < self.settings.abstain_below:
            return Route(question, "none", ranked[:3], [], confidence, True, vector, search_text=text)
        if self.reader.uncovered(question, self._text_of.get(top.title, "")) or not self._states_asked_fact(question, top):
            return Route(question, "uncovered", ranked[:3], [], confidence, True, vector, search_text=text)
        chosen = [top] + [r for r in ranked[1 : self.settings.max_initiatives] if r.score >= 0.9 * top.score]
        # The office is chosen on the expanded text: 値上げ → 価格転嫁 → 取引適正化推進室.
        contacts = self._contacts_for(chosen, text)
        return Route(question, "retrieval", chosen, contacts, confidence, False, vector, search_text=text)

    def _states_asked_fact(self, question: str, top: ScoredInitiative) -> bool:
        """A question asking for a kind of fact (a date, a count) is answerable only if the
        initiative states one; otherwise the document does not say, and the assistant must not guess."""
        patterns = self.reader.answer_patterns(question, strict=True)
        text = self._text_of.get(top.title, "")
        return not patterns or any(p.search(text) for p in patterns)

    def _contacts_for(self, initiatives: list[ScoredInitiative], question: str) -> list[Contact]:
        contacts: list[Contact] = []
        for s in initiatives:
            for c in self.directory.for_initiative(s.title, question):
                if all(c.phone != x.phone or c.division != x.division for x in contacts):
                    contacts.append(c)
        return contacts

    def _to_offices(self, question: str, reason: str, offices: list[Office]) -> Route:
        """A route decided by the directory: the named offices and the initiatives they serve."""
        titles = [t for o in offices for t in o.initiatives]
        initiatives = [ScoredInitiative(t, 1.0) for t in dict.fromkeys(titles)]
        if len(initiatives) > 1:
            # Several initiatives share the office: let the evidence order them.
            ranked, _ = self.score(question)
            order = {s.title: i for i, s in enumerate(ranked)}
            initiatives.sort(key=lambda s: order.get(s.title, len(order)))
        contacts = [
            Contact(o.department, o.division, format_phone(o.digits), t)
            for s in initiatives
            for o in offices
            for t in o.initiatives
            if t == s.title
        ]
        return Route(question, reason, initiatives, contacts, 1.0, False, offices=offices)


def mentions_number(question: str) -> bool:
    """Whether the question asks for a number, a date or a count (the quote must hold it)."""
    q = nfkc(question)
    return bool(re.search(r"いつ|何日|何月|何年|日程|開催日|日付|何社|何件|何人|何%|何パーセント|いくつ|何者|"
                          r"目標|規模|割合|how many|how much|when|what date|target|percent", q))
