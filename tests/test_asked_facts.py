"""A fact question is answered by the slide's line that states the kind of fact asked, or turned away
when the slides state none."""

import pytest

from assistant.normalize import nfkc
from assistant.service import Assistant
from tests.conftest import ask_chain


@pytest.mark.parametrize(("question", "meaning"), [
    ("eVTOLってそもそも何の略なんですか", "電動垂直離着陸機"),
    ("CPsは何の略でしょう", "サーキュラーパートナーズ"),
    ("eVTOLの正式名は？", "電動垂直離着陸機"),  # what a term is, asked in other ways
    ("eVTOLってなに？", "電動垂直離着陸機"),
    ("What is eVTOL?", "電動垂直離着陸機"),
    ("CPsとは", "サーキュラーパートナーズ"),
    ("CPsって日本語でいうと何になるの", "サーキュラーパートナーズ"),  # 言う written in kana: the same word
    ("evtolってにほんごでなんていうん？", "電動垂直離着陸機"),  # 日本語 typed in kana
])
def test_what_an_abbreviation_stands_for_is_quoted_from_its_definition(
        assistant: Assistant, question: str, meaning: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and meaning in answer.citations[0].quote, answer.answer


def test_an_outline_field_is_quoted_with_the_names_listed_under_it(assistant: Assistant) -> None:
    # ■主 催：経済産業省、近畿経済産業局 has two more organisers on the lines under it.
    answer = assistant.ask("スタートアップのEXPOは誰の主催？")
    first = answer.citations[0].quote
    assert first.startswith("主 催") and "JETRO" in first and "NEDO" in first, answer.answer


def test_which_town_is_answered_with_the_town(assistant: Assistant) -> None:
    answer = assistant.ask("水素の展示会でドイツに行ったそうですが、どこの街でしたか")
    assert "ハンブルグ" in answer.citations[0].quote, answer.answer


def test_a_sentence_using_the_asking_word_answers_before_others_of_the_kind(assistant: Assistant) -> None:
    # 参画数 asks a count; the slide states it with the same word (…37団体、連携機関108機関が参画中).
    answer = assistant.ask("バイオコミュニティ関西の参画数は？")
    assert "37団体" in answer.citations[0].quote, answer.answer


def test_how_far_something_is_to_grow_asks_for_its_target(assistant: Assistant) -> None:
    answer = assistant.ask("循環経済のパートナーシップ、会員をどこまで広げる計画なの？")
    assert any("100者" in c.quote for c in answer.citations), answer.answer


def test_a_count_of_what_the_question_names_answers_before_other_counts(assistant: Assistant) -> None:
    # 重点３分野 is a count too; the question counts 委員団体 (…委員団体37団体、連携機関108機関…).
    answer = assistant.ask("バイオコミュニティ関西の委員団体って、いくつ入ってますか")
    assert "37団体" in answer.citations[0].quote, answer.answer


def test_a_table_rows_head_is_quoted_with_its_own_value_not_the_row_above(assistant: Assistant) -> None:
    # The row 2024年度 6回 ends a passage of the index; its firms are on the next line.
    answer = assistant.ask("共創の森のDAYSは2024年度に何回開いたの？")
    row = next(c.quote for c in answer.citations if "2024年度" in c.quote)
    assert "6回" in row and "大日本印刷" in row and "オカムラ" not in row, answer.answer


def test_a_numbered_list_is_quoted_whole_with_the_line_announcing_it(assistant: Assistant) -> None:
    answer = assistant.ask("蓄電池コンソーシアムの今年度の柱を全部教えて")
    first = answer.citations[0].quote
    assert "以下の活動を柱" in first and all(n in first for n in "①②③④⑤"), answer.answer


def test_a_vote_among_distant_examples_does_not_turn_a_covered_question_away(assistant: Assistant) -> None:
    # In English the nearest labelled examples are far off, and the nearest of them are questions the
    # document does not answer (tax deadlines, permits): their vote counts as little as any stranger's.
    answer = assistant.ask("On which day did the Cabinet Office certify BiocK?")
    assert not answer.abstained and "2022年4月22日" in answer.answer, answer.answer


def test_two_kinds_asked_get_a_sentence_each(assistant: Assistant) -> None:
    # How many (110社) and as of when (※令和7年3月現在): one kind's sentences do not fill every place.
    answer = assistant.ask("How many firms does The Kansai Companies Profile list, and from what date is that count?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "110社" in quotes and "令和7年3月" in quotes, answer.answer


def test_labels_naming_things_of_one_kind_are_quoted_together_as_the_list(assistant: Assistant) -> None:
    # 育成WG / 需要喚起・情報発信WG / ｵｰﾌﾟﾝｲﾉﾍﾞｰｼｮﾝ・ﾏｯﾁﾝｸﾞWG are diagram labels, each too short to quote.
    answer = assistant.ask("バイオものづくりのワーキンググループ、WGにはどんな種類がありますか")
    listed = next((c.quote for c in answer.citations if "育成WG" in c.quote), "")
    assert "需要喚起・情報発信WG" in listed and "ﾏｯﾁﾝｸﾞWG" in listed, answer.answer


def test_asking_for_examples_asks_for_the_list(assistant: Assistant) -> None:
    answer = assistant.ask("The Kansai Companies Profileの掲載企業が受けた表彰って、たとえば？")
    assert any("はばたく300社" in c.quote and "地域未来牽引企業" in c.quote for c in answer.citations), answer.answer


def test_a_run_of_diagram_labels_is_kept_whole_across_the_index_passages(assistant: Assistant) -> None:
    # ＜分野・項目等＞ and its 13 labels: the index passage once ended inside the run, cutting its last labels.
    answer = assistant.ask("ポテンシャルマップで整理されている分野を全部教えて")
    listed = next((c.quote for c in answer.citations if "＜分野・項目等＞" in c.quote), "")
    assert "スタートアップ" in listed and "ロボット・AI" in listed, answer.answer


def test_a_place_to_consult_asks_whom_to_call_not_where_something_is(assistant: Assistant) -> None:
    # 相談できる場所 is an office: the help on offer is quoted first, not a sentence that merely has a place.
    answer = assistant.ask("借金の返済で経営が苦しく、立て直しについて公的に相談できる場所はありますか")
    assert "よろず支援拠点" in answer.citations[0].quote, answer.answer


def test_a_year_asked_is_answered_by_a_sentence_stating_a_year(assistant: Assistant) -> None:
    # 何年まで: a year, which a month or an event's day does not give.
    answer = ask_chain(assistant, "循環経済で、国内の市場規模はどのくらいを目指していますか", "それは何年までの目標？")
    assert "2030年" in answer.citations[0].quote, answer.answer


def test_whom_a_measure_is_meant_for_asked_in_english_quotes_its_target_firms(assistant: Assistant) -> None:
    answer = assistant.ask("Who is the bureau's economic security outreach meant for?")
    assert any("スタートアップ企業" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", [
    "電池の会社、関西にどんくらい集まっとる？",  # どんくらい / どんだけ: どれくらい said casually
    "蓄電池のコンソーシアムができたのはいつ？関西にどの程度関連産業があるかも知りたい",  # どの程度, as どのくらい
])
def test_how_much_said_another_way_asks_for_a_size(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert any("約4割" in c.quote for c in answer.citations), answer.answer


def test_with_whom_something_is_held_asks_for_its_partners(assistant: Assistant) -> None:
    answer = assistant.ask("Which bureau does METI Kansai co-host its DX policy briefings with?")
    assert any("近畿総合通信局" in c.quote for c in answer.citations), answer.answer


def test_a_market_or_foreigners_are_no_place_asked_for(assistant: Assistant) -> None:
    # どこで asks a place; 市場 (a market) and 外国人 hold 市 and 国 without naming a city or a country, so the
    # goals line (海外市場での認知度…) is not the answer: the channels on offer are.
    answer = assistant.ask("自社の製品を海外の買い手に知ってもらいたい。どこで紹介してもらえる？")
    assert not any("市場" in c.quote for c in answer.citations), answer.answer
    assert any("Kansai Companies Profile" in c.quote or "マッチング" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["スタートアップEXPOのげんごってなに？", "スタートアップEXPOの言語って何？"])
def test_a_kind_asked_before_tte_nani_is_that_kind_not_a_word_to_define(assistant: Assistant, question: str) -> None:
    # 言語って何 asks the language (as 言語は？ does), not what a word means.
    answer = assistant.ask(question)
    assert "英語" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["バイオものづくりの重点的な分野って何？", "バイオものづくりの取組で特に重視する分野ってなに"])
def test_asked_what_the_counted_fields_are_the_labels_are_quoted(assistant: Assistant, question: str) -> None:
    # The slide counts its 重点３分野 over three labels: asked what the fields are, the labels answer, not the
    # sentences that only say there are three.
    answer = assistant.ask(question)
    assert "育成" in answer.citations[0].quote and "需要喚起" in answer.citations[0].quote, answer.answer


def test_a_follow_up_naming_one_heading_of_a_set_asks_of_that_one(assistant: Assistant) -> None:
    # After the five elements, 「そのうちセキュリティ…」 asks for the cybersecurity measures, not the set again.
    answer = ask_chain(assistant, "DXの5つの要素って何？", "そのうちセキュリティの支援は？")
    assert any("お助け隊" in c.quote or "ワークショップ" in c.quote for c in answer.citations), answer.answer
    assert "業務のデジタル化" not in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "answer_holds"), [
    ("バイオコミュニティ関西の連携機関って何こあるの？", "108機関"),  # 何個 typed half in kana
    ("バイオの推進体制のWGって、何の分野で作られてる？", "需要喚起・情報発信WG"),  # 何の分野: the list of WGs
    ("Global Startup EXPOは何日間やるの？", "18日"),  # how many days: its dates
    ("GSEは一日だけの開催ですか", "18日"),  # one day only? its dates say
])
def test_everyday_ways_of_asking_a_count_or_a_list(
        assistant: Assistant, question: str, answer_holds: str) -> None:
    answer = assistant.ask(question)
    assert any(answer_holds in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize(("question", "firm", "other_years_firm"), [
    ("共創の森のDAYS、2022年度はどこの企業が開いたの？", "ナレッジキャピタル", "オカムラ"),
    ("Which companies hosted the DAYS events in fiscal 2022?", "ナレッジキャピタル", "オカムラ"),
    ("令和5年度のDAYSはどの会社が開催しましたか", "オカムラ", "大日本印刷"),
    ("2023年度の共創の森DAYSって、どういう企業とやったの？", "オカムラ", "大日本印刷"),
])
def test_the_year_asked_picks_its_row_and_which_firms_asks_for_their_names(
        assistant: Assistant, question: str, firm: str, other_years_firm: str) -> None:
    # Three rows alike (2022年度 2回 / 2023年度 4回 / 2024年度 6回), each a year's head over its firms.
    first = assistant.ask(question).citations[0].quote
    assert firm in first and other_years_firm not in first, first


@pytest.mark.parametrize(("question", "row"), [
    ("共創の森のDAYS、令和4年度の開催実績はどうだった？", "2022年度 2回"),
    ("Show me the track record of DAYS for FY2023.", "2023年度 4回"),
])
def test_a_years_record_asked_is_that_years_row(assistant: Assistant, question: str, row: str) -> None:
    # 令和６年度までの「DAYS」開催実績 heads the table and 2024年度 is the latest record; neither is the year asked.
    answer = assistant.ask(question)
    assert answer.citations[0].quote.startswith(row), answer.answer


@pytest.mark.parametrize("question", [
    "eVTOLの推進会議、経済産業省の本省からはどの部署が入ってるの？",
    "Which METI office is part of the Kansai eVTOL council?",
])
def test_which_office_takes_part_is_answered_by_the_office_the_slide_names(assistant: Assistant, question: str) -> None:
    # The council's diagram names its members as labels: 管内7府県 / METI 次世代空モビリティ政策室 / 近畿経済産業局（事務局）.
    answer = assistant.ask(question)
    assert "次世代空モビリティ政策室" in answer.citations[0].quote, answer.answer


def test_asking_which_office_to_call_still_gives_the_contact(assistant: Assistant) -> None:
    answer = assistant.ask("水素の件はどの部署に電話すればいいですか")
    assert answer.contacts[0].phone == "06-6966-6055", answer.answer


def test_a_quote_naming_a_lists_heading_is_followed_by_that_list(assistant: Assistant) -> None:
    # 「掲載企業は、経済産業省の表彰制度の受賞企業を対象に…」 names ＜ 表彰制度 ＞, whose items are on lines below.
    quotes = [c.quote for c in assistant.ask("The Kansai Companies Profileにはどんな会社が載れるんですか").citations]
    named = next(k for k, q in enumerate(quotes) if "表彰制度の受賞企業" in q)
    assert "はばたく300社" in quotes[named + 1] and "関西ものづくり新撰" in quotes[named + 1], quotes


@pytest.mark.parametrize("question", ["DX推進で局が整理している要素をぜんぶ教えてほしい",
                                      "Which elements does the bureau list for achieving DX?"])
def test_the_headings_of_a_slide_on_each_of_a_set_are_the_set(assistant: Assistant, question: str) -> None:
    # （参考）各要素の具体的支援策 heads its measures with the five elements; the diagram on the slide before
    # scatters them among its boxes.
    quoted = " ".join(c.quote for c in assistant.ask(question).citations)
    for element in ("業務のデジタル化", "サイバーセキュリティ", "新事業戦略の構築", "変革のきっかけ", "人材育成"):
        assert element in quoted, quoted


@pytest.mark.parametrize(("question", "fact"), [
    ("万博っていつまでやってんの？", "10月13日"),  # 'until when is it on' asks its 開催期間
    ("関西・共創の森はいつまで続くの？", "2026年3月"),  # an organisation's term, not an event's period
])
def test_until_when_an_event_runs_is_its_period(assistant: Assistant, question: str, fact: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and fact in answer.answer, answer.answer


def test_a_counted_set_asked_about_specifically_asks_for_its_members(assistant: Assistant) -> None:
    # 「重点３分野って具体的には？」 asks what the three are, as 「重点３分野は何？」 does.
    quoted = " ".join(c.quote for c in assistant.ask("バイオの重点3分野、具体的に教えてもらえますか").citations)
    assert "需要喚起・情報発信" in quoted and "オープンイノベーション・マッチング" in quoted, quoted


def test_how_many_of_a_set_still_quotes_the_count_first(assistant: Assistant) -> None:
    first = assistant.ask("DXに必要な要素はいくつに整理されている？").citations[0].quote
    assert "5要素" in first, first


@pytest.mark.parametrize("question", ["関西・共創の森を構成する国の機関を全部挙げてください",
                                      "Which national agencies make up Kansai Kyoso no Mori?"])
def test_a_list_longer_than_one_quote_goes_on_in_the_next(assistant: Assistant, question: str) -> None:
    # 【９支援機関】: nine bulleted names, one set on two lines (…（NEDO） / NEDOデスク), more than one quote holds.
    quotes = [c.quote for c in assistant.ask(question).citations]
    head = next(k for k, q in enumerate(quotes) if q.startswith("【９支援機関】"))
    listed = " ".join(quotes[head : head + 2])
    for member in ("INPIT", "NEDO） NEDOデスク", "JETRO", "SMRJ", "JST", "AMED", "経済産業省 近畿経済産業局"):
        assert member in listed, quotes
    assert sum("JETRO" in q for q in quotes) == 1, quotes  # each member once


@pytest.mark.parametrize("question", ["面的GX支援はどんなアプローチで進めるの？", "面的GX支援はどのようなアプローチで進めるのですか",
                                      "面的GX支援はどういったアプローチで進めるのですか"])
def test_an_asking_word_in_any_register_asks_alike(assistant: Assistant, question: str) -> None:
    first = assistant.ask(question).citations[0].quote
    assert "①支援機関" in first and "⑥業界" in first, first


def test_which_schemes_asks_for_the_named_schemes(assistant: Assistant) -> None:
    answer = assistant.ask("面的GX支援の業界アプローチって、どんな制度を使うんですか")
    assert "「省エネ診断」" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize(("question", "row"), [
    ("外国人材のコンソーシアム、去年度はどんな活動をしたの？", "令和6年度の活動実績"),
    ("What did the foreign talent consortium do last year?", "令和6年度の活動実績"),
])
def test_a_year_said_relative_to_the_documents_picks_that_years_row(assistant: Assistant, question: str, row: str) -> None:
    # The document is FY2025's (令和７年度): last year is 令和6年度.
    answer = assistant.ask(question)
    assert row in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["バイオコミュニティ関西には、なんぼの団体が入ってんの？",
                                      "バイオコミュニティ関西の連携機関って何ぼあるん？"])
def test_a_count_asked_in_kansai_words_is_a_count(assistant: Assistant, question: str) -> None:
    # なんぼ (何ぼ, as MeCab also writes it) is いくつ in Kansai speech: it asks how many.
    answer = assistant.ask(question)
    assert "37団体" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["The Kansai Companies Profileに選ばれるにはどうすればいいの？",
                                      "うちの会社をKansai Companies Profileに載せてもらうにはどうしたらいい？",
                                      "Kansai Companies Profileの110社ってどう選んでるん？",  # how they are chosen
                                      "How are the firms in The Kansai Companies Profile selected?",
                                      "Kansai Companies Profileの会社って、どないして選んではるの？",  # Kansai どないして
                                      "Where are the Kansai Companies Profile firms picked from?"])
