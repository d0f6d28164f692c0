"""The one place that wires the assistant's parts from settings, and the facade every interface calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from assistant import __version__
from assistant.answers import Answer, Composer
from assistant.chat import Conversation, Turn
from assistant.corpus import load_corpus
from assistant.directory import Contact, Directory
from assistant.embeddings import get_encoder
from assistant.index import IndexCorrupt, IndexMissing, Progress, build_index
from assistant.inputs import check_message, clean_history
from assistant.normalize import find_phones, format_phone
from assistant.retrieval import PolicyIndex
from assistant.routing import Glossary, Router
from assistant.settings import ChromaMode, Settings, get_settings
from assistant.tokenizer import get_tokenizer

log = logging.getLogger(__name__)
WITHHELD = "[この番号は問合せ先一覧にないため表示しません / number withheld: not in the contact list]"


@dataclass
class Assistant:
    """The assistant as the API, the CLI and the UI see it."""

    settings: Settings
    index: PolicyIndex
    directory: Directory
    router: Router
    conversation: Conversation

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
        """Offices for a topic, a division name or a phone number written any way."""
        if not query.strip():
            return [c for o in self.directory.offices for c in self.directory.contacts_of(o)]
        if find_phones(query):
            return [c for o in self.directory.by_phone(query) for c in self.directory.contacts_of(o)]
        offices = self.directory.by_division(query)
        if offices:
            return [c for o in offices for c in self.directory.contacts_of(o)]
        route = self.router.route(query)
        return [] if route.abstained else route.contacts

    def health(self) -> dict[str, Any]:
        """Index version and size, and the mode answers come from (embedded, server or degraded)."""
        m = self.index.manifest
        # In server mode Chroma can go away between requests: ask it, so the mode is current.
        remote = self.settings.chroma_mode == ChromaMode.server
        dense_ok = self.index.dense.probe() if remote or self.index.degraded else True
        return {
            "status": "ok" if dense_ok else "degraded",
            "version": __version__,
            "index_version": m["version"],
            "documents": len(m["documents"]),
            "chunks": m["chunks"],
            "mode": self.settings.chroma_mode.value if dense_ok else "degraded",
            "degraded": not dense_ok,
        }


def build_assistant(settings: Settings | None = None, build_if_missing: bool = False,
                    progress: Progress | None = None) -> Assistant:
    """Open the index (building it first when asked and needed) and wire every part."""
    settings = settings or get_settings()
    tokenizer = get_tokenizer()
    encoder = get_encoder(settings.embed_threads)
    try:
        index = PolicyIndex.open(settings, tokenizer, encoder)
    except (IndexMissing, IndexCorrupt) as e:
        # A damaged index is repaired when the settings allow it; a missing one only when asked.
        if not (build_if_missing or (settings.repair_index and isinstance(e, IndexCorrupt))):
            raise
        log.warning("%s; building the index", e)
        build_index(settings, tokenizer, encoder, progress=progress, force=True)
        index = PolicyIndex.open(settings, tokenizer, encoder)
    titles = [i.title for d in load_corpus(settings.corpus_dir) for i in d.initiatives()]
    directory = Directory.load(settings.corpus_dir / "contacts.json", titles)
    glossary = Glossary.load(settings.corpus_dir / "glossary.json")
    router = Router(index, directory, glossary, settings)
    composer = Composer(index, tokenizer, settings.max_quotes)
    encoder.encode(["準備"])  # loads the encoder's weights now, not during the first user's question
    return Assistant(settings, index, directory, router, Conversation(router, composer, settings))
