"""Check that an index version reads back as it was written, before it is trusted to answer."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from assistant.chroma import ChromaUnavailable, chroma_client, is_connection_error
from assistant.index_store import IndexCorrupt, checksums, read_examples
from assistant.settings import ChromaMode, Settings


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
        if server and is_connection_error(e):
            raise ChromaUnavailable(f"Chroma server {settings.chroma_host}:{settings.chroma_port} unreachable: {e}") from e
        raise IndexCorrupt(f"index {version_dir.name} is damaged: {e}") from e
    finally:
        with contextlib.suppress(Exception):
            client.close()
    if count != manifest["chunks"]:
        raise IndexCorrupt(f"index {version_dir.name} counts do not match its manifest")