def test_how_to_get_listed_asks_who_is_eligible(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert any("表彰制度の受賞企業" in c.quote for c in answer.citations), answer.answer


def test_what_are_the_things_of_a_kind_asks_for_the_list_in_english(assistant: Assistant) -> None:
    first = assistant.ask("For the GX support project, what are its approaches?").citations[0].quote
    assert "①支援機関" in first and "⑥業界" in first, first


def test_a_list_named_by_its_heading_is_quoted_whole_even_across_passages(assistant: Assistant) -> None:
    # ＜パートナー側の共創メリット＞ and its first item ended one passage of the index; three items began the next.
    first = assistant.ask("中堅企業と組むパートナー側のメリットは？").citations[0].quote
    assert first.startswith("＜パートナー側の共創メリット＞") and "対応スピードの早さ" in first and "安定した経営力" in first, first


def test_a_heading_quoted_for_its_own_sake_comes_with_every_item_under_it(assistant: Assistant) -> None:
    # ＜中堅企業側の共創メリット＞ is too short to quote alone: joined with its first item only, it read as if
    # 外部ノウハウの活用 were the one merit.
    answer = ask_chain(assistant, "中堅企業の新しい事業づくりを応援してもらえる？", "ベンチャーと手を組んだら、うちにはどんなメリットがある？")
    ours = next((c.quote for c in answer.citations if "中堅企業側の共創メリット" in c.quote), "")
    assert "外部ノウハウの活用" in ours and "自社のPR" in ours, answer.answer


def test_what_things_of_a_kind_follow_up_asks_for_the_list_in_english(assistant: Assistant) -> None:
    answer = ask_chain(assistant, "Does the bureau help groups of small firms decarbonise together?",
                       "What approaches does it use?")
    assert "⑤工業団地" in answer.citations[0].quote, answer.answer


def test_where_is_answered_by_the_place_an_event_is_held_at(assistant: Assistant) -> None:
    # 「大阪・関西万博では、…プロモーションイベントを９月24日(水)に開催。」 says where with では, not で開催.
    answer = ask_chain(assistant, "サーキュラーエコノミーのイベントはいつ？", "場所はどこ？")
    assert "大阪・関西万博では" in answer.citations[0].quote, answer.answer


def test_asking_for_a_directory_of_companies_finds_the_data_book(assistant: Assistant) -> None:
    answer = assistant.ask("Do you have a database of hydrogen-related firms in Kansai?")
    assert "水素関連企業データ集" in answer.citations[0].quote, answer.answer


def test_a_target_is_answered_with_its_figure_not_its_label(assistant: Assistant) -> None:
    # The slide labels its targets (目標 ①CE実践者コミュニティの拡充) above the figures (100者まで拡大): the label
    # says 目標 but sets no figure to reach.
    answer = assistant.ask("Rethink Designって何を目標にしてるの？")
    assert "100者" in answer.answer or "80兆円" in answer.answer, answer.answer


@pytest.mark.parametrize(("question", "fact"), [
    # "workers" names who is hired; only "how many workers" asks for a head count the slides may not give.
    ("Is there support for firms taking on foreign workers with high skills?", "高度外国人材"),
    # What a term is called in Japanese asks for its definition line (eVTOL：電動垂直離着陸機), not a language.
    ("eVTOLは日本語だとどういう意味？", "電動垂直離着陸機"),
    ("What's the Japanese term for eVTOL?", "電動垂直離着陸機"),
    # ３度開催 counts times as 3回 does.
    ("Rethink Designの交流会やフォーラムは何回開かれた？", "３度"),
    # "which cities" asks where as "which city" does.
    ("In which cities are the hydrogen demonstration candidate sites?", "播磨"),
    # What a programme has done (してきた) asks for its past years' work.
    ("バッテリー人材のコンソーシアムは何をしてきましたか？", "教育プログラム"),
    # The slide calls them ワーキンググループ once and WG in its diagram (育成WG, 需要喚起・情報発信WG, …).
    ("バイオのワーキンググループはどんなのがある？", "需要喚起・情報発信WG"),
    # "what are the …s" and "which working groups" ask for the list as どんなのがある does.
    ("Which working groups does the bio steering committee have?", "需要喚起・情報発信WG"),
    ("For the bio manufacturing push, what are the working groups?", "需要喚起・情報発信WG"),
    # "which office of" an organisation asks its branch (大阪本部, 関西センター), as "which office" asks a division.
    ("What office of AMED is a member of Kansai Kyoso no Mori?", "西日本統括部"),
    # どんなのがある asks what there is, a list: (1)人材活用ガイドラインセミナー(2)テーマ別セミナー…
    ("人材確保の取組で、経営者向けのセミナーってどんなのがある？", "人材活用ガイドライン"),
    ("中小企業のGX支援、どういう切り口のアプローチを取るのか教えて", "工業団地"),  # the six approaches
    ("Global Startup EXPOのテーマを教えてほしい", "健康と長寿"),  # the five themes
    ("スタートアップの万博イベント、テーマおしえて", "健康と長寿"),  # を left out, as casual Japanese does
    ("面的GXのアプローチ知りたい", "①支援機関"),
    # "When we …" opens a clause; it asks no date (a date the slide does not state had turned it away).
    ("When we talk prices with big buyers, is there a guideline on labour costs the bureau promotes? What's its "
     "name?", "労務費指針"),
    ("バイオものづくりの重点分野は？", "需要喚起"),  # the three focus fields, listed
    ("Do buyers sign some kind of pledge to treat suppliers fairly?", "パートナーシップ構築宣言"),
    # What activities a year holds asks for the list announced for it (令和7年度は以下の活動を柱として…).
    ("What activities does the battery consortium plan this year?", "実施校拡大"),
    ("蓄電池のコンソーシアム、今年度はどういう活動をする予定？", "実施校拡大"),
    # Which seminars there are (どんなセミナーがある): the numbered list of them, not a sentence naming seminars.
    ("人材確保の総合力向上の取組では、どんなセミナーがありますか", "人材活用ガイドラインセミナー"),
    # Besides one thing (けいはんな以外): the line naming it lists the others (「うめきた」, 神戸医療産業都市).
    ("共創の森の取組で、けいはんな以外に名前が出てる地域はどこ？", "「うめきた」"),
])
def test_a_fact_asked_in_other_words_is_still_found(assistant: Assistant, question: str, fact: str) -> None:
    answer = assistant.ask(question)
    assert not answer.abstained and fact in answer.answer, answer.answer


def test_where_after_a_noun_asks_no_place(assistant: Assistant) -> None:
    # "events where newcomers can meet" describes the events; it does not ask where they are held.
    answer = assistant.ask("Are there any events where newcomers to the hydrogen industry can meet people?")
    assert "交流ラウンジ" in answer.citations[0].quote, answer.answer


def test_a_numbered_heading_named_is_answered_by_its_items_wherever_the_extraction_put_them(
        assistant: Assistant) -> None:
    # The slide's ② プランにおける基本的な取組姿勢 box holds （１）…（４）; the PDF text gives the items before the heading.
    answer = assistant.ask("アジアビジネス共創推進プランで大事にしている基本的な取組姿勢って何？")
    first = answer.citations[0].quote
    assert first.startswith("（１）イーコールパートナーシップ") and "アジャイル" in first, answer.answer


def test_a_request_after_a_question_mark_asks_too(assistant: Assistant) -> None:
    # 「…は？それと…も知りたいです」: the closing request has no question mark and still asks.
    answer = assistant.ask("Global Startup EXPOの会場は？あと使用言語も教えて")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "WASSE" in quotes and "英語" in quotes, answer.answer


@pytest.mark.parametrize(("question", "date"), [
    ("What's the publication date of the growth potential map?", "2025/6/19"),
    ("I need the dates for Global Startup EXPO, please.", "9月17日"),
])
def test_date_or_dates_in_english_asks_for_a_date(assistant: Assistant, question: str, date: str) -> None:
    answer = assistant.ask(question)
    assert date in " ".join(c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["What is the Kansai DX award called?",
                                      "Name of the DX award run by METI Kansai?"])
def test_a_name_in_latin_capitals_answers_what_something_is_called(assistant: Assistant, question: str) -> None:
    # KANSAI DX AWARD is written without 「」 on the slide: a run of words in Latin capitals is a name too.
    answer = assistant.ask(question)
    assert "KANSAI DX AWARD" in " ".join(c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["How big is the battery industry cluster in Kansai?",
                                      "蓄電池関連の産業は関西にどれぐらい集積してますか"])
def test_how_large_is_answered_by_a_magnitude_not_a_date(assistant: Assistant, question: str) -> None:
    # 令和4年8月 holds digits but no size; 約4割 is the size asked.
    answer = assistant.ask(question)
    assert "約4割" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["外国人雇用の支援、ターゲット層にはどんな区分がある？",
                                      "Is the foreign staff support only for advanced employers?"])
