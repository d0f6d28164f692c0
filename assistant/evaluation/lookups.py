"""Call-centre look-ups scored through the directory search: the office found first, and the offices found at all.

A look-up is what a call-centre operator types into the Directory tab (the same search /api/contacts
answers): a department, a place, a word of the document, a division's name in any script, a number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.evaluation.cases import Lookup

if TYPE_CHECKING:
    from assistant.service import Assistant

Search = Callable[[str], list[str]]  # a query → the divisions found, best first
LOOKUPS_SET = "lookups"  # the ``set`` of a look-up's line in responses.jsonl
# What a thresholds file may name for the look-ups (overall only), and the value of the report it reads.
LOOKUP_METRICS = {"lookups_pass_rate": "pass_rate"}


def office_search(assistant: Assistant) -> Search:
    """The directory search of the Directory tab and /api/contacts, as the division names it finds in order."""
    return lambda query: [o.division for o in assistant.search_offices(query).offices]


def lookup_found(lookup: Lookup, divisions: Sequence[str]) -> bool:
    """The first division found is an acceptable one, and every division the look-up must find is found."""
    e = lookup.expect
    return bool(divisions) and divisions[0] in e.first and set(e.includes) <= set(divisions)


@dataclass(frozen=True)
class LookupResult:
    """One look-up and the divisions the search found for it."""

    lookup: Lookup
    found: tuple[str, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return lookup_found(self.lookup, self.found)

    @property
    def missing(self) -> list[str]:
        """Divisions the look-up must find that the search did not."""
        return [d for d in self.lookup.expect.includes if d not in self.found]

    def problems(self) -> list[str]:
        """What an operator would notice is wrong, one phrase per check that failed."""
        out = []
        if not self.found:
            out.append("nothing found")
        elif self.found[0] not in self.lookup.expect.first:
            out.append(f"first {self.found[0]}, expected {' or '.join(self.lookup.expect.first)}")
        if self.missing:
            out.append("not found: " + ", ".join(self.missing))
        return out

    def to_row(self) -> dict[str, Any]:
        """This look-up as one line of ``responses.jsonl`` (beside the cases, marked with its set)."""
        c = self.lookup
        return {"pipeline": "pipeline", "set": LOOKUPS_SET, "id": c.id, "kind": c.kind, "query": c.query,
                "expect": c.expect.model_dump(mode="json"), "passed": self.passed, "found": list(self.found),
                "ms": round(self.seconds * 1000, 2), "problems": self.problems()}


def run_lookups(lookups: Iterable[Lookup], search: Search,
                progress: Callable[[int], None] | None = None) -> list[LookupResult]:
    """Type every look-up into the search; one result a look-up."""
    out = []
    for lookup in lookups:
        t0 = time.perf_counter()
        found = tuple(search(lookup.query))
        out.append(LookupResult(lookup, found, time.perf_counter() - t0))
        if progress:
            progress(1)
    return out


def lookup_metrics(results: list[LookupResult]) -> dict[str, Any]:
    passed = sum(r.passed for r in results)
    return {"cases": len(results), "passed": passed,
            "pass_rate": round(passed / len(results), 4) if results else None}


@dataclass
class LookupReport:
    """The look-ups' pass rate overall and per kind (kinds in the order the file first names them)."""

    overall: dict[str, Any]
    by_kind: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[LookupResult] = field(default_factory=list)

    @property
    def missed(self) -> list[str]:
        return [r.lookup.id for r in self.results if not r.passed]

    def value(self, metric: str) -> Any:
        """A metric a thresholds file names (``lookups_pass_rate``), or None when it is not a look-up metric."""
        key = LOOKUP_METRICS.get(metric)
        return self.overall.get(key) if key else None

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall, "by_kind": self.by_kind}


def evaluate_lookups(lookups: list[Lookup], search: Search,
                     progress: Callable[[int], None] | None = None) -> LookupReport:
    results = run_lookups(lookups, search, progress)
    kinds = list(dict.fromkeys(r.lookup.kind for r in results))
    return LookupReport(lookup_metrics(results),
                        {k: lookup_metrics([r for r in results if r.lookup.kind == k]) for k in kinds}, results)
