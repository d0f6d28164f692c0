"""The verified contact directory: every phone number the assistant may show comes from here."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.normalize import (
    find_extensions,
    find_number_starts,
    find_phones,
    hiragana,
    nfkc,
    phone_digits,
    unvoiced,
)

log = logging.getLogger(__name__)
# A document's own contact table sits beside it: ``report.pdf`` → ``report.contacts.json``.
OWN_SUFFIX = ".contacts.json"


@dataclass(frozen=True)
class Office:
    """One office of the bureau, as the contact table lists it."""

    department: str
    division: str
    phone: str
    initiatives: tuple[str, ...]  # initiative titles as written in the document's slides
    remit: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other names people use (English names)
    reading: str = ""  # the division name in hiragana, for questions typed in kana
    local: bool = False  # serves one area (its remit is its places): called only by an asker naming one

    digits: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every look-up compares digits: derive them once, when the office is read.
        object.__setattr__(self, "digits", phone_digits(self.phone))


@dataclass(frozen=True)
class Contact:
    """An office to call about one initiative: the shape every interface returns."""

    department: str
    division: str
    phone: str
    initiative: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


# Names at least this close (Dice over character bigrams) count as the same name typed differently.
_NAME_SIMILAR = 0.6


def _plain(text: str) -> str:
    """A name without spaces, middle dots and hyphens, for comparing how it was typed."""
    return re.sub(r"[\s・･\-‐ー－_.]", "", nfkc(text))


def _one_slip(typed: str, name: str) -> bool:
    """One character of a name of four or more typed wrong (地域軽済部 for 地域経済部), its last (部, 課: what
    kind of office it is) typed right."""
    return (len(typed) == len(name) >= 4 and typed[-1] == name[-1]
            and sum(a != b for a, b in zip(typed, name, strict=True)) == 1)


def _bigrams(text: str) -> set[str]:
    t = nfkc(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice similarity of character bigrams (the contact table words titles slightly differently)."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def match_title(name: str, titles: list[str]) -> str | None:
    """The document title a contact-table name refers to, or None when nothing is close enough."""
    if name in titles:  # the common case for generated tables; skips comparing with every title
        return name
    best = max(titles, key=lambda t: similarity(name, t), default=None)
    return best if best is not None and similarity(name, best) >= 0.8 else None


def _places_named_in(office: Office) -> list[str]:
    """The remit words an office's name, or an English name of it, starts with (神戸 of 神戸通商事務所)."""
    names = (nfkc(office.division), *(nfkc(a) for a in office.aliases))
    return [place for place in map(nfkc, office.remit) if any(n.startswith(place) for n in names)]