def test_words_found_only_in_a_diagrams_labels_are_quoted_with_the_labels_beside_them(
        assistant: Assistant, question: str) -> None:
    # ビギナー and アドバンスド are written nowhere but in the target diagram's boxes: the labels side by side
    # are the only quote that shows them, with the boxes under them that say what each tier is.
    answer = assistant.ask(question)
    assert any("ビギナー" in c.quote and "アドバンスド" in c.quote and "これから外国人雇用に取り組む企業" in c.quote
               for c in answer.citations), answer.answer


def test_asking_whom_help_is_for_is_answered_by_the_slides_target_tiers(assistant: Assistant) -> None:
    # The slide names its target (ターゲット層) in its own word, not 対象: the tiers answer 「どんな企業が対象？」.
    answer = ask_chain(assistant, "外国人材の活躍支援について知りたい", "うちみたいな会社も対象になる？どんな企業向け？")
    assert any("ビギナー" in c.quote and "アドバンスド" in c.quote for c in answer.citations), answer.answer


def test_a_beginner_is_shown_the_diagram_of_tiers(assistant: Assistant) -> None:
    # A box of the diagram fits the asker (これから外国人雇用に取り組む企業) and is quoted with its labels.
    answer = assistant.ask("海外出身のエンジニアを採用したいが、外国人を雇った経験がまったくない")
    assert any("ビギナー" in c.quote and "これから外国人雇用" in c.quote for c in answer.citations), answer.answer


