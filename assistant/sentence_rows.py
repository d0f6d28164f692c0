"""What each sentence of the document is, whatever the question: read once at start-up.

Its words, years and rare names; the unit it is quoted as (``assistant.quote_units``); the list, heading,
count or diagram it belongs to; the help it names, the actor it addresses, whether it tells background.
``assistant.quote_evidence`` weighs these for each question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.index import StoredChunk, StoredSentence
from assistant.normalize import nfkc, years_named
from assistant.query import Actor
from assistant.quote_units import (
    ANNOUNCES,
    BULLET,
    ITEM,
    LABEL_GAP,
    MAX_QUOTE,
    MIN_QUOTE,
    NUMBERED,
    SOURCE_NOTE,
    counted_at,
    heads_items,
    quotable,
    sibling_suffix,
)
from assistant.retrieval import PolicyIndex
from assistant.slide_layout import box_headings, diagram_cells, diagram_labels, parallel_headings
from assistant.tokenizer import Tokenizer, hiragana
from assistant.words import Words

_DROPPED_PARTICLES = frozenset({"を", "が", "は"})  # case particles speech drops (外国人雇うの初めて)


def spoken(words: Iterable[str]) -> str:
    """MeCab's words joined without the case particles を, が and は, which speech drops."""
    return "".join(w for w in words if w not in _DROPPED_PARTICLES)


@dataclass(frozen=True)
class Citation:
    section: str
    page: int | None
    quote: str
    initiative: str = ""
    start: int = 0
    end: int = 0


_ACTOR_HEAD = 12  # characters: an actor named this early is whom the sentence addresses, not a partner
_COUNTER = re.compile(r"[0-9]+(?:\.[0-9]+)?([一-龥ァ-ヶー]{1,3})")  # folded (NFKC) text: 37団体 → 団体
# A heading alone on its line (＜ 表彰制度 ＞, 【９支援機関】), less the count before its name.
LIST_HEAD = re.compile(r"^[＜<【]\s*[0-9０-９]*(?P<name>[^＞>】]+?)\s*[＞>】]$")
# A heading numbered with a circled figure (② プランにおける基本的な取組姿勢), and an item numbered in brackets.
_NUMBERED_HEAD = re.compile(r"^[①-⑳]\s*(?P<name>[^。、]{4,30})$")
_PAREN_ITEM = re.compile(r"^[（(][0-9０-９]{1,2}[）)]")
_EACH = re.compile(r"各(?P<noun>[一-龥ァ-ヶー]{1,4}?)(?:の|ごと|別)")  # a slide on each of a set (各要素の具体的支援策)
_WHEN_FIELD = re.compile(r"^(日\s*付|日\s*時|日\s*程|会\s*期|開催日)\s*[：:]")  # an outline's date field
# A sentence opening on "the same …" (同イベントでは, 本プロジェクトは) leans on the one before it.
_REFERS_BACK = re.compile(r"^(同|本)(?!年|月|日|件|局|省)([ァ-ヶー]{2,}|[一-龥]{2}(では|は|に|の|を))")
# A line that is only a year (令和7年度): a slide's label box, which the extraction writes after the items it
# labels when the box stands beside them (①…目指す。 ②…５社以上進め… 令和7年度).
_YEAR_LABEL = re.compile(r"^\s*(令和\s*[0-9０-９元]+|[0-9０-９]{4})\s*年度\s*$")
_ANTECEDENT_LINES = 3  # how far back on its slide the sentence naming what 「同イベント」 refers to may stand


