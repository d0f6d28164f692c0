"""The one place that wires the assistant's parts from settings, and the facade every interface calls."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from assistant import __version__
from assistant.answers import Answer, Composer
from assistant.chat import Conversation, Turn
from assistant.directory import Contact, Directory
from assistant.embeddings import get_encoder
from assistant.index import IndexCorrupt, IndexMissing, Progress, build_index
from assistant.normalize import find_phones
from assistant.retrieval import PolicyIndex
from assistant.routing import Glossary, Router
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
        if not build_if_missing:
            raise
        log.warning("%s; building the index", e)
        build_index(settings, tokenizer, encoder, progress=progress, force=True)
        index = PolicyIndex.open(settings, tokenizer, encoder)
    directory = Directory.load_folder(settings.corpus_dir, titles_by_file(index))
    glossary = Glossary.load(settings.corpus_dir / "glossary.json")
    router = Router(index, directory, glossary, settings)
    warm.join()
    composer = Composer(index, tokenizer, settings.max_quotes)
    return Assistant(settings, index, directory, router, Conversation(router, composer, settings))