def test_a_beginner_writing_in_kana_is_a_beginner_too(assistant: Assistant) -> None:
    # はじめて is 初めて in the dictionary's headwords: the asker's kind is read however they write it.
    answer = assistant.ask("うちは外国人の採用がはじめてなんですが、手伝ってもらえますか")
    assert any("ビギナー" in c.quote and "これから外国人雇用" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", [
    "介護施設を運営しています。ネパール出身の留学生を採用する予定ですが、外国籍のスタッフを雇ったことは一度もありません",
    "兵庫で金型を作っている会社です。外国の人を雇うのはうちは初めてで、何を準備したらいいのか",
    # これまで here tells the asker's own past, not a question about the bureau's record (its years' rows).
    "介護施設を運営しています。ネパール出身の留学生を採用する予定ですが、外国籍のスタッフはこれまで一度もいません",
    "We run a bakery and want to recruit an international graduate, but we have never employed a foreigner.",
    # "Where do we start" asks how to begin, not for a place.
    "Our small printing firm has never taken on staff from overseas. Where do we start if we want to hire one?"])
def test_a_first_foreign_hire_told_in_words_of_its_own_is_shown_the_beginners_tier(
        assistant: Assistant, question: str) -> None:
    # A foreign person, hiring and a first time, each said anywhere in the asker's own words (no phrase of the
    # glossary's list): the diagram's box for firms about to start (ビギナー) is quoted, not the list of the
    # consortium's members that names the asker's prefecture.
    answer = assistant.ask(question)
    assert any("ビギナー" in c.quote and "これから外国人雇用" in c.quote for c in answer.citations), answer.answer
    assert not any(c.quote.startswith("構成機関") for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["技術流出の対策って、どういった企業向けの取組なん？",
                                      "技術流出対策のセミナーはどんな会社がターゲットですか"])
