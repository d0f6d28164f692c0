"""Understanding the question offline: the document's words for what people say and
whether the question asks for something the document never states (kana readings: ``readings``).

The vocabulary is data (``corpus/glossary.json``) or read from the document itself; nothing here is
a code branch per topic. Phrases match whole MeCab tokens (or their base forms), never a piece of
a word: タイ does not fire inside タイミング.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.normalize import KANJI, hiragana, nfkc, unvoiced, years_named
from assistant.tokenizer import GRAMMAR, Tokenizer

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
# follows a noun makes it a relative ("a matching site where overseas buyers can meet", "an event where I
# could meet…"), which asks for no place or date.
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
                   tuple(w.lower() for run in runs if len(run) >= 2 and len(w := "".join(run)) >= _COMPOUND_CHARS))

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
            # 誰も/どこも quantify; 誰に相談, どこで聞いたら, どこに言えば ask whom to call, not who or where.
            return any(seq[i : i + n] == phrase and not (n == 1 and seq[i + 1 : i + 2] == ("も",))
                       and not (phrase[0] in _WHOM and self._consults(i + 1)) for i in range(len(seq) - n + 1))
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


@dataclass(frozen=True)
class CoverageRule:
    about: str
    asks: tuple[Phrase, ...]
    needs: str  # a regular expression, or "$same": the asked word must occur in the document
    asks_pattern: re.Pattern[str] | None = None  # asked words found by a pattern (years, other bureaus)
    # What, right after an asked word, makes the question one the document answers after all: a place
    # asked about as a member (三重県も入ってる？) is answered by the list of members, which leaves it out.
    unless_after: re.Pattern[str] | None = None


@dataclass(frozen=True)
class AnswerType:
    """A kind of fact a question can ask for (a date, a count) and what a sentence stating it contains."""

    name: str
    asks: tuple[Phrase, ...]
    pattern: re.Pattern[str]
    strict: bool  # the document not stating one means it does not answer the question
    suggest: dict[str, str] | None = None  # a follow-up question to offer, by language
    ask_terms: frozenset[str] = frozenset()  # the asking words as BM25 terms: they name no topic
    names: str = ""  # the kind of proper noun an answer names (地名 for どこの国): a rare one answers
    items: bool = False  # the answer is a list (who takes part): a bulleted item is quoted with its siblings
    asks_pattern: re.Pattern[str] | None = None  # asking told by a pattern over the tokens (3 つ … 何)
    refines: tuple[str, ...] = ()  # broader types this one narrows (何月何日 asks a day, not any date or month)
    figure: bool = False  # answered by a figure (a target: 100者まで, 50件): its words alone (目標 ①…) half answer
    defined: bool = False  # answered by a slide about the thing named (（参考）「関西・共創の森」について)
    picked_by_words: bool = False  # many lines hold one (a name in 「」): the asker's rarer words pick which


_KANA_WORD = re.compile(r"[ぁ-ゖー]{3,}")


def _relatives_dropped(surfaces: tuple[str, ...]) -> list[str]:
    """The words with each relative "where" or "when" (after a noun, before its clause's subject) made "that"."""
    out = list(surfaces)
    for i in range(1, len(out) - 1):
        before, after = out[i - 1].lower(), out[i + 1].lower()
        if out[i].lower() in ("where", "when") and before.isascii() and before.isalpha() \
                and before not in _BEFORE_ASKING_WHO and after.isascii() and after.isalpha() and after not in _AUXILIARIES:
            out[i] = "that"
    return out


def _any_of(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern finding any of the words as written, or None for no words."""
    return re.compile("|".join(map(re.escape, words))) if words else None


_PLURAL = re.compile(r"[a-z]{3,}[^su]s")  # tickets, loans, rates; not its, this, business, bonus


def _singular(word: str) -> str:
    """An English plural in its singular form (tickets → ticket, cities → city), so the phrase "ticket" meets
    both."""
    if not _PLURAL.fullmatch(word):
        return word
    return word[:-3] + "y" if word.endswith("ies") else word[:-1]  # cities → city


def _voiced(kana: str) -> str:
    """Kana as typed in romaji: katakana as hiragana, ぢ and づ as じ and ず (romaji cannot tell them apart)."""
    return hiragana(kana).translate(str.maketrans("ぢづ", "じず"))


def _sound(kana: str) -> str:
    """Kana as it sounds, loosely: voicing marks off too (かいさいび and MeCab's かいさいひ for 開催日, ひずけ and
    ひづけ for 日付 meet)."""
    return unvoiced(_voiced(kana))


class Glossary:
    """Phrases people use mapped to the document's vocabulary, the coverage rules and the answer types."""

    def __init__(self, entries: list[tuple[tuple[Phrase, ...], str]], coverage: list[CoverageRule],
                 answer_types: list[AnswerType] | None = None, no_topic: frozenset[str] = frozenset(),
                 help_words: tuple[str, ...] = (), background_words: tuple[str, ...] = (),
                 not_help_words: tuple[str, ...] = (), actors: tuple[tuple[str, tuple[str, ...]], ...] = (),
                 no_offer_words: tuple[str, ...] = (), offer_endings: tuple[str, ...] = ()) -> None:
        self.entries = entries
        self.coverage = coverage
        self.answer_types = answer_types or []
        self.no_topic = no_topic  # words that point at a topic without naming one (その, 電話番号)
        self.by_sound: dict[str, AnswerType] = {}
        self.by_voiced: dict[str, AnswerType] = {}
        self.by_particle: dict[str, AnswerType] = {}  # asks whose particle's voicing is heard (なにがある), as typed
        # Words of help an asker can take up (センター, 診断, 派遣, セミナー): a sentence naming one tells an
        # owner what exists for them, where an aim (…を目指す) does not.
        self.help = _any_of(help_words)
        # Uses of those words that name no help (関西を拠点に, 認定されている): taken out before counting.
        self.not_help = _any_of(not_help_words)
        self.no_offer = _any_of(no_offer_words)
        # Endings saying something is done or offered (…支援を実施, …を開催する): such a sentence offers help
        # however it names it (包括的な支援を実施), where an aim (…を目指す) does not.
        self.offer = re.compile(f"(?:{'|'.join(map(re.escape, offer_endings))})[。．\\s]*$") if offer_endings else None
        # Words of a slide's background (不足, 高齢化, 見込まれる): such a sentence says why the initiative
        # exists, not what an owner can use.
        self.background = _any_of(background_words)
        # Kinds of actor a measure may be addressed to (自治体, 金融機関), each with the words an asker who is
        # one uses of themselves (市役所, 信用金庫).
        self.actors = actors
        # The people an initiative is for, where its title names them (外国人材), with the words an asker uses
        # who speaks of them (留学生, foreign): read in the question's search text, so the glossary's words count.
        self.audiences: tuple[tuple[str, tuple[str, ...]], ...] = ()
        # Years said relative to the document's own (昨年度, this year): offsets from it, read as years.
        self.document_year: int | None = None
        self.relative_years: dict[str, int] = {}
        # Words pointing back to a time named earlier (そのとき, that year).
        self.years_pointed_back: tuple[str, ...] = ()
        # Words asking about every year up to now (今まで, so far): the years before the document's own.
        self.years_so_far: tuple[str, ...] = ()
        self.years_so_far_span = 0
        # Words pointing at the document itself (資料では, in the slides): where to look, not what is asked for.
        self.document_itself: re.Pattern[str] | None = None

    def years_asked(self, asking: str, whole: str) -> frozenset[int]:
        """The years the asking sentence names; one pointing back to a time named earlier (「そのときの参加企業は？」
        read with its topic's 「2023年度は何回？」) asks about the years the whole message names."""
        years = self.years_said(asking)
        if not years and any(word in asking for word in self.years_pointed_back):
            return self.years_said(whole)
        if not years and self.document_year is not None and any(word in asking for word in self.years_so_far):
            # 「今まで何回やったの？」 asks about each year's row of a table, not the latest alone.
            return frozenset(range(self.document_year - self.years_so_far_span, self.document_year))
        return years

    def years_said(self, text: str) -> frozenset[int]:
        """The years a question names, written out (2023年度, FY2023) or said relative to the document's year
        (昨年度 in a FY2025 document is 2024)."""
        years = years_named(text)
        if self.document_year is not None:
            years |= {self.document_year + offset for word, offset in self.relative_years.items() if word in text}
        return years

    @classmethod
    def load(cls, path: Path, tokenizer: Tokenizer) -> Glossary:
        if not path.exists():
            return cls([], [])
        data = json.loads(path.read_text("utf-8"))

        def phrases(items: list[str]) -> tuple[Phrase, ...]:
            return tuple(p for p in (phrase_of(a, tokenizer) for a in items) if p)

        entries = [(phrases(e["phrases"]), e["expand"]) for e in data.get("entries", [])]
        coverage = [CoverageRule(r["about"], phrases(r.get("asks", [])), r["needs"],
                                 re.compile(r["asks_pattern"]) if "asks_pattern" in r else None,
                                 re.compile(r["unless_after"]) if "unless_after" in r else None)
                    for r in data.get("coverage", [])]
        variants: dict[str, list[str]] = data.get("ask_variants", {})

        def said_alike(asks: list[str]) -> list[str]:  # どんなアプローチ asks as どのようなアプローチ does
            alike = [a.replace(word, other) for a in asks for word, others in variants.items() if word in a
                     for other in others]
            return list(dict.fromkeys(asks + alike))

        answer_types = [AnswerType(r["type"], phrases(said_alike(r["asks"])), re.compile(r["pattern"]),
                                   bool(r.get("strict")),
                                   r.get("suggest"), frozenset(t for a in r["asks"] for t in tokenizer.terms(a)),
                                   r.get("names", ""), bool(r.get("items")),
                                   re.compile(r["asks_pattern"]) if "asks_pattern" in r else None,
                                   tuple(r.get("refines", ())), bool(r.get("figure")), bool(r.get("defined")),
                                   bool(r.get("picked_by_words")))
                        for r in data.get("answer_types", [])]
        # Each word as MeCab reads it alone, and as written: a suffix (海外向け) is read alone as a verb (向ける).
        no_topic = frozenset(t for w in data.get("no_topic", [])
                             for t in (*tokenizer.terms(w), hiragana(nfkc(w).lower())))
        actors = tuple((a["actor"], tuple(nfkc(w).lower() for w in a["asker"])) for a in data.get("actors", []))
        glossary = cls(entries, coverage, answer_types, no_topic, tuple(data.get("help_words", [])),
                       tuple(data.get("background_words", [])), tuple(data.get("not_help_words", [])), actors,
                       tuple(data.get("no_offer_words", [])), tuple(data.get("offer_endings", [])))
        glossary.audiences = tuple((nfkc(a["title_says"]), tuple(nfkc(w).lower() for w in a["asker"]))
                                   for a in data.get("audiences", []))
        glossary.document_itself = _any_of(tuple(nfkc(w).lower() for w in data.get("document_itself", [])))
        glossary.document_year = data.get("document_year")
        glossary.relative_years = {nfkc(w): n for w, n in data.get("relative_years", {}).items()}
        glossary.years_pointed_back = tuple(nfkc(w).lower() for w in data.get("years_pointed_back", []))
        so_far = data.get("years_so_far", {})
        glossary.years_so_far = tuple(nfkc(w).lower() for w in so_far.get("words", []))
        glossary.years_so_far_span = int(so_far.get("span", 0))
        # How each asking word sounds (場所 → ばしょ), for questions typed in kana or romaji.
        glossary.by_sound, glossary.by_voiced, glossary.by_particle = {}, {}, {}
        for t in answer_types:
            for phrase in t.asks:
                ask = "".join(phrase)
                # Heard with its particles too: どこの国 is typed どこのくに, not どこくに.
                morphemes = tokenizer.morphemes(nfkc(ask))
                spoken = _voiced("".join(hiragana(m.reading or m.surface) for m in morphemes))
                # One ending on its particle (分野を, テーマは) asks only with it: ぶんや alone is a name's word
                # (せいちょう ぶんや ぽてんしゃる まっぷ), not an ask.
                bare = () if morphemes and morphemes[-1].pos in GRAMMAR else (_voiced(tokenizer.reading(ask)),)
                # A voiced particle is heard as typed: が is not か, and なんかある (is there anything?) does
                # not ask 何がある (which kinds); only a word's own voicing may be lost (かいさいひ, 開催日).
                particle_voiced = any(m.pos in GRAMMAR and _sound(m.surface) != _voiced(m.surface) for m in morphemes)
                for voiced in dict.fromkeys((*bare, spoken)):
                    if len(voiced) < 3 or _sound(voiced) == _sound(ask):
                        continue
                    # 何 is read なに or なん as people say it (なにご, なんご for 何語): both ask.
                    for said in {voiced, voiced.replace("なん", "なに", 1), voiced.replace("なに", "なん", 1)}:
                        (glossary.by_particle if particle_voiced else glossary.by_sound).setdefault(
                            said if particle_voiced else _sound(said), t)
                        glossary.by_voiced.setdefault(said, t)
        return glossary

    def heard_in(self, kana: str, exactly: bool = False) -> AnswerType | None:
        """The kind of fact a word typed in ``kana`` sounds like asking for, if any; ``exactly``: with its
        voicing marks (かいぎ sounds like 会期 only once they are dropped)."""
        if exactly:
            return self.by_voiced.get(_voiced(kana))
        return self.by_sound.get(_sound(kana)) or self.by_particle.get(_voiced(kana))

    def help_kinds(self, text: str) -> int:
        """How many kinds of help (glossary help_words) a sentence names; none in a record of past work or a
        roster of members (glossary no_offer_words)."""
        if self.help is None or (self.no_offer is not None and self.no_offer.search(text)):
            return 0  # help held before (令和6年度の活動実績：…セミナー) or a member's name (構成機関･･･…協議会)
        if self.not_help is not None:
            text = self.not_help.sub("　", text)
        return len(set(self.help.findall(text)))

    def offers(self, text: str) -> bool:
        """Whether a sentence ends saying something is done or offered (glossary offer_endings), outside a record
        of past work (これまでに…開催)."""
        return bool(self.offer and self.offer.search(text) and not (self.no_offer and self.no_offer.search(text)))

    def expand(self, words: Words) -> str:
        """The document words for what the question says in its own words ('' when none apply)."""
        present = words.tokens
        return " ".join(expand for phrases, expand in self.entries
                        if any((p[0] in present or p[-1] == PREFIX or "".join(p) in words.katakana_runs)
                               and words.has(p) for p in phrases))

    def asked_types(self, words: Words) -> tuple[AnswerType, ...]:
        """The kinds of fact the question asks for; a word typed in kana (ばしょ, なんしゃ) asks as its
        kanji would."""
        present = words.tokens
        spaced = " ".join(_relatives_dropped(words.surfaces)).lower()
        asked = [t for t in self.answer_types
                 if any((p[0] in present or p[-1] == PREFIX or "".join(p) in words.katakana_runs
                         or "".join(p) in present) and words.asks(p)
                        for p in t.asks) or (t.asks_pattern is not None and t.asks_pattern.search(spaced))]
        kana = words.surfaces
        for i in range(len(kana)):
            for n in (1, 2, 3):  # MeCab splits unknown kana (ひずけ → ひ + ずけ)
                w = "".join(kana[i : i + n])
                t = self.by_sound.get(_sound(w)) or self.by_particle.get(_voiced(w)) if _KANA_WORD.fullmatch(w) else None
                if t is not None and t not in asked:
                    asked.append(t)
        # MeCab may also cut a run of kana across the asking word (はなにごで → はな + に + ご + で).
        runs = [_voiced(r) for r in _KANA_WORD.findall("".join(kana))]
        sounds = [_sound(r) for r in runs]
        for heard, said in ((self.by_sound, sounds), (self.by_particle, runs)):
            for sound, t in heard.items():
                if t not in asked and any(sound in r for r in said):
                    asked.append(t)
        # 何月何日 holds 何月: the day is asked, and a month the slides give does not answer it.
        narrowed = {n for t in asked for n in t.refines}
        return tuple(t for t in asked if t.name not in narrowed)
