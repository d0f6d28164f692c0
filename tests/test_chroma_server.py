"""The index on a Chroma server (HttpClient): build, open, verify, ingest and serve several workers."""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.embeddings import get_encoder
from assistant.index import IndexCorrupt, build_index, chroma_client, current_version
from assistant.ingest import ingest
from assistant.retrieval import PolicyIndex
from assistant.service import build_assistant
from assistant.settings import Settings
from assistant.tokenizer import get_tokenizer
from tests.conftest import CORPUS
from tests.servers import served
from tests.test_ingest import TOKAI_CONTACTS, TOKAI_MD

# Every test here talks to a real Chroma server (started for the session unless CI gives one).
pytestmark = pytest.mark.slow


def _names(settings: Settings) -> list[str]:
    cols = chroma_client(settings).list_collections()
    return sorted(c if isinstance(c, str) else c.name for c in cols if (c if isinstance(c, str) else c.name)
                  .startswith(settings.collection + "-"))


def test_build_open_and_answer_through_the_server(server_settings: Settings) -> None:
    manifest = build_index(server_settings, get_tokenizer(), get_encoder())
    vdir = server_settings.index_dir / manifest["version"]
    assert manifest["chroma_mode"] == "server"
    assert not (vdir / "chroma").exists()  # the vectors live on the server; BM25 and chunks stay on disk
    assert {"bm25", "chunks.json", "manifest.json"} <= {p.name for p in vdir.iterdir()}
    assert chroma_client(server_settings).get_collection(manifest["collection"]).count() == manifest["chunks"]

    a = build_assistant(server_settings)
    assert a.health()["mode"] == "server"
    assert a.ask("水素の相談はどこにすればいい？").contacts[0].phone == "06-6966-6055"
    client = TestClient(create_app(lambda: a))
    r = client.post("/api/chat", json={"message": "06-6966-6014はどこ？"})
    assert r.status_code == 200 and r.json()["contacts"][0]["division"] == "創業・経営支援課"


def test_a_missing_server_collection_is_detected_and_rebuilt(server_settings: Settings) -> None:
    tok, enc = get_tokenizer(), get_encoder()
    manifest = build_index(server_settings, tok, enc)
    chroma_client(server_settings).delete_collection(manifest["collection"])
    with pytest.raises(IndexCorrupt):
        PolicyIndex.open(server_settings, tok, enc)
    again = build_index(server_settings, tok, enc)  # same corpus, but the server lost it: rebuilt
    assert again["skipped"] is False and again["embedded_texts"] == 0  # vectors came from the version folder
    assert PolicyIndex.open(server_settings, tok, enc).manifest["version"] == manifest["version"]


def test_incremental_ingest_on_the_server_keeps_one_previous_collection(server_settings: Settings,
                                                                        tmp_path: Path) -> None:
    tok, enc = get_tokenizer(), get_encoder()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "contacts.json", corpus)  # the bureau's table, for its own document
    s = server_settings.model_copy(update={"corpus_dir": corpus})
    src = tmp_path / "in"
    src.mkdir()
    (src / "tokai.md").write_text(TOKAI_MD, "utf-8")
    (src / "tokai.contacts.json").write_text(json.dumps(TOKAI_CONTACTS, ensure_ascii=False), "utf-8")
    first = ingest([src / "tokai.md"], s, tok, enc)
    second = ingest([CORPUS / "000_172e9370bded9419.txt", src / "tokai.md"], s, tok, enc)
    third = ingest([src / "tokai.md"], s, tok, enc)
    assert second.embedded > 0 and third.embedded == 0
    # The replaced collection stays for workers still reading it; older ones are dropped.
    # Each version has its chunks' collection and its examples' one beside it.
    kept = [f"{s.collection}-{m['version']}" for m in (first.manifest, second.manifest)]
    assert _names(s) == sorted(kept + [f"{name}-examples" for name in kept])
    a = build_assistant(s)
    assert a.ask("陶磁器の産地が海外の見本市に出たい").contacts[0].phone == "000-901-0002"
    assert a.ask("水素の相談はどこ？").contacts[0].phone == "06-6966-6055"


def test_two_workers_behind_one_address_answer_the_same(server_settings: Settings, tmp_path: Path) -> None:
    build_index(server_settings, get_tokenizer(), get_encoder())
    with served(server_settings, tmp_path, "--workers", "2") as url:
        with urllib.request.urlopen(f"{url}/healthz", timeout=30) as r:
            assert json.load(r)["mode"] == "server"
        # A follow-up carries its own history, so whichever worker takes it answers the same.
        body = {"message": "その電話番号は？", "history": [
            {"role": "user", "content": "水素の取組について教えて"}, {"role": "assistant", "content": "…"}]}
        phones = set()
        for _ in range(6):
            req = urllib.request.Request(f"{url}/api/chat", method="POST",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=60) as r:
                phones.add(json.load(r)["contacts"][0]["phone"])
        assert phones == {"06-6966-6055"}
    log = (tmp_path / "server.log").read_text()
    assert log.count("Started server process") == 2, log[-2000:]
    assert current_version(server_settings.index_dir)
