"""Kana readings of the document's words, so a question typed in kana, romaji read as kana, a katakana name
spelt another way or kanji the IME chose wrongly (会上 for 会場) finds the words the document writes."""

from __future__ import annotations

import re
from itertools import product

from assistant.normalize import KANJI, hiragana, nfkc, unvoiced
from assistant.tokenizer import GRAMMAR, Morpheme, Tokenizer

_KANJI_RUN = re.compile(r"[一-龥]{2,4}")
_KANA_RUN = re.compile(r"[ぁ-ゖァ-ヺー]{3,}")
# Kana readings shorter than this match too much ordinary text ("いい", "ため").
_MIN_READING = 3
# Nouns MeCab reads in pieces are heard as one name from six kana; from five where a suffix closes the word
# (ほじょきん: 補助 + 金), since five kana of nouns side by side are as often a piece of a longer name (天下一 of
# 天下一合説, which romaji types in words: tenkaichi gousetsu).
_MIN_COMPOUND, _MIN_SUFFIXED = 2 * _MIN_READING, 5
_NAME_PARTS = ("名詞", "接尾辞")
_SPACED_KANA = re.compile(r"[ぁ-ゖー]+(?: [ぁ-ゖー]+)+")  # kana words with spaces between: romaji read as kana
_COMPOUND = 4  # nouns read as one name when typed in kana (天下 + 一 + 合 + 説)
# Rendaku: the first kana of a word voices inside a compound (人手不足 = ひとで + ぶそく).
_VOICED = str.maketrans("かきくけこさしすせそたちつてとはひふへほ", "がぎぐげござじずぜぞだぢづでどばびぶべぼ")
_FOREIGN_WORD = re.compile(r"[ァ-ヺー]{4,}")  # a loanword or foreign name, long enough not to meet another by chance
_JOINS = re.compile(r"[一-龥々ァ-ヺー]")  # a character a word typed in kana after it may be compounded with
_INFLECTS_ON = frozenset(("て", "で", "ば", "ても", "でも", "たり", "だり"))  # a verb's forms going on past it
_LONG_U = re.compile(r"(?<=[おこごそぞとどのほぼぽもよょろうくぐすずつづぬふぶぷむゆゅる])う")  # the う of a long o or u


# Latin letters as they are said and typed in kana (GX: じーえっくす, 下請Gメン: したうけじーめん), the usual names
# first; MeCab reads a letter as itself.
_LETTER_NAMES = {
    "a": ("えー", "えい"), "b": ("びー",), "c": ("しー",), "d": ("でぃー", "でー"), "e": ("いー",), "f": ("えふ",),
    "g": ("じー",), "h": ("えいち", "えっち"), "i": ("あい",), "j": ("じぇー", "じぇい"), "k": ("けー", "けい"),
    "l": ("える",), "m": ("えむ",), "n": ("えぬ",), "o": ("おー",), "p": ("ぴー",), "q": ("きゅー",), "r": ("あーる",),
    "s": ("えす",), "t": ("てぃー", "てー"), "u": ("ゆー",), "v": ("ぶい", "ぶいー"), "w": ("だぶりゅー",),
    "x": ("えっくす",), "y": ("わい",), "z": ("ぜっと",),
}
_ACRONYM = re.compile(r"[A-Za-z]{1,3}")  # letters said one by one (DX); a longer run is a word (EXPO)


def _sounds(reading: str, letters: int = 2) -> list[str]:
    """A morpheme's reading in hiragana, and for an acronym of at least ``letters`` letters each way they are said
    (one letter alone, えっち or えっくす, is an everyday word as often)."""
    if not _ACRONYM.fullmatch(reading) or len(reading) < letters:
        return [hiragana(reading)]
    return ["".join(names) for names in product(*(_LETTER_NAMES[c] for c in reading.lower()))]


_VOWEL_OF = {k: v for v, row in zip("あいうえお", ("あかさたなはまやらわがざだばぱぁゃゎ", "いきしちにひみりぎじぢびぴぃ",
                                                   "うくすつぬふむゆるぐずづぶぷぅゅ", "えけせてねへめれげぜでべぺぇ",
                                                   "おこそとのほもよろをごぞどぼぽぉょ"), strict=True) for k in row}


def _long_vowels_doubled(sound: str) -> str:
    """A long vowel as romaji often types it, the vowel twice (zeminaaru: ぜみなある for ゼミナール)."""
    return re.sub("(?<=(.))ー", lambda m: _VOWEL_OF.get(m.group(1), "ー"), sound)


def as_romaji_types(sound: str) -> str:
    """A reading as romaji without macrons spells it: no long vowels, づ and ぢ as ず and じ."""
    return _LONG_U.sub("", sound.replace("ー", "")).translate(str.maketrans("づぢ", "ずじ"))


