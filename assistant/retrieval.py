"""Open a built index and search it through LlamaIndex retrievers: dense (Chroma) and BM25 (MeCab terms)."""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from llama_index.core import Settings as LlamaSettings
from llama_index.core import VectorStoreIndex
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from assistant.embeddings import Encoder, UseEmbedding
from assistant.examples import Example
from assistant.index import (
    ChromaUnavailable,
    IndexCorrupt,
    IndexMissing,
    StoredChunk,
    chroma_client,
    current_version,
    read_examples,
    read_manifest,
    verify,
)
from assistant.settings import ChromaMode, Settings
from assistant.tokenizer import Tokenizer

# No LLM is used anywhere; a MockLLM keeps LlamaIndex from reaching for OpenAI by default
# (setting None instead prints a notice on stdout, which would corrupt `ask --json`).
LlamaSettings.llm = MockLLM()
# Chunks are made by assistant.chunking, never by LlamaIndex: without this, opening the vector index
# builds the default SentenceSplitter and loads its tiktoken vocabulary (~0.5 s of every start-up).
LlamaSettings.transformations = []
log = logging.getLogger(__name__)


def _node(chunk: StoredChunk) -> TextNode:
    return TextNode(id_=chunk.chunk_id, text=chunk.text, metadata={"initiative": chunk.initiative,
                                                                   "section": chunk.section})


class MecabBM25Retriever(BaseRetriever):
    """BM25 (bm25s) over MeCab content terms; the query is tokenized exactly like the index."""

    def __init__(self, bm25: bm25s.BM25, chunks: list[StoredChunk], tokenizer: Tokenizer, top_k: int) -> None:
        super().__init__()
        self._bm25 = bm25
        self._chunks = chunks
        self.tokenizer = tokenizer
        self._top_k = top_k
        self._vocab = bm25.vocab_dict

    def terms(self, query: str) -> list[str]:
        """Query terms the index knows (bm25s raises when none is known)."""
        return [t for t in self.tokenizer.terms(query) if t in self._vocab]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        terms = self.terms(query_bundle.query_str)
        if not terms:
            return []
        k = min(self._top_k, len(self._chunks))
        ids, scores = self._bm25.retrieve([terms], k=k, show_progress=False, n_threads=1)
        return [
            NodeWithScore(node=_node(self._chunks[int(i)]), score=float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if s > 0
        ]


class Outage:
    """When Chroma last failed, shared by every retriever over the same Chroma: once one call has
    timed out, the others of the same request do not wait for it again."""

    def __init__(self) -> None:
        self.failed_at: float | None = None
        self.lock = threading.Lock()


class ChromaSide(BaseRetriever):
    """A retriever over a Chroma collection, kept usable through faults: while Chroma fails, searches
    go on without it (degraded) and Chroma is tried again every ``retry_seconds``."""

    def __init__(self, connect: Callable[[], tuple[BaseRetriever, Any]], retry_seconds: float,
                 outage: Outage | None = None) -> None:
        super().__init__()
        self._connect = connect
        self._retry_seconds = retry_seconds
        self._retriever: BaseRetriever | None = None
        self._collection: Any = None
        self._outage = outage or Outage()

    @property
    def available(self) -> bool:
        """Whether the last attempt to reach Chroma worked."""
        return self._outage.failed_at is None

    def retriever(self) -> BaseRetriever:
        """The LlamaIndex retriever over the collection, connecting first when needed."""
        if self._retriever is None:
            self._retriever, self._collection = self._connect()
        return self._retriever

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.retriever().retrieve(query_bundle)

    def _due(self) -> bool:
        """Whether to try Chroma now; while it is down only one caller per retry period does."""
        o = self._outage
        with o.lock:
            if o.failed_at is None:
                return True
            if time.monotonic() - o.failed_at < self._retry_seconds:
                return False
            o.failed_at = time.monotonic()  # the others keep to BM25 while this one tries
            return True

    def _failed(self, e: Exception) -> None:
        o = self._outage
        with o.lock:
            was_up, o.failed_at = o.failed_at is None, time.monotonic()
        if was_up:  # logged once per outage, not once per request
            log.error("dense retrieval failed, answering from BM25 alone (degraded): %s: %s", type(e).__name__, e)

    def _recovered(self) -> None:
        o = self._outage
        with o.lock:
            was_down, o.failed_at = o.failed_at is not None, None
        if was_down:
            log.warning("dense retrieval is back: answers are no longer degraded")

    def try_retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore] | None:
        """Dense hits, or None when Chroma is down (the failure is logged once)."""
        if not self._due():
            return None
        try:
            hits = self.retriever().retrieve(query_bundle)
        except Exception as e:  # noqa: BLE001 - whatever broke on the Chroma side, BM25 still answers
            self._failed(e)
            return None
        self._recovered()
        return hits

    def probe(self, wait: float | None = None) -> bool:
        """Ask Chroma whether it answers now (for health checks); updates ``available``.

        With ``wait``, give up after that many seconds and report it unavailable: a health check must
        answer quickly even while Chroma stalls. The probe goes on in the background until its own
        call deadline and records what it finds (a slow but live server counts as back).
        """
        if not self._due():
            return False
        if wait is None:
            return self._probe()
        done = threading.Event()
        found: list[bool] = []

        def run() -> None:
            found.append(self._probe())
            done.set()

        threading.Thread(target=run, name="chroma-probe", daemon=True).start()
        if done.wait(wait):
            return found[0]
        self._failed(TimeoutError(f"Chroma did not answer a health probe within {wait:g} s"))
        return False

    def _probe(self) -> bool:
        try:
            self.retriever()
            self._collection.count()
        except Exception as e:  # noqa: BLE001 - any failure means it is not available
            self._failed(e)
            return False
        self._recovered()
        return True


