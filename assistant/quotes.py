"""Which of the document's sentences answer a question, quoted as whole units.

A unit is a sentence, a bullet or a caption as the slide has it (``assistant.quote_units``); what each
sentence is, whatever the question, is read once (``assistant.sentence_rows``), and the lists a question
names are quoted whole (``assistant.quote_lists``). The sentences of each routed initiative are weighed by
meaning, the asker's rarer words, the kind of fact asked and, for a situation told in the asker's own
words, the help they name (``assistant.quote_evidence``); here the best are chosen and put in order.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.quote_evidence import COLUMN, EVIDENCE, QuoteEvidence
from assistant.quote_units import BULLET, MAX_QUOTE, quotable, unlabelled
from assistant.routing import Route, RouteReason
from assistant.sentence_rows import Citation


def _overlaps(quote: Citation, whole: Citation) -> bool:
    """Whether a quote holds part of a whole list's text without holding the list."""
    return quote.section == whole.section and quote.start < whole.end and whole.start < quote.end \
        and not (quote.start <= whole.start and whole.end <= quote.end)


def _held_in(text: str, other: str) -> bool:
    """Whether ``other`` says all of ``text``: a slide's summary line (「…促進を図る。」) read again in the sentence
    that goes on from it (「…促進を図るとともに、…」) says nothing new, so its full stop does not make it a second quote."""
    return unlabelled(text).rstrip("。．.") in unlabelled(other)


