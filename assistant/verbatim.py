"""Names typed verbatim: runs of the asker's words that the document writes, word for word, in one
initiative only (IT導入補助金, はばたく300社).

Word rarity sees IT導入補助金 as IT, 導入 and 補助金, words other slides use too (補助金交付); the run as a
whole is a name only one initiative's slides give, and says which initiative the asker is reading about.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.normalize import nfkc
from assistant.tokenizer import GRAMMAR, Tokenizer

# Particles and auxiliaries join words into phrases (の社会実装に), punctuation parts them: a name is made of
# the words between them.
_JOINING = (*GRAMMAR, "補助記号", "記号")
_MIN_NAME = 4  # characters: shorter runs (人材, 海外) are words, not names
_KANA_ONLY = re.compile(r"^[ぁ-ゖー]+$")
_JAPANESE = re.compile(r"[^\x00-\x7f]")  # an English word (economy, technology) is no name, whatever slide has it


def _folded(text: str) -> str:
    return re.sub(r"\s", "", nfkc(text).lower())  # slides wrap lines inside names


class VerbatimNames:
    """Which initiative's text alone holds each run of words a question types (``owners``)."""

    def __init__(self, texts: dict[str, str], tokenizer: Tokenizer) -> None:
        self._texts = {title: _folded(text) for title, text in texts.items()}
        self._document = "\n".join(self._texts.values())
        self._tokenizer = tokenizer
        self.owners = lru_cache(maxsize=2048)(self._owners)

    def says(self, title: str, phrase: str) -> bool:
        """Whether the initiative's own text writes the phrase (as a question is read: NFKC, lower case)."""
        return phrase in self._texts.get(title, "")

    def _owners(self, normalized: str) -> frozenset[str]:
        """The initiatives holding, alone among all, a name the text types (the longest runs of its words
        the document writes as typed, no particle in them)."""
        found: set[str] = set()
        for run in self._runs(normalized):
            holders = [title for title, text in self._texts.items() if run in text]
            if len(holders) == 1:
                found.add(holders[0])
        return frozenset(found)

    def echoed(self, normalized: str, shown: str) -> list[str]:
        """The phrases of a message that a text shown to the asker writes as typed: runs of its words joined
        by の at most (地域の取組: the words of a quote picked up)."""
        return self._runs(normalized, _folded(shown), through_no=True)

    def _runs(self, normalized: str, within: str | None = None, through_no: bool = False) -> list[str]:
        """The longest runs of consecutive words, none a particle (but の, ``through_no``, between two words),
        that the document (or ``within``) writes as one string."""
        within = self._document if within is None else within
        morphemes = [m for m in self._tokenizer.morphemes(normalized) if m.surface.strip()]
        runs: list[str] = []
        i = 0
        while i < len(morphemes):
            run, read, last = "", "", None  # the run so far, and up to its last word (not a の after it)
            for j in range(i, len(morphemes)):
                joins = through_no and j > i and morphemes[j].surface == "の" and j + 1 < len(morphemes) \
                    and morphemes[j + 1].pos not in _JOINING
                if (morphemes[j].pos in _JOINING and not joins) \
                        or (longer := read + _folded(morphemes[j].surface)) not in within:
                    break
                read = longer
                if not joins:
                    run, last = read, j
            if last is None:
                i += 1
                continue
            # One word alone (メニュー) is a word whatever slide has it, its rarity weighed already: a name is
            # words written together (IT + 導入 + 補助金).
            if last > i and len(run) >= _MIN_NAME and not _KANA_ONLY.match(run) and _JAPANESE.search(run):
                runs.append(run)
            i = last + 1
        return runs
