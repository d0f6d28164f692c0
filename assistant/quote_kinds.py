"""Things of a kind a question asks to have named (どんな補助金がある？, 局がやってるイベントってある？,
ワークショップもやってる？): a line naming one of that kind by its own name (IT導入補助金, リスク分析ワークショップ)
answers, where a line only using the word (補助金交付等を通じた支援) does not.
"""

from __future__ import annotations

import re

# The words that ask which of a kind (どんなイベント, 何のWG); どの (どの課) is left to each use, since
# どの地域 asks where rather than for a name.
WHICH = "どんな|どういう|どういった|どのような|何の|なんの"

# Which of a kind (どんなイベント), whether some of a kind exist or are done (補助金って何がある, セミナーってある,
# ワークショップもやってる), or a kind's name (イベントの名前): the words before the asking part; the kind is the
# longest end of them that the slides name things by.
_ASKS_KIND = (
    # Which of a kind, asked as such (どんなイベントがある？, どんなWG？), not what it is like (どういう地域にしたい,
    # どんな体制で進める) nor whom it is done with (どんな企業が関わってた).
    re.compile(rf"(?:{WHICH})([^\s、。？?！!がはもをにでのと]{{2,}})"
               r"(?=(?:が|も|って|は)?(?:ある|あり|あん|やって|やっと|開いて|開催|実施して|[?？]|$))"),
    re.compile(r"([^\s、。？?！!]{2,}?)(?:って|は|には|とか|も)(?:何|なに|なん|どんなもの|どんなの)?(?:が|か)?"
               r"(?:ある|あり|あん|やって|やっと|して|開いて|開催して|用意されて|用意して|行われて|開かれて)"),
    re.compile(r"([^\s、。？?！!]{2,}?)の?(?:名前|名称)"),
)
# What asks for help as such (どんな支援): the help on offer answers it (quote_help_asked), not the names ending so.
_HELP_KIND = re.compile(r"(支援|サポート|手助け|手伝い|取組|取り組み)(策|制度)?$")
# A kind's own name in a line: the word ends a longer one written in kanji, katakana or letters (省力化補助金,
# 育成WG); not after a particle or a verb (したイベント), nor after a single character of reference (本イベント,
# 同イベント: this one, the same one).
_NAMER = re.compile(r"[一-龥ァ-ヶーa-z0-9」]")
_REFERS = "本同各当全他諸"
_STARTS = re.compile(r"[一-龥ァ-ヴa-z0-9]")  # a kind's first character: not kana of a verb's end (伝え方's え方)
_INSIDE = "ーァィゥェォッャュョヮ"  # nor inside a katakana word (ーキンググループ of ワーキンググループ)
_ENDS = re.compile(r"[一-龥ァ-ヴーa-z0-9]$")  # a kind is a noun: not words ending in a particle (以外に's 外に)


def kinds_asked(text: str, slides: str) -> frozenset[str]:
    """The kinds a question (folded, spaces removed) asks to have named: for each asking phrase, the longest end
    of its words (two characters or more) that the slides write as the end of a name."""
    found: set[str] = set()
    for pattern in _ASKS_KIND:
        for words in pattern.findall(text):
            kind = next((words[i:] for i in range(len(words) - 1)
                         if _STARTS.match(words[i]) and words[i] not in _INSIDE and names_one(words[i:], slides)), "")
            if kind and _ENDS.search(kind) and not _HELP_KIND.search(kind):
                found.add(kind)
    return frozenset(found)


def names_one(kind: str, text: str) -> bool:
    """Whether a line (folded, spaces removed) names a thing of the kind by its own name."""
    for at in (m.start() for m in re.finditer(re.escape(kind), text)):
        before = text[max(at - 2, 0):at]
        if before and _NAMER.match(before[-1]) and not (
                before[-1] in _REFERS and (len(before) < 2 or not _NAMER.match(before[0]))):
            return True
    return False
