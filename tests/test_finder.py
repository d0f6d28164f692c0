"""The support finder: goals (data in corpus/goals.json) → ranked initiatives with quotes and offices."""

import pytest

from assistant.finder import load_goals
from assistant.service import Assistant
from tests.conftest import squashed

# What each goal offered by the support finder must find first, and the office to call about it.
EXPECTED = {
    "overseas": ("海外ビジネス機会", "06-6966-6032"),
    "gx": ("面的GX支援", "06-6966-6055"),
    "dx": ("DX推進", "06-6966-6008"),
    "talent": ("総合力の向上", "06-6966-6011"),
    "pricing": ("稼ぐ力", "06-6966-6037"),
    "tech-security": ("経済安全保障", "06-6966-6031"),
    "new-business": ("新規事業創出支援", "06-6966-6012"),
    "foreign-talent": ("高度外国人材", "06-6966-6032"),
}


def test_goals_file_lists_every_goal_of_the_issue(assistant: Assistant) -> None:
    goals = load_goals(assistant.settings.corpus_dir / "goals.json")
    assert {g.id for g in goals} >= set(EXPECTED)
    assert len({g.id for g in goals}) == len(goals)
    assert {"海外展開", "脱炭素・GX", "技術流出対策", "外国人材採用"} <= {g.ja for g in goals}


@pytest.mark.parametrize(("goal", "expected"), EXPECTED.items())
def test_each_goal_finds_its_initiative_first(assistant: Assistant, goal: str, expected: tuple[str, str]) -> None:
    recs = assistant.find_support([goal])
    title, phone = expected
    assert title in recs[0].initiative
    assert recs[0].contacts[0].phone == phone
    assert recs[0].quotes, "every recommendation says why, with a quote"


def test_quotes_are_verbatim_from_the_initiative(assistant: Assistant) -> None:
    source = squashed((assistant.settings.corpus_dir / "000_172e9370bded9419.txt").read_text("utf-8"))
    for r in assistant.find_support(["overseas", "gx"], "大阪の金属加工業、従業員30人"):
        assert r.pages
        for q in r.quotes:
            assert q.initiative == r.initiative
            assert squashed(q.quote) in source
        assert all(assistant.directory.is_listed(c.phone) for c in r.contacts)


def test_labels_work_like_ids_and_goals_are_reported(assistant: Assistant) -> None:
    by_label = assistant.find_support(["価格転嫁・取引"])
    assert by_label[0].initiative == assistant.find_support(["pricing"])[0].initiative
    assert by_label[0].goals == ["価格転嫁・取引"]


def test_description_reorders_within_the_goal(assistant: Assistant) -> None:
    plain = [r.initiative for r in assistant.find_support(["overseas"])]
    asia = [r.initiative for r in assistant.find_support(["overseas"], "ASEANやアジアの企業と組んで事業をしたい")]
    assert "アジアビジネス共創" in asia[0] and "アジアビジネス共創" not in plain[0]


def test_description_alone_and_out_of_scope(assistant: Assistant) -> None:
    assert "面的GX" in assistant.find_support([], "金属加工の町工場で、電気代が高くて困っている")[0].initiative
    assert assistant.find_support([], "ラーメン店の新メニューを考えたい") == []


@pytest.mark.parametrize(("goals", "description", "message"), [
    ([], "", "pick at least one goal"), (["nonsense"], "", "unknown goal"), ([], "x" * 5000, "too long")])
def test_bad_requests_are_refused_with_the_reason(assistant: Assistant, goals: list[str], description: str,
                                                  message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assistant.find_support(goals, description)
