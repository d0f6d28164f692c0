"""What each initiative's own words are, and what a question's words name by them: word rarity across the
initiatives, the words of each title, and names in Latin letters that one title or one initiative's slides
alone write (GX, DAYS). The router weighs evidence with them; the conversation asks whether a follow-up's
words belong to the current topic.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from assistant.question import Question, asking_sentence
from assistant.tokenizer import Tokenizer
from assistant.verbatim import VerbatimNames

_LATIN_NAME = re.compile(r"[a-z][a-z0-9]{1,7}")
_CAPITALISED = re.compile(r"(?<![A-Za-z])[A-Za-z]*[A-Z][a-z]*[A-Z][A-Za-z]*(?![A-Za-z])")  # two capitals or more: a name
_ALL_CAPITALS = re.compile(r"(?<![A-Za-z])[A-Z]{3,}(?![A-Za-z])")  # a word a title writes in capitals (EXPO)


def _typed_in_capitals(text: str) -> set[str]:
    """The names a message types in capitals (DAYS, WASSE), lower case: three letters or more, and not a formula
    (CO2), which every slide on emissions may write."""
    return {name.lower() for name in _CAPITALISED.findall(text) if len(name) >= 3
            and not re.search(rf"(?<![A-Za-z]){re.escape(name)}[0-9]", text)}


class InitiativeWords:
    """Each initiative's title and text as words, weighed by how few initiatives use them."""

    def __init__(self, texts: dict[str, str], tokenizer: Tokenizer, no_topic: frozenset[str]) -> None:
        self.text_of = texts
        self.terms_of = {t: set(tokenizer.terms(f"{t}\n{text}")) for t, text in texts.items()}
        self._no_topic = no_topic
        self._verbatim = VerbatimNames(texts, tokenizer)
        # Words weigh by how few initiatives use them: 中小企業, 支援 and 推進 are everywhere.
        df: dict[str, int] = defaultdict(int)
        for terms in self.terms_of.values():
            for term in terms:
                df[term] += 1
        n = len(self.terms_of) or 1
        self._idf = {term: math.log(1 + n / d) for term, d in df.items()}
        self.unknown_idf = math.log(1 + 2 * n)  # a word the document never uses
        # A question naming an initiative's own subject (its title words) is about it.
        self.title_terms = {t: set(tokenizer.terms(t)) for t in texts}
        self._titles_naming: dict[str, set[str]] = defaultdict(set)  # a title word → the titles that say it
        # A word a title writes in capitals (Global Startup EXPO) names it in English only where typed so: the
        # Osaka-Kansai Expo, typed as a word, is the everyday one (万博), as 'days' is for DAYS.
        self._capital_title_words = {w.lower() for t in texts for w in _ALL_CAPITALS.findall(t)}
        for title, terms in self.title_terms.items():
            for term in terms:
                self._titles_naming[term].add(title)
        # A name in Latin letters that one initiative's slides alone write (DAYS, BiocK, WASSE: two capitals, where
        # an English word has one at most, Economy, Pitch) names it as a title word would, when typed in a
        # Japanese question (in English, 'days' is a word).
        written = {w.lower() for w in _CAPITALISED.findall("\n".join(texts.values()))}
        self._text_naming = {term: {title} for title, terms in self.terms_of.items() for term in terms
                             if df[term] == 1 and term in written and _LATIN_NAME.fullmatch(term)
                             and term not in self._titles_naming}

    def idf(self, term: str) -> float:
        return self._idf.get(term, self.unknown_idf)

    def says(self, title: str, phrase: str) -> bool:
        """Whether the initiative's own text says the phrase as written (海外展開 on the hydrogen slides)."""
        return self._verbatim.says(title, phrase)

    def echoes(self, question: Question, shown: str, title: str, other: str) -> bool:
        """Whether a message picks up a phrase of quotes just shown (地域の取組, quoted from the hydrogen slides)
        that ``title``'s own text writes and ``other``'s never does."""
        return any(self.says(title, p) and not self.says(other, p)
                   for p in self._verbatim.echoed(question.normalized, shown))

    def owners(self, question: Question) -> frozenset[str]:
        """The initiatives whose text alone writes a name the sentence asking types: a run of its words
        (IT導入補助金), or a name in capitals as the slides write it (DAYS, WASSE: a name in an English question
        too, where 'days' is a word)."""
        typed = asking_sentence(question.text)
        return self._verbatim.owners(asking_sentence(question.normalized)) | frozenset(
            title for name in _typed_in_capitals(typed) for title in self._text_naming.get(name, ()))

    def covers(self, title: str, question: Question, typed: bool = False) -> float:
        """How much of what a question names (by word rarity) the initiative's own text uses: a
        follow-up the current topic's text can answer stays on it (「コンソーシアムはいつできた？」).
        ``typed``: only the words the asker wrote, not the glossary's words for them (水素 brings 利活用)."""
        named = question.named & self._idf.keys()  # a word the document never uses points nowhere
        if typed:
            named &= question.typed_terms
        return self._share_used(title, named) if named else 1.0

    def uses(self, title: str, question: Question) -> float:
        """How much of what the asker typed (by word rarity), asking words included, the initiative's text
        uses: 「その３つの柱って？」 names no subject, but one initiative's slides speak of three 柱."""
        return self._share_used(title, question.typed_terms - self._no_topic)

    def _share_used(self, title: str, terms: frozenset[str] | set[str]) -> float:
        """The share (by word rarity) of ``terms`` that the initiative's own text uses (0 for no terms)."""
        weight = sum(self.idf(t) for t in terms)
        return sum(self.idf(t) for t in terms & self.terms_of.get(title, set())) / weight if weight else 0.0

    def known(self, term: str) -> bool:
        """Whether some initiative's text uses the term."""
        return term in self._idf

    def everyday(self, question: Question) -> frozenset[str]:
        """The words a title writes in capitals that an English question types as everyday words (Expo)."""
        if not question.english:
            return frozenset()
        return frozenset(self._capital_title_words - _typed_in_capitals(question.text))

    def bm25_query(self, question: Question, everyday: frozenset[str]) -> str:
        """The question's BM25 text without ``everyday``, the words a title writes as a name that it types as
        everyday words (``everyday(question)``, read once by the caller)."""
        if not everyday:
            return question.sparse_text
        return re.sub(rf"\b({'|'.join(map(re.escape, sorted(everyday)))})\b", " ", question.sparse_text)

    def latin_names(self, question: Question) -> tuple[dict[str, float], float]:
        """Names the asker typed in Latin letters that some initiative's title says (DX, eVTOL, GSE), with
        their rarity, and the rarity of all the question names: read once per question."""
        named = (question.named - self.everyday(question)) & self._idf.keys()
        weight = sum(self.idf(t) for t in named)
        # Only a name typed in Latin letters: one letter apart (DX, GX), the encoder hears them alike;
        # everyday words (海外) belong to many initiatives whatever the titles say.
        # In English a name the slides write is one where typed as they write it, in capitals (the cross-border
        # DAYS), not the everyday word (days).
        capitals = _typed_in_capitals(question.text) if question.english else set()
        latin = {t: self.idf(t) for t in named & question.typed_terms if _LATIN_NAME.fullmatch(t) and (
                 t in self._titles_naming or (t in self._text_naming and (not question.english or t in capitals)))}
        return latin, weight

    def names_only_in_title(self, question: Question, title: str, other: str) -> bool:
        """Whether the question types a name in Latin letters that ``title`` says and ``other``'s title does
        not (GX: 中堅・中小企業の面的GX支援プロジェクト, not 水素利活用促進プロジェクト)."""
        latin, _ = self.latin_names(question)
        return any(title in (named := self._titles_naming.get(t, set())) and other not in named for t in latin)

    def glosses_only_in_title(self, question: Question, title: str, other: str) -> bool:
        """Whether an English question names, in the document's words the glossary reads it as, a word that
        ``title``'s title alone says and ``other``'s text never uses ("circular economy": サーキュラーエコノミー,
        after hydrogen): the title is named as surely as by a name typed in Latin letters."""
        if not question.english:
            return False
        theirs = self.terms_of.get(other, set())
        # Only the glossary's Japanese words: a word typed in Latin letters ("their Expo event") or a year
        # (FY2025) may well point back, as the Latin names' rule has it.
        glossed = {t for t in question.named - question.typed_terms if not t.isascii()}
        return any(self._titles_naming.get(t) == {title} and t not in theirs for t in glossed)

    def names_only_in_text(self, question: Question, title: str, other: str) -> bool:
        """Whether the question names a place or body (a proper noun: 堺) that ``title``'s own text writes and
        ``other``'s never does (堺・泉北コンビナート on the hydrogen slides, not the circular economy's)."""
        mine, theirs = self.terms_of.get(title, set()), self.terms_of.get(other, set())
        return any(n in mine and n not in theirs for n in question.words.names)

    def names_elsewhere(self, title: str, latin: dict[str, float], weight: float) -> float:
        """1, less the share (by word rarity) of what the question names that another initiative's title
        says and this initiative's text never uses (DX for the GX project): the encoder hears 中小企業の
        DX支援 much like 中小企業のGX支援, and the GX examples' vote for it is a false friend."""
        if not weight:
            return 1.0
        own = self.terms_of.get(title, set())
        foreign = [rarity for t, rarity in latin.items()
                   if t not in own and (self._titles_naming.get(t) or self._text_naming[t]) - {title}]
        return 1.0 - sum(foreign) / weight
