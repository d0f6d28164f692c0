"""Understanding the question offline: the document's words for what people say and
whether the question asks for something the document never states (kana readings: ``readings``).

The vocabulary is data (``corpus/glossary.json``) or read from the document itself; nothing here is
a code branch per topic. Phrases match whole MeCab tokens (or their base forms), never a piece of
a word: タイ does not fire inside タイミング (a message's words: ``words``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.normalize import hiragana, nfkc, unvoiced, years_named
from assistant.tokenizer import GRAMMAR, Tokenizer
from assistant.words import PREFIX, Phrase, Words, phrase_of, relatives_dropped


def _spaced(words: Words) -> str:
    """A message's words separated by spaces, lower case, each relative where/when made "that": what asking
    patterns are written against."""
    return " ".join(relatives_dropped(words.surfaces)).lower()


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
class Actor:
    """A kind of actor a measure is addressed to (自治体, これから外国人雇用), with how an asker tells they are one:
    a phrase of theirs (信用金庫で働いて), or a situation told in words of its own, one word of each group
    anywhere in the message (a foreign person, hiring, a first time: 外国の方を雇ったことが一度もなくて)."""

    name: str
    asker: tuple[str, ...]  # folded, lower case
    situation: tuple[tuple[str, ...], ...] = ()  # folded, lower case

    def told_in(self, text: str) -> bool:
        """Whether a message (folded, lower case) tells the situation: a word of every group."""
        return bool(self.situation) and all(any(w in text for w in group) for group in self.situation)


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
    pattern_asks_only: bool = False  # its asking pattern's words name no topic (どこの会社が協力した: 協力)
    # Asks what the bureau has done before (これまで, 実績): not asked by a sentence telling the asker's own past.
    bureaus_past: bool = False


_KANA_WORD = re.compile(r"[ぁ-ゖー]{3,}")


def _any_of(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern finding any of the words as written, or None for no words."""
    return re.compile("|".join(map(re.escape, words))) if words else None


