"""Routing from evidence: labelled examples, the document's own words, clarifying questions, and what is out of scope."""

import json
import shutil
from pathlib import Path

import pytest

from assistant.chat import Turn
from assistant.examples import OUT_OF_SCOPE, Example, vote
from assistant.index import chroma_client
from assistant.routing import RouteReason
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from assistant.words import Words
from tests.conftest import CORPUS, ask_chain, make_settings


@pytest.mark.parametrize("question", ["下請Gメンに相談したい", "下請Ｇメンの窓口", "下請けGメンについて知りたい"])
def test_the_documents_own_term_for_fair_trade_inspectors_routes_to_fair_trade(assistant: Assistant,
                                                                                question: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and answer.contacts[0].division == "取引適正化推進室"
    assert answer.contacts[0].phone == "06-6966-6037"


@pytest.mark.parametrize("question", ["Is there help for small companies trying to reduce their energy use?",
                                      "Any support for small businesses that want to cut energy usage?",
                                      "We want to reduce our factory's power consumption. Where do we start?"])
def test_saving_energy_asked_in_english_reaches_the_gx_support_office(assistant: Assistant, question: str) -> None:
    # Energy use, consumption and efficiency are what the GX slides call 省エネ; energy alone is hydrogen's too.
    answer = assistant.ask(question)  # the GX office first, alone or as the first option
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6055", answer.answer


@pytest.mark.parametrize("question", ["中部経済産業局の水素の担当は？", "中国経済産業局のGXの担当は？",
                                      "九州経済産業局の半導体人材の窓口を教えて", "環境省の脱炭素の補助金の窓口は？",
                                      "労働基準法の相談窓口は？", "社員の社会保険の手続きはどこで？",
                                      "技能実習生を受け入れるには監理団体をどう選べばいい？",
                                      # another organisation's own number: the directory has only the bureau's
                                      "近畿運輸局の窓口の電話番号を知りたい", "兵庫県庁の連絡先は？",
                                      "関西経済連合会の電話番号を教えて",
                                      "What is the maximum subsidy for fuel cell trucks?"])
def test_other_bureaus_and_ministries_are_out_of_scope(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts and "06-" not in answer.answer


@pytest.mark.parametrize(("question", "phone"), [
    ("留学生を正社員で雇いたいが、手続きや定着が不安です", "06-6966-6032"),  # 定着: the document speaks of it
    ("外国人を雇うときの手続きを教えて", None),  # procedures alone: the document does not say
    ("留学生を雇いたい。手続きとか定着とかが心配です", "06-6966-6032"),  # とか, which MeCab cuts in two
    ("DXゼミナールの受講料と定員を教えて", None),  # neither is stated
    ("パートナーシップ構築宣言はどうすれば登録できる？", None),  # how to register, asked in plain words
    ("関西蓄電池コンソーシアムにはどうやって入会するの？", None),
    ("万博で空飛ぶクルマに乗るにはどうすれば予約できる？", None),  # booking: nor is that
    ("eVTOLの実用化は何年からの予定？", None),  # from which year: the eVTOL slides give none
    ("大阪府内に水素の拠点は何カ所ある？", None),  # how many sites: none counted
    ("How many sites does the hydrogen project have?", None),
    ("サーキュラーエコノミーのフォーラムの参加費はいくらですか", None),  # a market of 80兆円 is no fee
    ("蓄電池のコンソーシアムに加入する方法を知りたい", None),  # 〜する方法: a procedure
    ("関西からアジアへの輸入額は何億円？", None),  # no amount in yen
    ("自社株のことも相談できますか", None),  # another office's matter
    ("省力化補助金のしめきりっていつ？", None),  # a deadline typed in kana: none is given
    ("DX認定はいつまでに提出すればいい？", None),  # a deadline asked as 'by when to hand in'
    ("IT導入補助金の公募っていつから？", None),  # when a call for applications opens: never said
    ("留学生の初任給の相場は？", None),  # pay: not in the slides
    ("バイオものづくりの事業の予算はいくらついてるの？", None),  # a programme's budget: never stated
    ("How much budget has the hydrogen project been given?", None),
    ("予算が限られている町工場ですが、省エネを進めたい", "06-6966-6055"),  # the asker's own budget
    ("What's the budget for the eVTOL programme?", None),
    ("Our budget for IT is tiny. Any help going digital?", "06-6966-6008"),
    # A place outside Kinki asked about as a member: the list of members answers by leaving it out.
    ("eVTOLの推進会議って、三重県は加盟してる？", "06-6966-6022"),
    ("三重県の水素の取組は？", None),  # that place, asked about on its own
    ("三重県の会社もeVTOLの会議に参加できますか", None),  # a firm from there: the slides do not say
])
def test_what_the_document_does_not_state_is_turned_away_only_when_nothing_else_is_asked(
        assistant: Assistant, question: str, phone: str | None) -> None:
    answer = assistant.ask(question)
    if phone is None:
        assert answer.abstained and not answer.contacts, answer.answer
    else:
        assert not answer.abstained and answer.contacts[0].phone == phone, answer.answer


@pytest.mark.parametrize(("question", "fact"), [
    ("合同説明会の天下一合説って、どこの会場で開かれるんですか", None),  # named, but no venue given
    ("蓄電池のコンソーシアムの次のイベントは何月何日に開催？", None),  # a founding month is not an event's day
    ("ポテンシャルマップの説明会の日程と会場を知りたい", None),  # a publication date, but no venue
    ("スタートアップのEXPOはどこの会場でやりますか", "EXPOメッセ"),
    ("スタートアップのEXPOの開催日は何日？", "9月17日"),
    ("合同説明会の天下一合説は毎年何月ごろですか", None),  # the slide gives no month for it
    ("バイオコミュニティ関西が設立されたのは何月？", "7月"),
    ("循環経済の取組で、万博会場でのプロモーションイベントは何日？", "24日"),  # a venue named, not asked
    ("万博会場でやる循環経済のイベントって何日にあるの", "24日"),  # where it happens, 会場で + a verb
])
def test_a_day_venue_or_month_is_answered_only_where_the_slides_give_one_and_both_where_both_are_asked(
        assistant: Assistant, question: str, fact: str | None) -> None:
    answer = assistant.ask(question)
    if fact is None:
        assert answer.abstained and not answer.contacts, answer.answer
    else:
        assert not answer.abstained and fact in answer.answer, answer.answer


def test_glossary_phrases_match_whole_words_not_pieces_of_words(assistant: Assistant) -> None:
    tokenizer = assistant.router.reader.tokenizer
    thailand = ("タイ",)
    assert Words.of("タイの企業と取引したい", tokenizer).has(thailand)
    assert not Words.of("相談するタイミングはいつ？", tokenizer).has(thailand)
    assert not Words.of("人材を育てたい", tokenizer).has(thailand)  # the auxiliary たい is not Thailand
    # A katakana word however MeCab cuts it in the sentence (ラン + サム + ウェア), never inside a longer one.
    ransomware = tuple(Words.of("ランサムウェア", tokenizer).surfaces)
    assert Words.of("取引先がランサムウェアにやられて工場が止まったって聞いた", tokenizer).has(ransomware)
    assert not Words.of("ランサムウェアーズという会社", tokenizer).has(ransomware)


def test_romaji_reads_as_japanese(assistant: Assistant) -> None:
    answer = assistant.ask("suiso no tantou wa doko desu ka")
    assert answer.contacts[0].phone == "06-6966-6055"
    assert answer.language == "ja"


def test_a_romaji_word_typed_onto_a_name_in_capitals_is_read_apart_from_it(assistant: Assistant) -> None:
    # mentekiGX is 面的 + GX; read as one word it is neither, and what is left (支援, 何をする) suits other help.
    answer = assistant.ask("mentekiGX shien wa nani wo suru no")
    assert "面的GX" in answer.initiatives[0] and answer.contacts[0].phone == "06-6966-6055", answer.answer


def test_a_question_without_a_topic_is_not_routed_alone_but_follows_the_conversation(assistant: Assistant) -> None:
    assert assistant.ask("担当の課と電話番号は？").abstained
    first = assistant.ask("eVTOLの社会実装の取組について教えて")
    follow = assistant.ask("担当の課と電話番号は？", [Turn("user", "eVTOLの社会実装の取組について教えて"),
                                                   Turn("assistant", first.answer)])
    assert follow.contacts[0].division == "製造産業課"


@pytest.fixture(scope="module")
def asking(settings: Settings) -> Assistant:
    """The assistant asking back whenever another office's initiative fits at all (clarify_within 0.01),
    so the clarifying path is tested whatever the tuned threshold picks."""
    return build_assistant(settings.model_copy(update={"clarify_within": 0.01}))


# A field named (バイオ): its initiative, and those of no field, may be meant.
UNIVERSITY = "大学と連携してバイオの研究を進めたい"


def test_two_initiatives_that_fit_equally_become_a_question_with_options(asking: Assistant) -> None:
    assistant = asking
    answer = assistant.ask(UNIVERSITY)
    assert answer.route == RouteReason.clarify and answer.clarify is not None
    options = answer.clarify.options
    assert 2 <= len(options) <= 3
    assert len({o.division for o in options}) == len(options)  # each option is another office
    # contacts follow the options' order, and every number is the directory's
    assert [(c.initiative, c.division) for c in answer.contacts] == [(o.initiative, o.division) for o in options]
    assert all(assistant.directory.is_listed(o.phone) for o in options)
    for n, option in enumerate(options, 1):
        assert f"{n}. 「{option.initiative}」" in answer.answer

    history = [Turn("user", UNIVERSITY), Turn("assistant", answer.answer)]
    for reply, option in (("2", options[1]), ("2番", options[1]), (options[0].initiative, options[0])):
        chosen = assistant.ask(reply, history)
        assert chosen.clarify is None and chosen.initiatives[0] == option.initiative, reply
        assert chosen.contacts[0].division == option.division


def test_a_follow_up_to_a_clarifying_question_speaking_of_one_options_slides_picks_it(asking: Assistant) -> None:
    first = asking.ask(UNIVERSITY)
    assert first.clarify is not None
    options = {o.initiative: o for o in first.clarify.options}
    bio = next(title for title in options if "バイオ" in title)
    # Only the bio slides speak of a steering committee: the reply is answered from them, not asked again.
    answer = asking.ask("ステアリングコミッティって何をするの？",
                        [Turn("user", UNIVERSITY), Turn("assistant", first.answer)])
    assert answer.clarify is None and answer.initiatives[0] == bio, answer.answer
    assert answer.contacts[0].division == options[bio].division


def test_a_clarifying_question_offers_no_initiative_of_a_field_the_user_never_speaks_of(asking: Assistant) -> None:
    # Asked back whenever another office fits at all, a user naming no field is not offered the bio or
    # semiconductor work, nor one seeking foreign buyers for knives the hydrogen project's overseas matching.
    for question in ("大学と連携したい", "We make kitchen knives in Sakai and want to meet foreign buyers "
                                          "coming for the Expo. Is there a matching service we could join?"):
        answer = asking.ask(question)
        offered = [o.initiative for o in answer.clarify.options] if answer.clarify else answer.initiatives[:1]
        assert not any(field in title for title in offered for field in ("バイオ", "半導体", "水素")), answer.answer


def test_an_owner_seeking_foreign_buyers_is_sent_to_the_overseas_business_office(assistant: Assistant) -> None:
    answer = assistant.ask("We're a 40-person machinery maker in Shiga. We'd love to find overseas buyers, especially "
                           "the delegations coming over for the Expo. Is there anything for us?")
    assert answer.clarify is None and answer.contacts[0].phone == "06-6966-6032", answer.answer


def test_the_api_returns_the_clarifying_question(asking: Assistant) -> None:
    from fastapi.testclient import TestClient

    from assistant.api import create_app

    with TestClient(create_app(lambda: asking, asking.settings)) as client:
        body = client.post("/api/chat", json={"message": UNIVERSITY}).json()
    assert body["route"] == "clarify"
    assert [o["phone"] for o in body["clarify"]["options"]] == [c["phone"] for c in body["contacts"]]


def test_the_api_returns_follow_up_suggestions(assistant: Assistant) -> None:
    from fastapi.testclient import TestClient

    from assistant.api import create_app

    with TestClient(create_app(lambda: assistant, assistant.settings)) as client:
        body = client.post("/api/chat", json={"message": "Global Startup EXPO 2025について教えて"}).json()
    assert body["suggestions"] and all(s.endswith("？") for s in body["suggestions"])
    assert all(s in body["answer"] for s in body["suggestions"])


def test_confidence_reads_as_a_chance(assistant: Assistant) -> None:
    sure = assistant.ask("水素利活用促進プロジェクトの担当は？")
    unsure = assistant.ask("今日の大阪の天気は？")
    assert 0.5 < sure.confidence <= 1.0
    assert unsure.abstained and 0.0 <= unsure.confidence < 0.5


def test_a_question_is_read_and_encoded_once(assistant: Assistant) -> None:
    encoder = assistant.index.encoder
    before = encoder.texts_encoded
    assistant.ask("工場の電気代を下げたい")
    # the question as asked and in the document's words: two texts, one call, however many parts use them
    assert encoder.texts_encoded - before <= 2


def test_the_nearest_examples_vote_by_similarity() -> None:
    a, b = Example("q1", "水素"), Example("q2", OUT_OF_SCOPE)
    v = vote([(a, 0.80), (b, 0.70), (a, 0.50)], temperature=0.05)
    assert v.share("水素") > 0.8 and 0 < v.out_of_scope < 0.2 and v.nearest == pytest.approx(0.80)


def test_examples_live_in_their_own_chroma_collection(assistant: Assistant) -> None:
    m = assistant.index.manifest
    assert m["examples"] >= 300 and m["examples_collection"] != m["collection"]
    vdir = assistant.settings.index_dir / m["version"]
    collection = chroma_client(assistant.settings, vdir / "chroma").get_collection(m["examples_collection"])
    assert collection.count() == m["examples"]


@pytest.mark.slow
def test_a_document_without_examples_still_routes_from_its_text(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in CORPUS.iterdir():
        if f.is_file() and not f.name.endswith(".examples.jsonl"):
            shutil.copy(f, corpus / f.name)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    a = build_assistant(settings, build_if_missing=True)
    assert a.index.manifest["examples"] == 0 and not a.index.examples
    answer = a.ask("水素利活用促進プロジェクトについて問い合わせたい")
    assert answer.contacts[0].phone == "06-6966-6055"


def test_every_example_names_an_initiative_and_office_of_its_document(assistant: Assistant) -> None:
    offices = {(t, o.division) for o in assistant.directory.offices for t in o.initiatives}
    for e in assistant.index.examples:
        if e.initiative != OUT_OF_SCOPE:
            assert (e.initiative, e.division) in offices, e
    lines = [json.loads(x) for x in (CORPUS / "000_172e9370bded9419.examples.jsonl").read_text("utf-8").splitlines()]
    assert len(lines) == len(assistant.index.examples)
    assert sum(1 for x in lines if x["initiative"] is None) >= 50


@pytest.mark.parametrize("question", [
    "材料費が30%も上がったのに値上げを断られた、どうすればいい？",
    "Our suppliers raised their prices by 20%. We cannot pass it on to our customers. Who can help?",
])
def test_a_share_the_asker_states_is_not_a_share_asked_for(assistant: Assistant, question: str) -> None:
    # The document states no such share; the question asks whom to call, and that it answers.
    answer = assistant.ask(question)
    assert not answer.abstained and "稼ぐ力" in answer.initiatives[0], answer.answer


def test_a_name_typed_whole_in_kana_is_read_as_the_document_writes_it(assistant: Assistant) -> None:
    # MeCab reads 天下一合説 in pieces; typed in kana it is one name, found as the document writes it.
    answer = assistant.ask("てんかいちごうせつ に出たいんやけど、どこがやってんの？")
    assert "総合力の向上" in answer.initiatives[0] and "天下一合説" in answer.answer, answer.answer


def test_a_long_vowel_left_out_in_romaji_still_finds_the_word(assistant: Assistant) -> None:
    # zeminaru is ぜみなる; the document's ゼミナール has a long vowel romaji seldom marks.
    answer = assistant.ask("DX no zeminaru wa dare ga hiraite imasu ka")
    assert any("DXゼミナール" in c.quote for c in answer.citations), answer.answer


def test_a_long_vowel_typed_twice_in_romaji_finds_the_word(assistant: Assistant) -> None:
    # zeminaaru types ゼミナール's long vowel as a second a: ぜみなある.
    answer = assistant.ask("DX no zeminaaru ni sanka shitai kedo doko ni kikeba ii?")
    assert any("DXゼミナール" in c.quote for c in answer.citations), answer.answer


def test_a_word_typed_in_kana_with_a_suffix_or_a_letter_is_the_documents(assistant: Assistant) -> None:
    # A letter said by its name (G is じー) in a name MeCab reads in pieces: 下請 + G + メン.
    answer = assistant.ask("したうけじーめんってどんな人？")
    assert "稼ぐ力" in answer.initiatives[0] and any("下請Ｇメン" in c.quote for c in answer.citations), answer.answer
    # 労務 + the suffix 費: four kana, heard as one word where 労務 alone is heard already.
    spelled, _ = assistant.conversation.router.reader.readings.spell("ろうむひの指針")
    assert spelled == "労務費の指針"


def test_how_to_asked_in_kana_is_no_document_word(assistant: Assistant) -> None:
    # どうし is 投資 only with rendaku, inside a compound (せつびどうし); どう|し|たら is する going on inflecting.
    # Read as 投資, 「どうしようか」 drew the investment slides into a staffing owner's question.
    answer = assistant.ask("人が足りなくて困ってる、どうしようか")
    assert answer.clarify is None and "人材確保" in answer.initiatives[0], answer.answer
    readings = assistant.conversation.router.reader.readings
    assert readings.spell("海外に売りたいけどどうしたらええ？")[1] == []
    assert readings.spell("こうしたいんやけど")[1] == []  # こう|し|たい is no 講師
    # Nor is a word the asker typed in kana cut short where MeCab misreads the kana as a verb (ぶん|やっ|て).
    assert "分野" in readings.spell("バイオの重点3ぶんやってなに？")[1]
    # A voiced reading after the word it is compounded with is still that word.
    assert readings.spell("じんざいぶそく")[0] == "人材不足"
    assert readings.spell("人でぶそく")[0] == "人で不足"  # 人手 with 手 in kana: the kana go on from the kanji


def test_romaji_without_macrons_finds_words_with_long_vowels(assistant: Assistant) -> None:
    # chuken kigyo is ちゅうけん きぎょう (中堅企業) typed as Hepburn without its long vowels.
    answer = assistant.ask("chuken kigyo no shinki jigyo wo soudan shitai")
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6012", answer.answer


def test_a_foreign_place_spelt_with_another_voicing_mark_is_the_documents(assistant: Assistant) -> None:
    # The slides write ハンブルグ; ハンブルク is as common. A word that is no name keeps its own sound (クリーン is
    # not グリーン).
    answer = assistant.ask("ハンブルクの展示会には誰が行ったの？")
    assert "水素" in answer.initiatives[0] and "ハンブルグ" in answer.answer, answer.answer
    spelled, _ = assistant.conversation.router.reader.readings.spell("クリーンな燃料")
    assert spelled == "クリーンな燃料"


def test_a_name_joined_by_no_typed_in_romaji_words_is_found(assistant: Assistant) -> None:
    # kyousou no mori: 共創の森 typed as three words, two of them too short to spell alone.
    answer = assistant.ask("Kansai kyousou no mori no kousei kikan wo oshiete")
    assert answer.clarify is None and "イノベーションプラットフォーム" in answer.initiatives[0], answer.answer


def test_a_name_whose_first_word_is_a_verb_is_found_typed_in_kana_or_romaji(assistant: Assistant) -> None:
    # 稼ぐ力: the verb 稼ぐ modifies 力, so the name is not nouns alone; typed as sounds it is still the name.
    for question in ("kasegu chikara tte dou iu shien?", "かせぐちからの窓口は？"):
        answer = assistant.ask(question)
        assert "稼ぐ力" in answer.initiatives[0], (question, answer.answer)


@pytest.mark.parametrize("question", ["evtol no suishin kaigi ni haitte iru fuken wa dore desu ka",
                                      "suiso no kaigi ni sanka dekiru?"])
def test_a_document_word_in_romaji_does_not_ask_what_it_only_half_sounds_like(
        assistant: Assistant, question: str) -> None:
    # kaigi is 会議 (a council); without its voicing it would sound like 会期 (a date), which the
    # initiative does not give, and the question would be turned away.
    answer = assistant.ask(question)
    assert not answer.abstained and answer.citations, answer.answer


@pytest.mark.parametrize(("question", "phone"), [
    ("海外の会社がうちの加工技術のことを妙に詳しく聞いてくる。技術が漏れないか心配で", "06-6966-6031"),
    ("取引先から頼まれた図面を海外に送る前に、輸出管理で確認することはある？", "06-6966-6034"),  # its remit
    # Handing over drawings is a leak worry until the asker speaks of exporting or a licence.
    ("海外の取引先に製品の図面を出してくれと頼まれたが、出してよいものか判断がつかない", "06-6966-6031"),
    # The Kobe office serves askers in its area: one who names no place there is not sent to it.
    ("外国の会社から設計図を見せてほしいと頼まれました。見せて問題ないでしょうか", "06-6966-6031"),
])
def test_a_shared_initiative_sends_to_its_general_office_unless_another_is_clearly_meant(
        assistant: Assistant, question: str, phone: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and answer.contacts[0].phone == phone, answer.answer


def test_a_word_naming_a_party_is_not_the_matter_asked_about(assistant: Assistant) -> None:
    # 融資先 is the bank's customer: the question asks about decarbonisation support, not a loan.
    answer = assistant.ask("地方銀行の者です。融資先の町工場の脱炭素を後押ししたいのですが、使える仕組みはありますか")
    assert not answer.abstained and "面的GX" in answer.initiatives[0], answer.answer
    assert assistant.ask("運転資金の融資を受けたいのですが、相談先はどこですか").abstained


def test_selling_to_customers_abroad_in_plain_words_finds_overseas_sales(assistant: Assistant) -> None:
    answer = assistant.ask("京都で漬物を作っています。海外のお客さんにも売ってみたいけど、何から始めたらええか")
    assert not answer.abstained and "海外ビジネス機会" in answer.initiatives[0], answer.answer


def test_an_english_stem_in_the_glossary_matches_the_words_it_begins(assistant: Assistant) -> None:
    # decarboni* reads decarbonising, biomanufactur* biomanufacturing: whole-token matching stays for the rest.
    answer = assistant.ask("Which office at the Kinki bureau handles the biomanufacturing push?")
    assert not answer.abstained and "バイオものづくり" in answer.initiatives[0], answer.answer


def test_a_question_word_with_mo_quantifies_and_asks_nothing(assistant: Assistant) -> None:
    # いつも (always) is not いつ (when): the document states no date for this, and none is asked.
    answer = assistant.ask("うちは下請けで、元請けからの代金の入金がいつも遅れるんです")
    assert not answer.abstained and "稼ぐ力" in answer.initiatives[0], answer.answer


def test_an_asking_word_typed_in_kana_is_heard_before_document_words_take_its_kana(assistant: Assistant) -> None:
    # じむきょく is 事務局 (who runs it), not じむ + 局 after the kana reading of 局 is spelled out.
    answer = assistant.ask("こうどがいこくじんざいのコンソーシアム、じむきょくはどこ")
    assert "関西経済連合会" in answer.answer, answer.answer


def test_an_asking_phrase_typed_in_kana_is_heard_with_its_particles(assistant: Assistant) -> None:
    # どこの国 typed as romaji reads どこのくに: the particle is part of how it sounds.
    answer = assistant.ask("suiso no tenjikai, doko no kuni de yatta no?")
    assert "ドイツ" in answer.citations[0].quote, answer.answer


def test_asking_for_the_themes_in_english_is_answered_with_the_list(assistant: Assistant) -> None:
    answer = assistant.ask("What themes does the Expo startup conference cover?")
    assert "健康と長寿" in answer.answer and "地球との共存" in answer.answer, answer.answer


def test_a_name_in_latin_letters_is_not_heard_as_another_one_letter_apart(assistant: Assistant) -> None:
    # The encoder's nearest examples for this one are the potential map's, whose slides never say eVTOL
    # (as DX is heard like GX): a name typed in Latin letters discounts the vote of an initiative
    # that never uses it.
    answer = assistant.ask("Which division handles the eVTOL initiative, and what's its number?")
    assert answer.contacts[0].phone == "06-6966-6022", answer.answer


def test_nobody_and_nowhere_do_not_ask_who_or_where(assistant: Assistant) -> None:
    # 誰も / どこも quantify (nobody, nowhere); 誰 alone asks who.
    assert not assistant.router.read("誰も跡を継いでくれなくて困っている").asked
    assert [t.name for t in assistant.router.read("関西eVTOL社会実装推進会議の事務局は誰？").asked] == ["who"]


def test_replacing_equipment_with_a_grant_goes_to_the_office_for_using_support_measures(assistant: Assistant) -> None:
    answer = assistant.ask("機械を入れ替えたいんですが、どんな支援がありますか")
    assert answer.contacts[0].phone == "06-6966-6065", answer.answer


def test_a_latin_name_one_title_says_outweighs_a_title_one_letter_apart(assistant: Assistant) -> None:
    # 中小企業のDX支援 sounds to the encoder much like 中小企業の面的GX支援, whose title shares 中小企業 and 支援.
    answer = assistant.ask("中小企業のDXの支援について知りたいです")
    assert answer.contacts[0].phone == "06-6966-6008" and "GX" not in answer.answer.splitlines()[0], answer.answer


def test_going_green_in_english_is_the_gx_project(assistant: Assistant) -> None:
    answer = assistant.ask("Is there help for a small firm going net zero?")
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


@pytest.mark.parametrize(("question", "fact"), [
    ("スタートアップのエキスポの会上はどこ？", "EXPOメッセ"),  # 会上 for 会場
    ("GSEのテーマに長需ってある？", "健康と長寿"),  # 長需 for 長寿
])
def test_a_kanji_slip_that_sounds_like_a_document_word_is_read_as_it(
        assistant: Assistant, question: str, fact: str) -> None:
    answer = assistant.ask(question)
    assert any(fact in c.quote for c in answer.citations), answer.answer


def test_handing_over_drawings_abroad_is_a_worry_of_technology_leakage(assistant: Assistant) -> None:
    answer = assistant.ask("取引先の海外メーカーに図面を渡すのが不安。どこに相談すれば？")
    assert answer.initiatives[0] == "経済安全保障の推進", answer.answer


def test_an_everyday_name_for_evtol_finds_it(assistant: Assistant) -> None:
    answer = assistant.ask("うちの工場で空飛ぶタクシーの部品をやれないかと考えてる。近畿局はこの分野で誰と話し合ってるの？")
    assert answer.contacts[0].phone == "06-6966-6022", answer.answer


@pytest.mark.parametrize(("question", "phone"), [
    ("ものづくり補助金が紹介されてるのはどの取組？", "06-6966-6008"),  # 補助金 alone is also the GX slide's word
    ("関西ものづくり新撰って何の取組で出てくるの？", "06-6966-6032"),
])
def test_a_name_only_one_initiative_writes_routes_to_it(assistant: Assistant, question: str, phone: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and answer.contacts[0].phone == phone, answer.answer


def test_examples_worded_alike_do_not_outvote_the_initiative_the_question_names(assistant: Assistant) -> None:
    # 「…の社会実装について、近畿局は何を」 is worded like the map's examples (万博レガシーの社会実装…), but
    # 空飛ぶクルマ is eVTOL's title: no question back, eVTOL's office first.
    answer = assistant.ask("空飛ぶクルマの社会実装について、近畿局は何をしていますか")
    assert answer.clarify is None and answer.contacts[0].phone == "06-6966-6022", answer.answer


def test_an_n_before_y_in_romaji_is_read_as_the_document_word_it_makes(assistant: Assistant) -> None:
    # bunya is ぶんや (分野), not ぶにゃ: romaji seldom marks the ん before a y, so the word the document has decides.
    answer = assistant.ask("baio monozukuri no juuten bunya wa nani ga aru no?")
    assert "需要喚起・情報発信" in answer.answer, answer.answer


def test_a_word_of_a_name_typed_in_kana_does_not_ask_what_it_asks_with_a_particle(assistant: Assistant) -> None:
    # 分野を asks for the list of fields; ぶんや inside 成長分野ポテンシャルマップ, typed in romaji, asks nothing: the
    # date asked for is what is quoted. (Typed alone, wa is the particle は.)
    answer = assistant.ask("seichou bunya potensharu mappu wa itsu kouhyou sareta?")
    assert "2025/6/19" in answer.answer, answer.answer


def test_where_within_a_named_place_asks_for_the_place(assistant: Assistant) -> None:
    # ドイツのどこ: where in Germany, answered by the line naming the city.
    answer = assistant.ask("水素の展示会で、ドイツのどこに行ったの？")
    assert "ハンブルグ" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize(("question", "office"), [
    ("若手がすぐ辞めてしまう。定着してもらうための人事の仕組みを一緒に考えてくれるところは？", "地域経済課"),
    ("社内のIT化を進めたいので、社員のデジタルスキルを上げたい", "次世代産業・情報政策課"),
])
def test_help_meant_for_foreign_staff_does_not_compete_for_an_asker_who_never_speaks_of_them(
        assistant: Assistant, question: str, office: str) -> None:
    # One foreign-talent sentence says 定着 or デジタル化; the asker's staff are not said to be from abroad.
    answer = assistant.ask(question)
    assert answer.route == RouteReason.retrieval and answer.contacts[0].division == office


@pytest.mark.parametrize("question", ["ベトナム出身のエンジニアを正社員で雇いたいけど、定着してくれるか不安",
                                      "We want to hire international graduates and keep them for the long term",
                                      "高度害国人材のコンソーシアムの事務局は？",
                                      # staff alone is any hiring; foreign staff are those from abroad
                                      "Small maker here with zero experience of foreign staff. Is there support for novices?"])
def test_an_asker_who_speaks_of_staff_from_abroad_is_still_sent_to_the_foreign_talent_office(
        assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.route == RouteReason.retrieval and answer.contacts[0].division == "国際事業課", answer.answer


def test_a_japanese_follow_up_to_an_english_question_about_foreign_staff_stays_with_them(assistant: Assistant) -> None:
    history: list[Turn] = []
    for message in ("We are thinking of taking on foreign employees for the first time. Is there any help?",
                    "具体的には何をしてくれるの？"):
        answer = assistant.ask(message, history)
        history += [Turn("user", message), Turn("assistant", answer.answer)]
    assert answer.contacts[0].division == "国際事業課", answer.answer


@pytest.mark.parametrize("question", ["eVOTLの担当の課はどこ？", "What is the bureau doing about eVTLO?"])
def test_a_name_in_latin_letters_typed_with_a_slip_is_read_as_the_documents(assistant: Assistant, question: str) -> None:
    assert assistant.ask(question).contacts[0].division == "製造産業課"


def test_an_english_word_one_letter_from_a_name_is_not_read_as_it(assistant: Assistant) -> None:
    # "Asian" is one letter from ASEAN, but written as a word, not as a name.
    assert "asean" not in assistant.router.read("We want to reach Asian buyers").normalized


@pytest.mark.parametrize("question", ["JETROの大阪本部も共創の森に入ってる？", "JETRO大阪本部は関西・共創の森の支援機関？"])
def test_an_outside_body_the_slides_name_asked_about_as_a_member_is_not_taken_for_its_own_contact_details(
        assistant: Assistant, question: str) -> None:
    # The slides write （JETRO）大阪本部: asked as a member of the platform, it is answered from them.
    answer = assistant.ask(question)
    assert not answer.abstained and answer.contacts[0].division == "地域連携推進課", answer.answer


def test_an_outside_bodys_own_number_is_still_not_given(assistant: Assistant) -> None:
    assert assistant.ask("JETROの大阪本部の電話番号は？").abstained


@pytest.mark.parametrize("question", ["パートさんがすぐ辞めてまう。長く働いてもらう仕組みづくりを相談したい",
                                      "若い子が入ってもすぐ辞めていく。どうしたらええ？"])
def test_staff_leaving_told_in_plain_words_is_a_hiring_and_retention_question(assistant: Assistant, question: str) -> None:
    assert assistant.ask(question).contacts[0].division == "地域経済課"


@pytest.mark.parametrize("question", [
    "ガス代も人件費も上がってるのに、発注元が単価を据え置いたまま。困ってます",
    "燃料費も上がったのに、納入先がうちの値上げ要請を聞いてくれない",
])
def test_what_is_wrong_outweighs_why_in_a_concessive_story(assistant: Assistant, question: str) -> None:
    # …上がってるのに: the costs are why the asker is troubled; a customer refusing the price is what is wrong.
    answer = assistant.ask(question)
    assert answer.clarify is None and "稼ぐ力" in answer.initiatives[0], answer.answer



@pytest.mark.parametrize("question", ["DAYSの越境版では、地域外の大企業と何社の連携を目指してる？",
                                      "越境型のDAYSで、近畿の外の大手とは何社と組むのが目標？"])
def test_a_name_in_latin_capitals_one_initiatives_slides_write_pins_it(assistant: Assistant, question: str) -> None:
    # DAYS is written on the innovation platform's slides only: the question is about it, not about an initiative
    # whose words (大企業, 連携, 海外) it shares.
    answer = assistant.ask(question)
    assert not answer.abstained and "イノベーションプラットフォーム" in answer.initiatives[0], answer.answer
    assert answer.contacts[0].phone == "06-6966-6013", answer.answer


def test_an_english_question_typing_a_name_in_capitals_as_the_slides_do_is_about_it(assistant: Assistant) -> None:
    # DAYS typed in capitals names the innovation platform's events, in English too, over the words the question
    # shares with others (big companies, partner); 'days', lower case, is a word and names nothing.
    answer = assistant.ask("Under the cross-regional DAYS scheme, how many large firms headquartered beyond Kinki "
                           "is the bureau aiming to work with?")
    assert "イノベーションプラットフォーム" in answer.initiatives[0], answer.answer
    assert answer.contacts[0].phone == "06-6966-6013", answer.answer
    days = assistant.ask("How many days does the Global Startup EXPO last?")
    assert "Global Startup EXPO" in days.initiatives[0], days.answer


def test_hiring_a_person_of_an_asian_country_is_foreign_talent_not_trade_with_asia(assistant: Assistant) -> None:
    # ベトナム alone is the Asia business plan; ベトナム人 hired is a foreign employee.
    hire = assistant.ask("フィリピン人のスタッフを雇いたいんですが、相談できるところは？")
    assert hire.initiatives[:1] == ["高度外国人材の関西への就労及び定着の促進"], hire.answer
    trade = assistant.ask("フィリピンの会社と取引を始めたい。後押ししてくれる取組はある？")
    assert trade.initiatives[:1] == ["関西・アジアビジネス共創推進プランの促進"], trade.answer


@pytest.mark.parametrize("question", ["On what date does the Osaka-Kansai Expo finish?",
                                      "Until when is the World Expo in Osaka open?"])
def test_the_expos_own_dates_asked_in_english_are_the_maps_line_stating_them(assistant: Assistant,
                                                                             question: str) -> None:
    # "Expo" typed as a word is 万博, not the Global Startup EXPO's title word; asked its dates, the answer is
    # the line that names 万博 and states them (大阪・関西万博（開催期間：令和7年4月13日～10月13日）).
    answer = assistant.ask(question)
    assert answer.contacts[0].phone == "06-6966-6001", answer.answer
    assert "10月13日" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["When is the Global Startup Expo held?", "When is the GLOBAL STARTUP EXPO?"])
def test_the_startup_expo_asked_by_its_name_keeps_its_own_dates(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.contacts[0].phone == "06-6966-6014" and "9月17日" in answer.citations[0].quote, answer.answer


def test_a_plan_asked_of_what_was_said_names_no_thing_of_its_own(assistant: Assistant) -> None:
    # 予定 points at a plan without naming one: 「それはいつまでの予定？」 is read with the topic (the forest's term,
    # 2026年3月まで), not sent, for a line writing 予定 beside a date, to another initiative.
    for topic, then in (("共創の森にはどこの機関が入ってるの？", "それっていつまでの予定なの？"),
                        ("関西・共創の森について教えて", "それ、いつまでやる予定ですか？")):
        answer = ask_chain(assistant, topic, then)
        assert not answer.abstained and any("2026年3月" in c.quote for c in answer.citations), answer.answer
