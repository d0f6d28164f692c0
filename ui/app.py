"""The Gradio chat: it only calls the assistant's core functions and renders their results."""

from __future__ import annotations

import html
import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answers import Answer  # noqa: E402
from assistant.chat import Turn  # noqa: E402
from assistant.service import Assistant  # noqa: E402

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


def build_ui(assistant: Assistant) -> gr.Blocks:
    """The chat view around an already-wired assistant."""

    def respond(message: str, history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, str, str]:
        message = (message or "").strip()
        if not message:
            return history, "", "", ""
        if len(message) > assistant.settings.max_message_chars:
            note = f"質問が長すぎます（{assistant.settings.max_message_chars}文字まで）。"
            return history + [{"role": "assistant", "content": note}], "", "", ""
        turns = [Turn(m["role"], str(m["content"])) for m in history if m.get("role") in ("user", "assistant")]
        answer = assistant.ask(message, turns)
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": answer.answer}]
        return history, "", citations_markdown(answer), contact_markdown(answer)

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
