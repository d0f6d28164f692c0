"""Follow-ups as people type them: pronouns, ellipsis, a new subject, a changed topic, and the kind of
fact asked (each a rule of assistant/chat.py or assistant/quotes.py, written from questions of our own)."""

import pytest

from assistant.service import Assistant
from tests.conftest import ask_chain as _chain


def test_a_follow_up_the_topics_slides_speak_of_stays_on_the_topic(assistant: Assistant) -> None:
    # Another initiative has コンソーシアム in its title; the foreign-talent slides have their own.
    answer = _chain(assistant, "高度外国人材の支援について知りたい", "コンソーシアムはいつできた？")
    assert "高度外国人材" in answer.initiatives[0] and "令和4年2月" in answer.answer


@pytest.mark.parametrize("then", ["海外向けには何をしていますか", "海外向けの取組は？"])
def test_a_follow_up_saying_whom_something_is_for_stays_on_the_topic(assistant: Assistant, then: str) -> None:
    # 海外向け: 向け says who it is for and names nothing; 海外 is in the hydrogen slides (links abroad), so
    # the overseas-business initiative, whose title says 海外, is not a new topic.
    answer = _chain(assistant, "水素の取組について教えて", then)
    assert answer.initiatives[0] == "水素利活用促進プロジェクト", answer.answer
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


def test_a_follow_up_the_topic_cannot_answer_says_so_instead_of_wandering(assistant: Assistant) -> None:
    answer = _chain(assistant, "eVTOLの取組を知りたい", "それはいつから始まる予定？")
    assert answer.abstained and not answer.contacts


def test_a_follow_up_asking_what_the_topics_slides_never_state_is_told_so(assistant: Assistant) -> None:
    # The DX slides name 省力化補助金 among their measures but give no deadline for it: "its deadline" is
    # not on them, and no office is offered as if it had said one.
    answer = _chain(assistant, "省力化補助金について", "それの締切は？")
    assert answer.abstained and not answer.contacts, answer.answer


def test_naming_another_initiative_that_fits_far_better_is_a_new_topic(assistant: Assistant) -> None:
    # The hydrogen slides say GX and 中小企業 too, but the message names the GX support project.
    for first, then in (("水素の担当はどこ？", "じゃあ中小企業のGX支援プロジェクトは？"),
                        ("Who handles hydrogen at the Kinki bureau?", "And the GX support project for SMEs?")):
        answer = _chain(assistant, first, then)
        assert answer.initiatives[0] == "中堅・中小企業の面的GX支援プロジェクト", answer.answer


@pytest.mark.parametrize("then", ["And what about the circular economy?", "How about the circular economy, then?",
                                  # "that" points at the initiative it names, not back at the topic
                                  "What about circular economy - who handles that?"])
def test_naming_another_initiative_in_english_is_a_new_topic(assistant: Assistant, then: str) -> None:
    # The English name's glosses (循環, 資源) are not in the CE title, so it covers less of it than
    # サーキュラーエコノミー would.
    for first in ("Tell me about the Kansai hydrogen project.", "Who runs the eVTOL work?"):
        assert _chain(assistant, first, then).contacts[0].phone == "06-6966-6018"


def test_one_thing_picked_out_of_the_topics_list_is_asked_about_itself(assistant: Assistant) -> None:
    # The map lists 水素 among its fields; picked out of it, hydrogen is an initiative with an office of its own.
    answer = _chain(assistant, "ポテンシャルマップに載ってる分野を教えて", "その中の水素については局で何か取り組んでる？")
    assert answer.contacts[0].phone == "06-6966-6055" and "水素" in answer.initiatives[0], answer.answer


@pytest.mark.parametrize(("first", "then", "phone"), [
    ("ポテンシャルマップはいつ公表された？", "話変わるけど、バイオものづくりの担当は？", "06-6966-6163"),
    ("What are the Asia plan's four basic stances?", "On a different subject: who runs the hydrogen project?",
     "06-6966-6055"),
    ("アジア共創プランの対象の国は？", "別の質問なんですが、水素の窓口は？", "06-6966-6055"),
])
def test_a_changed_topic_is_a_new_topic(assistant: Assistant, first: str, then: str, phone: str) -> None:
    answer = _chain(assistant, first, then)
    assert answer.contacts[0].phone == phone, answer.answer


@pytest.mark.parametrize(("first", "then", "phone"), [
    ("When is the startup conference at the Expo?", "Switching topics: is there anything on the circular economy?",
     "06-6966-6018"),
    ("外国人材の定着支援について教えて", "話題を変えますが、電気代の削減に使える支援はある？", "06-6966-6055"),
])
def test_saying_the_topic_changes_is_not_read_as_the_subject(assistant: Assistant, first: str, then: str,
                                                            phone: str) -> None:
    # "topics" is not テーマ and 話題 names nothing: read alone the rest still fits two initiatives and asks
    # which; it never falls back on the topic being left.
    answer = _chain(assistant, first, then)
    assert answer.contacts[0].phone == phone, answer.answer


@pytest.mark.parametrize(("follow_up", "phone"), [
    ("同じ施策で価格転嫁の話ならどこ？", "06-6966-6037"),  # a new subject: its own office
    ("そこは何を担当してるの？", "06-6966-6023"),  # pointing back: the office looked up
])
def test_after_a_number_look_up(assistant: Assistant, follow_up: str, phone: str) -> None:
    assert _chain(assistant, "06-6966-6023は何課？", follow_up).contacts[0].phone == phone


@pytest.mark.parametrize("follow_up", ["そこ、どの取り組みを受け持ってる？", "そこはどの取組の担当？"])
def test_asking_which_initiatives_a_looked_up_office_handles_lists_them_all(
        assistant: Assistant, follow_up: str) -> None:
    # どの and 取組 name no initiative: the office looked up by its number is asked about, and it has three.
    answer = _chain(assistant, "06-6966-6008は何課？", follow_up)
    assert all(t in answer.answer for t in ("DX推進", "蓄電池", "半導体")), answer.answer


def test_pointing_back_at_a_looked_up_office_with_a_subject_asks_about_its_work(assistant: Assistant) -> None:
    # 「そこがやってるイベントは？」 asks what the office does, not for the number again; it stays the office to call.
    answer = _chain(assistant, "06-6966-6014って何の番号？", "そこがやってるイベントは？")
    assert not answer.answer.startswith("06-6966-6014 は"), answer.answer
    assert "Global Startup EXPO" in answer.answer and answer.contacts[0].phone == "06-6966-6014"


@pytest.mark.parametrize(("question", "fact"), [
    ("水素の展示会はどこの国で開かれましたか？", "ドイツ"),  # a rarely named place, from a run of captions
    ("ＧＬＯＢＡＬ　ＳＴＡＲＴＵＰ　ＥＸＰＯ　２０２５　の　日程　は？？", "9月17日"),  # ？？ ends the sentence
    ("Global Startup EXPO 2025 no kaisaibi wa itsu?", "9月17日"),  # romaji among English names
    ("近畿のアジア向け輸出の割合って何パーセント？", "62.29%"),  # a chart's labelled figure
    ("Kansai Companies Profile 掲載社数", "110社"),  # a count asked in any words
    ("関西・共創の森ってどこが参加してるの？", "９支援機関"),  # read with its slide's title
    ("バッテリーのコンソーシアム、今年度の柱は？", "実施校拡大"),  # a numbered list under the line announcing it
    ("成長分野ポテンシャルマップって、半導体の分野も含まれてる？", "次世代太陽電池"),  # the list, items too short alone
    ("How much of the battery industry is concentrated in Kansai?", "約4割"),  # "how much" of: a share, not a fee
    ("In which city was the European hydrogen expo held?", "ハンブルグ"),
    ("GSEって何語でやるの？通訳はつく？", "英語"),  # two questions in one message: the first asks too
    ("GSEのテーマは何個ある？", "地球との共存"),  # how many: the numbered list is the answer
    ("Global Startup EXPOのテーマには何がありますか", "健康と長寿"),  # what is there: the list again
    ("水素発電実証 のプロジ ェクト候補地 はどこ ですか", "播磨臨海部"),  # spaces typed inside Japanese words
    ("Global Startup EXPO 2025はなにごで行われますか", "英語"),  # kana cut by MeCab across the asking word
])
def test_the_fact_asked_is_quoted(assistant: Assistant, question: str, fact: str) -> None:
    answer = assistant.ask(question)
    assert fact in answer.answer, answer.answer


