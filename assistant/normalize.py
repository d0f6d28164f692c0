"""Text normalisation shared by indexing and querying, so both sides see the same characters."""

from __future__ import annotations

import re
import unicodedata

# Every dash a phone number is written with in the source or by users: ASCII, U+2010..U+2015,
# minus sign, full-width hyphen-minus (NFKC folds it), and the katakana long-vowel mark that
# Japanese IMEs produce when typing a hyphen.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u30fc\uff70"
_DASH_RE = re.compile(f"[{_DASHES}]")
KANJI = re.compile(r"[一-龥々]")
_SPACE_RE = re.compile(r"\s+")
# A phone number: area code, exchange, line, separated by any dash, spaces or nothing.
_PHONE_RE = re.compile(r"(?<!\d)(0\d{1,3})[\s-]*(\d{2,4})[\s-]*(\d{4})(?!\d)")
# A number without the area code ("6966-6014"), as call-centre staff often say it.
_LOCAL_RE = re.compile(r"(?<![\d-])(\d{3,4})[\s-]+(\d{4})(?![\d-])")


def nfkc(text: str) -> str:
    """NFKC with lower-cased Latin letters: full-width ＤＸ and dx both become dx."""
    return unicodedata.normalize("NFKC", text).lower()


def fold_dashes(text: str) -> str:
    """Turn every dash variant into ASCII '-' (only safe between digits; see phone helpers)."""
    return _DASH_RE.sub("-", text)


def squeeze(text: str) -> str:
    """Collapse runs of white space into one space and strip the ends."""
    return _SPACE_RE.sub(" ", text).strip()


def normalize_query(text: str) -> str:
    """The form every matcher sees: NFKC, lower case, dashes between digits folded, a counter after a number
    typed in kana written in kanji, spaces squeezed."""
    text = nfkc(text)
    text = re.sub(rf"(?<=\d)\s*[{_DASHES}-]\s*(?=\d)", "-", text)
    text = _KANA_COUNTER.sub(lambda m: ("何" if m.group(1) == "なん" else m.group(1)) + _COUNTERS[m.group(2)], text)
    return squeeze(text)


# Counters typed in kana after a number or 何 (2023ねんど, 何かい, なんしゃ: the IME left them unconverted, or romaji
# read as kana): what they count is asked or named as if written in kanji. Longest first (ねんど before ねん).
_COUNTERS = {"ねんど": "年度", "ねん": "年", "がつ": "月", "にち": "日", "かい": "回", "しゃ": "社", "にん": "人",
             "けん": "件", "かしょ": "箇所", "かこく": "か国", "だんたい": "団体", "きかん": "機関"}
# Not 何か + いい, いる (何かいい方法ある？): かい is a count only before anything else.
_KANA_COUNTER = re.compile(r"(\d+\s*|何|なん)(" + "|".join(sorted(_COUNTERS, key=len, reverse=True)) + r")(?!(?<=かい)[いるう])")


_JA = "ぁ-ゖァ-ヺー一-龥々〆"
_SPACE_IN_JAPANESE = re.compile(rf"(?<=[{_JA}])\s+(?=[{_JA}])")


def unspaced(text: str) -> str:
    """Japanese is written without spaces: one between two Japanese characters is a slip of the keyboard
    (「水素発電実証 のプロジ ェクト」) or a terse look-up's separator (「水素 担当」), never part of a word."""
    return _SPACE_IN_JAPANESE.sub("", text)


def hiragana(text: str) -> str:
    """Katakana to hiragana, so a reading typed in either script compares equal."""
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def unvoiced(kana: str) -> str:
    """Kana without voicing marks (ざ → さ, ぱ → は): how a slip of one kanji (地域軽済部) or romaji
    (hizuke for 日付) often differs from what was meant."""
    return "".join(c for c in unicodedata.normalize("NFD", kana) if c not in "\u3099\u309a")


def bracketed(name: str) -> str:
    """A name in 「」 as an answer writes it; a title the document already writes in 「」 (「関西における成長分野
    ポテンシャルマップ」) is not bracketed twice."""
    whole = name.startswith("「") and name.endswith("」") and "「" not in name[1:-1]
    return name if whole else f"「{name}」"


