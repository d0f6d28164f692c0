"""The Gradio app: chat, office directory, support finder and evaluators' views over the assistant.

Every view calls the same ``Assistant`` methods the API calls. This module lays the views out and wires
their events; the HTML comes from ui/render.py, a chat turn from ui/chat.py, the reports from
ui/reports.py and the look from ui/theme.py.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.evaluation import run_evaluation  # noqa: E402
from assistant.feedback import FeedbackError  # noqa: E402
from assistant.loaders import load_ui_examples  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from ui.chat import MAX_OPTIONS, ChatHistory, chat_turn  # noqa: E402
from ui.render import FINDER_EMPTY, WELCOME_CARD, esc, offices_html, recommendations_html  # noqa: E402
from ui.reports import latest_report_markdown, report_markdown, reports_dir  # noqa: E402
from ui.theme import COPY_JS, SHOW_ANSWER_JS  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "重点施策アシスタント / Policy assistant"  # when the corpus names none (NAME.ui.json "texts")


def build_ui(assistant: Assistant) -> gr.Blocks:
    """All views around an already-wired assistant."""
    eval_lock = threading.Lock()
    examples = load_ui_examples(assistant.settings.corpus_dir)  # the document's own, read once at start-up

    # ---- chat ----
    def respond(message: str, chat: ChatHistory, turns: list[dict[str, str]],
                records: dict[str, Any]) -> tuple[Any, ...]:
        turn = chat_turn(assistant, message, chat, turns, records)
        # A clarifying question's choices become buttons; any other answer hides them.
        buttons = [gr.update(value=turn.options[i], visible=True) if i < len(turn.options) else gr.update(visible=False)
                   for i in range(MAX_OPTIONS)]
        return (turn.chat, turn.box, turn.contact or gr.update(), turn.turns, turn.records, "",
                gr.update(visible=False), *buttons)

    def rate(records: dict[str, Any], data: gr.LikeData) -> tuple[Any, ...]:
        index = data.index if isinstance(data.index, int) else data.index[0]
        record = records.get(str(index))
        if record is None or data.liked == "":  # a rating taken back, or a message that is not an answer
            return "", None, gr.update(visible=False)
        rating = "up" if data.liked is True else "down"
        try:
            fid = assistant.record_feedback(rating, record["question"], record["answer"], "", record["history"])
        except (FeedbackError, ValueError) as e:
            log.error("feedback not stored: %s", e)
            return (f"評価を保存できませんでした（回答には影響ありません）。 / Feedback could not be saved: {esc(e)}",
                    None, gr.update(visible=False))
        thanks = "評価ありがとうございます。" if rating == "up" else "ご指摘ありがとうございます。"
        return (f"{thanks}記録しました（#{fid}）。よろしければ理由をお書きください。 / Thanks, recorded (#{fid}).",
                fid, gr.update(visible=True))

    def send_comment(fid: int | None, comment: str) -> tuple[str, Any]:
        if fid is None:
            return "先に回答の「いいね / よくないね」を押してください。 / Rate an answer first.", gr.update()
        if not (comment or "").strip():
            return "コメントが空です。 / The comment is empty.", gr.update()
        try:
            assistant.comment_feedback(int(fid), comment)
        except (FeedbackError, ValueError) as e:
            return f"コメントを保存できませんでした / Comment not saved: {esc(e)}", gr.update()
        return f"コメントを記録しました（#{fid}）。ありがとうございます。 / Comment saved.", gr.update(value="")

    # ---- directory ----
    def search(query: str) -> str:
        query = (query or "")[: assistant.settings.max_query_chars]
        # An empty box lists every office (people browse the directory), asked for explicitly.
        return offices_html(assistant.search_offices(query, everything=not query.strip()),
                            examples.texts.get("search_topics", ""))

    # ---- support finder ----
    def find(goals: list[str], description: str) -> str:
        if not goals and not (description or "").strip():
            return f'<div class="search-summary" data-kind="empty">{FINDER_EMPTY}</div>'
        try:
            return recommendations_html(assistant.find_support(goals or [], description or ""))
        except ValueError as e:  # the core's reason is English: a Japanese sentence leads
            return f'<div class="search-summary">条件を確かめてください。 / {esc(e)}</div>'

    # ---- evaluators ----
    def run_eval(baselines: bool, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008 - Gradio's idiom
        if not eval_lock.acquire(blocking=False):
            return "評価はすでに実行中です。 / An evaluation is already running."
        try:
            settings = assistant.settings
            done = [0]

            def tick(*args: Any) -> None:
                done[0] += int(args[0]) if args and isinstance(args[0], int) else 1
                progress((done[0], None), desc="評価中 / Evaluating")

            path = run_evaluation(assistant, settings.eval_dir / "dev.jsonl", reports_dir(assistant),
                                  baselines=baselines, progress=tick)
            return report_markdown(path, reports_dir(assistant))
        except Exception as e:  # noqa: BLE001 - show the failure to the evaluator, keep the app up
            log.exception("evaluation run failed")
            return f"評価に失敗しました / The evaluation failed: {esc(e)}"
        finally:
            eval_lock.release()

    title = examples.texts.get("title", TITLE)
    intro = examples.texts.get("intro", "資料の引用を根拠に、担当窓口をお答えします。 / Cited answers and the office to call.")
    with gr.Blocks(title=title) as ui:
        gr.Markdown(f"## {title}\n{intro}", elem_id="header")
        # "wrap": on a narrow screen the tabs wrap onto a second line instead of hiding in a "…" menu.
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):
            with gr.Tab("チャット / Chat", id="chat", elem_id="tab-chat"):
                turns = gr.State([])
                records = gr.State({})
                feedback_id = gr.State(None)
                with gr.Row(elem_id="chat-row"):
                    with gr.Column(scale=3, elem_id="chat-main"):
                        # No "share" button: it posts to Hugging Face, and this app stays offline. No autoscroll
                        # to the bottom: SHOW_ANSWER_JS shows each new answer from its start.
                        chat = gr.Chatbot(label="チャット / Chat", height=460, elem_id="chatbot", autoscroll=False,
                                          feedback_options=("Like", "Dislike"), buttons=["copy", "copy_all"])
                        with gr.Row(elem_id="clarify-options"):
                            option_buttons = [gr.Button(visible=False, size="sm", elem_id=f"option-{i + 1}")
                                              for i in range(MAX_OPTIONS)]
                        box = gr.Textbox(label="質問 / Question", placeholder=examples.placeholders.get("question"),
                                         elem_id="question", max_length=assistant.settings.max_message_chars)
                        with gr.Row(elem_id="send-row"):
                            send = gr.Button("送信 / Send", variant="primary", elem_id="send")
                            clear = gr.Button("新しい会話 / New chat", elem_id="new-chat")
                        if examples.questions:
                            with gr.Column(elem_id="chat-examples"):
                                gr.Examples(examples.questions, inputs=box, label="質問の例 / Example questions")
                    with gr.Column(scale=2, elem_id="chat-side"):
                        card = gr.HTML(WELCOME_CARD, elem_id="contact-card", js_on_load=COPY_JS)
                        gr.Markdown("回答の下のボタン（いいね / よくないね）で評価できます。 / Rate each answer with the thumbs under it.")
                        status = gr.Markdown(elem_id="feedback-status")
                        with gr.Group(visible=False) as comment_row:
                            comment = gr.Textbox(label="コメント（任意） / Comment (optional)", elem_id="feedback-comment",
                                                 max_length=assistant.settings.max_feedback_comment_chars, lines=2)
                            comment_btn = gr.Button("コメントを送る / Send comment", elem_id="send-comment", size="sm")
                outputs = [chat, box, card, turns, records, status, comment_row, *option_buttons]
                answered = [box.submit(respond, [box, chat, turns, records], outputs, api_name="chat"),
                            send.click(respond, [box, chat, turns, records], outputs, api_visibility="private")]
                for button in option_buttons:  # choosing an option answers the clarifying question
                    answered.append(button.click(respond, [button, chat, turns, records], outputs,
                                                 api_visibility="private"))
                for event in answered:
                    event.then(None, None, None, js=SHOW_ANSWER_JS, api_visibility="private")
                hidden = [gr.update(visible=False)] * MAX_OPTIONS
                clear.click(lambda: ([], "", WELCOME_CARD, [], {}, "", gr.update(visible=False), *hidden), None,
                            outputs, api_visibility="private")
                chat.clear(lambda: (WELCOME_CARD, [], {}, "", gr.update(visible=False)), None,
                           [card, turns, records, status, comment_row], api_visibility="private")
                chat.like(rate, [records], [status, feedback_id, comment_row], api_visibility="private")
                comment_btn.click(send_comment, [feedback_id, comment], [status, comment], api_visibility="private")

            with gr.Tab("窓口検索 / Directory", id="directory", elem_id="tab-directory"):
                gr.Markdown("話題・部署名・電話番号（どんな書き方でも）で担当窓口を探せます。入力と同時に検索します。"
                            " / Find the office by topic, division or phone number, as you type.")
                query = gr.Textbox(label="検索 / Search", placeholder=examples.placeholders.get("directory"),
                                   elem_id="directory-search",
                                   max_length=assistant.settings.max_query_chars)
                results = gr.HTML(search(""), elem_id="directory-results", js_on_load=COPY_JS)
                # .change, not .input: it also fires for IME commits and pasted text, which .input misses.
                query.change(search, query, results, trigger_mode="always_last", show_progress="hidden",
                             api_name="directory")
                query.submit(search, query, results, show_progress="hidden", api_visibility="private")

            with gr.Tab("支援策さがし / Support finder", id="finder", elem_id="tab-finder"):
                gr.Markdown("やりたいことを選び、よろしければ会社のことを書いてください。合う施策を根拠と相談先つきで並べます。"
                            " / Pick what you want to do and, optionally, describe your company.")
                goals = gr.CheckboxGroup([(g.label, g.id) for g in assistant.goals], label="やりたいこと / Goals",
                                         elem_id="goals")
                description = gr.Textbox(label="会社の説明（任意） / About your company (optional)", lines=2,
                                         placeholder=examples.placeholders.get("company"),
                                         elem_id="company", max_length=assistant.settings.max_message_chars)
                find_btn = gr.Button("施策をさがす / Find support", variant="primary", elem_id="find-support")
                recs = gr.HTML(elem_id="finder-results", js_on_load=COPY_JS)
                find_btn.click(find, [goals, description], recs, api_name="support")
                description.submit(find, [goals, description], recs, api_visibility="private")

            with gr.Tab("評価 / Evaluators", id="evaluators", elem_id="tab-evaluators"):
                gr.Markdown("回帰テスト（eval/dev.jsonl）の最新レポートと、新しい評価の実行。"
                            " / The latest regression report, and a button to run a new evaluation.")
                with gr.Row():
                    baselines = gr.Checkbox(label="ベースラインも比較 / Include baselines", value=False)
                    run_btn = gr.Button("評価を実行 / Run evaluation", elem_id="run-eval")
                    refresh = gr.Button("再読み込み / Reload", elem_id="reload-report")
                report = gr.Markdown(elem_id="eval-report", max_height=600)
                run_btn.click(run_eval, baselines, report, api_visibility="private")
                refresh.click(lambda: latest_report_markdown(assistant), None, report, api_visibility="private")
        ui.load(lambda: latest_report_markdown(assistant), None, report, api_visibility="private")
    return ui

