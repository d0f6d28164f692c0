"""Japanese typed in the Latin alphabet ("kakaku tenka no soudan") read as kana, so the document's
words can be found in it; English words and names stay as typed."""

from __future__ import annotations

import re
from collections.abc import Callable

_VOWELS = {"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お"}
_ROWS = {
    "k": "かきくけこ", "g": "がぎぐげご", "s": "さしすせそ", "z": "ざじずぜぞ", "t": "たちつてと",
    "d": "だぢづでど", "n": "なにぬねの", "h": "はひふへほ", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
    "m": "まみむめも", "r": "らりるれろ",
}
_SYLLABLES: dict[str, str] = dict(_VOWELS)
for _c, _kana in _ROWS.items():
    for _v, _k in zip("aiueo", _kana, strict=True):
        _SYLLABLES[_c + _v] = _k
_SYLLABLES.update({
    "ya": "や", "yu": "ゆ", "yo": "よ", "wa": "わ", "wo": "を", "shi": "し", "chi": "ち", "tsu": "つ", "fu": "ふ",
    "ji": "じ", "si": "し", "ti": "ち", "tu": "つ", "hu": "ふ", "zi": "じ", "di": "ぢ", "du": "づ", "va": "ゔぁ",
    "vi": "ゔぃ", "vu": "ゔ", "ve": "ゔぇ", "vo": "ゔぉ", "fa": "ふぁ", "fi": "ふぃ", "fe": "ふぇ", "fo": "ふぉ",
    "je": "じぇ", "che": "ちぇ", "she": "しぇ",
})
for _c, _i in {"k": "き", "g": "ぎ", "n": "に", "h": "ひ", "b": "び", "p": "ぴ", "m": "み", "r": "り"}.items():
    for _v, _small in zip("auo", "ゃゅょ", strict=True):
        _SYLLABLES[f"{_c}y{_v}"] = _i + _small
for _head, _i in {"sh": "し", "ch": "ち", "j": "じ", "sy": "し", "ty": "ち", "cy": "ち", "zy": "じ", "jy": "じ"}.items():
    for _v, _small in zip("auo", "ゃゅょ", strict=True):
        _SYLLABLES[f"{_head}{_v}"] = _i + _small
_LONGEST = max(len(k) for k in _SYLLABLES)
# Words that only Japanese typed in romaji has: a sentence with none of them is read as English.
_CUES = frozenset(["no", "wa", "ga", "wo", "ni", "de", "to", "mo", "ka", "desu", "masu", "desuka", "arimasu", "doko", "nani", "dare", "itsu", "tantou", "soudan", "madoguchi", "oshiete", "kudasai", "onegai", "shitai", "denwa", "bangou", "ha", "he",
                   # spoken endings and everyday asking words (…tte dou iu shien?, aru kana)
                   "tte", "dou", "iu", "aru", "nai", "kana", "ii", "dekiru", "shien"])
_STRONG_CUES = _CUES - {"no", "to", "he", "ha", "mo", "de", "ka", "ni"}  # not also English words or names
# English words of grammar: short English words spell as romaji too (do, choose, to, use: ど ちょおせ と うせ), so
# two of these and no strong cue say the sentence is English ("How do I choose which support to use?").
_ENGLISH = frozenset(["the", "a", "an", "is", "are", "was", "were", "do", "does", "did", "can", "could", "how", "what",
                      "which", "who", "where", "when", "why", "we", "you", "our", "my", "your", "their", "this", "that",
                      "there", "with", "for", "of", "about", "and", "or", "if"])
_WORD = re.compile(r"[a-z][a-z'-]*")


def to_kana(word: str, n_before_y: bool = False) -> str | None:
    """A romaji word in hiragana, or None when it is not romaji ("energy", "EXPO"); ``n_before_y`` reads an
    n before y as ん (bunya: ぶんや, not ぶにゃ)."""
    w = word.lower().replace("-", "").replace("'", "")
    out, i = [], 0
    while i < len(w):
        c = w[i]
        if c == "n" and (i + 1 == len(w) or w[i + 1] not in ("aiueo" if n_before_y else "aiueoy")):
            out.append("ん")
            i += 1
            continue
        if i + 1 < len(w) and c == w[i + 1] and c not in "aiueon":
            out.append("っ")  # a doubled consonant is a small tsu (kitte)
            i += 1
            continue
        for size in range(min(_LONGEST, len(w) - i), 0, -1):
            kana = _SYLLABLES.get(w[i : i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            return None
    return "".join(out)


# A romaji word typed straight onto a name in capitals (mentekiGX, suisoFC): read before lower case, which hides it.
_GLUED = re.compile(r"(?<![A-Za-z])([a-z]{3,})(?=[A-Z]{2,}(?![a-z]))")


def unglue(text: str) -> str:
    """``text`` with a space between a romaji word and the name in capitals typed onto it (menteki GX);
    a word that does not read as romaji keeps its capitals (eVTOL has one lower-case letter; xxGX stays)."""
    return _GLUED.sub(lambda m: f"{m.group(1)} " if to_kana(m.group(1)) else m.group(1), text)


def read_romaji(text: str, known: Callable[[str], bool] | None = None) -> str:
    """``text`` with its romaji words in hiragana when it reads as Japanese typed in the Latin
    alphabet; otherwise unchanged (English stays English). ``known`` tells a word the document uses by its
    kana: romaji seldom marks ん before y (bunya, kinyuu), so such a word is read as the one it knows."""
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
        return text  # written in Japanese script already
    words = _WORD.findall(text.lower())
    if not words or not any(w in _CUES for w in words):
        return text
    if len(set(words) & _ENGLISH) >= 2 and not set(words) & _STRONG_CUES:
        return text
    kana = {w: to_kana(w) for w in words}
    if "wa" in kana:
        kana["wa"] = "は"  # typed alone, wa is the topic particle (mappu wa itsu: マップはいつ, not わいつ)
    if known is not None:
        for w in (w for w in words if "ny" in w):
            if (syllabic := to_kana(w, n_before_y=True)) and known(syllabic) and not known(kana[w] or ""):
                kana[w] = syllabic
    share = sum(1 for k in kana.values() if k) / len(words)
    # English names in it ("Global Startup EXPO no kaisaibi wa itsu?") lower the share of romaji words;
    # two cues no English sentence has (wa, itsu, desu…) still say it is Japanese.
    if share < 0.6 and not (share >= 0.4 and len(set(words) & _STRONG_CUES) >= 2):
        return text
    return _WORD.sub(lambda m: kana.get(m.group(0)) or m.group(0), text.lower())
