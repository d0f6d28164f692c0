"""A question read once: everything the router and the composer need to know about what was asked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np

from assistant.chunking import is_title
from assistant.directory import Directory, Office
from assistant.embeddings import Encoder
from assistant.english import EnglishWords
from assistant.follow_up_cues import CHANGES_TOPIC
from assistant.latin_names import LatinNames
from assistant.normalize import KANJI, find_extensions, find_phones, nfkc, normalize_query, squeeze, unspaced
from assistant.query import AnswerType, CoverageRule, Glossary
from assistant.readings import Readings
from assistant.romaji import read_romaji, unglue
from assistant.tokenizer import Tokenizer
from assistant.words import Words

# Sentence ends: a long message tells its story first and asks in its last sentence (or the last
# one with a question mark); only that sentence says what kind of fact is asked for.
# An English one ends at a full stop and a space ("…went up by 30%. who can help?": read lower-cased).
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])|(?<=[a-z0-9%)]\.)\s+(?=[a-z])")
# A polite question ending on its particle and a full stop (「いつ設立されましたか。」).
_POLITE_QUESTION = re.compile(r"(?:です|ます|ました|でした|でしょう)か[。.]$")
# A question made of a pointing word (What are they? それは何？): it asks about what the sentence before says.
_POINTS_BEFORE = re.compile(r"^(what|which|who) (is|are|was|were) (they|it|these|those|this|that)\W*$|"
                            r"^(それ|それら|これ|これら)\s*(は|って)\s*(何|なに|なん)\s*(です|でしょう)?\s*(か|なの|なん)?\s*[?？。]*$")


def _sentences(text: str) -> list[str]:
    # 「…の日程は？？」: a run of marks ends one sentence, it does not make another.
    return [s.strip() for s in _SENTENCE_END.split(text) if re.search(r"\w", s)]


def asking_sentences(text: str) -> list[str]:
    """The sentences that ask: those with a question mark (「テーマって何個ある？健康とか？」 asks how many in
    the first) or ending as a polite question (…ましたか。), and the last one (「どこでやるん？あと何語かも
    教えて」 asks in both); a message of one sentence is its own."""
    sentences = _sentences(text)
    if len(sentences) <= 1:
        return [text]
    # A polite question asks too in a message written so throughout (「…ましたか。あと…も教えてください。」).
    # Before a question marked as one it is not read so: a conversation's topic is read with its question mark
    # made a full stop, to ask nothing.
    marked = sentences[-1][-1] in "？?"
    return [s for s in sentences[:-1] if s[-1] in "？?" or (not marked and _POLITE_QUESTION.search(s))] + sentences[-1:]


def sentence_before(text: str) -> str:
    """The sentence before the last one ('' for a message of one sentence)."""
    sentences = _sentences(text)
    return sentences[-2] if len(sentences) > 1 else ""


def asking_sentence(text: str) -> str:
    """The sentence that asks: the last one with a question mark, else the last one."""
    return asking_sentences(text)[-1]


def _answered_after(text: str, word: str, unless: re.Pattern[str] | None) -> bool:
    """Whether every use of an asked word is followed by what makes the document answer it after all
    (三重県も入ってる？: the list of members answers by leaving it out)."""
    if unless is None:
        return False
    text = re.sub(r"\s+", "", text.lower())
    uses = [m.end() for m in re.finditer(re.escape(word.lower()), text)]
    return bool(uses) and all(unless.match(text, end) for end in uses)


def _names_a_party(words: Words, phrase: tuple[str, ...]) -> bool:
    """Whether every use of ``phrase`` names a party to it (融資先: a borrower, the asker's customer), not
    the matter itself (融資: a loan)."""
    n, seq = len(phrase), words.surfaces
    uses = [i for i in range(len(seq) - n + 1) if seq[i : i + n] == phrase]
    return bool(uses) and all(i + n < len(seq) and seq[i + n] == "先" for i in uses)


# A concessive clause (燃料費も上がったのに, 手間をかけた品なのに, 仕事は増えているのに) says why the asker is
# troubled; what follows says what is wrong. Not の + に of purpose (申し込むのに要る書類, 部品を買うのに).
_CONCESSION = re.compile(r"[^。！？!?、,]*?(?:[てで]い?[るんた]|[ただな]|い)のに[、,]?")
_STATED = re.compile(r"[0-9０-９][0-9０-９.,]*\s*[%％]")  # a share the asker tells (30%), not one asked for

# Particles joining two things asked about in one breath (手続きや定着, 費用と内容).
_AND = frozenset({"や", "と", "とか", "及び", "および", "、"})


class Language(StrEnum):
    ja = "ja"
    en = "en"


def language_of(text: str) -> Language:
    """English when the question is Latin words without kana (a Japanese sentence always has kana,
    even one naming "Global Startup EXPO 2025"); Japanese typed in romaji is Japanese."""
    text = read_romaji(nfkc(text))
    if re.search(r"[\u3040-\u30ff]", text):
        return Language.ja
    latin = len(re.findall(r"[a-z]", text))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return Language.en if latin >= 3 and latin > 3 * cjk else Language.ja


@dataclass(frozen=True, eq=False)
class Question:
    """One message as read: its forms, words, vectors, language, what it asks and what it names."""

    text: str  # as typed (after input clean-up)
    normalized: str  # NFKC, lower case, dashes and spaces folded
    search_text: str  # in the document's words: kana spelled out, glossary words added
    sparse_text: str  # the search text and, for English, the document's words for its words (BM25's query)
    words: Words
    asking: Words  # the sentence that asks (a long message's story does not say what is asked)
    terms: frozenset[str]  # BM25 terms of the sparse text (the search text, and an English question's words translated)
    typed_terms: frozenset[str]  # the terms the asker wrote (the glossary's words for them left out)
    # The question itself, in the encoder's space (where the examples are); a story told with a concessive clause
    # (…上がったのに) halfway between itself and itself without that clause.
    vector: np.ndarray
    search_vector: np.ndarray  # the search text, in the encoder's space (where the passages are)
    language: Language
    asked: tuple[AnswerType, ...]  # kinds of fact asked for
    phones: tuple[str, ...]  # phone numbers written in it (digits)
    extensions: tuple[str, ...]  # four-digit ends of numbers ("末尾が6034")
    offices: tuple[Office, ...]  # offices it names
    named: frozenset[str] = frozenset()  # terms it is about: not asking words, not topic-less words
    # The sentences checked against what the document never states, each with its words: the asking sentence, and
    # the earlier questions where it asks no kind of fact of its own (「燃料電池車の補助率も分かる？何分の何くらい？」
    # asks the rate in its first; "…passing on labour costs? What's its name?" asks a name, not a cost).
    asked_sentences: tuple[tuple[Words, str], ...] = ()
    # Years the asking sentence names (2023年度, FY2023, 令和5年度 → 2023), or points back to (そのとき).
    years: frozenset[int] = frozenset()
    # The document's words the glossary reads it as (紙の伝票 → 業務のデジタル化, IT導入補助金), each as written.
    glossed: tuple[str, ...] = ()

    @property
    def has_topic(self) -> bool:
        """Names anything to route on ("その電話番号は？" does not)."""
        return bool(self.named)

    @property
    def english(self) -> bool:
        return self.language == Language.en

    @property
    def strict_types(self) -> tuple[AnswerType, ...]:
        """The asked kinds whose absence from the evidence means the document does not say."""
        return tuple(t for t in self.asked if t.strict)


# Recent messages whose reading is remembered (a few KB each: two vectors and the tokens).
READ_CACHE_SIZE = 2048


# "What is the Kansai Companies Profile?": a name of several Latin words asked what it is.
_WHAT_IS = re.compile(r"^what(?: is|'s| are) (?:the )?(?P<name>[a-z0-9][a-z0-9&-]*(?: [a-z0-9&-]+)+)\s*[?？.]*$")


def _bare(text: str) -> str:
    """A name as written without brackets, の or spaces, which the slides and the asker place differently."""
    return re.sub(r"[()（）\[\]【】「」\sの]", "", text)


class QuestionReader:
    """Reads a message into a ``Question`` once, and checks it against the coverage rules."""

    def __init__(self, glossary: Glossary, readings: Readings, document_text: str, tokenizer: Tokenizer,
                 encoder: Encoder, directory: Directory, english: EnglishWords | None = None) -> None:
        self.glossary = glossary
        self.english = english  # an English question's words, read in the document's words
        self.readings = readings
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.directory = directory
        self._document = nfkc(document_text)
        # The document without brackets, の or spaces: 「JETROの大阪本部」 is the slides' 「（JETRO）大阪本部」.
        self._document_bare = _bare(self._document)
        self._title_lines = {line.strip().lower() for line in self._document.splitlines() if is_title(line.strip())}
        self._latin = LatinNames(document_text, english.table if english is not None else ())
        # Every word of a coverage rule: asked beside another of them (「受講料と定員」), nothing is covered.
        self._uncovered_words = {w for rule in glossary.coverage for p in rule.asks for w in p}
        # A conversation re-reads its earlier turns to find its topic on every message: remember the
        # last reads rather than encode the same text again (a Question never changes once read).
        self.read = lru_cache(maxsize=READ_CACHE_SIZE)(self._read)  # type: ignore[method-assign]

    def read(self, text: str) -> Question:
        """The message read into a ``Question`` (remembered for recent texts)."""
        return self._read(text)

    def _read(self, text: str) -> Question:
        # Spaces between romaji words stay; a romaji word is read as the document word it can make (bunya: 分野).
        # A name in Latin letters typed with a slip (eVOTL) is read as the document writes it (evtol).
        # (Corrected before lower case, since a name is told from a word by its capitals; NFKC folds ＤＸ to DX.)
        normalized = normalize_query(read_romaji(unspaced(unglue(self._latin.correct(unicodedata.normalize("NFKC", text)))).lower(),
                                                 known=self.readings.knows))
        # 「話は変わるけど」, "Switching topics:" say something of the conversation, not of the subject: read
        # without them, "switching topics" is not テーマ (the chat still sees them in ``normalized``).
        content = squeeze(CHANGES_TOPIC.sub(" ", normalized)) or normalized
        spelled, spelled_words = self.readings.spell(content)
        words = Words.of(spelled, self.tokenizer)
        last = asking_sentence(spelled)
        itself = self.glossary.document_itself
        asking = words if last == spelled and not _STATED.search(last) and not (itself and itself.search(last)) \
            else self._asking_words(last)
        extra = self.glossary.expand(words)
        search_text = f"{spelled} {extra}".strip()
        # An English question's words in the document's words (member organisations → 会員, 団体): matched
        # word for word, but not encoded (the encoder reads English already), and naming no topic of their
        # own ("How many model cases?" still follows the conversation's topic).
        translated = " ".join(self.english.document_words(content)) \
            if self.english is not None and language_of(text) == Language.en else ""
        sparse_text = f"{search_text} {translated}".strip()
        # The examples are compared with the question as asked (kana spelled out), the passages with
        # the question in the document's words.
        # Compared with the examples halfway between the whole story and what is wrong: ガス代も上がってるのに
        # 発注元が単価を据え置いたまま is a price the customer refuses more than a gas bill.
        complaint = _CONCESSION.sub("", spelled)
        complaint = complaint if complaint != spelled and complaint.strip() else ""
        texts = [spelled, *([search_text] if search_text != spelled else []), *([complaint] if complaint else [])]
        encoded = self.encoder.encode(texts)  # one call: the encoder's threads are set up once per call
        vector = search_vector = encoded[0]
        if search_text != spelled:
            search_vector = encoded[1]
        if complaint:
            vector = vector + encoded[-1]
            vector = vector / np.linalg.norm(vector)
        terms = frozenset(self.tokenizer.terms(sparse_text))
        typed_terms = terms if sparse_text == spelled else frozenset(self.tokenizer.terms(spelled))
        asked = self.glossary.asked_types(asking)
        *earlier, last_asked = asking_sentences(normalized)
        asked_sentences = ((asking, last_asked), *((self._asking_words(s), s) for s in earlier if not asked))
        if spelled != normalized:  # an asking word typed in kana is heard before a document word takes its kana
            # (じむきょく is 事務局, not じむ + 局), but not in the kana of a document word it was spelled as that
            # only sounds like one once voicing marks are dropped: かいぎ is 会議, not 会期. (しゅってん may be
            # 出展 or 出典 alike: it still asks for a source.)
            taken = self._heard_loosely_in(spelled_words)
            asked += tuple(t for t in self.glossary.asked_types(self._asking_words(asking_sentence(normalized)))
                           if t not in asked and t.name not in taken)
        asked += tuple(t for t in self._heard_in_slips(asking) if t not in asked)
        for other in asking_sentences(spelled)[:-1]:  # an earlier question in the same message asks too
            asked += tuple(t for t in self.glossary.asked_types(self._asking_words(other)) if t not in asked)
        if _POINTS_BEFORE.match(last.strip()) and (before := sentence_before(spelled)):
            # "… has three focus areas. What are they?": what is asked is said in the sentence before.
            asked += tuple(t for t in self.glossary.asked_types(self._asking_words(before)) if t not in asked)
        if language_of(text) == Language.en and (m := _WHAT_IS.match(normalized)) \
                and {m["name"], f"the {m['name']}"} & self._title_lines:
            # "What is The Kansai Companies Profile?": a box's title of several words, on a line of its own on the
            # slides, asked what it is (the glossary's pattern reads one word, "What is BiocK?", whatever it is).
            asked += tuple(t for t in self.glossary.answer_types if t.defined and t not in asked)
        # 「目標は？」「何語で？」 ask for a kind of fact and name nothing it would be about.
        named = terms - self.glossary.no_topic - frozenset(t for a in asked for t in a.ask_terms) \
            - frozenset(t for said in self.glossary.pattern_asking(asking) for t in self.tokenizer.terms(said)) \
            - (frozenset(self.tokenizer.terms(translated)) - frozenset(self.tokenizer.terms(search_text)))
        return Question(
            text=text, normalized=normalized, search_text=search_text, sparse_text=sparse_text, words=words,
            asking=asking,
            terms=terms, typed_terms=typed_terms, vector=vector, search_vector=search_vector,
            language=language_of(text), asked=asked,
            phones=tuple(find_phones(text)), extensions=tuple(find_extensions(text)),
            offices=tuple(self.directory.by_division(text)), named=named, asked_sentences=asked_sentences,
            years=self.glossary.years_asked(asking_sentence(normalized), normalized), glossed=tuple(extra.split()),
        )

    def _heard_in_slips(self, asking: Words) -> list[AnswerType]:
        """The kinds of fact asked by a word typed in the wrong kanji of the same sound (何階 for 何回, 侯補地
        for 候補地): one the document never writes, read exactly as an asking word is."""
        heard: list[AnswerType] = []
        tokens = len(asking.surfaces)
        for i in range(tokens):
            for n in range(1, min(3, tokens - i) + 1):
                # Its kanji, which the document never writes together (機関 of 機関は is the document's word),
                # in two words or more: one word of the dictionary (厚生, 酸化) is meant as written.
                kanji = [w for w in asking.surfaces[i : i + n] if KANJI.search(w)]  # typed in the wrong kanji of a sound (何階 for 何回)
                if len(kanji) < 2 or "".join(kanji) in self._document:
                    continue
                if (t := self.glossary.heard_in("".join(asking.readings[i : i + n]), exactly=True)) is not None \
                        and t not in heard:
                    heard.append(t)
        return heard

    def _heard_loosely_in(self, words: list[str]) -> set[str]:
        """The kinds of fact that the kana of these document words sound like asking for, only once voicing
        marks are dropped."""
        heard: set[str] = set()
        for word in words:
            readings = self.readings.readings_of(word)
            if not any(self.glossary.heard_in(r, exactly=True) for r in readings):
                heard |= {t.name for r in readings if (t := self.glossary.heard_in(r))}
        return heard

    def _asking_words(self, sentence: str) -> Words:
        """The words of a sentence that asks, without the figures the asker states (「30%も上がった」 tells
        a share, it does not ask for one) or the words pointing at the document itself."""
        sentence = _STATED.sub(" ", sentence)
        if self.glossary.document_itself is not None:  # 資料では says where to look; 資料 alone asks for materials
            sentence = self.glossary.document_itself.sub(" ", sentence)
        return Words.of(sentence, self.tokenizer)

    def _asked_alongside(self, sentence: str, phrase: tuple[str, ...]) -> bool:
        """Whether the asking sentence names ``phrase`` beside another thing it asks about that the document
        speaks of (「手続きや定着が不安」): then the document still answers part of it."""
        ms = [m for m in self.tokenizer.morphemes(nfkc(sentence)) if m.surface.strip()]
        words = [m.surface for m in ms]
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) != phrase and tuple(m.base for m in ms[i : i + n]) != phrase:
                continue
            # MeCab may cut とか in two (と + か): the partner is after both.
            after = i + n + 2 if words[i + n : i + n + 2] == ["と", "か"] else i + n + 1
            for link, partner in ((i + n, after), (i - 1, i - 2)):
                if min(link, partner) >= 0 and max(link, partner) < len(ms) and ms[link].surface in _AND \
                        and ms[partner].pos == "名詞" and ms[partner].surface not in self._uncovered_words \
                        and ms[partner].surface in self._document:  # 定員, 最寄り駅: the document says nothing
                    return True
        return False

    def uncovered(self, question: Question, evidence: str) -> CoverageRule | None:
        """The first coverage rule saying the document cannot answer this question, if any."""
        text = nfkc(evidence)
        sentences = question.asked_sentences
        for rule in self.glossary.coverage:
            asked = ["".join(p) for words, sentence in sentences for p in words.has_any(rule.asks)
                     if not self._asked_alongside(sentence, p) and not _names_a_party(words, p)
                     and not _answered_after(question.normalized, "".join(p), rule.unless_after)]
            if rule.asks_pattern:
                asked += ["".join(m.group(0).split()) for _, sentence in sentences
                          for m in rule.asks_pattern.finditer(sentence)]
            if not asked:
                continue
            if rule.needs == "$same":
                if not any(a.strip() in self._document or _bare(a) in self._document_bare for a in asked):
                    return rule
            elif not re.search(rule.needs, text):
                return rule
        return None
