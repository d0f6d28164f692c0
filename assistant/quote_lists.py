"""Lists a question names, quoted whole: a numbered heading's items, a diagram's labels, the list under a
heading a quote uses, and the measures beside a chosen one that the asker's words name too.

The lines of a list are separate units (``assistant.quote_units``); a question naming the list, or several
of its lines, is answered by the lines together, each still verbatim.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.chunking import NUMBERED
from assistant.index import StoredChunk, StoredSentence
from assistant.quote_units import BULLET, DOTS, ENDS, MAX_QUOTE, MIN_QUOTE, bulleted_name, item_tail, quotable
from assistant.sentence_rows import LIST_HEAD, Citation, SentenceRows
from assistant.settings import QuoteWeights
from assistant.slide_layout import programme_parts


class NamedLists(SentenceRows):
    """The lists of the document's slides, and which of them a question or a quote names."""

    weights: QuoteWeights  # set by the chooser: how much of a heading a question must name

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for chunk in self.index.chunks:
            self._read_parts(chunk)

    def _measures_told(self, cited: Citation) -> Citation | None:
        """For a quote saying what a box does in general (課題別のセミナー開催や伴走支援…), the box's measures under
        its heading (人材戦略策定支援（中小企業向け） (1) … (3) …), which an asker can take part in; None for any
        other quote. The sentence and the list may stand in different chunks."""
        heading = self._box_told.get((cited.section, cited.start))
        if heading is None:
            return None
        return self._items_under(cited.initiative, Citation(cited.section, cited.page, heading.text, cited.initiative,
                                                            heading.start, heading.end))

    def _read_parts(self, chunk: StoredChunk) -> None:
        """A programme's parts (主なコンテンツ: Session, Pitch, Exhibition, Networking, each over what it offers)
        are a list the line before them names: a question naming it is answered by the parts quoted together;
        the heading's own quote (開催概要 主なコンテンツ Session) says only that they exist."""
        units = chunk.sentences
        for head, name, parts in programme_parts(units):
            quoted = [u for k in parts if (u := quotable(chunk, units[k], self._wraps)) is not None]
            text = " ".join(u.text for u in quoted)
            if len(quoted) < len(parts) or len(text) > MAX_QUOTE:
                continue
            items = tuple(units[k] for k in parts)
            self._diagram_of_labels.setdefault(id(items[0]), Citation(
                chunk.section, chunk.page, text, chunk.initiative, items[0].start, quoted[-1].end))
            named = (frozenset(self.tokenizer.terms(name)), chunk, items)
            places = {(units[head].start, units[head].end)}
            if (heading := quotable(chunk, units[head], self._wraps)) is not None:
                places.add((heading.start, heading.end))
            for start, end in places:
                self._items_of_head.setdefault((chunk.section, start, end), named)

    def _names_most_of(self, heading: frozenset[str], q_terms: frozenset[str]) -> bool:
        """Whether the question names most of a heading's words, by word rarity (``quote_heading_named``)."""
        def weight(terms: frozenset[str]) -> float:
            return sum(self._idf.get(t, self._unknown_idf) for t in terms)
        return bool(heading) and weight(heading & q_terms) >= self.weights.quote_heading_named * weight(heading)

    def _headings_named(self, q_terms: frozenset[str]) -> set[int]:
        """The list headings (by their sentence's id) most of which the question names: their items answer."""
        return {key for key, terms in self._head_terms.items() if self._names_most_of(terms, q_terms)}

    def _items_named(self, title: str, q_terms: frozenset[str]) -> Citation | None:
        """The numbered items of a numbered heading of the initiative most of whose words the question names
        (「プランの基本的な取組姿勢は？」 → （１）イーコールパートナーシップ … （４）アジャイルな取組), or the labels
        of a diagram one of which it names (ターゲット層 → アドバンスド ビギナー ターゲット層), quoted whole."""
        # The initiative's own words are the topic, named or not; a heading is named by its other words
        # (① 関西・アジアビジネス共創推進プランの必要性 by 必要性): asking about the plan is no reason to list its
        # （１）…（４）, asking its 姿勢 is.
        topic = self._title_terms(title)
        for terms, chunk, items in self._items_of_head.values():
            if chunk.initiative == title and (terms - topic) & q_terms and self._names_most_of(terms, q_terms | topic) \
                    and (quoted := self._items_quoted(chunk, items)) is not None:
                return quoted
        return None

    def _items_under_heading(self, cited: Citation) -> Citation | None:
        """The items of the numbered heading a quote is (② プランにおける基本的な取組姿勢: it says only that a
        list exists), quoted whole; None for any other quote."""
        head = self._items_of_head.get((cited.section, cited.start, cited.end))
        return self._items_quoted(head[1], head[2]) if head is not None else None

    def _items_quoted(self, chunk: StoredChunk, items: tuple[StoredSentence, ...]) -> Citation | None:
        """A heading's items or a diagram's labels as one quote (a diagram with the boxes under its labels);
        None if they do not fit one."""
        if (whole := self._diagram_of_labels.get(id(items[0]))) is not None:
            return whole
        text = " ".join(x.text for x in items)
        if MIN_QUOTE <= len(text) <= MAX_QUOTE:
            return Citation(chunk.section, chunk.page, text, chunk.initiative, items[0].start, items[-1].end)
        return None

    def _run_named(self, row: int, rare: frozenset[str]) -> Citation | None:
        """The measures listed beside a chosen one that the asker's rarer words name too, with any one between
        two of them, quoted together (サイバー: 関西サイバーセキュリティネットワーク活動 セミナー、リスク分析
        ワークショップ… 中小企業対策ツール（サイバーセキュリティお助け隊…）の整備); None unless two do."""
        # Only measures a slide of support lists (its bullets, ``_item_rows``): elsewhere bullets side by side
        # are a diagram's labels or a sentence each, and a run of them reads as one garbled line.
        listed = tuple(r for r in self._bullet_list.get(row, ()) if r in self._item_rows)
        if row not in listed or len(listed) < 2 or not rare:
            return None
        # Not a word every bullet has (its slide's title) nor one of the initiative's title (DX of DX推進).
        chunk = self.index.chunks[self.index.sentence_owner[row][0]]
        everywhere = frozenset.intersection(*(frozenset(self._terms_of_row[r]) for r in listed))
        naming = rare - everywhere - self._title_terms(chunk.initiative)
        named = [bool(naming & self._terms_of_row[r]) for r in listed]
        k = listed.index(row)
        if not named[k]:
            return None
        lo = hi = k
        while lo - 1 >= 0 and (named[lo - 1] or (lo - 2 >= 0 and named[lo - 2])):
            lo -= 1 if named[lo - 1] else 2
        while hi + 1 < len(listed) and (named[hi + 1] or (hi + 2 < len(listed) and named[hi + 2])):
            hi += 1 if named[hi + 1] else 2
        if lo == hi:
            return None
        run = listed[lo : hi + 1]
        sentences = [self.index.chunks[ci].sentences[si] for ci, si in map(self.index.sentence_owner.__getitem__, run)]
        units = [self._unit_text.get(r, BULLET.sub("", x.text)) for r, x in zip(run, sentences, strict=True)]
        # Measures named in a phrase each (…の開催, …の整備); sentences side by side are quoted one by one.
        text = " ".join(units)
        if len(text) > MAX_QUOTE or any(u.endswith(ENDS) for u in units):
            return None
        return Citation(chunk.section, chunk.page, text, chunk.initiative, sentences[0].start, sentences[-1].end)

    def _list_named(self, title: str, cited: Citation) -> Citation | None:
        """The list under a heading on a quote's slide whose word the quote uses (…表彰制度の受賞企業 →
        ＜ 表彰制度 ＞ and its items), quoted whole; None if there is none."""
        said = re.sub(r"\s", "", cited.quote)
        for name, chunk, head in self._lists_of.get((title, cited.section), []):
            if name in said and head.text.strip() not in cited.quote:
                unit = quotable(chunk, head, self._wraps, lists=True, items=True)
                if unit is not None and unit.text != head.text:
                    return Citation(chunk.section, chunk.page, unit.text, chunk.initiative, unit.start, unit.end)
        return None

    def _slide_units(self, title: str, section: str) -> list[tuple[StoredChunk, StoredSentence]]:
        """The units of one slide of an initiative in order, across its chunks (which overlap)."""
        slide: list[tuple[StoredChunk, StoredSentence]] = []
        for _, chunk, x in self._sentences_of.get(title, []):
            if chunk.section == section and (not slide or x.start >= slide[-1][1].end):
                slide.append((chunk, x))
        return slide

    def _items_under(self, title: str, cited: Citation) -> Citation | None:
        """A heading quoted alone (（２）中小企業の課題解決に向けた地域における支援力の強化, ＜パートナー側の共創
        メリット＞) with the bullets under it (商工会・商工会議所等支援機関との連携強化 …), as many as fit: the
        heading names a measure or a list, its bullets say what it is; a box's heading with its numbered measures
        (経営支援機関との連携による面的支援（経営支援機関向け） (1) … (3) …); None for anything else."""
        measures = self._measures_under.get((cited.section, cited.start, cited.end), [])
        listed = " ".join([cited.quote, *(x.text for x in measures)])
        if measures and len(listed) <= MAX_QUOTE:  # a box's heading: its numbered measures say what it offers
            return Citation(cited.section, cited.page, listed, title, cited.start, measures[-1].end)
        numbered = NUMBERED.match(cited.quote) and not cited.quote.endswith(ENDS)
        if not (numbered or LIST_HEAD.match(cited.quote)):
            return None
        slide = self._slide_units(title, cited.section)
        if not any(x.start == cited.start and x.end == cited.end for _, x in slide):
            return None  # the heading is quoted with more than itself already
        after = [x for _, x in slide if x.start >= cited.end]
        items: list[str] = []
        end = cited.end
        for x in after:
            # Its items are the dotted lines under it (・…); a line with another mark (•) is the next box's.
            item = BULLET.sub("", x.text).strip()
            if not x.text.lstrip().startswith(tuple(DOTS)) or NUMBERED.match(item) \
                    or len(" ".join([cited.quote, *items, item])) > MAX_QUOTE:
                break
            items.append(item)
            end = x.end
        if not items:
            return None
        return Citation(cited.section, cited.page, " ".join([cited.quote, *items]), title, cited.start, end)

    def _list_rest(self, title: str, cited: Citation) -> Citation | None:
        """The rest of a list of bulleted names under a heading of its own that a quote stopped short of at its
        length (【９支援機関】 INPIT … SMRJ → JST, AMED, 近畿経済産業局), quoted next, across the chunks of its
        slide; None when the quote ends its list or is not one (bullets that are sentences are quoted by how
        well each answers, not all together)."""
        slide = self._slide_units(title, cited.section)
        units = tuple(x for _, x in slide)
        ends = [n for n, x in enumerate(units) if x.end == cited.end]
        headed = any(cited.quote.startswith(head.text.strip()) for _, _, head in self._lists_of.get((title, cited.section), []))
        if not ends or not headed or not bulleted_name(units[ends[0]].text):
            return None
        k = last = ends[0] + 1

        def names(a: int, b: int) -> str:
            return " ".join(BULLET.sub("", u.text).strip() for u in units[a : b + 1])

        # Only where the next name would not fit in the quote: a list it ends of its own accord is whole.
        if k >= len(units) or not bulleted_name(units[k].text) or len(f"{cited.quote} {names(k, k)}") <= MAX_QUOTE:
            return None
        while last + 1 < len(units) and (bulleted_name(units[last + 1].text) or item_tail(units, last + 1)) \
                and len(names(k, last + 1)) <= MAX_QUOTE:
            last += 1
        text = names(k, last)
        if len(text) < MIN_QUOTE:
            return None
        return Citation(cited.section, slide[k][0].page, text, title, units[k].start, units[last].end)