def test_a_situation_is_answered_first_with_the_help_that_exists(assistant: Assistant) -> None:
    # The council that trains designers, not the slide's case for why such talent matters.
    answer = assistant.ask("半導体の回路を設計できる若手を育てたい。どこか頼れる所ある？")
    assert "協議会" in answer.citations[0].quote, answer.answer


def test_the_measure_that_fits_the_asker_is_quoted_not_the_initiatives_target(assistant: Assistant) -> None:
    # What sets this asker apart from how people usually ask about DX (a small firm's virus and
    # intrusion worries) brings the tools for small firms, not the 300-company target.
    answer = assistant.ask("社員20人の会社です。先日、社員が怪しいメールを開いてしまって取引先の情報が漏れかけました。"
                           "小さい会社でもできるウイルスや不正アクセスの対策を相談したい")
    assert any("お助け隊" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["関西・共創の森とは", "関西・共創の森とは何でしょうか",
                                      "関西・共創の森ってどういう組織？"])  # asking what kind of body it is
def test_what_something_is_is_answered_from_the_slide_about_it(assistant: Assistant, question: str) -> None:
    # The initiative's slide names 「関西・共創の森」 in every other line; the reference slide says what it is.
    answer = assistant.ask(question)
    assert "支援する組織" in answer.citations[0].quote and "2020年7月" in answer.answer, answer.answer


def test_a_follow_up_with_a_question_word_asks_its_own_question(assistant: Assistant) -> None:
    # 「どういう形」 asks how it is done this year, not again how many times it was held.
    answer = _chain(assistant, "関西・共創の森のDAYSは何回開催された？", "今年度はどういう形でやるの？")
    assert "越境型" in answer.answer, answer.answer


@pytest.mark.parametrize(("topic", "follow_up", "fact"), [
    ("GSE 日程", "主催者は", "JETRO"),
    ("BiocK 設立 いつ", "事務局は", "都市活力研究所"),
    ("電池の人材のコンソーシアムについて", "これまでに何をしてきたの？", "令和6年度までに"),  # what was done
    ("Rethink Designについて", "先進事例の数は？", "32プロジェクト"),  # a count of projects
    ("人手が足りなくて困っている", "関西全体でどれくらい人が足りなくなるの？", "80万人"),  # どれくらい: a figure
    ("人手不足の見通しを知りたい", "いつ時点の予測なの？", "2030年"),  # 時点 names no topic of its own
    ("GSEについて", "いつ頃やるん？", "9月17日"),  # いつ頃 is one word to MeCab
    ("成長分野のマップについて", "どんな分野が載ってるの？", "空モビリティ"),  # the list announced under ＜…＞
    ("GSEについて教えて", "日本語でも参加できるん？", "英語"),  # naming a language asks which one
    ("成長分野のポテンシャルマップについて", "万博の会期は？", "10月13日"),  # 会期: the dates it runs
    ("電池の人材育成のコンソーシアム", "今年度は何に力入れるの？", "実施校拡大"),  # what it focuses on: its pillars
    ("バッテリー人材のコンソーシアムを知りたい", "今年は何をやるんですか？", "実施校拡大"),  # this year's plan: its pillars
])
def test_a_follow_up_asks_its_own_kind_of_fact(assistant: Assistant, topic: str, follow_up: str, fact: str) -> None:
    # The topic is context, not asked again (typed without a question mark, its date is not the answer);
    # the follow-up's kind of fact is quoted among the first.
    answer = _chain(assistant, topic, follow_up)
    assert any(fact in c.quote for c in answer.citations[:2]), answer.answer


def test_a_shared_initiative_is_quoted_from_the_part_of_the_office_it_routes_to(assistant: Assistant) -> None:
    # Late payment is 取引適正化推進室's part of 「稼ぐ力」: its enforcement, not another office's よろず支援拠点.
    answer = assistant.ask("元請けからの支払いがいつも期日より遅れる。こういうのは取り締まってもらえないの？")
    assert answer.contacts[0].division == "取引適正化推進室", answer.answer
    assert not any("よろず" in c.quote for c in answer.citations), answer.answer


def test_a_help_word_used_for_something_else_names_no_help(assistant: Assistant) -> None:
    glossary = assistant.router.reader.glossary
    assert glossary.help_kinds("関西を拠点に最先端のバイオエコノミー社会実現を目指す「BiocK」が内閣府に認定されている。") == 0
    assert glossary.help_kinds("よろず支援拠点／事業承継・引継支援センター／中小企業活性化協議会の活用促進") == 3


def test_a_short_label_is_not_glued_onto_the_next_one(assistant: Assistant) -> None:
    # 企業 closes the label above; 「これから外国人雇用に取」 starts a new one, though it starts in kana.
    answer = assistant.ask("留学生を初めて正社員で採用したい。相談先は？")
    assert not any(c.quote.startswith("企業これから") for c in answer.citations), answer.answer


def test_the_numbered_measure_that_fits_is_quoted(assistant: Assistant) -> None:
    # A slide's numbered items are its measures: the law enforcement item names the freelance act.
    answer = assistant.ask("フリーランスのイラストレーターです。取引先が約束の報酬を払ってくれません")
    assert any("フリーランス・事業者間取引適正化等法" in c.quote for c in answer.citations), answer.answer


def test_a_sentence_leaning_on_the_one_before_is_not_quoted_for_a_situation(assistant: Assistant) -> None:
    # 「同イベントでは…」 does not say which event; the sentence naming the lounge does.
    answer = assistant.ask("燃料電池向けの部品を作りたい。水素関係の会社とつながれる催しはある？")
    assert "関西水素産業交流ラウンジ" in answer.citations[0].quote, answer.answer
    assert not any(c.quote.startswith("同") or "◆" in c.quote for c in answer.citations), answer.answer


def test_a_situation_is_answered_with_measures_not_labels(assistant: Assistant) -> None:
    answer = assistant.ask("うちは社員10人の会社やけど、サイバー攻撃の備えがなんもないねん。どないしたらええ？")
    quotes = [c.quote for c in answer.citations]
    assert any("経営者・従業員がサイバー攻撃の危険性を正しく理解し" in q for q in quotes), quotes
    assert any(w in q for q in quotes for w in ("お助け隊", "ネットワーク活動", "ワークショップ")), quotes
    assert not any("デジタル化サイバー" in q or q == "サイバーセキュリティ 変革のきっかけ" for q in quotes), quotes


def test_no_quote_repeats_another(assistant: Assistant) -> None:
    # A caption is quoted with the label under it; the label alone is not quoted beside it again.
    answer = assistant.ask("水素の発電の実証、候補地はどこ？")
    quotes = [c.quote for c in answer.citations]
    assert "播磨臨海部" in answer.answer
    assert not any(a != b and a in b for a in quotes for b in quotes), quotes


