"""Ask every case through the chat's own code path and score each answer against its expectation."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answers import Answer
from assistant.chat import Turn
from assistant.evaluation.cases import Case, Expect
from assistant.normalize import find_phones, nfkc, phone_digits

Ask = Callable[[str, list[Turn]], Answer]
PIPELINE = "pipeline"


def _squash(text: str) -> str:
    return "".join(nfkc(text).split())


def offered_phones(answer: dict[str, Any]) -> list[str]:
    """The offices an answer puts before the user, in order: a clarifying question's options, then contacts."""
    options = (answer.get("clarify") or {}).get("options") or []
    phones = [o["phone"] for o in options] + [c["phone"] for c in answer.get("contacts") or []]
    return list(dict.fromkeys(phone_digits(p) for p in phones))


@dataclass
class Result:
    """One scored answer: a case's last turn, or (chains) any of its turns."""

    case: Case
    expect: Expect
    turn: int  # 0-based index of the answered turn
    answer: dict[str, Any]
    seconds: float
    routed: bool  # contacts[0] is an expected number
    rank: int | None  # 1-based rank of the first expected initiative, None when absent
    facts_found: int
    abstained: bool
    outside_numbers: int  # numbers in the answer that are not directory numbers
    turns: list[Result] = field(default_factory=list)  # chains: every scored turn, this one included

    @property
    def top_initiative(self) -> str:
        return (self.answer.get("initiatives") or [""])[0]

    @property
    def first_phone(self) -> str:
        contacts = self.answer.get("contacts") or []
        return contacts[0]["phone"] if contacts else ""

    @property
    def clarified(self) -> bool:
        return bool(self.answer.get("clarify"))

    @property
    def office_in_top3(self) -> bool:
        """The expected office is among the first three the answer offers (options or contacts)."""
        expected = {phone_digits(p) for p in self.expect.phones}
        return bool(expected & set(offered_phones(self.answer)[:3]))

    @property
    def missing_facts(self) -> list[str]:
        text = _squash(self.answer.get("answer", ""))
        return [f for f in self.expect.facts if _squash(f) not in text]

    def problems(self) -> list[str]:
        """What a reader would notice is wrong with this answer, one phrase per check that failed."""
        e = self.expect
        if e.abstain:
            return [] if self.abstained else [f"answered instead of abstaining (top: {self.top_initiative or '-'})"]
        if self.abstained:  # no contact and no initiative follow from it; only the facts are worth naming
            out = ["abstained on a question the document covers"]
            if self.missing_facts:
                out.append("missing facts: " + ", ".join(self.missing_facts))
            return out
        out = []
        if e.phones and not self.routed:
            out.append(f"contact {self.first_phone or 'none'}, expected {' or '.join(e.phones)}")
        if e.sections and self.rank != 1:
            where = f" (ranked {self.rank})" if self.rank else " (not named)"
            expected = " or ".join(f"“{x}”" for x in e.sections)
            out.append(f"top initiative {self.top_initiative or 'none'}, expected {expected}{where}")
        if self.missing_facts:
            out.append("missing facts: " + ", ".join(self.missing_facts))
        if self.outside_numbers:
            out.append(f"{self.outside_numbers} phone number(s) not in the directory")
        return out

    @property
    def passed(self) -> bool:
        e = self.expect
        if e.abstain:
            return self.abstained
        ok = not self.abstained
        if e.phones:
            ok = ok and self.routed
        if e.sections:
            ok = ok and self.rank == 1
        return ok and self.facts_found == len(e.facts) and self.outside_numbers == 0

    def to_row(self, pipeline: str) -> dict[str, Any]:
        """This result as one line of ``responses.jsonl``: the case, the full answer and every check."""
        c = self.case
        row = {
            "pipeline": pipeline, "id": c.id, "category": c.category, "voice": c.voice, "turns": list(c.turns),
            "expect": self.expect.model_dump(mode="json"),
            "passed": self.passed, "routed": self.routed, "rank": self.rank, "facts_found": self.facts_found,
            "abstained": self.abstained, "outside_numbers": self.outside_numbers,
            "ms": round(self.seconds * 1000, 2), "problems": self.problems(), "answer": self.answer,
        }
        if self.turns:
            row["turn_results"] = [{"turn": r.turn, "passed": r.passed, "problems": r.problems(),
                                    "expect": r.expect.model_dump(mode="json"), "answer": r.answer}
                                   for r in self.turns]
        return row


def score_answer(case: Case, expect: Expect, turn: int, answer: Answer, seconds: float,
                 directory_digits: set[str]) -> Result:
    """One answer checked against one expectation."""
    expected = {phone_digits(p) for p in expect.phones}
    routed = bool(answer.contacts) and phone_digits(answer.contacts[0].phone) in expected
    rank = None
    for i, title in enumerate(answer.initiatives, 1):
        if any(nfkc(s) in nfkc(title) for s in expect.sections):
            rank = i
            break
    text = _squash(answer.answer)
    facts = sum(1 for f in expect.facts if _squash(f) in text)
    outside = sum(1 for p in find_phones(answer.answer) if p not in directory_digits)
    return Result(case, expect, turn, answer.to_dict(), seconds, routed, rank, facts, answer.abstained, outside)