class QuoteChooser(QuoteEvidence):
    """Chooses the sentences of each routed initiative that best answer the question."""

    def quotes(self, route: Route, per_initiative: int, shown: tuple[str, ...] = ()) -> list[Citation]:
        """The sentences of each routed initiative that best answer the question; those of ``shown`` (quoted
        before, when more is asked for) count ``quote_shown`` less."""
        question = route.question
        patterns = [t.pattern for t in question.asked]
        w = self.weights
        weights = np.array([getattr(w, f"quote_{name}") for name in EVIDENCE])
        asked = self._asked(route)
        out: list[Citation] = []
        for n, initiative in enumerate(route.initiatives):
            rows = self._sentences_of.get(initiative.title, [])
            if not rows:
                continue
            own_words = self._own_words(question, initiative.title)
            # A further initiative is offered by its office; for a situation told in the asker's words its
            # quote would read as the answer (unless the asker is asked to choose between them).
            situation = own_words > 1.0 - w.quote_others_below and route.reason != RouteReason.clarify
            take = per_initiative if n == 0 else (0 if situation else 1)
            if not take:
                continue
            if patterns and n == 0:
                take += 1  # a fact question: one more sentence, so the one holding the fact is shown
            # Asked in a few words what help exists: one more measure on offer, but that place is not given to
            # background (a definition, a shortage), which offers the asker nothing. Not for a situation told
            # in the asker's own words: a blind reader preferred its two quotes to three, 15 to 8.
            offering = n == 0 and not patterns and bool(asked.help) and not situation
            take += offering
            evidence, help_on_offer = self.evidence(route, initiative.title, asked, own_words)
            scores = evidence @ weights + help_on_offer
            if shown:
                said = [any(t in quote for quote in shown) for t in self.quoted_texts(initiative.title)]
                scores = scores - w.quote_shown * np.array(said)
            scored = [(float(score), chunk, sentence, row) for score, (row, chunk, sentence) in zip(scores, rows, strict=True)]
            scored.sort(key=lambda x: -x[0])
            if len(patterns) > 1:
                # Two kinds asked (how many, and as of when): the best sentence for each comes first, so one
                # kind's sentences do not fill every place.
                firsts = {id(x): x for p in patterns if (x := next((y for y in scored if p.search(y[2].text)), None))}
                lead = sorted(firsts.values(), key=lambda x: -x[0])
                scored = lead + [x for x in scored if id(x) not in firsts]
            if n == 0 and question.years:
                # Several years asked (「2022年度と2023年度は？」, 「今まで何回？」): each year's row holding a figure of
                # the kind asked, in the slide's order, where the latest alone would read as the whole. One year
                # asked of a table (「2022年度の実績は？」): its row, where the table's heading would lead.
                one = len(question.years) == 1
                yearly = sorted((x for x in scored if len(self._years_of_row[x[3]]) == 1
                                 and self._years_of_row[x[3]] & question.years
                                 and self._counts_for_year(x[2].text, asked, any_figure=one)), key=lambda x: x[3])
                if len(yearly) > 1 or (one and yearly):
                    take = max(take, len(yearly))
                    scored = yearly + [x for x in scored if x not in yearly]
            set_heads = {row for (row, _, _), x in zip(rows, evidence, strict=True) if x[COLUMN["count_list"]]}
            if len(set_heads) > 1:
                # Headings of a set asked for, each over its own items (サイバーセキュリティ … 人材育成 on 各要素の
                # 具体的支援策): all of them, in the slide's order, before any sentence about the set but the best
                # one holding the kind of fact asked (5要素 for いくつ).
                holds = {row for (row, _, _), x in zip(rows, evidence, strict=True) if x[COLUMN["fact"]]}
                lead = [x for x in scored[:1] if x[3] in holds and x[3] not in set_heads]
                heads = sorted((x for x in scored if x[3] in set_heads), key=lambda x: x[3])
                scored = lead + heads + [x for x in scored if x[3] not in set_heads and x not in lead]
            mine: list[Citation] = []
            for _, chunk, sentence, row in scored:
                if len(mine) == take:
                    break
                if offering and len(mine) == take - 1 and row in self._background_rows:
                    continue
                if (whole := self._diagram_of_row.get(row)) is not None:
                    if not any(whole.quote in c.quote for c in mine):
                        mine.append(whole)
                        # A box naming the asker's own kind (これから外国人雇用に取り組む企業) tells them they are
                        # whom the help is for; the help itself still has its places beside it, up to the most
                        # quotes an answer shows.
                        if self._to_asker(row, asked) and take < self.max_quotes:
                            take += 1
                    continue
                quote = quotable(chunk, sentence, self._wraps, lambda texts: self._best_caption(texts, question),
                                 lists=bool(patterns), items=asked.list_answer or id(sentence) in asked.heads_named,
                                 defines=asked.defined)
                # Slides repeat labels, and a label is quoted with the sentence beside it: each text once,
                # the longer where one quote holds another (「播磨臨海部」 水素発電実証 … holds 水素発電実証 …).
                if quote is None or any(_held_in(quote.text, c.quote) for c in mine):
                    continue
                citation = Citation(chunk.section, chunk.page, quote.text, chunk.initiative, quote.start, quote.end)
                citation = self._items_under(initiative.title, citation) or citation
                # Only over the box itself, or its measures from the first on ((1) … (2) …, chosen for (2)): a quote
                # opening on the box before it is that box's (its own heading).
                measures = self._measures_under.get((chunk.section, head.start, head.end), []) \
                    if (head := self._heading_of.get(row)) is not None else []
                if head is not None and head.text not in quote.text \
                        and quote.start >= (measures[0].start if measures else sentence.start) \
                        and len(head.text) + len(quote.text) < MAX_QUOTE:
                    citation = replace(citation, quote=f"{head.text} {quote.text}", start=min(head.start, quote.start),
                                       end=max(head.end, citation.end))
                if (named := self._antecedent_of.get(row)) is not None \
                        and self._refers_back_rows[row] not in asked.pointed_at:
                    # 「同イベントでは…」 with the sentence naming the event, or that sentence in its place (unless
                    # the asker points at the event themselves: このイベントは…).
                    text = BULLET.sub("", named.text)
                    start = named.start + len(named.text) - len(text)
                    joined = len(text) + len(citation.quote) <= MAX_QUOTE
                    if text not in citation.quote:
                        citation = replace(citation, quote=f"{text}{citation.quote}" if joined else text,
                                           start=start, end=citation.end if joined else named.end)
                if n == 0 and (run := self._run_named(row, asked.rare)) is not None:
                    citation = run
                held = next((i for i, c in enumerate(mine) if _held_in(c.quote, citation.quote)), None)
                if held is None:
                    mine.append(citation)
                else:
                    mine[held] = citation
            whole: Citation | None = None  # a list quoted whole: a quote holding a piece of it repeats it
            if n == 0 and (items := self._items_named(initiative.title, question.terms)) is not None \
                    and not any(items.quote in c.quote for c in mine):
                mine.insert(0, whole := items)
            if n == 0 and not patterns and (when := self._when_of.get(initiative.title)) is not None \
                    and not any(when.quote in c.quote for c in mine):
                mine.append(when)  # an event asked about in general: when it is, whatever else is quoted
            for k, cited in enumerate(mine if n == 0 else []):
                # A numbered heading quoted (② プランにおける基本的な取組姿勢) says only that a list exists: its
                # items (（１）イーコールパートナーシップ …) follow it.
                if (items := self._items_under_heading(cited)) is not None:
                    if not any(items.quote in c.quote for c in mine):
                        mine.insert(k + 1, whole := items)
                    break
                if (listed := self._list_named(initiative.title, cited)) is not None:
                    if not any(listed.quote in c.quote for c in mine):
                        mine.insert(k + 1, listed)
                    break
            if whole is not None:  # 開催概要 主なコンテンツ Session beside Session … Pitch … Networking …
                mine = [c for c in mine if c is whole or not _overlaps(c, whole)]
            if n == 0 and not patterns and (asked.help or asked.kinds):
                # Asked what help exists, a box's sentence saying what it does is followed by what it offers:
                # its measures by name ((1) 人材活用ガイドラインセミナー (2) テーマ別セミナー …).
                # It takes the place of the last quote, not one more to read.
                told = next(((c, box) for c in mine if (box := self._measures_told(c)) is not None), None)
                if told is not None and not any(_held_in(told[1].quote, c.quote) for c in mine):
                    cited, box = told
                    before = len(mine)
                    mine = [c for c in mine if c is cited or not _held_in(c.quote, box.quote)]
                    mine.insert(mine.index(cited) + 1, box)
                    mine = mine[: max(before, 2)]
            if n == 0 and (asked.heads_named or any(t.items and not t.figure for t in question.asked)):
                # A list asked for (who takes part, its heading named; not a target's items) that one quote
                # cannot hold goes on in the next.
                for cited in list(mine):
                    if (rest := self._list_rest(initiative.title, cited)) is not None \
                            and not any(rest.quote in c.quote for c in mine):
                        # The whole list where its first part or any item of it quoted alone stood.
                        held = [k for k, c in enumerate(mine) if c is cited or (
                            c.section == cited.section and cited.start <= c.start and c.end <= rest.end)]
                        mine = [c for k, c in enumerate(mine) if k not in held]
                        mine[held[0]:held[0]] = [cited, rest]
            out += mine
        return out[: self.max_quotes + len(route.initiatives)]