class SentenceRows:
    """What each sentence of the document is, read once at start-up whatever the question: its words and
    years, the unit it is quoted as, the lists, headings and diagrams it belongs to, the help it names."""

    def __init__(self, index: PolicyIndex, tokenizer: Tokenizer, help_kinds: Callable[[str], int] | None = None,
                 background_words: re.Pattern[str] | None = None,
                 actors: tuple[Actor, ...] = (),
                 offers: Callable[[str], bool] | None = None) -> None:
        self.index = index
        self._help_kinds = help_kinds
        self.tokenizer = tokenizer
        # Joining a quote's lines asks MeCab about the same pairs of lines for every question: remember.
        self._word_across = lru_cache(maxsize=4096)(self._read_across)
        self._sentences_of: dict[str, list[tuple[int, StoredChunk, StoredSentence]]] = {}
        for row, (ci, si) in enumerate(index.sentence_owner):
            chunk = index.chunks[ci]
            self._sentences_of.setdefault(chunk.initiative, []).append((row, chunk, chunk.sentences[si]))
        self._text_of = {t: "\n".join(x.text for _, _, x in rows) for t, rows in self._sentences_of.items()}
        # Terms of every sentence with the lines it is quoted with (a caption 「播磨臨海部」 is read with
        # the label under it), once: tokenizing them on each question cost most of its time.
        slide_terms = lru_cache(maxsize=None)(lambda title: frozenset(tokenizer.terms(title)))
        self._title_terms = slide_terms  # an initiative's or a slide's title: its words
        own: dict[int, set[str]] = {}
        self._terms_of_row: dict[int, set[str]] = {}
        self._item_rows: set[int] = set()
        # A row's head quoted with the line under it (2023年度 4回 + ㈱オカムラ、…): what the asker reads.
        self._unit_text: dict[int, str] = {}
        self._slide_of_row: dict[int, frozenset[str]] = {}
        self._years_of_row: dict[int, frozenset[int]] = {}  # read with the lines quoted with it (2023年度 4回 + firms)
        # Years read from a label the extraction wrote after a list (its box beside the items): where the label
        # stood is a guess from the layout, so such a year says less than one a line or its list announces.
        self._years_beside: dict[int, frozenset[int]] = {}
        self._count_rows: dict[int, set[str]] = {}  # a count over labels (重点３分野), with what it counts (分野)
        self._count_row_terms: dict[int, set[str]] = {}  # such a row's own words (a follow-up naming one picks it)
        # Each bullet of a slide's list with the bullets beside it (its lines wrapped under it skipped): the
        # measures one column of a slide lists (関西サイバーセキュリティネットワーク活動, セミナー、リスク分析
        # ワークショップ…, …お助け隊…) sit together, though only some name what the column is about.
        self._bullet_list: dict[int, list[int]] = {}  # each bullet → its list, one list object shared by all
        listing: list[int] = []
        announced: tuple[int, frozenset[int]] = (-1, frozenset())  # the chunk and years of the last list announced
        items: list[int] = []  # the item rows just before this line in its chunk
        for row, (ci, si) in enumerate(index.sentence_owner):
            chunk = index.chunks[ci]
            own[row] = set(tokenizer.terms(chunk.sentences[si].text))
            unit = quotable(chunk, chunk.sentences[si], self._wraps)
            said = unit.text if unit else chunk.sentences[si].text
            # A list runs on across chunks of one slide (the chunker cuts by length, not by list).
            slide = listing and index.chunks[index.sentence_owner[listing[-1]][0]].section == chunk.section
            if ITEM.match(chunk.sentences[si].text) and not NUMBERED.match(chunk.sentences[si].text):
                listing = listing if slide else []
                listing.append(row)
                self._bullet_list[row] = listing
            elif not (slide and chunk.sentences[si].text in said and said == self._unit_text.get(listing[-1])):
                listing = []  # a line that is not the last bullet's wrapped end closes the list
            if counted := counted_at(chunk.sentences, si):
                self._count_rows[row] = set(tokenizer.terms(counted))
            if kind := sibling_suffix(chunk.sentences, si):  # 育成WG beside 需要喚起・情報発信WG: a list of WGs
                self._count_rows[row] = set(tokenizer.terms(kind))
            if (each := _EACH.search(chunk.section)) and heads_items(chunk.sentences, si, unit):
                # On a slide of 各要素の具体的支援策 the headings over its measures are the 要素 (サイバーセキュリティ,
                # 業務のデジタル化, …): the list of them asked for, each with what it offers.
                self._count_rows[row] = set(tokenizer.terms(each["noun"]))
            # Read with its slide's title too: a member listed under 「関西・共創の森」について answers
            # who takes part in 関西・共創の森 without naming it.
            if row in self._count_rows:
                self._count_row_terms[row] = own[row]
            self._terms_of_row[row] = own[row] | slide_terms(chunk.section) | (
                set(tokenizer.terms(unit.text)) if unit else set())
            # A slide of its own about something (（参考）「関西・共創の森」について), not the initiative's own slide.
            self._slide_of_row[row] = slide_terms(chunk.section) if chunk.section != chunk.initiative else frozenset()
            # The items of a list a line announces for a year (令和7年度は以下の活動を柱として…: ①実施校拡大, …) are
            # that year's, though they do not name it.
            line = chunk.sentences[si].text
            if ANNOUNCES.search(line):
                announced = (ci, years_named(line))
            elif not (ITEM.match(line) and announced[0] == ci):
                announced = (ci, frozenset())
            self._years_of_row[row] = years_named(unit.text if unit else line) | (
                announced[1] if ITEM.match(line) and announced[0] == ci else frozenset())
            if _YEAR_LABEL.match(line) and not (si + 1 < len(chunk.sentences) and ITEM.match(chunk.sentences[si + 1].text)):
                # A year label closing a list (not announcing the next one) is the year of the items before it.
                for item in items:
                    if not self._years_of_row[item]:
                        self._years_beside[item] = years_named(line)
            if not ITEM.match(line):
                items = []
            elif items and index.sentence_owner[items[-1]][0] == ci:
                items.append(row)
            else:
                items = [row]
            if unit and unit.text != chunk.sentences[si].text:
                self._unit_text[row] = unit.text
            # Quoted as a numbered measure (not inside labels), or an item on a slide of support measures
            # (（参考）各要素の具体的支援策: its bullets are the measures).
            if unit and (NUMBERED.match(unit.text) or (
                    ITEM.match(chunk.sentences[si].text) and not ANNOUNCES.search(unit.text.removesuffix("。"))
                    and help_kinds and help_kinds(chunk.section))):
                self._item_rows.add(row)
        # The lines of one wrapped unit, by their places among their initiative's sentences: what is quoted is
        # the unit, so it means what its nearest line does (「⚫ 中小機構J-GoodTechとの連携による…マッチングサイト」
        # goes on 「た海外バイヤー等とのマッチング・商談機能の強化」, the line an exporter's question is near).
        self._wrapped_lines: dict[str, list[list[int]]] = {}
        for title, rows in self._sentences_of.items():
            lines: dict[tuple[int, str], list[int]] = {}
            for i, (row, chunk, _) in enumerate(rows):
                if row in self._unit_text:
                    lines.setdefault((id(chunk), self._unit_text[row]), []).append(i)
            self._wrapped_lines[title] = [places for places in lines.values() if len(places) > 1]
        # What a sentence is, whatever the question: its folded text, the kinds of help it names, whether it
        # tells background; read once rather than on every question.
        self._folded = {r: nfkc(x.text).lower() for rows in self._sentences_of.values() for r, _, x in rows}
        self._unspaced = {r: re.sub(r"\s", "", text) for r, text in self._folded.items()}  # 主 催 as 主催
        self._slides = "\n".join(self._unspaced.values())
        self._numbered_rows = {r for r, text in self._folded.items() if re.search(r"\d", text)}  # any figure
        # What each number counts (37団体, 108機関, 2026年度): a count of what the question names answers it.
        self._counted = {r: {m for m in _COUNTER.findall(text) if len(m) >= 2} for r, text in self._unspaced.items()}
        # Each slide's source notes (※出所：…), by initiative and slide: never quoted, but asked for.
        self._notes_of: dict[tuple[str, str], list[str]] = {}
        # An event's date as its outline states it (■日 付：2025年9月17日(水)、18日(木)), by initiative: when it is.
        self._when_of: dict[str, Citation] = {}
        for title, rows in self._sentences_of.items():
            for _, chunk, x in rows:
                if SOURCE_NOTE.match(bare := BULLET.sub("", x.text)):
                    self._notes_of.setdefault((title, chunk.section), []).append(bare)
                if _WHEN_FIELD.match(bare) and title not in self._when_of \
                        and (unit := quotable(chunk, x, self._wraps)) is not None:
                    self._when_of[title] = Citation(chunk.section, chunk.page, unit.text, title, unit.start, unit.end)
        # A list under a heading of its own (＜ 表彰制度 ＞ ■はばたく300社 ■…, 【９支援機関】 …): a quote naming the
        # heading's word (…経済産業省の表彰制度の受賞企業を対象に…) is followed by the list it names.
        self._lists_of: dict[tuple[str, str], list[tuple[str, StoredChunk, StoredSentence]]] = {}
        self._head_terms: dict[int, frozenset[str]] = {}  # a heading's words, by its sentence
        for title, rows in self._sentences_of.items():
            for _, chunk, x in rows:
                if (head := LIST_HEAD.match(x.text.strip())) and len(name := re.sub(r"\s", "", head["name"])) >= 3:
                    self._lists_of.setdefault((title, chunk.section), []).append((name, chunk, x))
                    self._head_terms[id(x)] = frozenset(tokenizer.terms(name))
        # A numbered heading (② プランにおける基本的な取組姿勢) with its numbered items beside it, after it or, where
        # the extraction put them first, before it: a question naming the heading is answered by the items.
        # By the heading's place (section, start, end), where a quote of it is found too; the first chunk holding
        # a heading (chunks overlap) keeps it.
        self._items_of_head: dict[tuple[str, int, int], tuple[frozenset[str], StoredChunk, tuple[StoredSentence, ...]]] = {}
        for rows in self._sentences_of.values():
            for _, chunk, x in rows:
                if not (head := _NUMBERED_HEAD.match(x.text.strip())):
                    continue
                units, k = chunk.sentences, chunk.sentences.index(x)
                first = last = k
                if k + 1 < len(units) and _PAREN_ITEM.match(units[k + 1].text):
                    first = last = k + 1
                    while last + 1 < len(units) and _PAREN_ITEM.match(units[last + 1].text):
                        last += 1
                else:
                    while first > 0 and _PAREN_ITEM.match(units[first - 1].text):
                        first -= 1
                    last = k - 1
                if first <= last and first != k:
                    self._items_of_head.setdefault((chunk.section, x.start, x.end), (
                        frozenset(tokenizer.terms(head["name"])), chunk, units[first : last + 1]))
        # A diagram holding words the slides use nowhere else (ビギナー, アドバンスド beside ターゲット層): a
        # question naming one of its labels is answered by the labels side by side, the only place they are.
        spans = {row: diagram_labels(index.chunks[ci].sentences, si, self._wraps)
                 for row, (ci, si) in enumerate(index.sentence_owner)}
        in_text = set().union(*(own[r] for r, span in spans.items() if span is None))
        # Such a diagram is quoted whole, its labels with the boxes under them (アドバンスド ビギナー ターゲット層
        # 外国人材雇用の経験が…企業 これから外国人雇用に取り組む企業 …), wherever a line of it is chosen: a box alone
        # does not say which label it is, and its wrapped lines do not read as a sentence.
        self._diagram_of_row: dict[int, Citation] = {}
        self._diagram_of_labels: dict[int, Citation] = {}  # by the first label's sentence
        row_of = {(ci, si): row for row, (ci, si) in enumerate(index.sentence_owner)}
        read: set[tuple[int, int]] = set()  # each diagram once, however many of its labels qualify
        for r, span in spans.items():
            ci = index.sentence_owner[r][0]
            if span is None or not own[r] or own[r] & in_text or (ci, span[0]) in read:
                continue
            read.add((ci, span[0]))
            chunk = index.chunks[ci]
            labels = chunk.sentences[span[0] : span[1] + 1]
            for label in labels:
                self._items_of_head.setdefault((chunk.section, label.start, label.end),
                                               (frozenset(tokenizer.terms(label.text)), chunk, labels))
            last, boxes = diagram_cells(chunk.sentences, span[1])
            text = " ".join([*(x.text for x in labels), boxes])
            if boxes and len(text) <= MAX_QUOTE:
                whole = Citation(chunk.section, chunk.page, text, chunk.initiative, labels[0].start,
                                 chunk.sentences[last].end)
                self._diagram_of_labels[id(labels[0])] = whole
                for si in range(span[0], last + 1):
                    if (ci, si) in row_of:
                        self._diagram_of_row[row_of[(ci, si)]] = whole
        self._help_of_row = {r: help_kinds(x.text) if help_kinds else 0
                             for rows in self._sentences_of.values() for r, _, x in rows}
        self._background_rows = {r for rows in self._sentences_of.values() for r, _, x in rows
                                 if background_words and background_words.search(x.text)}
        # Sentences saying something is done or offered (…包括的な支援を実施): help, however they name it.
        self._offer_rows = {r for rows in self._sentences_of.values() for r, _, x in rows if offers and offers(x.text)}
        # The kind of actor a sentence addresses, named at its head (「個々の自治体のニーズ…」「金融機関による…」):
        # a measure for municipalities is no help to a factory.
        self._actors = actors
        # The same words with the case particles an asker drops in speech left out (外国人を雇うのは初めて →
        # 外国人雇うの初めて, as 「外国人雇うの初めてなんやけど」 says it).
        self._actors_spoken = {a.name: tuple(spoken(m.surface for m in tokenizer.morphemes(w) if m.surface.strip())
                                             for w in a.asker) for a in actors}
        # And in the dictionary's headwords, however the asker writes them (はじめて as 初めて).
        self._actors_headwords = {a.name: tuple(spoken(Words.of(w, tokenizer).lemmas) for w in a.asker) for a in actors}
        bare = {r: BULLET.sub("", x.text) for rows in self._sentences_of.values() for r, _, x in rows}
        self._actor_of_row: dict[int, str] = {}
        for r, text in bare.items():
            found = next((a.name for a in actors if a.name in text[:_ACTOR_HEAD]), None)
            if found:
                self._actor_of_row[r] = found
        # A box under one of a set of headings (工業団地アプローチ ⚫ 工業団地立地企業…): quoted under it.
        self._heading_of: dict[int, StoredSentence] = {}
        self._measures_under: dict[tuple[str, int, int], list[StoredSentence]] = {}
        # The sentence saying what a box does in general (課題別のセミナー開催や伴走支援…), between its heading and
        # its numbered measures: the box's heading, by the sentence's place.
        self._box_told: dict[tuple[str, int], StoredSentence] = {}
        slides: dict[tuple[str, str], list[tuple[int, StoredSentence]]] = {}
        for title, rows in self._sentences_of.items():
            for r, chunk, x in rows:
                slides.setdefault((title, chunk.section), []).append((r, x))
        for (_, section), lines in slides.items():
            texts = [x.text for _, x in lines]
            measures = box_headings(texts)
            for box, head in sorted(measures.items()):  # the numbered measures under a box's heading, by the heading
                heading = lines[head][1]
                if (section, heading.start, heading.end) not in self._measures_under:  # its first measure
                    for _, told in lines[head + 1 : box]:
                        self._box_told.setdefault((section, told.start), heading)
                self._measures_under.setdefault((section, heading.start, heading.end), []).append(lines[box][1])
                self._heading_of[lines[box][0]] = heading
            for box, head in parallel_headings(texts).items():
                self._heading_of[lines[box][0]] = lines[head][1]
                # Read with its heading's words too: 「金融機関アプローチって具体的には？」 names the box by its heading
                # (a box's measures are not: the heading is what the box is, not what each measure is about).
                self._terms_of_row[lines[box][0]] |= set(tokenizer.terms(lines[head][1].text))
        # A label (サイバーセキュリティ) or labels side by side: like the topic, but no help; and a sentence
        # opening on 「同イベントでは…」, which names nothing alone.
        self._label_rows = {r for r, text in bare.items() if len(text) < MIN_QUOTE
                            or (LABEL_GAP.search(text) and not re.search(r"[、。，]", text))}
        self._refers_back_rows = {r: m.group(2).rstrip("ではにのを") for r, text in bare.items()
                                  if (m := _REFERS_BACK.match(text))}  # the row → what it refers back to
        # What it refers back to: the nearest sentence before it on its slide naming the thing (…「関西水素産業交流
        # ラウンジ」等のイベントを通じて…), quoted with it so that the quote says what it is about.
        self._antecedent_of: dict[int, StoredSentence] = {}
        for lines in slides.values():
            for k, (r, _) in enumerate(lines):
                if (thing := self._refers_back_rows.get(r)) is not None:
                    before = (x for _, x in reversed(lines[max(0, k - _ANTECEDENT_LINES) : k]) if thing in x.text)
                    if (found := next(before, None)) is not None:
                        self._antecedent_of[r] = found
        self._terms_of_initiative: dict[str, set[str]] = {}
        for t, rows in self._sentences_of.items():
            self._terms_of_initiative[t] = set().union(*(own[r] for r, _, _ in rows))
        # A shared word says little about which sentence answers (支援 is in half of them): words weigh
        # by how few sentences use them.
        df: dict[str, int] = {}
        for terms in own.values():
            for t in terms:
                df[t] = df.get(t, 0) + 1
        n = len(self._terms_of_row) or 1
        self._idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self._unknown_idf = math.log(1 + n)
        # Proper nouns each sentence names, by kind: 「どこの国？」 is answered by a rarely named place
        # (ドイツ), not by 関西, which half the sentences name.
        self._proper_of_row: dict[int, dict[str, set[str]]] = {}
        for row, (ci, si) in enumerate(index.sentence_owner):
            for m in tokenizer.morphemes(nfkc(index.chunks[ci].sentences[si].text)):
                if m.proper:
                    self._proper_of_row.setdefault(row, {}).setdefault(m.proper, set()).add(hiragana(m.base.lower()))
        self._proper_nouns = frozenset(n for kinds in self._proper_of_row.values() for names in kinds.values() for n in names)

    def quoted_texts(self, title: str) -> list[str]:
        """Each sentence of an initiative (the rows of ``evidence``) as quoted, with the lines read with it."""
        return [self._unit_text.get(row, sentence.text) for row, _, sentence in self._sentences_of.get(title, [])]

    def source_notes(self, citations: list[Citation]) -> list[str]:
        """The source notes (※出所：…) of the slides the citations quote: never quoted as evidence, but
        the answer to "where is that figure from?"."""
        slides = dict.fromkeys((c.initiative, c.section) for c in citations)
        return list(dict.fromkeys(note for slide in slides for note in self._notes_of.get(slide, [])))

    def text_of(self, title: str) -> str:
        """An initiative's sentences, one a line."""
        return self._text_of.get(title, "")

    def _wraps(self, before: str, after: str) -> bool:
        """Whether MeCab reads a word across the join of two lines (海 + 外展開 → 海外)."""
        return self._word_across(before[-6:], after[:6])

    def _read_across(self, head: str, tail: str) -> bool:
        return any(m.start < len(head) < m.end for m in self.tokenizer.morphemes(head + tail))
