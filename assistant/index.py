"""Build the search index: chunks embedded into Chroma, BM25 over MeCab terms, sentence vectors.

A build is incremental (text the current version already embedded is not embedded again) and safe
to kill: it writes a new version beside the live one and switches to it in one rename. The folder
layout is ``assistant.index_store``'s, the Chroma client ``assistant.chroma``'s, the read-back check
``assistant.index_verify``'s; ``assistant.retrieval`` opens a built index for search.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.chroma import (
    ChromaUnavailable,
    chroma_client,
    collection_name,
    drop_old_collections,
    examples_collection,
)
from assistant.chunking import Chunk, Sentence, chunk_document
from assistant.embeddings import Encoder
from assistant.examples import Example, load_examples
from assistant.index_store import (
    INDEX_FORMAT,
    IndexCorrupt,
    IndexMissing,
    build_lock,
    checksums,
    clean_leftovers,
    current_version,
    new_staging,
    publish,
    read_chunks,
    read_examples,
    read_manifest,
    write_manifest,
    write_version,
)
from assistant.index_verify import verify
from assistant.loaders import load_documents
from assistant.settings import ChromaMode, Settings
from assistant.tokenizer import TERMS_VERSION, Tokenizer

# Re-exported for the modules that import them from here (retrieval, answers, cli, bench, and tests).
# A chunk as the index keeps it is chunking's own Chunk; the retriever and the answer composer call it
# a StoredChunk.
StoredChunk = Chunk
StoredSentence = Sentence
__all__ = [
    "ChromaUnavailable", "IndexCorrupt", "IndexMissing", "Progress", "StoredChunk", "StoredSentence",
    "build_index", "chroma_client", "current_version", "read_examples", "read_manifest", "verify",
]

Progress = Callable[[str, int, int], None]
# bm25s logs its own progress at DEBUG on a handler of its own; our progress bars say it already.
logging.getLogger("bm25s").setLevel(logging.WARNING)
# Vectors written to Chroma in one call (chroma_write_timeout_seconds is set for a batch this size).
_CHROMA_BATCH = 1024


def build_index(
    settings: Settings,
    tokenizer: Tokenizer,
    encoder: Encoder,
    progress: Progress | None = None,
    force: bool = False,
) -> dict[str, Any]:
    """Chunk the corpus, embed what is new and write a new index version; a no-op when nothing changed.

    Incremental: text embedded by the current version (chunks and sentences alike) is not embedded
    again, and chunks of removed documents are simply absent from the new version.
    """
    with build_lock(settings.index_dir):
        clean_leftovers(settings.index_dir)
        return _build(settings, tokenizer, encoder, progress, force)


def _build(settings: Settings, tokenizer: Tokenizer, encoder: Encoder, progress: Progress | None,
           force: bool) -> dict[str, Any]:
    say = progress or (lambda stage, done, total: None)
    t0 = time.perf_counter()
    docs = load_documents(settings.corpus_dir)
    if not docs:
        raise FileNotFoundError(f"no documents (.txt, .md, .pdf) in {settings.corpus_dir}")
    # Identical passages (boilerplate repeated inside a document) share one id: keep the first.
    chunks = list({c.chunk_id: c for d in docs for c in chunk_document(d, tokenizer, settings.chunk_tokens)}.values())
    say("chunk", len(chunks), len(chunks))
    titles_by_stem = {d.path.stem: [i.title for i in d.initiatives()] for d in docs}
    examples = load_examples(settings.corpus_dir, titles_by_stem)
    version = _version_of(chunks, examples, encoder.name, settings)
    index_dir = settings.index_dir
    if not force and current_version(index_dir) == version:
        try:
            manifest = read_manifest(index_dir / version)
            verify(settings, index_dir / version, manifest)
            return {**manifest, "skipped": True, "embedded_texts": 0}
        except (IndexCorrupt, IndexMissing):
            pass  # rebuild below

    staging = new_staging(index_dir, version)
    before = encoder.texts_encoded
    sentence_vecs, chunk_vecs, example_vecs = _embed(settings, encoder, chunks, examples, say)
    embedded = encoder.texts_encoded - before
    name = collection_name(settings, version)
    _write_chroma(settings, staging, name, chunks, chunk_vecs, examples, example_vecs, say)

    bm25 = bm25s.BM25()
    bm25.index([tokenizer.terms(searchable(c)) or ["<empty>"] for c in chunks], show_progress=False)
    bm25.save(str(staging / "bm25"), show_progress=False)
    say("bm25", len(chunks), len(chunks))

    write_version(staging, chunks, sentence_vecs, chunk_vecs, examples, example_vecs)
    sentences = len(sentence_vecs)
    manifest = {
        "version": version,
        "format": INDEX_FORMAT,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embed_model": encoder.name,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_vectors": settings.chunk_vectors,
        "collection": name,
        "chroma_mode": settings.chroma_mode.value,
        "documents": [
            {"doc_id": d.doc_id, "file": d.path.name, "sections": len(d.sections)} for d in docs
        ],
        "chunks": len(chunks),
        "sentences": sentences,
        "examples": len(examples),
        "examples_collection": examples_collection(name),
        "embedded_texts": embedded,
        "reused_texts": len(chunks) + sentences + len(examples) - embedded,
        "build_seconds": round(time.perf_counter() - t0, 2),
        "checksums": checksums(staging),
    }
    write_manifest(staging, manifest)

    previous = publish(index_dir, staging, version)
    if settings.chroma_mode == ChromaMode.server:
        # The replaced version's collections stay until the next build: workers that opened it keep answering.
        drop_old_collections(settings, keep={version, previous})
    return {**manifest, "skipped": False}


def _version_of(chunks: list[Chunk], examples: list[Example], encoder_name: str, settings: Settings) -> str:
    h = hashlib.sha1(
        f"{INDEX_FORMAT}|{TERMS_VERSION}|{encoder_name}|{settings.chunk_tokens}|{settings.chunk_vectors}".encode())
    for c in chunks:
        h.update(c.chunk_id.encode())
    for e in examples:
        h.update(f"{e.question}|{e.initiative}|{e.division}".encode())
    return h.hexdigest()[:12]


def _embed(settings: Settings, encoder: Encoder, chunks: list[Chunk], examples: list[Example],
           say: Progress) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectors of the sentences (for picking quotes), the chunks (for Chroma) and the example questions,
    reusing every vector the current version already holds for the same text."""
    cache = VectorCache.of_current(settings, encoder.name)
    workers = settings.build_workers
    sentence_vecs = cache.embed(encoder, [s.text for c in chunks for s in c.sentences], "embed sentences", say, workers)
    if settings.chunk_vectors == "sentence-mean":
        chunk_vecs = _sentence_means(chunks, sentence_vecs)
    else:
        chunk_vecs = cache.embed(encoder, [searchable(c) for c in chunks], "embed chunks", say, workers)
    example_vecs = cache.embed(encoder, [e.question for e in examples], "embed examples", say, workers)
    return sentence_vecs, chunk_vecs, example_vecs