def test_a_request_for_something_to_read_quotes_the_documents_links(assistant: Assistant) -> None:
    answer = _chain(assistant, "海外に技術が漏れないか心配。相談先は？", "何か参考になる資料はある？")
    assert "ガイダンス" in answer.citations[0].quote, answer.answer


def test_late_payment_is_answered_with_the_law_enforced_not_the_price_month(assistant: Assistant) -> None:
    answer = assistant.ask("納品してから半年たっても元請けが代金を払ってくれへん。どこに言うたらええ？")
    assert "下請代金法" in answer.citations[0].quote, answer.answer
    assert answer.contacts[0].phone == "06-6966-6037", answer.answer


def test_a_definition_is_not_the_help_quoted(assistant: Assistant) -> None:
    # 「バイオものづくりとは、…」 explains a word (glossary background_words); it offers the owner nothing.
    quotes = [c.quote for c in assistant.ask("発酵の技術を持つ小さい会社です。バイオで何か新しいことを始めたい").citations]
    assert not any("とは、" in q for q in quotes), quotes


def test_a_slide_of_support_measures_is_quoted_for_its_measures(assistant: Assistant) -> None:
    # （参考）各要素の具体的支援策 lists the measures: a small firm afraid of an attack is shown one, not the
    # DX target (300社) read in the document's words for going digital.
    answer = assistant.ask("知り合いの会社がサイバー攻撃で止まった。社員10人のうちでも何かしておくべき？")
    quotes = [c.quote for c in answer.citations]
    assert any(w in q for q in quotes for w in ("お助け隊", "ネットワーク活動", "ワークショップ")), quotes
    assert not any("300社" in q for q in quotes), quotes


def test_support_for_a_kind_of_actor_is_not_an_eligibility_question(assistant: Assistant) -> None:
    # 「金融機関向けの取組」 asks what exists for banks, not who is eligible; and 「…に向けた」 (towards) in a
    # sentence is not an answer about whom a measure is for.
    answer = assistant.ask("地域の信用組合で働いています。取引先の脱炭素を応援したいので、金融機関向けの取組を知りたい")
    assert answer.citations[0].quote.startswith("金融機関アプローチ 金融機関によるGX支援"), answer.answer


def test_a_measure_addressed_to_municipalities_is_not_offered_to_a_factory(assistant: Assistant) -> None:
    # 「個々の自治体のニーズ…伴走支援」 is the GX approach for municipalities (glossary actors).
    factory = assistant.ask("金属加工の工場です。脱炭素に取り組みたいが何から始めればいいか")
    assert not any("個々の自治体のニーズ" in c.quote for c in factory.citations), factory.answer
    town = assistant.ask("町役場の職員です。町内の工場の脱炭素を後押ししたい")
    assert any("個々の自治体のニーズ" in c.quote for c in town.citations), town.answer


def test_an_aside_on_the_next_line_is_read_with_the_phrase_it_interrupts(assistant: Assistant) -> None:
    # 「…万博特設マッチングサイト」 / 「（SMRJ＆METI-KANSAI MATCHING CORNER）の運用を通じた…」 is one phrase.
    answer = assistant.ask("海外のバイヤーと商談できるサイトって、どのサービスと組んでるの？")
    quote = answer.citations[0].quote
    assert "J-GoodTech" in quote and "MATCHING CORNER）の運用" in quote, answer.answer


@pytest.mark.parametrize(("topic", "drift"), [
    ("半導体の人材育成の取組について", "ついでに熊本の半導体工場の求人も教えて"),  # another prefecture
    ("工場の省エネの相談先は？", "その診断ってなんぼかかるん？"),  # a fee, in Kansai words
    ("中堅企業の新規事業を支援してくれる部署は？", "中堅企業向けの税制優遇って使える？"),  # tax: not this bureau's
    ("What does the hydrogen project aim for?", "How much subsidy can I get for a fuel cell truck?"),  # an amount
    ("GSEはいつ開催？", "ゲストで誰が話すのかもう分かってる？"),  # people the slides do not name
    ("DX支援について教えて", "Would they pay for our new accounting software?"),  # money asked in plain words
    ("面的GX支援の無料講師派遣って使える？", "それの応募締切っていつ？"),  # 締切って, which MeCab reads as a verb
    ("サーキュラーエコノミーの取組って何してる？", "リサイクルのおすすめの業者を紹介してほしい"),  # a firm to hire
    ("Who runs the Kansai hydrogen lounge?", "Could you recommend a reliable hydrogen equipment supplier?"),
    ("水素の取組について教えて", "燃料電池車の補助率も分かる？何分の何くらい？"),  # asked before a sentence asking nothing
    ("DX支援について教えて", "IT導入補助金の補助率ってどのくらい？"),  # MeCab reads 率って as 率っ + て
    ("What does the hydrogen project aim for?", "What's the subsidy rate for a fuel cell forklift?"),
    ("eVTOLの取組を知りたい", "ドローンの免許ってどこで取れる？"),  # a licence: another authority's
    # A body the slides say is to be set up (設立予定), never when.
    ("蓄電池の人材育成のコンソーシアムって何してるの？", "業界の全国団体ができるらしいけど、いつ発足する予定？"),
    ("Tell me about the battery talent consortium.", "When will the national industry body be set up?"),
])
def test_a_follow_up_drifting_out_of_the_document_is_turned_away(assistant: Assistant, topic: str, drift: str) -> None:
    answer = _chain(assistant, topic, drift)
    assert answer.abstained and not answer.contacts, answer.answer


@pytest.mark.parametrize("then", ["その番号は？", "電話番号は？"])
def test_asking_the_number_after_an_outside_body_is_named_gives_the_topics_office(assistant: Assistant,
                                                                                   then: str) -> None:
    # The outside body is in the topic's message, the number in the follow-up's: read together they look like
    # asking for よろず支援拠点's own number, which neither message asks.
    answer = _chain(assistant, "よろず支援拠点も関係ありますか", then)
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6065", answer.answer
    # Asked in one message, it is the outside body's number, which the document does not give.
    own = assistant.ask("よろず支援拠点の電話番号は？")
    assert own.abstained and not own.contacts, own.answer


def test_a_measure_addressed_to_the_askers_own_kind_is_shown(assistant: Assistant) -> None:
    # A supplier pressed by a large customer is in a supply chain: the supply-chain approach is for them.
    supplier = assistant.ask("大手の取引先からCO2を減らせと言われている部品工場です。何から始めたらいい？")
    assert any("サプライチェーン全体のGX" in c.quote for c in supplier.citations), supplier.answer
    # A bank the asker only mentions does not make them a bank.
    customer = assistant.ask("取引先の銀行から脱炭素の取組を聞かれたが、うちの工場は何をすればいいのか")
    assert not customer.citations[0].quote.startswith("金融機関によるGX"), customer.answer
    # A firm that has never hired from abroad is the target tier the foreign-talent slide calls ビギナー; asking what
    # help exists, it may first be shown the consortium's support for every phase of foreign hiring. Either is
    # help for a beginner; the aims of the initiative are not.
    for question in ("初めて外国人を採用しようと思っている小さな町工場です。何か支援はありますか",
                     "We have never hired anyone from abroad. Is there help for a company like us that wants to start?",
                     "外国人採用したことないねん。うちみたいなとこ向けの支援ある？"):  # said without its particles
        beginner = assistant.ask(question)
        assert any("ビギナー" in c.quote or "各フェーズにおける課題に対し包括的な支援" in c.quote
                   for c in beginner.citations), beginner.answer
        assert not beginner.citations[0].quote.startswith("高度外国人材の関西への就労及び定着促進を目的"), beginner.answer


