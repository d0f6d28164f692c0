"""Retrieval and routing on real questions."""

import pytest

from assistant.service import Assistant


@pytest.mark.parametrize(
    ("question", "initiative"),
    [
        ("水素関連産業への参入を支援してほしい", "水素利活用促進プロジェクト"),
        ("eVTOLの社会実装", "次世代空モビリティ「eVTOL」の社会実装推進に向けた取組"),
        ("半導体の人材育成", "（ウ）産学官連携による半導体人材育成の推進"),
        ("価格転嫁の相談", "中小企業の「稼ぐ力」の強化"),
    ],
)
def test_the_right_initiative_ranks_first(assistant: Assistant, question: str, initiative: str) -> None:
    ranked = assistant.router.score(assistant.router.read(question))
    assert ranked[0].title.endswith(initiative)


def test_bm25_uses_mecab_terms_on_both_sides(assistant: Assistant) -> None:
    sparse = assistant.index.sparse
    # 中小企業 is split by UniDic into 中 / 小 / 企業 on both sides, so the query still matches.
    assert "企業" in sparse.terms("中小企業のGX支援")
    hits = sparse.retrieve("面的GX支援")
    assert hits and hits[0].node.metadata["initiative"] == "中堅・中小企業の面的GX支援プロジェクト"
    assert sparse.retrieve("zzzz qqqq") == []  # unknown words only: nothing, not an error


def test_dense_retriever_reads_chroma(assistant: Assistant) -> None:
    hits = assistant.index.dense.retrieve("Who handles hydrogen projects?")
    assert hits and hits[0].node.metadata["initiative"] == "水素利活用促進プロジェクト"
