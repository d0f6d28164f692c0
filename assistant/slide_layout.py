"""How a slide's labels are laid out: the boxes of a diagram named side by side (アドバンスド / ビギナー /
ターゲット層), a set of parallel headings (…アプローチ) over their boxes, and a box's heading over its numbered
measures. The extraction flattens each into lines; these read which line heads or names which.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.chunking import NUMBERED
from assistant.index import StoredSentence
from assistant.quote_units import (
    BULLET,
    ENDS,
    ITEM,
    LABEL_GAP,
    OPEN_END,
    Wraps,
    is_listed_label,
    names_a_part,
    wraps_within,
)

_PARALLEL_ENDING = 3  # characters: headings of one set end alike (…アプローチ)
_BOX_SENTENCES = 3  # sentences saying what a box does, between its heading and its numbered measures
_BOX_HEADING = 40  # characters: a box's heading is a label, not a line of the slide's text
_PARALLEL_HEADINGS = 3  # labels ending alike on one slide: a set of headings, not two names that happen to
_DIAGRAM_LABEL = 8  # characters: a diagram's box is named in a word or two (ビギナー, ターゲット層), not a line
_DIAGRAM_WIDTH = 30  # characters: a line of a diagram's box; a longer line is text beside the diagram
_DIAGRAM_LINES = 12  # the most lines read as a diagram's boxes
_PARTS = 3  # parts named one after another: a programme's list of them, not a name that happens to stand alone
_PART_LINES = 4  # the most lines saying what one part offers
_MAIN = re.compile(r"^(主な|主要な|おもな)")  # 主なコンテンツ names コンテンツ: "what content" names it whole


def diagram_labels(units: tuple[StoredSentence, ...], k: int, wraps: Wraps) -> tuple[int, int] | None:
    """The first and last unit of the run of diagram labels unit k stands in (アドバンスド / ビギナー /
    ターゲット層: boxes named side by side); None when k is no such label, stands alone, or the run holds a
    line wrapped inside a word or a phrase (イノベーショ / ン, 人財育成と / 人材交流: text, not labels)."""
    if not _is_diagram_label(units[k].text):
        return None
    first = last = k
    while first > 0 and _is_diagram_label(units[first - 1].text):
        first -= 1
    while last + 1 < len(units) and _is_diagram_label(units[last + 1].text):
        last += 1
    if first == last or any(OPEN_END.search(units[i].text) or wraps_within(units[i].text, units[i + 1].text, wraps)
                            for i in range(first, last)):
        return None
    return first, last


def diagram_cells(units: tuple[StoredSentence, ...], last: int) -> tuple[int, str]:
    """The boxes under a run of diagram labels (外国人材雇用の経験が一 / 定程度あり… / 企業, これから外国人雇用に
    取 / り組む企業): the lines after the labels up to the next sentence, each box's lines wrapped at the
    boxes' width and ended by a shorter line. Returns the last unit read and the boxes side by side ("" for
    fewer than two)."""
    lines: list[str] = []
    k = last
    while k + 1 < len(units) and len(lines) < _DIAGRAM_LINES:
        text = units[k + 1].text.strip()
        if not text or text.endswith(ENDS) or text.startswith("http") or BULLET.match(text) or ITEM.match(text) \
                or len(text) > _DIAGRAM_WIDTH:
            break
        lines.append(text)
        k += 1
    width = max((len(x) for x in lines), default=0)
    boxes, box = [], ""
    for text in lines:
        box += text
        if len(text) < width:  # a line shorter than the boxes' width ends its box
            boxes.append(box)
            box = ""
    if box:
        boxes.append(box)
    return (k, " ".join(boxes)) if len(boxes) >= 2 else (last, "")


def _is_diagram_label(text: str) -> bool:
    bare = unicodedata.normalize("NFKC", text).strip()
    return 0 < len(bare) <= _DIAGRAM_LABEL and not re.search(r"[、。，,]", bare) and not ITEM.match(text) \
        and not bare.startswith("http")


def parallel_headings(lines: list[str]) -> dict[int, int]:
    """Of a slide's lines in order, each bullet under a heading of a parallel set (支援機関アプローチ, 自治体
    アプローチ, 工業団地アプローチ …: three or more labels sharing their ending), mapped to that heading: the
    box does not say which of the set it is, its heading does."""
    def ending(text: str) -> str:
        return text[-_PARALLEL_ENDING:] if is_listed_label(text) and not ITEM.match(text) \
            and len(text) > _PARALLEL_ENDING else ""
    endings = [ending(x) for x in lines]
    shared = {e for e in endings if e and endings.count(e) >= _PARALLEL_HEADINGS}
    boxes = {k + 1: k for k, e in enumerate(endings[:-1]) if e in shared and ITEM.match(lines[k + 1])}
    # Where a two-column slide's extraction put a heading after its box (⚫ 金融機関による… then 金融機関アプローチ,
    # the next heading straight after): the box before it, not under another heading, naming what the heading
    # names besides the set's ending.
    for k, e in enumerate(endings):
        if e in shared and k not in boxes.values() and k and ITEM.match(lines[k - 1]) and k - 1 not in boxes \
                and len(own := _own_part(lines[k], [x for x, f in zip(lines, endings, strict=True) if f == e])) >= 2 \
                and own in lines[k - 1]:
            boxes[k - 1] = k
    return boxes


def box_headings(lines: list[str]) -> dict[int, int]:
    """Of a slide's lines in order, each numbered measure of a box ((1) … (3), names not sentences, after its
    heading and the sentences saying what the box does) mapped to the box's heading (経営支援機関との連携による
    面的支援（経営支援機関向け）): an item alone does not say whom it is for or what it belongs to."""
    boxes: dict[int, int] = {}
    k = 0
    while k < len(lines):
        if not (NUMBERED.match(lines[k]) and (k == 0 or not NUMBERED.match(lines[k - 1]))):
            k += 1
            continue
        told = k
        while told > 0 and k - told < _BOX_SENTENCES and lines[told - 1].endswith(ENDS) and not ITEM.match(lines[told - 1]):
            told -= 1
        run = k
        while run < len(lines) and NUMBERED.match(lines[run]):
            run += 1
        head = told - 1
        if told < k and head >= 0 and not ITEM.match(lines[head]) and not lines[head].endswith(ENDS) \
                and len(lines[head]) <= _BOX_HEADING and all(len(x) <= _BOX_HEADING for x in lines[k:run]):
            boxes.update(dict.fromkeys(range(k, run), head))
        k = run
    return boxes


def _own_part(heading: str, siblings: list[str]) -> str:
    """What a heading names besides the ending its set shares (金融機関 of 金融機関アプローチ)."""
    def shared(a: str, b: str) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
            n += 1
        return n
    return heading[: len(heading) - max((shared(heading, x) for x in siblings if x != heading), default=0)]


def programme_parts(units: tuple[StoredSentence, ...]) -> list[tuple[int, str, list[int]]]:
    """Each list of a programme's parts (Session / Pitch / Exhibition / Networking: a name alone on its line over
    the short lines saying what it offers, three or more in a row) with the line just before the first, and the
    name that line gives them, its last label (主なコンテンツ of 開催概要 主なコンテンツ)."""
    found: list[tuple[int, str, list[int]]] = []
    k = 1
    while k < len(units):
        if not names_a_part(units[k].text) or names_a_part(units[k - 1].text):
            k += 1
            continue
        parts, j = [k], k + 1
        while j < len(units) and not names_a_part(units[j].text) and j - parts[-1] <= _PART_LINES \
                and len(units[j].text.strip()) <= _DIAGRAM_WIDTH and not ITEM.match(units[j].text):
            j += 1
            if j < len(units) and names_a_part(units[j].text):
                parts.append(j)
                j += 1
        head = units[k - 1].text.strip()
        if len(parts) >= _PARTS and head and not head.endswith(ENDS) and len(head) <= _BOX_HEADING:
            found.append((k - 1, _MAIN.sub("", LABEL_GAP.split(head)[-1]), parts))
        k = j
    return found
