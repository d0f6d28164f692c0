"""The document model every loader returns, and the loader of the PDF-extracted slide text (.txt).

``Document``, ``Section`` and ``Line`` are the same for every kind of source; ``assistant.loaders``
reads the other kinds (.md, .pdf) into them and lists a corpus folder, building on this module.

The slide text becomes slides (sections) grouped by initiative, with clean text. The extraction
lost page breaks and wrapped lines mid-word (see corpus/SOURCE.md). A slide starts on a line led by
a single space, after a bare page-number line, or after three blank lines. Inside a slide, wrapped
lines are joined back into sentences while bullets, headings and chart labels stay apart. Every
character of the clean text remembers its offset in the source, so a quote can always be shown in
the source's own characters and traced back to it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.normalize import nfkc

BULLETS = "•◆⚫➢■・※◇○●▶►"
_SUB_ITEM_RE = re.compile(r"^（[ア-ン]）")
_HEADING_RE = re.compile(
    r"^(（[０-９0-9一二三四五六七八九十]+）|[０-９0-9]+）|\([0-9]+\)|（[ア-ン]）|[①-⑳⑴-⒇]|[０-９0-9]+[.．]\s|【|＜|<|[ⅠⅡⅢⅣⅤ][.．])"
)
_PAGE_RE = re.compile(r"^[0-9]{1,3}$")  # ASCII only: "３" is vertical text, not a page
_URL_RE = re.compile(r"^https?://")
# Chart labels and figures that must not be glued into sentences: "21.61%", "アジア, 52.04%".
_LABEL_RE = re.compile(r"^([^\s,、]{0,12}[,、]\s*)?[0-9.,]+\s*[%％]$")
# A chart's figure with its label ("アジア, 62.29%") states a fact: kept, as a line of its own.
_NAMED_FIGURE_RE = re.compile(r"^[^\s,、0-9.]{1,12}[,、]\s*[0-9.,]+\s*[%％]$")
_SENTENCE_END = "。！？!?"
_HEADINGS_ROW = re.compile(rf"\s[{BULLETS}]\s")  # a second bullet glyph inside a line: headings side by side
# A section titled this way is reference material for the initiative before it, in every kind of document.
REFERENCE = "（参考）"
# Lines shorter than this are labels of a figure unless the next line continues them.
_WRAP_MIN = 12


@dataclass
class Line:
    """A clean line of a section: its text and, for each character, its offset in the source (-1: added)."""

    text: str
    offsets: list[int]


@dataclass
class Section:
    """One slide of the document."""

    page: int | None
    title: str
    initiative: str | None
    kind: str  # "initiative", "reference", "overview", "contents", "contacts", "cover"
    start: int
    end: int
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Initiative:
    """A policy initiative as the contact table lists it: its title and the slides that describe it."""

    title: str
    sections: list[Section]


@dataclass
class Document:
    """A loaded source document."""

    path: Path
    source: str
    sections: list[Section]

    @property
    def doc_id(self) -> str:
        return hashlib.sha1(self.source.encode()).hexdigest()[:12]

    def initiatives(self) -> list[Initiative]:
        """Initiatives in document order, each with its own and its reference slides."""
        order: dict[str, Initiative] = {}
        for s in self.sections:
            if s.initiative is None:
                continue
            if s.initiative not in order:
                order[s.initiative] = Initiative(s.initiative, [])
            order[s.initiative].sections.append(s)
        return list(order.values())


def _is_marker(text: str) -> bool:
    return bool(text) and (text[0] in BULLETS or bool(_HEADING_RE.match(text)))


def _split_slides(raw_lines: list[str]) -> list[list[int]]:
    """Line numbers of each slide: a new one starts on ' X', after a page number, or after 3 blanks."""
    slides: list[list[int]] = []
    current: list[int] = []
    blanks = 0
    for i, line in enumerate(raw_lines):
        stripped = line.strip()
        has_content = any(raw_lines[j].strip() for j in current)
        starts = False
        if stripped:
            led_by_space = line.startswith(" ") and not line.startswith("  ")
            if led_by_space and not _URL_RE.match(stripped) or _PAGE_RE.match(stripped) and blanks and has_content or blanks >= 3 and has_content:
                starts = True
        if starts and current:
            slides.append(current)
            current = []
        current.append(i)
        blanks = 0 if stripped else blanks + 1
    if current:
        slides.append(current)
    return slides


def _title_of(texts: list[str]) -> tuple[str, set[int]]:
    """The slide's title and the indexes of its lines, found even when extracted mid-slide."""
    content = [(k, t) for k, t in enumerate(texts) if t and not _PAGE_RE.match(t)]
    if not content:
        return "", set()
    first_k, first = content[0]
    candidates: list[tuple[int, str]] = []
    if not _is_marker(first) or first.startswith(REFERENCE) or _SUB_ITEM_RE.match(first):
        candidates.append((first_k, first))
    # Titles the extraction placed inside the slide: a （参考） line, or a line followed by （イ）…
    for n, (k, t) in enumerate(content):
        if t.startswith(REFERENCE) and k != first_k:
            candidates.append((k, t))
        if n + 1 < len(content) and _SUB_ITEM_RE.match(content[n + 1][1]) and not _is_marker(t):
            candidates.append((k, t))
    if not candidates:
        return "", set()
    k, title = candidates[0]
    # A title followed by its sub-item line: 成長意欲のある…重点支援 / （イ）中堅・中小企業のDX推進
    following = [c for c in content if c[0] > k][:1]
    if following and _SUB_ITEM_RE.match(following[0][1]) and not title.startswith(REFERENCE):
        return f"{title}{following[0][1]}", {k, following[0][0]}
    return title, {k}


