"""The Gradio chat: it only calls the assistant's core functions and renders their results."""

from __future__ import annotations

import html
import logging
import os
import re
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answers import Answer  # noqa: E402
from assistant.chat import Turn  # noqa: E402
from assistant.inputs import BadInput  # noqa: E402
from assistant.service import Assistant  # noqa: E402

log = logging.getLogger(__name__)
ChatHistory = list[dict[str, Any]]
# Characters that make Markdown out of plain text: links, autolinks, images, emphasis, headings, code,
# tables, LaTeX.
_MARKDOWN_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:$=])")

EXAMPLES = [
    "取引先が値上げを認めてくれない。どこに相談できますか？",
    "水素関連の事業に参入したい",
    "06-6966-6014はどこの番号？",
    "留学生を採用したいのですが",
    "Who can help us with decarbonisation?",
]


def citations_markdown(answer: Answer) -> str:
    """The quoted evidence, each with its initiative and page."""
    if not answer.citations:
        return ""
    rows = [f"[{n}] **{html.escape(c.section)}** (p. {c.page})\n\n> {html.escape(c.quote)}"
            for n, c in enumerate(answer.citations, 1)]
    return "### 根拠 / Sources\n\n" + "\n\n".join(rows)


def contact_markdown(answer: Answer) -> str:
    """The office to call first, then the others, with tel: links."""
    if answer.abstained or not answer.contacts:
        return ""
    first, rest = answer.contacts[0], answer.contacts[1:]
    digits = first.phone.replace("-", "")
    lines = [
        "### お問い合わせ先 / Contact",
        f"**{html.escape(first.department)} {html.escape(first.division)}**",
        f"電話 / Tel: [{first.phone}](tel:{digits})",
    ]
    lines += [f"- {html.escape(c.division)}: [{c.phone}](tel:{c.phone.replace('-', '')})" for c in rest]
    return "\n\n".join(lines)


def as_plain_text(text: str) -> str:
    """User text shown as typed: HTML escaped and Markdown neutralised, so nothing pasted renders or loads."""
    return _MARKDOWN_RE.sub(r"\\\1", html.escape(text, quote=False))


def from_plain_text(shown: str) -> str:
    """The text a user typed, back from what ``as_plain_text`` showed (for reading the history)."""
    return html.unescape(re.sub(r"\\(.)", r"\1", shown))


def text_of(content: Any) -> str:
    """The text of a chat message as Gradio hands it back (a string, or a list of typed parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list | tuple):
        return " ".join(text_of(part) for part in content)
    return ""


def chat_turn(assistant: Assistant, message: Any, history: ChatHistory | None) -> tuple[ChatHistory, str, str, str]:
    """One turn of the chat: the new history, the cleared box, the sources and the contact card.

    Never raises: a refused message gets its reason in the chat, and an unexpected failure is logged.
    """
    history = [m for m in history or [] if isinstance(m, dict)]
    if not isinstance(message, str) or not message.strip():
        return history, "", "", ""
    turns = []
    for m in history:
        if m.get("role") in ("user", "assistant"):
            text = text_of(m.get("content"))
            # The chat showed the user's own messages escaped: read back what they typed.
            turns.append(Turn(m["role"], from_plain_text(text) if m["role"] == "user" else text))
    shown = {"role": "user", "content": as_plain_text(message.strip()[: assistant.settings.max_message_chars])}
    try:
        answer = assistant.ask(message, turns)
    except BadInput as e:
        limit = assistant.settings.max_message_chars
        note = f"質問が長すぎます（{limit}文字まで）。 / {e}" if e.status == 413 else f"質問を入力してください。 / {e}"
        return history + [{"role": "assistant", "content": note}], "", "", ""
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the cause
        log.exception("chat turn failed")
        note = "申し訳ありません。処理中にエラーが発生しました。もう一度お試しください。 / Sorry, something went wrong."
        return history + [shown, {"role": "assistant", "content": note}], "", "", ""
    history = history + [shown, {"role": "assistant", "content": answer.answer}]
    return history, "", citations_markdown(answer), contact_markdown(answer)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat view around an already-wired assistant."""

    def respond(message: str, history: ChatHistory) -> tuple[ChatHistory, str, str, str]:
        return chat_turn(assistant, message, history)

    with gr.Blocks(title="近畿経済産業局 重点施策アシスタント") as ui:
        gr.Markdown("## 近畿経済産業局 重点施策アシスタント\n令和７年度の重点施策から、根拠と担当窓口をお答えします。"
                    " / Ask about the bureau's FY2025 priority policies.")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="チャット / Chat", height=420, sanitize_html=True)
                box = gr.Textbox(label="質問 / Question", placeholder="例：取引先が値上げを認めてくれない",
                                 elem_id="question")
                send = gr.Button("送信 / Send", variant="primary")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                contact = gr.Markdown(elem_id="contact-card")
                sources = gr.Markdown(elem_id="citations")
        box.submit(respond, [box, chat], [chat, box, sources, contact], api_name="chat")
        send.click(respond, [box, chat], [chat, box, sources, contact], api_name=False)
    return ui