class Directory:
    """Offices, looked up by initiative, by division name or by a phone number written any way."""

    def __init__(self, offices: list[Office], reading: Callable[[str], str] | None = None,
                 short_forms: dict[str, str] | None = None, office_words: Sequence[str] = ()) -> None:
        self.offices = offices
        self.short_forms = dict(short_forms or {})
        self.office_words = tuple(office_words)
        # An office serving one area is named by its place and a word for an office or its number
        # (「神戸の事務所」, 「神戸の番号」).
        words = "|".join(re.escape(nfkc(w)) for w in self.office_words)
        self._by_place = [(o, re.compile(rf"(?:{'|'.join(map(re.escape, places))})(?:の|にある|'s)?\s*(?:{words})"))
                          for o in offices if o.local and words and (places := _places_named_in(o))]
        # Short forms staff type for words of office names (CN推進室 for カーボンニュートラル推進室).
        self._short_forms = [(re.compile(rf"(?<![A-Za-z]){re.escape(nfkc(k))}(?![A-Za-z])", re.IGNORECASE), nfkc(v))
                             for k, v in (short_forms or {}).items()]
        self._numbers = {o.digits for o in offices}
        # Normalised once, not per question: every question is checked against every office, and a
        # corpus of many documents has thousands of them.
        self._keys = [(o, tuple(nfkc(a) for a in o.aliases), nfkc(o.division)) for o in offices]
        # Department names with their kana reading (国際部 → こくさいぶ), for look-ups typed in kana.
        self._reading = reading
        self._departments = {o.department: _plain(reading(o.department)) if reading else "" for o in offices}
        self._serving: dict[str, list[Office]] = {}
        for o in offices:
            for title in dict.fromkeys(o.initiatives):
                self._serving.setdefault(title, []).append(o)

    @classmethod
    def load(cls, path: Path, titles: list[str], reading: Callable[[str], str] | None = None) -> Directory:
        """Read ``contacts.json`` and tie each table row to the document's initiative title."""
        data = json.loads(path.read_text(encoding="utf-8"))
        offices = []
        for row in data["offices"]:
            mapped = []
            for name in row["initiatives"]:
                title = match_title(name, titles)
                if title is None:
                    raise ValueError(f"contact table initiative not found in the document: {name}")
                mapped.append(title)
            offices.append(
                Office(row["department"], row["division"], row["phone"], tuple(mapped), tuple(row.get("remit", [])),
                       tuple(row.get("aliases", [])), reading(row["division"]) if reading else "",
                       bool(row.get("local", False)))
            )
        return cls(offices, reading, data.get("short_forms"), data.get("office_words", ()))

    @classmethod
    def load_folder(cls, corpus_dir: Path, titles_by_file: dict[str, list[str]],
                    reading: Callable[[str], str] | None = None) -> Directory:
        """The bureau's ``contacts.json`` plus each document's own ``NAME.contacts.json``.

        A document's own table is matched against its own titles only; the bureau's table against the
        documents that have no table of their own, and it is skipped (with a warning) when none of
        its rows matches, because the document it transcribes has been removed from the corpus.
        """
        own = {p.name[: -len(OWN_SUFFIX)]: p for p in sorted(corpus_dir.glob(f"*{OWN_SUFFIX}"))}
        offices: list[Office] = []
        short_forms: dict[str, str] = {}
        office_words: list[str] = []
        base = corpus_dir / "contacts.json"
        rest = [t for f, ts in titles_by_file.items() if Path(f).stem not in own for t in ts]
        if base.exists():
            rows = json.loads(base.read_text(encoding="utf-8"))["offices"]
            if any(match_title(n, rest) for r in rows for n in r["initiatives"]):
                table = cls.load(base, rest, reading)
                offices += table.offices
                short_forms |= table.short_forms
                office_words += table.office_words
            else:
                log.warning("%s matches no document in the corpus; its numbers are not used", base.name)
        for stem, path in own.items():
            titles = [t for f, ts in titles_by_file.items() if Path(f).stem == stem for t in ts]
            if titles:  # a table whose document is gone would only point at nothing
                table = cls.load(path, titles, reading)
                offices += table.offices
                short_forms |= table.short_forms
                office_words += table.office_words
        return cls(offices, reading, short_forms, dict.fromkeys(office_words))

    def spelled_out(self, text: str) -> str:
        """The text with the short forms of office-name words written out (CN推進室 → カーボンニュートラル推進室)."""
        q = nfkc(text)
        for pattern, full in self._short_forms:
            q = pattern.sub(full, q)
        return q

    def is_listed(self, phone: str) -> bool:
        """Whether a number (written any way) is a directory number."""
        return phone_digits(phone) in self._numbers

    def for_initiative(self, initiative: str, question: str = "") -> list[Contact]:
        """The offices serving an initiative, the one whose remit fits the question first."""
        q = nfkc(question)
        offices = list(self._serving.get(initiative, []))
        # Stable sort: offices whose remit fits move up, table order decides the rest (so the
        # general office, listed first, stays first when several fit).
        offices.sort(key=lambda o: -any(nfkc(word) in q for word in o.remit))
        return [Contact(o.department, o.division, o.phone, initiative) for o in offices]

    def is_local(self, division: str) -> bool:
        """Whether the office serves one area only (its remit is the places it serves)."""
        return any(o.local for o in self.offices if o.division == division)

    def local_office_named(self, initiative: str, question: str) -> bool:
        """Whether the question (folded) names a place one of the initiative's local offices serves (神戸, kobe)."""
        return any(self.remit_fits(o.division, question) for o in self._serving.get(initiative, []) if o.local)

    def remit_fits(self, division: str, question: str) -> bool:
        """Whether a word of the office's remit (its part of a shared initiative) is in the question."""
        return self.remit_said_at(division, question) >= 0

    def remit_said_at(self, division: str, question: str) -> int:
        """Where the question last says a word of the office's remit (-1: nowhere)."""
        q = nfkc(question)
        return max((q.rfind(nfkc(word)) for o in self.offices if o.division == division for word in o.remit),
                   default=-1)

    def by_phone(self, text: str) -> list[Office]:
        """Offices whose number is written in ``text`` (full, or without the area code)."""
        found: list[Office] = []
        for digits in find_phones(text):
            for o in self.offices:
                own = o.digits
                if (own == digits or (len(digits) >= 8 and own.endswith(digits))) and o not in found:
                    found.append(o)
        return found

    def by_extension(self, text: str) -> list[Office]:
        """Offices whose number ends with the four digits given ("末尾が6034の番号はどこ？") or starts with
        the area code given ("078で始まる番号の窓口")."""
        found: list[Office] = []
        for ext in find_extensions(text):
            found += [o for o in self.offices if o.digits.endswith(ext) and o not in found]
        for start in find_number_starts(text):
            found += [o for o in self.offices if o.digits.startswith(start) and o not in found]
        return found

    def by_digits(self, text: str) -> list[Office]:
        """Offices whose number contains the digits typed so far ("6966-60", "２６８"), for search-as-you-type."""
        digits = phone_digits(text)
        if len(digits) < 3:
            return []
        return [o for o in self.offices if digits in o.digits]

    def by_division(self, text: str) -> list[Office]:
        """Offices named in ``text`` (name, English alias or kana reading); the longest name wins."""
        q = self.spelled_out(text)
        kana = re.sub(r"[^ぁ-ゖー]", "", hiragana(q))
        hits = [o for o, aliases, division in self._keys
                if division in q or any(a in q for a in aliases) or (len(o.reading) >= 4 and o.reading in kana)]
        hits += [o for o, named in self._by_place if o not in hits and named.search(q)]
        hits.sort(key=lambda o: -len(o.division))
        longest = [o for o in hits if not any(nfkc(o.division) in nfkc(h.division) and h is not o for h in hits)]
        return longest

    def by_department(self, text: str) -> list[Office]:
        """Every office of the department a query names (国際部, typed in kana or with a slip: こくさいぶ,
        国債部), in table order; nothing when the query names no department."""
        q = _plain(text)
        if not q:
            return []
        named = [n for n in self._departments if _plain(n) in q]
        if named:  # named among other words (「産業部の課を全部」, 「国際部 連絡先一覧」): the longest name
            best = max(named, key=len)
            return [o for o in self.offices if o.department == best]
        # Typed with the wrong kanji (国債部, 地域軽済部) it still reads the same, or but for a voiced mark
        # (こくさいぶ, ちいきけいさいぶ).
        said = unvoiced(_plain(self._reading(text))) if self._reading else ""
        best, score = None, 0.0
        for name, reading in self._departments.items():
            sounds = bool(reading) and unvoiced(reading) in (unvoiced(q), said)
            s = max(similarity(q, _plain(name)), 1.0 if sounds or _one_slip(q, _plain(name)) else 0.0)
            if s > score:
                best, score = name, s
        if best is None or score < _NAME_SIMILAR:
            return []
        return [o for o in self.offices if o.department == best]

    def by_similar_name(self, text: str) -> list[Office]:
        """Offices whose division name (or English name) is close to a query typed with a slip or
        shortened (地域連係推進課, 創業経営支援課, 製造産業, Startup and Management Support Division)."""
        q = _plain(self.spelled_out(text))
        if len(q) < 2:
            return []
        scored = []
        for o, aliases, _ in self._keys:
            names = [_plain(o.division), *(_plain(a) for a in aliases)]
            s = max(similarity(q, n) for n in names)
            if s >= _NAME_SIMILAR:
                scored.append((s, o))
        scored.sort(key=lambda x: -x[0])
        return [o for s, o in scored if s >= scored[0][0] - 0.05] if scored else []

    def named_after_place(self, office: Office, text: str) -> bool:
        """Whether the office's name starts with a place named in the query (神戸通商事務所 for 神戸市)."""
        q = nfkc(text)
        return any(office.division.startswith(q[: n]) for n in range(2, min(len(q), 4) + 1))

    def contacts_of(self, office: Office) -> list[Contact]:
        """One contact per initiative the office serves."""
        return [Contact(office.department, office.division, office.phone, i) for i in office.initiatives]

