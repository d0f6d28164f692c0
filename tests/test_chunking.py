"""Chunker invariants on the real document."""

import json

import pytest

from assistant.chunking import Chunk, chunk_document, split_sentences
from assistant.corpus import Document, Line
from assistant.tokenizer import Tokenizer


@pytest.fixture(scope="module")
def chunks(document: Document, tokenizer: Tokenizer) -> list[Chunk]:
    return chunk_document(document, tokenizer, 120)


def test_no_chunk_crosses_a_section(chunks: list[Chunk], document: Document) -> None:
    for c in chunks:
        section = next(s for s in document.sections if s.start <= c.start and c.end <= s.end + 1)
        assert section.title == c.section
        assert section.initiative == (c.initiative or None)


def test_every_sentence_maps_back_to_the_exact_source(document: Document) -> None:
    for section in document.sections:
        for line in section.lines:
            for p in split_sentences(line):
                kept = [(ch, off) for ch, off in zip(p.text, p.offsets, strict=True) if off >= 0]
                assert all(document.source[off] == ch for ch, off in kept)
                assert all(a < b for (_, a), (_, b) in zip(kept, kept[1:], strict=False))


def test_chunk_spans_map_back_to_the_exact_source(chunks: list[Chunk], document: Document) -> None:
    for c in chunks:
        for s in c.sentences:
            assert document.source[s.start] == s.text[0] and document.source[s.end - 1] == s.text[-1]
        squeezed = "".join(document.source[c.start:c.end].split())
        assert squeezed.startswith("".join(c.sentences[0].text.split()))


def test_chunks_read_back_from_json_unchanged(chunks: list[Chunk]) -> None:
    assert [Chunk.from_json(json.loads(json.dumps(c.to_json()))) for c in chunks] == chunks


def test_chunks_respect_the_token_budget_and_never_cut_a_morpheme(chunks: list[Chunk], tokenizer: Tokenizer) -> None:
    for c in chunks:
        assert sum(tokenizer.count(s.text) for s in c.sentences) <= 120
        for s in c.sentences:
            # Re-tokenizing the sentence gives back whole morphemes that concatenate to it.
            assert "".join(m.surface for m in tokenizer.morphemes(s.text)).replace(" ", "") == s.text.replace(" ", "")


def test_sentences_split_at_japanese_full_stops() -> None:
    text = "令和7年度は以下を推進。同ビジョンを策定！本当？"
    parts = split_sentences(Line(text, list(range(len(text)))))
    assert [p.text for p in parts] == ["令和7年度は以下を推進。", "同ビジョンを策定！", "本当？"]


def test_every_initiative_has_chunks_and_the_contact_table_has_none(chunks: list[Chunk], document: Document) -> None:
    assert {c.initiative for c in chunks if c.initiative} == {i.title for i in document.initiatives()}
    assert not any(c.section == "問合せ先" for c in chunks)


def test_chunk_ids_come_from_content(document: Document, tokenizer: Tokenizer, chunks: list[Chunk]) -> None:
    again = chunk_document(document, tokenizer, 120)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]
    assert len({c.chunk_id for c in chunks}) == len(chunks)


def test_a_boxs_title_after_a_sentence_starts_the_chunk_of_its_box(chunks: list[Chunk]) -> None:
    # 「The Kansai Companies Profile」 names the box under it (…110社を掲載); ending the chunk of the sentence
    # before it, it would be cut off from what it names, and asked what it is, nothing could say.
    title = next(c for c in chunks if any(s.text == "The Kansai Companies Profile" for s in c.sentences))
    texts = [s.text for s in title.sentences]
    k = texts.index("The Kansai Companies Profile")
    assert k + 1 < len(texts) and texts[k + 1].startswith("関西地域の優れた製品"), texts