@dataclass
class PolicyIndex:
    """A built index opened for search: chunks, sentence vectors and the two retrievers."""

    manifest: dict[str, Any]
    chunks: list[StoredChunk]
    by_id: dict[str, StoredChunk]
    sentence_vectors: np.ndarray
    sentence_owner: list[tuple[int, int]]  # (chunk index, sentence index) of each sentence vector
    dense: ChromaSide
    sparse: MecabBM25Retriever
    encoder: Encoder
    examples: list[Example] = field(default_factory=list)
    example_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 512), dtype=np.float32))
    example_side: ChromaSide | None = None
    _request: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def open(cls, settings: Settings, tokenizer: Tokenizer, encoder: Encoder, check: bool = True) -> PolicyIndex:
        """Open the current index version; raises IndexMissing or IndexCorrupt."""
        version = current_version(settings.index_dir)
        if version is None:
            raise IndexMissing(f"no index in {settings.index_dir}; run `kinki-assistant build-index`")
        vdir = settings.index_dir / version
        if not (vdir / "manifest.json").exists():
            # CURRENT names a version that is not there: the index is damaged, not merely unbuilt.
            raise IndexCorrupt(f"index {version} named by {settings.index_dir / 'CURRENT'} is missing")
        manifest = read_manifest(vdir)
        if check:
            try:
                verify(settings, vdir, manifest)
            except ChromaUnavailable as e:
                log.error("%s; starting degraded (BM25 only) until it answers", e)
        return cls.from_dir(settings, vdir, manifest, tokenizer, encoder)

    @classmethod
    def from_dir(
        cls, settings: Settings, vdir: Path, manifest: dict[str, Any], tokenizer: Tokenizer, encoder: Encoder,
    ) -> PolicyIndex:
        chunks = [StoredChunk.from_json(d) for d in json.loads((vdir / "chunks.json").read_text("utf-8"))]
        owner = [(ci, si) for ci, c in enumerate(chunks) for si in range(len(c.sentences))]
        vectors = np.load(vdir / "sentences.npy")
        bm25 = bm25s.BM25.load(str(vdir / "bm25"), show_progress=False)

        examples, example_vectors = read_examples(vdir)

        def connector(name: str, top_k: int) -> Callable[[], tuple[BaseRetriever, Any]]:
            def connect() -> tuple[BaseRetriever, Any]:
                collection = chroma_client(settings, vdir / "chroma").get_collection(name)
                store = ChromaVectorStore(chroma_collection=collection)
                vindex = VectorStoreIndex.from_vector_store(store, embed_model=UseEmbedding(encoder))
                return vindex.as_retriever(similarity_top_k=top_k), collection
            return connect

        outage = Outage()  # one Chroma behind both collections: one timeout per outage, not one per collection
        dense = ChromaSide(connector(manifest["collection"], settings.top_k), settings.dense_retry_seconds, outage)
        example_side = (ChromaSide(connector(manifest["examples_collection"], settings.example_neighbours),
                                   settings.dense_retry_seconds, outage) if examples else None)
        if settings.chroma_mode == ChromaMode.embedded:
            dense.retriever()  # on disk: a failure here is a damaged index, reported now
        else:
            dense.probe()  # a server that is down is logged and retried; BM25 answers meanwhile
        sparse = MecabBM25Retriever(bm25, chunks, tokenizer, settings.top_k)
        return cls(manifest, chunks, {c.chunk_id: c for c in chunks}, vectors, owner, dense, sparse, encoder,
                   examples, example_vectors, example_side)

    @property
    def degraded(self) -> bool:
        """Whether searches are answered from BM25 alone because Chroma is failing."""
        return not self.dense.available

    def begin_request(self) -> None:
        """Start tracking whether this thread's searches had to go without Chroma."""
        self._request.degraded = False

    @property
    def request_degraded(self) -> bool:
        """Whether a search since ``begin_request`` on this thread went without Chroma."""
        return bool(getattr(self._request, "degraded", False))

    def nearest_examples(self, vector: np.ndarray, k: int) -> list[tuple[Example, float]]:
        """The ``k`` labelled examples closest to a question vector, with their cosine similarity.

        Asked of their Chroma collection; while Chroma fails, of the same vectors kept beside it.
        """
        if not self.examples:
            return []
        hits = self.example_side.try_retrieve(QueryBundle(query_str="", embedding=vector.tolist())) \
            if self.example_side is not None else None
        if hits is not None:
            # LlamaIndex reports Chroma's cosine distance d as exp(-d).
            return [(self.examples[int(h.node.node_id.rsplit("-", 1)[1])], 1.0 + math.log(max(h.score or 0.0, 1e-9)))
                    for h in hits[:k]]
        self._request.degraded = True
        sims = self.example_vectors @ vector
        top = np.argsort(-sims)[:k]
        return [(self.examples[int(i)], float(sims[i])) for i in top]

    def search(self, query: str, vector: list[float] | None = None) -> tuple[list[NodeWithScore], list[NodeWithScore]]:
        """Dense and BM25 hits for a query (the dense side reuses a vector already computed).

        When Chroma fails the dense hits are empty and the request is marked degraded.
        """
        bundle = QueryBundle(query_str=query, embedding=vector)
        dense = self.dense.try_retrieve(bundle)
        if dense is None:
            self._request.degraded = True
            dense = []
        return dense, self.sparse.retrieve(bundle)
