"""What a question asks of the quotes, read once for every sentence weighed (``Asked``): the kinds of fact,
a list, the words a follow-up brings, whether it asks what help exists, the things of a kind to be named.
``assistant.quote_evidence`` weighs the sentences against it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.normalize import KANJI, nfkc
from assistant.query import Actor
from assistant.question import Question, asking_sentence
from assistant.quote_kinds import WHICH, kinds_asked
from assistant.quote_lists import NamedLists
from assistant.quote_units import sibling_suffix
from assistant.retrieval import PolicyIndex
from assistant.routing import Route
from assistant.sentence_rows import spoken
from assistant.settings import QuoteWeights
from assistant.tokenizer import Tokenizer

# What the asker points at (そのイベント): the thing a sentence opening on 同イベント is about.
_POINTED_AT = re.compile(r"(?:その|この|あの)([ァ-ヶー]{2,}|[一-龥]{2})")
# Asking what help exists (「サイバーセキュリティの支援は？」, 支援ってある, 取組はある, どんな支援, 支援してくれる,
# 相談に乗ってもらえる, 具体的に何がある, 'any support for'): the
# measures on offer answer, not the aims the slide states. A name ending in 支援 (面的GX支援って…) asks nothing.
# Besides X (「うめきた以外に」, 「よろず支援拠点以外の」): the others are listed beside X, on its line.
_BESIDES = re.compile(r"([^、。,.!?！？\s]{2,})以外")
_ASKS_HELP = re.compile(r"(^|[のな\s])(支援|サポート|手助け|手伝い)(策|制度)?\s*(は|も|って)|"
                        r"(支援|サポート|手助け|手伝い|取組|取り組み)(策|制度)?\s*(って|は|も|が)?\s*(ある|あり)|"
                        r"(どんな|どういう|どのような|何か|なにか)\s*(支援|サポート|手助け|手伝い)|"
                        r"(支援|サポート|手伝|手助け|相談に乗)(し|っ|う)?て\s*(くれる|くれ|もらえ|いただけ)|"
                        r"具体的に(は)?\s*(何|なに|どんな(こと|もの)?)\s*(が|を)?\s*(ある|あり|して|やって)|"
                        r"\b(what|any|which) (kind of |kinds of )?(support|help|assistance)\b|"
                        r"\bis there (any )?(support|help|assistance)\b")
# What something does, asked of it as a whole (「経済安全保障ではどんなことをやってるの？」, 「水素のプロジェクトに
# ついて教えて」, "What is the bureau doing on…?"): the lines saying what is done answer, more than its background.
_ASKS_WHAT_DONE = re.compile(r"(どんな|どういう|どのような|何の?)\s*(こと|取組|取り組み|活動)\s*を?\s*(やって|して|行って|し|する|やる)|"
                             r"(何|なに|なん)\s*を?\s*(やって|して|行って|しとる|やっとる)|"
                             r"(について|の取組|の取り組み|の活動)\s*(を)?\s*(教えて|知りたい|聞きたい)|"
                             r"\bwhat (is|are) [^?]{0,60}\bdoing\b|\bdoing anything\b|\btell me about\b|"
                             r"\bwhat (is|are) [^?]{0,60}\babout\W*$|\bwhat does [^?]{0,60}\bdo\b")


# Which of a kind (どんなWG, どういうセミナー): the word asked for, to be matched against the endings that labels
# side by side share (育成WG / 需要喚起・情報発信WG → WG).
_WHICH_KIND = re.compile(rf"(?:どの|{WHICH})\s*([^\s、。？?！!がはもをにで]+)")
_TWO_KANJI = re.compile(rf"{KANJI.pattern}{{2}}")


@dataclass(frozen=True)
class Asked:
    """What a question asks for, read once for every sentence weighed."""

    patterns: tuple[tuple[re.Pattern[str], bool], ...]  # what answers each kind asked, and whether it is a figure
    list_answer: bool
    echoed: frozenset[str]
    heads_named: frozenset[int]
    asker_is: frozenset[str]
    share: dict[str, float]  # how much each of the question's words counts
    brought: frozenset[str]  # the document's words a follow-up brings that its topic's question lacks
    words: float  # the question's words, weighed by rarity and share
    pointed_at: frozenset[str]  # そのイベント → イベント
    said: str  # the message as the asker typed it (a follow-up's own words, not the topic's before it)
    help: float  # how much it asks what help exists (0 or quote_help_asked)
    rare: frozenset[str]  # the message's own words rare enough to name a few bullets of a list
    defined: bool  # asks what something is: a slide about it answers
    by_words: bool  # asks a kind many lines hold (a name): the asker's rarer words pick the line
    kinds: frozenset[str]  # the kinds of thing it asks to have named (どんな補助金 → 補助金)
    # Help the glossary reads the asker's situation as, by its name (紙の伝票 → IT導入補助金; 電気代 → 省エネ診断):
    # folded, spaces removed, as the lines are compared.
    glossed_help: frozenset[str] = frozenset()


class AskedReading(NamedLists):
    """Reads what a question asks of the quotes, with what the slides tell about their words and lists."""

    def __init__(self, index: PolicyIndex, tokenizer: Tokenizer, weights: QuoteWeights,
                 help_kinds: Callable[[str], int] | None = None, background_words: re.Pattern[str] | None = None,
                 actors: tuple[Actor, ...] = (),
                 offers: Callable[[str], bool] | None = None) -> None:
        super().__init__(index, tokenizer, help_kinds, background_words, actors, offers)
        self.weights = weights
        # How rare (by weight) a word must be to pin down the few lines naming it.
        self._rare_idf = weights.quote_run_rarity * self._unknown_idf
        self._written: dict[str, float] = {}  # words written as one, no term, by weight (``_written_idf``)
        # The places and bodies few lines name (播磨, 泉北; not 関西): a question of its own naming one is
        # answered by those lines.
        self._rare_names = frozenset(t for t in self._proper_nouns if self._idf.get(t, 0.0) >= self._rare_idf)
        # The nouns the slides count over labels (分野 of 重点３分野, 要素, WG); not a character of 3つ.
        self._count_nouns = frozenset(t for terms in self._count_rows.values() for t in terms if len(t) > 1)
        # The endings labels side by side share (WG, セミナー's ナー): asked which of that kind, the labels answer.
        self._label_kinds = frozenset(nfkc(end).lower() for chunk in index.chunks
                                      for k in range(len(chunk.sentences)) if (end := sibling_suffix(chunk.sentences, k)))

    def _asked(self, route: Route) -> Asked:
        """What a question asks for, read once for every sentence weighed."""
        question = route.question
        # A follow-up asking something of its own: the topic's words it was routed with count less, and the
        # words typed before it (「どういうプロジェクト？」) echo no slide's word for what it asks now.
        own = route.follow_up if route.follow_up is not None else question
        share = {t: 1.0 if t in own.terms else self.weights.quote_topic_words for t in question.terms}
        # The asking words the question typed (主催, 場所, 対象): a slide labelling its fact with the same word
        # (■主 催：経済産業省…) answers, where a sentence merely naming an organisation may not.
        echoed = frozenset(word for t in question.asked for p in t.asks if len(word := "".join(p)) >= 2
                           and not word.isascii() and word in own.normalized) | self._besides(own.normalized)
        return Asked(
            patterns=tuple((t.pattern, t.figure) for t in question.asked),
            # who takes part, the pillars, which WGs: a list
            list_answer=any(t.items for t in question.asked) or any(
                word.endswith(end) for word in _WHICH_KIND.findall(own.normalized) for end in self._label_kinds)
            # What a slide counts over its labels (重点３分野, 5要素, its WGs), named and asked about with nothing
            # else asked, or asked what it is (力を入れている分野って何？): its labels, the list. Named by the
            # message itself: a follow-up (その中の補助金は？) by what it brings, not by its topic's words.
            or (bool((route.brings or own.typed_terms) & self._count_nouns) and all(t.defined for t in question.asked)),
            echoed=echoed,
            heads_named=frozenset(self._headings_named(question.terms)),  # パートナー側のメリット: its ＜heading＞
            asker_is=frozenset(self._asker_is(question)),
            share=share,
            # Names, not the two-character words a phrase is built of (つながりづくり brings 作り); a place or
            # organisation the slides name is one however short (播磨).
            # A question of its own naming a place or a body that few lines name (播磨臨海部, 堺) is answered by
            # those lines, as a follow-up is by what it brings.
            brought=self._brought(route.brings or question.terms & self._rare_names, question),
            words=sum(self._idf.get(t, self._unknown_idf) * share[t] for t in question.terms) or 1.0,
            pointed_at=frozenset(_POINTED_AT.findall(question.normalized)),
            said=own.normalized,
            # A follow-up's rare words are those it brings (サイバー after DX), not its topic's.
            rare=frozenset(t for t in (route.brings or own.terms) if self._idf.get(t, self._unknown_idf) >= self._rare_idf),
            defined=any(t.defined for t in question.asked),
            by_words=bool(question.asked) and all(t.picked_by_words for t in question.asked),
            # As spelled in the document's words (hojokin → 補助金); a kind many lines write (事業, 支援機関) names
            # nothing in particular. Not where a follow-up brings a name (ハンブルクのは何の展示会？): the name picks
            # the line, not the kind (国際展示会 names none).
            kinds=frozenset() if route.brings & self._rare_names else frozenset(
                k for k in kinds_asked("".join(own.asking.surfaces).lower(), self._slides)
                if self._written_idf(k) >= self._rare_idf),
            help=self._help_asked(asking_sentence(own.normalized)),
            glossed_help=frozenset(re.sub(r"\s", "", nfkc(w).lower()) for w in own.glossed
                                   if self._help_kinds is not None and self._help_kinds(w)))

    def _help_asked(self, asking: str) -> float:
        """How much the question asks what help exists (quote_help_asked), or what something does (quote_done_asked)."""
        if _ASKS_HELP.search(asking):
            return self.weights.quote_help_asked
        return self.weights.quote_done_asked if _ASKS_WHAT_DONE.search(asking) else 0.0

    def _brought(self, brings: frozenset[str], question: Question) -> frozenset[str]:
        """The names among the words a follow-up brings; failing those, a word it writes as one that MeCab reads
        in pieces (補助金は？: 補助 + 金), where nothing else is asked (どんな展示会 is picked by the names asked for,
        ハンブルクのは何の展示会？ by ハンブルク)."""
        names = frozenset(t for t in brings if t in self._idf and (
            len(t) >= self.weights.quote_brought_chars or t in self._proper_nouns))
        # Two kanji few lines write are a word of their own (大学, 全国), not a piece of a phrase in kana
        # (つながりづくり → 作り) nor a word of every slide (支援, 機関); but no name either.
        words = frozenset(t for t in brings if _TWO_KANJI.fullmatch(t) and self._idf.get(t, 0.0) >= self._rare_idf)
        if question.asked or any(len(t) > 1 for t in names):  # 中 of その中で names no place
            return names | words
        return names | words | frozenset(t for t in brings if t not in self._idf
                                         and len(t) >= self.weights.quote_brought_chars and t in self._slides)

    def _written_idf(self, word: str) -> float:
        """A term's weight, or that of a word written as one that is no term (補助金: 補助 + 金), by how few
        sentences write it."""
        if word in self._idf:
            return self._idf[word]
        if word not in self._written:
            rows = sum(word in text for text in self._unspaced.values())
            self._written[word] = math.log(1 + len(self._unspaced) / rows) if rows else 0.0
        return self._written[word]

    def _besides(self, text: str) -> frozenset[str]:
        """What the asker sets aside to ask for the rest (うめきた in 「うめきた以外に名前が挙がってる地域は？」):
        the longest end of the words before 以外 that the slides write, whose line lists the others too."""
        found = set()
        for before in _BESIDES.findall(re.sub(r"\s", "", text)):
            found |= {next((before[i:] for i in range(len(before) - 1) if before[i:] in self._slides), "")} - {""}
        return frozenset(found)

    def _asker_is(self, question: Question) -> set[str]:
        """The kinds of actor the asker says they are or speaks for (信用金庫で働いています → 金融機関; a bank
        they only mention, 取引先の銀行から, does not make them one)."""
        text, said_plainly = question.normalized, spoken(question.words.surfaces)
        headwords = spoken(question.words.lemmas)
        return {a.name for a in self._actors
                if any(w in text for w in a.asker) or any(w in said_plainly for w in self._actors_spoken[a.name])
                or any(w in headwords for w in self._actors_headwords[a.name]) or a.told_in(text)}
