"""The regression set itself: big and varied enough, and every expectation traceable to the document."""

import json
import re
from collections import Counter

import pytest

from assistant.corpus import Document
from assistant.directory import Directory
from assistant.evaluation import Case, load_cases, load_thresholds
from assistant.normalize import nfkc
from tests.conftest import CORPUS, PROJECT_ROOT

QA = PROJECT_ROOT / "eval" / "dev.jsonl"
THRESHOLDS = PROJECT_ROOT / "eval" / "thresholds.json"
PREFIX = {"contact_topic": "topic", "reverse_phone": "rev", "division": "div", "sme_situation": "sme",
          "fact": "fact", "multi_turn": "multi", "english": "en", "noisy": "noisy", "out_of_scope": "oos"}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(QA)


@pytest.fixture(scope="module")
def directory(document: Document) -> Directory:
    return Directory.load(CORPUS / "contacts.json", [i.title for i in document.initiatives()])


def test_the_set_is_large_and_covers_every_category(cases: list[Case]) -> None:
    counts = Counter(c.category for c in cases)
    assert len(cases) >= 150
    assert set(counts) == set(PREFIX), counts
    assert min(counts.values()) >= 10, counts


def test_ids_are_unique_and_prefixed_by_their_category(cases: list[Case]) -> None:
    assert len({c.id for c in cases}) == len(cases)
    bad = [c.id for c in cases if not re.fullmatch(rf"{PREFIX[c.category]}-\d{{3}}", c.id)]
    assert not bad, bad


def test_every_expected_phone_is_a_directory_number(cases: list[Case], directory: Directory) -> None:
    outside = [(c.id, p) for c in cases for p in c.phones if not directory.is_listed(p)]
    assert not outside, outside
    assert sum(len(c.phones) for c in cases) > 150


def test_every_expected_section_names_an_initiative(cases: list[Case], document: Document) -> None:
    titles = [nfkc(i.title) for i in document.initiatives()]
    unknown = [(c.id, s) for c in cases for s in c.sections if not any(nfkc(s) in t for t in titles)]
    assert not unknown, unknown


def test_every_expected_fact_is_written_in_the_document(cases: list[Case], document: Document) -> None:
    text = "".join(nfkc(document.source).split())
    missing = [(c.id, f) for c in cases for f in c.facts if "".join(nfkc(f).split()) not in text]
    assert not missing, missing


def test_out_of_scope_cases_expect_nothing_but_abstention(cases: list[Case]) -> None:
    for c in cases:
        if c.category == "out_of_scope":
            assert c.abstain, c.id
        if c.abstain:  # out of scope, or a conversation that drifts out of it
            assert not (c.phones or c.sections or c.facts), c.id
        else:
            assert c.phones or c.sections, c.id


def test_multi_turn_cases_have_history(cases: list[Case]) -> None:
    assert all(len(c.turns) >= 2 for c in cases if c.category == "multi_turn")


def test_thresholds_name_known_metrics_and_categories(cases: list[Case]) -> None:
    limits = load_thresholds(THRESHOLDS)
    categories = {c.category for c in cases}
    assert {t.scope for t in limits} - {"overall"} == categories
    assert any(t.metric == "outside_numbers" and t.bound == "max" and t.limit == 0 for t in limits)
    raw = json.loads(THRESHOLDS.read_text("utf-8"))
    assert set(raw) <= {"_note", "overall", "categories"}
