"""A conversation: each message is answered in the light of the earlier turns."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from assistant.answers import Answer, Composer
from assistant.follow_up_cues import (
    ALSO_DOES,
    ASKS_WHERE_SAID,
    CHANGES_TOPIC,
    ELSE_HANDLED,
    FOLLOW_UP,
    HANDLES,
    INCLUDED,
    INTERROGATIVE,
    LIKE_IT_FOR,
    ONLY_SUBJECT,
    OTHERS,
    PICKS_FROM,
    POINTS_AT,
    POINTS_BACK,
    SAID_IN,
    SAME_AS,
    THE_OFFICE,
    YES_NO,
)
from assistant.normalize import bracketed, nfkc
from assistant.question import Question, language_of
from assistant.routing import Route, Router, RouteReason
from assistant.settings import Settings

# How a clarifying question lists its options ("1. 「水素利活用促進プロジェクト」— …"), so a reply
# of "1", "２番", "the second" or part of an option's title picks it. A title may hold 」 itself
# (「「Global Startup EXPO 2025」の推進」): the name ends where the office follows.
_OPTION_LINE = re.compile(r"^(\d+)\. (「.*?」)— ", re.MULTILINE)
_ORDINALS = {"1": 1, "一": 1, "最初": 1, "first": 1, "2": 2, "二": 2, "second": 2, "3": 3, "三": 3, "third": 3}


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


def _last_answer(history: list[Turn]) -> str:
    return next((t.content for t in reversed(history) if t.role == "assistant"), "")


class Conversation:
    """Answers a message given the history of the chat (only user turns are read as context)."""

    def __init__(self, router: Router, composer: Composer, settings: Settings) -> None:
        self.router = router
        self.composer = composer
        self.settings = settings

    def chosen_option(self, message: str, history: list[Turn]) -> str | None:
        """The option a reply picks when the assistant's last turn asked which initiative was meant."""
        titles = {bracketed(t): t for t in self.router.words.text_of}  # as the options name them
        options = {int(n): titles.get(name, name[1:-1]) for n, name in _OPTION_LINE.findall(_last_answer(history))}
        if not options:
            return None
        text = nfkc(message).strip(" 　。.!！?？")
        for word, n in _ORDINALS.items():
            if text.startswith(word) and len(text) <= len(word) + 3 and n in options:
                return options[n]
        named = [t for t in options.values() if len(text) >= 2 and (text in nfkc(t) or nfkc(t) in text)]
        return named[0] if len(named) == 1 else None

    def topic(self, history: list[Turn]) -> Route | None:
        """The conversation's current topic: the last few user turns replayed in order, each read in
        the light of the topic before it; a turn that is turned away or asks back leaves it as it was."""
        recent = history[-self.settings.max_history_turns :]
        asked = [i for i, t in enumerate(recent) if t.role == "user" and t.content.strip()][-self.settings.topic.turns:]
        topic: Route | None = None
        for i in asked:
            route = self._resolve_with(recent[i].content[: self.settings.max_message_chars], recent[:i], topic)
            # A turn asked back about leaves the topic as it was; the conversation's first one is the topic
            # itself (its options, the likelier first): a follow-up is read with it, not alone.
            if not route.abstained and (route.reason != RouteReason.clarify or topic is None):
                topic = route
        return topic

    def resolve(self, message: str, history: list[Turn]) -> Route:
        """Route a message; a follow-up without a topic of its own is read with the current topic."""
        return self._resolve_with(message, history, self.topic(history))

    def _resolve_with(self, message: str, history: list[Turn], topic: Route | None) -> Route:
        chosen = self.chosen_option(message, history)
        if chosen is not None:  # the user answered a clarifying question: no need to ask again
            return self.router.chosen(self.router.read(chosen), chosen)
        question = self.router.read(message)
        route = self.router.route(question)
        if topic is None:
            return self.router.spoken_of(route)
        if route.reason in (RouteReason.phone, RouteReason.division, RouteReason.unknown_phone):
            return route
        # A topic found by a phone number or an office's name: the office's list of initiatives, not one talked about.
        looked_up = topic.reason in (RouteReason.phone, RouteReason.division) and bool(topic.initiatives)
        # Pointing back at the office to ask what it handles: the office's list (「そこは何の施策を担当してる？」
        # after a number looked up), not the one initiative the words of the question happen to suit.
        asks_remit = bool(HANDLES.search(question.normalized) and THE_OFFICE.search(question.normalized))
        asks_else = bool(ELSE_HANDLED.search(question.normalized))
        if (asks_else or asks_remit) and topic.contacts:
            # 「同じ番号でほかに何を担当してる？」: the office the conversation is about, looked up by its number,
            # lists every initiative it handles; the one talked about, or one the message names (「水素以外に」),
            # comes after the others.
            handled = self.router.route(self.router.read(topic.contacts[0].phone))
            named = route.initiatives[0].title if route.initiatives and question.has_topic else ""
            talked_about = {named, topic.initiatives[0].title if topic.initiatives and not looked_up else ""} - {""}
            others = [i.title for i in handled.initiatives if i.title not in talked_about]
            if not asks_else:
                return handled
            return self.router.led_by(handled, others[0]) if others and talked_about else handled
        shown = " ".join(self.composer.quoted_in(_last_answer(history)))
        if not self._is_follow_up(question, route, topic, shown):
            if ONLY_SUBJECT.search(question.normalized) and not self._asks_own(question) and topic.question.asked \
                    and route.reason == RouteReason.retrieval:
                # 「蓄電池の方は？」 after 「半導体の協議会は今年度何をするの？」: another subject, asked what the
                # topic's question asked (this year's activities), which the message alone does not say.
                return replace(route, question=replace(question, asked=topic.question.asked))
            return route
        # The topic's words and the follow-up's together (["DX推進の取組について", "目標は何社？"] → DX).
        # What a follow-up that asks something of its own asks is what is asked (its sentence ends the
        # combined text as a question: 「その宣言の登録手順は」); one that only names another subject
        # (「アンモニアのほうは？」) asks what the topic's question asked.
        asks_own = self._asks_own(question)
        if not asks_own:
            asks = re.sub(r"[？?]+\s*$", "", message)
        elif re.search(r"[？?。.!！]\s*$", message):
            asks = message
        else:
            asks = f"{message}？"
        # A topic found by a phone number or an office's name is carried by its initiative's name unless
        # the message only points back at that office (「そこは何を担当？」): the number read again would
        # answer the same look-up (「06-6966-6023は何課？」「価格転嫁ならどこ？」).
        about = topic.question.text
        current = topic.initiatives[0].title if topic.initiatives else ""
        points_back = bool(POINTS_BACK.search(question.normalized) or POINTS_AT.search(question.normalized)) \
            or self._said_in_topic(question, route, current)
        # Pointing back at the office with a subject of its own (「そこがやってるイベントは？」) asks about the
        # office's initiative; the office looked up stays the one to call.
        keeps_office = looked_up and points_back and question.has_topic
        if looked_up and (keeps_office or not points_back):
            # An office handling several initiatives: the one the message names (「そっちのGXの目標は？」 after
            # 6055's 水素 and GX), else its first.
            titles = [i.title for i in topic.initiatives]
            own = route.initiatives[0].title if route.initiatives and question.has_topic else ""
            about = own if own in titles else titles[0]
        if asks_own:  # the topic's question is context then, not asked again: only the follow-up asks
            # (a terse topic without a mark, 「BiocK 設立 いつ」, ends as a sentence too).
            about = re.sub(r"[？?]+", "。", about).rstrip()
            about += "" if about.endswith(("。", ".", "!", "！")) else "。"
        combined = self.router.route(self.router.read(f"{about} {asks}"))
        # A follow-up asking something of its own and naming it: its own words pick the quotes.
        follow_up = question if asks_own and question.has_topic else None
        # What it brings: its words the topic's question lacks, and the words it writes as one that MeCab reads
        # in pieces (「その中で紹介されてる補助金は？」: 補助金, not 補助 and 金).
        brings = (question.terms - topic.question.terms) | {
            c for c in question.words.compounds if c not in topic.question.normalized} if question.has_topic else frozenset()
        if keeps_office and combined.contacts and topic.contacts:
            office = topic.contacts[0]
            combined.contacts = [office, *(c for c in combined.contacts if c.phone != office.phone)]
        strays = combined.reason == RouteReason.clarify or (
            combined.reason == RouteReason.retrieval and combined.initiatives[0].title != current)
        settled = topic.reason != RouteReason.clarify  # a clarifying question's options are not one topic yet
        options = [i.title for i in topic.initiatives] if not settled else []
        if len(options) > 1 and not (route.initiatives and route.initiatives[0].title not in options
                                     and self._names_another(route, options[0])):
            # A follow-up to a clarifying question using words only one option's slides use (「その３つの柱って
            # 具体的に何？」 after 人材確保's options, one of which has three pillars) picks that option.
            uses = {title: self.router.words.uses(title, question) for title in options}
            best = max(uses, key=lambda title: uses[title])
            lead = self.settings.topic.option_lead
            if uses[best] >= self.settings.topic.option_used \
                    and all(lead * share <= uses[best] for title, share in uses.items() if title != best):
                return replace(self.router.chosen(combined.question, best), follow_up=follow_up, brings=brings)
            if points_back and route.confidence < self.settings.topic.own_confidence:
                # "Is it only for big companies?" after being asked which of two was meant, in words that pick
                # neither: "it" is the likelier, listed first, not whichever the words added happen to suit.
                return replace(self.router.chosen(combined.question, options[0]), follow_up=follow_up, brings=brings)
        if topic.initiatives and combined.initiatives and SAME_AS.search(question.normalized):
            # 「それ、水素の担当と同じ部署？」 names the other initiative only to compare: the topic leads, whatever
            # the words it adds suit better, and the one compared with follows with its office.
            mine = next((i for i in combined.initiatives if i.title == current), topic.initiatives[0])
            other = [route.initiatives[0]] if route.initiatives and route.initiatives[0].title != current else []
            rest = {i.title: i for i in [*other, *combined.initiatives] if i.title != current}
            compared = replace(combined, initiatives=[mine, *rest.values()][: self.settings.max_initiatives])
            return replace(self.router.led_by(compared, current), reason=RouteReason.retrieval, follow_up=follow_up)
        if settled and topic.initiatives and not combined.abstained and not self._names_another(route, current) \
                and self.router.directory.local_office_named(current, question.normalized):
            # A place the topic's own local office serves (「We're based in Kobe. Who should we call?」 after
            # technology leaks) asks which of its offices is the asker's, not about the place's other work.
            return replace(self.router.led_by(replace(topic, question=combined.question), current), follow_up=None)
        # A follow-up asking a kind of fact (対象, いつ) that alone fits no initiative confidently asks it of the topic.
        asks_of_topic = bool(question.asked) and route.confidence < self.settings.topic.own_confidence
        if (points_back or (settled and (not question.has_topic or asks_of_topic))) and strays \
                and current in {i.title for i in combined.initiatives} and not self._names_another(route, current):
            # "How many showcase projects have they featured?": the words it adds may suit another
            # initiative as well or better, but "they" are the ones the conversation is about; and a message
            # naming nothing ("What's the phone number?") can only be about them, as can one asking a kind of
            # fact in words of no initiative's own (「支援の対象になるのはどんな会社？」 after technology leaks).
            return replace(self.router.led_by(combined, current), reason=RouteReason.retrieval, follow_up=follow_up,
                           brings=brings)
        if points_back and settled and strays and topic.initiatives and not combined.abstained \
                and not self._names_another(route, current) and route.confidence < self.settings.topic.own_confidence:
            # 「それの支援メニューを教えて」 after the circular economy: "it" is the topic, though a phrase of the
            # message (支援メニュー) is written word for word on another initiative's slides alone. Not where the
            # message alone is sure of another (「その期間にスタートアップの国際イベントある？」: the period is the
            # topic's, the event another's).
            return self._on_topic(topic, question, combined, follow_up=follow_up, brings=brings)
        if settled and (not question.has_topic or (points_back and not self._names_another(route, current))) \
                and combined.reason == RouteReason.out_of_scope and topic.initiatives:
            # A message naming nothing (「相談先の電話番号は？」) can only be about the topic: the words it adds
            # weaken the evidence read with the topic's, they do not make it about something else; nor do those
            # of one pointing back at it ("Which firms took part that year?" after the DAYS events).
            return self._on_topic(topic, question, combined, follow_up=None)
        if settled and not question.has_topic and combined.reason == RouteReason.uncovered and topic.initiatives \
                and self._joined_only(question, topic, combined):
            # A rule matched only across the join asks nothing either message asks (「よろず支援拠点も関係
            # ありますか」, then 「電話番号は？」 is not the outside body's number): it is about the topic.
            return replace(topic, question=combined.question, follow_up=None)
        if combined.reason == RouteReason.uncovered and combined.initiatives and topic.initiatives \
                and combined.initiatives[0].title == topic.initiatives[0].title:
            return combined  # the topic's slides do not state what is asked: say so, do not wander off
        if settled and combined.abstained and topic.initiatives and not question.has_topic and not question.asked \
                and self.router.reader.uncovered(question, "") is None:
            # A message naming nothing and asking no fact ("Contact number?") after a topic asked for a figure: the
            # figure asked again with its words, read elsewhere, is not what it asks; the topic's office is.
            return replace(topic, question=combined.question, follow_up=None)
        return route if combined.abstained else replace(combined, follow_up=follow_up, brings=brings)

    def _on_topic(self, topic: Route, question: Question, combined: Route, **kept: Any) -> Route:
        """The topic answering a follow-up, unless the follow-up asks what the topic's slides never state
        (「それの申請締切はいつ？」 after a subsidy they only name): that is said, as for the question alone."""
        on_topic = replace(topic, question=combined.question, **kept)
        if self.router.reader.uncovered(question, self.router.words.text_of.get(topic.initiatives[0].title, "")):
            return replace(on_topic, reason=RouteReason.uncovered, contacts=[])
        return on_topic

    def _asks_own(self, question: Question) -> bool:
        """Whether a message asks something of its own (a kind of fact, a question word, yes or no, something
        the document does not cover), not only naming a subject (「アンモニアのほうは？」)."""
        return bool(question.asked) or self.router.reader.uncovered(question, "") is not None \
            or bool(INTERROGATIVE.search(question.normalized) or YES_NO.search(question.normalized))

    def _is_follow_up(self, question: Question, route: Route, topic: Route, shown: str = "") -> bool:
        """A short message without a topic of its own (「その電話番号は？」, 「金融機関向けもある？」): read
        alone it finds no initiative confidently, or only several, and it is not a question of another
        kind (its nearest examples are mostly questions the document does not answer). One that names
        another initiative's subject starts a new topic, unless the current topic's own text speaks of
        what it names (「コンソーシアムはいつできた？」 after foreign talent, whose consortium it is). ``shown``:
        the quotes of the last answer, whose words a follow-up may pick up."""
        s = self.settings.topic
        if len(question.normalized) > (s.follow_up_max_chars_english if question.english else s.follow_up_max_chars):
            return False
        current = topic.initiatives[0].title if topic.initiatives else ""
        own = route.initiatives[0] if route.initiatives else None
        elsewhere = own is not None and own.title != current
        if route.reason == RouteReason.out_of_scope and route.out_of_scope_share >= s.elsewhere_share \
                and self.router.words.covers(current, question) < s.covers:
            return False  # its nearest examples ask about something else (「ところで登記はどこで？」)
        if CHANGES_TOPIC.search(question.normalized) and \
                (elsewhere or route.abstained or route.reason == RouteReason.clarify):
            # 「話変わるけど、バイオものづくりの担当は？」 says itself that it is a new topic, found or not
            return False
        if route.abstained or route.reason == RouteReason.clarify:
            return True
        if elsewhere and own.title_hit > 0 and LIKE_IT_FOR.search(question.normalized):
            return False  # "Is there something similar for semiconductors, and when did it start?"
        if elsewhere and not POINTS_BACK.search(question.normalized) and \
                self.router.words.names_only_in_title(question, own.title, current):
            # A name typed in Latin letters that its title says and the topic's does not (「GXのほうは？」 after
            # 水素), unless it points back (「their Expo event」: the Expo of the office being talked about).
            return False
        if PICKS_FROM.search(question.normalized) and self._names_another(route, current):
            return False  # 「その中の空モビリティについて何をしてる？」: one of the map's fields, an initiative of its own
        if SAME_AS.search(question.normalized):
            return True  # 「担当は水素と同じ部署？」 asks of the topic, naming another only to compare
        if INCLUDED.search(question.normalized) and self.router.words.covers(current, question, typed=True) >= s.covers:
            return True  # 「水素も対象に入ってますか」: whether the topic's text, which names it, includes it
        if elsewhere and (also := ALSO_DOES.search(question.normalized)) and self.router.words.says(current, also.group(1)):
            # 「海外展開の後押しもしてくれるの？」 reads alone as overseas sales; it asks whether the topic's work,
            # whose text names it, does that too.
            return True
        if POINTS_AT.search(question.normalized):
            return True  # 「水素はその分野に入ってる？」: whatever else it names, it asks about the topic's own list
        if self._said_in_topic(question, route, current):
            return True
        if elsewhere and self.router.words.names_only_in_text(question, current, own.title):
            return True  # 「堺の方のプロジェクトは何？」 after hydrogen: 堺 is on the topic's slides, not the other's
        if self._names_another(route, current):
            # It names another initiative's subject (「じゃあeVTOLは？」): a new topic, unless the topic's text
            # speaks of it too and the other initiative is not by far the better fit.
            return self.router.words.covers(current, question) >= s.covers and not self._far_better(route, current)
        if POINTS_BACK.search(question.normalized):
            # 「それはいつから？」: whatever else it resembles, it points at what was said; but an English
            # pronoun is often no pointer ("What about GX support for SMEs, is it the same office?"): a
            # message confidently and far better about another initiative, or naming its title in English
            # ("What about circular economy - who handles that?"), starts a new topic.
            return not (question.english and elsewhere and (
                (route.confidence >= s.own_confidence and self._far_better(route, current))
                or self.router.words.glosses_only_in_title(question, own.title, current)))
        if elsewhere and shown and self.router.words.echoes(question, shown, current, own.title):
            # 「地域の取組には具体的にどんな支援を？」 picks up words the last answer quoted from the topic's slides
            # (各地域の取組に対し、情報提供や伴走支援…): it asks about them, however like another's its words sound.
            return True
        if elsewhere and route.confidence >= s.own_confidence:
            return self.router.words.covers(current, question) >= s.covers and not self._far_better(route, current)
        return route.confidence < s.own_confidence or bool(FOLLOW_UP.search(question.normalized))

    def _joined_only(self, question: Question, topic: Route, combined: Route) -> bool:
        """Whether the topic's text is turned away only for the topic's and the follow-up's words read
        together, by a coverage rule neither says alone."""
        title = topic.initiatives[0].title
        return self.router.turned_away(combined.question, title) and not self.router.turned_away(question, title) \
            and not self.router.turned_away(topic.question, title)

    def _said_in_topic(self, question: Question, route: Route, current: str) -> bool:
        """Whether the message asks what the material talked about says (「どんな補助金が紹介されてる？」), naming
        no other initiative's subject: its passive has no place of its own but the topic's slides."""
        return bool(SAID_IN.search(question.normalized)) and not ASKS_WHERE_SAID.search(question.normalized) \
            and not self._names_another(route, current)

    def _names_another(self, route: Route, current: str) -> bool:
        """Whether the message alone names another initiative's subject (「じゃあeVTOLは？」)."""
        own = route.initiatives[0] if route.initiatives else None
        return own is not None and own.title != current and own.title_hit >= self.settings.topic.own_title_hit

    def _far_better(self, route: Route, current: str) -> bool:
        """Whether the message's own initiative, which its nearest examples are mostly about, fits it many
        times better than the current topic (「じゃあ中小企業のGX支援プロジェクトは？」 after hydrogen, whose
        slides also say GX and 中小企業; 「どこの企業と？」 names a word of a title, but how people ask says
        nothing of that initiative)."""
        own = route.initiatives[0] if route.initiatives else None
        if own is None or own.examples < self.settings.topic.own_examples:
            return False
        return own.score >= self.settings.topic.own_lead * max(route.scores.get(current, 0.0), 1e-9)

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        history = history or []
        route = self.resolve(message, history)
        # 「他には？」 asks for more of what the last answer listed: what it quoted weighs less.
        shown = self.composer.quoted_in(_last_answer(history)) if OTHERS.search(nfkc(message).lower()) else ()
        # A follow-up is routed with the earlier message's words, but answered in its own language.
        return self.composer.compose(route, language_of(message), shown)