def test_an_english_follow_up_is_as_long_as_it_needs_to_be(assistant: Assistant) -> None:
    # English spells a follow-up in twice the characters of Japanese; "they" are still the topic.
    answer = _chain(assistant, "Does the Kinki bureau support hydrogen projects?",
                    "Which overseas exhibition did they take part in last year?")
    assert answer.initiatives[0] == "水素利活用促進プロジェクト" and "06-6966-6055" in answer.answer, answer.answer


def test_pointing_back_settles_which_of_two_fitting_initiatives_is_meant(assistant: Assistant) -> None:
    # "showcase projects" fits the bio slides as well, but "they" are the ones just talked about: no
    # clarifying question.
    answer = _chain(assistant, "Tell me about the bureau's circular economy work.",
                    "How many showcase projects have they presented until now?")
    assert answer.clarify is None and answer.initiatives[0] == "サーキュラーエコノミーの実現に向けた取組", answer.answer


def test_how_many_of_anything_is_a_count_not_only_of_organisations(assistant: Assistant) -> None:
    answer = _chain(assistant, "Global Startup EXPOのテーマっていくつ？")
    assert not answer.abstained and "健康と長寿" in answer.answer, answer.answer


def test_whom_to_consult_asks_for_the_office_not_who_runs_it(assistant: Assistant) -> None:
    # 「誰に相談」 asks whom to call: the help on offer is the answer, not the consortium's member list.
    answer = _chain(assistant, "外国人の社員がすぐ辞めてしまう。誰に相談したらいいですか")
    assert "06-6966-6032" in answer.answer and "構成機関" not in answer.answer, answer.answer


def test_handing_the_company_to_a_child_is_succession(assistant: Assistant) -> None:
    # The first thing read is the succession centre, not the subcontracting inspectors beside it.
    answer = _chain(assistant, "娘に家業を継いでほしいと思っている")
    assert "事業承継" in answer.citations[0].quote and "06-6966-6065" in answer.answer, answer.answer


def test_the_things_a_count_heads_are_quoted_as_a_list(assistant: Assistant) -> None:
    # 「重点３分野」 is a diagram label with the three areas as labels under it: asked what the three are,
    # the label is quoted with them.
    answer = _chain(assistant, "バイオものづくりの重点分野は3つあるそうですが、それぞれどういうものですか")
    assert "需要喚起・情報発信" in answer.answer and "オープンイノベーション・マッチング" in answer.answer, answer.answer


def test_asking_for_the_themes_asks_for_the_list(assistant: Assistant) -> None:
    answer = _chain(assistant, "スタートアップの国際イベント、テーマは？")
    assert "健康と長寿" in answer.answer, answer.answer


@pytest.mark.parametrize("then", ["勉強会もあるんですか？", "セミナーもやってますか？"])
def test_asking_whether_there_are_seminars_too_lists_them(assistant: Assistant, then: str) -> None:
    # 「セミナーもある？」 after a topic: the seminars it lists, not the topic's aims again.
    answer = _chain(assistant, "人材の確保に困ってる中小企業への支援ってどんなの？", then)
    assert any("(2)" in c.quote and "セミナー" in c.quote for c in answer.citations[:2]), answer.answer


@pytest.mark.parametrize("question", ["Our biggest client keeps delaying payments to us. Who can help?",
                                      "Our customer pays us months late."])
def test_late_payment_told_in_english_goes_to_the_fair_trade_office(assistant: Assistant, question: str) -> None:
    answer = _chain(assistant, question)
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6037", answer.answer


def test_late_payment_told_in_a_roundabout_way_is_answered_with_the_law(assistant: Assistant) -> None:
    # 支払い|が|いつも: kana after a kanji is its ending and a particle, not a word typed in kana (いがい is
    # not 以外); 遅* meets 遅れる.
    answer = _chain(assistant, "元請けの支払いがいつも期日より遅れて困っている")
    assert "下請代金法" in answer.citations[0].quote and "06-6966-6037" in answer.answer, answer.answer


@pytest.mark.parametrize(("message", "not_read", "kept"), [
    ("支払いがいつも遅れる", "以外", "支払い"),
    ("部品の仕事やれへんかな", "変化", "部品"),  # へん is the dialect's negative, not 変化 typed in kana
])
def test_kana_after_a_kanji_is_not_read_as_a_word_of_the_document(
        assistant: Assistant, message: str, not_read: str, kept: str) -> None:
    question = assistant.router.read(message)
    assert not_read not in question.search_text and kept in question.terms


def test_a_business_advisor_is_shown_the_measure_for_advisors(assistant: Assistant) -> None:
    answer = _chain(assistant, "商工会で経営指導員をしています。会員の中小企業の人材確保をもっと手伝えるようになりたい")
    assert "経営支援機関の職員を対象" in answer.citations[0].quote, answer.answer


def test_where_a_candidate_site_is_is_answered_with_the_site(assistant: Assistant) -> None:
    answer = _chain(assistant, "水素で発電する実証、候補地ってどこなん？")
    assert "播磨臨海部" in answer.citations[0].quote, answer.answer
    answer = _chain(assistant, "水素で発電する実証、候補地ってどこなん？", "アンモニアのほうは？")
    assert "堺・泉北コンビナート" in answer.answer, answer.answer


def test_a_short_place_name_a_follow_up_brings_picks_the_line_naming_it(assistant: Assistant) -> None:
    # 播磨 has two characters, as the pieces of a phrase often do, but the slides name it as a place.
    answer = _chain(assistant, "アンモニアのサプライチェーンの話を聞きたい", "播磨ではどんなプロジェクト？")
    assert "播磨臨海部" in answer.citations[0].quote, answer.answer


def test_a_large_scale_thing_is_not_a_question_of_size(assistant: Assistant) -> None:
    asked = {t.name for t in assistant.router.read("大規模な水素インフラ、どこが候補になってる？").asked}
    assert "size" not in asked and "where" in asked


def test_a_situation_is_quoted_only_from_the_initiative_that_answers_it(assistant: Assistant) -> None:
    # A further initiative is offered by its office; a quote from it would read as part of the answer.
    answer = _chain(assistant, "社員が高齢化していて、人材の確保と育成をどうするか悩んでいる")
    assert len(answer.initiatives) > 1 and answer.clarify is None
    assert {c.initiative for c in answer.citations} == {answer.initiatives[0]}, answer.answer
    assert len(answer.contacts) > 1


def test_who_can_help_asks_for_the_office_not_who_runs_it(assistant: Assistant) -> None:
    asked = {t.name for t in assistant.router.read("Our electricity costs keep rising. Who can help us?").asked}
    assert not asked & {"who", "eligible"}, asked
    assert "who" in {t.name for t in assistant.router.read("Who runs the consortium?").asked}


def test_a_source_note_marked_with_an_asterisk_is_never_quoted(assistant: Assistant) -> None:
    answer = _chain(assistant, "中堅企業の新規事業、支援ネットワークの名前は？", "それはいつ始まった？")
    assert not any("出所" in c.quote[:4] for c in answer.citations), answer.answer


@pytest.mark.parametrize("follow_up", ["その数字の出典を教えて", "Where does that number come from?"])
def test_where_a_figure_comes_from_is_answered_with_the_slides_source_note(assistant: Assistant, follow_up: str) -> None:
    # The note is shown on a line of its own, never as a quote of evidence.
    answer = _chain(assistant, "関西だと中堅企業が売上に占める割合はどれくらい？", follow_up)
    assert "帝国データバンク" in answer.answer, answer.answer
    assert not any("帝国データバンク" in c.quote for c in answer.citations)