def test_asking_what_kind_of_firm_something_is_for_is_answered_by_its_target(
        assistant: Assistant, question: str) -> None:
    # どういった企業向け and ターゲット ask whom it is for, as 対象は does: the slide's 【対象候補企業】 answers.
    answer = assistant.ask(question)
    assert any("スタートアップ企業" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["Kansai Companies Profileとは何ですか",
                                      # several Latin words the slides write, asked what they are
                                      "What's the Kansai Companies Profile?"])
def test_asked_what_a_boxs_title_is_the_box_under_it_answers(assistant: Assistant, question: str) -> None:
    # 「The Kansai Companies Profile」 stands alone on its line over the box saying what it is: asked what it is,
    # the title is quoted with the box (110社を掲載, as of 令和7年3月), not only the lines that mention it.
    answer = assistant.ask(question)
    assert any(c.quote.startswith("The Kansai Companies Profile 関西地域") and "110社" in c.quote
               for c in answer.citations), answer.answer


@pytest.mark.parametrize("turns", [("DXの5つの要素って何？", "サイバーセキュリティの支援ってある？"),
                                   ("DX推進の目標は何社？", "セキュリティ面の支援は？")])
def test_asking_what_help_exists_is_answered_by_the_measures_on_offer(
        assistant: Assistant, turns: tuple[str, str]) -> None:
    # The help on the slide of concrete measures (お助け隊), not the element's aim in the document's words.
    answer = ask_chain(assistant, *turns)
    assert any("お助け隊" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize(("question", "offered"), [
    ("外国人エンジニアの採用を考えている中小企業です。手伝ってもらえるところはありますか", "包括的な支援を実施"),
    ("留学生を採用したいんですが、サポートしてもらえますか", "包括的な支援を実施"),
    ("DXの支援は具体的にどんなものがあるの？", "DXゼミナール"),
    ("DXでどんな手伝いがありますか", "DXゼミナール"),
    ("外国人の採用でどんな手伝いが受けられる？", "包括的な支援を実施"),
    ("留学生を雇いたい。何か手伝いはある？", "包括的な支援を実施"),
])
def test_asking_for_help_in_any_words_is_answered_by_what_is_done(
        assistant: Assistant, question: str, offered: str) -> None:
    # 手伝ってもらえる, どんな手伝い, サポートしてもらえる, 具体的にどんなものがある ask what help exists as 支援ってある does: the sentence
    # saying what is done (…包括的な支援を実施) or the slide of concrete measures answers, not the aims.
    answer = assistant.ask(question)
    assert any(offered in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("turns", [("DXを進めたいんやけど", "ハッキング対策のほうは何してくれるん？"),
                                   ("Does the bureau help with digital transformation?",
                                    "And what is there for cyber security?")])
def test_the_measures_a_column_lists_are_quoted_together(assistant: Assistant, turns: tuple[str, str]) -> None:
    # The slide of concrete measures lists three for cyber security; the middle one (リスク分析ワークショップ)
    # never says サイバー, but sits between two that do: all three are shown, in one quote.
    answer = ask_chain(assistant, *turns)
    assert any("リスク分析ワークショップ" in c.quote and "お助け隊" in c.quote and "ネットワーク活動" in c.quote
               for c in answer.citations), answer.answer


@pytest.mark.parametrize(("question", "heading"), [("市役所の者ですが、地元工場の脱炭素を庁内の部署横断で進めたい", "自治体アプローチ"),
                                                 ("無料の講師派遣ってGX支援のどのアプローチ？", "業界アプローチ"),
                                                 # its heading comes after the box in the text of the two columns
                                                 ("中小企業のGX支援に、銀行や信金も関わってるの？", "金融機関アプローチ")])
def test_a_box_under_one_of_a_set_of_headings_is_quoted_under_its_heading(
        assistant: Assistant, question: str, heading: str) -> None:
    # The six approaches of the GX project each head a box; the box alone does not say which approach it is.
    answer = assistant.ask(question)
    assert answer.citations[0].quote.startswith(f"{heading} "), answer.answer


def test_asking_whether_there_is_an_initiative_for_a_need_is_answered_by_its_measures(assistant: Assistant) -> None:
    # 取り組みはある？ asks what there is for the asker, as 支援はある？ does: the seminars, not the aims.
    answer = assistant.ask("人手が足りない中小企業のための取り組みはある？")
    assert "セミナー" in answer.citations[0].quote, answer.answer


def test_how_many_firms_typed_half_in_kana_asks_the_count(assistant: Assistant) -> None:
    # なん社 is 何社 typed with its 何 in kana (the IME's slip, or Kansai speech).
    assert "110社" in assistant.ask("Kansai Companies Profileには今なん社載ってるの？").answer


@pytest.mark.parametrize("question", ["Kansai Companies Profileの掲載企業って50社は超えてる？",
                                      "Are there more than 50 firms in The Kansai Companies Profile?"])
def test_asking_whether_a_count_passes_a_mark_asks_the_count(assistant: Assistant, question: str) -> None:
    # A yes or no on a threshold (N社超え, more than N) is answered by the count the slides give.
    assert "110社" in assistant.ask(question).answer


def test_where_asked_of_a_place_the_asker_names_is_answered_by_the_line_naming_it(assistant: Assistant) -> None:
    # The asker names 播磨 and asks where: the one line naming 播磨 pins it down, where lines naming other
    # places (ドイツ・ハンブルグ) would otherwise answer 'where'.
    answer = assistant.ask("播磨で水素発電の実証をやるって聞いたけど、どのあたりの話？")
    assert "播磨臨海部" in answer.citations[0].quote, answer.answer


def test_firms_counted_as_parties_answer_how_many_firms(assistant: Assistant) -> None:
    # Official counts of businesses often use 者 (parties: 100者), not 社: 何社 is answered, not turned away.
    answer = assistant.ask("サーキュラーエコノミーの会員企業は何社まで増やすの？")
    assert not answer.abstained and "100者" in answer.answer, answer.answer


@pytest.mark.parametrize("question", ["eVTOLの取組は最終的にどこを目指してるの？",
                                      "What is the eVTOL work aiming for in the end?"])
def test_what_an_initiative_aims_for_is_answered_by_its_goal(assistant: Assistant, question: str) -> None:
    # 目指す asks for the goal as 目標 does; the slide calls it 最終ゴール.
    assert "社会実装先行地域" in assistant.ask(question).citations[0].quote


@pytest.mark.parametrize("question", ["スタートアップの国際カンファレンスについて教えて", "What is the startup conference at the Expo about?"])
def test_an_event_asked_about_in_general_says_when_it_is(assistant: Assistant, question: str) -> None:
    # Whatever else is quoted about an event, its outline's date (■日 付：2025年9月17日…) says when it is.
    answer = assistant.ask(question)
    assert any("9月17日" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["DXゼミナールの次の開催はいつ？", "When is the next hydrogen lounge event?"])
def test_the_next_session_of_an_event_is_not_stated(assistant: Assistant, question: str) -> None:
    # The slides give the year's plan and never a next session: no date is offered as if it were one.
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts, answer.answer


def test_places_a_question_names_are_answered_by_the_lines_naming_them(assistant: Assistant) -> None:
    # 播磨臨海部 and 堺・泉北 are each named on one line of the hydrogen diagram; the project's aims name neither.
    answer = assistant.ask("播磨臨海部と堺泉北では、それぞれどんな水素の計画があるんですか")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "水素発電実証" in quotes and "アンモニア" in quotes, answer.answer


@pytest.mark.parametrize("question", ["下請法の改正内容を教えて",
                                      "What changed in the latest amendment of the subcontracting act?"])
def test_how_a_law_was_amended_is_not_in_the_document(assistant: Assistant, question: str) -> None:
    # The slides say what the bureau does under the subcontracting act, never how the act was changed.
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts, answer.answer


@pytest.mark.parametrize("question", ["近畿総合通信局の5G導入支援について知りたいです",
                                      "近畿農政局の6次産業化の支援について教えてほしい",
                                      "近畿運輸局との合同の取り組みってある？"])
def test_another_ministrys_bureaus_support_is_not_in_the_document(assistant: Assistant, question: str) -> None:
    # The slides name one such bureau only as a partner of the Kinki bureau's own work, never their schemes.
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts, answer.answer


def test_a_joint_event_with_another_ministrys_bureau_is_still_answered(assistant: Assistant) -> None:
    answer = assistant.ask("近畿総合通信局との合同説明会ではどんな補助金の話がある？")
    assert not answer.abstained and "IT導入補助金" in answer.answer, answer.answer


def test_a_bureau_the_document_names_as_a_member_is_answered_in_english(assistant: Assistant) -> None:
    # 大阪出入国在留管理局 is one of the consortium's members: asked in English, it is the member list, not another
    # ministry's bureau the slides never name.
    answer = assistant.ask("Is the Osaka immigration bureau a member of the Kansai consortium for foreign talent?")
    assert not answer.abstained and any("大阪出入国在留管理局" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["中堅企業って社員何人以下の会社のこと？", "従業員何人以下なら中堅企業に入るの？"])
def test_an_asking_word_mecab_reads_as_one_token_still_asks(assistant: Assistant, question: str) -> None:
    # 何人 is 何 + 人 in 何人？ but one word in 社員何人以下; either way it asks for a head count, which the slides
    # never give for 中堅企業.
    answer = assistant.ask(question)
    assert answer.abstained and not answer.contacts, answer.answer


@pytest.mark.parametrize("question", ["DAYSはこれまでに何回開かれた？", "共創の森のDAYS、今までの開催回数は？"])
def test_a_count_asked_up_to_now_quotes_each_years_row(assistant: Assistant, question: str) -> None:
    # Not the latest year's row alone, which would read as the whole.
    answer = assistant.ask(question)
    rows = [c.quote for c in answer.citations if c.quote.startswith(("2022年度", "2023年度", "2024年度"))]
    assert [row[:6] for row in rows] == ["2022年度", "2023年度", "2024年度"], answer.answer


def test_a_count_of_labels_asked_bare_asks_for_the_list(assistant: Assistant) -> None:
    # 「その重点３分野って？」 asks what the three are, with no 何 to say so.
    answer = ask_chain(assistant, "関西のバイオものづくりの推進体制について知りたい", "その重点３分野って？")
    assert all(field in answer.answer for field in ("育成", "需要喚起・情報発信", "オープンイノベーション・マッチング")), answer.answer


def test_pointing_at_the_document_itself_asks_for_no_reading_material(assistant: Assistant) -> None:
    # 資料によると says where to look: the places are asked for, not a data book (資料 alone asks for one).
    answer = assistant.ask("資料によると、水素の大規模な拠点の候補になっている場所はどこ？")
    quoted = " ".join(c.quote for c in answer.citations)
    assert "播磨臨海部" in quoted and "堺・泉北" in quoted, answer.answer
    assert "データ集" not in quoted, answer.answer


def test_a_polite_question_before_another_asks_too(assistant: Assistant) -> None:
    # 「…いつですか。」 ends on its particle and a full stop, not a question mark: it still asks.
    answer = assistant.ask("BiocKが設立されたのはいつですか。また、連携機関の数も知りたいです。")
    assert "2021年7月1日" in answer.answer and "108機関" in answer.answer, answer.answer


def test_a_name_asked_among_many_is_the_one_the_askers_words_pick(assistant: Assistant) -> None:
    # Most DX lines hold a name (「D」デジタル化, DX（…）); the award is the one naming an award.
    answer = ask_chain(assistant, "中堅・中小企業のDX推進について教えて", "And the award they hold, what is it called?")
    assert "KANSAI DX AWARD" in answer.citations[0].quote, answer.answer


def test_an_asking_word_typed_in_the_wrong_kanji_of_its_sound_still_asks(assistant: Assistant) -> None:
    # 開催値 (かいさいち) is no word of the document: it is 開催地 mistyped, and asks where.
    answer = assistant.ask("グローバルスタートアップエキスポの開催値はどこ？")
    assert any("EXPOメッセ" in c.quote for c in answer.citations), answer.answer


def test_which_trade_show_asks_its_name_with_words_between(assistant: Assistant) -> None:
    answer = assistant.ask("Which expo in Germany did the hydrogen team go to?")
    assert "EUROPE 2024" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["Kansai's biomanufacturing push names three priority fields. What are they?",
                                      "バイオものづくりの体制には重点分野が３つあるらしい。それは何？"])
def test_a_question_pointing_at_the_sentence_before_asks_what_it_says(assistant: Assistant, question: str) -> None:
    # "What are they?" asks nothing alone: the three fields are what the sentence before it names.
    answer = assistant.ask(question)
    assert any("需要喚起・情報発信" in c.quote and "育成" in c.quote for c in answer.citations), answer.answer


def test_which_angles_asks_for_the_approaches(assistant: Assistant) -> None:
    # 切り口 is how people say アプローチ: the slide's six approaches are the list asked for.
    answer = assistant.ask("中小企業の脱炭素を地域でまとめて後押しするとき、どういう切り口があるの？")
    assert any("6つのアプローチ" in nfkc(c.quote) for c in answer.citations), answer.answer


def test_a_box_is_found_by_the_heading_set_after_it(assistant: Assistant) -> None:
    # 金融機関アプローチ follows its box in the extracted text: asked by that name, the box answers, not the
    # heading beside the next one's (金融機関アプローチ 自治体アプローチ).
    answer = ask_chain(assistant, "中小企業のGXを支援するプロジェクトについて", "金融機関アプローチって具体的には？")
    assert "支店長" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["水素の仕事に参入したいんやけど、国の支援ってなんかある？", "支援ってなんかありますか"])
