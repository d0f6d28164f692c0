"""The sealed set: written by an independent author, varied in voice, and never leaked into the knowledge."""

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation import Case, load_cases
from tests.conftest import CORPUS, PROJECT_ROOT

SEALED = PROJECT_ROOT / "eval" / "sealed.jsonl"
# Every set that is never tuned on: the first, and a second written later by another independent author.
NEVER_TUNED = (SEALED, PROJECT_ROOT / "eval" / "sealed-b.jsonl")
DOCUMENTS = (".txt", ".md", ".pdf")
DATA = (".json", ".jsonl", ".yaml", ".yml", ".csv")
RUN = 12  # characters a sealed question may share with the knowledge only where the document has them


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@pytest.fixture(scope="module")
def sealed() -> list[Case]:
    return load_cases(SEALED)


def test_the_sealed_set_is_large_and_speaks_in_many_voices(sealed: list[Case]) -> None:
    assert len(sealed) >= 150
    voices = Counter(c.voice for c in sealed)
    expected = {"plain", "story", "kansai", "terse", "romaji", "english", "typo", "chain", "near_topic", "other_bureau"}
    assert expected <= set(voices), voices
    chains = [c for c in sealed if c.turn_expects is not None]
    assert len(chains) >= 30 and all(2 <= len(c.turns) <= 4 for c in chains)


FROM_A_DICTIONARY = {"english_words.json"}  # scripts/build_english_words.py


def _knowledge(corpus: Path) -> tuple[str, list[tuple[str, str]]]:
    """The documents' own text, and the data under corpus/ the assistant learns from (examples,
    glossary, goals). The contact tables are transcribed from the documents' own last slides; the English
    word list is written by a script from a general dictionary (JMdict) for the document's words, one
    dictionary gloss of up to three words a line, so it shares every English word with any question."""
    documents, data = "", []
    for path in sorted(corpus.rglob("*")):
        if not path.is_file():
            continue
        text = _norm(path.read_text("utf-8", errors="ignore"))
        if path.suffix in DOCUMENTS:
            documents += text
        elif path.suffix in DATA and "contacts" not in path.name and path.name not in FROM_A_DICTIONARY:
            data.append((path.name, text))
    return documents, data


@pytest.mark.parametrize("path", NEVER_TUNED, ids=lambda p: p.name)
def test_no_sealed_question_shaped_the_knowledge(path: Path) -> None:
    """A run of 12 characters shared with corpus data (and not taken from the document) would mean a
    sealed question was copied into what the assistant learns from."""
    documents, data = _knowledge(CORPUS)
    # Phrasing the second set shares with examples that were written before it existed.
    known = path.with_suffix(".coincidences.json")
    earlier = set(json.loads(known.read_text("utf-8"))["runs"]) if known.exists() else set()
    leaks = []
    for case in load_cases(path):
        for turn in case.turns:
            t = _norm(turn)
            for i in range(len(t) - RUN + 1):
                run = t[i : i + RUN]
                if run.strip() and run not in documents and run not in earlier:
                    leaks += [f"{case.id}: {run!r} in {name}" for name, text in data if run in text]
    assert not leaks, "\n".join(sorted(set(leaks))[:30])
