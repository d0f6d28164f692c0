"""Decide which initiative a question is about and which office to call, from the evidence.

Routing is a step of its own: a phone number or a division name in the question goes straight to
the directory; otherwise initiatives (not chunks) are scored from dense and BM25 evidence, with the
question first expanded by the glossary, and the question is turned away when the evidence is weak.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.directory import Contact, Directory, Office
from assistant.index import StoredChunk
from assistant.normalize import find_phones, format_phone, nfkc, normalize_query
from assistant.retrieval import PolicyIndex
from assistant.settings import Settings


@dataclass(frozen=True)
class Evidence:
    chunk: StoredChunk
    score: float


@dataclass
class ScoredInitiative:
    title: str
    score: float
    dense: float = 0.0
    sentence: float = 0.0
    bm25: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)


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


class Glossary:
    """Phrases people use mapped to the document's vocabulary (data in corpus/glossary.json)."""

    def __init__(self, entries: list[tuple[tuple[str, ...], str]]) -> None:
        self.entries = entries

    @classmethod
    def load(cls, path: Path) -> Glossary:
        if not path.exists():
            return cls([])
        data = json.loads(path.read_text("utf-8"))
        return cls([(tuple(nfkc(p) for p in e["phrases"]), e["expand"]) for e in data["entries"]])

    def expand(self, question: str) -> str:
        """The document words for what the question says in its own words ('' when none apply)."""
        q = f" {nfkc(question)} "
        return " ".join(expand for phrases, expand in self.entries if any(p in q for p in phrases))


class Router:
    """Scores initiatives for a question and picks the offices to call."""

    def __init__(self, index: PolicyIndex, directory: Directory, glossary: Glossary, settings: Settings) -> None:
        self.index = index
        self.directory = directory
        self.glossary = glossary
        self.settings = settings
        self._owner_initiative = [index.chunks[ci].initiative for ci, _ in index.sentence_owner]
        self.titles = list(dict.fromkeys(c.initiative for c in index.chunks if c.initiative))
        tok = index.sparse.tokenizer
        # Title words count extra: a question naming an initiative's own subject is about it.
        self._title_terms = {t: set(tok.terms(t)) for t in self.titles}

    def search_text(self, question: str) -> str:
        """The question as the retrievers see it: normalised and expanded with the glossary."""
        q = normalize_query(question)
        extra = self.glossary.expand(q)
        return f"{q} {extra}".strip()

    def score(self, question: str) -> tuple[list[ScoredInitiative], np.ndarray]:
        """Initiatives ranked by fused evidence for ``question``."""
        text = self.search_text(question)
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
            s.evidence.append(Evidence(chunk, float(hit.score or 0.0)))
        top_bm25 = max((float(h.score or 0.0) for h in sparse_hits), default=0.0)
        for hit in sparse_hits:
            chunk = self.index.by_id[hit.node.node_id]
            if not chunk.initiative:
                continue
            s = get(chunk.initiative)
            s.bm25 = max(s.bm25, float(hit.score or 0.0))
            s.evidence.append(Evidence(chunk, float(hit.score or 0.0) / (top_bm25 or 1.0)))
        sims = self.index.sentence_vectors @ vector
        best_sentence: dict[str, float] = defaultdict(float)
        for i in np.argsort(-sims)[:40]:
            title = self._owner_initiative[i]
            if title:
                best_sentence[title] = max(best_sentence[title], float(sims[i]))
        for title, sim in best_sentence.items():
            get(title).sentence = sim

        q_terms = set(self.index.sparse.tokenizer.terms(text))
        for s in by_title.values():
            bm25_norm = s.bm25 / top_bm25 if top_bm25 else 0.0
            title_hit = len(q_terms & self._title_terms.get(s.title, set())) / (len(q_terms) or 1)
            s.score = (0.45 * s.dense + 0.35 * s.sentence + 0.35 * bm25_norm * min(1.0, top_bm25 / 4.0)
                       + 0.3 * title_hit)
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
        offices = self.directory.by_division(question)
        if offices:
            return self._to_offices(question, "division", offices)
        ranked, vector = self.score(question)
        top = ranked[0] if ranked else None
        confidence = top.score if top else 0.0
        if top is None or confidence < self.settings.abstain_below:
            return Route(question, "none", ranked[:3], [], confidence, True, vector)
        chosen = [top] + [r for r in ranked[1 : self.settings.max_initiatives] if r.score >= 0.9 * top.score]
        contacts = self._contacts_for(chosen, question)
        return Route(question, "retrieval", chosen, contacts, confidence, False, vector)

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
