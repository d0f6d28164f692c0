"""English words read in the document's words.

A question asked in English meets Japanese sentences only through the encoder's sense of meaning and
the glossary's topics; its plain content words ("member organisations", "prefectures", "trade
fair") find no Japanese word to match. ``corpus/english_words.json`` lists, for the document's own
vocabulary, the English words a general dictionary (JMdict) gives for each word (``scripts/
build_english_words.py``); a question's English words, uninflected alike, are read as those document words.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_WORD = re.compile(r"[a-z][a-z']*")
# British spellings read as American ones (organisation, organization).
_BRITISH = ((re.compile(r"is(ation|ations|e|es|ed|ing)$"), r"iz\1"), (re.compile(r"our$"), "or"))
_LONGEST = 3  # words in the longest English phrase listed (industrial complex, supply chain)

@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """One English word without its inflection (organisations, organization → organization; hired,
    hiring → hir), spelled the American way. Derived words stay apart (community is not communicate)."""
    for pattern, american in _BRITISH:
        word = pattern.sub(american, word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for ending in ("ied", "ed", "ing"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            word = (word[: -len(ending)] + "y") if ending == "ied" else word[: -len(ending)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":  # planned → plan
                word = word[:-1]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word  # hire, hired, hiring → hir


def stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower())]


class EnglishWords:
    """The document's words for English words, keyed by their uninflected forms (space-joined for a phrase)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    @classmethod
    def load(cls, path: Path) -> EnglishWords:
        """The list at ``path``; an empty one when the file is missing (English then reads as before)."""
        if not path.exists():
            return cls({})
        return cls(json.loads(path.read_text(encoding="utf-8"))["words"])

    def document_words(self, text: str) -> list[str]:
        """The document's words for the English words of ``text``, longest phrase first, each once."""
        seq = stems(text)
        out: dict[str, None] = {}
        i = 0
        while i < len(seq):
            for n in range(min(_LONGEST, len(seq) - i), 0, -1):
                found = self.table.get(" ".join(seq[i : i + n]))
                if found:
                    out.update(dict.fromkeys(found))
                    i += n
                    break
            else:
                i += 1
        return list(out)