def test_asking_for_specifics_stays_on_the_topic(assistant: Assistant) -> None:
    # Read alone, 「具体的にはどんな内容の支援？」 is like questions about any initiative; it asks for more of
    # what was said.
    answer = _chain(assistant, "Our company wants to hire engineers from overseas for the first time.",
                    "具体的にはどんな内容の支援なん？")
    assert answer.initiatives[0] == "高度外国人材の関西への就労及び定着の促進", answer.answer


def test_membership_is_read_as_the_number_of_members(assistant: Assistant) -> None:
    answer = _chain(assistant, "For the circular economy project, what membership target does the bureau set for CPs?")
    assert "100者" in answer.answer, answer.answer


def test_an_office_run_on_paper_is_shown_the_subsidies_for_going_digital(assistant: Assistant) -> None:
    answer = _chain(assistant, "社長です。受注は手書きの伝票とファックス、在庫も紙の台帳です。事務を楽にしたい")
    assert "IT導入補助金" in answer.answer, answer.answer


def test_another_initiatives_office_is_shown_with_what_it_is_for(assistant: Assistant) -> None:
    answer = _chain(assistant, "社員が高齢化していて、人材の確保と育成をどうするか悩んでいる")
    second = answer.initiatives[1]
    office = next(c for c in answer.contacts if c.initiative == second)
    related = next(line for line in answer.answer.splitlines() if line.startswith("関連する取組"))
    assert f"「{second}」{office.division} {office.phone}" in related
    assert not any(line.startswith("ほかの窓口") and office.phone in line for line in answer.answer.splitlines())


def test_a_maker_working_with_shops_is_shown_the_makers_and_sellers_measure(assistant: Assistant) -> None:
    answer = _chain(assistant, "端材を使った雑貨を作っています。販売店と組んで、環境にやさしい良さをお客さんに伝えたい")
    assert any("価値の伝え手" in c.quote for c in answer.citations), answer.answer


def test_a_need_stated_by_the_slide_is_not_the_help_quoted_first(assistant: Assistant) -> None:
    # 「…取組を強化することが必要。」 says what firms should do; the seminars are what the bureau offers.
    answer = _chain(assistant, "海外から工場見学の依頼が多くて、技術が盗まれないか気になる")
    assert not answer.citations[0].quote.endswith("ことが必要。"), answer.answer


def test_a_firm_seeking_partners_is_shown_the_matching_measure(assistant: Assistant) -> None:
    answer = _chain(assistant, "微生物を使った新素材の会社です。量産に向けて組む相手を探している")
    assert any("ニーズドリブンなマッチング" in c.quote for c in answer.citations), answer.answer


def test_where_to_ask_asks_for_the_office_not_for_a_place(assistant: Assistant) -> None:
    assert not assistant.router.read("使える支援があるか、どこで聞いたらええの？").asked
    assert "place" in {t.name for t in assistant.router.read("セミナーはどこで開催される？").asked}


@pytest.mark.parametrize("question", [
    "工場の省エネ診断、お願いしたら何日ぐらいで来てくれる？",  # a waiting time
    "How soon can an energy-saving diagnosis visit our plant?",
    # The slides say 下請Gメン hear firms out; nothing about keeping the firm's name from its customer.
    "価格転嫁のことで相談したら、親事業者にうちの名前がばれますか？",
    "Can I report a customer who refuses price increases anonymously?",
])
def test_what_the_slides_do_not_state_is_turned_away(assistant: Assistant, question: str) -> None:
    answer = _chain(assistant, question)
    assert answer.abstained and not answer.contacts, answer.answer


def test_how_big_asks_for_a_size(assistant: Assistant) -> None:
    assert "size" in {t.name for t in assistant.router.read("How big is the battery industry in Kansai?").asked}


def test_an_owner_who_cannot_reach_young_people_is_shown_the_job_fair_and_seminars(assistant: Assistant) -> None:
    answer = _chain(assistant, "若い人がうちの会社に全然応募してくれない。どうやって若手を採ればいいか相談したい")
    assert "大学のゼミ" in answer.citations[0].quote, answer.answer


def test_asking_what_else_the_office_handles_lists_its_initiatives(assistant: Assistant) -> None:
    answer = _chain(assistant, "水素の相談窓口を教えて", "そこはほかにどんな施策を担当してるの？")
    assert answer.contacts[0].phone == "06-6966-6055" and "面的GX" in answer.answer, answer.answer


def test_after_an_office_look_up_the_follow_up_is_about_the_initiative_it_names(assistant: Assistant) -> None:
    # 06-6966-6055 handles 水素 and 面的GX; "that GX one" asks about the second, not the first.
    answer = _chain(assistant, "06-6966-6055はどこの番号？", "同じ番号でほかに何を担当してる？", "そっちのGXの削減目標は？")
    assert not answer.abstained and "46％" in answer.answer and answer.contacts[0].phone == "06-6966-6055", answer.answer


def test_a_yes_no_follow_up_asks_its_own_question_not_the_one_before(assistant: Assistant) -> None:
    # 「省エネ診断って無料？」 after 「全部でいくつ？」 asks whether it is free, not how many again.
    answer = _chain(assistant, "面的GX支援のアプローチを教えて", "全部でいくつ？", "講師の派遣って無料なの？")
    assert "無料講師派遣" in answer.citations[0].quote, answer.answer


def test_a_latin_name_of_another_title_moves_the_conversation_on(assistant: Assistant) -> None:
    # The hydrogen slides speak of GX too, but 「GXのほう」 names the GX project's own title word.
    answer = _chain(assistant, "水素の担当部署を教えて", "イベントはある？", "じゃあGXのほうの削減目標は何％？")
    assert not answer.abstained and "46％" in answer.answer, answer.answer


def test_an_english_plural_meets_its_singular_asking_word(assistant: Assistant) -> None:
    # "ticket" and "loan" are matters other offices handle; asked as "tickets", "loans" they still are.
    answer = _chain(assistant, "When is Global Startup EXPO 2025?", "Do you sell entry tickets for it?")
    assert answer.abstained and not answer.contacts, answer.answer
    assert assistant.ask("Are there loans for buying hydrogen equipment?").abstained


def test_a_follow_up_to_an_opening_clarifying_question_is_read_with_its_options(assistant: Assistant) -> None:
    # Two Expo events in September: the assistant asks which one; a follow-up that does not pick an option
    # still belongs to them (the startup conference is held in English), rather than being read alone.
    first = "9月の万博、スタートアップの国際イベントがあるやんな？日にちは？"
    assert _chain(assistant, first).clarify is not None
    answer = _chain(assistant, first, "何語でやるん？")
    assert not answer.abstained and "英語" in answer.answer, answer.answer


def test_what_else_an_office_handles_puts_the_one_named_as_excepted_last(assistant: Assistant) -> None:
    # 6055 handles GX support and hydrogen; "other than GX" asks for hydrogen, and the next question is
    # about whichever the office's other work was.
    answer = _chain(assistant, "06-6966-6055ってどこの番号？", "GX以外で担当してるのは？")
    assert answer.initiatives[0] == "水素利活用促進プロジェクト", answer.answer
    answer = _chain(assistant, "06-6966-6055ってどこの番号？", "水素以外に何を担当してる？", "そっちの目標件数は？")
    assert "50件" in answer.answer, answer.answer
    # After a talk about hydrogen, "what else does that number handle" asks for the office's other work.
    answer = _chain(assistant, "水素の展示会について教えて", "担当の電話番号は？", "同じ番号でほかに何を担当してる？")
    assert answer.initiatives[0] == "中堅・中小企業の面的GX支援プロジェクト", answer.answer


