"""Load a source document of any supported kind: extracted slides (.txt), Markdown (.md) or PDF (.pdf).

Every loader returns the same ``Document`` of ``Section``s (the model and the slide loader live in
``assistant.corpus``), each line remembering the offsets of its characters in the document's text,
so chunking, citations and quotes work the same for all kinds. PDF pages become sections with their
page numbers; Markdown headings become sections.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.corpus import REFERENCE, Document, Line, Section, clean_lines, load_document, split_lines

SUFFIXES = (".txt", ".md", ".pdf")
# Files of the corpus folder that describe it rather than being policy documents.
NOT_DOCUMENTS = {"SOURCE.md", "README.md"}
CONTACT_TITLES = {"問合せ先", "問い合わせ先", "お問合せ先", "お問い合わせ先", "連絡先"}
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|\|?[\s:|-]+\|[\s:|-]*)$")


class UnreadableDocument(ValueError):
    """A file that cannot be read as a policy document (wrong kind, damaged, or without text)."""


def is_document(path: Path) -> bool:
    """Whether a corpus-folder file is a source document (not its directory, glossary or notes)."""
    return path.is_file() and path.suffix.lower() in SUFFIXES and path.name not in NOT_DOCUMENTS


def document_paths(corpus_dir: Path) -> list[Path]:
    """The source documents of a corpus folder, in name order."""
    return sorted(p for p in corpus_dir.iterdir() if is_document(p)) if corpus_dir.is_dir() else []


def load_path(path: Path) -> Document:
    """Load one document by its kind; raises UnreadableDocument with a reason a person can act on."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableDocument(f"{path.name}: unsupported file type {suffix or '(none)'}; use .pdf, .txt or .md")
    try:
        if suffix == ".pdf":
            doc = load_pdf(path)
        elif suffix == ".md":
            doc = load_markdown(path)
        else:
            doc = load_document(path)
    except UnicodeDecodeError as e:
        raise UnreadableDocument(f"{path.name}: not UTF-8 text ({e.reason})") from e
    if not any(s.kind in ("initiative", "reference", "overview") and s.lines for s in doc.sections):
        raise UnreadableDocument(f"{path.name}: no policy text found (a scanned PDF, or a .txt without slides?)")
    return doc


def _kind_of(title: str) -> str:
    t = title.strip().strip("#").strip()
    if t in CONTACT_TITLES:
        return "contacts"
    return "reference" if t.startswith(REFERENCE) else "initiative"


def load_markdown(path: Path) -> Document:
    """Markdown: '#' is the document title, the next level down names initiatives, deeper ones their parts."""
    source = path.read_text(encoding="utf-8")
    raw_lines, starts = split_lines(source)
    headings = [(i, len(m.group(1)), m.group(2)) for i, raw in enumerate(raw_lines) if (m := _MD_HEADING_RE.match(raw))]
    levels = sorted({lvl for _, lvl, _ in headings})
    # The shallowest level is the document title when it is used once; the next one names initiatives.
    top = levels[0] if levels else 1
    title_level = top if sum(1 for _, lvl, _ in headings if lvl == top) == 1 and len(levels) > 1 else 0
    initiative_level = min((lvl for lvl in levels if lvl > title_level), default=1)

    sections: list[Section] = []
    bounds = [i for i, _, _ in headings] + [len(raw_lines)]
    if headings and headings[0][0] > 0:
        bounds.insert(0, 0)
        headings.insert(0, (0, 0, ""))
    elif not headings:
        headings, bounds = [(0, 0, "")], [0, len(raw_lines)]
    current: str | None = None
    for (line_no, level, title), end in zip(headings, bounds[1:], strict=True):
        body = range(line_no + (1 if level else 0), end)
        lines = _markdown_lines(raw_lines, starts, body)
        kind = _kind_of(title) if level else "overview"
        initiative: str | None = None
        if level and level <= title_level:
            kind = "overview"
        elif kind == "initiative":
            if level <= initiative_level or current is None:
                current = title
            initiative = current
        elif kind == "reference":
            initiative = current
        start = starts[line_no]
        stop = starts[end - 1] + len(raw_lines[end - 1]) if end > line_no else start
        sections.append(Section(None, title or path.stem, initiative, kind, start, stop, lines))
    return Document(path, source, [s for s in sections if s.lines or s.kind != "overview"])


def _markdown_lines(raw_lines: list[str], starts: list[int], numbers: range) -> list[Line]:
    """Paragraphs joined into lines, list items and table rows kept apart, markup dropped."""
    lines: list[Line] = []
    joining = False
    for i in numbers:
        raw = raw_lines[i]
        if not raw.strip() or _MD_RULE_RE.match(raw):
            joining = False
            continue
        m = _MD_LIST_RE.match(raw)
        begin = m.end() if m else len(raw) - len(raw.lstrip())
        text = raw[begin:].rstrip()
        if text.startswith(">"):
            cut = len(text) - len(text[1:].lstrip())
            begin, text = begin + cut, text[cut:]
        offsets = list(range(starts[i] + begin, starts[i] + begin + len(text)))
        if text.startswith("|"):  # a table row: its cells, without the pipes
            pieces: list[str] = []
            offs: list[int] = []
            col = 0
            for cell in text.split("|"):
                stripped = cell.strip()
                if stripped:
                    lead = col + cell.index(stripped)
                    if pieces:
                        pieces.append(" ")
                        offs.append(-1)
                    pieces.append(stripped)
                    offs.extend(offsets[lead : lead + len(stripped)])
                col += len(cell) + 1
            lines.append(Line("".join(pieces), offs))
            joining = False
            continue
        text, offsets = _strip_emphasis(text, offsets)
        if not text:
            continue
        if joining and not m and lines:
            lines[-1].text += text
            lines[-1].offsets.extend(offsets)
        else:
            lines.append(Line(text, offsets))
        joining = not text.endswith(("。", "！", "？"))
    return lines


