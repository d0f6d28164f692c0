"""Build and open the search index: chunks embedded into Chroma, BM25 over MeCab terms, sentence vectors.

A build writes a new version folder beside the live one and then switches the ``CURRENT`` pointer
in one rename, so a build killed midway leaves the previous index serving.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.chunking import Chunk, chunk_document
from assistant.embeddings import Encoder
from assistant.examples import Example, load_examples
from assistant.loaders import load_documents
from assistant.settings import ChromaMode, Settings
from assistant.tokenizer import TERMS_VERSION, Tokenizer

# 2: chunk vectors kept for incremental builds; 3: slide titles in chunk vectors and BM25;
# 4: labelled example questions in a collection of their own.
INDEX_FORMAT = 4
Progress = Callable[[str, int, int], None]
T = TypeVar("T")
log = logging.getLogger(__name__)
# bm25s logs its own progress at DEBUG on a handler of its own; our progress bars say it already.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class IndexMissing(RuntimeError):
    """No index has been built yet."""


class IndexCorrupt(RuntimeError):
    """The index on disk cannot be read back as it was written."""


class ChromaUnavailable(RuntimeError):
    """The Chroma server cannot be reached (server mode): the index is not damaged, only out of reach."""


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


def chroma_client(settings: Settings, path: Path | None = None, timeout: float | None = None) -> Any:
    """The Chroma client the settings ask for: embedded on disk, or a Chroma server.

    In server mode every call is bounded: by ``timeout`` seconds (default ``chroma_timeout_seconds``)
    for each read of the HTTP session, and connecting (which already asks the server for the
    tenant) by the same deadline. chromadb's own client would wait forever on a stalled server.
    """
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_mode == ChromaMode.server:
        seconds = timeout or settings.chroma_timeout_seconds
        client = with_deadline(
            lambda: chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings),
            seconds, f"connecting to the Chroma server {settings.chroma_host}:{settings.chroma_port}")
        bound_http_session(client, seconds)
        return client
    assert path is not None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def with_deadline(call: Callable[[], T], seconds: float, what: str) -> T:
    """``call()``'s result, or ``TimeoutError`` after ``seconds``.

    The call runs in a daemon thread that is left behind on a timeout (it ends when the server
    answers or drops the connection), so the caller is never held longer than the deadline.
    """
    result: list[T] = []
    error: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            result.append(call())
        except BaseException as e:  # noqa: BLE001 - handed to the caller below
            error.append(e)
        finally:
            done.set()

    threading.Thread(target=run, name="chroma-deadline", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"{what}: no answer within {seconds:g} s")
    if error:
        raise error[0]
    return result[0]


def bound_http_session(client: Any, seconds: float) -> None:
    """Give a chromadb HttpClient's httpx session a timeout (chromadb 1.5.9 builds it with timeout=None).

    chromadb keeps the session at ``client._server._session`` (chromadb/api/fastapi.py) and has no
    setting for it; tests/test_faults.py checks this still holds, so a chromadb upgrade that moves it
    fails loudly here instead of quietly bringing back unbounded waits.
    """
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        raise RuntimeError("chromadb's HttpClient no longer keeps an httpx session at _server._session: "
                           "calls to the Chroma server cannot be bounded (chromadb==1.5.9 is the tested version)")
    session.timeout = httpx.Timeout(seconds)


def collection_name(settings: Settings, version: str) -> str:
    # One collection per index version, so a server-side swap is as atomic as the on-disk one.
    return f"{settings.collection}-{version}"


def current_version(index_dir: Path) -> str | None:
    pointer = index_dir / "CURRENT"
    return pointer.read_text().strip() if pointer.exists() else None


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's build lock: one build at a time, so any staging folder found is stale."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _clean_leftovers(index_dir: Path) -> None:
    """Remove what killed builds left behind; put back a live folder a killed swap had moved aside."""
    live = current_version(index_dir)
    for aside in sorted(index_dir.glob(".replaced-*")):
        version = aside.name.removeprefix(".replaced-").rsplit("-", 1)[0]
        if version == live and not (index_dir / live).exists():
            os.replace(aside, index_dir / live)
            log.warning("restored index %s that an interrupted build had moved aside", live)
    for stale in [*index_dir.glob(".building-*"), *index_dir.glob(".replaced-*")]:
        log.warning("removing %s left by an interrupted build", stale.name)
        shutil.rmtree(stale, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, flushed to disk first."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)  # the rename itself survives a crash only once the folder is flushed
    finally:
        os.close(fd)


def checksums(version_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a version except the manifest and Chroma's own (which Chroma rewrites)."""
    out = {}
    for path in sorted(version_dir.rglob("*")):
        rel = path.relative_to(version_dir).as_posix()
        if path.is_file() and rel != "manifest.json" and not rel.startswith("chroma/"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _version_of(chunks: list[Chunk], examples: list[Example], encoder_name: str, settings: Settings) -> str:
    h = hashlib.sha1(
        f"{INDEX_FORMAT}|{TERMS_VERSION}|{encoder_name}|{settings.chunk_tokens}|{settings.chunk_vectors}".encode())
    for c in chunks:
        h.update(c.chunk_id.encode())
    for e in examples:
        h.update(f"{e.question}|{e.initiative}|{e.division}".encode())
    return h.hexdigest()[:12]


def examples_collection(name: str) -> str:
    """The Chroma collection of a version's labelled example questions, beside its chunks' one."""
    return f"{name}-examples"


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
        _clean_leftovers(settings.index_dir)
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
        chunk_vecs = cache.embed(encoder, [searchable(c) for c in stored], "embed chunks", say, settings.build_workers)
    example_vecs = cache.embed(encoder, [e.question for e in examples], "embed examples", say, settings.build_workers)
    embedded = encoder.texts_encoded - before

    client = chroma_client(settings, staging / "chroma", settings.chroma_write_timeout_seconds)
    name = collection_name(settings, version)
    if settings.chroma_mode == ChromaMode.server:
        with contextlib.suppress(Exception):  # an absent collection is the normal case
            client.delete_collection(name)
        with contextlib.suppress(Exception):
            client.delete_collection(examples_collection(name))
    col = client.create_collection(name, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    step = 1024
    for i in range(0, len(stored), step):
        part = stored[i : i + step]
        col.upsert(
            ids=[c.chunk_id for c in part],
            embeddings=chunk_vecs[i : i + step],
            documents=[searchable(c) for c in part],
            metadatas=[{**_meta(c)} for c in part],
        )
        say("chroma", min(i + step, len(stored)), len(stored))
    ex_col = client.create_collection(examples_collection(name), metadata={"hnsw:space": "cosine"},
                                      embedding_function=None)
    for i in range(0, len(examples), step):
        part = examples[i : i + step]
        ex_col.upsert(ids=[f"example-{i + j}" for j in range(len(part))], embeddings=example_vecs[i : i + step],
                      documents=[e.question for e in part],
                      metadatas=[{"initiative": e.initiative, "division": e.division} for e in part])

    bm25 = bm25s.BM25()
    bm25.index([tokenizer.terms(searchable(c)) or ["<empty>"] for c in stored], show_progress=False)
    bm25.save(str(staging / "bm25"), show_progress=False)
    say("bm25", len(stored), len(stored))

    np.save(staging / "sentences.npy", sentence_vecs.astype(np.float32))
    np.save(staging / "chunk_vectors.npy", chunk_vecs.astype(np.float32))
    np.save(staging / "examples.npy", example_vecs.astype(np.float32).reshape(len(examples), 512))
    (staging / "examples.json").write_text(json.dumps([e.to_json() for e in examples], ensure_ascii=False), "utf-8")
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
        "examples": len(examples),
        "examples_collection": examples_collection(name),
        "embedded_texts": embedded,
        "reused_texts": len(stored) + len(sentences) + len(examples) - embedded,
        "build_seconds": round(time.perf_counter() - t0, 2),
        "checksums": checksums(staging),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    del col, ex_col
    with contextlib.suppress(Exception):
        client.close()  # releases Chroma's cached handle on the staging path before it is renamed

    previous = current_version(index_dir)
    final = index_dir / version
    aside = index_dir / f".replaced-{version}-{os.getpid()}"
    if final.exists():
        # Rebuilding the live version (a repair): move it aside in one rename rather than deleting
        # it file by file, so an interruption leaves a folder the next build puts back.
        os.replace(final, aside)
    os.replace(staging, final)
    _write_atomic(index_dir / "CURRENT", version)  # the switch: one atomic rename
    shutil.rmtree(aside, ignore_errors=True)
    for old in index_dir.iterdir():
        if old.is_dir() and old.name != version and not old.name.startswith("."):
            shutil.rmtree(old, ignore_errors=True)
    if settings.chroma_mode == ChromaMode.server:
        _drop_old_collections(settings, keep={version, previous})
    return {**manifest, "skipped": False}


def searchable(c: StoredChunk) -> str:
    """What retrieval sees of a chunk: its slide title, then its text (the title is not in the body,
    and a passage reads differently once you know which initiative it belongs to)."""
    return f"{c.section}\n{c.text}"


def _drop_old_collections(settings: Settings, keep: set[str | None]) -> None:
    """Delete this index's server collections except the new one and the one just replaced.

    The replaced one stays until the next build so workers that opened it keep answering.
    """
    client = chroma_client(settings, timeout=settings.chroma_write_timeout_seconds)
    wanted = {collection_name(settings, v) for v in keep if v}
    prefix = f"{settings.collection}-"
    for col in client.list_collections():
        name = col if isinstance(col, str) else col.name
        rest = name[len(prefix) :].removesuffix("-examples")
        if name.startswith(prefix) and len(rest) == 12 and name.removesuffix("-examples") not in wanted:
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
            examples = [e["question"] for e in _read_examples(vdir)]
            example_vecs = np.load(vdir / "examples.npy") if examples else np.zeros((0, 512), dtype=np.float32)
        except (IndexMissing, IndexCorrupt, OSError, ValueError):
            return empty
        sentences = [s["text"] for c in chunks for s in c["sentences"]]
        if len(chunk_vecs) != len(chunks) or len(sentence_vecs) != len(sentences) or len(example_vecs) != len(examples):
            return empty
        if manifest.get("chunk_vectors", "sentence-mean") != settings.chunk_vectors:
            chunks, chunk_vecs = [], chunk_vecs[:0]  # made another way: only the sentences' vectors carry over
        # Chunks were embedded as the text retrieval sees (title and body), and are looked up the same way.
        texts = [searchable(StoredChunk.from_json(c)) for c in chunks] + sentences + examples
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


def _read_examples(version_dir: Path) -> list[dict[str, str]]:
    """A version's labelled examples (none for an index built before they existed)."""
    path = version_dir / "examples.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else []


def read_examples(version_dir: Path) -> tuple[list[Example], np.ndarray]:
    """A version's labelled examples and their vectors, in the same order."""
    examples = [Example(**e) for e in _read_examples(version_dir)]
    vectors = np.load(version_dir / "examples.npy") if examples else np.zeros((0, 512), dtype=np.float32)
    return examples, vectors


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
    """Check that every part of the index reads back with the counts and checksums the manifest promises.

    Raises IndexCorrupt, or ChromaUnavailable when only the Chroma server is out of reach.
    """
    expected = manifest.get("checksums")
    if expected is not None:
        found = checksums(version_dir)
        bad = sorted(k for k in set(expected) | set(found) if expected.get(k) != found.get(k))
        if bad:
            raise IndexCorrupt(f"index {version_dir.name} is damaged: {', '.join(bad)} changed since it was built")
    try:
        chunks = json.loads((version_dir / "chunks.json").read_text("utf-8"))
        vectors = np.load(version_dir / "sentences.npy")
        chunk_vectors = np.load(version_dir / "chunk_vectors.npy", mmap_mode="r")
        bm25s.BM25.load(str(version_dir / "bm25"), show_progress=False)
        examples, example_vectors = read_examples(version_dir)
    except Exception as e:  # noqa: BLE001 - any failure to read back means the files are damaged
        raise IndexCorrupt(f"index {version_dir.name} is damaged: {e}") from e
    if len(chunks) != manifest["chunks"] or len(vectors) != manifest["sentences"] \
            or len(chunk_vectors) != manifest["chunks"] \
            or len(examples) != len(example_vectors) or len(examples) != manifest.get("examples", 0):
        raise IndexCorrupt(f"index {version_dir.name} counts do not match its manifest")
    _verify_chroma(settings, version_dir, manifest, chunks[0]["chunk_id"] if chunks else None)


def _verify_chroma(settings: Settings, version_dir: Path, manifest: dict[str, Any], probe_id: str | None) -> None:
    """The collection holds every chunk and answers a query (embedded: its SQLite file is sound)."""
    server = settings.chroma_mode == ChromaMode.server
    sqlite_file = version_dir / "chroma" / "chroma.sqlite3"
    if not server:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{sqlite_file}?mode=ro", uri=True)) as db:
                result = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as e:
            raise IndexCorrupt(f"index {version_dir.name} is damaged: Chroma store unreadable ({e})") from e
        if result != "ok":
            raise IndexCorrupt(f"index {version_dir.name} is damaged: Chroma store fails its check ({result})")
    try:
        client = chroma_client(settings, version_dir / "chroma")
    except Exception as e:  # noqa: BLE001 - classified below
        if server:
            raise ChromaUnavailable(f"Chroma server {settings.chroma_host}:{settings.chroma_port} unreachable: {e}") from e
        raise IndexCorrupt(f"index {version_dir.name} is damaged: {e}") from e
    try:
        col = client.get_collection(manifest["collection"])
        count = col.count()
        if manifest.get("examples") and client.get_collection(manifest["examples_collection"]).count() != manifest["examples"]:
            raise IndexCorrupt(f"index {version_dir.name} counts do not match its manifest (examples)")
        if probe_id is not None:
            got = col.get(ids=[probe_id], include=["embeddings"])
            # A stored vector must find itself (cosine distance 0): the vector index answers.
            found = col.query(query_embeddings=[got["embeddings"][0]], n_results=1, include=["distances"])
            if not found["distances"][0] or found["distances"][0][0] > 1e-3:
                raise IndexCorrupt(f"index {version_dir.name} is damaged: Chroma does not find its own chunk")
    except IndexCorrupt:
        raise
    except Exception as e:  # noqa: BLE001 - any failure to read back means the store is damaged
        if server and _is_connection_error(e):
            raise ChromaUnavailable(f"Chroma server {settings.chroma_host}:{settings.chroma_port} unreachable: {e}") from e
        raise IndexCorrupt(f"index {version_dir.name} is damaged: {e}") from e
    finally:
        with contextlib.suppress(Exception):
            client.close()
    if count != manifest["chunks"]:
        raise IndexCorrupt(f"index {version_dir.name} counts do not match its manifest")


def _is_connection_error(e: BaseException) -> bool:
    """Whether an exception means the Chroma server could not be reached (as opposed to bad data)."""
    import httpx

    return isinstance(e, httpx.TransportError | ConnectionError | TimeoutError) or "could not connect" in str(e).lower()
