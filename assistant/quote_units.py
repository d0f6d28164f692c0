"""What a quotable unit of the slides is: a sentence, a bullet or a caption as the slide has it.

Wrapped lines are joined back (a line that stops on a particle, or runs on inside a word, as MeCab reads
the join), labels too short to read go with their neighbours, an item of a list comes with the items
beside it where a list answers, and source notes, links and long runs of diagram labels are never quoted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from assistant.chunking import NUMBERED, SHORT_LINE, is_title
from assistant.index import StoredChunk, StoredSentence

# Quotes read as whole sentences: shorter units are joined with their neighbours, longer runs (diagram
# labels strung together) and source notes are searchable but never quoted.
MIN_QUOTE, MAX_QUOTE = SHORT_LINE, 200
# Bullet glyphs: marks that only ever open an item, and the middle dots that also join words (需要喚起・情報発信).
MARKS, DOTS = "•◆⚫➢■□●○◎", "・･"
BULLET = re.compile(rf"^[{MARKS}{DOTS}\s]+")
ENDS = ("。", "！", "？", "!", "?")
# A source note (※出所：…, （出典）…) or a note on where a slide's items were taken from (※…資料から…を抜粋).
SOURCE_NOTE = re.compile(r"^[※＊*]?\s*[（(]?(出所|出典|資料)[：:)）]|^[※＊*][^。]*(から|より)[^。]*(抜粋|引用|作成|転載)$")
# A note giving the date a figure holds at (※令和7年3月現在, ※2024年度末時点).
AS_OF = re.compile(r"^[※＊*]\s*[^。、]{2,20}(現在|時点)[。）)]?$")
# A sentence pointing at what the extracted text no longer shows: the list "as follows" (quoted with its
# items, never alone) or the slide's typography (太字下線部: which words were bold is lost).
POINTS_ELSEWHERE = re.compile(r"(以下|下記|次)の(とおり|通り)[。.]?$|太字|下線部|赤字|網掛け|色付き")
LABEL_GAP = re.compile(r"[^\x00-\x7f] (?=[^\x00-\x7f])")  # a space between Japanese words (not "EXPO EUROPE")
# A line that stops on a comma or a particle (…あり、今後さらに / 雇用拡大を) goes on in the next one.
OPEN_END = re.compile(r"(、|，|さらに|および|及び|並びに|[をにがでへとの])$")
# A wrapped line that starts inside a word or a phrase, or with an aside that the phrase goes on after
# (「…マッチングサイト」 / 「（SMRJ＆METI-KANSAI MATCHING CORNER）の運用を通じた…」).
_CONTINUES = re.compile(r"^[ぁ-ゖー、，）」』]|^[（(][^）)]*[）)][のをにでがはとへ]")
# An item of a list: bulleted, or numbered (①, (1)); and a line announcing the list under it
# (「令和7年度は以下の活動を柱として…」): where a list is the answer, the items are quoted together.
_SHORT_LABEL = 6  # characters: a line this short fills no box, so it never wraps into a longer one
ITEM = re.compile(rf"^[{MARKS}{DOTS}]|{NUMBERED.pattern}")
# A chart's value label (アジア, 52.04%) and the caption over a chart (…の比較（2024年）).
_CHART_VALUE = re.compile(r"^[^、。\s]{1,12}[,，]\s*[0-9０-９.]+\s*[%％]$")
_CHART_CAPTION = re.compile(r"比較|推移|割合|構成比|内訳|シェア|[（(](19|20)[0-9]{2}年?度?[）)]$")
_BOX_HEAD = re.compile(r"^[＜<][^＞>]+[＞>]$")  # ＜パートナー側の共創メリット＞: a box of a diagram, named
_PART_NAME = r"[A-Z][a-z]{2,15}"  # Session, Pitch: a programme's part named over what it offers
_LATIN_LABEL = re.compile(rf"^{_PART_NAME}$")
_LATIN_LABELLED = re.compile(rf"^{_PART_NAME} (?=[^\x00-\x7f])")  # such a name heading a quote
ANNOUNCES = re.compile(r"(以下|次の|下記)[^。]*$|[:：]$|^[＜<【][^＞>】]+[＞>】]$")
# A label counting what the labels under it are (重点３分野 / 育成 / 需要喚起・情報発信 / …): where a list
# answers, the count is quoted with its labels.
_COUNTS = re.compile(r"^[^、。，\s]{0,8}[0-9０-９一二三四五六七八九]+つ?の?(?P<counted>[^、。，\s]{1,6})$")
_LISTED_LABEL = 20  # characters: a label under a count is a name, not a sentence
# A bulleted field of a slide's outline (■主 催：経済産業省、近畿経済産業局): the unbulleted names under it
# (日本貿易振興機構（JETRO）) are more of its value, not labels of their own.
_FIELD = re.compile(r"^[^：:、。]{1,8}[：:]")
_FIELD_NAME = 30  # characters: a name continuing a field's value, not a sentence
_ITEM_TAIL = 12  # characters: the most an item's end set on a line of its own holds (NEDOデスク)
_TAIL_NAME = re.compile(r"[A-Z]{3,}|[ァ-ヶー]{3,}")  # the item's own name the line repeats (NEDO of …（NEDO）)


Wraps = Callable[[str, str], bool]  # whether a word runs on from the first text into the second


def quotable(chunk: StoredChunk, sentence: StoredSentence, wraps: Wraps,
             pick: Callable[[list[str]], int] | None = None, lists: bool = True,
             items: bool = False, defines: bool = False) -> StoredSentence | None:
    """The unit to quote for a chosen sentence: bullet glyphs off, a line wrapped inside a word joined
    with the lines it belongs to, a label or item too short to read joined with its neighbours, the
    caption ``pick`` chooses (default the first) of a run of captions; None for a source note, an as-of note or a run
    too long to be a sentence (or for the head of a long list of labels, unless ``lists``: it answers
    who takes part, not what help exists). With ``items``, an item of a list comes with the items beside
    it and the line announcing them (who takes part, the targets: the answer is the list). With ``defines``
    (asked what something is), a box's title alone on its line comes with the lines under it."""
    units = chunk.sentences
    if AS_OF.match(sentence.text.strip()):
        return None  # the date a figure holds at says nothing alone: it is quoted with its figure

    def runs_on(k: int) -> bool:  # unit k continues unit k - 1 (a line wrapped inside a word or phrase)
        return _wraps_at(units, k, wraps) or _fills_box(units, k, wraps)

    def link(k: int) -> bool:  # a link is never read into a quote
        return units[k].text.startswith("http")

    i = j = units.index(sentence)
    while i > 0 and runs_on(i):
        i -= 1

    def opens_caption(k: int) -> bool:
        # A caption of its own (「HYDROGEN…」でのミーティング) follows a label that ends the caption before it
        # (「播磨臨海部」水素発電実証 / プロジェクト候補地): the label goes back, not on.
        return units[k].text.startswith("「") and i > 0 and not units[i - 1].text.endswith(ENDS) \
            and not BULLET.match(units[i].text) and not ANNOUNCES.search(units[i - 1].text)

    while j + 1 < len(units) and not link(j + 1) and _length(units, i, j + 1, wraps) <= MAX_QUOTE and (
            (_length(units, i, j, wraps) < MIN_QUOTE and not opens_caption(j + 1)) or runs_on(j + 1)):
        j += 1
    while i > 0 and not link(i - 1) and _length(units, i, j, wraps) < MIN_QUOTE \
            and _length(units, i - 1, j, wraps) <= MAX_QUOTE:
        i -= 1  # the last item of its slide: join it with the one before
    if i > 0 and _CHART_VALUE.match(units[i].text) and _CHART_CAPTION.search(units[i - 1].text) \
            and not units[i - 1].text.endswith(ENDS) and _length(units, i - 1, j, wraps) <= MAX_QUOTE:
        i -= 1  # a chart's figures (アジア, 52.04%) say what they measure only under their caption
    if i > 0 and _LATIN_LABEL.match(units[i - 1].text.strip()) and not _LATIN_LABEL.match(units[i].text.strip()) \
            and _length(units, i - 1, j, wraps) <= MAX_QUOTE:
        i -= 1  # what a part of a programme offers (起業家のビジョンや想いを知り…) under its name (Pitch)
    if defines and i == j and is_title(units[i].text):
        # A box's title alone on its line (The Kansai Companies Profile), asked what it is: the lines under it
        # (…中堅・中小企業110社を掲載 ※令和7年3月現在 …) say what it is, up to a sentence's end or the next heading.
        while j + 1 < len(units) and not link(j + 1) and not units[j].text.endswith(ENDS) \
                and not ITEM.match(units[j + 1].text) and not ANNOUNCES.search(units[j + 1].text) \
                and not SOURCE_NOTE.match(units[j + 1].text) and _length(units, i, j + 1, wraps) <= MAX_QUOTE:
            j += 1
    if i == j and BULLET.match(units[i].text) and _FIELD.match(BULLET.sub("", units[i].text)):
        while j + 1 < len(units) and _names_more(units[j + 1].text) and _length(units, i, j + 1, wraps) <= MAX_QUOTE:
            j += 1
    listed = False  # items joined as a list: separate on purpose, not labels side by side
    # A box's heading too short to read alone, joined with the first item under it (＜…メリット＞ ・外部ノウハウの
    # 活用), would read as if that item were all it heads: its items come with it, where they fit one quote.
    # (A 【…】 heading heads a list long enough to need two quotes, read whole where it is asked for.)
    heads_list = j == i + 1 and bool(_BOX_HEAD.match(units[i].text)) and bool(ITEM.match(units[j].text)) \
        and _length(units, i, _items_end(units, j), wraps) <= MAX_QUOTE
    if (items or heads_list) and (ITEM.match(units[i].text) or any(
            k + 1 < len(units) and ANNOUNCES.search(units[k].text) and ITEM.match(units[k + 1].text)
            for k in range(i, j + 1))):
        listed = True
        while j + 1 < len(units) and _length(units, i, j + 1, wraps) <= MAX_QUOTE and (
                ITEM.match(units[j + 1].text) or item_tail(units, j + 1)):
            j += 1
        while i > 0 and ITEM.match(units[i].text) and (ITEM.match(units[i - 1].text) or ANNOUNCES.search(
                units[i - 1].text)) and _length(units, i - 1, j, wraps) <= MAX_QUOTE:
            i -= 1
    kinds = [(k, end) for k in range(i, j + 1) if (end := sibling_suffix(units, k))] if items and not listed else []
    if kinds:
        # Labels naming things of one kind side by side (育成WG / 需要喚起・情報発信WG / …WG): the list asked for.
        (k, end_word), listed = kinds[0], True
        i = j = k
        while i > 0 and is_listed_label(units[i - 1].text) and units[i - 1].text.endswith(end_word):
            i -= 1
        while j + 1 < len(units) and is_listed_label(units[j + 1].text) and units[j + 1].text.endswith(end_word) \
                and _length(units, i, j + 1, wraps) <= MAX_QUOTE:
            j += 1
    counted = next((k for k in range(i, j + 1) if counted_at(units, k)), None) if items and not listed else None
    if counted is not None:
        listed = True
        i = j = counted
        while j + 1 < len(units) and is_listed_label(units[j + 1].text) \
                and _length(units, i, j + 1, wraps) <= MAX_QUOTE:
            j += 1
    if j + 1 < len(units) and AS_OF.match(units[j + 1].text.strip()) \
            and any(re.search(r"[0-9０-９]", u.text) for u in units[i : j + 1]) and _length(units, i, j + 1, wraps) <= MAX_QUOTE:
        j += 1  # a figure holds at the date the note under it gives (…110社を掲載 / ※令和7年3月現在)
    # A caption joined with the source notes under it (アジアマーケットの成長可能性 / 出所：…財務省貿易統計): the
    # notes are never quoted, so the caption ends before them.
    j = next((k - 1 for k in range(i + 1, j + 1) if SOURCE_NOTE.match(BULLET.sub("", units[k].text))), j)
    text = _joined(units[i : j + 1], wraps)
    lead = len(m.group(0)) if (m := BULLET.match(units[i].text)) else 0
    end = units[j].end
    if i == j and not re.search(r"[、。，]", text) and (captions := _captions(text)):
        # Photo captions strung together (「…」（ドイツ）でのミーティング「…」での企業間交流): quote the one
        # that answers.
        a, b = captions[pick([text[x:y] for x, y in captions]) if pick else 0]
        return StoredSentence(text[a:b], units[i].start + lead + a, units[i].start + lead + b)
    if len(text) > MAX_QUOTE:
        # A run of diagram labels: quote its head, cut after a comma between two labels, not in a word.
        cut = max(text.rfind(sep, 0, MAX_QUOTE) for sep in ("、", "，", "･･･", "。"))
        if i != j or cut < MIN_QUOTE or not lists:
            return None
        text, end = text[: cut + 1], units[i].start + lead + cut + 1
    if len(text) < MIN_QUOTE or SOURCE_NOTE.match(text) or text.startswith("http"):
        return None  # too short to read, a source note, a bare link
    if (not listed or i == j) and POINTS_ELSEWHERE.search(text):
        return None  # 「…支援策は以下のとおり。」 alone, 「このうち、太字下線部については…」
    if not listed and len(LABEL_GAP.findall(text)) >= 2 and not re.search(r"[、。，：:「]", text):
        return None  # diagram labels side by side (アドバンスド ビギナー ターゲット層): no sentence in it
    return StoredSentence(text, units[i].start + lead, end)


