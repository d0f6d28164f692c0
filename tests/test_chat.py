"""Answers and conversation: cited, routed, honest, and aware of the earlier turns."""

import pytest

from assistant.chat import Turn
from assistant.service import Assistant
from tests.conftest import squashed


def test_answer_quotes_the_document_verbatim_with_citations(assistant: Assistant) -> None:
    answer = assistant.ask("取引先が値上げを認めてくれない。どこに相談できますか？")
    assert not answer.abstained
    assert answer.contacts[0].division == "取引適正化推進室"
    assert answer.contacts[0].phone == "06-6966-6037"
    source = (assistant.settings.corpus_dir / "000_172e9370bded9419.txt").read_text("utf-8")
    for c in answer.citations:
        assert c.section == "中小企業の「稼ぐ力」の強化" and c.page == 22
        assert squashed(c.quote) in squashed(source)
        assert c.quote in answer.answer


@pytest.mark.parametrize("question", ["成長分野のポテンシャルマップについて教えて", "What is the growth-field potential map?",
                                      "06-6966-6001はどこの課？"])
def test_a_title_the_document_writes_in_brackets_is_not_bracketed_twice(assistant: Assistant, question: str) -> None:
    # The map's title is 「関西における成長分野ポテンシャルマップ」 itself; the lead names it once, as the slides do.
    answer = assistant.ask(question)
    assert "「関西における成長分野ポテンシャルマップ」" in answer.answer and "「「" not in answer.answer, answer.answer


def test_reverse_lookup_by_phone_number(assistant: Assistant) -> None:
    answer = assistant.ask("06-6966-6014はどこ？")
    assert answer.route == "phone"
    assert answer.contacts[0].division == "創業・経営支援課"
    assert "「Global Startup EXPO 2025」の推進" in answer.initiatives


@pytest.mark.parametrize("question", ["市外局番が078の事務所ってなんの担当？", "Who answers the line that begins with 078?"])
def test_an_area_code_alone_finds_the_office_whose_number_starts_with_it(assistant: Assistant, question: str) -> None:
    # A caller often remembers only how a number began; the directory, not a guess, completes it.
    answer = assistant.ask(question)
    assert answer.contacts and {c.phone for c in answer.contacts} == {"078-393-2682"}, answer.answer
    assert "経済安全保障の推進" in answer.initiatives


def test_question_naming_a_division(assistant: Assistant) -> None:
    answer = assistant.ask("神戸通商事務所に連絡したい")
    assert answer.contacts[0].phone == "078-393-2682"


def test_out_of_scope_question_is_turned_away_without_a_number(assistant: Assistant) -> None:
    answer = assistant.ask("明日の大阪の天気を教えて")
    assert answer.abstained and answer.contacts == [] and answer.citations == []
    assert "記載がありません" in answer.answer


@pytest.mark.parametrize("question", ["GX設備の補助の上限額を教えて", "How much can we get from the hydrogen grant?"])
def test_a_subsidy_amount_the_document_never_states_is_turned_away(assistant: Assistant, question: str) -> None:
    # The slides name subsidies (IT導入補助金…) but no yen amount or rate: no quote about something else
    # stands in for the figure asked, and no office is offered as if it had said it.
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts, answer.answer


def test_the_size_of_a_market_in_yen_is_still_answered(assistant: Assistant) -> None:
    answer = assistant.ask("CE関連市場の規模はどのくらい？")
    assert not answer.abstained and "80兆円" in answer.answer, answer.answer


def test_unknown_number_is_not_echoed(assistant: Assistant) -> None:
    answer = assistant.ask("06-6966-6099はどこの番号ですか")
    assert answer.abstained and not answer.contacts
    assert "6099" not in answer.answer


def test_follow_up_uses_the_earlier_turns(assistant: Assistant) -> None:
    first = assistant.ask("水素関連の支援について知りたい")
    history = [Turn("user", "水素関連の支援について知りたい"), Turn("assistant", first.answer)]
    follow = assistant.ask("その電話番号は？", history)
    assert follow.contacts[0].phone == "06-6966-6055"
    alone = assistant.ask("その電話番号は？")
    assert alone.abstained  # with no history there is nothing to refer to


def test_follow_up_to_a_specific_office(assistant: Assistant) -> None:
    history = [Turn("user", "経済安全保障について教えて"), Turn("assistant", "…")]
    assert assistant.ask("神戸の窓口は？", history).contacts[0].phone == "078-393-2682"


def test_english_question_gets_an_english_frame(assistant: Assistant) -> None:
    answer = assistant.ask("Who do I call about hydrogen?")
    assert answer.language == "en" and answer.answer.startswith("The bureau's 「")
    assert answer.contacts[0].phone == "06-6966-6055"


@pytest.mark.parametrize("question", ["How do I choose which support to use?", "Can you tell me how to use the DX seminar?"])
def test_english_whose_short_words_also_spell_romaji_is_answered_in_english(assistant: Assistant, question: str) -> None:
    # do, choose, to, use each spell kana (ど ちょおせ と うせ); the English words around them say it is English.
    assert assistant.ask(question).language == "en"


def test_japanese_question_naming_an_english_event_is_answered_in_japanese(assistant: Assistant) -> None:
    answer = assistant.ask("Global Startup EXPO 2025はいつ？")
    assert answer.language == "ja" and answer.answer.startswith("お尋ねの件は")
    assert "9月17日" in answer.answer