def test_is_there_anything_does_not_ask_which_kinds(assistant: Assistant, question: str) -> None:
    # なんかある (何かある: is there anything?) is not 何がある (which kinds are there): its particle is か.
    question_read = assistant.conversation.router.read(question)
    assert "kinds" not in {t.name for t in question_read.asked}


def test_a_numbered_measure_is_quoted_under_its_boxs_heading(assistant: Assistant) -> None:
    # (3) 副業・兼業人材の… alone does not say whom it is for: its box's heading (…（経営支援機関向け）) does.
    answer = assistant.ask("副業・兼業の人材を活用するための支援って何かやってますか？")
    quote = next(c.quote for c in answer.citations if "副業・兼業" in c.quote)
    assert quote.startswith("経営支援機関との連携による面的支援（経営支援機関向け） (3)"), answer.answer


def test_a_boxs_heading_is_quoted_with_its_numbered_measures(assistant: Assistant) -> None:
    answer = ask_chain(assistant, "人手不足で悩んでます。国の支援はありますか", "経営支援機関向けには何やるん？")
    assert any("（経営支援機関向け）" in c.quote and "(1)" in c.quote and "(2)" in c.quote for c in answer.citations), \
        answer.answer


@pytest.mark.parametrize(("question", "done"), [
    ("蓄電池の人材育成コンソーシアムについて知りたい", "バッテリー教育"),  # its pillars, not why batteries matter
    ("バイオものづくりの推進体制について教えて", "ステアリングコミッティ"),  # the committee it sets up
    ("eVTOLの社会実装の取組について教えて", "商用運航ルート"),  # the routes it works towards, not its council's name
])
def test_what_something_does_asked_as_a_whole_is_answered_by_what_is_done(
        assistant: Assistant, question: str, done: str) -> None:
    answer = assistant.ask(question)
    assert any(done in c.quote for c in answer.citations), answer.answer


