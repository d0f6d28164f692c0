"""The one place that wires the assistant's parts from settings, and the facade every interface calls."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from assistant import __version__
from assistant.answers import Answer, Composer
from assistant.chat import Conversation, Turn
from assistant.directory import Contact, Directory, Office
from assistant.embeddings import get_encoder
from assistant.english import EnglishWords
from assistant.feedback import FeedbackStore
from assistant.finder import Goal, Recommendation, SupportFinder, load_goals
from assistant.index import Progress, build_index
from assistant.index_store import IndexCorrupt, IndexMissing
from assistant.inputs import check_message, clean_history
from assistant.loaders import load_document_card
from assistant.normalize import find_phones, format_phone, nfkc, phone_digits
from assistant.query import Glossary
from assistant.question import QuestionReader
from assistant.quotes import QuoteChooser
from assistant.readings import Readings
from assistant.retrieval import PolicyIndex
from assistant.routing import Router
from assistant.settings import ChromaMode, Settings, get_settings
from assistant.tokenizer import get_tokenizer

log = logging.getLogger(__name__)
WITHHELD = "[この番号は問合せ先一覧にないため表示しません / number withheld: not in the contact list]"

# A query this short is a term to look up in the document's text, not a question.
_TERM_CHARS = 20
# Only digits and the characters numbers are written with: the user is typing a phone number.
_NUMBER_ONLY = re.compile(r"[0-9０-９\s()（）+＋\-\u2010-\u2015\u2212\uff0d\u30fc]+")


@dataclass
class OfficeSearch:
    """Offices found for a directory query, how they were found, and the initiatives that matched."""

    query: str
    kind: str  # "all", "empty", "phone", "partial-number", "division", "department", "term", "topic", ...
    offices: list[Office]
    initiatives: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # division → the document's line that matched, with its page
    pages: dict[str, int] = field(default_factory=dict)  # division → the page of that line, when it has one


@dataclass
class Assistant:
    """The assistant as the API, the CLI and the UI see it."""

    settings: Settings
    index: PolicyIndex
    directory: Directory
    router: Router
    conversation: Conversation
    finder: SupportFinder | None = None
    feedback: FeedbackStore | None = None

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        """Answer one chat message given the earlier turns; raises ``BadInput`` for an unanswerable message."""
        message = check_message(message, self.settings)
        kept = clean_history([(t.role, t.content) for t in history or []], self.settings)
        turns = [Turn("user" if role == "user" else "assistant", text) for role, text in kept]
        self.index.begin_request()
        answer = self.conversation.ask(message, turns)
        answer.degraded = self.index.request_degraded
        return self._only_listed_numbers(answer)

    def _listed(self, digits: str) -> bool:
        # A number without its area code ("6966-6014") counts when a directory number ends with it.
        return self.directory.is_listed(digits) or (
            len(digits) == 8 and any(o.digits.endswith(digits) for o in self.directory.offices))

    def _only_listed_numbers(self, answer: Answer) -> Answer:
        """Last line of defence: a number not in the directory is never shown, whatever produced it."""
        texts = [answer.answer, *(c.quote for c in answer.citations)]
        unlisted = [p for t in texts for p in find_phones(t) if not self._listed(p)]
        unlisted += [c.phone for c in answer.contacts if not self.directory.is_listed(c.phone)]
        if not unlisted:
            return answer
        log.error("answer held numbers outside the directory, withheld: %s", unlisted)

        def withhold(text: str) -> str:
            for digits in unlisted:
                for written in {digits, format_phone(digits)}:
                    text = text.replace(written, WITHHELD)
            # Written some other way: withhold the whole text rather than risk it.
            return WITHHELD if any(not self._listed(p) for p in find_phones(text)) else text

        answer.answer = withhold(answer.answer)
        answer.citations = [replace(c, quote=withhold(c.quote)) for c in answer.citations]
        answer.contacts = [c for c in answer.contacts if self.directory.is_listed(c.phone)]
        return answer

    def find_contacts(self, query: str) -> list[Contact]:
        """The contacts (office × initiative) that ``search_offices`` finds, as the API returns them."""
        return self.contacts_found(self.search_offices(query))

    def all_contacts(self) -> list[Contact]:
        """Every contact (office × initiative) of the directory, in directory order."""
        return self.contacts_found(self.search_offices("", everything=True))

    def contacts_found(self, found: OfficeSearch) -> list[Contact]:
        """The contacts (office × initiative) of a search's offices, for the initiatives it matched."""
        return [c for o in found.offices for c in self.directory.contacts_of(o)
                if found.kind in ("all", "partial-number") or c.initiative in found.initiatives]

    def search_offices(self, query: str, everything: bool = False) -> OfficeSearch:
        """Offices for a topic, a division name or a (partly typed) phone number.

        The whole directory comes only when asked for (``everything``): an empty query finds nothing,
        so a client that lost its query gets an empty answer it can notice, not every office.
        """
        if everything:
            return OfficeSearch(query, "all", list(self.directory.offices))
        q = query.strip()
        if not q:
            return OfficeSearch(query, "empty", [])
        number_only = bool(_NUMBER_ONLY.fullmatch(q))
        # "06(6966)6032" has no dash for find_phones to see; a whole number typed alone is still a number
        # (unless it is written with +81, which find_phones reads as it is).
        whole = phone_digits(q) if number_only and len(phone_digits(q)) in (10, 11) and not find_phones(q) else q
        if find_phones(whole):
            offices = self.directory.by_phone(whole)
            return OfficeSearch(query, "phone" if offices else "unknown-phone", offices,
                                [t for o in offices for t in o.initiatives])
        if number_only:
            offices = self.directory.by_digits(q)
            return OfficeSearch(query, "partial-number" if offices else "unknown-phone", offices)
        offices = self.directory.by_division(q)
        if offices:
            return OfficeSearch(query, "division", offices, [t for o in offices for t in o.initiatives])
        offices = self.directory.by_department(q)
        if offices:
            return OfficeSearch(query, "department", offices, [t for o in offices for t in o.initiatives])
        offices = self.directory.by_similar_name(q)
        if offices:
            return OfficeSearch(query, "division", offices, [t for o in offices for t in o.initiatives])
        found = self._by_term(q)
        if found is not None:
            return found
        route = self.router.route(self.router.read(q))
        if route.abstained:
            return OfficeSearch(query, "none", [])
        found: list[Office] = []
        for c in route.contacts:
            for o in self.directory.offices:
                if o.division == c.division and o.phone == c.phone and o not in found:
                    found.append(o)
        return OfficeSearch(query, "topic", self._place_first(found, q), [s.title for s in route.initiatives])

    def _place_first(self, offices: list[Office], query: str) -> list[Office]:
        """An office named after the place a short query names comes first, found or not (神戸 → 神戸通商事務所)."""
        placed = [o for o in self.directory.offices if len(query.strip()) <= 4 and self.directory.named_after_place(o, query)]
        return placed + [o for o in offices if o not in placed]

    @cached_property
    def _lines(self) -> list[tuple[str, str, str, int | None]]:
        """Every sentence of an initiative as (initiative, folded text, text, page), folded once rather
        than on every look-up as staff type."""
        return [(c.initiative, "".join(nfkc(s.text).split()), s.text, c.page)
                for c in self.index.chunks if c.initiative for s in c.sentences]

    def _by_term(self, query: str) -> OfficeSearch | None:
        """A term the document uses (下請Ｇメン, ものづくり補助金, BiocK, けいはんな): the offices of the
        initiatives whose slides use it, most uses first, each with the line that has it and its page."""
        term = "".join(nfkc(query).split())
        if not 2 <= len(term) <= _TERM_CHARS:
            return None
        uses: dict[str, list[tuple[str, int | None]]] = {}
        for initiative, folded, text, page in self._lines:
            if term in folded:
                uses.setdefault(initiative, []).append((text, page))
        if not uses:
            return None
        titles = sorted(uses, key=lambda t: -len(uses[t]))
        offices: list[Office] = []
        why: dict[str, str] = {}
        pages: dict[str, int] = {}
        for title in titles:
            for contact in self.router.offices_for(title, self.router.read(query)):
                office = next(o for o in self.directory.offices if o.division == contact.division)
                if office not in offices:
                    offices.append(office)
                    line, page = uses[title][0]
                    why[office.division] = f"「{line.strip()}」" + (f"（{page}ページ）" if page is not None else "")
                    if page is not None:
                        pages[office.division] = page
        return OfficeSearch(query, "term", self._place_first(offices, query), titles, why, pages)

    @property
    def goals(self) -> list[Goal]:
        """What the support finder can search for."""
        return self.finder.goals if self.finder else []

    def find_support(self, goals: Sequence[str], description: str = "") -> list[Recommendation]:
        """Initiatives fitting the chosen goals (ids or labels) and an optional company description."""
        if self.finder is None:
            raise RuntimeError("the support finder is not wired (build the assistant with build_assistant)")
        return self.finder.find(list(goals), description)

    def record_feedback(self, rating: str, question: str, answer: dict[str, Any], comment: str = "",
                        history: Sequence[str] = (), source: str = "ui") -> int:
        """Store a thumbs up or down on an answer; raises ``FeedbackError`` when the store fails."""
        if self.feedback is None:
            raise RuntimeError("the feedback store is not wired (build the assistant with build_assistant)")
        return self.feedback.record(rating, question, answer, comment, history, source)

    def comment_feedback(self, feedback_id: int, comment: str) -> None:
        """Attach an optional comment to a recorded rating."""
        if self.feedback is None:
            raise RuntimeError("the feedback store is not wired (build the assistant with build_assistant)")
        self.feedback.add_comment(feedback_id, comment)

    def health(self) -> dict[str, Any]:
        """Index version and size, and the mode answers come from (embedded, server or degraded)."""
        m = self.index.manifest
        # In server mode Chroma can go away between requests: ask it, so the mode is current.
        remote = self.settings.chroma_mode == ChromaMode.server
        wait = self.settings.chroma_health_timeout_seconds if remote else None
        dense_ok = self.index.dense.probe(wait) if remote or self.index.degraded else True
        return {
            "status": "ok" if dense_ok else "degraded",
            "version": __version__,
            "index_version": m["version"],
            "documents": len(m["documents"]),
            "chunks": m["chunks"],
            "mode": self.settings.chroma_mode.value if dense_ok else "degraded",
            "degraded": not dense_ok,
        }


