"""Two plain retrieval pipelines scored beside the assistant, so the gain of each design choice stays visible.

- ``sentence-splitter-dense``: LlamaIndex ``SentenceSplitter`` chunks of the raw extracted text, vector-only
  retrieval with the same sentence encoder; no slide-aware loading, no BM25, no glossary, no router.
- ``bm25-char-bigram``: BM25 over character bigrams of the assistant's own chunks; no MeCab, no dense side.

Both send the caller to ``directory.for_initiative(top chunk's initiative)`` and quote the top chunk as it
is. Neither reads the chat history or looks numbers and division names up in the directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import bm25s
import numpy as np
from llama_index.core import Document as LlamaDocument
from llama_index.core import VectorStoreIndex
from llama_index.core.node_parser import SentenceSplitter

from assistant.answers import Answer, Citation
from assistant.chat import Turn
from assistant.chunking import chunk_document
from assistant.corpus import Document, Section
from assistant.directory import Directory
from assistant.embeddings import UseEmbedding, get_encoder
from assistant.loaders import load_documents
from assistant.normalize import nfkc
from assistant.question import Language, language_of
from assistant.settings import Settings
from assistant.tokenizer import get_tokenizer

Ask = Callable[[str, list[Turn]], Answer]
# Names as they appear in reports; ``build_baselines`` returns them in this order.
BASELINES = ("sentence-splitter-dense", "bm25-char-bigram")


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of text and the slide it was cut from (``initiative`` is '' for none)."""

    text: str
    initiative: str
    section: str
    page: int | None


def _owner(doc: Document, start: int, end: int) -> Section | None:
    """The slide with the largest overlap with a source span, preferring slides that belong to an initiative."""
    best, best_overlap = None, 0
    for s in doc.sections:
        overlap = min(end, s.end) - max(start, s.start)
        if s.initiative and overlap > best_overlap:
            best, best_overlap = s, overlap
    return best


def _answer(question: str, ranked: list[Passage], directory: Directory, max_initiatives: int, name: str) -> Answer:
    """The answer a plain retriever gives: the top passage quoted, and the office of its initiative."""
    english = language_of(question) == Language.en
    lang = "en" if english else "ja"
    ranked = [p for p in ranked if p.initiative]
    if not ranked:
        text = ("The document has nothing that matches this question." if english
                else "資料に該当する記載が見つかりませんでした。")
        return Answer(text, abstained=True, route=name, language=lang)
    top = ranked[0]
    initiatives = list(dict.fromkeys(p.initiative for p in ranked))[:max_initiatives]
    contacts = directory.for_initiative(top.initiative, question)
    quote = " ".join(top.text.split())
    where = top.section if top.page is None else f"{top.section}、{top.page}ページ"
    lines = [f"「{top.initiative}」", f"> 「{quote}」（{where}）"]
    if contacts:
        lines.append(f"{'Contact' if english else 'お問い合わせ先'}: {contacts[0].department} {contacts[0].division} "
                     f"{'Tel' if english else '電話'} {contacts[0].phone}")
    return Answer("\n".join(lines), citations=[Citation(top.section, top.page, quote, top.initiative)],
                  contacts=contacts, abstained=False, initiatives=initiatives, route=name, language=lang)


def sentence_splitter_dense(settings: Settings, docs: list[Document], directory: Directory) -> Ask:
    """LlamaIndex's default recipe: ``SentenceSplitter`` chunks in an in-memory vector index, top-k by cosine."""
    splitter = SentenceSplitter(chunk_size=settings.baseline_chunk_size, chunk_overlap=settings.baseline_chunk_overlap)
    nodes, passages = [], {}
    for doc in docs:
        for node in splitter.get_nodes_from_documents([LlamaDocument(text=doc.source, id_=doc.doc_id)]):
            start = node.start_char_idx or 0
            end = node.end_char_idx if node.end_char_idx is not None else start + len(node.get_content())
            owner = _owner(doc, start, end)
            # Metadata would be embedded with the text; keep it out so the baseline embeds only the passage.
            node.metadata = {}
            nodes.append(node)
            passages[node.node_id] = Passage(node.get_content(), owner.initiative or "" if owner else "",
                                             owner.title if owner else "", owner.page if owner else None)
    index = VectorStoreIndex(nodes, embed_model=UseEmbedding(get_encoder(settings.embed_threads)))
    retriever = index.as_retriever(similarity_top_k=settings.top_k)

    def ask(message: str, history: list[Turn]) -> Answer:
        hits = retriever.retrieve(message) if message.strip() else []
        return _answer(message, [passages[h.node.node_id] for h in hits], directory, settings.max_initiatives,
                       "sentence-splitter-dense")

    return ask


def char_bigrams(text: str) -> list[str]:
    """Overlapping two-character pieces of the NFKC text with white space removed."""
    t = "".join(nfkc(text).split())
    return [t[i : i + 2] for i in range(len(t) - 1)] or ([t] if t else [])


def bm25_char_bigram(settings: Settings, docs: list[Document], directory: Directory) -> Ask:
    """BM25 (bm25s) over character bigrams of the assistant's own chunks."""
    tokenizer = get_tokenizer()
    chunks = [c for d in docs for c in chunk_document(d, tokenizer, settings.chunk_tokens)]
    passages = [Passage(c.text, c.initiative or "", c.section, c.page) for c in chunks]
    bm25 = bm25s.BM25()
    bm25.index([char_bigrams(p.text) or ["<empty>"] for p in passages], show_progress=False)
    vocab = bm25.vocab_dict

    def ask(message: str, history: list[Turn]) -> Answer:
        terms = [t for t in char_bigrams(message) if t in vocab]
        ranked: list[Passage] = []
        if terms:  # bm25s raises when no query term is known; no known term means no evidence
            ids, scores = bm25.retrieve([terms], k=min(settings.top_k, len(passages)), show_progress=False, n_threads=1)
            ranked = [passages[int(i)] for i, s in zip(np.ravel(ids[0]), np.ravel(scores[0]), strict=True) if s > 0]
        return _answer(message, ranked, directory, settings.max_initiatives, "bm25-char-bigram")

    return ask


def build_baselines(settings: Settings) -> dict[str, Ask]:
    """The baseline pipelines by name, each answering like ``Assistant.ask`` does."""
    docs = load_documents(settings.corpus_dir)
    titles = [i.title for d in docs for i in d.initiatives()]
    directory = Directory.load(settings.corpus_dir / "contacts.json", titles)
    return {
        BASELINES[0]: sentence_splitter_dense(settings, docs, directory),
        BASELINES[1]: bm25_char_bigram(settings, docs, directory),
    }