def names_a_part(text: str) -> bool:
    """Whether a line is only a programme's part named (Session, Pitch), over the lines saying what it offers."""
    return bool(_LATIN_LABEL.match(text.strip()))


def unlabelled(quote: str) -> str:
    """A quote without the programme part's name heading it (Pitch of 「Pitch 起業家のビジョン…」): two parts
    the slide says the same of are one thing said, not two."""
    return _LATIN_LABELLED.sub("", quote)


def _items_end(units: tuple[StoredSentence, ...], k: int) -> int:
    """The last item of the list item ``k`` belongs to."""
    while k + 1 < len(units) and ITEM.match(units[k + 1].text):
        k += 1
    return k


def sibling_suffix(units: tuple[StoredSentence, ...], k: int) -> str:
    """The word a label shares as its ending with a label beside it (育成WG, 需要喚起・情報発信WG → WG): labels
    naming things of one kind; '' for anything else."""
    text = units[k].text
    if not is_listed_label(text) or len(text) < 3:
        return ""
    for other in (units[k - 1].text if k else "", units[k + 1].text if k + 1 < len(units) else ""):
        if is_listed_label(other) and len(other) >= 3 and other[-2:] == text[-2:] and other != text:
            return text[-2:]
    return ""


def item_tail(units: tuple[StoredSentence, ...], k: int) -> bool:
    """Whether unit k is the end of the item above it set on a line of its own, with an item after it (…新エネ
    ルギー・産業技術総合開発機構（NEDO） / NEDOデスク / • …JETRO…): it repeats the item's own name, where a
    heading of the next items (業務のデジタル化 between two columns of measures) does not."""
    text = units[k].text
    name = _TAIL_NAME.match(text)
    return (0 < k < len(units) - 1 and name is not None and len(text) <= _ITEM_TAIL and not text.endswith(ENDS)
            and ITEM.match(units[k - 1].text) is not None and ITEM.match(units[k + 1].text) is not None
            and name.group(0) in units[k - 1].text)


