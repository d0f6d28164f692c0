"""One Japanese tokenizer (MeCab via fugashi + UniDic) for chunking, BM25 indexing and BM25 queries."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import fugashi

from assistant.normalize import hiragana, nfkc

GRAMMAR = ("助詞", "助動詞")  # MeCab's particles and auxiliaries
# Parts of speech that carry no topic: particles, auxiliaries, punctuation, white space.
_STOP_POS = {*GRAMMAR, "補助記号", "記号", "空白"}
# Very common content words of this document and of questions that would otherwise dominate BM25.
_STOP_WORDS = {
    "する", "ある", "いる", "なる", "こと", "もの", "ため", "よう", "これ", "それ", "等", "的",
    "教える", "知る", "ください", "下さる", "くださる", "どこ", "何", "いつ", "誰", "?", "？",
    "つく", "おる", "いう", "できる", "いい", "良い", "ない", "思う", "考える", "場合",
    # English function words, so an English question is matched on its content words.
    "the", "a", "an", "of", "in", "on", "for", "to", "and", "or", "is", "are", "was", "be", "do", "does",
    "what", "who", "where", "when", "how", "which", "we", "our", "us", "i", "my", "me", "you", "your",
    "it", "its", "s", "like", "can", "could", "with", "about", "there", "any", "that", "this", "have",
    "has", "want", "would", "should", "will", "at", "from", "by", "as", "if", "so", "get", "some",
    "anything", "something", "doing", "did", "done", "were", "been", "being", "am", "also", "just", "into",
    "than", "then", "very", "these", "those", "whether", "his", "her", "he", "she",
}


# Bump when terms() changes: BM25 indexes built with other terms must be rebuilt.
TERMS_VERSION = 4
# Distinct texts whose terms are kept (a few MB per ten thousand sentences).
TERMS_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class Morpheme:
    surface: str
    base: str
    pos: str
    reading: str
    start: int
    end: int
    proper: str = ""  # the kind of proper noun it is (地名, 人名, 組織名), else ""
    # The dictionary's headword, one for every way of writing the word (いう and 言う, わかる and 分かる,
    # 取組 and 取り組み): a phrase written one way meets a question typed the other.
    lemma: str = ""
    country: bool = False  # a country's name (ベトナム, インド), as the dictionary marks it


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
            proper = (getattr(feature, "pos3", "") or "") if getattr(feature, "pos2", "") == "固有名詞" else ""
            # A loanword's headword carries its source word (サポート-support): the Japanese part is the word.
            lemma = (getattr(feature, "lemma", None) or base).split("-")[0] or base
            country = bool(proper) and getattr(feature, "pos4", "") == "国"
            out.append(Morpheme(surface, base, feature.pos1 or "", reading, start, end, proper, lemma, country))
            pos = end
        return out

    def count(self, text: str) -> int:
        """How many MeCab tokens ``text`` has (the unit chunk sizes are counted in)."""
        with self._lock:
            return len(self._tagger(text))

    def terms(self, text: str) -> list[str]:
        """Content-word terms of NFKC text for BM25: base forms, no particles or punctuation."""
        return list(self._cached_terms(nfkc(text)))

    def reading(self, text: str) -> str:
        """The whole text in hiragana, punctuation dropped (神戸通商事務所 → こうべつうしょうじむしょ)."""
        return "".join(hiragana(m.reading) for m in self.morphemes(nfkc(text)) if m.pos not in _STOP_POS)

    def _terms_of(self, text: str) -> tuple[str, ...]:
        terms = []
        for m in self.morphemes(text):
            if m.pos in _STOP_POS or m.base in _STOP_WORDS or not m.surface.strip():
                continue
            # Katakana folds to hiragana on both sides, so "Ｇめん" meets "Ｇメン".
            terms.append(hiragana(m.base.lower()))
        return tuple(terms)


@lru_cache(maxsize=1)
def get_tokenizer() -> Tokenizer:
    """The shared tokenizer (loading UniDic takes a few tens of milliseconds)."""
    return Tokenizer()
