"""A message's words as MeCab reads them: written, base and headword forms, readings, names, katakana runs and
words written as one; whether a phrase is said, and whether a question word in it asks (an English "who",
"where" or "when" after a noun does not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from assistant.normalize import KANJI, hiragana, nfkc
from assistant.tokenizer import Tokenizer

_PLACE_NOUNS = frozenset({"会場", "場所", "開催場所", "開催地"})  # asked as 会場は？, named as 会場での
_WHICH = frozenset({"どこ", "どの", "何処", "どちら"})  # どこの会場で asks the venue that 会場で alone names

Phrase = tuple[str, ...]  # a phrase as the sequence of its tokens
PREFIX = "*"  # a glossary phrase ending so matches any word it begins (decarboni* → decarbonisation)
_QUANTIFIED = frozenset({"いつ", "何", "なに", "どこ", "誰", "だれ", "どれ"})  # + も: always, nothing, everywhere…
# 「誰に相談すれば」「どこで聞けば」 ask whom to call (the office), not who runs something or where it is.
_WHOM = frozenset({"誰", "だれ", "どこ"})
_CONSULT = ("相談", "聞", "訊", "頼", "言", "問い合わせ", "問合せ", "連絡", "話")
_CONSULT_EN = frozenset({"help", "contact", "call", "ask", "talk", "speak", "consult", "approach"})  # "who can help"
# Words before an English "who" that asks (Do you know who…, tell me who…, and who…); after any other word it
# is a relative pronoun (an engineer who graduated here, companies who export) and asks nothing.
_BEFORE_ASKING_WHO = frozenset({"know", "knows", "tell", "ask", "asking", "wonder", "wondering", "about", "see", "find",
                                "out", "me", "us", "and", "or", "but", "so", "then", "exactly", "ok", "okay", "hi",
                                "hello", "to", "is", "was", "says", "say"})
# Words after an English "where" or "when" that asks (where is…, when will…); another word after one that
# follows a noun makes it a relative ("a site where overseas buyers get matched…", "any website where buyers
# from abroad can find…"), which asks for no place or date.
_AUXILIARIES = frozenset({"is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can", "could", "will",
                          "would", "should", "shall", "may", "might", "exactly", "abouts"})
_COMPOUND_PARTS = frozenset({"名詞", "接尾辞", "接頭辞"})  # the parts of a word written as one (補助 + 金)
_COMPOUND_CHARS = 3  # characters: shorter joins (会議, 人材) are words MeCab reads whole anyway
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]{3,}")


@dataclass(frozen=True)
class Words:
    """A text as MeCab tokens, written forms and base forms, for whole-word phrase matching."""

    surfaces: tuple[str, ...]
    bases: tuple[str, ...]
    # The dictionary's headwords in kanji: 日本語でいうと meets the phrase 日本語で言う. Not a headword in katakana:
    # たい read as a noun has タイ, the country.
    lemmas: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # countries it names (ベトナム出身の: the people it speaks of are from abroad)
    readings: tuple[str, ...] = ()  # each token's sound in hiragana (何階: なんかい, as 何回 sounds)
    names: tuple[str, ...] = ()  # the places and bodies it names, MeCab's proper nouns (堺), lower case
    # Nouns written together, which MeCab reads in pieces (補助 + 金, 説明 + 会): the word the asker means.
    compounds: tuple[str, ...] = ()
    verbs: frozenset[int] = frozenset()  # the places of its verbs (教えて's 教え)

    @classmethod
    def of(cls, text: str, tokenizer: Tokenizer) -> Words:
        ms = [m for m in tokenizer.morphemes(nfkc(text)) if m.surface.strip()]
        runs: list[list[str]] = []
        for k, m in enumerate(ms):
            if m.pos not in _COMPOUND_PARTS:
                continue
            if k and ms[k - 1].pos in _COMPOUND_PARTS and ms[k - 1].end == m.start:
                runs[-1].append(m.surface)
            else:
                runs.append([m.surface])
        # Not folded to hiragana: the phrase タイ (Thailand) must not meet the auxiliary たい.
        return cls(tuple(m.surface for m in ms), tuple(_singular(nfkc(m.base)) for m in ms),
                   tuple(nfkc(m.lemma if KANJI.search(m.lemma) else m.base) for m in ms),
                   tuple(m.surface for m in ms if m.country), tuple(hiragana(m.reading or m.surface) for m in ms),
                   tuple(nfkc(m.surface).lower() for m in ms if m.proper),
                   tuple(w.lower() for run in runs if len(run) >= 2 and len(w := "".join(run)) >= _COMPOUND_CHARS),
                   frozenset(k for k, m in enumerate(ms) if m.pos == "動詞"))

    def has(self, phrase: Phrase) -> bool:
        """Whether the tokens of ``phrase`` occur in a row, as written, in base form or as headwords; a katakana word
        also as a whole run of katakana, however MeCab cut it in this sentence (ラン + サム + ウェア)."""
        if phrase[-1:] == (PREFIX,):  # the last word only begins like the stem (participat* → participating)
            stem = phrase[:-1]
            n = len(stem)
            return bool(n) and any(seq[i : i + n - 1] == stem[:-1] and seq[i + n - 1].startswith(stem[-1])
                                   for seq in (self.surfaces, self.bases) for i in range(len(seq) - n + 1))
        n = len(phrase)
        if not n:
            return False
        if _KATAKANA_WORD.fullmatch("".join(phrase)) and "".join(phrase) in self.katakana_runs:
            return True
        if n > 1 and "".join(phrase) in self.surfaces:
            return True  # MeCab cuts by context: 何人 is 何 + 人 in 何人？ but one word in 従業員何人以下
        for seq in (self.surfaces, self.bases, self.lemmas):
            for i in range(len(seq) - n + 1):
                if seq[i : i + n] == phrase:
                    return True
        if n > 1 and phrase[-1] == "を":
            # Said casually without its を, the noun straight before the verb (テーマ教えて, テーマおしえて).
            bare = phrase[:-1]
            if any(seq[i : i + n - 1] == bare and i + n - 1 in self.verbs
                   for seq in (self.surfaces, self.bases) for i in range(len(seq) - n + 2)):
                return True
        # MeCab may take って's small っ into a word ending in kanji (補助率って → 補助 + 率っ + て, 締切って →
        # 締切っ + て): the word is still written.
        if KANJI.fullmatch(phrase[-1]):
            cut = (*phrase[:-1], phrase[-1] + "っ")
            return any(self.surfaces[i : i + n] == cut for i in range(len(self.surfaces) - n + 1))
        return False

    def asks(self, phrase: Phrase) -> bool:
        """``has``, where a question word followed by も is not asking: いつも (always), 何も (nothing),
        どこも (everywhere) quantify, they do not ask; nor does 誰に相談 or "who can help" ask who (it asks whom
        to call), nor a "who" after a noun (an engineer who graduated here)."""
        if phrase[0] == "who":
            seq, n = self.surfaces, len(phrase)
            return any(seq[i : i + n] == phrase and not _CONSULT_EN & set(seq[i + 1 : i + n + 3])
                       and not (i and seq[i - 1].isalpha() and seq[i - 1].isascii()
                                and seq[i - 1] not in _BEFORE_ASKING_WHO)
                       for i in range(len(seq) - n + 1))
        seq, n = self.surfaces, len(phrase)
        if phrase[0] in _WHOM or (n == 1 and phrase[0] in _QUANTIFIED):
            # 誰も/どこも quantify; 誰に相談, どこで聞いたら, どこに言えば ask whom to call, not who or where. A verb
            # after them asks in any form (どこと組んでる: 組む).
            return any(form[i : i + n] == phrase and not (n == 1 and seq[i + 1 : i + 2] == ("も",))
                       and not (phrase[0] in _WHOM and self._consults(i + 1))
                       for form in (seq, self.bases) for i in range(len(seq) - n + 1))
        if n == 1 and phrase[0] in _PLACE_NOUNS:
            # A place named as where something happens (万博会場でのイベント, 会場でやるイベントは何日) is not asked
            # for, nor is a place to consult (相談できる場所: an office to call, not where something is held).
            # Asked all the same where どこの or どの points at it (どこの会場でやるん).
            return any(w == phrase[0] and (seq[i + 1 : i + 2] != ("で",) or bool(_WHICH & set(seq[max(0, i - 2) : i])))
                       and not (w == "場所" and any(x.startswith(_CONSULT) for x in seq[max(0, i - 3) : i]))
                       for i, w in enumerate(seq))
        return self.has(phrase)

    def _consults(self, k: int) -> bool:
        """Whether the words from ``k`` (a particle, then a verb) ask whom to consult (に相談, で聞く)."""
        seq = self.surfaces
        if k < len(seq) and seq[k] in ("に", "で", "へ"):
            k += 1
        return k < len(seq) and seq[k].startswith(_CONSULT)

    def has_any(self, phrases: Sequence[Phrase]) -> list[Phrase]:
        return [p for p in phrases if self.has(p)]

    @cached_property
    def katakana_runs(self) -> frozenset[str]:
        """Each run of katakana as one word (タイミング is one: the phrase タイ is not in it)."""
        return frozenset(_KATAKANA_WORD.findall("".join(self.surfaces)))

    @property
    def tokens(self) -> frozenset[str]:
        """Every token, written form, base form and headword (to skip phrases that cannot occur)."""
        return frozenset(self.surfaces) | frozenset(self.bases) | frozenset(self.lemmas)


def phrase_of(text: str, tokenizer: Tokenizer) -> Phrase:
    """A glossary phrase as tokens, compared by written form (base forms of the question also count); an
    English stem ending in ``*`` keeps the mark as a token of its own."""
    if text.endswith(PREFIX):
        return (*Words.of(text[:-1], tokenizer).surfaces, PREFIX)
    return Words.of(text, tokenizer).surfaces


_PLURAL = re.compile(r"[a-z]{3,}[^su]s")  # tickets, loans, rates; not its, this, business, bonus


def _singular(word: str) -> str:
    """An English plural in its singular form (tickets → ticket, cities → city), so the phrase "ticket" meets
    both."""
    if not _PLURAL.fullmatch(word):
        return word
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]  # cities → city


def relatives_dropped(surfaces: tuple[str, ...]) -> list[str]:
    """The words with each relative "where" or "when" (after a noun, before its clause's subject) made "that"."""
    out = list(surfaces)
    for i in range(1, len(out) - 1):
        before, after = out[i - 1].lower(), out[i + 1].lower()
        if out[i].lower() in ("where", "when") and before.isascii() and before.isalpha() \
                and before not in _BEFORE_ASKING_WHO and after.isascii() and after.isalpha() and after not in _AUXILIARIES:
            out[i] = "that"
    return out