def clean_lines(raw_lines: list[str], line_starts: list[int], numbers: list[int]) -> list[Line]:
    """Join wrapped lines back into sentences; keep bullets, headings, URLs and labels apart.

    Shared with the PDF loader, whose pages wrap lines the same way.
    """
    pieces: list[tuple[str, int]] = []  # (stripped text, source offset of its first char)
    gaps: set[int] = set()  # pieces preceded by a blank line in the source
    blank = False
    for i in numbers:
        raw = raw_lines[i]
        text = raw.strip()
        if not text:
            blank = True
            continue
        if _PAGE_RE.match(text) or (_LABEL_RE.match(nfkc(text)) and not _NAMED_FIGURE_RE.match(nfkc(text))):
            continue  # a page number, or a chart's bare figure (21.61%) that says nothing alone
        if blank:
            gaps.add(len(pieces))
        blank = False
        pieces.append((text, line_starts[i] + raw.index(text[0])))
    lengths = sorted(len(t) for t, _ in pieces) or [0]
    # The slide's wrap width: a line this long that stops mid-sentence was wrapped, even across
    # the blank lines the extraction put between wrapped lines. Taken near the longest lines: on a
    # slide mostly of diagram labels a lower share took a label's length for the width.
    width = lengths[int(0.97 * (len(lengths) - 1))]

    # Runs of three or more one-character lines are vertical text: read them as one line.
    merged: list[tuple[str, list[int], bool]] = []
    k = 0
    while k < len(pieces):
        run = k
        while run < len(pieces) and len(pieces[run][0]) == 1:
            run += 1
        if run - k >= 3:
            merged.append(("".join(p[0] for p in pieces[k:run]), [p[1] for p in pieces[k:run]], k in gaps))
            k = run
            continue
        text, off = pieces[k]
        merged.append((text, list(range(off, off + len(text))), k in gaps))
        k += 1

    lines: list[Line] = []
    last = ""  # the last source line joined into lines[-1]: a box is full or not by its own length
    for text, offsets, gap in merged:
        if lines and _continues(lines[-1].text, text, gap, width, last):
            prev = lines[-1]
            if prev.text[-1:].isascii() and prev.text[-1:].isalnum() and text[:1].isascii() and text[:1].isalnum():
                prev.text += " "
                prev.offsets.append(-1)
            prev.text += text
            prev.offsets.extend(offsets)
        else:
            lines.append(Line(text, list(offsets)))
        last = text
    for line in lines:  # trailing spaces of the source ("EXPO ") are not part of a sentence
        while line.text.endswith(" "):
            line.text = line.text[:-1]
            line.offsets.pop()
    return lines


