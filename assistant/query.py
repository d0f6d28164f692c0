"""Understanding the question offline: the document's words for what people say, kana readings,
and whether the question asks for something the document never states.

The vocabulary is data (``corpus/glossary.json``) or read from the document itself; nothing here is
a code branch per topic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.normalize import hiragana, nfkc, normalize_query
from assistant.tokenizer import Tokenizer

_KANA_RUN = re.compile(r"[ぁ-ゖァ-ヺー]{3,}")
# Kana readings shorter than this match too much ordinary text ("いい", "ため").
_MIN_READING = 3
# Rendaku: the first kana of a word voices inside a compound (人手不足 = ひとで + ぶそく).
_VOICED = str.maketrans("かきくけこさしすせそたちつてとはひふへほ", "がぎぐげござじずぜぞだぢづでどばびぶべぼ")


@dataclass(frozen=True)
class CoverageRule:
    about: str
    asks: tuple[str, ...]
    needs: str  # a regular expression, or "$same": the asked word must occur in the document
    asks_pattern: re.Pattern[str] | None = None  # asked words found by a pattern (years)


class Glossary:
    """Phrases people use mapped to the document's vocabulary, and the coverage rules."""

    def __init__(self, entries: list[tuple[tuple[str, ...], str]], coverage: list[CoverageRule],
                 answer_types: list[tuple[tuple[str, ...], re.Pattern[str], bool]] | None = None) -> None:
        self.entries = entries
        self.coverage = coverage
        self.answer_types = answer_types or []

    @classmethod
    def load(cls, path: Path) -> Glossary:
        if not path.exists():
            return cls([], [])
        data = json.loads(path.read_text("utf-8"))
        entries = [(tuple(nfkc(p) for p in e["phrases"]), e["expand"]) for e in data.get("entries", [])]
        coverage = [CoverageRule(r["about"], tuple(nfkc(a) for a in r.get("asks", [])), r["needs"],
                                 re.compile(r["asks_pattern"]) if "asks_pattern" in r else None)
                    for r in data.get("coverage", [])]
        answer_types = [(tuple(nfkc(a) for a in r["asks"]), re.compile(r["pattern"]), bool(r.get("strict")))
                        for r in data.get("answer_types", [])]
        return cls(entries, coverage, answer_types)

    def expand(self, question: str) -> str:
        """The document words for what the question says in its own words ('' when none apply)."""
        q = f" {nfkc(question)} "
        return " ".join(expand for phrases, expand in self.entries if any(p in q for p in phrases))


class Readings:
    """Kana readings of the document's nouns, so 'すいそ の そうだん' finds 水素 and 相談."""

    def __init__(self, by_reading: dict[str, str]) -> None:
        self.by_reading = by_reading
        self._longest = max((len(r) for r in by_reading), default=0)

    @classmethod
    def from_texts(cls, texts: list[str], tokenizer: Tokenizer) -> Readings:
        by_reading: dict[str, str] = {}
        for text in texts:
            for m in tokenizer.morphemes(nfkc(text)):
                reading = hiragana(m.reading)
                if m.pos == "名詞" and len(reading) >= _MIN_READING and reading != m.surface:
                    by_reading.setdefault(reading, m.surface)
                    by_reading.setdefault(reading[0].translate(_VOICED) + reading[1:], m.surface)
        return cls(by_reading)

    def spell(self, text: str) -> tuple[str, list[str]]:
        """``text`` with document words typed in kana written as the document writes them, and those words.
        Characters not recognised stay as typed (katakana stays katakana)."""
        found: list[str] = []

        def rewrite(run: str) -> str:
            folded = hiragana(run)  # one character for one, so positions match the run as typed
            out, i = [], 0
            while i < len(run):
                for j in range(min(len(run), i + self._longest), i + _MIN_READING - 1, -1):
                    word = self.by_reading.get(folded[i:j])
                    if word:
                        out.append(word)
                        found.append(word)
                        i = j
                        break
                else:
                    out.append(run[i])
                    i += 1
            return "".join(out)

        spelled = _KANA_RUN.sub(lambda m: rewrite(m.group(0)), nfkc(text))
        return spelled, found


class QuestionReader:
    """Turns a question into the text the retrievers search and checks it against coverage rules."""

    def __init__(self, glossary: Glossary, readings: Readings, document_text: str) -> None:
        self.glossary = glossary
        self.readings = readings
        self._document = nfkc(document_text)

    def search_text(self, question: str) -> str:
        """The question in the document's words: kana spelled out, then glossary words added."""
        spelled, _ = self.readings.spell(normalize_query(question))
        extra = self.glossary.expand(spelled)
        return f"{spelled} {extra}".strip()

    def answer_patterns(self, question: str, strict: bool = False) -> list[re.Pattern[str]]:
        """Patterns a sentence answering this question should contain (a date for いつ, N社 for 何社);
        ``strict``: only the kinds whose absence means the document does not say."""
        q = f" {nfkc(question)} "
        return [pattern for asks, pattern, is_strict in self.glossary.answer_types
                if any(a in q for a in asks) and (is_strict or not strict)]

    def uncovered(self, question: str, evidence: str) -> CoverageRule | None:
        """The first coverage rule saying the document cannot answer this question, if any."""
        q = f" {nfkc(question)} "
        text = nfkc(evidence)
        for rule in self.glossary.coverage:
            asked = [a for a in rule.asks if a in q]
            if rule.asks_pattern:
                asked += ["".join(m.group(0).split()) for m in rule.asks_pattern.finditer(q)]
            if not asked:
                continue
            if rule.needs == "$same":
                if not any(a.strip() in self._document for a in asked):
                    return rule
            elif not re.search(rule.needs, text):
                return rule
        return None