def format_phone(digits: str) -> str:
    """Write a Japanese number the way the directory prints it: 06-6966-6055, 078-393-2682."""
    if digits.startswith("06") and len(digits) == 10:
        return f"06-{digits[2:6]}-{digits[6:]}"
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits


def phone_digits(text: str) -> str:
    """Only the digits of a phone number as written anywhere (full width, any dash)."""
    return re.sub(r"\D", "", nfkc(text))


def find_phones(text: str) -> list[str]:
    """Phone numbers written in ``text`` in any common way, as digit strings, in order."""
    # Dots and brackets also separate the parts: 06.6966.6012, (06)6966-6012.
    folded = re.sub(r"(?<=\d)[.()]+\s*(?=\d)|\((?=0\d)", "-", fold_dashes(nfkc(text)))
    folded = re.sub(r"\+81[\s-]*\(?0?\)?[\s-]*", "0", folded)  # +81-6-6966-6037 is 06-6966-6037
    # Japanese numbers have 10 digits (11 for mobiles); shorter runs are ids, URLs or dates.
    found = [d for m in _PHONE_RE.finditer(folded) if len(d := "".join(m.groups())) in (10, 11)]
    if not found:
        # "6966-6014" without the area code: keep the digits, the directory resolves the suffix.
        found = ["".join(m.groups()) for m in _LOCAL_RE.finditer(folded)]
    return found


# At most this many characters besides the digits make a message a bare number look-up.
_TERSE_CHARS = 6
_EXTENSION_CUE = re.compile(r"番号|末尾|下4桁|下四桁|内線|電話|number|ending|ext")


def find_extensions(text: str) -> list[str]:
    """Four-digit numbers given as the end of a phone number ("末尾が6034の番号"), not years."""
    folded = nfkc(text)
    # A look-up typed in a hurry ("6037 何課", "６０３２") is the number and little else.
    terse = len(re.sub(r"\d|\s", "", folded)) <= _TERSE_CHARS
    if not (_EXTENSION_CUE.search(folded) or terse):
        return []
    return re.findall(r"(?<![\d-])(\d{4})(?![\d-]|\s*年)", folded)


# The area code a caller remembers ("078で始まる番号", "市外局番075", "starting with 078"): 2-4 digits from 0.
_NUMBER_START = re.compile(r"(?<![\d-])(0\d{1,3})(?![\d-])\s*(?:で|から)\s*始ま"
                           r"|市外局番\s*(?:が|は)?\s*(0\d{1,3})(?![\d-])"
                           r"|\b(?:start(?:s|ing)?|begin(?:s|ning)?)\s+with\s+(0\d{1,3})\b"
                           r"|\barea\s+code\s*(?:is\s*)?(0\d{1,3})\b")


def find_number_starts(text: str) -> list[str]:
    """The opening digits of a phone number asked about ("078で始まる番号の窓口"), not a whole number."""
    return [next(g for g in m.groups() if g) for m in _NUMBER_START.finditer(nfkc(text).lower())]


# A fiscal or calendar year as written: 2023年度, FY2023, by 2030, 令和5年度 (2018 + 5), R5年度; not the
# digits of a phone number (06-6966-2023) or of a name (Global Startup EXPO 2025).
_WESTERN_YEAR = re.compile(r"(?:\b(?:fy|fiscal|year|in|by|for|until|since|from|through|before|after)\s*'?(20\d\d)\b)"
                           r"|(?<![\d\-./])(20\d\d)\s*年")
_REIWA_YEAR = re.compile(r"(?:令和|\br)\s*(\d{1,2}|元)\s*年")
_REIWA_BEFORE_ONE = 2018


def years_named(text: str) -> frozenset[int]:
    """The years a text names, as western years (令和6年度 and FY2024 are both 2024)."""
    folded = nfkc(text)
    years = {int(a or b) for a, b in _WESTERN_YEAR.findall(folded)}
    years |= {_REIWA_BEFORE_ONE + (1 if n == "元" else int(n)) for n in _REIWA_YEAR.findall(folded)}
    return frozenset(years)