def titles_by_file(index: PolicyIndex) -> dict[str, list[str]]:
    """Initiative titles of each indexed document, in document order (read from the index, not the files)."""
    files = {d["doc_id"]: d["file"] for d in index.manifest["documents"]}
    out: dict[str, dict[str, None]] = {f: {} for f in files.values()}
    for c in index.chunks:
        if c.initiative and c.doc_id in files:
            out[files[c.doc_id]][c.initiative] = None
    return {f: list(ts) for f, ts in out.items()}


def build_assistant(settings: Settings | None = None, build_if_missing: bool = False,
                    progress: Progress | None = None) -> Assistant:
    """Open the index (building it first when asked and needed) and wire every part."""
    settings = settings or get_settings()
    tokenizer = get_tokenizer()
    encoder = get_encoder(settings.embed_threads, settings.model_cache_dir)
    # Load the model's weights while the index opens: on two cores this takes a part of start-up off.
    warm = threading.Thread(target=encoder.encode, args=(["warm-up"],), daemon=True)
    warm.start()
    try:
        index = PolicyIndex.open(settings, tokenizer, encoder)
    except (IndexMissing, IndexCorrupt) as e:
        # A damaged index is repaired when the settings allow it; a missing one only when asked.
        if not (build_if_missing or (settings.repair_index and isinstance(e, IndexCorrupt))):
            raise
        log.warning("%s; building the index", e)
        build_index(settings, tokenizer, encoder, progress=progress, force=True)
        index = PolicyIndex.open(settings, tokenizer, encoder)
    directory = Directory.load_folder(settings.corpus_dir, titles_by_file(index), tokenizer.reading)
    texts = [c.text for c in index.chunks]
    reader = QuestionReader(Glossary.load(settings.corpus_dir / "glossary.json", tokenizer),
                            Readings.from_texts(texts, tokenizer), "\n".join(texts), tokenizer, encoder, directory,
                            EnglishWords.load(settings.corpus_dir / "english_words.json"))
    router = Router(index, directory, reader, settings)
    warm.join()
    quotes = QuoteChooser(index, tokenizer, settings.quote_weights, settings.max_quotes, reader.glossary.help_kinds,
                          reader.glossary.background, {o.division: o.remit for o in directory.offices},
                          reader.glossary.actors, reader.glossary.offers)
    composer = Composer(quotes, reader.glossary.answer_types, load_document_card(settings.corpus_dir))
    finder = SupportFinder(router, composer, directory, load_goals(settings.corpus_dir / "goals.json"),
                           settings.finder_max_results, settings.max_message_chars)
    feedback = FeedbackStore(settings.feedback_db, settings.max_feedback_comment_chars)
    return Assistant(settings, index, directory, router, Conversation(router, composer, settings),
                     finder=finder, feedback=feedback)
