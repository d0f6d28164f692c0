"""Run the Q&A regression set through the chat's own code path and score it."""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answers import Answer
from assistant.chat import Turn
from assistant.normalize import nfkc, phone_digits

Ask = Callable[[str, list[Turn]], Answer]


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    turns: tuple[str, ...]
    sections: tuple[str, ...]
    phones: tuple[str, ...]
    facts: tuple[str, ...]
    abstain: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Case:
        e = d["expect"]
        return cls(d["id"], d["category"], tuple(d["turns"]), tuple(e.get("sections", [])),
                   tuple(e.get("phones", [])), tuple(e.get("facts", [])), bool(e.get("abstain", False)))


def load_cases(path: Path) -> list[Case]:
    """Cases of a JSONL file, one JSON object a line."""
    return [Case.from_json(json.loads(line)) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    return "".join(nfkc(text).split())


@dataclass
class Result:
    case: Case
    answer: dict[str, Any]
    seconds: float
    routed: bool  # contacts[0] is an expected number
    rank: int | None  # 1-based rank of the first expected initiative, None when absent
    facts_found: int
    abstained: bool
    outside_numbers: int  # numbers in the answer that are not directory numbers

    @property
    def passed(self) -> bool:
        c = self.case
        if c.abstain:
            return self.abstained
        ok = not self.abstained
        if c.phones:
            ok = ok and self.routed
        if c.sections:
            ok = ok and self.rank == 1
        return ok and self.facts_found == len(c.facts) and self.outside_numbers == 0


def score_case(case: Case, answer: Answer, seconds: float, directory_digits: set[str]) -> Result:
    from assistant.normalize import find_phones

    expected = {phone_digits(p) for p in case.phones}
    routed = bool(answer.contacts) and phone_digits(answer.contacts[0].phone) in expected
    rank = None
    for i, title in enumerate(answer.initiatives, 1):
        if any(nfkc(s) in nfkc(title) for s in case.sections):
            rank = i
            break
    text = _squash(answer.answer)
    facts = sum(1 for f in case.facts if _squash(f) in text)
    outside = sum(1 for p in find_phones(answer.answer) if p not in directory_digits)
    return Result(case, answer.to_dict(), seconds, routed, rank, facts, answer.abstained, outside)


def run_cases(cases: Iterable[Case], ask: Ask, directory_digits: set[str],
              progress: Callable[[int], None] | None = None) -> list[Result]:
    """Ask every case (earlier turns first, as history) and score the last answer."""
    results = []
    for case in cases:
        history: list[Turn] = []
        t0 = time.perf_counter()
        answer = None
        for turn in case.turns:
            answer = ask(turn, list(history))
            history += [Turn("user", turn), Turn("assistant", answer.answer)]
        seconds = (time.perf_counter() - t0) / max(1, len(case.turns))
        assert answer is not None
        results.append(score_case(case, answer, seconds, directory_digits))
        if progress:
            progress(1)
    return results


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def metrics(results: list[Result]) -> dict[str, Any]:
    """Routing accuracy, initiative hit@k and MRR, fact recall, abstention and latency."""
    in_scope = [r for r in results if not r.case.abstain]
    with_phone = [r for r in in_scope if r.case.phones]
    with_section = [r for r in in_scope if r.case.sections]
    with_facts = [r for r in in_scope if r.case.facts]
    oos = [r for r in results if r.case.abstain]
    abstained = [r for r in results if r.abstained]
    lat = sorted(r.seconds * 1000 for r in results)
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": _ratio(sum(r.passed for r in results), len(results)),
        "routing_accuracy": _ratio(sum(r.routed for r in with_phone), len(with_phone)),
        "hit@1": _ratio(sum(r.rank == 1 for r in with_section), len(with_section)),
        "hit@3": _ratio(sum(r.rank is not None and r.rank <= 3 for r in with_section), len(with_section)),
        "mrr": round(statistics.fmean(1 / r.rank if r.rank else 0.0 for r in with_section), 4) if with_section else None,
        "fact_recall": _ratio(sum(r.facts_found for r in with_facts), sum(len(r.case.facts) for r in with_facts)),
        "abstention_precision": _ratio(sum(r.case.abstain for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.abstained for r in oos), len(oos)),
        "false_abstention_rate": _ratio(sum(r.abstained for r in in_scope), len(in_scope)),
        "outside_numbers": sum(r.outside_numbers for r in results),
        "latency_p50_ms": round(lat[len(lat) // 2], 2) if lat else None,
        "latency_p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2) if lat else None,
    }


@dataclass
class Report:
    overall: dict[str, Any]
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)


def evaluate(cases: list[Case], ask: Ask, directory_digits: set[str],
             progress: Callable[[int], None] | None = None) -> Report:
    results = run_cases(cases, ask, directory_digits, progress)
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.case.category].append(r)
    return Report(metrics(results), {k: metrics(v) for k, v in sorted(groups.items())}, results)
