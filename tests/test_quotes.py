"""Every quote of every dev and sealed answer reads as a sentence: 15-200 characters, no source note,
no bullet glyph, nothing pointing at what the text no longer shows, never cut inside a word."""

import functools
import re

import fugashi
import pytest

from assistant.chat import Turn
from assistant.evaluation import load_cases
from assistant.service import Assistant
from tests.conftest import PROJECT_ROOT, SOURCE, ask_chain

# Every dev set and every sealed set: a quote rule is checked on wording nobody tuned it on.
SETS = sorted([*(PROJECT_ROOT / "eval").glob("dev*.jsonl"), *(PROJECT_ROOT / "eval").glob("sealed*.jsonl")])


def _plain(text: str) -> str:
    return re.sub(r"\s", "", text)


@functools.cache
def _tagger() -> fugashi.Tagger:
    return fugashi.Tagger()  # MeCab's own verdict on unknown words, which the product's tokenizer does not keep


def _parts_known_words(text: str, at: int) -> bool:
    """Whether MeCab reads a word across ``at`` only as a guess: an unknown katakana run made of words it
    knows on each side (リスクマネジメント + アドバンスド, two boxes of a diagram on lines of their own)."""
    tagger, pos = _tagger(), 0
    # Read each node's fields before tagging again: fugashi reuses the nodes of the last call.
    for surface, unknown in [(n.surface, n.is_unk) for n in tagger(text)]:
        start = text.index(surface, pos)
        pos = end = start + len(surface)
        if start < at < end:
            return unknown and not any(n.is_unk for n in tagger(text[start:at])) \
                and not any(n.is_unk for n in tagger(text[at:end]))
    return False


def _line_before(source: str, at: int) -> str:
    """The source before ``at`` back to the start of its line, or of the last non-blank line before it."""
    head = source[:at]
    line = head[head.rfind("\n") + 1 :]
    return line if line.strip() else head.rstrip().rsplit("\n", 1)[-1]


def _line_after(source: str, at: int) -> str:
    """The source after ``at`` to the end of its line, or of the next non-blank line after it."""
    tail = source[at:]
    line = tail.split("\n", 1)[0]
    return line if line.strip() else tail.lstrip().split("\n", 1)[0]


@pytest.fixture(scope="module")
def quotes(assistant: Assistant) -> list[tuple[str, str, int, int]]:
    """(case id, quote, start, end) of every citation of every answer to every turn."""
    out = []
    for path in SETS:
        for case in load_cases(path):
            history: list[Turn] = []
            for turn in case.turns:
                answer = assistant.ask(turn, history)
                out += [(case.id, c.quote, c.start, c.end) for c in answer.citations]
                history += [Turn("user", turn), Turn("assistant", answer.answer)]
    return out


@pytest.mark.slow
def test_quotes_are_whole_sentences_of_readable_length(quotes: list[tuple[str, str, int, int]]) -> None:
    assert len(quotes) > 1000
    bad = [(cid, q) for cid, q, _, _ in quotes if not 15 <= len(q) <= 200]
    assert not bad, bad[:10]
    notes = [(cid, q) for cid, q, _, _ in quotes
             if re.match(r"^[※＊*]?\s*[（(]?(出所|出典)|^[※＊*][^。]*(から|より)[^。]*(抜粋|引用)$", q)
             or re.search(r"(^|\s)[※＊*]?\s*[（(]?(出所|出典)[：:]", q)]  # nor a note joined to a caption
    assert not notes, notes[:10]
    glyphs = [(cid, q) for cid, q, _, _ in quotes if re.match(r"^[•◆⚫➢■●・]", q)]
    assert not glyphs, glyphs[:10]
    # A sentence pointing at what the text no longer shows: a list "as follows" without it, bold type.
    pointers = [(cid, q) for cid, q, _, _ in quotes if re.search(r"(以下|次)の(とおり|通り)。?$|太字|下線部", q)]
    assert not pointers, pointers[:10]


