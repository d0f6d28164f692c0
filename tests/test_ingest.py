"""Ingest .md, .pdf and .txt documents incrementally: unchanged text is never embedded twice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import pytest

from assistant.chroma import chroma_client
from assistant.cli import main
from assistant.embeddings import get_encoder
from assistant.index import build_index
from assistant.index_store import IndexCorrupt, current_version
from assistant.ingest import ingest, remove
from assistant.loaders import UnreadableDocument, load_path
from assistant.retrieval import PolicyIndex
from assistant.service import build_assistant
from assistant.settings import Settings
from assistant.tokenizer import get_tokenizer
from tests.conftest import SOURCE, SettingsRunner, make_settings
from tests.pdfmaker import write_pdf

TOKAI_MD = """# 令和７年度 東海経済産業局の重点施策（試験用）

中部地域の産業を支える施策をまとめた。

## 航空宇宙産業クラスターの強化

- 中小企業の航空機部品への参入を支援する。
- 国際認証の取得に係る費用を一部補助する。

### 支援の内容

専門家を派遣し、品質保証体制の構築を
支援する。

## 陶磁器産地の販路開拓支援

美濃焼や常滑焼の産地企業が海外の見本市に出展する際の費用を支援する。

## 問合せ先

| 部 | 課 | 電話 |
|---|---|---|
| 産業部 | 製造産業課 | 000-901-0001 |
| 通商部 | 国際課 | 000-901-0002 |
"""
TOKAI_CONTACTS = {"offices": [
    {"department": "産業部", "division": "製造産業課", "phone": "000-901-0001",
     "initiatives": ["航空宇宙産業クラスターの強化"]},
    {"department": "通商部", "division": "国際課", "phone": "000-901-0002",
     "initiatives": ["陶磁器産地の販路開拓支援"]},
]}
SHIKOKU_PAGES = [
    ["四国の藍染め産業の事業承継支援", "藍染めの工房が後継者を見つけられるよう、事業承継の専門家を派遣する。",
     "承継計画の策定費用を補助する。"],
    ["（参考）藍染め工房の数", "県内の藍染め工房は令和６年度に四十二か所であった。"],
    ["瀬戸内の造船業のデジタル化", "造船所の設計工程に三次元モデルを導入する取組を支援する。"],
]


def _encoded() -> int:
    return get_encoder().texts_encoded


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    src = tmp_path / "incoming"
    src.mkdir()
    md = src / "tokai.md"
    md.write_text(TOKAI_MD, "utf-8")
    (src / "tokai.contacts.json").write_text(json.dumps(TOKAI_CONTACTS, ensure_ascii=False), "utf-8")
    pdf = write_pdf(src / "shikoku.pdf", SHIKOKU_PAGES)
    return {"md": md, "pdf": pdf}


@pytest.fixture()
def small(tmp_path: Path) -> Settings:
    """An empty corpus folder of its own, so nothing is written into the project's corpus."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return make_settings(tmp_path, corpus_dir=corpus)


def test_pdf_pages_become_sections_with_page_numbers(files: dict[str, Path]) -> None:
    doc = load_path(files["pdf"])
    assert [(s.page, s.kind, s.initiative) for s in doc.sections] == [
        (1, "initiative", "四国の藍染め産業の事業承継支援"),
        (2, "reference", "四国の藍染め産業の事業承継支援"),
        (3, "initiative", "瀬戸内の造船業のデジタル化"),
    ]
    line = doc.sections[0].lines[0]
    assert line.text == SHIKOKU_PAGES[0][1]
    assert "".join(doc.source[o] for o in line.offsets) == line.text  # quotes trace back to the source


def test_markdown_headings_become_initiatives_and_the_contact_table_is_not_policy_text(files: dict[str, Path]) -> None:
    doc = load_path(files["md"])
    kinds = {s.title: (s.kind, s.initiative) for s in doc.sections}
    assert kinds["支援の内容"] == ("initiative", "航空宇宙産業クラスターの強化")  # a part of its parent
    assert kinds["陶磁器産地の販路開拓支援"] == ("initiative", "陶磁器産地の販路開拓支援")
    assert kinds["問合せ先"][0] == "contacts"
    joined = [line.text for s in doc.sections for line in s.lines]
    assert "専門家を派遣し、品質保証体制の構築を支援する。" in joined  # a wrapped paragraph is one line


def test_ingest_twice_embeds_nothing_the_second_time(small: Settings, files: dict[str, Path]) -> None:
    tok, enc = get_tokenizer(), get_encoder()
    before = _encoded()
    first = ingest([files["md"], files["pdf"]], small, tok, enc)
    embedded = _encoded() - before
    assert first.added == ["tokai.md", "shikoku.pdf"]
    assert embedded == first.embedded > 0

    before = _encoded()
    second = ingest([files["md"], files["pdf"]], small, tok, enc)
    assert second.unchanged == ["tokai.md", "shikoku.pdf"]
    assert _encoded() - before == 0 and second.embedded == 0
    # Even a forced rebuild reuses every vector: nothing is embedded again.
    before = _encoded()
    forced = build_index(small, tok, enc, force=True)
    assert _encoded() - before == 0 and forced["reused_texts"] == forced["chunks"] + forced["sentences"]


