"""How the app looks: theme colours and fonts, CSS (phone layout included), and the copy-button script."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

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
/* Evidence is read without a click: the quote, then a small line saying where it stands in the document. */
figure.cite { margin: 8px 0; padding: 0 0 0 10px; border-left: 3px solid var(--color-accent); }
/* (Gradio's prose blockquote margin is !important: only another one overrides it.) */
figure.cite blockquote { margin: 0 !important; padding: 0; border: 0; font-size: 0.95em; line-height: 1.5; }
figure.cite .cite-source { margin-top: 2px; font-size: 0.8em; line-height: 1.35;
  color: var(--body-text-color-subdued); }
.cite-marker { font-weight: 700; }
.muted { font-size: 0.85em; color: var(--body-text-color-subdued); }
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
  #chatbot { order: 1; height: clamp(240px, 54svh, 500px) !important; }
  #chatbot label[data-testid=block-label] { display: none; }
  #chatbot .wrapper { display: flex; flex-direction: column; }
  #chatbot .icon-button-wrapper.top-panel { position: static; align-self: flex-end; margin: 2px; }
  #chatbot .bubble-wrap { flex: 1 1 0; min-height: 0; }
  #chatbot .message-row { margin: 6px 2px; max-width: 100%; }
  #chatbot .message-row.bot-row { margin-right: 2px; }
  #chatbot .message-wrap { margin-bottom: 4px; }
  #chatbot .bubble-wrap { padding-top: 4px; }
  /* An answer with its quotes fits the chat's visible part: tighter type and spacing than on a desk. */
  #chatbot .message-content .prose { font-size: 15px; line-height: 1.45; }
  #chatbot .message-content .prose p { margin: 0 0 4px; line-height: 1.45; }
  #chatbot .message-content figure.cite { margin: 4px 0 6px; padding-left: 8px; }
  #chatbot figure.cite blockquote { font-size: 14px; line-height: 1.45; }
  #clarify-options { order: 2; gap: 4px; }
  #chat-side > #contact-card { order: 3; }
  #chat-main > .form:has(#question) { order: 4; }
  #send-row { order: 5; }
  #send-row button { padding: 6px 8px; min-height: 0; font-size: 0.9rem; }
  #contact-card .html-container { padding: 0; }
  #header { margin-bottom: -6px; }
  #question { padding: 4px 8px; }
  /* The box's label is read out but not shown: its placeholder says what to type, and the line it took
     goes to the answer. */
  #question [data-testid=block-info] { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip-path: inset(50%); white-space: nowrap; }
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

# Gradio scrolls the chat to its bottom after an answer, which hides the start of an answer taller than the
# chat (the quotes make answers long on a phone). Instead the chat shows the newest answer from its start,
# with as much of the conversation before it as fits. Run after each answer is rendered (Markdown renders a
# moment after the value arrives, hence the second try).
SHOW_ANSWER_JS = """
() => {
  const place = () => {
    const view = document.querySelector('#chatbot .bubble-wrap');
    const rows = view ? view.querySelectorAll('.message-row.bot-row') : [];
    if (!rows.length) return;
    const top = rows[rows.length - 1].getBoundingClientRect().top - view.getBoundingClientRect().top + view.scrollTop;
    view.scrollTo(0, Math.min(view.scrollHeight - view.clientHeight, Math.max(0, top - 4)));
  };
  requestAnimationFrame(place);
  setTimeout(place, 300);
}
"""


def mount_options() -> dict[str, Any]:
    """Theme, CSS and head, which Gradio 6 takes where the app is mounted or launched."""
    return {"theme": THEME, "css": CSS, "head": HEAD}