def _write_chroma(settings: Settings, staging: Path, name: str, chunks: list[Chunk], chunk_vecs: np.ndarray,
                  examples: list[Example], example_vecs: np.ndarray, say: Progress) -> None:
    """The version's two collections: its chunks, and its labelled example questions."""
    client = chroma_client(settings, staging / "chroma", settings.chroma_write_timeout_seconds)
    if settings.chroma_mode == ChromaMode.server:
        with contextlib.suppress(Exception):  # an absent collection is the normal case
            client.delete_collection(name)
        with contextlib.suppress(Exception):
            client.delete_collection(examples_collection(name))
    col = client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    step = _CHROMA_BATCH
    for i in range(0, len(chunks), step):
        part = chunks[i : i + step]
        col.upsert(
            ids=[c.chunk_id for c in part],
            embeddings=chunk_vecs[i : i + step],
            documents=[searchable(c) for c in part],
            metadatas=[_meta(c) for c in part],
        )
        say("chroma", min(i + step, len(chunks)), len(chunks))
    ex_col = client.create_collection(examples_collection(name), metadata={"hnsw:space": "cosine"},
                                      embedding_function=None)
    for i in range(0, len(examples), step):
        part_ex = examples[i : i + step]
        ex_col.upsert(ids=[f"example-{i + j}" for j in range(len(part_ex))], embeddings=example_vecs[i : i + step],
                      documents=[e.question for e in part_ex],
                      metadatas=[{"initiative": e.initiative, "division": e.division} for e in part_ex])
    del col, ex_col
    with contextlib.suppress(Exception):
        client.close()  # releases Chroma's cached handle on the staging path before it is renamed


