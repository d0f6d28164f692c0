"""The loader on real lines of the document: slide boundaries, titles, parents, line-wrap repair."""

from assistant.corpus import Document
from assistant.normalize import nfkc


def titles(document: Document) -> list[str]:
    return [s.title for s in document.sections]


def test_slides_are_found_with_their_printed_page_numbers(document: Document) -> None:
    pages = {s.title: s.page for s in document.sections}
    assert len(document.sections) == 27
    # The only printed page number in the body is "4", before the bio slide.
    assert pages["世界をリードするバイオものづくり産業創出と社会実装に向けた推進体制の構築"] == 4
    assert pages["問合せ先"] == 27
    assert [s.kind for s in document.sections[:2]] == ["overview", "contents"]


def test_slide_after_three_blank_lines_without_a_leading_space(document: Document) -> None:
    assert "関西・アジアビジネス共創推進プランの促進" in titles(document)
    assert "（参考）Rethink Designプロジェクトについて" in titles(document)


def test_reference_slides_belong_to_the_initiative_before_them(document: Document) -> None:
    by_title = {s.title: s for s in document.sections}
    assert by_title["（参考）バイオコミュニティ関西（BiocK）について"].initiative.startswith("世界をリードするバイオ")
    assert by_title["（参考）各要素の具体的支援策"].initiative.endswith("（イ）中堅・中小企業のDX推進")


def test_title_extracted_mid_slide_is_found(document: Document) -> None:
    # The DX slide's body comes first and its title last in the extraction.
    dx = next(s for s in document.sections if s.title.endswith("（イ）中堅・中小企業のDX推進"))
    assert dx.title.startswith("成長意欲のある地域の中核企業への重点支援")
    assert "DX認定取得企業を300社まで拡大" in dx.text
    assert "成長意欲のある地域の中核企業への重点支援" not in dx.text  # the title is not body text


def test_sub_items_are_initiatives_of_their_own(document: Document) -> None:
    names = [i.title for i in document.initiatives()]
    assert len(names) == 18
    assert sum(n.startswith("産業人材育成等を通じた地域における人材確保（") for n in names) == 3
    gx = next(i for i in document.initiatives() if i.title == "中堅・中小企業の面的GX支援プロジェクト")
    assert [s.page for s in gx.sections] == [25, 26]


def test_words_broken_across_lines_are_joined(document: Document) -> None:
    text = "\n".join(s.text for s in document.sections)
    assert "水素の普及啓発" in text  # "…交流促進、水" / "素の普及啓発…"
    assert "各国政府や支援機関等との関係性を構築" in text  # "…との関" / "係性を構築…"
    assert "大阪・関西万博（開催期間：令和7年4月13日～10月13日）では、未来社会の実験場として、多数の新しい技術・サービス等が展示される。" in text


def test_bullets_and_headings_stay_on_their_own_lines(document: Document) -> None:
    lines = [line.text for s in document.sections for line in s.lines]
    assert "• スタートアップ" in lines
    assert "（２）自主的な取引適正化の促進･･･パートナーシップ構築宣言の推進等" in lines


def test_page_numbers_and_chart_labels_stay_out_of_sentences(document: Document) -> None:
    lines = [line.text for s in document.sections for line in s.lines]
    assert not any(line.strip() in {"1", "4"} for line in lines)
    assert not any("21.61%" in line for line in lines)  # a bare figure says nothing alone
    # A figure with its label states a fact (the share of exports to Asia): a line of its own, never
    # glued to a sentence.
    assert "アジア, 62.29%" in lines and "アジア, 52.04%" in lines


def test_clean_text_keeps_the_sources_own_characters(document: Document) -> None:
    for s in document.sections:
        for line in s.lines:
            for ch, off in zip(line.text, line.offsets, strict=True):
                if off >= 0:
                    assert document.source[off] == ch
    # Matching uses NFKC, quotes keep the source's full-width digits.
    assert any("令和７年度" in line.text for line in document.sections[0].lines)
    assert nfkc("令和７年度") == "令和7年度"


def test_headings_side_by_side_are_not_glued_onto_the_sentence_below(document: Document) -> None:
    lines = [line.text for s in document.sections for line in s.lines]
    assert "◆ 水素関連産業への参入支援と普及啓発 ◆ 関西・海外地域間の関係性構築" in lines
    assert any(t.startswith("水素関連産業におけるビジネスマッチング") for t in lines)


def test_diagram_labels_stacked_in_a_box_are_not_glued_into_one_line(document: Document) -> None:
    # DX…の実現 / 業務のデジタル化 / サイバーセキュリティ are each short though together long; the
    # sentence under them and a bullet ending on 等 stand alone.
    lines = [line.text for s in document.sections for line in s.lines]
    assert "経営者・従業員がサイバー攻撃の危険性を正しく理解し、必要な対策を講じる。" in lines
    assert "• IT導入補助金、ものづくり補助金、省力化補助金等" in lines
    # A slide mostly of labels has few full lines: its width is that of its longest, not of a label.
    assert "DX（デジタル・トランスフォーメーション）の実現" in lines and "業務のデジタル化" in lines
    assert any(t.endswith("ハイブリッド型マッチングを促進") for t in lines)
    # A short label running on into the next line (外国人留学生等と / 企業の橋渡し) is not the end of the
    # full line of members above it.
    assert any(t.endswith("グローバル人材活用運営協議会") for t in lines) and "外国人留学生等と" in lines
