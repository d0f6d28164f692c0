"""The one place that wires the assistant's parts from settings, and the facade every interface calls."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from assistant import __version__
from assistant.answers import Answer, Composer
from assistant.chat import Conversation, Turn
from assistant.corpus import load_corpus
from assistant.directory import Contact, Directory
from assistant.embeddings import get_encoder
from assistant.index import IndexCorrupt, IndexMissing, Progress, build_index
from assistant.normalize import find_phones
from assistant.query import Glossary, QuestionReader, Readings
from assistant.retrieval import PolicyIndex
from assistant.routing import Router
from assistant.settings import Settings, get_settings
from assistant.tokenizer import get_tokenizer

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """The assistant as the API, the CLI and the UI see it."""

    settings: Settings
    index: PolicyIndex
    directory: Directory
    router: Router
    conversation: Conversation

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        """Answer one chat message given the earlier turns."""
        return self.conversation.ask(message, history)

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
        m = self.index.manifest
        return {
            "status": "ok",
            "version": __version__,
            "index_version": m["version"],
            "documents": len(m["documents"]),
            "chunks": m["chunks"],
            "mode": self.settings.chroma_mode.value,
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
        if not build_if_missing:
            raise
        log.warning("%s; building the index", e)
        build_index(settings, tokenizer, encoder, progress=progress, force=True)
        index = PolicyIndex.open(settings, tokenizer, encoder)
    titles = [i.title for d in load_corpus(settings.corpus_dir) for i in d.initiatives()]
    directory = Directory.load(settings.corpus_dir / "contacts.json", titles, tokenizer.reading)
    texts = [c.text for c in index.chunks]
    reader = QuestionReader(Glossary.load(settings.corpus_dir / "glossary.json"),
                            Readings.from_texts(texts, tokenizer), "\n".join(texts))
    router = Router(index, directory, reader, settings)
    composer = Composer(index, tokenizer, reader, settings.max_quotes)
    return Assistant(settings, index, directory, router, Conversation(router, composer, settings))