def _strip_emphasis(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Drop ** and __ markers, keeping each remaining character's offset."""
    keep = [k for k in range(len(text)) if not (text[k] in "*_" and (text[k - 1 : k + 1] in ("**", "__")
                                                                      or text[k : k + 2] in ("**", "__")))]
    return "".join(text[k] for k in keep), [offsets[k] for k in keep]


def load_pdf(path: Path) -> Document:
    """A PDF: each page a section with its page number; the page's first line is its title."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, OSError, ValueError, KeyError) as e:
        raise UnreadableDocument(f"{path.name}: not a readable PDF ({e})") from e
    pages = [p.replace("\r\n", "\n").replace("\r", "\n") for p in pages]
    # Pages are kept apart by blank lines so offsets into this text stay meaningful for quotes.
    source = "\n\n\n".join(pages)
    raw_lines, starts = split_lines(source)
    sections: list[Section] = []
    current: str | None = None
    line_no = 0
    for number, text in enumerate(pages, 1):
        count = len(text.split("\n"))
        numbers = list(range(line_no, line_no + count))
        line_no += count + 2
        content = [i for i in numbers if raw_lines[i].strip() and not raw_lines[i].strip().isdigit()]
        if not content:
            continue
        title = raw_lines[content[0]].strip()
        kind = _kind_of(title)
        if kind == "initiative":
            current = title
        lines = clean_lines(raw_lines, starts, content[1:])
        start = starts[numbers[0]]
        end = starts[numbers[-1]] + len(raw_lines[numbers[-1]])
        initiative = current if kind in ("initiative", "reference") else None
        sections.append(Section(number, title, initiative, kind, start, end, lines))
    return Document(path, source, sections)


def load_documents(corpus_dir: Path) -> list[Document]:
    """Every source document of the corpus folder (.txt slides, .md, .pdf), in name order."""
    return [load_path(p) for p in document_paths(corpus_dir)]


# What an interface offers to type for a document (example questions, placeholders) sits beside it.
UI_SUFFIX = ".ui.json"


@dataclass(frozen=True)
class UiExamples:
    """Example inputs for the corpus: questions to click, and placeholders keyed by the box they fill."""

    questions: list[str] = field(default_factory=list)
    placeholders: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # the page's title and introduction, search hints


def load_ui_examples(corpus_dir: Path) -> UiExamples:
    """Every document's ``NAME.ui.json`` in name order: all their questions, the first placeholder of each box."""
    questions: list[str] = []
    placeholders: dict[str, str] = {}
    texts: dict[str, str] = {}
    for data in _beside_documents(corpus_dir, UI_SUFFIX):
        questions += [q for q in data.get("questions", []) if q not in questions]
        for box, text in data.get("placeholders", {}).items():
            placeholders.setdefault(box, text)
        for key, text in data.get("texts", {}).items():
            texts.setdefault(key, text)
    return UiExamples(questions, placeholders, texts)


def _beside_documents(corpus_dir: Path, suffix: str) -> Iterator[dict[str, Any]]:
    """The JSON file ``NAME<suffix>`` beside each document that has one, in the documents' order."""
    for doc in document_paths(corpus_dir):
        path = doc.with_name(doc.stem + suffix)
        if path.is_file():
            yield json.loads(path.read_text("utf-8"))


ABOUT_SUFFIX = ".about.json"


@dataclass(frozen=True)
class DocumentCard:
    """How answers name the corpus and sum up what it covers, by language ("ja", "en")."""

    name: dict[str, str] = field(default_factory=lambda: {"ja": "この資料", "en": "this document"})
    topics: dict[str, str] = field(default_factory=dict)
    publisher: dict[str, str] = field(default_factory=dict)  # who offers the initiatives (近畿経済産業局)


def load_document_card(corpus_dir: Path) -> DocumentCard:
    """Every document's ``NAME.about.json`` in name order: their names joined, their topics joined."""
    cards = list(_beside_documents(corpus_dir, ABOUT_SUFFIX))

    def by_language(key: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for card in cards:
            for lang, text in card.get(key, {}).items():
                if text not in out.setdefault(lang, []):
                    out[lang].append(text)
        return out

    names, topics, publishers = by_language("name"), by_language("topics"), by_language("publisher")
    if not names:
        return DocumentCard()
    joiner = {"ja": "、", "en": "; "}
    # One publisher names every initiative; documents of several leave the lead without one.
    return DocumentCard({k: joiner.get(k, ", ").join(v) for k, v in names.items()},
                        {k: joiner.get(k, ", ").join(v) for k, v in topics.items()},
                        {k: v[0] for k, v in publishers.items() if len(v) == 1})
