"""Split sections into sentences and pack them into chunks counted in MeCab tokens.

A chunk never crosses a section (so never an initiative) and never cuts a morpheme; each of its
sentences keeps the span of the source it was read from, so a quote maps back to the exact source text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from assistant.corpus import Document, Line, Section
from assistant.tokenizer import Tokenizer

SHORT_LINE = 15  # characters: a shorter line is a label, not a sentence (too short to quote alone)
_ENDS = ("。", "！", "？")  # a sentence's last character
TITLE_LINE = 40  # characters: a line without a comma or a full stop this short is a title, not a sentence
NUMBERED = re.compile(r"^([①-⑳⑴-⒇]|[（(][0-9０-９]{1,2}[)）])")  # a slide's numbered measures (⑴, ①, (1))
_ANNOUNCES = re.compile(r"(以下|次の|下記)[^。]*$|[:：]$")  # a line announcing the list under it
_HEADING = re.compile(r"^[＜<【][^＞>】]+[＞>】]$")  # a list's own heading (＜パートナー側の共創メリット＞)
_BULLET = re.compile(r"^[・･•◆●○■□]")  # an item of a bulleted list
_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+$")


@dataclass(frozen=True)
class Piece:
    """A sentence (or a bullet, heading or label line), or a part of an over-long one, with the source
    offset of each character (-1: a space the loader added): what chunks are packed from."""

    text: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Sentence:
    """A sentence of a chunk and the span of the source it was read from."""

    text: str
    start: int
    end: int

    @classmethod
    def of(cls, piece: Piece) -> Sentence:
        return cls(piece.text, min(o for o in piece.offsets if o >= 0), max(piece.offsets) + 1)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage of one section: made here, kept beside the index (``chunks.json``) and read
    back from it to cite and quote without asking Chroma."""

    chunk_id: str
    doc_id: str
    initiative: str  # "" for a section of no initiative (the overview)
    section: str
    page: int | None
    kind: str
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]

    def to_json(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["sentences"] = [s.__dict__ for s in self.sentences]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Chunk:
        d = dict(d)
        d["sentences"] = tuple(Sentence(**s) for s in d["sentences"])
        return cls(**d)


def split_sentences(line: Line) -> list[Piece]:
    """Sentences of one clean line, split after 。！？ (bullets and headings are already lines)."""
    out = []
    for m in _SENTENCE_RE.finditer(line.text):
        text = m.group(0)
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            continue
        begin = m.start() + lead
        out.append(Piece(text, tuple(line.offsets[begin : begin + len(text)])))
    return out


def _split_long(piece: Piece, tokenizer: Tokenizer, max_tokens: int) -> list[Piece]:
    """Cut an over-long sentence at morpheme boundaries."""
    morphemes = tokenizer.morphemes(piece.text)
    if len(morphemes) <= max_tokens:
        return [piece]
    pieces = []
    for i in range(0, len(morphemes), max_tokens):
        group = morphemes[i : i + max_tokens]
        a, b = group[0].start, group[-1].end
        pieces.append(Piece(piece.text[a:b], piece.offsets[a:b]))
    return pieces


def _is_label(text: str) -> bool:
    return len(text) < SHORT_LINE and not text.endswith(_ENDS)


def is_title(text: str) -> bool:
    """A box's title on a line of its own (The Kansai Companies Profile): a name, no sentence, that heads the
    lines under it."""
    return len(text) < TITLE_LINE and not re.search(r"[、。，！？!?]", text) and not _BULLET.match(text)


def _carried(group: list[Piece], nxt: Piece) -> int:
    """How many of a full chunk's last pieces belong with the piece starting the next one: the items of a
    numbered list it continues and the line announcing them, or the labels it ends on; never the whole chunk."""
    k = 0
    if NUMBERED.match(nxt.text):
        while k < len(group) - 1 and NUMBERED.match(group[-1 - k].text):
            k += 1
        if k and k < len(group) - 1 and _ANNOUNCES.search(group[-1 - k].text):
            k += 1
    else:  # labels (a row's head, a run of diagram labels) go with what follows them, as a run
        while k < len(group) - 1 and _is_label(group[-1 - k].text):
            k += 1
        if not k and len(group) > 1 and is_title(group[-1].text) and group[-2].text.endswith(_ENDS):
            k = 1  # a box's title after a sentence goes with the box it names (…110社を掲載), not the sentence
        if k:  # short items among them (・対応スピードの早さ) go with the rest of their list and its heading
            k = _list_under_heading(group, group[-k].text, k) or k
    return k


def _list_under_heading(group: list[Piece], item: str, k: int) -> int:
    """How many of a chunk's last pieces are a bulleted list's heading (＜…＞, or a line announcing it) and
    its items before the last ``k`` pieces, where ``item`` (an item of the same list) goes on; 0 if the
    bullets have no heading (then they are sentences of their own)."""
    glyph = _BULLET.match(item)
    if glyph is None:
        return 0
    j = k
    while j < len(group) - 1 and group[-1 - j].text.startswith(glyph.group(0)):
        j += 1
    above = group[-1 - j].text if j < len(group) - 1 else ""
    return j + 1 if j > k and (_HEADING.match(above) or _ANNOUNCES.search(above)) else 0


def _chunk_id(doc_id: str, section: Section, text: str) -> str:
    # Content-addressed: rebuilding an unchanged document yields the same ids (idempotent upserts).
    key = f"{doc_id}|{section.title}|{section.page}|{text}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def chunk_section(doc_id: str, section: Section, tokenizer: Tokenizer, max_tokens: int) -> list[Chunk]:
    """Pack a section's sentences into chunks of at most ``max_tokens`` MeCab tokens."""
    pieces = [p for line in section.lines for s in split_sentences(line) for p in _split_long(s, tokenizer, max_tokens)]
    groups: list[list[Piece]] = []
    size = 0
    for p in pieces:
        n = tokenizer.count(p.text)
        if groups and size + n <= max_tokens:
            groups[-1].append(p)
            size += n
        else:
            # A chunk ends neither on a short label (a table row's head, 2024年度 6回, goes with its firms) nor
            # inside a numbered list (①…⑤ and the line announcing them stay together): they start the next.
            k = _carried(groups[-1], p) if groups else 0
            head = groups[-1][len(groups[-1]) - k :] if k else []
            carried = sum(tokenizer.count(h.text) for h in head)
            if head and carried + n <= max_tokens:
                del groups[-1][-k:]
            else:
                head, carried = [], 0
            groups.append([*head, p])
            size = carried + n
    chunks = []
    for group in groups:
        text = "\n".join(p.text for p in group)
        sentences = tuple(Sentence.of(p) for p in group)
        chunks.append(
            Chunk(
                chunk_id=_chunk_id(doc_id, section, text),
                doc_id=doc_id,
                initiative=section.initiative or "",
                section=section.title,
                page=section.page,
                kind=section.kind,
                start=min(s.start for s in sentences),
                end=max(s.end for s in sentences),
                text=text,
                sentences=sentences,
            )
        )
    return chunks


# Slides that describe no initiative of their own and would only echo titles back.
_SKIPPED_KINDS = {"contents", "contacts", "cover"}


def chunk_document(doc: Document, tokenizer: Tokenizer, max_tokens: int) -> list[Chunk]:
    """Chunks of every section that describes the bureau's policies."""
    return [
        c for s in doc.sections if s.kind not in _SKIPPED_KINDS for c in chunk_section(doc.doc_id, s, tokenizer, max_tokens)
    ]
