"""Decide which initiative a question is about and which office to call, from the evidence.

Routing is a step of its own: a phone number or a division name in the question goes straight to
the directory; otherwise initiatives (not chunks) are scored from the evidence — the nearest
labelled example questions, dense and BM25 search over the document, and the question's words in
each initiative's title and text. Out of scope is turned away; two initiatives that fit about
equally well become a short question with both as options instead of a guess.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from assistant.directory import Contact, Directory, Office
from assistant.examples import Vote, vote
from assistant.initiative_words import InitiativeWords
from assistant.normalize import format_phone, nfkc
from assistant.question import Question, QuestionReader
from assistant.retrieval import PolicyIndex
from assistant.settings import Settings
from assistant.stated import stated_first


class RouteReason(StrEnum):
    """Why a question went where it did (the ``route`` field of every answer)."""

    phone = "phone"  # a directory number was written in it
    division = "division"  # it named an office
    retrieval = "retrieval"  # the evidence picked the initiative
    clarify = "clarify"  # two initiatives fit about equally: the user is asked which
    unknown_phone = "unknown-phone"  # a number that is not in the directory
    uncovered = "uncovered"  # about an initiative, but asks what the document does not state
    out_of_scope = "none"  # the document does not cover it

    @property
    def abstains(self) -> bool:
        return self in (RouteReason.unknown_phone, RouteReason.uncovered, RouteReason.out_of_scope)


@dataclass
class ScoredInitiative:
    title: str
    score: float
    dense: float = 0.0
    sentence: float = 0.0
    bm25: float = 0.0
    title_hit: float = 0.0
    lexical: float = 0.0
    verbatim: float = 0.0  # 1 when the question types a name only this initiative's text writes
    examples: float = 0.0  # share of the nearest examples' vote


@dataclass
class Route:
    """Where a question goes: ranked initiatives, offices to call (or to choose from), and why."""

    question: Question
    reason: RouteReason
    initiatives: list[ScoredInitiative]
    contacts: list[Contact]
    confidence: float
    offices: list[Office] = field(default_factory=list)
    out_of_scope_share: float = 0.0  # of the nearest examples' vote
    examples: Vote | None = None  # what the nearest labelled examples said (None: not asked)
    scores: dict[str, float] = field(default_factory=dict)  # every initiative's score, when it was scored
    # A follow-up asking something of its own and naming it, routed with the conversation's topic: the message
    # read alone, whose own meaning and words pick the quotes.
    follow_up: Question | None = None
    # A follow-up routed with the conversation's topic: the words it brings that the topic's question lacks
    # (アンモニア in 'What about ammonia?' after hydrogen abroad), which pick its line among the topic's.
    brings: frozenset[str] = frozenset()

    @property
    def abstained(self) -> bool:
        return self.reason.abstains


class Router:
    """Scores initiatives for a question and picks the offices to call."""

    def __init__(self, index: PolicyIndex, directory: Directory, reader: QuestionReader, settings: Settings) -> None:
        self.index = index
        self.directory = directory
        self.reader = reader
        self.settings = settings
        self._owner_initiative = [index.chunks[ci].initiative for ci, _ in index.sentence_owner]
        self.titles = list(dict.fromkeys(c.initiative for c in index.chunks if c.initiative))
        texts: dict[str, list[str]] = defaultdict(list)
        for c in index.chunks:
            texts[c.initiative].append(c.text)
        self.words = InitiativeWords({t: "\n".join(v) for t, v in texts.items() if t}, index.sparse.tokenizer,
                                     reader.glossary.no_topic)
        # Whom an initiative is for, where its title says (高度外国人材), and the field it works in, where its title
        # names one (水素): the words that speak of them.
        self._audience_of = self._titles_saying(reader.glossary.audiences)
        self._subject_of = self._titles_saying(reader.glossary.subjects)
        self._offices_of = {t: {o.division for o in directory.offices if t in o.initiatives} for t in self.titles}
        # Each initiative's labelled examples, to choose among its offices.
        rows: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(index.examples):
            rows[e.initiative].append(i)
        self._example_rows = {t: np.array(r) for t, r in rows.items()}

    def _titles_saying(self, said_by: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[str, ...]]:
        """Each initiative whose title says one of the glossary's words (外国人材, 水素), with its askers' words."""
        return {t: words for t in self.titles for says, words in said_by if says in t}

    @staticmethod
    def _said(question: Question) -> str:
        """The question as typed and in its search text, so the glossary's words for what it says count."""
        return f"{question.normalized}\n{nfkc(question.search_text).lower()}"

    def read(self, text: str) -> Question:
        return self.reader.read(text)

    def turned_away(self, question: Question, title: str) -> bool:
        """Whether a coverage rule says the initiative's text cannot answer the question."""
        return self.reader.uncovered(question, self.words.text_of.get(title, "")) is not None

    def vote(self, question: Question) -> Vote:
        """What the labelled examples nearest to the question say."""
        s = self.settings
        return vote(self.index.nearest_examples(question.vector, s.example_neighbours), s.example_temperature)

    def _familiarity(self, examples: Vote) -> float:
        """How much the examples' vote counts: fully when the nearest example is close, not at all when
        even the nearest is far (the shares of a vote among strangers still sum to one)."""
        s = self.settings
        span = s.examples_familiar - s.examples_strange
        return min(1.0, max(0.0, (examples.nearest - s.examples_strange) / span)) if span > 0 else 1.0

    def score(self, question: Question, examples: Vote | None = None, typed: bool = True) -> list[ScoredInitiative]:
        """Initiatives ranked by fused evidence for the question (``typed``: written by a user, whose names
        typed verbatim count; a support-finder goal's keywords are the document's words on purpose)."""
        s = self.settings
        examples = examples if examples is not None else self.vote(question)
        # An everyday word that a title writes as a name (the Osaka-Kansai Expo; Global Startup EXPO) is no
        # word of that initiative's: its meaning, in the glossary's words (万博), searches instead.
        everyday = self.words.everyday(question)
        dense_hits, sparse_hits = self.index.search(self.words.bm25_query(question, everyday),
                                                    question.search_vector.tolist())
        by_title = {t: ScoredInitiative(t, 0.0) for t in self.titles}
        for hit in dense_hits:
            chunk = self.index.by_id[hit.node.node_id]
            if chunk.initiative in by_title:
                si = by_title[chunk.initiative]
                si.dense = max(si.dense, float(hit.score or 0.0))
        top_bm25 = max((float(h.score or 0.0) for h in sparse_hits), default=0.0)
        for hit in sparse_hits:
            chunk = self.index.by_id[hit.node.node_id]
            if chunk.initiative in by_title:
                si = by_title[chunk.initiative]
                si.bm25 = max(si.bm25, float(hit.score or 0.0) / top_bm25 if top_bm25 else 0.0)
        sims = self.index.sentence_vectors @ question.search_vector
        # The 40 best sentences without sorting them all (a large corpus has tens of thousands).
        top = np.argpartition(-sims, min(40, len(sims) - 1))[:40] if len(sims) else []
        for i in top:
            title = self._owner_initiative[i]
            if title in by_title:
                by_title[title].sentence = max(by_title[title].sentence, float(sims[i]))

        degraded = self.index.request_degraded
        q_terms = set(question.terms) - everyday
        q_weight = sum(self.words.idf(t) for t in q_terms) or 1.0
        total = (s.weight_dense + s.weight_sentence + s.weight_bm25 + s.weight_title + s.weight_lexical
                 + s.weight_verbatim + s.weight_examples)
        familiarity = self._familiarity(examples)
        latin, named_weight = self.words.latin_names(question)
        # Names in the sentence that asks: the asker's story (商工会議所で…者です) says who they are, not what about.
        verbatim = self.words.owners(question) if typed else frozenset()
        for si in by_title.values():
            # How much of the question (by word rarity) the initiative's title and text contain.
            si.title_hit = sum(self.words.idf(t) for t in q_terms & self.words.title_terms[si.title]) / q_weight
            si.lexical = sum(self.words.idf(t) for t in q_terms & self.words.terms_of[si.title]) / q_weight
        best_title = max((si.title_hit for si in by_title.values()), default=0.0)
        said = self._said(question)
        for si in by_title.values():
            si.verbatim = float(si.title in verbatim)
            elsewhere = self.words.names_elsewhere(si.title, latin, named_weight)
            # A question naming an initiative's title: the examples nearest in wording vote for an initiative
            # only as far as its title is named too. 「空飛ぶクルマの社会実装について、近畿局は何を」 is worded
            # like the map's examples (万博レガシーの社会実装…), but 空飛ぶクルマ is eVTOL's.
            named = 1.0 if best_title < s.examples_title_named else si.title_hit / best_title
            si.examples = examples.share(si.title) * familiarity * elsewhere * named
            # A name typed in Latin letters that another title says and this initiative never uses (DX for the
            # GX project) counts against all its evidence, not only the examples' vote.
            elsewhere = 1.0 - s.named_elsewhere * (1.0 - self.words.names_elsewhere(si.title, latin, sum(latin.values())))
            dense_weight = 0.0 if degraded else s.weight_dense
            si.score = (dense_weight * si.dense + s.weight_sentence * si.sentence + s.weight_bm25 * si.bm25
                        + s.weight_title * si.title_hit + s.weight_lexical * si.lexical
                        + s.weight_verbatim * si.verbatim + s.weight_examples * si.examples) * elsewhere
            # Not in English, where the usual adjective for them also names trade shows and
            # competitiveness: read as unnamed there, foreign staff would be lost to mid-sized firms' help.
            if (audience := self._audience_of.get(si.title)) and not question.english \
                    and not question.words.countries and not any(w in said for w in audience):
                si.score *= 1.0 - s.audience_unnamed
            if degraded:
                # Without Chroma the dense evidence is missing, not zero: rescale the rest so the
                # confidence keeps its meaning and in-scope questions are not turned away.
                si.score *= total / (total - s.weight_dense)
        return sorted(by_title.values(), key=lambda x: -x.score)

    def evidence(self, top: ScoredInitiative, examples: Vote) -> float:
        """How strongly the evidence says the question is about ``top``: its fused score, lowered by
        the share of the nearest examples that are questions the document does not answer (a vote among
        strangers, as for the initiatives, counting only as far as the nearest example is close)."""
        return top.score - self.settings.weight_out_of_scope * examples.out_of_scope * self._familiarity(examples)

    def confidence(self, evidence: float) -> float:
        """The evidence as a calibrated chance that the answer names the right initiative."""
        s = self.settings
        return 1.0 / (1.0 + math.exp(-s.confidence_slope * (evidence - s.abstain_below)))

    def route(self, question: Question) -> Route:
        """The route for one question, read on its own."""
        if question.phones:
            offices = self.directory.by_phone(question.text)
            if not offices:
                return Route(question, RouteReason.unknown_phone, [], [], 0.0)
            return self._to_offices(question, RouteReason.phone, offices)
        offices = list(question.offices) or self.directory.by_extension(question.text)
        if offices:
            # Naming an office does not make every question about it answerable (室長の名前は？).
            if self.reader.uncovered(question, ""):
                return Route(question, RouteReason.uncovered, [], [], 0.0)
            return self._to_offices(question, RouteReason.division, offices)
        if not question.has_topic:  # nothing to route on; a conversation reads it with its topic
            return Route(question, RouteReason.out_of_scope, [], [], 0.0)
        examples = self.vote(question)
        ranked, stating = stated_first(self.words, question, self.score(question, examples), self.settings)
        scores = {r.title: r.score for r in ranked}
        top = ranked[0] if ranked else None
        if top is None:
            return Route(question, RouteReason.out_of_scope, [], [], 0.0)
        evidence = self.evidence(top, examples)
        confidence = self.confidence(evidence)
        if evidence < self.settings.abstain_below:
            return Route(question, RouteReason.out_of_scope, ranked[:3], [], confidence,
                         out_of_scope_share=examples.out_of_scope, scores=scores)
        if self.reader.uncovered(question, self.words.text_of.get(top.title, "")) or not self._states_asked_fact(question, top):
            return Route(question, RouteReason.uncovered, ranked[:3], [], confidence, examples=examples, scores=scores)
        rivals = self._rivals(question, ranked, stating)
        if rivals:
            options = [top, *rivals]
            return Route(question, RouteReason.clarify, options, self._contacts_for(options, question),
                         confidence, examples=examples, scores=scores)
        chosen = [top] + [r for r in ranked[1 : self.settings.max_initiatives]
                          if r.score >= self.settings.also_name_within * top.score]
        return Route(question, RouteReason.retrieval, chosen, self._contacts_for(chosen, question),
                     confidence, examples=examples, scores=scores)

    def offices_for(self, title: str, question: Question) -> list[Contact]:
        """An initiative's offices, the one fitting the question first (as the chat orders them)."""
        return self._contacts_for([ScoredInitiative(title, 1.0)], question)

    def chosen(self, question: Question, title: str) -> Route:
        """The route to an initiative the user picked from a clarifying question's options."""
        picked = ScoredInitiative(title, 1.0)
        return Route(question, RouteReason.retrieval, [picked], self._contacts_for([picked], question), 1.0)

    def led_by(self, route: Route, title: str) -> Route:
        """The same route with one of its initiatives first, and that initiative's offices to call."""
        ranked = sorted(route.initiatives, key=lambda r: r.title != title)
        return replace(route, initiatives=ranked, contacts=self._contacts_for(ranked, route.question))

    def _rivals(self, question: Question, ranked: list[ScoredInitiative],
                stating: frozenset[str] | None = None) -> list[ScoredInitiative]:
        """Initiatives served by other offices that fit about as well as the top one and could answer
        (they state the kind of fact asked, if one is): then the user is asked which is meant, as the
        wrong office is worse than one short question."""
        top = ranked[0]
        close = self.settings.clarify_within
        return [r for r in ranked[1 : self.settings.max_initiatives]
                if r.score >= close * top.score and not (self._offices_of[r.title] & self._offices_of[top.title])
                and self._states_asked_fact(question, r) and (stating is None or r.title in stating)]

    def spoken_of(self, route: Route) -> Route:
        """A clarifying question opening a conversation offers only initiatives the user could mean: not one
        working in a field they never speak of (hydrogen, to a knife maker seeking foreign buyers). With one
        option left, that is the answer, the others named beside it. (Later in a conversation its topic speaks
        of a field, and a follow-up asked back about is read with it.)"""
        if route.reason != RouteReason.clarify:
            return route
        said = self._said(route.question)
        options = [route.initiatives[0], *(r for r in route.initiatives[1:] if r.title not in self._subject_of
                                           or any(w in said for w in self._subject_of[r.title]))]
        if len(options) == len(route.initiatives):
            return route
        if len(options) == 1:
            return replace(route, reason=RouteReason.retrieval)
        return replace(route, initiatives=options, contacts=self._contacts_for(options, route.question))

    def _states_asked_fact(self, question: Question, top: ScoredInitiative) -> bool:
        """A question asking for a kind of fact (a date, a count) is answerable only if the
        initiative states one; otherwise the document does not say, and the assistant must not guess.
        Asked for two (a day and a venue), it must state both: half an answer would read as the whole."""
        text = self.words.text_of.get(top.title, "")
        return all(t.pattern.search(text) for t in question.strict_types)

    def office_vote(self, question: Question, title: str) -> dict[str, float]:
        """Which of an initiative's offices its own nearest examples point to (share per division)."""
        rows = self._example_rows.get(title)
        if rows is None or len(rows) == 0:
            return {}
        sims = self.index.example_vectors[rows] @ question.vector
        k = min(self.settings.example_neighbours, len(rows))
        nearest = np.argpartition(-sims, k - 1)[:k]
        found = vote([(self.index.examples[rows[i]], float(sims[i])) for i in nearest], self.settings.example_temperature)
        return found.divisions

    def _contacts_for(self, initiatives: list[ScoredInitiative], question: Question) -> list[Contact]:
        """Each initiative's offices: where one initiative has several, the office its remit words name and
        its own nearest examples point to comes first (the table's order breaks ties)."""
        contacts: list[Contact] = []
        for s in initiatives:
            found = self.directory.for_initiative(s.title)
            if len(found) > 1:
                said = {c.division: self.directory.remit_said_at(c.division, question.normalized) for c in found
                        if self.directory.remit_fits(c.division, question.search_text)}
                # An office serving one area is not the one to call for an asker who names none of its places,
                # however much their story resembles those of askers there.
                shares = {d: v for d, v in self.office_vote(question, s.title).items()
                          if d in said or not self.directory.is_local(d)}
                # Two offices' remits named (a follow-up read with its topic: 「よろず支援拠点…。下請代金法は？」):
                # the one the asker named last is what is asked now (one the glossary only added is not named).
                last = max(said, key=lambda d: said[d]) if len(said) > 1 and max(said.values()) >= 0 else None
                general = found[0].division  # the table lists an initiative's general office first
                margin = self.settings.office_default_margin
                found.sort(key=lambda c: -(shares.get(c.division, 0.0) + (1.0 + margin if c.division in said else 0.0)
                                           + (1.0 + margin if c.division == last else 0.0)  # outweighs any vote
                                           + (margin if c.division == general else 0.0)))
            for c in found:
                if all(c.phone != x.phone or c.division != x.division for x in contacts):
                    contacts.append(c)
        return contacts

    def _to_offices(self, question: Question, reason: RouteReason, offices: list[Office]) -> Route:
        """A route decided by the directory: the named offices and the initiatives they serve."""
        titles = [t for o in offices for t in o.initiatives]
        initiatives = [ScoredInitiative(t, 1.0) for t in dict.fromkeys(titles)]
        if len(initiatives) > 1:
            # Several initiatives share the office: let the evidence order them.
            order = {s.title: i for i, s in enumerate(self.score(question))}
            initiatives.sort(key=lambda s: order.get(s.title, len(order)))
        contacts = [
            Contact(o.department, o.division, format_phone(o.digits), t)
            for s in initiatives
            for o in offices
            for t in o.initiatives
            if t == s.title
        ]
        return Route(question, reason, initiatives, contacts, 1.0, offices=offices)