@pytest.mark.slow
def test_no_quote_is_cut_inside_a_word(assistant: Assistant, quotes: list[tuple[str, str, int, int]]) -> None:
    """Where a quote starts and ends is a word boundary of the text around it, as MeCab reads it."""
    source = SOURCE.read_text("utf-8")
    tokenizer = assistant.router.reader.tokenizer
    cut = []
    for cid, quote, start, end in {(c, q, s, e) for c, q, s, e in quotes}:
        # The text each side up to the neighbouring line, whole: a window cutting a word (ビギ of ビギナー)
        # would make MeCab read a katakana run beside it as one unknown word.
        before, after = _plain(_line_before(source, start)), _plain(_line_after(source, end))
        text = before + _plain(quote) + after
        edges = {m.start for m in tokenizer.morphemes(text)} | {m.end for m in tokenizer.morphemes(text)}
        for at in (len(before), len(before) + len(_plain(quote))):
            # Only a cut between two word characters can split a word (a bracket or a bullet cannot).
            inside = 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()
            # A cut at a line break between words MeCab knows is no cut, though it guesses one word across.
            line_break = "\n" in (source[start - 1 : start] if at == len(before) else source[end : end + 1])
            if inside and at not in edges and not (line_break and _parts_known_words(text, at)):
                cut.append((cid, quote))
    assert not cut, cut[:10]


@pytest.mark.parametrize("question", ["播磨臨海部は水素の何のプロジェクト候補地になってる？",
                                      "Which hydrogen project is the Harima coast a candidate site for?"])
def test_a_caption_label_goes_with_its_own_caption_not_the_next(assistant: Assistant, question: str) -> None:
    # 「播磨臨海部」水素発電実証 / プロジェクト候補地 / 「HYDROGEN…」（ドイツ・ハンブルグ）でのミーティング: the label
    # finishes the first caption; read into the second it would say the trade fair is the candidate site.
    answer = assistant.ask(question)
    assert not any("候補地" in c.quote and "HYDROGEN" in c.quote for c in answer.citations), answer.answer


@pytest.mark.parametrize("question", ["水素の交流イベントって中身はどんな感じ？",
                                      "水素を使った製品を考えている町工場です。水素の疑問を解消できるような場はありますか"])
def test_a_sentence_referring_back_is_quoted_with_what_it_refers_to(assistant: Assistant, question: str) -> None:
    # 「同イベントでは…」 alone leaves the reader asking which event: the sentence before it names it.
    answer = assistant.ask(question)
    back = [c.quote for c in answer.citations if c.quote.startswith("同イベント")]
    assert not back, back
    assert any("同イベント" in c.quote and "関西水素産業交流ラウンジ" in c.quote for c in answer.citations), answer.answer


def test_asked_which_of_a_kind_the_labels_of_that_kind_are_quoted_together(assistant: Assistant) -> None:
    # Labels side by side share their ending (育成WG / 需要喚起・情報発信WG / …WG): asked どんなWG, they are the list.
    answer = ask_chain(assistant, "バイオものづくりの推進体制について教えて", "ワーキンググループはどんなWGがあるん？")
    names = ("育成WG", "需要喚起・情報発信WG", "ﾏｯﾁﾝｸﾞWG")
    assert any(all(n in c.quote for n in names) for c in answer.citations), answer.answer


def test_a_numbered_heading_is_quoted_with_the_bullets_under_it(assistant: Assistant) -> None:
    # （２）…支援力の強化 alone names a measure; the bullets under it say what is done.
    answer = assistant.ask("中小企業の稼ぐ力の話で、地域の支援力を強化するって具体的に何をするの？")
    held = [c.quote for c in answer.citations if "支援力の強化" in c.quote and c.quote.startswith("（２）")]
    assert held and all("商工会・商工会議所等支援機関との連携強化" in q for q in held), answer.answer


def test_a_line_said_again_in_a_longer_sentence_is_quoted_once(assistant: Assistant) -> None:
    # 「…普及・活用促進を図る。」 is the start of 「…普及・活用促進を図るとともに、…」: quoting both says it twice.
    answer = assistant.ask("国の中小企業向け施策をもっと広めるために何をしてるの？")
    quotes = [c.quote.rstrip("。") for c in answer.citations]
    assert not any(a in b for i, a in enumerate(quotes) for j, b in enumerate(quotes) if i != j), answer.answer


def test_a_wrapped_bullet_is_chosen_by_what_its_whole_text_means(assistant: Assistant) -> None:
    # The matching site's bullet wraps over three lines; its first line alone (「…万博特設マッチングサイト」) is
    # far from a maker's question, its last (「…海外バイヤー等とのマッチング・商談機能の強化」) near.
    answer = assistant.ask("輸出を始めたい町工場です。海外の取引先を見つけるのを手伝ってもらえますか")
    assert "J-GoodTech" in answer.answer, answer.answer