def test_what_is_being_done_asked_with_nani_wo_is_answered_by_the_measures(assistant: Assistant) -> None:
    # 何をやってる asks what is done: the slide of measures answers, not the aim of cyber security alone.
    answer = assistant.ask("DX支援のうち、サイバーセキュリティ関係では何をやってるんですか？")
    assert any("リスク分析ワークショップ" in c.quote for c in answer.citations), answer.answer


def test_a_statement_of_importance_is_background_not_what_is_done(assistant: Assistant) -> None:
    # 「蓄電池（バッテリー）は、…として重要な産業。」 says why the consortium exists, not what it does.
    answer = assistant.ask("Is the Kinki bureau doing anything on battery skills?")
    assert not any("重要な産業" in c.quote for c in answer.citations), answer.answer


def test_those_things_asked_in_english_asks_for_the_list(assistant: Assistant) -> None:
    # "What are those approaches?" after the GX project asks for the six approaches, as "what are its approaches" does.
    answer = ask_chain(assistant, "Does the bureau help small firms with decarbonisation?", "What are those approaches?")
    assert any("工業団地" in c.quote and "金融機関" in c.quote for c in answer.citations), answer.answer


def test_measures_quoted_together_keep_their_boxs_heading(assistant: Assistant) -> None:
    # (1) … (2) 合同説明会… chosen for (2) is still quoted under 人材戦略実践支援（中小企業向け）.
    answer = assistant.ask("人材確保の説明会ってどんなのがある？")
    quote = next(c.quote for c in answer.citations if "天下一合説" in c.quote)
    assert quote.startswith("人材戦略実践支援（中小企業向け）"), answer.answer


@pytest.mark.parametrize(("question", "row"), [
    ("共創の森のDAYS、2024ねんどは何かいひらかれた？", "2024年度 6回"),  # a year and a count with kana counters
    ("DAYSは2022ねんどに何かいあった？", "2022年度 2回"),
])
def test_a_counter_typed_in_kana_counts_as_in_kanji(assistant: Assistant, question: str, row: str) -> None:
    # ねんど after a number is 年度 and かい after 何 is 回: the year's row with its count answers.
    answer = assistant.ask(question)
    assert row in answer.citations[0].quote, answer.answer


def test_the_items_of_a_list_announced_for_a_year_are_that_years(assistant: Assistant) -> None:
    # 令和7年度は以下の活動を柱として… announces ①–⑤ without their naming the year: asked what is planned this
    # year, the items answer, not the sentence that only names the year.
    answer = assistant.ask("バッテリー人材のコンソーシアムって、今年度は具体的に何に取り組むの？")
    assert any(c.quote[0] in "①②③④⑤" for c in answer.citations[:2]), answer.answer


def test_a_company_list_is_answered_by_the_line_saying_how_many_it_lists(assistant: Assistant) -> None:
    # A directory "lists" (掲載) its firms: the line giving its 110 firms answers 名簿, not the aims around it.
    answer = assistant.ask("海外の取引先を探してる。関西企業を紹介する企業リストってあるの？")
    assert any("110社" in c.quote for c in answer.citations), answer.answer


def test_what_a_body_does_asked_with_koto_wa_is_not_asking_what_a_word_means(assistant: Assistant) -> None:
    # 「やっていることは？」 ends in こと + は: not 「〜とは？」, so the CPs footnote (※CPs･･･) is no answer.
    answer = assistant.ask("古着を回収して再生する事業をやっています。循環型の取組で局がやっていることは？")
    assert not answer.citations[0].quote.startswith("※"), answer.answer


def test_a_labelled_award_is_found_from_the_everyday_word_for_it(assistant: Assistant) -> None:
    # The slide names the award in capitals (KANSAI DX AWARD): 表彰 is how people ask for it.
    answer = assistant.ask("DXの取組を表彰してくれる場はある？")
    assert any("AWARD" in c.quote for c in answer.citations[:2]), answer.answer


def test_whether_spending_on_a_measure_pays_is_answered_where_a_slide_weighs_cost_against_investment(
        assistant: Assistant) -> None:
    # 費用をかける asks whether to spend, not a fee: the slide's 「コスト」ではなく「投資」 answers it.
    answer = ask_chain(assistant, "経済安全保障のことを教えて", "そういう対策に費用をかけるのは割に合うの？")
    assert not answer.abstained and "投資" in answer.citations[0].quote, answer.answer
    assert assistant.ask("省エネ診断の費用はいくら？").abstained  # a fee is still one the slides never state


def test_what_a_word_means_is_answered_by_its_definition_not_by_a_line_with_figures(assistant: Assistant) -> None:
    # 何のこと asks what a word means; a figure (2030年に向けた…) answers a fact, not that.
    answer = assistant.ask("バイオものづくりの意味がわからないんだけど、何のこと？")
    assert "とは" in answer.citations[0].quote, answer.answer


def test_a_charts_figures_are_quoted_under_the_caption_saying_what_they_measure(assistant: Assistant) -> None:
    # 「アジア, 52.04%」 alone says neither exports nor the year; under its caption (…輸出・輸入の比較（2024年）) it does.
    answer = assistant.ask("関西からの輸出って、アジア向けが全体の何割くらい？日本全体と比べて多い？")
    charted = next((c.quote for c in answer.citations if "52.04%" in c.quote), "")
    assert "輸出" in charted and "62.29%" in charted, answer.answer


