"""Split sections into sentences and pack them into chunks counted in MeCab tokens.

A chunk never crosses a section (so never an initiative) and never cuts a morpheme; each keeps the
source offsets of its characters, so its span maps back to the exact source text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.corpus import Document, Line, Section
from assistant.tokenizer import Tokenizer

_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+$")


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a bullet, heading or label line) with the source offset of each character."""

    text: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage of one section."""

    chunk_id: str
    doc_id: str
    initiative: str | None
    section: str
    page: int | None
    kind: str
    start: int
    end: int
    text: str
    sentences: tuple[Sentence, ...]



def split_sentences(line: Line) -> list[Sentence]:
    """Sentences of one clean line, split after 。！？ (bullets and headings are already lines)."""
    out = []
    for m in _SENTENCE_RE.finditer(line.text):
        text = m.group(0)
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if not text:
            continue
        begin = m.start() + lead
        out.append(Sentence(text, tuple(line.offsets[begin : begin + len(text)])))
    return out


def _split_long(sentence: Sentence, tokenizer: Tokenizer, max_tokens: int) -> list[Sentence]:
    """Cut an over-long sentence at morpheme boundaries."""
    morphemes = tokenizer.morphemes(sentence.text)
    if len(morphemes) <= max_tokens:
        return [sentence]
    pieces = []
    for i in range(0, len(morphemes), max_tokens):
        group = morphemes[i : i + max_tokens]
        a, b = group[0].start, group[-1].end
        pieces.append(Sentence(sentence.text[a:b], sentence.offsets[a:b]))
    return pieces


def _chunk_id(doc_id: str, section: Section, text: str) -> str:
    # Content-addressed: rebuilding an unchanged document yields the same ids (idempotent upserts).
    key = f"{doc_id}|{section.title}|{section.page}|{text}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


def chunk_section(doc_id: str, section: Section, tokenizer: Tokenizer, max_tokens: int) -> list[Chunk]:
    """Pack a section's sentences into chunks of at most ``max_tokens`` MeCab tokens."""
    sentences = [p for line in section.lines for s in split_sentences(line) for p in _split_long(s, tokenizer, max_tokens)]
    groups: list[list[Sentence]] = []
    size = 0
    for s in sentences:
        n = tokenizer.count(s.text)
        if groups and size + n <= max_tokens:
            groups[-1].append(s)
            size += n
        else:
            groups.append([s])
            size = n
    chunks = []
    for group in groups:
        text = "\n".join(s.text for s in group)
        offsets = [o for s in group for o in s.offsets if o >= 0]
        chunks.append(
            Chunk(
                chunk_id=_chunk_id(doc_id, section, text),
                doc_id=doc_id,
                initiative=section.initiative,
                section=section.title,
                page=section.page,
                kind=section.kind,
                start=min(offsets),
                end=max(offsets) + 1,
                text=text,
                sentences=tuple(group),
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
