"""Open a built index and search it through LlamaIndex retrievers: dense (Chroma) and BM25 (MeCab terms)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
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
from assistant.index import (
    IndexCorrupt,
    IndexMissing,
    StoredChunk,
    chroma_client,
    current_version,
    read_manifest,
)
from assistant.settings import Settings
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


@dataclass
class PolicyIndex:
    """A built index opened for search: chunks, sentence vectors and the two retrievers."""

    manifest: dict[str, Any]
    chunks: list[StoredChunk]
    by_id: dict[str, StoredChunk]
    sentence_vectors: np.ndarray
    sentence_owner: list[tuple[int, int]]  # (chunk index, sentence index) of each sentence vector
    dense: BaseRetriever
    sparse: MecabBM25Retriever
    encoder: Encoder

    @classmethod
    def open(cls, settings: Settings, tokenizer: Tokenizer, encoder: Encoder, check: bool = True) -> PolicyIndex:
        """Open the current index version; raises IndexMissing or IndexCorrupt."""
        version = current_version(settings.index_dir)
        if version is None:
            raise IndexMissing(f"no index in {settings.index_dir}; run `kinki-assistant build-index`")
        vdir = settings.index_dir / version
        manifest = read_manifest(vdir)
        if not check:
            return cls.from_dir(settings, vdir, manifest, tokenizer, encoder)
        # Checked while loading (what verify() checks, without reading every file twice).
        try:
            return cls.from_dir(settings, vdir, manifest, tokenizer, encoder, check=True)
        except IndexCorrupt:
            raise
        except Exception as e:  # noqa: BLE001 - any failure to read back means the files are damaged
            raise IndexCorrupt(f"index {vdir.name} is damaged: {e}") from e

    @classmethod
    def from_dir(
        cls, settings: Settings, vdir: Path, manifest: dict[str, Any], tokenizer: Tokenizer, encoder: Encoder,
        check: bool = False,
    ) -> PolicyIndex:
        chunks = [StoredChunk.from_json(d) for d in json.loads((vdir / "chunks.json").read_text("utf-8"))]
        owner = [(ci, si) for ci, c in enumerate(chunks) for si in range(len(c.sentences))]
        vectors = np.load(vdir / "sentences.npy")
        bm25 = bm25s.BM25.load(str(vdir / "bm25"), show_progress=False)
        client = chroma_client(settings, vdir / "chroma")
        collection = client.get_collection(manifest["collection"])
        if check:
            counts = (len(chunks), collection.count(), len(np.load(vdir / "chunk_vectors.npy", mmap_mode="r")))
            if counts != (manifest["chunks"],) * 3 or len(vectors) != manifest["sentences"]:
                raise IndexCorrupt(f"index {vdir.name} counts do not match its manifest")
        store = ChromaVectorStore(chroma_collection=collection)
        embed = UseEmbedding(encoder)
        vindex = VectorStoreIndex.from_vector_store(store, embed_model=embed)
        dense = vindex.as_retriever(similarity_top_k=settings.top_k)
        sparse = MecabBM25Retriever(bm25, chunks, tokenizer, settings.top_k)
        return cls(manifest, chunks, {c.chunk_id: c for c in chunks}, vectors, owner, dense, sparse, encoder)

    def search(self, query: str, vector: list[float] | None = None) -> tuple[list[NodeWithScore], list[NodeWithScore]]:
        """Dense and BM25 hits for a query (the dense side reuses a vector already computed)."""
        bundle = QueryBundle(query_str=query, embedding=vector)
        return self.dense.retrieve(bundle), self.sparse.retrieve(bundle)