def searchable(c: Chunk) -> str:
    """What retrieval sees of a chunk: its slide title, then its text (the title is not in the body,
    and a passage reads differently once you know which initiative it belongs to)."""
    return f"{c.section}\n{c.text}"


def _meta(c: Chunk) -> dict[str, str | int]:
    return {"initiative": c.initiative, "section": c.section, "page": c.page if c.page is not None else -1,
            "doc_id": c.doc_id, "kind": c.kind}


def _sentence_means(chunks: list[Chunk], sentence_vecs: np.ndarray) -> np.ndarray:
    """Each chunk's vector as the normalised mean of its sentences' vectors (no second encoding)."""
    counts = np.array([len(c.sentences) for c in chunks])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    sums = np.add.reduceat(sentence_vecs, starts, axis=0) if len(chunks) else sentence_vecs[:0]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class VectorCache:
    """Vectors the current index version already computed, looked up by the exact text embedded."""

    def __init__(self, vectors: np.ndarray, rows: dict[str, int]) -> None:
        self.vectors = vectors
        self.rows = rows

    @classmethod
    def of_current(cls, settings: Settings, encoder_name: str) -> VectorCache:
        """The current version's chunk and sentence vectors (empty when there is none to trust)."""
        empty = cls(np.zeros((0, 512), dtype=np.float32), {})
        version = current_version(settings.index_dir)
        if version is None:
            return empty
        vdir = settings.index_dir / version
        try:
            manifest = read_manifest(vdir)
            if manifest.get("embed_model") != encoder_name:
                return empty  # vectors of another model cannot be mixed in
            chunks = read_chunks(vdir)
            chunk_vecs = np.load(vdir / "chunk_vectors.npy")
            sentence_vecs = np.load(vdir / "sentences.npy")
            examples, example_vecs = read_examples(vdir)
        except (IndexMissing, IndexCorrupt, OSError, ValueError, TypeError, KeyError):
            return empty  # what cannot be read back is simply embedded again
        sentences = [s.text for c in chunks for s in c.sentences]
        if len(chunk_vecs) != len(chunks) or len(sentence_vecs) != len(sentences) or len(example_vecs) != len(examples):
            return empty
        if manifest.get("chunk_vectors", "sentence-mean") != settings.chunk_vectors:
            chunks, chunk_vecs = [], chunk_vecs[:0]  # made another way: only the sentences' vectors carry over
        # Chunks were embedded as the text retrieval sees (title and body), and are looked up the same way.
        texts = [searchable(c) for c in chunks] + sentences + [e.question for e in examples]
        vectors = np.vstack([chunk_vecs, sentence_vecs, example_vecs]).astype(np.float32)
        return cls(vectors, {t: i for i, t in enumerate(texts)})

    def embed(self, encoder: Encoder, texts: list[str], stage: str, say: Progress, workers: int = 1,
              batch: int = 256) -> np.ndarray:
        """Vectors for ``texts``: reused when known, each distinct new text embedded once, in batches."""
        out = np.zeros((len(texts), 512), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            row = self.rows.get(t)
            if row is None:
                todo.setdefault(t, []).append(i)
            else:
                out[i] = self.vectors[row]
        new = list(todo)
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            say(stage, done[0], len(new))

        say(stage, 0, len(new))
        for t, v in zip(new, encoder.encode_many(new, workers, batch, step), strict=True):
            out[todo[t]] = v
        return out