def test_asking_for_others_after_a_whole_list_gives_what_else_not_the_list_again(assistant: Assistant) -> None:
    # The nine support institutions fill more than one quote; the answer gives them all (the rest in a second
    # quote), so 「他には？」 asks what else there is on the topic, not for the same list again.
    first = _chain(assistant, "関西・共創の森に参加してる国の支援機関は？")
    more = _chain(assistant, "関西・共創の森に参加してる国の支援機関は？", "他には？")
    assert "INPIT" in first.answer and "AMED" in first.answer, first.answer
    assert "INPIT" not in more.answer and more.initiatives[0] == first.initiatives[0], more.answer


def test_naming_something_with_a_pointer_at_the_topic_stays_on_the_topic(assistant: Assistant) -> None:
    # 半導体 has an initiative of its own, but 「その分野」 asks whether it is among the map's fields.
    answer = _chain(assistant, "成長分野ポテンシャルマップって何？", "半導体はその分野に入ってる？")
    assert answer.initiatives[0] == "「関西における成長分野ポテンシャルマップ」", answer.answer


def test_a_follow_up_naming_nothing_is_about_the_topic_without_asking_back(assistant: Assistant) -> None:
    # "What's the number?" names nothing; the conversation is about the foreign-talent consortium, so the
    # office is given rather than a choice between initiatives the combined words also fit.
    answer = _chain(assistant, "Is there support for hiring highly skilled people from abroad?",
                    "Which prefectures are members of the consortium?", "What's the number?")
    assert answer.clarify is None and answer.contacts[0].phone == "06-6966-6032", answer.answer


def test_pointing_at_the_thing_a_sentence_calls_the_same_quotes_that_sentence(assistant: Assistant) -> None:
    # 「このイベントは…」 points at what 「本イベント等を契機に…」 speaks of: alone that sentence names nothing,
    # here it is the answer.
    answer = _chain(assistant, "サーキュラーエコノミーでイベントってやってる？", "このイベントはどういうねらいなの？")
    assert any(c.quote.startswith("本イベント") for c in answer.citations), answer.answer


def test_a_follow_up_asking_something_of_its_own_is_answered_by_what_it_asks(assistant: Assistant) -> None:
    # Routed with the topic's words (水素), but quoted for its own: links abroad, not the events at home.
    answer = _chain(assistant, "水素の担当はどこ？", "海外とのつながりづくりでは何をしてる？")
    assert "海外企業" in answer.citations[0].quote, answer.answer


def test_a_follow_ups_own_words_pick_its_quote_over_the_topics(assistant: Assistant) -> None:
    # The topic's words (サイバー攻撃) would bring back the sentence about attacks; the follow-up asks subsidies.
    answer = _chain(assistant, "サイバー攻撃が心配。何か支援ある？", "補助金だと何が使える？")
    assert "IT導入補助金" in answer.citations[0].quote, answer.answer


def test_a_follow_up_naming_another_offices_remit_goes_to_that_office(assistant: Assistant) -> None:
    # The topic named 経営力向上室's part (事業承継); the follow-up names 取引適正化推進室's (フリーランス).
    answer = _chain(assistant, "事業承継の相談先は？", "フリーランス法のことも聞きたい")
    assert answer.contacts[0].phone == "06-6966-6037", answer.answer


def test_words_typed_before_a_follow_up_do_not_pick_its_quote(assistant: Assistant) -> None:
    # プロジェクト was typed in the first message: it must not make 「32プロジェクト」 the answer to a size
    # asked afterwards about the market.
    answer = _chain(assistant, "Rethink Designはどんなプロジェクトですか", "CE関連の市場はどれくらいの大きさを狙ってるの？")
    assert not any("32プロジェクト" in c.quote for c in answer.citations), answer.answer
    assert any("80兆円" in c.quote for c in answer.citations), answer.answer


def test_an_english_it_is_no_pointer_when_the_message_is_plainly_about_another_initiative(assistant: Assistant) -> None:
    # "is it the same team?" asks about the foreign graduates it names, not about the hydrogen talked of before.
    answer = _chain(assistant, "Who handles the hydrogen project?",
                    "And what about help for hiring foreign graduates, is it the same team?")
    assert "高度外国人材" in answer.initiatives[0] and answer.contacts[0].phone == "06-6966-6032", answer.answer


@pytest.mark.parametrize("turns", [("What is the bureau doing about hydrogen?", "Which trade fair in Europe did the team go to?"),
                                   ("水素の担当は？", "海外のどの見本市に出たの？"),
                                   ("水素の取組を知りたい", "海外ではどんな見本市に出展した？")])
def test_which_trade_fair_asks_for_the_fair_by_its_name(assistant: Assistant, turns: tuple[str, str]) -> None:
    # A trade fair (見本市) is what the slides call 展示会; which one asks for its name, given in 「」 on a caption.
    answer = _chain(assistant, *turns)
    assert any("HYDROGEN Technology EXPO" in c.quote for c in answer.citations), answer.answer


def test_which_seminars_are_held_asks_for_the_list_of_them(assistant: Assistant) -> None:
    answer = _chain(assistant, "中小企業の人材確保の取組について知りたい", "どういうセミナーを開いてるの？")
    assert "人材活用ガイドラインセミナー" in answer.citations[0].quote, answer.answer


def test_a_follow_up_naming_nothing_stays_with_the_topic_when_read_together_they_are_weak(assistant: Assistant) -> None:
    # 相談先 and 電話番号 name no subject; read with 「下請Ｇメン…」 the evidence is weak, but it is still about
    # the topic, never about another office whose slides happen to say 相談.
    answer = _chain(assistant, "下請Ｇメンってどんなことしてくれるの？", "相談先の電話番号は？")
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6037", answer.answer


def test_asking_whether_the_topics_list_includes_something_stays_on_the_topic(assistant: Assistant) -> None:
    # 蓄電池 has an initiative of its own, but the map's fields list it too: the question is about the map.
    answer = _chain(assistant, "ポテンシャルマップについて教えて", "蓄電池は含まれていますか")
    assert answer.contacts[0].phone == "06-6966-6001" and "蓄電池" in answer.answer, answer.answer


