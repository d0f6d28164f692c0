"""Labelled example questions: how people ask about each initiative (and what is out of scope).

Each document may have ``NAME.examples.jsonl`` beside it, one ``{"question", "initiative", "division"}``
a line (both ``null`` for a question the document does not answer). The examples are embedded with
the same encoder as the passages, and the nearest ones vote: a question worded like the examples of
an initiative is about it, whatever words it uses. A document without examples routes from its text.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.directory import match_title

log = logging.getLogger(__name__)
OWN_SUFFIX = ".examples.jsonl"
OUT_OF_SCOPE = ""  # the label of examples the document does not answer


@dataclass(frozen=True)
class Example:
    question: str
    initiative: str  # a document title, or OUT_OF_SCOPE
    division: str = ""

    def to_json(self) -> dict[str, str]:
        return {"question": self.question, "initiative": self.initiative, "division": self.division}


def load_examples(corpus_dir: Path, titles_by_stem: dict[str, list[str]]) -> list[Example]:
    """The examples of every document that has a file of them, tied to that document's own titles.

    Raises ValueError naming the file and line of an example whose initiative is not in its document.
    """
    out: list[Example] = []
    for path in sorted(corpus_dir.glob(f"*{OWN_SUFFIX}")):
        stem = path.name[: -len(OWN_SUFFIX)]
        titles = titles_by_stem.get(stem)
        if titles is None:  # its document was removed from the corpus: nothing to route to
            log.warning("%s has no document beside it; its examples are not used", path.name)
            continue
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            name = row.get("initiative")
            title = OUT_OF_SCOPE if name is None else _title_of(name, titles)
            if title is None:
                raise ValueError(f"{path.name}:{n}: initiative not found in its document: {name}")
            out.append(Example(row["question"].strip(), title, row.get("division") or ""))
    return out


def _title_of(name: str, titles: list[str]) -> str | None:
    """The title an example names: close enough as a whole, or the one title holding a sub-item's name
    ("中堅・中小企業のDX推進" is written under its parent as "…（イ）中堅・中小企業のDX推進")."""
    found = match_title(name, titles)
    if found is None:
        holding = [t for t in titles if name in t]
        found = holding[0] if len(holding) == 1 else None
    return found


@dataclass
class Vote:
    """What the nearest examples say: the share of the vote per initiative and per office."""

    initiatives: dict[str, float] = field(default_factory=dict)  # OUT_OF_SCOPE included
    divisions: dict[str, float] = field(default_factory=dict)
    nearest: float = 0.0  # similarity of the closest example
    neighbours: list[tuple[Example, float]] = field(default_factory=list)  # the voters, closest first

    def share(self, initiative: str) -> float:
        return self.initiatives.get(initiative, 0.0)

    @property
    def out_of_scope(self) -> float:
        return self.initiatives.get(OUT_OF_SCOPE, 0.0)


def vote(neighbours: list[tuple[Example, float]], temperature: float) -> Vote:
    """Similarity-weighted vote of the neighbours: each weighs exp((sim - best) / temperature), so a
    neighbour nearly as close as the best counts nearly as much, and a distant one hardly at all."""
    if not neighbours:
        return Vote()
    best = max(s for _, s in neighbours)
    weights = [(e, float(np.exp((s - best) / temperature))) for e, s in neighbours]
    total = sum(w for _, w in weights)
    initiatives: dict[str, float] = defaultdict(float)
    divisions: dict[str, float] = defaultdict(float)
    for e, w in weights:
        initiatives[e.initiative] += w / total
        if e.division:
            divisions[e.division] += w / total
    return Vote(dict(initiatives), dict(divisions), best, sorted(neighbours, key=lambda x: -x[1]))