def run_cases(cases: Iterable[Case], ask: Ask, directory_digits: set[str],
              progress: Callable[[int], None] | None = None) -> list[Result]:
    """Ask every case (earlier turns first, as history); one result a case, for its last turn, which
    carries (chains) the results of every turn."""
    results = []
    for case in cases:
        history: list[Turn] = []
        answers: list[tuple[Answer, float]] = []
        for turn in case.turns:
            t0 = time.perf_counter()
            answer = ask(turn, list(history))
            answers.append((answer, time.perf_counter() - t0))
            history += [Turn("user", turn), Turn("assistant", answer.answer)]
        scored = [score_answer(case, e, i, *answers[i], directory_digits) for i, e in case.expectations()]
        last = scored[-1]
        if case.turn_expects is not None:
            last.turns = scored
        results.append(last)
        if progress:
            progress(1)
    return results


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation, numpy's default), or None when there are none."""
    return float(np.percentile(values, q)) if values else None


def metrics(results: list[Result]) -> dict[str, Any]:
    """Routing accuracy, initiative hit@k and MRR, fact recall, abstention, clarifying questions, chains, latency."""
    in_scope = [r for r in results if not r.expect.abstain]
    with_phone = [r for r in in_scope if r.expect.phones]
    with_section = [r for r in in_scope if r.expect.sections]
    with_facts = [r for r in in_scope if r.expect.facts]
    oos = [r for r in results if r.expect.abstain]
    abstained = [r for r in results if r.abstained]
    chain_turns = [t for r in results for t in r.turns]
    lat = [r.seconds * 1000 for r in results]
    p50, p95 = percentile(lat, 50), percentile(lat, 95)
    return {
        "cases": len(results),
        "passed": sum(r.passed for r in results),
        "pass_rate": _ratio(sum(r.passed for r in results), len(results)),
        "routing_accuracy": _ratio(sum(r.routed for r in with_phone), len(with_phone)),
        "office_top3": _ratio(sum(r.office_in_top3 for r in with_phone), len(with_phone)),
        "hit@1": _ratio(sum(r.rank == 1 for r in with_section), len(with_section)),
        "hit@3": _ratio(sum(r.rank is not None and r.rank <= 3 for r in with_section), len(with_section)),
        "mrr": round(statistics.fmean(1 / r.rank if r.rank else 0.0 for r in with_section), 4) if with_section else None,
        "fact_recall": _ratio(sum(r.facts_found for r in with_facts), sum(len(r.expect.facts) for r in with_facts)),
        "abstention_precision": _ratio(sum(r.expect.abstain for r in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(r.abstained for r in oos), len(oos)),
        "false_abstention_rate": _ratio(sum(r.abstained for r in in_scope), len(in_scope)),
        "clarify_rate": _ratio(sum(r.clarified for r in in_scope), len(in_scope)),
        "turn_pass_rate": _ratio(sum(t.passed for t in chain_turns), len(chain_turns)),
        "outside_numbers": sum(r.outside_numbers for r in results),
        "latency_p50_ms": round(p50, 2) if p50 is not None else None,
        "latency_p95_ms": round(p95, 2) if p95 is not None else None,
    }


def reliability(results: list[Result], bins: int = 5) -> list[dict[str, Any]]:
    """Confidence against accuracy: the answers in each confidence band, how sure the router was on
    average and how often the initiative it found first was right (never, for an out-of-scope
    question). A calibrated router's accuracy matches its mean confidence."""
    def right(r: Result) -> bool:
        return not r.expect.abstain and r.rank == 1

    out = []
    for i in range(bins):
        lo, hi = i / bins, (i + 1) / bins
        band = [r for r in results
                if lo <= (c := float(r.answer.get("confidence", 0.0))) < hi or (i == bins - 1 and c >= hi)]
        mean = statistics.fmean(float(r.answer.get("confidence", 0.0)) for r in band) if band else None
        out.append({"from": lo, "to": hi, "answers": len(band), "confidence": None if mean is None else round(mean, 4),
                    "accuracy": _ratio(sum(right(r) for r in band), len(band))})
    return out


@dataclass
class Report:
    overall: dict[str, Any]
    by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[Result] = field(default_factory=list)
    by_voice: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def reliability(self) -> list[dict[str, Any]]:
        return reliability(self.results)

    def to_json(self) -> dict[str, Any]:
        return {"overall": self.overall, "by_category": self.by_category, "by_voice": self.by_voice,
                "reliability": self.reliability}


def evaluate(cases: list[Case], ask: Ask, directory_digits: set[str],
             progress: Callable[[int], None] | None = None) -> Report:
    results = run_cases(cases, ask, directory_digits, progress)
    by_category: dict[str, list[Result]] = defaultdict(list)
    by_voice: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_category[r.case.category].append(r)
        if r.case.voice:
            by_voice[r.case.voice].append(r)
    return Report(metrics(results), {k: metrics(v) for k, v in sorted(by_category.items())}, results,
                  {k: metrics(v) for k, v in sorted(by_voice.items())})


# The names ``metrics()`` reports, in its order; thresholds may only name these.
METRICS: tuple[str, ...] = tuple(metrics([]))
