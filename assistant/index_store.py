"""The index folder on disk: a folder per version, the ``CURRENT`` pointer, the build lock, and the
files of a version (manifest, chunks, vectors, labelled examples) with their checksums.

A build writes a new version into a staging folder beside the live one and then switches ``CURRENT``
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
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chunking import Chunk
from assistant.examples import Example

# 2: chunk vectors kept for incremental builds; 3: slide titles in chunk vectors and BM25;
# 4: labelled example questions in a collection of their own; 5: a chart's labelled figures kept as lines.
INDEX_FORMAT = 5
log = logging.getLogger(__name__)


class IndexMissing(RuntimeError):
    """No index has been built yet."""


class IndexCorrupt(RuntimeError):
    """The index on disk cannot be read back as it was written."""


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


def clean_leftovers(index_dir: Path) -> None:
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


def new_staging(index_dir: Path, version: str) -> Path:
    """An empty folder beside the live versions to write a new one into."""
    index_dir.mkdir(parents=True, exist_ok=True)
    # A fresh name per build: Chroma caches clients by path within a process.
    staging = index_dir / f".building-{version}-{os.getpid()}-{time.time_ns()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def publish(index_dir: Path, staging: Path, version: str) -> str | None:
    """Make a staged version the live one, remove the older folders; returns the version it replaced."""
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
    return previous


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


def write_version(staging: Path, chunks: list[Chunk], sentence_vecs: np.ndarray, chunk_vecs: np.ndarray,
                  examples: list[Example], example_vecs: np.ndarray) -> None:
    """The chunks, their vectors and the labelled examples, kept beside Chroma and BM25."""
    np.save(staging / "sentences.npy", sentence_vecs.astype(np.float32))
    np.save(staging / "chunk_vectors.npy", chunk_vecs.astype(np.float32))
    np.save(staging / "examples.npy", example_vecs.astype(np.float32).reshape(len(examples), 512))
    (staging / "examples.json").write_text(json.dumps([e.to_json() for e in examples], ensure_ascii=False), "utf-8")
    (staging / "chunks.json").write_text(json.dumps([c.to_json() for c in chunks], ensure_ascii=False), "utf-8")


def write_manifest(staging: Path, manifest: dict[str, Any]) -> None:
    (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


def read_manifest(version_dir: Path) -> dict[str, Any]:
    path = version_dir / "manifest.json"
    if not path.exists():
        raise IndexMissing(f"no index at {version_dir}")
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise IndexCorrupt(f"unreadable manifest {path}: {e}") from e


def read_chunks(version_dir: Path) -> list[Chunk]:
    return [Chunk.from_json(d) for d in json.loads((version_dir / "chunks.json").read_text("utf-8"))]


def read_examples(version_dir: Path) -> tuple[list[Example], np.ndarray]:
    """A version's labelled examples and their vectors, in the same order."""
    examples = _read_examples(version_dir)
    vectors = np.load(version_dir / "examples.npy") if examples else np.zeros((0, 512), dtype=np.float32)
    return examples, vectors


def _read_examples(version_dir: Path) -> list[Example]:
    path = version_dir / "examples.json"  # absent in an index built before examples existed
    return [Example(**e) for e in json.loads(path.read_text("utf-8"))] if path.exists() else []
