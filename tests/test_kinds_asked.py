"""Asked which things of a kind exist (どんな補助金, セミナーはある？), the lines naming them answer; asked what
the slides never state (another bureau's programmes, a bare "how much", a market forecast), no one is routed."""

import pytest

from assistant.service import Assistant
from tests.conftest import ask_chain


@pytest.mark.parametrize("question", [
    "デジタル化を進めるのに使える補助金って何があるん？",
    "dejitaruka wo susumeru noni tsukaeru hojokin wa nani ga aru?",  # 補助金 typed in romaji: ほじょきん
])
def test_which_subsidies_exist_is_answered_by_the_line_naming_them(assistant: Assistant, question: str) -> None:
    # The DX slide names IT導入補助金 and others on one line; its aims and headings say nothing of which.
    answer = assistant.ask(question)
    assert any("IT導入補助金" in c.quote for c in answer.citations), answer.answer


def test_a_seminar_asked_for_is_the_item_naming_that_seminar(assistant: Assistant) -> None:
    # The three seminars are items of a list; the one on side-job staff is what the asker's rarer words pick.
    answer = assistant.ask("人が足りない中小企業の相談に乗っている商工会の職員です。副業人材の使い方を学べるセミナーはありますか")
    assert "副業・兼業人材" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("turns", [
    ("Does the Kansai regional transport bureau give grants for electric delivery vans?",),
    ("Is there help for hydrogen fuel cell forklifts?", "How much?"),
    ("Who can advise us on protecting our designs from leaking abroad?", "Do the slides say how much that advice costs?"),
    ("近畿の輸出でアジアはどれくらいを占めてる？", "来年の為替レートの見通しは？"),  # within a topic too
    ("バイオものづくりの会議って何をするの？", "傍聴はできる？参加は無料？"),  # no fee, free or not, is stated
    ("Tell me about the hydrogen business exchange lounge.", "Do we need to book in advance?"),
    ("Tell me about the hydrogen exchange lounge.", "Can we go for free?"),
    ("技術流出を防ぐ取組について知りたい", "違反したら罰則はどうなる？"),
    ("DXの支援について教えて", "認定を受けたら法人税は下がりますか？"),  # a tax: another office's
    ("技術流出の相談はどこにすればいい？", "輸出の書類をそちらで代わりに作ってもらえますか？"),  # a firm's own task
    ("Can your office help us with export control?", "Could you handle the paperwork for us?"),
    ("成長分野のポテンシャルマップについて知りたい", "英語版も出ていますか？"),  # no edition in English is named
    ("関西・アジアビジネス共創推進プランについて", "インドネシアへの輸出向けの補助金ってある？"),  # no grant for a market
    ("Are there grants for expanding into Vietnam?",),
])
def test_what_the_slides_never_state_routes_no_one(assistant: Assistant, turns: tuple[str, ...]) -> None:
    answer = ask_chain(assistant, *turns)
    assert answer.abstained and not answer.contacts, answer.answer


@pytest.mark.parametrize("turns", [
    ("Is there support for companies that want to employ international graduates?",
     "How many international students are studying in Kansai right now?"),
    ("中小企業のデジタル化の支援について知りたい", "その事業の採択率は？"),
    ("What is the acceptance rate for companies applying to join the eVTOL project?",),
])
def test_a_head_count_or_a_rate_the_slides_never_give_routes_no_one(assistant: Assistant,
                                                                   turns: tuple[str, ...]) -> None:
    # Counting people (students, visitors) or asking a rate asks a figure of its own kind: the slides'
    # counts of firms and events do not answer it.
    answer = ask_chain(assistant, *turns)
    assert answer.abstained and not answer.contacts, answer.answer


def test_a_head_count_the_slides_give_is_quoted(assistant: Assistant) -> None:
    answer = assistant.ask("By 2030, how many workers is the Kinki region expected to be short of?")
    assert "80万人" in answer.citations[0].quote, answer.answer


def test_a_rate_only_named_in_a_story_is_not_asked(assistant: Assistant) -> None:
    answer = assistant.ask("離職率が高くて若手が定着しない町工場です。相談できるところは？")
    assert not answer.abstained and answer.contacts, answer.answer


def test_a_menu_asked_for_is_the_list_of_measures(assistant: Assistant) -> None:
    # 支援メニュー is the list of what is offered: the box for support bodies with its (1)–(3), not the
    # sentence about the box.
    answer = ask_chain(assistant, "中小企業の人材確保の取組を知りたい", "経営支援機関向けの支援メニューを教えて")
    assert any("副業・兼業人材" in c.quote for c in answer.citations), answer.answer


def test_whether_a_list_takes_up_something_is_answered_by_the_list(assistant: Assistant) -> None:
    # 取り上げてる asks whether the map's fields include robots: the list of fields answers, yes or no.
    answer = assistant.ask("ポテンシャルマップでロボットは取り上げてる？")
    assert any("ロボット・AI" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", [
    "Our margins are shrinking because of rising costs. Can the bureau help us pass them on to the buyer?",
    "材料の費用が高騰していて、発注元に値上げを言い出せない",
])
def test_a_cost_the_asker_says_is_rising_is_their_situation_not_an_amount_asked(assistant: Assistant,
                                                                               question: str) -> None:
    # The money words tell what the firm is under; price pass-through is the help, whatever no slide costs.
    answer = assistant.ask(question)
    assert not answer.abstained and "稼ぐ力" in answer.initiatives[0], answer.answer


@pytest.mark.parametrize("question", ["水素関連企業のデータ集って英語版もある？", "Is the hydrogen firms' data book out in English version?"])
def test_an_english_edition_the_slides_name_is_answered(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and any("英語版" in c.quote for c in answer.citations), answer.answer


def test_another_ministrys_office_named_as_the_bureaus_partner_does_not_turn_the_question_away(
        assistant: Assistant) -> None:
    # 総務省の出先と合同で asks whether the bureau's own briefings are joint (with 近畿総合通信局), not for
    # that ministry's schemes; asked for those, the question is still turned away.
    answer = assistant.ask("デジタル化の説明会って総務省の出先機関と合同でやってますか？")
    assert not answer.abstained and any("近畿総合通信局" in c.quote for c in answer.citations), answer.answer
    assert assistant.ask("総務省の補助金でテレワークに使えるものはありますか？").abstained