def _continues(prev: str, nxt: str, gap: bool, width: int, last: str) -> bool:
    """Whether ``nxt`` is the wrapped rest of ``prev`` (whose last source line is ``last``) rather than
    a new item or a figure label."""
    if _is_marker(nxt) or _URL_RE.match(nxt) or _URL_RE.match(prev):
        return False
    if _LABEL_RE.match(nfkc(nxt)) or _LABEL_RE.match(nfkc(prev)):
        return False  # a chart's labelled figure is never glued into a sentence
    if prev.rstrip()[-1:] in _SENTENCE_END:
        return False
    if _is_marker(prev) and _HEADINGS_ROW.search(prev[1:]):
        return False  # headings side by side (◆ 参入支援と普及啓発 ◆ 関係性構築): a row of labels, not a sentence
    if prev.startswith(REFERENCE):
        return False
    if gap:
        # Across a blank line only a full line wraps. Diagram labels stacked in a box (DX…の実現 /
        # 業務のデジタル化 / サイバーセキュリティ) are each short, though together long; a sentence
        # wrapped before (…実施し、) goes on from a line of some length, not from its last word (…補助金 / 等).
        full = max(_WRAP_MIN, 0.8 * width)
        if len(nxt) < _WRAP_MIN and re.search(r"[をにがでへと]$", nxt) and not re.match(r"[ぁ-ゖ、，）」』]", nxt):
            return False  # a short label of its own, running on below (…運営協議会 / 外国人留学生等と / 企業の橋渡し)
        return len(last) >= full or (len(last) >= _WRAP_MIN and len(prev) >= full and bool(re.search("[、，]", prev)))
    return len(prev) >= _WRAP_MIN or (_is_marker(prev) and len(prev) >= 4)


def split_lines(source: str) -> tuple[list[str], list[int]]:
    """The source's lines and the offset in the source where each starts."""
    raw_lines = source.split("\n")
    starts, pos = [], 0
    for raw in raw_lines:
        starts.append(pos)
        pos += len(raw) + 1
    return raw_lines, starts


def load_document(path: Path) -> Document:
    """Read one extracted policy document into its sections."""
    source = path.read_text(encoding="utf-8")
    raw_lines, line_starts = split_lines(source)

    sections: list[Section] = []
    page: int | None = None
    current_initiative: str | None = None
    for numbers in _split_slides(raw_lines):
        texts = [raw_lines[i].strip() for i in numbers]
        printed = next((int(t) for t in texts if _PAGE_RE.match(t)), None)
        if printed is not None:
            page = printed
        elif page is not None:
            page += 1
        title, title_lines = _title_of(texts)
        body = [n for k, n in enumerate(numbers) if k not in title_lines]
        lines = clean_lines(raw_lines, line_starts, body)
        start = line_starts[numbers[0]]
        end = line_starts[numbers[-1]] + len(raw_lines[numbers[-1]])
        kind = "initiative"
        initiative: str | None = None
        if page is None:
            kind = "cover"
        elif title.startswith(REFERENCE):
            kind, initiative = "reference", current_initiative
        elif title == "問合せ先":
            kind = "contacts"
        elif not sections or sections[-1].kind == "cover":
            kind, title = "overview", "令和７年度 重点分野（概要）"
        elif not title:
            kind, initiative = "initiative", current_initiative
            title = current_initiative or ""
        else:
            initiative = title
            current_initiative = title
        sections.append(Section(page, title, initiative, kind, start, end, lines))
    # The contents slide lists the titles of later slides; tell it apart once all titles are known.
    titles = {nfkc(s.title) for s in sections if s.kind == "initiative"}
    for s in sections:
        if s.kind == "initiative" and s.page == 2 and _lists_titles(s, titles):
            s.kind, s.initiative = "contents", None
    return Document(path, source, [s for s in sections if s.kind != "cover" or s.lines])


def _lists_titles(section: Section, titles: set[str]) -> bool:
    bullets = [nfkc(line.text.lstrip(BULLETS + " ")) for line in section.lines if line.text[:1] in BULLETS]
    return sum(1 for b in bullets if any(b and b in t for t in titles)) >= 5

