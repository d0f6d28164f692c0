"""HTML for the core's results: answers with their evidence, the contact card, offices, recommendations.

Every text this module did not write is escaped; nothing here searches or decides, it only shows.
"""

from __future__ import annotations

import html
import re

from assistant.answers import Answer, Citation
from assistant.directory import Contact, Office
from assistant.finder import Recommendation
from assistant.service import OfficeSearch

_PHONE_TEXT = re.compile(r"\b0\d{1,3}-\d{2,4}-\d{4}\b")


def esc(text: object) -> str:
    """Text from outside (the document, the user, an error) made safe to put in HTML."""
    return html.escape(str(text), quote=True)


def tel_href(phone: str) -> str:
    return "tel:" + re.sub(r"\D", "", phone)


def phone_html(phone: str) -> str:
    """A phone number as a tel: link with a copy button beside it."""
    return (f'<span class="phone-row"><a class="tel" href="{esc(tel_href(phone))}">{esc(phone)}</a>'
            f'<button type="button" class="copy-phone" data-phone="{esc(phone)}">コピー / Copy</button></span>')


def _link_phones(escaped: str) -> str:
    """Turn directory-formatted numbers in already-escaped text into tel: links."""
    return _PHONE_TEXT.sub(lambda m: f'<a class="tel-inline" href="{tel_href(m.group(0))}">{m.group(0)}</a>', escaped)


def page_label(page: int | None, english: bool = False) -> str:
    if page is None:
        return ""
    return f"p. {page}" if english else f"{page}ページ"


def quote_html(n: int, c: Citation, english: bool = False, topic: str = "") -> str:
    """Evidence [n], shown without a click: the quote, and under it where it stands (slide or section
    and page), naming its initiative only when that is not ``topic``, the one the answer is about."""
    page = page_label(c.page, english)
    where = esc(c.section) + ((f" ({page})" if english else f"（{page}）") if page else "")
    other = c.initiative and c.initiative not in (topic, c.section)
    initiative = (f' <span class="cite-initiative">{"Initiative" if english else "施策"}: {esc(c.initiative)}</span>'
                  if other else "")
    return (f'<figure class="cite"><blockquote>「{esc(c.quote)}」</blockquote>'
            f'<figcaption class="cite-source"><span class="cite-marker">[{n}]</span> {where}{initiative}'
            "</figcaption></figure>")


def answer_html(answer: Answer) -> str:
    """The composer's answer text, each quoted line shown as its evidence with a marker and source."""
    english = answer.language == "en"
    topic = answer.initiatives[0] if answer.initiatives else ""
    parts: list[str] = []
    shown: set[int] = set()
    for line in answer.answer.splitlines():
        n = next((i for i, c in enumerate(answer.citations, 1) if i not in shown and line.startswith(f"> 「{c.quote}」")),
                 None)
        if n is not None:
            shown.add(n)
            parts.append(quote_html(n, answer.citations[n - 1], english, topic))
        elif line.strip():
            parts.append(f"<p>{_link_phones(esc(line))}</p>")
    parts += [quote_html(n, c, english, topic) for n, c in enumerate(answer.citations, 1) if n not in shown]
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
            # The answer above names the topics the document covers; the card only says where to go next.
            body = ("この資料には、ご質問に当てはまる取組が見つかりませんでした。そのため担当窓口はご案内できません。"
                    "言い方を変えてお尋ねいただくか、「支援策さがし」タブをお試しください。<br>"
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
        f'<div class="dept">{esc(first.department)}</div><div class="division">{esc(first.division)}</div>',
        phone_html(first.phone),
        f'<div class="muted">担当 / In charge of: {esc(first.initiative)}</div>' if first.initiative else "",
    ]
    if rest:
        # Another initiative's office says what it is for, never passing as one of the first's.
        items = "".join(f"<li>{esc(c.department)} {esc(c.division)} {phone_html(c.phone)}"
                        + (f'<div class="muted">担当 / In charge of: {esc(c.initiative)}</div>'
                           if c.initiative and c.initiative != first.initiative else "") + "</li>" for c in rest)
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
    items = "".join(f'<li class="{"matched" if t in matched else ""}">{esc(t)}</li>' for t in office.initiatives)
    found = f'<div class="why"><span class="muted">資料の該当箇所 / Found in</span> {esc(why)}</div>' if why else ""
    return (f'<div class="office" data-division="{esc(office.division)}">'
            f'<div class="dept">{esc(office.department)}</div><div class="division">{esc(office.division)}</div>'
            f"{phone_html(office.phone)}"
            f'<div class="muted">担当する施策 / Initiatives</div><ul class="initiatives">{items}</ul>{found}</div>')


def offices_html(search: OfficeSearch, topics: str = "") -> str:
    """The directory's answer to a query, or a clear note when nothing matches (``topics``: examples of
    topics to search for, from the corpus)."""
    if not search.offices:
        if search.kind == "unknown-phone":
            note = ("この番号は問合せ先一覧にありません。番号を確かめるか、部署名・話題で検索してください。<br>"
                    "That number is not in the contact list.")
        else:
            note = (f"該当する窓口が見つかりません。話題{f'（例: {esc(topics)}）' if topics else ''}、部署名、電話番号で検索できます。<br>"
                    "No office found. Search by topic, division name or phone number.")
        return f'<div class="search-summary" data-kind="{esc(search.kind)}">{note}</div>'
    summary = _SEARCH_SUMMARY.get(search.kind, "{n}件").format(n=len(search.offices))
    matched = set(search.initiatives)
    cards = "".join(office_html(o, matched, search.why.get(o.division, "")) for o in search.offices)
    return f'<div class="search-summary" data-kind="{esc(search.kind)}">{summary}</div>{cards}'


FINDER_EMPTY = ("やりたいことを1つ以上選ぶか、会社の説明を書いてください。<br>"
                "Pick at least one goal or describe your company.")


def recommendations_html(recs: list[Recommendation]) -> str:
    """Ranked initiatives, each with quoted evidence and the office to call."""
    if not recs:
        return ('<div class="search-summary">この資料には、当てはまる取組が見つかりませんでした。目的を選び直すか、'
                "説明を変えてお試しください。<br>The document has no initiative for this; try other goals.</div>")
    cards = []
    for n, r in enumerate(recs, 1):
        tags = "".join(f'<span class="goal-tag">{esc(g)}</span>' for g in r.goals)
        pages = "、".join(page_label(p) for p in r.pages)
        why = "".join(quote_html(i, q, topic=r.initiative) for i, q in enumerate(r.quotes, 1))
        calls = "".join(f'<div>{esc(c.department)} {esc(c.division)} {phone_html(c.phone)}</div>'
                        for c in _unique_offices(r.contacts))
        cards.append(
            f'<div class="rec" data-rank="{n}"><div class="division">{n}. {esc(r.initiative)}</div>'
            f'<div class="muted">{tags} {pages}</div>'
            f'<div class="card-label">理由（資料からの引用） / Why (quoted from the document)</div>{why}'
            f'<div class="card-label">相談先 / Whom to call</div>{calls}</div>'
        )
    return "".join(cards)
