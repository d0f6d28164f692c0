"""Add, update and remove source documents of the corpus folder, then rebuild the index incrementally.

Files are checked before anything is copied, so a damaged PDF leaves the corpus as it was. What
belongs to a document may come beside it and is copied and removed with it: its own contact table
(``NAME.contacts.json``), labelled example questions (``NAME.examples.jsonl``), the inputs the chat
offers (``NAME.ui.json``) and how answers name it (``NAME.about.json``).
"""

from __future__ import annotations

import filecmp
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.directory import OWN_SUFFIX
from assistant.embeddings import Encoder
from assistant.examples import OWN_SUFFIX as EXAMPLES_SUFFIX
from assistant.index import Progress, build_index
from assistant.loaders import (
    ABOUT_SUFFIX,
    NOT_DOCUMENTS,
    SUFFIXES,
    UI_SUFFIX,
    UnreadableDocument,
    is_document,
    load_path,
)
from assistant.settings import Settings
from assistant.tokenizer import Tokenizer


def companions_of(document: Path) -> list[Path]:
    """The files beside a document that belong to it (contact table, examples, UI inputs, its name)."""
    return [document.with_name(document.stem + s) for s in (OWN_SUFFIX, EXAMPLES_SUFFIX, UI_SUFFIX, ABOUT_SUFFIX)]


@dataclass
class IngestReport:
    """What an ingest or removal changed and what the rebuild did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def embedded(self) -> int:
        """Texts (chunks and sentences) the rebuild had to embed; 0 when everything was reused."""
        return int(self.manifest.get("embedded_texts", 0))


def check_files(paths: list[Path]) -> None:
    """Raise UnreadableDocument (with a reason) for any path that cannot be ingested."""
    names: dict[str, Path] = {}
    for p in paths:
        if not p.is_file():
            raise UnreadableDocument(f"{p}: no such file")
        if p.suffix.lower() not in SUFFIXES:
            raise UnreadableDocument(f"{p.name}: unsupported file type; use .pdf, .txt or .md")
        if p.name in NOT_DOCUMENTS:
            raise UnreadableDocument(f"{p.name}: this name is reserved for notes about the corpus; rename the file")
        if p.name in names and names[p.name].resolve() != p.resolve():
            raise UnreadableDocument(f"{p.name}: two different files have this name")
        names[p.name] = p
        load_path(p)


def ingest(paths: list[Path], settings: Settings, tokenizer: Tokenizer, encoder: Encoder,
           progress: Progress | None = None) -> IngestReport:
    """Copy documents into the corpus folder (replacing same-named ones) and rebuild incrementally."""
    check_files(paths)
    report = IngestReport()
    corpus = settings.corpus_dir
    corpus.mkdir(parents=True, exist_ok=True)
    for p in paths:
        target = corpus / p.name
        if target.exists() and filecmp.cmp(p, target, shallow=False):
            report.unchanged.append(p.name)
        else:
            (report.updated if target.exists() else report.added).append(p.name)
            if p.resolve() != target.resolve():
                shutil.copyfile(p, target)
        for own, theirs in zip(companions_of(p), companions_of(target), strict=True):
            if own.is_file() and own.resolve() != theirs.resolve():
                shutil.copyfile(own, theirs)
    report.manifest = build_index(settings, tokenizer, encoder, progress=progress)
    return report


def remove(names: list[str], settings: Settings, tokenizer: Tokenizer, encoder: Encoder,
           progress: Progress | None = None) -> IngestReport:
    """Delete documents (by file name) and the files that belong to them from the corpus folder and rebuild."""
    corpus = settings.corpus_dir
    targets = [corpus / Path(n).name for n in names]
    missing = [t.name for t in targets if not is_document(t)]
    if missing:
        known = ", ".join(p.name for p in sorted(corpus.iterdir()) if is_document(p))
        raise UnreadableDocument(f"not in the corpus: {', '.join(missing)} (documents: {known})")
    if not [p for p in corpus.iterdir() if is_document(p) and p not in targets]:
        raise UnreadableDocument("refusing to remove every document: the index needs at least one")
    report = IngestReport()
    for t in targets:
        t.unlink()
        for own in companions_of(t):
            own.unlink(missing_ok=True)
        report.removed.append(t.name)
    report.manifest = build_index(settings, tokenizer, encoder, progress=progress)
    return report