def _verb_forms(morphemes: list[Morpheme]) -> tuple[set[int], dict[int, int]]:
    """Where a word typed in kana may not end, and how far one starting at an offset may reach: not where a verb
    goes on inflecting (し|たら, し|て), and not from an adverb into the verb it modifies (どう|しよう, こう|し|たい)."""
    ends: set[int] = set()
    reach: dict[int, int] = {}
    for k, m in enumerate(morphemes):
        n = morphemes[k + 1] if k + 1 < len(morphemes) else None
        if n is None or n.start != m.end:
            continue
        if m.pos == "動詞" and (n.pos == "助動詞" or n.surface in _INFLECTS_ON):
            ends.add(m.end)
        if m.pos == "副詞" and n.pos == "動詞":
            reach[m.start] = m.end
    return ends, reach


class Readings:
    """Kana readings of the document's nouns, so 'すいそ の そうだん' finds 水素 and 相談."""

    def __init__(self, by_reading: dict[str, str], tokenizer: Tokenizer | None = None,
                 voiced: frozenset[str] = frozenset()) -> None:
        self.by_reading = by_reading
        self.tokenizer = tokenizer
        # Readings heard only with rendaku (どうし for 投資): a word sounds so only as the second part of a
        # compound (ぶそく in じんざいぶそく), never where a word starts alone (どうしたらいい is no 投資).
        self._voiced = voiced
        self._readings_of: dict[str, set[str]] = {}
        for reading, word in by_reading.items():
            self._readings_of.setdefault(word, set()).add(reading)
        self._longest = max((len(r) for r in by_reading), default=0)
        # A foreign name typed with a voicing mark where the slides have none, or the other way (ハンブルク for
        # ハンブルグ: names are spelt in katakana more than one way): the document's katakana words by their sound
        # without voicing marks, where only one has it.
        sounds: dict[str, set[str]] = {}
        for word in set(by_reading.values()):
            if _FOREIGN_WORD.fullmatch(word):
                sounds.setdefault(unvoiced(word), set()).add(word)
        self._foreign = {sound: words.pop() for sound, words in sounds.items() if len(words) == 1}
        self._foreign_words = frozenset(self._foreign.values())

    @classmethod
    def from_texts(cls, texts: list[str], tokenizer: Tokenizer) -> Readings:
        by_reading: dict[str, str] = {}
        compounds: dict[str, str] = {}
        voiced: dict[str, str] = {}
        for text in texts:
            ms = tokenizer.morphemes(nfkc(text))
            for k, m in enumerate(ms):
                for reading in _sounds(m.reading) if m.pos == "名詞" else ():
                    if len(reading) >= _MIN_READING and reading != m.surface:
                        by_reading.setdefault(reading, m.surface)
                        voiced.setdefault(reading[0].translate(_VOICED) + reading[1:], m.surface)
                # A name MeCab reads in pieces (天下 + 一 + 合 + 説, 補助 + the suffix 金) is typed in kana whole
                # (てんかいちごうせつ, ほじょきん), and a name joined by の (共創の森) too (romaji types it in words:
                # kyousou no mori). A verb as a noun's modifier starts one as well (稼ぐ力: kasegu chikara).
                run = [m] if m.pos == "名詞" or (m.pos == "動詞" and m.surface == m.base) else []
                for n in ms[k + 1 : k + _COMPOUND + 1] if run else ():
                    if n.start != run[-1].end or not (n.pos in _NAME_PARTS or (n.surface == "の" and run[-1].pos == "名詞")):
                        break
                    run.append(n)
                    if n.pos not in _NAME_PARTS:
                        continue
                    surface = "".join(x.surface for x in run)
                    least = _MIN_SUFFIXED if n.pos == "接尾辞" else _MIN_COMPOUND
                    if n.pos == "接尾辞" and len(run) == 2 and len(hiragana(run[0].reading)) >= _MIN_READING:
                        # A suffix on a word heard alone already (ろうむ: 労務) only lengthens it: ろうむひ is 労務費.
                        least = _MIN_READING + 1
                    for sound in map("".join, product(*(_sounds(x.reading, letters=1) for x in run))):
                        if len(sound) >= least and sound != surface:
                            compounds.setdefault(sound, surface)
        for sound, surface in compounds.items():
            by_reading.setdefault(sound, surface)
        voiced_only = {sound for sound in voiced if sound not in by_reading}
        for sound in voiced_only:
            by_reading[sound] = voiced[sound]
        # Romaji seldom marks a long vowel (zemina-ru, chuken, kigyo) and cannot tell づ from ず (hizuke):
        # ぜみなる finds ゼミナール, ちゅけん 中堅, ひずけ 日付.
        for sound, surface in list(by_reading.items()):
            for short in (sound.replace("ー", ""), as_romaji_types(sound), _long_vowels_doubled(sound)):
                if len(short) >= _MIN_READING + 1 and short not in by_reading:
                    by_reading[short] = surface
                    if sound in voiced_only:
                        voiced_only.add(short)
        return cls(by_reading, tokenizer, frozenset(voiced_only))

    def knows(self, kana: str) -> bool:
        """Whether the document has a word read ``kana`` (ぶんや: 分野)."""
        return kana in self.by_reading

    def readings_of(self, word: str) -> set[str]:
        """The kana a document word is found by (会議 ← かいぎ)."""
        return self._readings_of.get(word, set())

    def spell(self, text: str) -> tuple[str, list[str]]:
        """``text`` with document words typed in kana written as the document writes them, and those words.
        Characters not recognised stay as typed (katakana stays katakana)."""
        found: list[str] = []
        text = nfkc(text)
        # Kana right after a kanji may be its ending (支払い|が|いつも): a word typed in kana starts there
        # only where MeCab starts a word, not at いがい inside 支払い + が (asked only when a run follows one).
        after_kanji = [m.start() for m in _KANA_RUN.finditer(text) if m.start() and KANJI.match(text[m.start() - 1])]
        morphemes = self.tokenizer.morphemes(text) if self.tokenizer and _KANA_RUN.search(text) else []
        starts = {m.start for m in morphemes}
        tails = set(after_kanji)
        endings = tails - starts if self.tokenizer else set()
        # Nor does one start on a word of grammar in such a run (やれへんかな: へん is the dialect's negative,
        # not 変化 typed in kana).
        grammar = {m.start for m in morphemes if m.pos in GRAMMAR}
        # Nor does one end where a verb goes on inflecting (どうし|たら), or take in a verb after an adverb
        # (どう|しよう): a noun typed in kana is never the front of a verb's forms.
        inflecting, reach = _verb_forms(morphemes)

        def rewrite(match: re.Match[str]) -> str:
            run, at = match.group(0), match.start()
            folded = hiragana(run)  # one character for one, so positions match the run as typed
            out, i = [], 0
            # Whether the kana at i may be a compound's second part: the run goes on from kanji or katakana
            # (人でぶそく: 人手不足 with 手 typed in kana), or they follow a word spelled.
            joined = bool(at) and _JOINS.match(text[at - 1]) is not None
            compounded = joined
            while i < len(run):
                inside = (i == 0 and at in endings) or (at in tails and at + i in grammar)
                for j in range(min(len(run), i + self._longest), i + _MIN_READING - 1, -1):
                    word = None if inside or at + j in inflecting or at + j > reach.get(at + i, at + j) \
                        else self.by_reading.get(folded[i:j])
                    if word and (compounded or folded[i:j] not in self._voiced):
                        out.append(word)
                        found.append(word)
                        i, compounded = j, True
                        break
                else:
                    out.append(run[i])
                    i, compounded = i + 1, joined
            return "".join(out)

        def join_spaced(match: re.Match[str]) -> str:
            # Romaji read as kana keeps its spaces (かんさい きょうそう の もり): a name typed across words, some
            # too short to spell alone (の, もり), is found by joining them (きょうそうのもり → 共創の森). Words each
            # spelled alone stay apart (半導体 人材 育成 reads better than MeCab's 半 + 導体 in one run).
            words, out, i = match.group(0).split(" "), [], 0
            while i < len(words):
                for k in range(min(_COMPOUND, len(words) - i), 1, -1):
                    part = words[i : i + k]
                    word = self.by_reading.get("".join(part))
                    if word and len("".join(part)) >= 2 * _MIN_READING and not all(w in self.by_reading for w in part):
                        out.append(word)
                        found.append(word)
                        i += k
                        break
                else:
                    out.append(words[i])
                    i += 1
            return " ".join(out)

        def foreign(match: re.Match[str]) -> str:
            # Only a name (MeCab reads it as one proper noun): クリーン is no misspelt グリーン.
            run = match.group(0)
            word = None if run in self._foreign_words else self._foreign.get(unvoiced(run))
            if word and not self._is_name(run):
                word = None
            if word:
                found.append(word)
            return word or run

        text = _FOREIGN_WORD.sub(foreign, text)
        spelled = _KANA_RUN.sub(rewrite, _SPACED_KANA.sub(join_spaced, text))
        return _KANJI_RUN.sub(lambda m: self._slip(m.group(0), found), spelled), found

    def _is_name(self, word: str) -> bool:
        ms = self.tokenizer.morphemes(word) if self.tokenizer else []
        return len(ms) == 1 and bool(ms[0].proper)

    def _slip(self, run: str, found: list[str]) -> str:
        """A run of kanji no dictionary knows, typed for a document word that sounds the same (会上 for 会場,
        長需 for 長寿: the IME's first choice): MeCab reads it only character by character."""
        if self.tokenizer is None:
            return run
        ms = self.tokenizer.morphemes(run)
        if len(ms) < 2 or any(len(m.surface) != 1 for m in ms):
            return run
        word = self.by_reading.get(hiragana("".join(m.reading for m in ms)))
        if not word or word == run or len(word) != len(run) or not _KANJI_RUN.fullmatch(word):
            return run
        found.append(word)
        return word
