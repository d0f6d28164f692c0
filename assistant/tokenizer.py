"""One Japanese tokenizer (MeCab via fugashi + UniDic) for chunking, BM25 indexing and BM25 queries."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import fugashi

from assistant.normalize import hiragana, nfkc

# Parts of speech that carry no topic: particles, auxiliaries, punctuation, white space.
_STOP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}
# Very common content words of this document and of questions that would otherwise dominate BM25.
_STOP_WORDS = {
    "する", "ある", "いる", "なる", "こと", "もの", "ため", "よう", "これ", "それ", "等", "的",
    "教える", "知る", "ください", "下さる", "どこ", "何", "いつ", "誰", "?", "？",
}


@dataclass(frozen=True)
class Morpheme:
    surface: str
    base: str
    pos: str
    reading: str
    start: int
    end: int


class Tokenizer:
    """MeCab tokenization of NFKC text; a lock makes one tagger safe to share across threads."""

    def __init__(self) -> None:
        self._tagger = fugashi.Tagger()
        self._lock = threading.Lock()
        # The same texts come back again and again (the index's sentences are scored for every
        # question routed to them): their terms are remembered instead of re-running MeCab.
        self._cached_terms = lru_cache(maxsize=TERMS_CACHE_SIZE)(self._terms_of)

    def morphemes(self, text: str) -> list[Morpheme]:
        """Morphemes of ``text`` as written, with character offsets into it."""
        out: list[Morpheme] = []
        with self._lock:
            words = [(w.surface, w.feature, w.white_space) for w in self._tagger(text)]
        pos = 0
        for surface, feature, white in words:
            pos += len(white)
            start = text.find(surface, pos)
            if start < 0:  # MeCab dropped or changed characters; fall back to the running offset
                start = pos
            end = start + len(surface)
            base = getattr(feature, "orthBase", None) or surface
            reading = getattr(feature, "kana", None) or surface
            out.append(Morpheme(surface, base, feature.pos1 or "", reading, start, end))
            pos = end
        return out

    def count(self, text: str) -> int:
        """How many MeCab tokens ``text`` has (the unit chunk sizes are counted in)."""
        with self._lock:
            return len(self._tagger(text))

    def terms(self, text: str) -> list[str]:
        """Content-word terms of NFKC text for BM25: base forms, no particles or punctuation."""
        return [t for t, _ in self._terms(nfkc(text))]

    def readings(self, text: str) -> list[str]:
        """Hiragana readings of the content words, so 'すいそ' can meet '水素'."""
        return [r for _, r in self._terms(nfkc(text))]

    def _terms(self, text: str) -> tuple[tuple[str, str], ...]:
        return self._cached_terms(text)

    def _terms_of(self, text: str) -> tuple[tuple[str, str], ...]:
        terms = []
        for m in self.morphemes(text):
            if m.pos in _STOP_POS or m.base in _STOP_WORDS or not m.surface.strip():
                continue
            terms.append((m.base.lower(), hiragana(m.reading)))
        return tuple(terms)


# Distinct texts whose terms are kept (a few MB per ten thousand sentences).
TERMS_CACHE_SIZE = 50_000


@lru_cache(maxsize=1)
def get_tokenizer() -> Tokenizer:
    """The shared tokenizer (loading UniDic takes a few tens of milliseconds)."""
    return Tokenizer()
