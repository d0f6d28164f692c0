"""The Gradio app: chat, office directory, support finder and evaluators' views over the assistant.

Every view calls the same ``Assistant`` methods the API calls; this module only turns their
results into HTML (escaping every text it did not write) and wires the events.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.answers import Answer, Citation  # noqa: E402
from assistant.chat import Turn  # noqa: E402
from assistant.directory import Contact, Office  # noqa: E402
from assistant.evaluation import latest_report, run_evaluation  # noqa: E402
from assistant.feedback import FeedbackError  # noqa: E402
from assistant.finder import Recommendation  # noqa: E402
from assistant.inputs import BadInput, TooLong  # noqa: E402
from assistant.service import Assistant, OfficeSearch  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "近畿経済産業局 重点施策アシスタント"

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

# System fonts only (nothing is fetched from the network); Noto Sans CJK renders the Japanese.
# Colours darkened from Gradio's defaults so every text meets WCAG 2.1 AA contrast (4.5:1; checked with
# axe-core in tests/test_browser.py): white on orange-700 buttons, accents and muted text a step darker.
THEME = gr.themes.Default(font=["Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo",
                                "system-ui", "sans-serif"]).set(
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_300",
    color_accent="*primary_700",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover_dark="*primary_800",
    block_label_text_color="*neutral_600",
    block_title_text_color="*neutral_600",
    input_placeholder_color="*neutral_500",
)

CSS = """
.contact-card, .office, .rec { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 12px 14px; margin-bottom: 10px; background: var(--background-fill-primary); }
.contact-card.abstained { border-color: #d9a400; background: #fffbea; }
.card-label { font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.dept { font-size: 0.9em; color: var(--body-text-color-subdued); }
.division { font-size: 1.15em; font-weight: 600; }
.phone-row { margin: 6px 0; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
a.tel { font-size: 1.25em; font-weight: 700; text-decoration: none; }
button.copy-phone { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px;
  font-size: 0.85em; cursor: pointer; background: var(--button-secondary-background-fill); }
.initiatives { margin: 4px 0 0 1.2em; padding: 0; }
.initiatives li.matched { font-weight: 600; }
details.cite { margin: 4px 0; border-left: 3px solid var(--color-accent); padding-left: 8px; }
details.cite summary { cursor: pointer; }
.cite-marker { font-weight: 700; color: var(--color-accent); }
details.cite blockquote { margin: 6px 0; }
.cite-initiative, .muted { font-size: 0.85em; color: var(--body-text-color-subdued); }
.goal-tag { display: inline-block; border-radius: 10px; padding: 0 8px; margin-right: 4px; font-size: 0.8em;
  background: var(--button-secondary-background-fill); }
.search-summary { margin-bottom: 8px; }
.cite-marker, .contact-card a.tel, .office a.tel, .rec a.tel { color: var(--link-text-color); }
/* Gradio dims chat text to 80 % opacity, which takes blue links and grey notes below 4.5:1 contrast. */
#chatbot .prose.chatbot.md { opacity: 1; }

/* Phones (a 390 px wide screen): the whole answer, the office to call and the question box in the first
   screen, every tab in sight. The two chat columns dissolve into one flow ("display: contents"), reordered:
   chat, a clarifying question's options, contact card, question box, buttons, then the rest. */
@media (max-width: 640px) {
  #header h2 { font-size: 1.1rem; margin: 0 0 2px; }
  #header p { font-size: 0.75rem; line-height: 1.35; margin: 0; }
  #tabs .tab-container { flex-wrap: wrap; height: auto; }
  #tabs .tab-container button[role=tab] { padding: 4px 8px; font-size: 0.8rem; }
  #tabs > .tab-wrapper { padding-bottom: 0; height: auto; }
  #chat-row { flex-direction: column; flex-wrap: nowrap; gap: 6px; }
  #chat-main, #chat-side { display: contents; }
  #chat-main > *, #chat-side > * { order: 10; width: 100%; }
  #chatbot { order: 1; height: clamp(240px, 51svh, 480px) !important; }
  #chatbot label[data-testid=block-label] { display: none; }
  #chatbot .wrapper { display: flex; flex-direction: column; }
  #chatbot .icon-button-wrapper.top-panel { position: static; align-self: flex-end; margin: 2px; }
  #chatbot .bubble-wrap { flex: 1 1 0; min-height: 0; }
  #chatbot .message-row { margin: 6px 2px; max-width: 100%; }
  #chatbot .message-row.bot-row { margin-right: 2px; }
  #chatbot .message-wrap { margin-bottom: 4px; }
  #chatbot .bubble-wrap { padding-top: 4px; }
  #clarify-options { order: 2; gap: 4px; }
  #chat-side > #contact-card { order: 3; }
  #chat-main > .form:has(#question) { order: 4; }
  #send-row { order: 5; }
  #send-row button { padding: 6px 8px; min-height: 0; font-size: 0.9rem; }
  #contact-card .html-container { padding: 0; }
  #header { margin-bottom: -6px; }
  #question { padding: 4px 8px; }
  #question [data-testid=block-info] { font-size: 0.75rem; margin-bottom: 2px; }
  .contact-card { padding: 8px 10px; margin-bottom: 0; }
  .contact-card .phone-row { margin: 2px 0; }
  .division { font-size: 1.05em; }
  a.tel { font-size: 1.15em; }
}
"""

# Gradio scopes the CSS above to the app's content; the page margins around it need a plain <style> in <head>.
HEAD = """<style>
@media (max-width: 640px) { .gradio-container .main.fillable.app { padding: 6px 8px; } }
</style>"""

# Copy buttons in rendered HTML: one delegated listener per HTML component (it survives re-renders).
# navigator.clipboard needs a secure context; the textarea fallback covers plain-http deployments.
COPY_JS = """
element.addEventListener('click', (ev) => {
  const btn = ev.target.closest('button.copy-phone');
  if (!btn) return;
  const text = btn.dataset.phone;
  const done = () => {
    btn.textContent = 'コピーしました / Copied';
    setTimeout(() => { btn.textContent = 'コピー / Copy'; }, 2000);
  };
  const fallback = () => {
    const t = document.createElement('textarea');
    t.value = text; document.body.appendChild(t); t.select();
    try { document.execCommand('copy'); } finally { t.remove(); }
    done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else {
    fallback();
  }
});
"""

_PHONE_TEXT = re.compile(r"\b0\d{1,3}-\d{2,4}-\d{4}\b")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def tel_href(phone: str) -> str:
    return "tel:" + re.sub(r"\D", "", phone)


def phone_html(phone: str) -> str:
    """A phone number as a tel: link with a copy button beside it."""
    return (f'<span class="phone-row"><a class="tel" href="{_e(tel_href(phone))}">{_e(phone)}</a>'
            f'<button type="button" class="copy-phone" data-phone="{_e(phone)}">コピー / Copy</button></span>')


def _link_phones(escaped: str) -> str:
    """Turn directory-formatted numbers in already-escaped text into tel: links."""
    return _PHONE_TEXT.sub(lambda m: f'<a class="tel-inline" href="{tel_href(m.group(0))}">{m.group(0)}</a>', escaped)


def page_label(page: int | None, english: bool = False) -> str:
    if page is None:
        return ""
    return f"p. {page}" if english else f"{page}ページ"


def citation_html(n: int, c: Citation, english: bool = False, opened: bool = False,
                  with_initiative: bool = True) -> str:
    """Marker [n] that opens the quoted passage with its slide, page and initiative."""
    where = f"{_e(c.section)}（{page_label(c.page, english)}）" if c.page else _e(c.section)
    initiative = (f'<div class="cite-initiative">施策 / Initiative: {_e(c.initiative)}</div>'
                  if c.initiative and with_initiative else "")
    return (f'<details class="cite" data-cite="{n}"{" open" if opened else ""}>'
            f'<summary><span class="cite-marker">[{n}]</span> {where}</summary>'
            f"<blockquote>「{_e(c.quote)}」</blockquote>{initiative}</details>")


def answer_html(answer: Answer) -> str:
    """The composer's answer text, each quoted line replaced by a citation marker that opens it."""
    english = answer.language == "en"
    parts: list[str] = []
    shown: set[int] = set()
    for line in answer.answer.splitlines():
        n = next((i for i, c in enumerate(answer.citations, 1) if i not in shown and line.startswith(f"> 「{c.quote}」")),
                 None)
        if n is not None:
            shown.add(n)
            parts.append(citation_html(n, answer.citations[n - 1], english))
        elif line.strip():
            parts.append(f"<p>{_link_phones(_e(line))}</p>")
    parts += [citation_html(n, c, english) for n, c in enumerate(answer.citations, 1) if n not in shown]
    return "".join(parts)


def _unique_offices(contacts: list[Contact]) -> list[Contact]:
    out: list[Contact] = []
    for c in contacts:
        if all(c.division != x.division or c.phone != x.phone for x in out):
            out.append(c)
    return out


WELCOME_CARD = ('<div class="contact-card"><div class="card-label">お問い合わせ先 / Contact</div>'
                '<p class="muted">質問すると、担当の窓口と電話番号がここに表示されます。<br>'
                "Ask a question and the office to call appears here.</p></div>")


def contact_card_html(answer: Answer | None) -> str:
    """The office to call first (department, division, tel: link, copy button), then the others."""
    if answer is None:
        return WELCOME_CARD
    if answer.abstained:
        if answer.route == "unknown-phone":
            body = ("お尋ねの番号は、この資料の問合せ先一覧にはありません。「窓口検索」タブで部署名や話題から探せます。<br>"
                    "That number is not in this document's contact list. Try the Directory tab.")
        else:
            body = ("この資料には、ご質問に当てはまる取組が見つかりませんでした。そのため担当窓口はご案内できません。"
                    "水素、GX、DX、価格転嫁、外国人材などについてお尋ねいただくか、「支援策さがし」タブをお試しください。<br>"
                    "The document does not cover this, so no office can be suggested. Try the Support finder tab.")
        return (f'<div class="contact-card abstained"><div class="card-label">ご案内 / Note</div>'
                f"<p>{body}</p></div>")
    offices = _unique_offices(answer.contacts)
    if not offices:
        return WELCOME_CARD
    first, rest = offices[0], offices[1:]
    out = [
        '<div class="contact-card" data-role="primary-contact">',
        '<div class="card-label">お問い合わせ先 / Contact</div>',
        f'<div class="dept">{_e(first.department)}</div><div class="division">{_e(first.division)}</div>',
        phone_html(first.phone),
        f'<div class="muted">担当 / In charge of: {_e(first.initiative)}</div>' if first.initiative else "",
    ]
    if rest:
        items = "".join(f"<li>{_e(c.department)} {_e(c.division)} {phone_html(c.phone)}</li>" for c in rest)
        out.append(f"<details><summary>ほかの窓口 / Other offices ({len(rest)})</summary><ul>{items}</ul></details>")
    out.append("</div>")
    return "".join(out)


_SEARCH_SUMMARY = {
    "all": "すべての窓口（{n}件） / All offices",
    "phone": "番号から逆引き（{n}件） / Reverse look-up by number",
    "partial-number": "番号の一部に一致（{n}件） / Numbers containing these digits",
    "division": "部署名に一致（{n}件） / Division name",
    "department": "部の窓口すべて（{n}件） / Every office of the department",
    "term": "資料の中の言葉から（{n}件） / Where the document uses this term",
    "topic": "話題から（{n}件） / By topic",
}


def office_html(office: Office, matched: set[str], why: str = "") -> str:
    """One office: department, division, phone with tel: link and copy button, its initiatives, and
    (for a term found in the document) the line that has it."""
    items = "".join(f'<li class="{"matched" if t in matched else ""}">{_e(t)}</li>' for t in office.initiatives)
    found = f'<div class="why"><span class="muted">資料の該当箇所 / Found in</span> {_e(why)}</div>' if why else ""
    return (f'<div class="office" data-division="{_e(office.division)}">'
            f'<div class="dept">{_e(office.department)}</div><div class="division">{_e(office.division)}</div>'
            f"{phone_html(office.phone)}"
            f'<div class="muted">担当する施策 / Initiatives</div><ul class="initiatives">{items}</ul>{found}</div>')


def offices_html(search: OfficeSearch) -> str:
    """The directory's answer to a query, or a clear note when nothing matches."""
    if not search.offices:
        if search.kind == "unknown-phone":
            note = ("この番号は問合せ先一覧にありません。番号を確かめるか、部署名・話題で検索してください。<br>"
                    "That number is not in the contact list.")
        else:
            note = ("該当する窓口が見つかりません。話題（例: 水素、価格転嫁）、部署名、電話番号で検索できます。<br>"
                    "No office found. Search by topic, division name or phone number.")
        return f'<div class="search-summary" data-kind="{_e(search.kind)}">{note}</div>'
    summary = _SEARCH_SUMMARY.get(search.kind, "{n}件").format(n=len(search.offices))
    matched = set(search.initiatives)
    cards = "".join(office_html(o, matched, search.why.get(o.division, "")) for o in search.offices)
    return f'<div class="search-summary" data-kind="{_e(search.kind)}">{summary}</div>{cards}'


FINDER_EMPTY = ("やりたいことを1つ以上選ぶか、会社の説明を書いてください。<br>"
                "Pick at least one goal or describe your company.")


def recommendations_html(recs: list[Recommendation]) -> str:
    """Ranked initiatives, each with quoted evidence and the office to call."""
    if not recs:
        return ('<div class="search-summary">この資料には、当てはまる取組が見つかりませんでした。目的を選び直すか、'
                "説明を変えてお試しください。<br>The document has no initiative for this; try other goals.</div>")
    cards = []
    for n, r in enumerate(recs, 1):
        tags = "".join(f'<span class="goal-tag">{_e(g)}</span>' for g in r.goals)
        pages = "、".join(page_label(p) for p in r.pages)
        why = "".join(citation_html(i, q, opened=True, with_initiative=False) for i, q in enumerate(r.quotes, 1))
        calls = "".join(f'<div>{_e(c.department)} {_e(c.division)} {phone_html(c.phone)}</div>'
                        for c in _unique_offices(r.contacts))
        cards.append(
            f'<div class="rec" data-rank="{n}"><div class="division">{n}. {_e(r.initiative)}</div>'
            f'<div class="muted">{tags} {pages}</div>'
            f'<div class="card-label">理由（資料からの引用） / Why (quoted from the document)</div>{why}'
            f'<div class="card-label">相談先 / Whom to call</div>{calls}</div>'
        )
    return "".join(cards)


# ---- evaluators' view --------------------------------------------------------------------------------



def reports_dir(assistant: Assistant) -> Path:
    return Path(getattr(assistant.settings, "reports_dir", assistant.settings.eval_dir / "reports"))


# The report's files (report.html, responses.jsonl, metrics.json) are served by ui/server.py at
# REPORT_FILES/<run>/<file>; the Markdown's links to them are relative to the run folder.
REPORT_FILES = "eval-reports"
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def report_file(folder: Path, run: str, name: str) -> Path | None:
    """A file directly inside a run folder of ``folder``, or None: no other path is ever served."""
    if not _SAFE_NAME.match(run) or not _SAFE_NAME.match(name):
        return None
    path = folder / run / name
    try:
        inside = path.resolve().parent.parent == folder.resolve()
    except OSError:
        return None
    return path if inside and path.is_file() else None


def _report_links(markdown: str, run: Path, served: Path | None) -> str:
    """Relative links in a report, which the page would resolve against "/", made to open: to the
    served copy of the file when the run lies in the served folder, else to plain text naming the file."""
    def link(m: re.Match[str]) -> str:
        bang, text, target = m.groups()
        if bang or re.match(r"^([a-z][a-z0-9+.-]*:|/|#)", target, re.I):
            return m.group(0)
        if served is not None and report_file(served, run.name, target) is not None:
            return f"[{text}]({REPORT_FILES}/{quote(run.name)}/{quote(target)})"
        return f"{text} (`{_e(run / target)}`)"
    return _MD_LINK.sub(link, markdown)


def report_markdown(path: Path | None, served: Path | None = None) -> str:
    """A report folder (or its report.md) as Markdown headed by where it lives; its links to the run's
    files open when the run lies in ``served`` (the reports folder ui/server.py serves)."""
    if path is None:
        return "まだ評価レポートがありません。「評価を実行」を押してください。 / No evaluation report yet."
    md = path / "report.md" if path.is_dir() else path
    try:
        text = _report_links(md.read_text("utf-8"), md.parent, served)
        return f"**{_e(md.parent.name)}** — `{_e(md)}`\n\n" + text
    except OSError as e:
        return f"レポートを読めませんでした / Could not read the report ({_e(e)})."


def latest_report_markdown(assistant: Assistant) -> str:
    """The newest report as Markdown, or a note when the runner or any report is missing."""
    try:
        folder = reports_dir(assistant)
        return report_markdown(latest_report(folder), folder)
    except Exception as e:  # noqa: BLE001 - a broken report folder must not break the page
        log.error("latest report: %s", e)
        return f"レポートを読めませんでした / Could not read the latest report ({_e(e)})."


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


MAX_OPTIONS = 3  # buttons for a clarifying question's choices


class ChatTurn(NamedTuple):
    """What one chat turn changes on the page."""

    chat: ChatHistory  # the messages shown
    box: str  # the question box (cleared after a turn)
    contact: str  # the contact card
    turns: list[dict[str, str]]  # the conversation as typed, read as history by the next turn
    records: dict[str, Any]  # what each shown answer was, for feedback on it
    options: list[str] = []  # a clarifying question's choices, shown as buttons


def chat_turn(assistant: Assistant, message: Any, chat: ChatHistory | None,
              turns: list[dict[str, str]] | None = None, records: dict[str, Any] | None = None) -> ChatTurn:
    """One turn of the chat. Never raises: a refused message gets its reason in the chat, and an
    unexpected failure is logged. Without ``turns`` the history is read back from the chat itself."""
    chat = [m for m in chat or [] if isinstance(m, dict)]
    records = dict(records or {})
    if turns is None:
        turns = []
        for m in chat:
            if m.get("role") in ("user", "assistant"):
                text = text_of(m.get("content"))
                # The chat shows the user's own messages escaped: read back what they typed.
                turns.append({"role": m["role"], "content": from_plain_text(text) if m["role"] == "user" else text})
    if not isinstance(message, str) or not message.strip():
        return ChatTurn(chat, "", "", turns, records)
    message = message.strip()
    shown = {"role": "user", "content": as_plain_text(message[: assistant.settings.max_message_chars])}
    try:
        answer = assistant.ask(message, [Turn(t["role"], t["content"]) for t in turns])  # type: ignore[arg-type]
    except BadInput as e:
        limit = assistant.settings.max_message_chars
        note = f"質問が長すぎます（{limit}文字まで）。 / {e}" if isinstance(e, TooLong) else f"質問を入力してください。 / {e}"
        # The refused question stays in the box, so nothing typed is lost.
        return ChatTurn(chat + [{"role": "assistant", "content": note}], message, "", turns, records)
    except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the cause
        log.exception("chat turn failed")
        note = "申し訳ありません。処理中にエラーが発生しました。もう一度お試しください。 / Sorry, something went wrong."
        return ChatTurn(chat + [shown, {"role": "assistant", "content": note}], "", "", turns, records)
    chat = chat + [shown, {"role": "assistant", "content": answer_html(answer)}]
    records[str(len(chat) - 1)] = {"question": message, "history": [t["content"] for t in turns if t["role"] == "user"],
                                   "answer": answer.to_dict()}
    turns = turns + [{"role": "user", "content": message}, {"role": "assistant", "content": answer.answer}]
    options = [f"{i}. 「{o.initiative}」（{o.division}）" for i, o in enumerate(answer.clarify.options, 1)] \
        if answer.clarify else []
    return ChatTurn(chat, "", contact_card_html(answer), turns, records, options)


def build_ui(assistant: Assistant) -> gr.Blocks:
    """All views around an already-wired assistant."""
    eval_lock = threading.Lock()

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
            return (f"評価を保存できませんでした（回答には影響ありません）。 / Feedback could not be saved: {_e(e)}",
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
            return f"コメントを保存できませんでした / Comment not saved: {_e(e)}", gr.update()
        return f"コメントを記録しました（#{fid}）。ありがとうございます。 / Comment saved.", gr.update(value="")

    # ---- directory ----
    def search(query: str) -> str:
        query = (query or "")[: assistant.settings.max_query_chars]
        # An empty box lists every office (people browse the directory), asked for explicitly.
        return offices_html(assistant.search_offices(query, everything=not query.strip()))

    # ---- support finder ----
    def find(goals: list[str], description: str) -> str:
        if not goals and not (description or "").strip():
            return f'<div class="search-summary" data-kind="empty">{FINDER_EMPTY}</div>'
        try:
            return recommendations_html(assistant.find_support(goals or [], description or ""))
        except ValueError as e:  # the core's reason is English: a Japanese sentence leads
            return f'<div class="search-summary">条件を確かめてください。 / {_e(e)}</div>'

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
            return f"評価に失敗しました / The evaluation failed: {_e(e)}"
        finally:
            eval_lock.release()

    with gr.Blocks(title=TITLE) as ui:
        gr.Markdown(f"## {TITLE}\n令和７年度の重点施策から、根拠（資料の引用）と担当窓口をお答えします。"
                    " / Cited answers from the bureau's FY2025 priority policies, and the office to call.",
                    elem_id="header")
        # "wrap": on a narrow screen the tabs wrap onto a second line instead of hiding in a "…" menu.
        with gr.Tabs(overflow_behavior="wrap", elem_id="tabs"):
            with gr.Tab("チャット / Chat", id="chat", elem_id="tab-chat"):
                turns = gr.State([])
                records = gr.State({})
                feedback_id = gr.State(None)
                with gr.Row(elem_id="chat-row"):
                    with gr.Column(scale=3, elem_id="chat-main"):
                        # No "share" button: it posts to Hugging Face, and this app stays offline.
                        chat = gr.Chatbot(label="チャット / Chat", height=460, elem_id="chatbot",
                                          feedback_options=("Like", "Dislike"), buttons=["copy", "copy_all"])
                        with gr.Row(elem_id="clarify-options"):
                            option_buttons = [gr.Button(visible=False, size="sm", elem_id=f"option-{i + 1}")
                                              for i in range(MAX_OPTIONS)]
                        box = gr.Textbox(label="質問 / Question", placeholder="例：取引先が値上げを認めてくれない",
                                         elem_id="question", max_length=assistant.settings.max_message_chars)
                        with gr.Row(elem_id="send-row"):
                            send = gr.Button("送信 / Send", variant="primary", elem_id="send")
                            clear = gr.Button("新しい会話 / New chat", elem_id="new-chat")
                        with gr.Column(elem_id="chat-examples"):
                            gr.Examples(EXAMPLES, inputs=box, label="質問の例 / Example questions")
                    with gr.Column(scale=2, elem_id="chat-side"):
                        card = gr.HTML(WELCOME_CARD, elem_id="contact-card", js_on_load=COPY_JS)
                        gr.Markdown("回答の下のボタン（いいね / よくないね）で評価できます。 / Rate each answer with the thumbs under it.")
                        status = gr.Markdown(elem_id="feedback-status")
                        with gr.Group(visible=False) as comment_row:
                            comment = gr.Textbox(label="コメント（任意） / Comment (optional)", elem_id="feedback-comment",
                                                 max_length=assistant.settings.max_feedback_comment_chars, lines=2)
                            comment_btn = gr.Button("コメントを送る / Send comment", elem_id="send-comment", size="sm")
                outputs = [chat, box, card, turns, records, status, comment_row, *option_buttons]
                box.submit(respond, [box, chat, turns, records], outputs, api_name="chat")
                send.click(respond, [box, chat, turns, records], outputs, api_visibility="private")
                for button in option_buttons:  # choosing an option answers the clarifying question
                    button.click(respond, [button, chat, turns, records], outputs, api_visibility="private")
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
                query = gr.Textbox(label="検索 / Search", placeholder="例：水素 / 取引適正化推進室 / 0669666014",
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
                                         placeholder="例：大阪の金属加工業、従業員30人。アジアに販路を広げたい。",
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


def mount_options() -> dict[str, Any]:
    """Theme, CSS and head, which Gradio 6 takes where the app is mounted or launched."""
    return {"theme": THEME, "css": CSS, "head": HEAD}

