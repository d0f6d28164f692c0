"""Build and open the search index: chunks embedded into Chroma, BM25 over MeCab terms, sentence vectors.

A build writes a new version folder beside the live one and then switches the ``CURRENT`` pointer
in one rename, so a build killed midway leaves the previous index serving.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.chunking import Chunk, chunk_document
from assistant.corpus import load_corpus
from assistant.embeddings import Encoder
from assistant.settings import ChromaMode, Settings
from assistant.tokenizer import Tokenizer

INDEX_FORMAT = 2  # 2: chunk vectors kept beside the index for incremental builds
Progress = Callable[[str, int, int], None]


class IndexMissing(RuntimeError):
    """No index has been built yet."""


class IndexCorrupt(RuntimeError):
    """The index on disk cannot be read back as it was written."""


@dataclass(frozen=True)
class StoredSentence:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as kept beside the index: enough to cite and quote without reading Chroma."""

    chunk_id: str
    doc_id: str
    initiative: str
    section: str
    page: int | None
    kind: str
    start: int
    end: int
    text: str
    sentences: tuple[StoredSentence, ...]

    @classmethod
    def from_chunk(cls, c: Chunk) -> StoredChunk:
        sentences = tuple(
            StoredSentence(s.text, min(o for o in s.offsets if o >= 0), max(s.offsets) + 1) for s in c.sentences
        )
        return cls(c.chunk_id, c.doc_id, c.initiative or "", c.section, c.page, c.kind, c.start, c.end, c.text, sentences)

    def to_json(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["sentences"] = [s.__dict__ for s in self.sentences]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StoredChunk:
        d = dict(d)
        d["sentences"] = tuple(StoredSentence(**s) for s in d["sentences"])
        return cls(**d)


def chroma_client(settings: Settings, path: Path | None = None) -> Any:
    """The Chroma client the settings ask for: embedded on disk, or a Chroma server."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == ChromaMode.server:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    assert path is not None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def collection_name(settings: Settings, version: str) -> str:
    # One collection per index version, so a server-side swap is as atomic as the on-disk one.
    return f"{settings.collection}-{version}"


def current_version(index_dir: Path) -> str | None:
    pointer = index_dir / "CURRENT"
    return pointer.read_text().strip() if pointer.exists() else None


def _version_of(chunks: list[Chunk], encoder_name: str, settings: Settings) -> str:
    h = hashlib.sha1(f"{INDEX_FORMAT}|{encoder_name}|{settings.chunk_tokens}|{settings.chunk_vectors}".encode())
    for c in chunks:
        h.update(c.chunk_id.encode())
    return h.hexdigest()[:12]


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
    say = progress or (lambda stage, done, total: None)
    t0 = time.perf_counter()
    docs = load_corpus(settings.corpus_dir)
    if not docs:
        raise FileNotFoundError(f"no documents (.txt, .md, .pdf) in {settings.corpus_dir}")
    # Identical passages (boilerplate repeated inside a document) share one id: keep the first.
    chunks = list({c.chunk_id: c for d in docs for c in chunk_document(d, tokenizer, settings.chunk_tokens)}.values())
    say("chunk", len(chunks), len(chunks))
    version = _version_of(chunks, encoder.name, settings)
    index_dir = settings.index_dir
    if not force and current_version(index_dir) == version:
        try:
            manifest = read_manifest(index_dir / version)
            verify(settings, index_dir / version, manifest)
            return {**manifest, "skipped": True, "embedded_texts": 0}
        except (IndexCorrupt, IndexMissing):
            pass  # rebuild below

    index_dir.mkdir(parents=True, exist_ok=True)
    # A fresh name per build: Chroma caches clients by path within a process.
    staging = index_dir / f".building-{version}-{os.getpid()}-{time.time_ns()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()

    stored = [StoredChunk.from_chunk(c) for c in chunks]
    # Embed chunks (for Chroma) and sentences (for picking quotes), reusing every vector the current
    # version already holds for the same text.
    cache = VectorCache.of_current(settings, encoder.name)
    sentences = [s.text for c in stored for s in c.sentences]
    before = encoder.texts_encoded
    sentence_vecs = cache.embed(encoder, sentences, "embed sentences", say, settings.build_workers)
    if settings.chunk_vectors == "sentence-mean":
        chunk_vecs = _sentence_means(stored, sentence_vecs)
    else:
        chunk_vecs = cache.embed(encoder, [c.text for c in stored], "embed chunks", say, settings.build_workers)
    embedded = encoder.texts_encoded - before

    client = chroma_client(settings, staging / "chroma")
    name = collection_name(settings, version)
    if settings.chroma_mode == ChromaMode.server:
        with contextlib.suppress(Exception):  # an absent collection is the normal case
            client.delete_collection(name)
    col = client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    step = 1024
    for i in range(0, len(stored), step):
        part = stored[i : i + step]
        col.upsert(
            ids=[c.chunk_id for c in part],
            embeddings=chunk_vecs[i : i + step],
            documents=[c.text for c in part],
            metadatas=[{**_meta(c)} for c in part],
        )
        say("chroma", min(i + step, len(stored)), len(stored))

    bm25 = bm25s.BM25()
    bm25.index([tokenizer.terms(c.text) or ["<empty>"] for c in stored], show_progress=False)
    bm25.save(str(staging / "bm25"), show_progress=False)
    say("bm25", len(stored), len(stored))

    np.save(staging / "sentences.npy", sentence_vecs.astype(np.float32))
    np.save(staging / "chunk_vectors.npy", chunk_vecs.astype(np.float32))
    (staging / "chunks.json").write_text(json.dumps([c.to_json() for c in stored], ensure_ascii=False), "utf-8")
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
        "chunks": len(stored),
        "sentences": len(sentences),
        "embedded_texts": embedded,
        "reused_texts": len(stored) + len(sentences) - embedded,
        "build_seconds": round(time.perf_counter() - t0, 2),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    del client, col

    previous = current_version(index_dir)
    final = index_dir / version
    shutil.rmtree(final, ignore_errors=True)
    os.replace(staging, final)
    tmp_pointer = index_dir / "CURRENT.tmp"
    tmp_pointer.write_text(version)
    os.replace(tmp_pointer, index_dir / "CURRENT")  # the switch: one atomic rename
    for old in index_dir.iterdir():
        if old.is_dir() and old.name != version and not old.name.startswith(".building"):
            shutil.rmtree(old, ignore_errors=True)
    if settings.chroma_mode == ChromaMode.server:
        _drop_old_collections(settings, keep={version, previous})
    return {**manifest, "skipped": False}


def _drop_old_collections(settings: Settings, keep: set[str | None]) -> None:
    """Delete this index's server collections except the new one and the one just replaced.

    The replaced one stays until the next build so workers that opened it keep answering.
    """
    client = chroma_client(settings)
    wanted = {collection_name(settings, v) for v in keep if v}
    prefix = f"{settings.collection}-"
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        rest = name[len(prefix) :]
        if name.startswith(prefix) and len(rest) == 12 and name not in wanted:
            with contextlib.suppress(Exception):  # another builder may have dropped it already
                client.delete_collection(name)


def _sentence_means(chunks: list[StoredChunk], sentence_vecs: np.ndarray) -> np.ndarray:
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
            chunks = json.loads((vdir / "chunks.json").read_text("utf-8"))
            chunk_vecs = np.load(vdir / "chunk_vectors.npy")
            sentence_vecs = np.load(vdir / "sentences.npy")
        except (IndexMissing, IndexCorrupt, OSError, ValueError):
            return empty
        texts = [c["text"] for c in chunks] + [s["text"] for c in chunks for s in c["sentences"]]
        if len(chunk_vecs) != len(chunks) or len(chunk_vecs) + len(sentence_vecs) != len(texts):
            return empty
        vectors = np.vstack([chunk_vecs, sentence_vecs]).astype(np.float32)
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


def _meta(c: StoredChunk) -> dict[str, str | int]:
    return {"initiative": c.initiative, "section": c.section, "page": c.page if c.page is not None else -1,
            "doc_id": c.doc_id, "kind": c.kind}


def read_manifest(version_dir: Path) -> dict[str, Any]:
    path = version_dir / "manifest.json"
    if not path.exists():
        raise IndexMissing(f"no index at {version_dir}")
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorrupt(f"unreadable manifest {path}: {e}") from e


def verify(settings: Settings, version_dir: Path, manifest: dict[str, Any]) -> None:
    """Check that every part of the index reads back with the counts the manifest promises."""
    try:
        chunks = json.loads((version_dir / "chunks.json").read_text("utf-8"))
        vectors = np.load(version_dir / "sentences.npy")
        chunk_vectors = np.load(version_dir / "chunk_vectors.npy", mmap_mode="r")
        bm25s.BM25.load(str(version_dir / "bm25"), show_progress=False)
        client = chroma_client(settings, version_dir / "chroma")
        count = client.get_collection(manifest["collection"]).count()
    except Exception as e:  # noqa: BLE001 - any failure to read back means the files are damaged
        raise IndexCorrupt(f"index {version_dir.name} is damaged: {e}") from e
    if len(chunks) != manifest["chunks"] or count != manifest["chunks"] or len(vectors) != manifest["sentences"] \
            or len(chunk_vectors) != manifest["chunks"]:
        raise IndexCorrupt(f"index {version_dir.name} counts do not match its manifest")
