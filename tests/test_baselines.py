"""The two baseline pipelines answer in the assistant's shape, quote the document and call only listed numbers."""

from collections.abc import Callable

import pytest

from assistant.answers import Answer
from assistant.baselines import BASELINES, build_baselines, char_bigrams
from assistant.chat import Turn
from assistant.corpus import Document
from assistant.directory import Directory
from assistant.normalize import find_phones, nfkc
from assistant.settings import Settings
from tests.conftest import CORPUS

Ask = Callable[[str, list[Turn]], Answer]


@pytest.fixture(scope="module")
def baselines(settings: Settings) -> dict[str, Ask]:
    return build_baselines(settings)


def _squash(text: str) -> str:
    return "".join(nfkc(text).split())


def test_both_baselines_are_built_under_their_report_names(baselines: dict[str, Ask]) -> None:
    assert tuple(baselines) == BASELINES == ("sentence-splitter-dense", "bm25-char-bigram")


@pytest.mark.parametrize("name", BASELINES)
def test_a_plain_topic_question_reaches_the_right_office(baselines: dict[str, Ask], name: str,
                                                        document: Document) -> None:
    answer = baselines[name]("水素の相談はどこに電話すればいいですか", [])
    assert not answer.abstained
    assert "水素" in answer.initiatives[0]
    assert answer.contacts[0].phone == "06-6966-6055" and "06-6966-6055" in answer.answer
    # The evidence is the document's own text, not something composed.
    assert _squash(answer.citations[0].quote) in _squash(document.source)


@pytest.mark.parametrize("name", BASELINES)
def test_every_number_a_baseline_shows_is_a_directory_number(baselines: dict[str, Ask], name: str,
                                                            document: Document) -> None:
    directory = Directory.load(CORPUS / "contacts.json", [i.title for i in document.initiatives()])
    for q in ("値上げを取引先が認めてくれない", "留学生を採用したい", "Who can help us with decarbonisation?",
              "06-6966-6014はどこ？", "半導体の人材育成"):
        answer = baselines[name](q, [])
        assert all(directory.is_listed(c.phone) for c in answer.contacts), q
        assert all(directory.is_listed(p) for p in find_phones(answer.answer)), q
        assert len(answer.initiatives) <= 3


def test_bm25_bigram_abstains_only_without_any_known_bigram(baselines: dict[str, Ask]) -> None:
    ask = baselines["bm25-char-bigram"]
    assert ask("ｚｚｑｑ　ｘｘ", []).abstained
    assert not ask("蓄電池", []).abstained


def test_dense_baseline_always_answers_but_not_an_empty_message(baselines: dict[str, Ask]) -> None:
    ask = baselines["sentence-splitter-dense"]
    assert not ask("明日の大阪の天気は？", []).abstained  # no abstention: that is what it lacks
    empty = ask("   ", [])
    assert empty.abstained and empty.contacts == []


def test_char_bigrams_ignore_width_and_spaces() -> None:
    assert char_bigrams("ＧＸ 支援") == ["gx", "x支", "支援"]
    assert char_bigrams("水") == ["水"] and char_bigrams(" ") == []