def test_a_caption_is_not_quoted_with_the_source_notes_under_it(assistant: Assistant) -> None:
    # アジアマーケットの成長可能性 sits above 出所：…財務省貿易統計 and more notes: offered beside another topic's
    # answer, the chart's caption came with them.
    answer = ask_chain(assistant, "Is the Kinki bureau doing anything about flying taxis?",
                       "Which office should I call about that?")
    assert not [c.quote for c in answer.citations if "出所" in c.quote], answer.answer


def _first_quote(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(">"))


@pytest.mark.parametrize("story", ["事務所ではまだ紙の請求書とハンコで回してて、パソコンに強い人もいない。どこから始めたら？",
                                   "伝票も台帳も紙のままで、社内にデジタルが分かる人がいません。"])
def test_a_story_is_answered_first_by_the_help_it_reads_as(assistant: Assistant, story: str) -> None:
    # The glossary reads paper slips and seals as 業務のデジタル化 and its help, IT導入補助金: the line naming it is
    # the help on offer, over a course on new business by digital means that resembles the story more.
    answer = assistant.ask(story).answer
    assert "IT導入補助金" in _first_quote(answer), answer


def test_asking_whether_there_are_so_many_answers_with_the_count(assistant: Assistant) -> None:
    answer = assistant.ask("海外展開のセミナーって3回やるの？").answer
    assert "全3回" in _first_quote(answer), answer


def test_a_part_of_a_programme_is_quoted_under_its_name(assistant: Assistant) -> None:
    # The slide names each part in English (Session, Pitch, …) over what it offers: the offer alone does
    # not say which part it is, and ネットワーキング is the asker's spelling of Networking.
    answer = assistant.ask("GSEでネットワーキングの場はある？")
    assert any(c.quote.startswith("Networking 起業家") for c in answer.citations), answer.answer
    # Two parts the slide says the same of (Pitch and Networking) are one offer: quoted once.
    both = assistant.ask("Global Startup EXPOで起業家と対話できる機会はある？")
    assert sum("起業家のビジョン" in c.quote for c in both.citations) == 1, both.answer


@pytest.mark.parametrize("question", ["万博のスタートアップイベントではどんなコンテンツが用意されてる？",
                                      "What content does the startup conference at the Expo offer?"])
def test_a_programmes_parts_are_quoted_together_under_their_name(assistant: Assistant, question: str) -> None:
    # 主なコンテンツ heads four parts, each a name over what it offers (Session …, Pitch …, Exhibition …,
    # Networking …): the list is the answer, not the heading's line with the first name hanging off it.
    answer = assistant.ask(question)
    first = answer.citations[0].quote
    assert all(part in first for part in ("Session", "Pitch", "Exhibition", "Networking")), answer.answer
    assert not any("主なコンテンツ" in c.quote for c in answer.citations), answer.answer


def test_a_bullet_wrapped_between_two_words_is_quoted_whole(assistant: Assistant) -> None:
    # 「⚫ The Kansai Companies Profile掲載 / 企業をはじめとする…」: the box wraps between 掲載 and 企業, so no
    # grammar says the line goes on; its width does (as wide as the next line, which wraps inside a phrase).
    answer = assistant.ask("Kansai Companies Profileに載ってる会社向けのセミナーってある？")
    assert any(c.quote.startswith("The Kansai Companies Profile掲載企業をはじめとする") for c in answer.citations), \
        answer.answer


def test_a_box_said_to_offer_help_is_followed_by_its_measures_by_name(assistant: Assistant) -> None:
    # 「…課題別のセミナー開催や伴走支援…により、人材戦略の策定を支援する。」 says what the box does in general; the
    # asker can sign up for what it lists under its heading: (1) … (2) テーマ別セミナー (3) 伴走支援….
    answer = assistant.ask("社員の採用や育成の方針づくりを手伝ってほしい。どんな支援をしてもらえる？")
    quotes = [c.quote for c in answer.citations]
    told = next(k for k, q in enumerate(quotes) if "人材戦略の策定を支援する" in q)
    measures = quotes[told + 1] if told + 1 < len(quotes) else ""
    assert measures.startswith("人材戦略策定支援（中小企業向け） (1)") and "テーマ別セミナー" in measures, answer.answer