def _said_by(rows: list[dict[str, Any]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What a title says (外国人材, 水素), each with the words an asker uses who speaks of it, as read."""
    return tuple((nfkc(r["title_says"]), tuple(nfkc(w).lower() for w in r["asker"])) for r in rows)


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
                 not_help_words: tuple[str, ...] = (), actors: tuple[Actor, ...] = (),
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
        # The field an initiative works in, where its title names one (水素), with the words of an asker who
        # speaks of it (燃料電池, hydrogen): one never spoken of is no option of a conversation's first clarifying question.
        self.subjects: tuple[tuple[str, tuple[str, ...]], ...] = ()
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
        self.told_of_self: re.Pattern[str] | None = None  # words telling the asker's own past (一度も, never)

    def years_asked(self, asking: str, whole: str) -> frozenset[int]:
        """The years the asking sentence names; one pointing back to a time named earlier (「そのときの参加企業は？」
        read with its topic's 「2023年度は何回？」) asks about the years the whole message names."""
        years = self.years_said(asking)
        if not years and any(word in asking for word in self.years_pointed_back):
            return self.years_said(whole)
        if not years and self.document_year is not None and any(word in asking for word in self.years_so_far) \
                and not self.tells_own_past(asking):
            # 「今まで何回やったの？」 asks about each year's row of a table, not the latest alone.
            return frozenset(range(self.document_year - self.years_so_far_span, self.document_year))
        return years

    def tells_own_past(self, sentence: str) -> bool:
        """Whether a sentence tells the asker's own past (外国籍のスタッフはこれまで一度もいません, we have never
        exported): its これまで is theirs, not a question about the years of the bureau's work."""
        return self.told_of_self is not None and bool(self.told_of_self.search(sentence))

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

        def either_order(asks: tuple[Phrase, ...]) -> tuple[Phrase, ...]:
            # English says "rate of subsidy" and "subsidy rate" alike: an asked "A of B" is asked as "B A" too.
            return asks + tuple((p[2], p[0]) for p in asks if len(p) == 3 and p[1] == "of" and "".join(p).isascii())

        entries = [(phrases(e["phrases"]), e["expand"]) for e in data.get("entries", [])]
        coverage = [CoverageRule(r["about"], either_order(phrases(r.get("asks", []))), r["needs"],
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
                                   bool(r.get("picked_by_words")), bool(r.get("pattern_asks_only")),
                                   bool(r.get("bureaus_past")))
                        for r in data.get("answer_types", [])]
        # Each word as MeCab reads it alone, and as written: a suffix (海外向け) is read alone as a verb (向ける).
        no_topic = frozenset(t for w in data.get("no_topic", [])
                             for t in (*tokenizer.terms(w), hiragana(nfkc(w).lower())))
        actors = tuple(Actor(a["actor"], tuple(nfkc(w).lower() for w in a["asker"]),
                             tuple(tuple(nfkc(w).lower() for w in group) for group in a.get("situation", [])))
                       for a in data.get("actors", []))
        glossary = cls(entries, coverage, answer_types, no_topic, tuple(data.get("help_words", [])),
                       tuple(data.get("background_words", [])), tuple(data.get("not_help_words", [])), actors,
                       tuple(data.get("no_offer_words", [])), tuple(data.get("offer_endings", [])))
        glossary.audiences = _said_by(data.get("audiences", []))
        glossary.subjects = _said_by(data.get("subjects", []))
        glossary.document_itself = _any_of(tuple(nfkc(w).lower() for w in data.get("document_itself", [])))
        glossary.document_year = data.get("document_year")
        glossary.told_of_self = re.compile(data["told_of_self"]) if "told_of_self" in data else None
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

    def _said_before_tte(self, t: AnswerType, words: Words) -> bool:
        """Whether an asking word of ``t`` (or its sound, typed in kana) comes right before って."""
        seq = words.surfaces
        for k in (i for i, w in enumerate(seq) if w == "って"):
            for n in (1, 2, 3):
                said = "".join(seq[max(0, k - n) : k])
                if any(said == "".join(p) for p in t.asks) or (_KANA_WORD.fullmatch(said) and self.heard_in(said) is t):
                    return True
        return False

    def pattern_asking(self, words: Words) -> list[str]:
        """The words matched by the asking pattern of an answer type whose pattern names nothing else
        (「どこの会社が協力した」: who took part is asked, 協力 names no topic of its own), spaces removed;
        not a pattern holding the kind asked about (どういうセミナーを開いて: セミナー is the subject)."""
        spaced = _spaced(words)
        return [m.group(0).replace(" ", "") for t in self.answer_types if t.asks_pattern is not None
                and t.pattern_asks_only for m in t.asks_pattern.finditer(spaced)]

    def asked_types(self, words: Words) -> tuple[AnswerType, ...]:
        """The kinds of fact the question asks for; a word typed in kana (ばしょ, なんしゃ) asks as its
        kanji would."""
        present = words.tokens
        spaced = _spaced(words)
        said = "".join(words.surfaces)
        asked = [t for t in self.answer_types
                 if (any((p[0] in present or p[-1] == PREFIX or "".join(p) in words.katakana_runs
                          or "".join(p) in present) and words.asks(p)
                         for p in t.asks) or (t.asks_pattern is not None and t.asks_pattern.search(spaced)))
                 and not (t.bureaus_past and self.tells_own_past(said))]
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
        # 何月何日 holds 何月: the day is asked, and a month the slides give does not answer it. But a kind
        # asked right before って何 (言語って何？, げんごってなに) is that kind asked, not a word to define.
        narrowed = {n for t in asked for n in t.refines}
        narrowed -= {t.name for t in asked if t.name in narrowed and self._said_before_tte(t, words)}
        return tuple(t for t in asked if t.name not in narrowed)