def heads_items(units: tuple[StoredSentence, ...], k: int, unit: StoredSentence | None) -> bool:
    """Whether unit k is a heading over items: a label of its own (not the wrapped end of the item above,
    which its quoted ``unit`` would start elsewhere) with a bulleted item under it, or under the heading
    beside it (サイバーセキュリティ 変革のきっかけ / • 近畿総合通信局との…)."""
    text = units[k].text
    if ITEM.match(text) or not is_listed_label(text) or unit is None or not unit.text.startswith(text):
        return False
    return (k + 1 < len(units) and bool(ITEM.match(units[k + 1].text))) or (
        k + 2 < len(units) and is_listed_label(units[k + 1].text) and bool(ITEM.match(units[k + 2].text)))


def bulleted_name(text: str) -> bool:
    """Whether a line is a bulleted name: a glyph, not a number (① (1)), and no sentence after it (• 独立行政法人
    日本貿易振興機構（JETRO）大阪本部, not • 関西に所在する…組織。)."""
    return bool(ITEM.match(text)) and not NUMBERED.match(text) and not re.search(r"[、。，]", text)


def _names_more(text: str) -> bool:
    """Whether a line under a field names more of its value: unbulleted, short, no sentence, not a link,
    not labels side by side (開催概要 主なコンテンツ)."""
    return (len(text) <= _FIELD_NAME and not BULLET.match(text) and not ITEM.match(text) and not text.startswith("http")
            and not re.search(r"[。、，]", text) and not LABEL_GAP.search(text))


