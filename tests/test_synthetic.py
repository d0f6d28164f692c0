"""The synthetic scale corpus: realistic, loadable, with its own plainly fake contact numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.directory import Directory
from assistant.embeddings import get_encoder
from assistant.index import build_index
from assistant.loaders import load_documents
from assistant.normalize import phone_digits
from assistant.service import build_assistant
from assistant.synthetic import make_corpus
from assistant.tokenizer import get_tokenizer
from tests.conftest import CORPUS, make_settings


def _real_numbers() -> set[str]:
    return {phone_digits(o["phone"]) for o in json.loads((CORPUS / "contacts.json").read_text("utf-8"))["offices"]}


def test_a_3x_corpus_has_new_titles_and_only_fake_numbers_of_its_own(tmp_path: Path) -> None:
    made = make_corpus(CORPUS, tmp_path / "x3", 3)
    docs = load_documents(made.folder)
    assert len(docs) == 3 and made.documents == 3
    titles = [i.title for d in docs for i in d.initiatives()]
    assert len(titles) == len(set(titles)) == made.initiatives  # every initiative title is unique
    tables = sorted(made.folder.glob("synthetic-*.contacts.json"))
    assert len(tables) == 2
    numbers = {phone_digits(o["phone"]) for t in tables for o in json.loads(t.read_text("utf-8"))["offices"]}
    assert numbers and all(n.startswith("000") for n in numbers) and not numbers & _real_numbers()
    # Synthetic text is perturbed, not copied: most of its lines differ from the real document's.
    real = {line.text for s in docs[0].sections for line in s.lines}
    fake = [line.text for s in docs[1].sections for line in s.lines]
    assert sum(t not in real for t in fake) > 0.6 * len(fake)
    assert make_corpus(CORPUS, tmp_path / "x3", 3) == made  # the same seed writes the same corpus
    assert (tmp_path / "x3" / "synthetic-001.md").read_text("utf-8") == (made.folder / "synthetic-001.md").read_text("utf-8")


def test_the_real_corpus_is_never_written_to(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="never into the real corpus"):
        make_corpus(CORPUS, CORPUS, 2)
    with pytest.raises(ValueError):
        make_corpus(CORPUS, tmp_path / "x0", 0)


@pytest.mark.slow
def test_a_2x_corpus_builds_and_routes_to_each_documents_own_office(tmp_path: Path) -> None:
    made = make_corpus(CORPUS, tmp_path / "x2", 2)
    s = make_settings(tmp_path, corpus_dir=made.folder)
    manifest = build_index(s, get_tokenizer(), get_encoder())
    assert len(manifest["documents"]) == 2
    a = build_assistant(s)
    table = json.loads((made.folder / "synthetic-001.contacts.json").read_text("utf-8"))["offices"]
    office = next(o for o in table if o["division"].startswith("カーボンニュートラル推進室"))
    # The synthetic hydrogen initiative and the real one are both in the index; a question naming the
    # synthetic one's number goes to its office, and every number shown is in a loaded directory.
    answer = a.ask(f"{office['phone']}はどこの番号？")
    assert answer.contacts and answer.contacts[0].phone == office["phone"]
    listed = {o.digits for o in a.directory.offices}
    for q in ("水素の相談はどこ？", "価格転嫁の相談窓口は？", "半導体の人材育成について知りたい"):
        assert all(phone_digits(c.phone) in listed for c in a.ask(q).contacts)
    assert isinstance(a.directory, Directory) and len(a.directory.offices) > len(_real_numbers())


def test_a_folder_holding_other_files_is_refused_not_emptied(tmp_path: Path) -> None:
    keep = tmp_path / "mine" / "notes.txt"
    keep.parent.mkdir()
    keep.write_text("important", "utf-8")
    with pytest.raises(ValueError, match="holds other files"):
        make_corpus(CORPUS, keep.parent, 2)
    assert keep.read_text("utf-8") == "important"