def test_a_plain_question_about_a_plan_is_answered_by_what_it_is_for_not_by_its_numbered_stances(
        assistant: Assistant) -> None:
    # A heading that repeats the plan's name (① …プランの必要性) is not named by asking about the plan; the
    # numbered stances come when the stance is asked for, after the heading that announces them.
    answer = assistant.ask("アジアの国々との商売を後押ししてくれる計画って、何かありますか？")
    assert answer.citations and not answer.citations[0].quote.startswith("（１）"), answer.answer
    stances = ask_chain(assistant, "アジアのプランってある？", "どういう姿勢で取り組むつもりなん？")
    assert any("アジャイルな取組" in c.quote for c in stances.citations), stances.answer


@pytest.mark.parametrize(("question", "year"), [
    ("水素のインフラ拠点、いつまでに供給を始めるのを目指してる？", "2030年"),
    ("バイオものづくりの方向性はいつを目標に検討されていますか", "2030年"),
])
def test_when_something_is_aimed_for_is_answered_by_its_target_year(
        assistant: Assistant, question: str, year: str) -> None:
    # The slides give the target as a year alone (2030年の…供給・利用開始を目指した), no month or day.
    answer = assistant.ask(question)
    assert not answer.abstained and year in answer.citations[0].quote, answer.answer



def test_when_something_is_aimed_for_asked_in_english_is_not_taken_for_a_day(assistant: Assistant) -> None:
    # "When … aiming" asks a year, as いつ…目指す does: the slides' 2030年 (no month or day) answers it.
    answer = assistant.ask("When is the hydrogen project aiming to have low-carbon hydrogen supplied?")
    assert not answer.abstained and any("2030年" in c.quote for c in answer.citations), answer.answer


def test_a_firms_revenue_is_not_stated_where_only_a_list_of_firms_is(assistant: Assistant) -> None:
    # The Kansai Companies Profile lists 110 firms; no slide of that initiative states what they sell.
    assert assistant.ask("The Kansai Companies Profileの掲載企業の売上高はわかりますか").abstained
    assert assistant.ask("データ集に載ってる水素の会社の年商は？").abstained  # 年商: MeCab reads 年 + 商う
    answer = assistant.ask("関西では中堅企業が総売上高のどれくらいを占めてるの？")
    assert not answer.abstained and "19.37" in answer.answer, answer.answer


@pytest.mark.parametrize("question", ["水素の資料にハンブルグって載ってる？", "水素の資料でハンブルグは出てきますか"])
def test_the_slides_named_as_where_to_look_ask_for_no_reading_materials(assistant: Assistant, question: str) -> None:
    # 「水素の資料に」 says where to look; it does not ask for the hydrogen firms' data book (データ集).
    answer = assistant.ask(question)
    assert "ハンブルグ" in answer.citations[0].quote, answer.answer


@pytest.mark.parametrize("question", ["中堅企業がスタートアップと組むメリットは？", "スタートアップと組んだら中堅企業にどんな得がある？"])
def test_what_one_gains_is_answered_by_the_box_listing_the_merits(assistant: Assistant, question: str) -> None:
    # The slide lists each side's merits under ＜中堅企業側の共創メリット＞; its other lines only say why mid-size
    # firms matter (中堅企業元年, their share of sales), which the question's words suit as well.
    answer = assistant.ask(question)
    assert answer.citations[0].quote.startswith("＜中堅企業側の共創メリット＞ 外部ノウハウの活用"), answer.answer


def test_a_partner_told_in_the_askers_own_words_brings_the_merits_of_working_with_one(assistant: Assistant) -> None:
    # No 共創 or メリット asked: a mid-size firm that wants a new business with know-how from outside is shown
    # what working with an outside partner brings it (外部ノウハウの活用), not only why mid-size firms matter.
    answer = assistant.ask("従業員300人ほどの中堅メーカーです。社外の知恵を借りて新しい事業を立ち上げたい")
    assert any("外部ノウハウの活用" in c.quote for c in answer.citations), answer.answer


def test_a_count_is_quoted_with_the_date_it_holds_at(assistant: Assistant) -> None:
    # …中堅・中小企業110社を掲載 / ※令和7年3月現在: the note under the figure says when it was so.
    answer = assistant.ask("The Kansai Companies Profileに載っている会社は何社ありますか？")
    quote = next(c.quote for c in answer.citations if "110社" in c.quote)
    assert quote.endswith("※令和7年3月現在"), answer.answer


@pytest.mark.parametrize("question", ["中堅企業の売上の割合って、どこの調査の数字ですか？",
                                      "中堅企業が関西の売上の19％を占めるというのは何のデータ？"])
def test_which_survey_a_figure_comes_from_is_answered_by_the_slides_source_note(assistant: Assistant,
                                                                                question: str) -> None:
    answer = assistant.ask(question)
    assert "帝国データバンク" in answer.answer and all("帝国データバンク" not in c.quote for c in answer.citations), \
        answer.answer


@pytest.mark.parametrize("turns", [("関西・共創の森はいつまでの予定？", "どうして期限が延ばされたの？"),
                                   ("関西・共創の森って、なんで期間が延びたん？",)])
def test_why_is_answered_by_the_sentence_giving_the_reason(assistant: Assistant, turns: tuple[str, ...]) -> None:
    # 延ばす / 延びる are the slide's 延長; the reason is the sentence saying from what standpoint (観点から).
    answer = ask_chain(assistant, *turns)
    assert "万博出展支援の観点から" in answer.citations[0].quote, answer.answer


def test_a_new_kind_of_solar_cell_named_by_its_material_is_found_in_the_maps_fields(assistant: Assistant) -> None:
    answer = assistant.ask("ペロブスカイトもポテンシャルマップの分野に入ってる？")
    assert any("次世代太陽電池" in c.quote for c in answer.citations), answer.answer


def test_a_diagram_label_ending_on_no_is_read_with_the_line_it_runs_on_to(assistant: Assistant) -> None:
    # 外国人雇用 / 企業の対応スキルの / 強化及び裾野拡大 is one label: its tail is not glued to the next line's
    # record of activities (強化及び裾野拡大 令和6年度の活動実績：…).
    answer = assistant.ask("初めて外国人を採用する中小企業でも支援の対象になりますか？")
    assert not any(c.quote.startswith("強化及び裾野拡大") for c in answer.citations), answer.answer


def test_a_one_person_business_left_unpaid_is_shown_the_freelance_act(assistant: Assistant) -> None:
    # 一人でやってる (working alone) and 払ってくれへん (Kansai for 払ってくれない) are the freelancer's situation.
    answer = assistant.ask("一人でやってるカメラマンやけど、依頼主がなかなかお金を払ってくれへん")
    assert answer.contacts[0].phone == "06-6966-6037", answer.answer
    assert any("フリーランス" in c.quote for c in answer.citations), answer.answer


def test_how_a_firm_gets_included_asks_how_it_is_chosen(assistant: Assistant) -> None:
    # "get included" asks the selection, as "get picked" does: 掲載企業は、…受賞企業を対象に募集及び…推薦企業.
    # The as-of note above that line (※令和7年3月現在) belongs to the count before it, and starts no quote.
    answer = ask_chain(assistant, "What is The Kansai Companies Profile?", "How does a firm get included in it?")
    assert answer.citations[0].quote.startswith("掲載企業は"), answer.answer
