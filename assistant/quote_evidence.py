"""How well each sentence of an initiative answers a question: a column of evidence for each thing weighed
(meaning as asked and in the document's words, the asker's rarer words, the kind of fact asked, a year, a name,
a list asked for …), weighed by ``QuoteWeights``, and the help a sentence offers an asker telling their
situation. What a question asks is read once (``assistant.quote_asked``); ``assistant.quotes`` chooses from these.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from assistant.normalize import nfkc, years_named
from assistant.query import Actor
from assistant.question import Question
from assistant.quote_asked import Asked, AskedReading
from assistant.quote_kinds import names_one
from assistant.quote_units import ENDS, ITEM
from assistant.retrieval import PolicyIndex
from assistant.routing import Route
from assistant.settings import QuoteWeights
from assistant.tokenizer import Tokenizer, hiragana

# A line opening on a year (2022年度, 令和4年度, FY2023): a table's row for that year.
_YEAR_ROW = re.compile(r"\s*(?:(?:19|20)\d{2}|令和\s*(?:\d{1,2}|元)|FY\s*\d{2,4})\s*年?度?")


# What a sentence offers as the answer to a fact or a question in the document's words, one column each;
# each is weighed by the QuoteWeights field of its name (quote_<name>).
EVIDENCE: tuple[str, ...] = (
    "sim_asked",  # meaning, as asked
    "sim_search",  # meaning, in the document's words (the glossary's reading of the question)
    "examples",  # likeness to how people ask about the initiative (a situation)
    "overlap",  # the question's words, by rarity
    "number",  # any number, when a fact is asked
    "names_asked",  # names the rarest proper noun of the kind asked (どこの国 → ドイツ)
    "fact",  # holds the kind of fact asked (a date for いつ)
    "echo",  # the slide's own word for what is asked (主 催：)
    "year",  # names the year asked about
    "heading_list",  # the list under a heading the question names
    "count_list",  # a count of what the question asks listed (重点３分野)
    "kind_named",  # names one of the kind asked by its own name (どんな補助金 → IT導入補助金)
    "label",  # a label under 6 characters or a link (-1)
    "sentence",  # a whole sentence
    "named",  # names something in 「」
    "brought",  # names, by rarity, what a follow-up brings that its topic lacks (アンモニアのほうは？)
    "about",  # on a slide about the thing whose meaning is asked (（参考）「関西・共創の森」について)
    "glossed_help",  # names the help the glossary reads the asker's situation as (紙の伝票 → IT導入補助金)
)
COLUMN = {name: i for i, name in enumerate(EVIDENCE)}


def _holds_kind(pattern: re.Pattern[str], text: str, years: frozenset[int]) -> bool:
    """Whether a text holds a kind of fact asked; where the question names a year, another year does not
    answer it (2024年度 holds a record of past work, but not the record of 2022年度 that was asked)."""
    return any(not years or not (named := years_named(m.group(0))) or bool(named & years)
               for m in pattern.finditer(text))
_MEANING = [COLUMN["sim_asked"], COLUMN["sim_search"], COLUMN["examples"]]  # read from each line's own vector


class QuoteEvidence(AskedReading):
    """Weighs each sentence of an initiative as evidence for what a question asks."""

    def __init__(self, index: PolicyIndex, tokenizer: Tokenizer, weights: QuoteWeights, max_quotes: int,
                 help_kinds: Callable[[str], int] | None = None, background_words: re.Pattern[str] | None = None,
                 remits: dict[str, tuple[str, ...]] | None = None,
                 actors: tuple[Actor, ...] = (),
                 offers: Callable[[str], bool] | None = None) -> None:
        super().__init__(index, tokenizer, weights, help_kinds, background_words, actors, offers)
        # Where offices share an initiative, each one's part of it (取引適正化推進室: 価格転嫁, 下請…;
        # 経営力向上室: よろず支援拠点, 事業承継…): the contact directory's remit words, by division.
        self.remits = {d: tuple(nfkc(w) for w in ws) for d, ws in (remits or {}).items() if ws}
        self.max_quotes = max_quotes
        # A box's heading as written (金融機関アプローチ): a follow-up naming it names the box.
        self._heading_written = {r: re.sub(r"\s", "", nfkc(head.text).lower()) for r, head in self._heading_of.items()}
        self._example_row = {id(e): i for i, e in enumerate(index.examples)}
        # How people usually ask about each initiative: the centre of its labelled examples.
        example_rows: dict[str, list[int]] = {}
        for i, e in enumerate(index.examples):
            example_rows.setdefault(e.initiative, []).append(i)
        self._usual = {title: index.example_vectors[rows].mean(axis=0) for title, rows in example_rows.items()}

    @staticmethod
    def _counts_for_year(text: str, asked: Asked, any_figure: bool = False) -> bool:
        """Whether a line is a table's row for one year holding a figure (of the kind asked, unless
        ``any_figure``: 「2022年度 2回」), not a sentence or heading that only names the year (「令和６年度までの開催実績」)."""
        text = nfkc(text)
        row = _YEAR_ROW.match(text)
        rest = text[row.end():] if row else ""
        return bool(re.search(r"\d", rest)) and (any_figure or any(p.search(rest) for p, _ in asked.patterns))

    def _own_words(self, question: Question, title: str) -> float:
        """How much a question is a situation told in the asker's own words rather than the document's (0
        when a fact is asked)."""
        # A situation told in the asker's own words (「息子が継がない」) is answered by the help that exists,
        # found through how people ask about this initiative in the document's words (its nearest labelled
        # examples); a question already in the document's words (「実証プロジェクトの候補地は」) is answered
        # by the sentence using them.
        return 0.0 if question.asked else 1.0 - self._in_document_words(question, title)

    def evidence(self, route: Route, title: str, asked: Asked | None = None,
                 own_words: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """For each sentence of an initiative: its evidence (one column per ``EVIDENCE`` name, to be
        weighed by ``QuoteWeights``), and the score of the help it offers an asker telling their situation."""
        question = route.question
        asked = asked or self._asked(route)
        own_words = self._own_words(question, title) if own_words is None else own_words
        w = self.weights
        rows = self._sentences_of.get(title, [])
        q_terms, typed = question.terms, question.typed_terms
        # A fact is in the sentence using the asker's own words; for a situation the glossary's words for
        # it (脱炭素 → 省エネ診断) point to the help as much as the words typed.
        expanded = w.quote_expanded if asked.patterns else 1.0
        story = not (asked.patterns or asked.kinds or asked.brought or asked.asker_is or route.brings)
        vectors = self.index.sentence_vectors[[r for r, _, _ in rows]]
        like = self._examples_like(route, title) if own_words else None
        evidence = np.zeros((len(rows), len(EVIDENCE)))
        # Meaning as asked and in the document's words, and (a situation) as people ask about the initiative.
        # A follow-up asking something of its own (「海外とのつながりづくりでは何をしてる？」 after 水素) is
        # answered by what it asks: its meaning alone, not with the topic's words it was routed with. One that
        # only names another subject (「全国だと？」) asks the topic's question again and carries none.
        own = route.follow_up if route.follow_up is not None else question
        evidence[:, COLUMN["sim_asked"]] = vectors @ own.vector
        evidence[:, COLUMN["sim_search"]] = vectors @ question.search_vector
        if like is not None:
            evidence[:, COLUMN["examples"]] = own_words * (vectors @ like)
        for places in self._wrapped_lines.get(title, []):  # a wrapped unit means what its nearest line does
            evidence[np.ix_(places, _MEANING)] = evidence[np.ix_(places, _MEANING)].max(axis=0)
        help_on_offer = np.zeros(len(rows))
        elsewhere = self._other_offices_words(route, title) if own_words else ()
        # A follow-up naming one of a set's headings (「そのうちセキュリティの支援は？」 after the elements) asks of
        # that one, not for the set again.
        picked = {row for row, _, _ in rows if route.brings & self._count_row_terms.get(row, set())} \
            if asked.list_answer and route.brings else set()
        for i, (row, _, sentence) in enumerate(rows):
            x = evidence[i]
            digits = row in self._numbered_rows
            x[COLUMN["overlap"]] = sum(self._idf.get(t, self._unknown_idf) * (1.0 if t in typed else expanded)
                                        * asked.share[t] for t in q_terms & self._terms_of_row[row]) / asked.words
            # A figure answers a fact, not what a word means (バイオものづくりって何のこと？).
            x[COLUMN["number"]] = bool(asked.patterns) and digits and not asked.defined
            x[COLUMN["names_asked"]] = self._names_asked(row, question)
            # A label answers with the line it is quoted with, too (a year's row with its firms).
            read = self._unit_text.get(row, "") if row in self._label_rows else ""
            # A sentence holding the kind of fact asked for (a date for いつ, N社 for 何社) answers it.
            x[COLUMN["fact"]] = holds = sum(1.0 if digits or not figure else 0.5 for p, figure in asked.patterns
                               if _holds_kind(p, sentence.text, question.years)
                               or _holds_kind(p, read, question.years))
            # The slide's own word for what is asked (■主 催：… for 主催は), or a count of what the
            # question names (37団体 for 委員団体がいくつ), picks the line among those of the kind.
            x[COLUMN["echo"]] = any(e in self._unspaced[row] for e in asked.echoed) or bool(
                holds and any(c in asked.said for c in self._counted[row]))
            x[COLUMN["year"]] = 1.0 if question.years & self._years_of_row[row] else \
                self.weights.quote_year_beside * bool(question.years & self._years_beside.get(row, frozenset()))
            x[COLUMN["heading_list"]] = id(sentence) in asked.heads_named  # the list under a heading the question names
            # Labels and links answer nothing; an item of a list answers where a list does (• 半導体).
            if asked.list_answer and q_terms & self._count_rows.get(row, set()) and (not picked or row in picked):
                x[COLUMN["count_list"]] = 1.0  # 重点３分野 over its labels: the list asked for, if of what it counts
            elif (len(sentence.text) < 6 and not (asked.list_answer and ITEM.match(sentence.text))) \
                    or sentence.text.startswith("http"):
                x[COLUMN["label"]] = -1.0
            elif sentence.text.endswith(ENDS):  # a whole sentence reads better than a diagram label
                x[COLUMN["sentence"]] = 1.0
            # A line that is no sentence (an item, a label: (3) 副業・兼業人材の活用支援のためのセミナー) names one
            # wherever it writes the kind; a sentence, by a name ending in it.
            x[COLUMN["kind_named"]] = any(names_one(k, self._unspaced[row]) or (
                k in self._unspaced[row] and not sentence.text.endswith(ENDS)) for k in asked.kinds)
            x[COLUMN["named"]] = "「" in sentence.text  # names a programme, an event or a tool: help the asker can use
            # A name one sentence in a hundred has pins it down; 関西, in many, hardly. Not where a kind of fact
            # is asked, which picks its line: a chart's labels (全国 beside 57.83%) are not beside their figures;
            # but a name, which many lines hold (「D」デジタル化, DX（…）), is picked by what a follow-up brings
            # (the award: KANSAI DX AWARD), not by the names of the topic a question of its own starts with.
            # A follow-up bringing a word and asking nothing of its own (「じゃあ大学と組んでるやつは？」 after the three
            # pillars) asks the topic's list again: its items naming the word answer.
            if asked.brought and (not asked.patterns or (asked.by_words and route.brings)
                                  or (asked.list_answer and (not route.brings or route.follow_up is None))):
                x[COLUMN["brought"]] = max((self._written_idf(t) / self._unknown_idf for t in asked.brought
                                             if t in self._terms_of_row[row] or t in self._heading_written.get(row, "")
                                             # not labels side by side (金融機関アプローチ 自治体アプローチ): they say
                                             # nothing of what the word is
                                             or (t in self._unspaced[row] and row not in self._label_rows)),
                                            default=0.0) ** 3
                if not route.brings:
                    # A place in a situation told in the asker's own words is where they are (京都で和菓子を…),
                    # not what they ask: a list naming it (構成機関･･･京都府…) is no help to them.
                    x[COLUMN["brought"]] *= 1.0 - own_words
            x[COLUMN["about"]] = asked.defined and self._names_most_of(self._slide_of_row[row], q_terms)
            # A situation told in the asker's words, asking no fact and naming nothing to pick a line by (no kind, no
            # word a follow-up brings, not who the asker is): its own help, by name, over a line resembling its words.
            x[COLUMN["glossed_help"]] = story and any(h in self._unspaced[row] for h in asked.glossed_help)
            if own_words or asked.help:
                help_on_offer[i] = self._help_on_offer(row, max(own_words, asked.help), elsewhere, asked)
        return evidence, help_on_offer

    def _help_on_offer(self, row: int, own_words: float, elsewhere: tuple[str, ...], asked: Asked) -> float:
        """For a situation told in the asker's words: what help exists matters more than the aims."""
        w = self.weights
        # Squared: a question mostly in the document's words (a fact asked without an asking word,
        # 「特に重視する分野は？」) is hardly a situation, and help is not its answer.
        score = w.quote_help * own_words**2 * min(self._help_of_row[row], w.quote_help_kinds)
        if row in self._offer_rows:  # asked what help exists: a sentence saying what is done (…支援を実施) answers
            score += w.quote_offer * asked.help
        if any(word in self._folded[row] for word in elsewhere):
            score -= w.quote_other_office * own_words  # another office's part of the initiative
        if row in self._item_rows:  # one of the measures a slide numbers (①実施校拡大): help on offer
            score += w.quote_item * own_words
        elif row in self._label_rows and not (row in self._diagram_of_row and self._to_asker(row, asked)):
            # A box of a diagram addressed to the asker's own kind (これから外国人雇用に取り組む企業, for a first
            # hire) is where they find themselves: the diagram, quoted whole, answers as a sentence would.
            score -= (w.quote_diagram if row in self._diagram_of_row else w.quote_label) * own_words
        if row in self._refers_back_rows:
            # 「同イベントでは…」 names nothing alone, unless the asker points at that very thing (そのイベント).
            pointed = self._refers_back_rows[row] in asked.pointed_at
            score += (w.quote_refers_back if pointed else -w.quote_refers_back) * own_words
        if row in self._actor_of_row:  # a measure addressed to the asker's kind, or to someone else
            score += (w.quote_own_actor if self._to_asker(row, asked) else -w.quote_other_actor) * own_words
        if row in self._background_rows:
            score -= w.quote_background * own_words  # why the initiative exists helps no one
        return score

    def _to_asker(self, row: int, asked: Asked) -> bool:
        """Whether a sentence is addressed to the kind of actor the asker says they are."""
        return self._actor_of_row.get(row) in asked.asker_is

    def _other_offices_words(self, route: Route, title: str) -> tuple[str, ...]:
        """Remit words of the initiative's other offices, when the question fits its first office's remit and
        none of theirs (a price question is 取引適正化推進室's: よろず支援拠点 is another office's help)."""
        offices = [c.division for c in route.contacts if c.initiative == title]
        if len(offices) < 2 or offices[0] not in self.remits:
            return ()
        text = nfkc(route.question.search_text).lower()
        mine = self.remits[offices[0]]
        if not any(word in text for word in mine):
            return ()
        # Two-character remit words (全体, 概要: the general office's) are too common to mark a part.
        others = {word for d in offices[1:] for word in self.remits.get(d, ()) if word not in mine and len(word) > 2}
        if any(word in text for word in others):
            return ()
        return tuple(others)

    def _in_document_words(self, question: Question, title: str) -> float:
        """How much of what the question names (by word rarity) the initiative's text uses (0–1)."""
        weight = sum(self._idf.get(t, self._unknown_idf) for t in question.named)
        if not weight:
            return 1.0
        used = self._terms_of_initiative.get(title, set())
        return sum(self._idf.get(t, self._unknown_idf) for t in question.named & used) / weight

    def _examples_like(self, route: Route, title: str, most: int = 3) -> np.ndarray | None:
        """The mean vector of the labelled examples of ``title`` that routing found nearest to the
        question, less the share ``quote_specific`` of how people usually ask about it (the centre of all
        its examples): what sets this asker's need apart, so the measure that fits them outranks help
        quoted for anyone (none asked again: a reverse look-up never touches the examples), or None."""
        voters = route.examples.neighbours if route.examples is not None else []
        rows = [self._example_row[id(e)] for e, _ in voters if e.initiative == title][:most]
        if not rows:
            return None
        mean = self.index.example_vectors[rows].mean(axis=0)
        mean = mean - self.weights.quote_specific * self._usual.get(title, 0.0)
        return mean / (np.linalg.norm(mean) or 1.0)

    def _names_asked(self, row: int, question: Question) -> float:
        """How rare (0–1) the rarest proper noun of an asked kind is that a sentence names and the
        question does not."""
        return self._rarest(self._proper_of_row.get(row, {}), question)

    def _rarest(self, proper: dict[str, set[str]], question: Question) -> float:
        kinds = {t.names for t in question.asked if t.names}
        names = {n for k in kinds for n in proper.get(k, ())}

        def rarity(found: set[str]) -> float:
            return max((self._idf.get(n, self._unknown_idf) for n in found), default=0.0) / self._unknown_idf

        # A name in one sentence of a hundred counts; 関西 or 日本, in many, hardly. One the asker names too
        # (播磨のどこ？) pins down the very place asked about, but only if hardly any other sentence names it
        # (アジア, named on every line of the Asia plan, would lift its headings).
        return max(rarity(names - question.terms) ** 3, rarity(names & question.terms) ** 6)

    def _best_caption(self, captions: list[str], question: Question) -> int:
        """Which of a run of captions answers: the asker's rarer words, the kind of fact or name asked."""
        def fit(text: str) -> float:
            proper: dict[str, set[str]] = {}
            for m in self.tokenizer.morphemes(nfkc(text)):
                if m.proper:
                    proper.setdefault(m.proper, set()).add(hiragana(m.base.lower()))
            words = set(self.tokenizer.terms(text)) & question.terms
            return (sum(self._idf.get(t, self._unknown_idf) for t in words) / self._unknown_idf
                    + sum(1 for t in question.asked if t.pattern.search(text)) + self._rarest(proper, question))
        return max(range(len(captions)), key=lambda k: fit(captions[k]))
