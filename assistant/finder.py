"""The support finder: what a business wants to do (and, optionally, who it is) → initiatives that fit.

Goals are data (``corpus/goals.json``): each carries a query in the document's own words. The
initiatives are ranked with the router's fused evidence score, quoted with the composer's own
sentence choice, and given the directory's offices, so nothing here retrieves or invents text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answers import Citation, Composer
from assistant.directory import Contact, Directory
from assistant.routing import Route, Router, RouteReason, ScoredInitiative

# A company description re-orders what the goals found, as much as a goal does, but only where the
# document clearly speaks to it: a profile such as "金属加工、従業員30人" matches everything weakly.
_DESCRIPTION_WEIGHT = 1.0
# Initiatives scoring under this share of the best one are left out: they only add noise. (The
# evidence includes the labelled examples' vote, which sets the best one far ahead: 0.4 keeps a
# goal's second initiative, such as the Asia plan beside overseas business support.)
_KEEP_SHARE = 0.4


@dataclass(frozen=True)
class Goal:
    """Something a business may want to do, with the words the finder searches for it."""

    id: str
    ja: str
    en: str
    query: str

    @property
    def label(self) -> str:
        return f"{self.ja} / {self.en}"


def load_goals(path: Path) -> list[Goal]:
    """The goals of ``corpus/goals.json`` in file order (none when the file is absent)."""
    if not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))
    return [Goal(g["id"], g["ja"], g["en"], g["query"]) for g in data["goals"]]


@dataclass
class Recommendation:
    """One initiative that fits, with why (quotes from the document) and whom to call."""

    initiative: str
    score: float
    goals: list[str]
    pages: list[int]
    quotes: list[Citation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(self.score, 4)
        return d


class SupportFinder:
    """Ranks initiatives for a set of goals and an optional company description."""

    def __init__(self, router: Router, composer: Composer, directory: Directory, goals: list[Goal],
                 max_results: int = 5, max_description_chars: int = 2000) -> None:
        self.router = router
        self.composer = composer
        self.directory = directory
        self.goals = goals
        self.max_results = max_results
        self.max_description_chars = max_description_chars
        self._by_id = {g.id: g for g in goals}
        self._pages: dict[str, list[int]] = {}
        for c in router.index.chunks:
            if c.initiative and c.page is not None and c.page not in self._pages.setdefault(c.initiative, []):
                self._pages[c.initiative].append(c.page)

    def goal(self, key: str) -> Goal:
        """A goal by id or by its Japanese or English label; unknown names raise ``ValueError``."""
        k = key.strip()
        for g in self.goals:
            if k in (g.id, g.ja, g.en, g.label):
                return g
        known = ", ".join(g.id for g in self.goals)
        raise ValueError(f"unknown goal {key!r}; choose from: {known}")

    def find(self, goals: list[str], description: str = "") -> list[Recommendation]:
        """Initiatives that fit, best first; raises ``ValueError`` when there is nothing to search for."""
        chosen = list(dict.fromkeys(self.goal(k) for k in goals))
        description = (description or "").strip()
        if len(description) > self.max_description_chars:
            raise ValueError(f"the description is too long: at most {self.max_description_chars} characters")
        if not chosen and not description:
            raise ValueError("pick at least one goal or describe your company")

        floor = self.router.settings.abstain_below
        fit: dict[str, float] = {}  # what the goals (or, without goals, the description) found
        matched: dict[str, list[Goal]] = {}
        for g in chosen:
            for s, evidence in self._ranked(g.query, typed=False):  # the goal's keywords are ours
                # An initiative serving several chosen goals ranks by its best fit, not their sum.
                fit[s.title] = max(fit.get(s.title, 0.0), evidence)
                if evidence >= floor:
                    matched.setdefault(s.title, []).append(g)
        total = dict(fit)
        if description:
            for s, evidence in self._ranked(description):
                if not chosen:
                    fit[s.title] = total[s.title] = evidence
                elif s.title in total and evidence >= floor:
                    total[s.title] += _DESCRIPTION_WEIGHT * evidence
        best = max(fit.values(), default=0.0)
        if best < floor:
            return []  # nothing the document clearly speaks to
        # The goals decide which initiatives are listed; the description only re-orders them.
        kept = sorted((t for t, v in fit.items() if v >= _KEEP_SHARE * best), key=lambda t: -total[t])
        return [self._recommend(t, total[t], matched.get(t, []), chosen, description) for t in kept[: self.max_results]]

    def _ranked(self, text: str, typed: bool = True) -> list[tuple[ScoredInitiative, float]]:
        """Initiatives for a text with the router's evidence for each (its score, less the share of
        out-of-scope examples near the text), so the finder turns away what the chat turns away."""
        question = self.router.read(text)
        examples = self.router.vote(question)
        return [(s, self.router.evidence(s, examples)) for s in self.router.score(question, examples, typed)]

    def _recommend(self, title: str, score: float, served: list[Goal], chosen: list[Goal],
                   description: str) -> Recommendation:
        # Quote and pick the office with the words of the goals this initiative serves (and the company's).
        question = " ".join([g.query for g in served or chosen] + ([description] if description else []))
        route = Route(self.router.read(question), RouteReason.retrieval, [ScoredInitiative(title, score)], [], score)
        quotes = self.composer.quotes(route, per_initiative=2)
        contacts = self.directory.for_initiative(title, question)
        return Recommendation(title, score, [g.ja for g in served], self._pages.get(title, []), quotes, contacts)