@lru_cache(maxsize=4096)  # asked of the same slide lines for every quote of every question
def is_listed_label(text: str) -> bool:
    # Counted as read: half-width katakana (ｵｰﾌﾟﾝｲﾉﾍﾞｰｼｮﾝ) is not longer than full-width.
    return len(unicodedata.normalize("NFKC", text)) <= _LISTED_LABEL and not re.search(r"[、。，]", text)


def counted_at(units: tuple[StoredSentence, ...], k: int) -> str | None:
    """What a count heading the labels under it counts (重点３分野 / 育成 / 需要喚起・情報発信 / … → 分野),
    or None for any other unit."""
    m = _COUNTS.match(units[k].text)
    # At least two short labels follow: the things it counts.
    if m is None or k + 2 >= len(units) or not all(is_listed_label(u.text) for u in units[k + 1 : k + 3]):
        return None
    return m.group("counted")


def _captions(text: str) -> list[tuple[int, int]]:
    """Spans of a label run that each open with 「 (a caption naming something), those long enough to
    read; [] when the run is not made of such captions."""
    starts = [m.start() for m in re.finditer(r"(?<![「（(])「", text)]
    if len(starts) < 2 or starts[0] > MIN_QUOTE:
        return []
    spans = [(a, b) for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return [(a, b) for a, b in spans if MIN_QUOTE <= b - a <= MAX_QUOTE]


def wraps_within(line: str, after: str, wraps: Wraps) -> bool:
    """Whether ``after`` is the rest of ``line`` wrapped inside a word (…雇用に取 / り組む企業). A wrapped
    line fills its box: a line of a word or two above a longer one (the label 企業 over 「これから外国人
    雇用に取」) is a label of its own, though the next line starts in kana."""
    if len(line) < _SHORT_LABEL and len(line) < len(after):
        return False
    return bool(_CONTINUES.match(after)) or wraps(line, after)


def _wraps_at(units: tuple[StoredSentence, ...], k: int, wraps: Wraps) -> bool:
    """Whether line k is line k - 1 wrapped inside a word or a phrase, as its words and grammar say."""
    prev, cur = units[k - 1].text, units[k].text
    return not prev.endswith(ENDS) and not BULLET.match(cur) and (
        bool(OPEN_END.search(prev)) or wraps_within(prev, cur, wraps))


def _width(text: str) -> float:
    """A line's width in full-width characters (Latin letters and digits are half as wide)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "FWA" else 0.5 for c in text)


# Lines of one box wrap where they fill it, between two words as often as inside one (…Profile掲載 / 企業を
# はじめとする…): a line as wide as a line beside it that wrapped inside a word wrapped too. Lines of a box differ
# by a character or so where a word would not fit; a line narrower than a box's is a label.
_BOX_SLACK, _BOX_LINE = 1.5, 10.0
# What starts a box's next part, not its wrapped line: a link, a note, a heading, a programme part's name.
_NOT_WRAPPED = re.compile(rf"http|[※＊*＜<【「]|{_PART_NAME}$")


def _fills_box(units: tuple[StoredSentence, ...], k: int, wraps: Wraps) -> bool:
    """Whether line k continues line k - 1 because line k - 1 fills its box: as wide as the line before it or
    the next, which wrapped inside a word."""
    prev, cur = units[k - 1].text, units[k].text
    if prev.endswith(ENDS) or _width(prev) < _BOX_LINE or ITEM.match(cur) or _NOT_WRAPPED.match(cur.strip()):
        return False
    # The line before is known to be inside the box (it goes on from a line that wrapped), or opens a bullet
    # whose next line wraps: two boxes side by side are as wide as each other too. What goes on is no wider
    # than the box (a wider line under a box is the next box's).
    evidence = (k - 1, k + 1) if BULLET.match(prev) else (k - 1,)
    return any(0 < m < len(units) and _wraps_at(units, m, wraps)
               and abs((box := _width(units[m - 1].text)) - _width(prev)) <= _BOX_SLACK
               and _width(cur) <= box + _BOX_SLACK for m in evidence)


def _joined(units: tuple[StoredSentence, ...], wraps: Wraps) -> str:
    """Units as one quote: wrapped lines joined as written, separate labels and items with a space."""
    out, last = "", ""
    for k, u in enumerate(units):
        item = BULLET.sub("", u.text).rstrip()
        runs_on = out and not out.endswith(ENDS) and not BULLET.match(u.text) and (
            OPEN_END.search(out) or wraps_within(last, item, wraps) or _fills_box(units, k, wraps))
        out += ("" if not out or runs_on else " ") + item
        last = item
    return out


def _length(units: tuple[StoredSentence, ...], i: int, j: int, wraps: Wraps) -> int:
    return len(_joined(units[i : j + 1], wraps))