def test_asking_whether_one_is_among_the_members_is_answered_by_the_members(assistant: Assistant) -> None:
    # "Is NITE among them?" asks of the list just given, as who takes part: the members' lines answer, not the
    # forest's aims.
    answer = _chain(assistant, "Which national bodies make up the Kansai Co-Creation Forest?", "Is NITE among them?")
    assert any("NITE" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize(("first", "then"), [
    ("サーキュラーエコノミーの取組を教えて", "それは水素と同じ課？"),
    ("Who runs the circular economy work?", "Same office as the hydrogen project?"),
])
def test_comparing_the_topics_office_with_another_keeps_the_topic_first(assistant: Assistant, first: str,
                                                                        then: str) -> None:
    # It names hydrogen only to compare: the circular economy's office comes first, hydrogen's after.
    answer = _chain(assistant, first, then)
    assert answer.contacts[0].phone == "06-6966-6018", answer.answer
    assert answer.initiatives[:2] == ["サーキュラーエコノミーの実現に向けた取組", "水素利活用促進プロジェクト"]


def test_asking_whether_something_is_there_too_is_answered_by_what_it_names(assistant: Assistant) -> None:
    # 「…もそこですか」 asks yes or no about the exercise, not the topic's earlier question (the year's goal) again.
    answer = _chain(assistant, "DXの担当課は？", "今年度の目標は？", "サイバーセキュリティの演習もそこですか")
    assert "サイバー" in answer.citations[0].quote, answer.answer


def test_pointing_at_the_topics_own_work_mid_message_keeps_the_topic(assistant: Assistant) -> None:
    # 「そっちの取組」 is hydrogen's own overseas work, though 海外 alone fits the overseas-business initiative.
    answer = _chain(assistant, "水素の取組を教えて", "海外にも出ていきたいんやけど、そっちの取組は何がある？")
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


@pytest.mark.parametrize(("topic", "then", "named"), [
    ("Tell me about the hydrogen project's work abroad.", "And ammonia?", "アンモニア"),
    ("水素で海外とつながる取組を知りたい", "ハンブルクのは何の展示会？", "ハンブルグ"),
])
def test_a_follow_up_naming_a_new_subject_is_answered_by_the_line_naming_it(assistant: Assistant, topic: str,
                                                                             then: str, named: str) -> None:
    # The topic's words fill every line of the slide; the one word the follow-up brings picks its line.
    answer = _chain(assistant, topic, then)
    assert named in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("place", ["We're in Himeji, actually. Which office should we ring?", "うちは尼崎なんやけど、どこに電話したらええ？"])
def test_a_place_the_topics_local_office_serves_asks_for_that_office(assistant: Assistant, place: str) -> None:
    # Technology leaks are the economic-security offices', one of them serving Hyogo: an asker there calls it,
    # whatever else the place's name resembles (overseas business, foreign talent).
    answer = _chain(assistant, "Our know-how could be copied by a foreign partner. Who can advise us?", place)
    assert answer.contacts[0].phone == "078-393-2682" and "経済安全保障" in answer.initiatives[0], answer.answer


def test_an_english_follow_up_naming_another_offices_part_of_the_topic_gets_that_office(assistant: Assistant) -> None:
    # Price pass-through is 取引適正化推進室's part of the SME initiative; subsidies and support measures are
    # 経営力向上室's (its remit, 補助金 and 支援施策, in English too).
    answer = _chain(assistant, "Our customers won't accept higher prices.", "Separately, which subsidies could a firm like ours use?")
    assert answer.contacts[0].phone == "06-6966-6065", answer.answer


def test_asking_what_help_exists_is_shown_three_measures(assistant: Assistant) -> None:
    # Asked in a few words what help exists: three measures on offer (a situation told at length keeps two).
    answer = assistant.ask("水素関連の事業に新しく入りたい中小企業です。どんな支援がありますか")
    assert len(answer.citations) == 3, answer.answer


@pytest.mark.parametrize(("first", "firm"), [("共創の森のDAYSは2023年度に何回開いた？", "オカムラ"),
                                             ("DAYSって2022年度は何回やったんですか", "ナレッジキャピタル")])
@pytest.mark.parametrize("then", ["そのとき組んだ企業はどんなところ？", "そのときはどんな企業と一緒だった？"])
def test_a_follow_up_pointing_back_to_a_year_quotes_that_years_firms(assistant: Assistant, first: str, firm: str,
                                                                       then: str) -> None:
    # そのとき names no year: it means the year the topic's question named, whose table row lists the firms.
    answer = _chain(assistant, first, then)
    assert firm in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("then", ["海外展開の支援もしてる？", "海外展開も手伝ってくれるんですか？"])
def test_asking_whether_the_topics_work_also_does_what_its_text_names_stays_on_the_topic(
        assistant: Assistant, then: str) -> None:
    # Read alone, 海外展開 is the overseas-sales initiative's; the hydrogen slides name their firms' 海外展開 too.
    answer = _chain(assistant, "水素の取組を教えて", then)
    assert answer.initiatives[0] == "水素利活用促進プロジェクト" and answer.contacts[0].phone == "06-6966-6055", \
        answer.answer


def test_asking_whether_the_topic_also_does_what_its_text_never_names_is_a_new_topic(assistant: Assistant) -> None:
    answer = _chain(assistant, "水素の取組を教えて", "人材育成もやってるの？")
    assert "人材" in answer.initiatives[0], answer.answer


@pytest.mark.parametrize("then", ["支援の対象ってどんな会社なん？", "どういう会社が支援の対象ですか"])
def test_a_follow_up_asking_a_kind_of_fact_in_no_initiatives_words_asks_it_of_the_topic(
        assistant: Assistant, then: str) -> None:
    # 対象 and 会社 read alone (and with the topic's 海外) suit overseas sales, whose slides list the firms they
    # take; nothing in the message names that initiative, so it asks who the topic's (technology leaks) help is for.
    answer = _chain(assistant, "うちの技術が海外に漏れないか心配。相談先は？", "神戸の会社ですが近くに窓口はありますか", then)
    assert answer.initiatives[0] == "経済安全保障の推進" and answer.contacts[0].phone == "078-393-2682", answer.answer


def test_the_other_side_of_a_partnership_is_its_partner(assistant: Assistant) -> None:
    # 相手側 is how people say パートナー側: its ＜heading＞ and the merits listed under it.
    answer = _chain(assistant, "中堅企業の新規事業の支援について教えて", "連携する相手側にとってのメリットは何ですか")
    assert "パートナー側の共創メリット" in answer.citations[0].quote, answer.answer


def test_an_english_follow_up_asking_yes_or_no_asks_its_own_question(assistant: Assistant) -> None:
    # "Have they …?" asks something of its own: the topic's "Who organises …?" is context, not asked again.
    answer = _chain(assistant, "Who organises the hydrogen exchange lounge?", "Have they done anything overseas too?")
    assert "海外" in answer.citations[0].quote, answer.answer


def test_naming_another_subject_alone_asks_it_what_the_topic_was_asked(assistant: Assistant) -> None:
    # 「蓄電池の方は？」 asks the battery consortium what the semiconductor council was asked: this year's work.
    answer = _chain(assistant, "半導体の協議会は今年度なにをする予定？", "蓄電池の方は？")
    assert any("バッテリー教育の実施校拡大" in c.quote for c in answer.citations), answer.answer


def test_a_place_only_the_topics_slides_name_keeps_the_topic(assistant: Assistant) -> None:
    # 堺 is on the hydrogen slides (堺・泉北コンビナート) and no other: its "project" is hydrogen's, however much
    # 'what is the project' sounds like the circular economy's Rethink Design project.
    answer = _chain(assistant, "水素の企業の海外展開ではどんな支援をしてる？", "堺の方のプロジェクトは何？")
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


@pytest.mark.parametrize("similar", ["Is there something similar for semiconductors, and when did it start?",
                                     "半導体でも似たような取組はある？いつできたの？"])
def test_asking_for_something_similar_for_another_subject_starts_its_topic(assistant: Assistant, similar: str) -> None:
    # "it" points at the semiconductor council the message asks for, not at the battery consortium before it.
    answer = _chain(assistant, "Is the Kinki bureau doing anything on battery skills?", similar)
    assert "半導体" in answer.initiatives[0] and "令和7年6月" in answer.answer, answer.answer


@pytest.mark.parametrize("follow_up", ["補助金は？", "その中で紹介されてる補助金は？"])
def test_a_follow_up_naming_a_word_mecab_reads_in_pieces_is_answered_by_the_lines_writing_it(
        assistant: Assistant, follow_up: str) -> None:
    # 補助金 is read as 補助 + 金, words too short to pick lines by; written as one, it picks the subsidies' line.
    answer = _chain(assistant, "DXの実現に必要な要素って、具体的に何ですか？", follow_up)
    assert any("IT導入補助金" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize(("topic", "then", "line"), [
    ("人材確保の支援って柱が3つあるらしいけど、何？", "じゃあ大学と組んでるやつは？", "大学講義等"),
    ("蓄電池の人材育成コンソーシアムは今年度何を柱にしてる？", "全国の動きとの関わりは？", "全国団体"),
])
def test_a_follow_up_bringing_a_word_picks_the_topics_line_writing_it(assistant: Assistant, topic: str, then: str,
                                                                     line: str) -> None:
    # Two kanji (大学, 全国) were taken for a piece of a phrase in kana and brought nothing: the topic's list was
    # quoted again without the item or the line the follow-up asks about.
    answer = _chain(assistant, topic, then)
    assert any(line in c.quote for c in answer.citations), answer.answer


def test_asking_only_for_the_phone_after_a_figure_keeps_the_topics_office(assistant: Assistant) -> None:
    # The figure asked two turns before (a share of sales) read again with "Phone number?" fits no initiative
    # that states it; the message asks for the office of the conversation's topic, not to be turned away.
    answer = _chain(assistant, "Does the bureau support medium-sized firms launching new lines of business?",
                       "How big a share of sales do such firms have in Kansai?", "What about nationally?",
                       "Phone number?")
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6012", answer.answer


def test_asking_which_companies_took_part_is_asked_of_the_topic(assistant: Assistant) -> None:
    # 関わる here asks who took part, as 参加 would; it names no subject that would lead elsewhere.
    answer = _chain(assistant, "DAYSは去年何回やったの？", "どこの会社が関わったの？")
    assert not answer.abstained and answer.contacts[0].phone == "06-6966-6013", answer.answer
    assert "㈱" in answer.answer.split("\n")[1], answer.answer


def test_asking_in_english_what_other_approaches_there_are_lists_them(assistant: Assistant) -> None:
    answer = _chain(assistant, "How does the bureau help smaller firms cut carbon?",
                    "Apart from working through trade bodies, what other approaches does it take?")
    assert "工業団地" in answer.answer.split("\n")[1], answer.answer  # the line listing all six


def test_a_years_goals_labelled_after_its_list_answer_for_that_year(assistant: Assistant) -> None:
    # The slide's 令和7年度 box stands beside its two goals, so the extraction writes it after them.
    answer = _chain(assistant, "関西・共創の森のDAYSって何？", "今年はどこまで連携を増やすつもり？")
    assert "５社以上" in "\n".join(answer.answer.split("\n")[1:3]), answer.answer  # the list quoted first


def test_a_list_numbered_in_parenthesised_digits_answers_which_themes(assistant: Assistant) -> None:
    # ⑴⑵⑶ are list marks as ①②③ are: asked which themes, the list under its heading answers.
    answer = _chain(assistant, "外国人材を雇いたい会社向けのサポートある？", "具体的にはどんなテーマ？")
    assert "リスクマネジメント" in answer.answer.split("\n")[1], answer.answer


def test_a_follow_up_picking_up_words_the_last_answer_quoted_stays_on_its_topic(assistant: Assistant) -> None:
    # The hydrogen answer quotes 「…各地域の取組に対し、情報提供や伴走支援等を実施。」; alone, 伴走支援 sounds like
    # the overseas-business slides' help, but the asker is asking about what they were just shown.
    answer = _chain(assistant, "水素の取組の目標は？", "伴走支援って具体的には何をしてくれるの？")
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


def test_it_points_at_the_topic_though_its_words_are_another_slides(assistant: Assistant) -> None:
    # 支援メニュー is written word for word only on the overseas-business slides; 「それの」 is the circular economy.
    answer = _chain(assistant, "サーキュラーエコノミーについて知りたい", "それの支援メニューは？")
    assert answer.contacts[0].phone == "06-6966-6018", answer.answer


@pytest.mark.parametrize("reply", ["1", "Global Startup EXPO"])
def test_an_option_whose_title_holds_brackets_is_picked_with_its_office(assistant: Assistant, reply: str) -> None:
    # 「「Global Startup EXPO 2025」の推進」: the option's name holds a 」 of its own before the office follows.
    asked = assistant.ask("万博で何かやってる？")
    assert asked.clarify and "Global Startup EXPO" in asked.clarify.options[0].initiative, asked.answer
    answer = _chain(assistant, "万博で何かやってる？", reply)
    assert answer.initiatives[0] == "「Global Startup EXPO 2025」の推進" and answer.contacts[0].phone == "06-6966-6014", \
        answer.answer


@pytest.mark.parametrize("follow_up", ["そこはどんな事業を担当してますか", "What does that office handle?"])
def test_asking_what_the_office_looked_up_handles_lists_all_of_its_work(assistant: Assistant, follow_up: str) -> None:
    # 6008 handles DX, the battery consortium and semiconductor talent: the words "事業" or "handle" suit
    # some one initiative better, but the asker points at the office.
    answer = _chain(assistant, "06-6966-6008はどこの課？", follow_up)
    assert len(answer.initiatives) == 3 and answer.contacts[0].phone == "06-6966-6008", answer.answer


@pytest.mark.parametrize("follow_up", ["Is that just for larger firms?", "Does it only cover bigger businesses?"])
def test_it_after_a_clarifying_question_is_the_likelier_option_when_its_words_pick_neither(
        assistant: Assistant, follow_up: str) -> None:
    # Asked which of the SME measures and hiring help was meant, the asker says "it": the first option, not
    # whichever initiative "larger firms" happens to suit (the mid-size firms' help, not even an option).
    answer = _chain(assistant, "中小企業向けの支援ってある？", follow_up)
    assert answer.initiatives[0] == "中小企業の「稼ぐ力」の強化", answer.answer


@pytest.mark.parametrize(("topic", "follow_up", "partner"), [
    # 組む names no subject; どこと組んで asks who the partners are, in whatever form the verb takes.
    ("循環経済で万博に何か出すの？", "どこと組んでやってるの？", "製造事業者"),
    ("水素の取組を教えて", "誰と組んでるの？", "自治体・支援機関・経済団体等と連携"),
])
def test_asked_who_they_team_up_with_the_topic_quotes_its_partners(
        assistant: Assistant, topic: str, follow_up: str, partner: str) -> None:
    answer = _chain(assistant, topic, follow_up)
    assert not answer.abstained and partner in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize(("topic", "then"), [("DXゼミナールについて教えて", "中小企業向けの補助金はどんなのが紹介されてる？"),
                                             ("DXの取組を知りたい", "Which subsidies for small firms are mentioned?")])
def test_asking_what_the_material_mentions_asks_it_of_the_topic(assistant: Assistant, topic: str, then: str) -> None:
    # 紹介されてる, "are mentioned": in the slides talked about, whose list of subsidies it asks for; 中小企業 and
    # 補助金 alone suit the earning-power slides better.
    answer = _chain(assistant, topic, then)
    assert answer.contacts[0].phone == "06-6966-6008" and any("IT導入補助金" in c.quote for c in answer.citations), \
        answer.answer


def test_asking_what_the_help_consists_of_is_answered_by_its_numbered_measures(assistant: Assistant) -> None:
    answer = _chain(assistant, "外国人材の定着の取組について知りたい", "支援内容を具体的に教えて")
    assert any("⑶" in c.quote and "リスクマネジメント" in c.quote for c in answer.citations), answer.answer
