"""Names the document writes in Latin letters (eVTOL, BiocK, JETRO), read through a slip of one letter.

A name typed with two letters swapped (eVOTL), one wrong, one left out or one too many finds nothing: no
word of the document is spelt that way, and the encoder hears a stranger. A word that is one slip from
exactly one such name, and is itself neither a word of the document nor an English word the lexicon
knows, is read as that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A run of Latin letters (digits inside a name: 5G); what a name is made of.
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def name_like(word: str) -> bool:
    """Written with a capital after its first letter (eVTOL, BiocK, JETRO), as names are and English words
    are not: an English word one letter from a name (Asian, ASEAN) is not a slip of it."""
    return any(c.isupper() for c in word[1:])


def one_slip(typed: str, name: str) -> bool:
    """Whether ``typed`` is ``name`` with one letter wrong, two neighbours swapped, or one letter more or less."""
    if typed == name or abs(len(typed) - len(name)) > 1:
        return False
    if len(typed) == len(name):
        wrong = [i for i, (a, b) in enumerate(zip(typed, name, strict=True)) if a != b]
        return len(wrong) == 1 or (len(wrong) == 2 and wrong[1] == wrong[0] + 1
                                   and typed[wrong[0]] == name[wrong[1]] and typed[wrong[1]] == name[wrong[0]])
    short, long = sorted((typed, name), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# A name of four letters or fewer (DAYS, NEDO, AIST) is one slip from too many everyday words to be corrected.
SHORTEST = 5


class LatinNames:
    """Reads a slip in a name the document writes in Latin letters as the name, as the document writes it."""

    def __init__(self, document_text: str, english_words: Iterable[str]) -> None:
        words = _LATIN.findall(document_text)
        english = {w.lower() for phrase in english_words for w in phrase.split()}
        self._known = {w.lower() for w in words} | english
        self._names = {w.lower(): w for w in words if len(w) >= SHORTEST and name_like(w)}

    def correct(self, text: str) -> str:
        """``text`` with each unknown word typed like a name and one slip from exactly one name read as that name."""
        def read(m: re.Match[str]) -> str:
            word = m.group(0)
            if len(word) < SHORTEST or not name_like(word) or word.lower() in self._known:
                return word
            near = [name for low, name in self._names.items() if one_slip(word.lower(), low)]
            return near[0] if len(near) == 1 else word
        return _LATIN.sub(read, text)