@pytest.mark.parametrize("chunk_vectors", ["sentence-mean", "encode"])
def test_an_edited_document_embeds_only_its_new_text(small: Settings, files: dict[str, Path],
                                                     chunk_vectors: str) -> None:
    small = small.model_copy(update={"chunk_vectors": chunk_vectors})
    tok, enc = get_tokenizer(), get_encoder()
    ingest([files["md"]], small, tok, enc)
    edited = TOKAI_MD.replace("美濃焼や常滑焼の産地企業", "瀬戸焼の窯元")
    files["md"].write_text(edited, "utf-8")
    before = _encoded()
    report = ingest([files["md"]], small, tok, enc)
    assert report.updated == ["tokai.md"]
    # The changed sentence (and the chunk holding it, when chunks are encoded on their own); every
    # other text of the document is reused.
    assert _encoded() - before == (1 if small.chunk_vectors == "sentence-mean" else 2)
    assert report.manifest["reused_texts"] > 0


def test_removed_documents_leave_chroma_and_bm25(small: Settings, files: dict[str, Path]) -> None:
    tok, enc = get_tokenizer(), get_encoder()
    ingest([files["md"], files["pdf"]], small, tok, enc)
    shikoku = load_path(files["pdf"]).doc_id
    remove(["shikoku.pdf"], small, tok, enc)
    vdir = small.index_dir / current_version(small.index_dir)
    manifest = json.loads((vdir / "manifest.json").read_text("utf-8"))
    chunks = json.loads((vdir / "chunks.json").read_text("utf-8"))
    assert [d["file"] for d in manifest["documents"]] == ["tokai.md"]
    assert chunks and all(c["doc_id"] != shikoku for c in chunks)
    col = chroma_client(small, vdir / "chroma").get_collection(manifest["collection"])
    assert col.count() == len(chunks)
    assert col.get(where={"doc_id": shikoku})["ids"] == []
    bm25 = bm25s.BM25.load(str(vdir / "bm25"))
    assert "藍染め" not in bm25.vocab_dict and "藍" not in bm25.vocab_dict
    assert not (small.corpus_dir / "shikoku.pdf").exists()


def test_ingested_documents_are_answered_with_their_own_contacts(small: Settings, files: dict[str, Path]) -> None:
    ingest([files["md"], files["pdf"]], small, get_tokenizer(), get_encoder())
    a = build_assistant(small)
    answer = a.ask("陶磁器の産地が海外の見本市に出たい")
    assert answer.initiatives[0] == "陶磁器産地の販路開拓支援"
    assert [c.phone for c in answer.contacts] == ["000-901-0002"]
    pdf_answer = a.ask("藍染めの工房の後継者がいない")
    assert pdf_answer.initiatives[0] == "四国の藍染め産業の事業承継支援"
    assert pdf_answer.citations and pdf_answer.citations[0].page in (1, 2)
    assert pdf_answer.contacts == []  # no contact table came with it, so no number is shown


def test_a_slide_text_document_is_ingested_next_to_others(small: Settings, files: dict[str, Path]) -> None:
    report = ingest([files["md"], SOURCE], small, get_tokenizer(), get_encoder())
    assert {d["file"] for d in report.manifest["documents"]} == {"tokai.md", SOURCE.name}
    assert report.manifest["chunks"] > 90


def test_bad_files_are_refused_with_a_reason_and_change_nothing(small: Settings, tmp_path: Path) -> None:
    bad_pdf = tmp_path / "broken.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(UnreadableDocument, match="broken.pdf"):
        ingest([bad_pdf], small, get_tokenizer(), get_encoder())
    doc = tmp_path / "notes.docx"
    doc.write_text("x")
    with pytest.raises(UnreadableDocument, match="unsupported"):
        ingest([doc], small, get_tokenizer(), get_encoder())
    assert list(small.corpus_dir.iterdir()) == []


def test_cli_ingest_and_remove(small: Settings, files: dict[str, Path], tmp_path: Path) -> None:
    runner = SettingsRunner(small)
    out = runner.invoke(main, ["ingest", str(files["md"]), str(files["pdf"])])
    assert out.exit_code == 0, out.output
    assert "added: tokai.md, shikoku.pdf" in out.output
    again = runner.invoke(main, ["ingest", str(files["md"]), str(files["pdf"])])
    assert "unchanged: tokai.md, shikoku.pdf" in again.output and "embedded 0 new text(s)" in again.output
    missing = runner.invoke(main, ["ingest", str(tmp_path / "nope.pdf")])
    assert missing.exit_code == 1 and "no such file" in missing.output and "Traceback" not in missing.output
    gone = runner.invoke(main, ["remove", "shikoku.pdf"])
    assert gone.exit_code == 0 and "removed: shikoku.pdf" in gone.output
    last = runner.invoke(main, ["remove", "tokai.md"])
    assert last.exit_code == 1 and "every document" in last.output
    shutil.rmtree(small.index_dir)


def test_a_damaged_version_is_refused_on_open_and_rebuilt(small: Settings,
                                                           files: dict[str, Path]) -> None:
    tok, enc = get_tokenizer(), get_encoder()
    ingest([files["md"]], small, tok, enc)
    vdir = small.index_dir / current_version(small.index_dir)
    chunks = json.loads((vdir / "chunks.json").read_text("utf-8"))
    (vdir / "chunks.json").write_text(json.dumps(chunks[:-1], ensure_ascii=False), "utf-8")
    with pytest.raises(IndexCorrupt, match="chunks.json changed|counts do not match"):
        PolicyIndex.open(small, tok, enc)
    (vdir / "bm25" / "params.index.json").unlink()
    with pytest.raises(IndexCorrupt, match="damaged"):
        PolicyIndex.open(small, tok, enc)
    rebuilt = build_index(small, tok, enc)
    assert rebuilt["skipped"] is False
    assert PolicyIndex.open(small, tok, enc).manifest["chunks"] == len(chunks)
